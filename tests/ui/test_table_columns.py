"""Tables keep their key columns on screen: Job Status's error code, the Inbox's sender."""
from __future__ import annotations

import re

import pytest
from textual.widgets import DataTable

from panel_tui.ui.catalog import RECIPES as PANEL_RECIPES
from panel_tui.ui.catalog import all_recipes
from panel_tui.ui.inbox import InboxScreen
from panel_tui.ui.message_view import MessageScreen
from panel_tui.ui.sim_catalog import RECIPES as SIM_RECIPES
from tests.helpers.screen import screen_text

JOB_STATUS = next(r for r in PANEL_RECIPES if r.name == "job_status")
INBOX = next(r for r in SIM_RECIPES if r.name == "inbox")


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_job_status_code_column_is_whole_at_80x24(make_app, lang):
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await JOB_STATUS.run(pilot)
        text = screen_text(pilot.app)
        for code in ("360", "361", "370"):
            assert code in text, text
        header = pilot.app.t("screen.jobs.col_code")
        assert header in text, text


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_inbox_sender_is_visible(make_e2e_app, size):
    app = make_e2e_app("en")
    async with app.run_test(size=size) as pilot:
        await INBOX.run(pilot)
        text = screen_text(pilot.app)
        assert "From" in text, text
        assert "printer@contoso.onmicrosoft.com" in text, text


async def test_inbox_fills_the_message_table_once_per_load(make_e2e_app, monkeypatch):
    """Highlighting the mailbox already listed does not clear and refill the table: a refill
    under way when the picture is taken shows columns sized for no rows (the sender cut)."""
    fills: list[str] = []
    show = InboxScreen._show_messages

    def counting(screen, address):
        fills.append(address)
        return show(screen, address)

    monkeypatch.setattr(InboxScreen, "_show_messages", counting)
    app = make_e2e_app("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await INBOX.run(pilot)
        assert len(fills) == 1, fills
        await pilot.press("r")  # reload: one more fill, of the same mailbox
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert fills == [fills[0]] * 2, fills
        # Two mailboxes: moving the cursor to the other lists its messages.
        screen = pilot.app.screen
        screen._boxes = dict(screen._boxes, **{"zoe@contoso.onmicrosoft.com": [
            {"date": "", "from": "someone@fabrikam.example", "subject": "Hello", "attachments": []}]})
        screen._show_boxes()
        screen.query_one("#mailboxes").focus()
        await pilot.pause()
        await pilot.press("down")
        assert fills[-1] == "zoe@contoso.onmicrosoft.com", fills
        assert "someone@fabrikam.example" in screen_text(pilot.app)


async def test_inbox_columns_fit_the_messages_when_a_frame_is_painted_before_the_table_settles(make_e2e_app):
    """A busy machine paints the table between listing a mailbox and the table's next idle. The
    columns drawn then must already fit the messages, and stay so: they were drawn sized to their
    headers (the sender cut to "prin") until something else repainted the table."""
    app = make_e2e_app("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await INBOX.run(pilot)
        screen = pilot.app.screen
        table = screen.query_one("#messages", DataTable)
        # A sender longer than any listed before (the table keeps measured widths across lists).
        screen._boxes = {"zoe@contoso.onmicrosoft.com": [
            {"date": "", "from": "a.much.longer.sender@fabrikam.example", "subject": "Hello", "attachments": []}]}
        screen._show_messages("zoe@contoso.onmicrosoft.com")
        painted = [table.render_line(y).text for y in range(table.size.height)]  # before any idle
        assert any("a.much.longer.sender@fabrikam.example" in line for line in painted), painted
        await pilot.pause()
        assert "a.much.longer.sender@fabrikam.example" in screen_text(pilot.app)


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_inbox_at_80x24_shows_the_subject_and_enter_opens_the_message(make_e2e_app, lang):
    app = make_e2e_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await INBOX.run(pilot)
        t = pilot.app.t
        subject = "Scanned document" if lang == "en" else "Document scanat"
        text = screen_text(pilot.app)
        assert t("screen.inbox.col_subject") in text and subject in text, text
        pilot.app.screen.query_one("#messages").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, MessageScreen)
        shown = screen_text(pilot.app)
        for words in (f"{t('screen.inbox.msg.from')}: ", "printer@contoso.onmicrosoft.com",
                      f"{t('screen.inbox.msg.to')}: megan@contoso.onmicrosoft.com",
                      f"{t('screen.inbox.msg.subject')}: {subject}",
                      f"{t('screen.inbox.msg.attachments')}: ", ".pdf", "application/pdf"):
            assert words in shown, (words, shown)
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, MessageScreen)


@pytest.mark.parametrize("lang", ["en", "ro"])
@pytest.mark.parametrize("lesson", [False, True])
async def test_the_message_view_keeps_an_attachments_size_whole_at_80x24(make_e2e_app, lang, lesson):
    """The size of an attachment ("1 KB") is one value: never "1" at a line's end and "KB" on the next."""
    recipe = next(r for r in all_recipes() if r.name == "inbox_message")
    app = make_e2e_app(lang)
    app.lesson_visible = lesson
    async with app.run_test(size=(80, 24)) as pilot:
        await recipe.run(pilot)
        assert isinstance(pilot.app.screen, MessageScreen)
        shown = screen_text(pilot.app)
        assert re.search(r"\b\d+ KB\b", shown), shown  # whole, on one line
