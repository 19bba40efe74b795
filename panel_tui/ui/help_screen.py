"""The Help key: what the keys do and what the lock icon means."""
from __future__ import annotations

from rich.cells import cell_len
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.frame import PanelScreen


def simulator_urls(backend, wait: bool = False) -> tuple[str, str] | None:
    """(admin center URL, sign-in page URL) of the simulator the backend uses; None in live mode
    or before it is known (`wait`: until the simulator starting in the background is up). Blocking
    only once (call it from a thread)."""
    endpoints = backend.endpoints() if (backend.ready or wait) and not backend.options.live else None
    if endpoints is None:
        return None
    data = endpoints if isinstance(endpoints, dict) else endpoints.to_dict()
    return data["admin_url"], data["verification_uri"]


# The keys Help lists, (key caps, locale key of what they do); the locale key ends with the id of
# the App binding it describes (a test keeps every binding listed).
HELP_KEYS = (
    ("↑ ↓ ← →", "screen.help.key.move"),
    ("Enter", "screen.help.key.select"),
    ("Esc", "screen.help.key.back"),
    ("H  F2", "screen.help.key.home"),
    ("J  F3", "screen.help.key.job_status"),
    ("S  F4", "screen.help.key.stop"),
    ("?  F1", "screen.help.key.help"),
    ("L  F9", "screen.help.key.admin_login"),
    ("W  F5", "screen.help.key.webconfig"),
    ("I  F6", "screen.help.key.inbox"),
    ("G  F7", "screen.help.key.lesson"),
    ("T  F8", "screen.help.key.trainer"),
    ("Ctrl+P", "screen.help.key.commands"),
    ("Ctrl+Q", "screen.help.key.quit"),
)
COLUMN_GAP = 4  # blank cells between the two columns of keys, when both fit


class KeyTable(Widget):
    """Keys and what they do, one key a line: in two columns when both fit the width, else one.
    The meanings line up whatever their language; a line is never wrapped."""

    def __init__(self, rows: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows = rows
        self._caps_width = max(cell_len(caps) for caps, _ in rows) + 2
        self._cell_width = self._caps_width + max(cell_len(meaning) for _, meaning in rows)

    def _columns(self, width: int) -> int:
        return 2 if 2 * self._cell_width + COLUMN_GAP <= width else 1

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return -(-len(self.rows) // self._columns(width))

    def render(self) -> Content:
        columns = self._columns(self.size.width)
        height = -(-len(self.rows) // columns)  # down the first column, then the second
        lines = []
        for y in range(height):
            parts: list = []
            for column in range(columns):
                index = column * height + y
                if index >= len(self.rows):
                    break
                caps, meaning = self.rows[index]
                if column:
                    parts.append(" " * COLUMN_GAP)
                pad = self._caps_width - cell_len(caps)
                parts.extend(((caps, "bold"), " " * pad, meaning.ljust(self._cell_width - self._caps_width)))
            lines.append(Content.assemble(*parts).rstrip())
        return Content("\n").join(lines)


class HelpScreen(PanelScreen):
    FOCUS = "#help-body"

    def __init__(self) -> None:
        super().__init__(name="help")

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t("screen.help.title")]

    def hints(self):
        return (("↑↓", "key.scroll"), ("Esc", "key.close"))

    def compose_body(self) -> ComposeResult:
        app = panel_app(self)
        settings = app.printer.settings
        with VerticalScroll(id="help-body"):
            yield Static(app.t("screen.help.intro"), markup=False)
            yield KeyTable([(caps, app.t(key)) for caps, key in HELP_KEYS], id="help-keys")
            yield Static(app.t("screen.help.outro"), markup=False)
            yield Static(app.t("screen.help.basic_timeline"), markup=False, id="help-basic")
            yield Static(app.t("app.webconfig_address", ip=settings.ip_address))
            # As on the printer's label: the serial number is the administrator password until changed.
            key = "screen.help.serial" if settings.admin_password_hash is None else "screen.help.serial_changed"
            yield Static(app.t(key, serial=settings.serial_number), markup=False, id="help-serial")
            yield Static(id="help-sim")

    def on_mount(self) -> None:
        self._read_urls()

    @work(thread=True, exclusive=True, exit_on_error=False, group="help")
    def _read_urls(self) -> None:
        app = panel_app(self)
        backend = app.backend
        # Help opened before the simulator is up (it starts after the first frame): wait for it.
        urls = simulator_urls(backend, wait=app.start_backend) if backend is not None else None
        if urls is not None:
            text = panel_app(self).t("screen.help.sim_urls", admin=urls[0], signin=urls[1])
            self.app.call_from_thread(self._show_urls, text)

    def _show_urls(self, text: str) -> None:
        if self.is_attached:
            self.query_one("#help-sim", Static).update(Content(text))
