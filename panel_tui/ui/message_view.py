"""One message of the simulator's Inbox: its headers, its text and its attachments (Enter on a row)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.frame import PanelScreen
from panel_tui.ui.glyphs import glyph

# (locale key, message field): the headers, in a mail reader's order.
HEADERS = (("screen.inbox.msg.from", "from"), ("screen.inbox.msg.to", "to"), ("screen.inbox.msg.cc", "cc"),
           ("screen.inbox.msg.date", "date"), ("screen.inbox.msg.subject", "subject"))


class MessageScreen(PanelScreen):
    """The message as the simulator's mailbox holds it (a summary: headers, text, attachment names)."""

    FOCUS = "#message-view"

    def __init__(self, message: dict) -> None:
        super().__init__(name="inbox-message")
        self.message = message

    def breadcrumb(self) -> list[str]:
        t = panel_app(self).t
        return [t("screen.inbox.title"), str(self.message.get("subject", "")) or t("screen.inbox.msg.no_subject")]

    def hints(self):
        return (("↑↓", "key.scroll"), ("Esc", "key.back"))

    def compose_body(self) -> ComposeResult:
        t = panel_app(self).t
        with VerticalScroll(id="message-view"):
            for label_key, field in HEADERS:
                value = self.message.get(field, "")
                text = ", ".join(value) if isinstance(value, list) else str(value)
                if field == "cc" and not text:
                    continue
                yield Static(f"{t(label_key)}: {text}", classes="message-header", markup=False)
            files = self.message.get("attachments", [])
            names = [f"{a.get('filename') or glyph('none')} ({a.get('content_type', '')}, {max(a.get('size', 0) // 1024, 1)} KB)"
                     for a in files]
            yield Static(f"{t('screen.inbox.msg.attachments')}: " + (", ".join(names) or t("screen.inbox.msg.none")),
                         id="message-attachments", classes="message-header", markup=False)
            yield Static(str(self.message.get("text", "")).strip() or t("screen.inbox.msg.no_text"),
                         id="message-text", markup=False)
