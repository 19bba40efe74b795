"""One message of the simulator's Inbox: its headers, its text and its attachments (Enter on a row)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
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
            label = f"{t('screen.inbox.msg.attachments')}:"
            if not files:
                yield Static(f"{label} {t('screen.inbox.msg.none')}", id="message-attachments",
                             classes="message-header", markup=False)
            else:
                with Vertical(id="message-attachments"):
                    yield Static(label, classes="message-header", markup=False)
                    for attachment in files:
                        # The size beside the name, in its own column: "1 KB" never breaks across lines.
                        with Horizontal(classes="attachment-row"):
                            name = attachment.get("filename") or glyph("none")
                            yield Static(f"{name} ({attachment.get('content_type', '')})", classes="attachment-name",
                                         markup=False)
                            yield Static(f"{max(attachment.get('size', 0) // 1024, 1)} KB", classes="attachment-size",
                                         markup=False)
            yield Static(str(self.message.get("text", "")).strip() or t("screen.inbox.msg.no_text"),
                         id="message-text", markup=False)
