"""The "scanned page": a minimal, valid PDF 1.4 written by hand (no PDF library).

One A4 page with a thin frame and a few lines of Helvetica text, as a stand-in for what
the scanner would have produced. Text outside Latin-1 is transliterated (ș -> s).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from panel_tui.device.atomic import write_atomically

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points


def _latin1(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.encode("latin-1", "replace").decode("latin-1")


def _pdf_string(text: str) -> str:
    escaped = _latin1(text).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return "".join(c if 32 <= ord(c) < 127 or ord(c) >= 160 else " " for c in escaped)


def scanned_page_pdf(lines: Sequence[str], title: str = "Scanned document") -> bytes:
    """A one-page PDF 1.4 showing `lines` (the first one larger), with a document title."""
    content = ["q 0.6 G 1 w 36 36 523 770 re S Q", "BT", "/F1 18 Tf", "56 770 Td", "22 TL"]
    for index, line in enumerate(lines or [""]):
        if index == 1:
            content.append("/F1 11 Tf 16 TL")
        content.append(f"({_pdf_string(line)}) Tj T*")
    content.append("ET")
    stream = "\n".join(content).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
         f"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>").encode("latin-1"),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Title ({_pdf_string(title)}) /Producer (panel_tui) >>".encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (len(objects) + 1, len(objects))
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def write_scanned_page(directory: Path, lines: Sequence[str], now: datetime, stem: str = "scan") -> Path:
    """Save a scanned page as directory/<stem>-YYYYmmdd-HHMMSS[-n].pdf (atomically) and return it."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    base = f"{stem}-{now:%Y%m%d-%H%M%S}"
    target = directory / f"{base}.pdf"
    counter = 2
    while target.exists():
        target = directory / f"{base}-{counter}.pdf"
        counter += 1
    write_atomically(target, scanned_page_pdf(lines, title=lines[0] if lines else "Scanned document"), mode=0o644)
    return target
