"""The hardware keys beside the touch screen, as one widget: a column of keys drawn like the
panel's buttons, or a compact one-line strip when the terminal is too narrow for the column.
A tap on a key runs the same app action as its key press."""
from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.glyphs import glyph
from panel_tui.ui.tile_grid import centered

# (app action, locale key, key cap, style): the keys from top to bottom (left to right in a strip).
HARDWARE_KEYS = (
    ("home", "key.home", "H", "home"),
    ("back", "key.back", "Esc", "key"),
    ("stop", "key.stop", "S", "stop"),
    ("job_status", "key.job_status", "J", "key"),
    ("help", "key.help", "?", "key"),
)
KEY_WIDTH = 18
KEY_HEIGHT = 4  # top edge, label, key cap, bottom edge
COLUMN_WIDTH = KEY_WIDTH + 1  # with the gap to the screen
MIN_SCREEN_WIDTH = 46  # the touch screen keeps at least this much beside the column, or the keys become a strip


def needs_strip(frame_width: int, beside: int = 0, frame_height: int | None = None) -> bool:
    """True when a column of keys would leave the screen too narrow (`beside`: width of other
    panels) or would not fit the frame's height."""
    too_low = frame_height is not None and frame_height < KEY_HEIGHT * len(HARDWARE_KEYS)
    return too_low or frame_width - beside - COLUMN_WIDTH < MIN_SCREEN_WIDTH


class HardwareKeys(Widget):
    """Home, Back, Stop, Job/Status and Help; `compact` draws them as one line."""

    DEFAULT_CSS = """
    HardwareKeys { width: 19; height: 1fr; padding: 0 0 0 1; }
    HardwareKeys.-compact { dock: bottom; width: 1fr; height: 1; padding: 0; }
    HardwareKeys > .hardware-keys--key { background: $surface; color: $foreground; text-style: bold; }
    HardwareKeys > .hardware-keys--home { background: $primary-darken-1; color: $foreground; text-style: bold; }
    HardwareKeys > .hardware-keys--stop { background: $error-darken-1; color: $foreground; text-style: bold; }
    HardwareKeys > .hardware-keys--top { color: $surface-lighten-1; }
    HardwareKeys > .hardware-keys--bottom { color: $surface-darken-1; }
    """
    COMPONENT_CLASSES = {"hardware-keys--key", "hardware-keys--home", "hardware-keys--stop",
                         "hardware-keys--top", "hardware-keys--bottom"}

    compact: reactive[bool] = reactive(False, layout=True)

    def __init__(self, *, compact: bool = False, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._spans: list[tuple[int, int, str]] = []  # strip mode: (start, end, action)
        self.set_reactive(HardwareKeys.compact, compact)
        self.set_class(compact, "-compact")

    def watch_compact(self, compact: bool) -> None:
        self.set_class(compact, "-compact")

    def labels(self) -> list[tuple[str, str, str, str]]:
        t = panel_app(self).t
        return [(action, t(label_key), cap, style) for action, label_key, cap, style in HARDWARE_KEYS]

    def relabel(self) -> None:
        """Draw again in the current language."""
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 if self.compact else KEY_HEIGHT * len(HARDWARE_KEYS)

    # -- drawing -------------------------------------------------------------------------
    def _key_style(self, style: str) -> Style:
        return self.get_component_rich_style(f"hardware-keys--{style}")

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        return self._strip_line(width) if self.compact else self._column_line(y, width)

    def _column_line(self, y: int, width: int) -> Strip:
        index, within = divmod(y, KEY_HEIGHT)
        if index >= len(HARDWARE_KEYS):
            return Strip.blank(width, Style(bgcolor=self.rich_style.bgcolor))
        _action, label, cap, style = self.labels()[index]
        body = self._key_style(style)
        if within == 0:
            edge = self._key_style("top")
            return Strip([Segment("▔" * width, Style(color=edge.color, bgcolor=body.bgcolor))], width)
        if within == KEY_HEIGHT - 1:
            edge = self._key_style("bottom")
            return Strip([Segment("▁" * width, Style(color=edge.color, bgcolor=body.bgcolor))], width)
        text = label if within == 1 else f"[{cap}]"
        if len(text) > width:
            text = text[: max(0, width - 1)] + glyph("ellipsis")
        return Strip(centered(text, width, body), width)

    def _strip_line(self, width: int) -> Strip:
        keys = self.labels()
        for with_caps in (True, False):
            cells = [f" {label} [{cap}] " if with_caps else f" {label} " for _a, label, cap, _s in keys]
            if sum(len(c) for c in cells) + len(cells) - 1 <= width:
                break
        else:
            share = max(3, (width - len(cells) + 1) // len(cells))
            cells = [c if len(c) <= share else c[: share - 1] + glyph("ellipsis") for c in cells]
        segments: list[Segment] = []
        self._spans = []
        x = 0
        blank = Style(bgcolor=self.rich_style.bgcolor)
        for index, ((action, _label, _cap, style), cell) in enumerate(zip(keys, cells, strict=True)):
            if index:
                segments.append(Segment(" ", blank))
                x += 1
            segments.append(Segment(cell, self._key_style(style)))
            self._spans.append((x, x + len(cell), action))
            x += len(cell)
        if x < width:
            segments.append(Segment(" " * (width - x), blank))
        return Strip(segments, width).crop(0, width)

    # -- taps -----------------------------------------------------------------------------
    def action_at(self, x: int, y: int) -> str | None:
        """The app action of the key under cell (x, y) of the content, or None."""
        if self.compact:
            return next((action for start, end, action in self._spans if start <= x < end), None)
        index = y // KEY_HEIGHT
        return HARDWARE_KEYS[index][0] if 0 <= index < len(HARDWARE_KEYS) and 0 <= x < self.size.width else None

    def key_offset(self, action: str) -> tuple[int, int]:
        """A cell inside the key of `action`, relative to the widget (for tests that tap it)."""
        left = self.styles.padding.left
        if self.compact:
            start, end, _ = next(span for span in self._spans if span[2] == action)
            return left + (start + end) // 2, 0
        index = next(i for i, key in enumerate(HARDWARE_KEYS) if key[0] == action)
        return left + KEY_WIDTH // 2, index * KEY_HEIGHT + 1

    async def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        action = None if offset is None else self.action_at(offset.x, offset.y)
        if action is not None:
            event.stop()
            await self.run_action(f"app.{action}")
