"""Glyphs every terminal draws one cell wide, including xterm.js under `panel-tui serve`.

Symbols with Unicode's Emoji property but a narrow (text) default width, such as ⚙ ✉ ✔ ▶ ⚠,
and the trigrams (☰, wide since Unicode 16) are drawn two cells wide by some terminals and by
browsers: the rest of the line shifts and
leaves stray blocks (seen in headless Chromium between the Home tiles). The app's glyphs, the
menu icons and every locale string stay clear of them; wide emoji (🔒) are wide everywhere.
"""
from __future__ import annotations

import tomllib
import unicodedata
from pathlib import Path

import pytest

from panel_tui.classroom.progress import JOB_GLYPHS
from panel_tui.ui import glyphs

ROOT = Path(__file__).resolve().parents[2]

# Code points below U+3000 with the Emoji property (Unicode emoji-data), whose default width is narrow.
_EMOJI_RANGES = (
    (0x2194, 0x2199), (0x21A9, 0x21AA), (0x231A, 0x231B), (0x2328, 0x2328), (0x23CF, 0x23CF),
    (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2), (0x25AA, 0x25AB), (0x25B6, 0x25B6),
    (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x2604), (0x260E, 0x260E), (0x2611, 0x2611),
    (0x2614, 0x2615), (0x2618, 0x2618), (0x261D, 0x261D), (0x2620, 0x2620), (0x2622, 0x2623),
    (0x2626, 0x2626), (0x262A, 0x262A), (0x262E, 0x262F), (0x2638, 0x263A), (0x2640, 0x2640),
    (0x2642, 0x2642), (0x2648, 0x2653), (0x265F, 0x2660), (0x2663, 0x2663), (0x2665, 0x2666),
    (0x2668, 0x2668), (0x267B, 0x267B), (0x267E, 0x267F), (0x2692, 0x2697), (0x2699, 0x2699),
    (0x269B, 0x269C), (0x26A0, 0x26A1), (0x26A7, 0x26A7), (0x26AA, 0x26AB), (0x26B0, 0x26B1),
    (0x26BD, 0x26BE), (0x26C4, 0x26C5), (0x26C8, 0x26C8), (0x26CE, 0x26CF), (0x26D1, 0x26D1),
    (0x26D3, 0x26D4), (0x26E9, 0x26EA), (0x26F0, 0x26F5), (0x26F7, 0x26FA), (0x26FD, 0x26FD),
    (0x2702, 0x2702), (0x2705, 0x2705), (0x2708, 0x270D), (0x270F, 0x270F), (0x2712, 0x2712),
    (0x2714, 0x2714), (0x2716, 0x2716), (0x271D, 0x271D), (0x2721, 0x2721), (0x2728, 0x2728),
    (0x2733, 0x2734), (0x2744, 0x2744), (0x2747, 0x2747), (0x274C, 0x274C), (0x274E, 0x274E),
    (0x2753, 0x2755), (0x2757, 0x2757), (0x2763, 0x2764), (0x2795, 0x2797), (0x27A1, 0x27A1),
    (0x27B0, 0x27B0), (0x27BF, 0x27BF), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50),
    (0x2B55, 0x2B55),
    # Wide since Unicode 16 (narrow in Python 3.11's tables): the trigrams and digrams, e.g. ☰.
    (0x2630, 0x2637), (0x268A, 0x268F),
)


def _ambiguous(text: str) -> list[str]:
    found = []
    for char in text:
        code = ord(char)
        if unicodedata.east_asian_width(char) in ("W", "F"):
            continue
        if any(low <= code <= high for low, high in _EMOJI_RANGES):
            found.append(f"{char} U+{code:04X}")
    return found


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_the_glyph_table_and_the_classroom_marks():
    assert _ambiguous("".join(glyphs.UNICODE.values())) == []
    assert _ambiguous("".join(glyph for glyph, _ in JOB_GLYPHS.values())) == []


@pytest.mark.parametrize("name", ["menus/panel.toml", "menus/webconfig.toml", "locales/en.toml", "locales/ro.toml"])
def test_data_files(name):
    data = tomllib.loads((ROOT / name).read_text(encoding="utf-8"))
    bad = {text: _ambiguous(text) for text in _strings(data) if _ambiguous(text)}
    assert bad == {}
