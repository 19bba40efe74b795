"""A cache of parsed data files (locale catalogs, the menu file), so a start need not parse TOML.

The files are the truth: an entry is used only when its source file still has the path,
modification time and size it was built from; otherwise it is built again from the file
(and rewritten when the cache folder is writable). Values are plain data (dicts, lists,
strings) stored with `marshal`; an unreadable entry is simply rebuilt.
"""
from __future__ import annotations

import binascii
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from panel_tui.device.paths import data_cache_dir

FORMAT = 1  # bump when the shape of a cached value changes


def cache_dir() -> Path:
    """The folder of cached data files (shared by the profiles; not created here)."""
    return data_cache_dir()


def _stamp(path: Path) -> tuple:
    stat = path.stat()
    return (FORMAT, sys.version, str(path), stat.st_mtime_ns, stat.st_size)


def cached(kind: str, path: Path, build: Callable[[], Any]) -> Any:
    """`build()` (which reads `path`), or its result saved the last time `path` looked the same.

    A missing source file is not cached: `build` runs and reports it.
    """
    path = Path(path).resolve()
    try:
        stamp = _stamp(path)
    except OSError:
        return build()
    # Named by a checksum of the path (binascii: hashlib would load OpenSSL at start); two paths
    # sharing a name only rebuild each other's entry, since the stamp holds the path.
    entry = cache_dir() / f"{kind}-{binascii.crc32(str(path).encode()):08x}.marshal"
    try:
        saved_stamp, value = marshal.loads(entry.read_bytes())
        if saved_stamp == stamp:
            return value
    except (OSError, EOFError, ValueError, TypeError):
        pass
    value = build()
    try:
        if _stamp(path) == stamp:  # the file did not change while it was read
            entry.parent.mkdir(parents=True, exist_ok=True)
            temporary = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
            temporary.write_bytes(marshal.dumps((stamp, value)))
            os.replace(temporary, entry)
    except (OSError, ValueError):
        pass  # a read-only or full disk: the next start parses the file again
    return value
