"""Inbox (simulator): the mailboxes of the simulated tenant, so a trainer can show mail arriving."""
from __future__ import annotations

import asyncio
from email.utils import parseaddr, parsedate_to_datetime

from rich.cells import cell_len
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, ListItem, ListView, Static

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.cursor_mark import cursor_mark, row_is_marked
from panel_tui.ui.frame import PanelScreen
from panel_tui.ui.glyphs import glyph
from panel_tui.ui.marked_widgets import MarkedDataTable
from panel_tui.ui.message_view import MessageScreen

# The messages table's columns (header locale keys, column key). The subject over the sender's
# address, after the date: what a trainer points at, on screen at 80 columns (the sender's name,
# the text and the attachments' types are in the message view, Enter).
MESSAGE_COLUMNS = ((("screen.inbox.col_date",), "date"),
                   (("screen.inbox.col_subject", "screen.inbox.col_from"), "message"),
                   (("screen.inbox.col_attachments",), "attachments"))

def _short_date(header: str) -> str:
    """An RFC 5322 Date header as "14 Mar 09:26" (the header itself if it does not parse)."""
    try:
        return parsedate_to_datetime(header).strftime("%d %b %H:%M")
    except (TypeError, ValueError):
        return header[:16]


class MailboxRow(ListItem):
    def __init__(self, address: str, count: int) -> None:
        super().__init__(classes="menu-row")
        self.address = address
        self.count = count

    def render(self) -> Content:
        local = self.address.split("@", 1)[0]  # one tenant: the domain is the same for all
        return Content(f"{cursor_mark(row_is_marked(self))}{local} ({self.count})")


class InboxScreen(PanelScreen):
    """Mailboxes on the left, the selected one's messages (with attachments) on the right."""

    BINDINGS = [("r", "reload", "Reload")]
    FOCUS = "#mailboxes"

    def __init__(self) -> None:
        super().__init__(name="inbox")
        self._boxes: dict[str, list[dict]] = {}
        self._selected: str | None = None
        self._shown: list[dict] = []  # the selected mailbox's messages, as the table lists them

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t("screen.inbox.title")]

    def hints(self):
        # R (reload) is said by the summary line: the hints fit 80 columns in Romanian.
        return (("↑↓", "key.move"), ("Tab", "key.switch"), ("Enter", "key.open"), ("Esc", "key.back"))

    def compose_body(self) -> ComposeResult:
        t = panel_app(self).t
        yield Static(t("screen.inbox.loading"), id="inbox-status", classes="edit-hint")
        with Horizontal(id="inbox-panes"):
            yield ListView(id="mailboxes")
            table: DataTable[str] = MarkedDataTable(id="messages", cursor_type="row", zebra_stripes=True,
                                                    header_height=2)
            for label_keys, key in MESSAGE_COLUMNS:
                table.add_column("\n".join(t(k) for k in label_keys), key=key)
            yield table

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self._load()

    @work(exclusive=True, exit_on_error=False, group="inbox")
    async def _load(self) -> None:
        backend = panel_app(self).cloud

        def fetch() -> dict[str, list[dict]]:
            control = backend.control()
            addresses = control.state().get("mailboxes", [])
            return {address: control.mailbox(address) for address in addresses}

        try:
            boxes = await asyncio.to_thread(fetch)
        except Exception as error:  # noqa: BLE001 - shown on the screen
            self.query_one("#inbox-status", Static).update(
                panel_app(self).t("screen.inbox.unavailable", detail=type(error).__name__))
            return
        self._boxes = boxes
        self._show_boxes()

    def _show_boxes(self) -> None:
        t = panel_app(self).t
        total = sum(len(m) for m in self._boxes.values())
        self.query_one("#inbox-status", Static).update(
            t("screen.inbox.summary", boxes=len(self._boxes), messages=total))
        view = self.query_one("#mailboxes", ListView)
        view.clear()
        for address, messages in sorted(self._boxes.items()):
            view.append(MailboxRow(address, len(messages)))
        if self._boxes:
            selected = self._selected if self._selected in self._boxes else sorted(self._boxes)[0]
            view.index = sorted(self._boxes).index(selected)  # the cursor is on the mailbox listed
            self._show_messages(selected)

    def _show_messages(self, address: str) -> None:
        self._selected = address
        table = self.query_one("#messages", DataTable)
        rows = []
        self._shown = list(reversed(self._boxes.get(address, [])))
        for message in self._shown:
            files = ", ".join(f"{a['filename']} ({a['size'] // 1024 or 1} KB)" for a in message.get("attachments", []))
            sender = str(message.get("from", ""))
            rows.append((_short_date(str(message.get("date", ""))),
                         f"{message.get('subject', '')}\n{parseaddr(sender)[1] or sender}", files or glyph("none")))
        # Columns sized here, to their header and these rows, before anything is drawn. Left to the
        # table, they are measured on its next idle, and a frame painted before that (a busy
        # machine) stays cached sized to the headers: the sender cut to its first letters.
        table.clear(columns=True)
        t = panel_app(self).t
        for column, (label_keys, key) in enumerate(MESSAGE_COLUMNS):
            label = "\n".join(t(k) for k in label_keys)
            texts = (label, *(row[column] for row in rows))
            table.add_column(label, key=key,
                             width=max(cell_len(line) for text in texts for line in text.splitlines() or [""]))
        for index, row in enumerate(rows):
            table.add_row(*row, key=str(index), height=2)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter (or a tap) on a message: its headers, text and attachments."""
        if event.cursor_row < len(self._shown):
            self.app.push_screen(MessageScreen(self._shown[event.cursor_row]))

    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        # The cursor put on the mailbox already listed (by `_show_boxes`) does not list it again.
        if isinstance(event.item, MailboxRow) and event.item.address != self._selected:
            self._show_messages(event.item.address)
