"""Every use of Textual's private API by the tests, in one place, checked against one version.

``tests/test_textual_internals.py`` fails when the installed Textual is not ``CHECKED_AGAINST``
(pinned exactly in pyproject.toml), and exercises each function here, so an upgrade shows at
once which of these to re-check.

- ``rendered_lines``: the screen's compositor (``Screen._compositor``), to read what the
  terminal shows as plain characters, every colour dropped.
- ``install_burst_typing``: ``App._press_keys`` and ``textual.keys._character_to_key``, to type
  a word into a focused text field as one burst (see its docstring).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from textual import events
from textual.app import App
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Input, TextArea

CHECKED_AGAINST = "8.2.8"


def rendered_strips(screen: Screen) -> list[Strip]:
    """What the terminal shows of ``screen``, one Strip (styled segments) a row."""
    return screen._compositor.render_strips()


def rendered_lines(screen: Screen) -> list[str]:
    """What the terminal shows of ``screen``, one string a row, characters only."""
    return [strip.text for strip in rendered_strips(screen)]


# -- typing at a typist's pace ------------------------------------------------------------------
# Textual's `Pilot.press` sends each key and then waits until the process looks idle (at least two
# 20 ms sleeps per key, up to a second each while a simulator thread is busy), so typing an address
# cost a second or more per test. Here a run of printable characters sent while a text field has
# the focus goes out as one burst, and the waits follow its last letter: the letters still arrive
# one by one as Key events, in order, to the same focused field (typing into a field never moves
# the focus, and no priority binding takes a printable key), exactly as a fast typist's or a
# paste's would. Any other key (Enter, Escape, a letter on a menu, a letter while nothing takes
# text) keeps Textual's own per-key waits, so a key that changes the screen is still followed by
# them before the next key is chosen.

_textual_press_keys = App._press_keys


def key_event(app: App, key: str) -> events.Key:
    """The Key event Textual's _press_keys sends for `key` (same conversions)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original_key = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original_key))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    return event


def _typed(key: str) -> bool:
    return len(key) == 1 and key.isprintable()


async def press_keys(self: App, keys: Iterable[str]) -> None:
    keys = list(keys)
    i = 0
    while i < len(keys):
        end = i
        if isinstance(self.focused, (Input, TextArea)):
            while end < len(keys) and _typed(keys[end]):
                end += 1
        if end - i < 2:  # a lone key: Textual's own press and waits
            await _textual_press_keys(self, keys[i:i + 1])
            i += 1
            continue
        assert self._driver is not None
        for key in keys[i:end - 1]:
            self._driver.send_message(key_event(self, key))
        await _textual_press_keys(self, keys[end - 1:end])  # the last letter, then the waits
        i = end


def install_burst_typing(monkeypatch) -> None:
    monkeypatch.setattr(App, "_press_keys", press_keys)
