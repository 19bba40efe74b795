"""Accepted mail, one Maildir per recipient address under the simulator's ``maildir/``.

Every recipient gets the message, inside or outside the tenant: the simulator is the
whole internet's mail as far as the printer can tell. Messages are stored byte for byte
after the simulator's own ``Received:`` trace header, so attachments stay intact. A
message is written once and hard-linked into each recipient's ``new/`` (Maildir's own
tmp-then-link delivery), so 500 recipients cost one copy on disk.

Reading (listing, summaries, raw messages) is blocking file work: the server calls it
through ``asyncio.to_thread`` so a big mailbox never stalls its event loop.
"""
from __future__ import annotations

import email
import email.policy
import errno
import hashlib
import itertools
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import TypedDict
from urllib.parse import unquote

_KEPT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789@._+-")
_NAME_MAX = 200  # bytes of a folder name; longer ones end in a digest of the whole
_TEXT_PREVIEW = 2000
_SUBFOLDERS = ("tmp", "new", "cur")
_COUNTER = itertools.count()
_COUNTER_LOCK = threading.Lock()


class AttachmentSummary(TypedDict):
    filename: str
    content_type: str
    size: int


# One stored message as the control API and the admin center show it ("from" is a keyword).
MessageSummary = TypedDict("MessageSummary", {
    "id": str, "subject": str, "from": str, "to": list[str], "cc": list[str], "date": str,
    "message_id": str, "size": int, "delivered_at": float, "text": str, "attachments": list[AttachmentSummary],
})


def mailbox_folder_name(address: str) -> str:
    """The folder of an address: one folder per address, never '.', '..' or a path.

    Addresses are compared as Exchange does (case-insensitively); every character outside
    a-z 0-9 @ . _ + -, and a leading '.', is written as %XX of its UTF-8 bytes ('%' too), so
    no two addresses share a folder (`.@x.y` and `..@x.y`, `a/b@c.d` and `a_b@c.d`). A name
    over _NAME_MAX keeps its start and ends in '~' and a SHA-256 of the whole; '%' alone is
    the empty address."""
    out = []
    for index, char in enumerate(address.strip().lower()):
        if char in _KEPT and not (index == 0 and char == "."):
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    name = "".join(out) or "%"
    if len(name) > _NAME_MAX:
        name = f"{name[:_NAME_MAX - 41]}~{hashlib.sha256(name.encode('ascii')).hexdigest()[:40]}"
    return name


def mailbox_address(folder_name: str) -> str:
    """The address a folder holds the mail of (a shortened name: as it is)."""
    if "~" in folder_name or folder_name == "%":
        return "" if folder_name == "%" else folder_name
    return unquote(folder_name, errors="surrogatepass")


class MailStore:
    """Delivery into and reading from the per-address Maildirs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def folder(self, address: str) -> Path:
        return self.root / mailbox_folder_name(address)

    def deliver(self, recipients: list[str], message: bytes) -> list[str]:
        """Store ``message`` once for all recipients; returns its Maildir key. Blocking IO."""
        folders = list(dict.fromkeys(self.folder(r) for r in recipients))
        if not folders:
            return []
        for folder in folders:
            for sub in _SUBFOLDERS:
                (folder / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
            for path in (self.root, folder, *(folder / sub for sub in _SUBFOLDERS)):
                if path.is_symlink():  # planted: mail is written only inside the maildir
                    raise OSError(errno.ELOOP, "a mailbox folder is a symbolic link", str(path))
        key = _unique_name()
        staged = folders[0] / "tmp" / key
        with open(staged, "xb") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(message)
        try:
            for folder in folders:
                try:
                    os.link(staged, folder / "new" / key)
                except OSError:  # a file system without hard links: a copy then
                    shutil.copyfile(staged, folder / "new" / key)
        finally:
            staged.unlink(missing_ok=True)
        return [key]

    def addresses(self) -> list[str]:
        return sorted(mailbox_address(name) for name in self._folder_names())

    def _folder_names(self) -> list[str]:
        if not self.root.exists():
            return []
        return [p.name for p in self.root.iterdir() if (p / "new").is_dir()]

    def messages(self, address: str) -> list[MessageSummary]:
        """Summaries of the messages for ``address``, oldest first."""
        return [summary for _, summary in self._scan(address)]

    def raw_message(self, address: str, message_id: str) -> bytes:
        """The stored bytes of one message, found by its name (no scan of the mailbox)."""
        if not message_id or "/" in message_id or message_id.startswith("."):
            raise KeyError(message_id)
        folder = self.folder(address)
        candidates = [folder / "new" / message_id]
        cur = folder / "cur"
        if cur.is_dir():
            candidates += sorted(cur.glob(f"{_glob_escape(message_id)}:*"))
            candidates.append(cur / message_id)
        for path in candidates:
            try:
                return path.read_bytes()
            except (FileNotFoundError, NotADirectoryError):
                continue
        raise KeyError(message_id)

    def clear(self) -> None:
        for name in self._folder_names():
            shutil.rmtree(self.root / name, ignore_errors=True)

    def _scan(self, address: str) -> Iterator[tuple[Path, MessageSummary]]:
        folder = self.folder(address)
        paths = [p for sub in ("new", "cur") if (folder / sub).is_dir() for p in (folder / sub).iterdir()]
        paths.sort(key=lambda p: (p.stat().st_mtime_ns, p.name))
        for path in paths:
            yield path, summarise(path.name.split(":", 1)[0], path.read_bytes(), path.stat().st_mtime)


def _glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _unique_name() -> str:
    """Maildir's ``time.M<usec>P<pid>Q<n>.host`` form, unique within the simulator."""
    now = time.time()
    with _COUNTER_LOCK:
        n = next(_COUNTER)
    return f"{int(now)}.M{int(now % 1 * 1e6):06d}P{os.getpid()}Q{n}.sim"


def summarise(message_id: str, raw: bytes, delivered_at: float) -> MessageSummary:
    """Subject, addresses, date, a text preview and the attachments of a raw message."""
    msg: EmailMessage = email.message_from_bytes(raw, policy=email.policy.default)
    attachments: list[AttachmentSummary] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            payload = part.get_payload(decode=True) or b""
            attachments.append({
                "filename": filename or "",
                "content_type": part.get_content_type(),
                "size": len(payload),
            })
    body = msg.get_body(preferencelist=("plain",))
    text = ""
    if body is not None:
        try:
            text = body.get_content()[:_TEXT_PREVIEW]
        except (LookupError, ValueError):
            text = ""
    return {
        "id": message_id,
        "subject": str(msg.get("Subject", "")),
        "from": str(msg.get("From", "")),
        "to": [addr for _, addr in getaddresses([str(v) for v in msg.get_all("To", [])])],
        "cc": [addr for _, addr in getaddresses([str(v) for v in msg.get_all("Cc", [])])],
        "date": str(msg.get("Date", "")),
        "message_id": str(msg.get("Message-ID", "")),
        "size": len(raw),
        "delivered_at": delivered_at,
        "text": text,
        "attachments": attachments,
    }
