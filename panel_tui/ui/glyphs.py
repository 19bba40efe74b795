"""The app's own glyphs, with an ASCII fallback for terminals that cannot draw them.

One table is chosen when the app starts: Unicode when the terminal's encoding is UTF-8 and
TERM is not a console without those glyphs (linux, vt100, vt220, dumb), ASCII otherwise.
PANEL_TUI_GLYPHS=unicode|ascii overrides the choice. Widgets read `glyph("name")`.
"""
from __future__ import annotations

import locale
import os
import sys

UNICODE: dict[str, str] = {
    "network": "⇅", "done": "✓", "ok": "✓", "failed": "✗", "current": "▸", "todo": "○",
    "running": "●", "idle": "○", "locked": "🔒", "unlocked": "🔓", "ellipsis": "…",
    "radio_on": "●", "radio_off": "○", "check_on": "[x]", "check_off": "[ ]",
    "focus_left": "▸", "focus_right": "◂", "back": "◂", "forward": "▸", "reload": "↻",
    "up_down": "↑↓", "left_right": "←→", "arrows": "←↑↓→", "sheet": "▤", "fax": "☏", "dot": "·", "more": "›",
    "partial": "◐", "none": "—",
}
ASCII: dict[str, str] = {
    "network": "<>", "done": "+", "ok": "+", "failed": "x", "current": ">", "todo": "o",
    "running": "*", "idle": "o", "locked": "[L]", "unlocked": "[U]", "ellipsis": "~",
    "radio_on": "(*)", "radio_off": "( )", "check_on": "[x]", "check_off": "[ ]",
    "focus_left": ">", "focus_right": "<", "back": "<", "forward": ">", "reload": "@",
    "up_down": "Up/Dn", "left_right": "Lt/Rt", "arrows": "Arrows", "sheet": "#", "fax": "%", "dot": ".", "more": ">",
    "partial": "~", "none": "-",
}
# The focus bars and pane edges are CSS borders (outer, vkey, thick); on an ASCII terminal the App
# carries ASCII_CLASS and the stylesheets draw them with Textual's `ascii` border instead.
ASCII_CLASS = "-ascii-glyphs"
assert UNICODE.keys() == ASCII.keys()

ASCII_TERMS = ("linux", "vt100", "vt102", "vt220", "dumb", "ansi")


def unicode_capable(environ=os.environ, encoding: str | None = None) -> bool:
    """Whether the terminal can draw the Unicode table: a UTF-8 encoding and a TERM that has it."""
    forced = environ.get("PANEL_TUI_GLYPHS", "").lower()
    if forced in ("unicode", "ascii"):
        return forced == "unicode"
    term = environ.get("TERM", "").lower()
    if term.split("-")[0] in ASCII_TERMS:
        return False
    lang = environ.get("LC_ALL") or environ.get("LANG") or ""
    if lang.split(".")[0] in ("C", "POSIX") and "utf" not in lang.lower().replace("-", ""):
        # LANG=C: Python may have coerced LC_CTYPE to C.UTF-8, the terminal did not change.
        return False
    lang = environ.get("LC_ALL") or environ.get("LC_CTYPE") or environ.get("LANG") or ""
    if lang and "utf" not in lang.lower().replace("-", ""):
        return False  # e.g. en_US.ISO-8859-1
    if encoding is None:
        encoding = getattr(sys.__stdout__, "encoding", None) or locale.getpreferredencoding(False)
    return "utf" in (encoding or "").lower().replace("-", "")

_table: dict[str, str] | None = None


def choose(environ=os.environ) -> dict[str, str]:
    """Pick the table for this terminal (called when the app starts)."""
    use(UNICODE if unicode_capable(environ) else ASCII)
    return _table  # type: ignore[return-value]


def use(table: dict[str, str]) -> None:
    """Choose the table (the app does it once at start; tests switch it)."""
    global _table
    _table = table


def glyph(name: str) -> str:
    return (_table if _table is not None else choose())[name]


_ARROW_CAPS = {"←↑↓→": "arrows", "↑↓": "up_down", "←→": "left_right"}


def key_cap(cap: str) -> str:
    """A hint bar's key cap as this terminal draws it (arrows become words on an ASCII terminal)."""
    name = _ARROW_CAPS.get(cap)
    return glyph(name) if name else cap


def is_ascii() -> bool:
    return _table is ASCII
