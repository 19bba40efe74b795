"""A QR code as lines of half-block characters: two module rows per text line, so it fits a terminal."""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

import segno

# (top module dark, bottom module dark) -> character drawn in the dark colour on a light background
_HALF_BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def qr_lines(data: str, border: int = 2) -> list[str]:
    """The QR code of `data` (a URL) as text lines; draw them dark on light to be scannable.

    `border` is the quiet zone in modules (the standard asks for 4; 2 is what phone
    cameras need in practice and keeps a 29x29 code within 17 lines).
    """
    qr = segno.make_qr(data, error="l")
    size = len(qr.matrix)
    width = size + 2 * border

    def dark(row: int, col: int) -> bool:
        row, col = row - border, col - border
        return 0 <= row < size and 0 <= col < size and bool(qr.matrix[row][col])

    rows = size + 2 * border
    lines = []
    for top in range(0, rows, 2):
        lines.append("".join(_HALF_BLOCKS[dark(top, col), dark(top + 1, col)] for col in range(width)))
    return lines


def unreachable_from_a_phone(url: str) -> bool:
    """True if `url` names this computer only (a loopback simulator): a phone scanning it
    would open its own 127.0.0.1, not the sign-in page."""
    host = (urlsplit(url).hostname or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def signin_address(app, uri: str) -> str:
    """The sign-in page's address as the panel shows it (text and QR code): the simulator's carries
    the panel's language (`?lang=ro`), so a Romanian class's browsers open its pages in Romanian.
    Microsoft's own page follows the browser's language: its address is shown as it came."""
    backend = getattr(app, "backend", None)
    parts = urlsplit(uri)
    microsofts = (parts.hostname or "").endswith(("microsoft.com", "microsoftonline.com"))
    if backend is None or backend.options.live or microsofts:
        return uri
    query = "&".join(part for part in (parts.query, f"lang={app.translator.language}") if part)
    return urlunsplit(parts._replace(query=query))
