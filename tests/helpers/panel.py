"""Driving the panel as a person does: Scan to Email, the trainer's console, Web Config and its
"Sign in with Microsoft", against the test run's simulator."""
from __future__ import annotations

import argparse
import dataclasses
import io
import re

from textual.widgets import Select

from panel_tui.mail.jobs import JobOutcome
from panel_tui.scripting import Command
from panel_tui.ui.dialogs import NoticeScreen
from panel_tui.ui.jobs import JobDetailScreen
from panel_tui.ui.send_screen import SendScreen
from panel_tui.ui.trainer import TrainerScreen
from panel_tui.ui.webconfig import WebConfigScreen
from panel_tui.ui.webconfig.signin_screen import SignInWithMicrosoftScreen
from tests.helpers.screen import dialog_text, flat, text_of, widget_words
from tests.helpers.tenant import ADMIN, ALEX, MEGAN, PRINTER

__all__ = ["ADMIN", "ALEX", "MEGAN", "PRINTER"]  # with the helpers below


def oauth_settings(app, sender=PRINTER.upn):
    settings = app.printer.settings.with_field("email_server.auth_method", "oauth2")
    settings = settings.with_field("email_server.email_service", "exchange_online")
    return settings.with_field("email_server.sender", sender)


def sign_in(app, control, account=PRINTER, settings=None):
    """Device-code sign-in of the app's backend, approved at the simulator's pages."""
    session = app.backend.session_for((settings or oauth_settings(app)).email_server)
    flow = session.start_device_flow()
    control.approve_device_code(flow.user_code, account.upn, account.password)
    return session.wait_for_device_flow(flow)


async def send_scan(app, pilot, to: str) -> NoticeScreen:
    """Scan > Email, the address typed, Enter: returns the outcome's dialog."""
    for node in ("scan", "scan_to_email"):
        app.open_node(node)
        await pilot.pause()
    assert isinstance(app.screen, SendScreen)
    await pilot.press(*to, "enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, NoticeScreen)
    return app.screen


async def settle(app, pilot) -> None:
    """Let the screen's workers finish (an action, then the state read after it)."""
    for _ in range(10):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return


async def open_trainer(app, pilot) -> TrainerScreen:
    app.push_screen(TrainerScreen())
    await settle(app, pilot)
    assert isinstance(app.screen, TrainerScreen)
    return app.screen


async def open_webconfig(app, pilot, page: str | None = None) -> WebConfigScreen:
    """Web Config as the app's `w` key opens it, optionally at another page."""
    if page is None:
        await pilot.press("w")
    else:
        app.push_screen(WebConfigScreen(page))
    await pilot.pause()
    await pilot.pause()
    assert isinstance(app.screen, WebConfigScreen)
    return app.screen


async def click(pilot, widget_or_selector) -> None:
    """Scroll the widget into view and click it, as a mouse user would."""
    app = pilot.app
    widget = app.screen.query_one(widget_or_selector) if isinstance(widget_or_selector, str) else widget_or_selector
    widget.scroll_visible(animate=False, immediate=True)
    await pilot.pause()
    await pilot.click(widget)
    await pilot.pause()


def lock_printer(app) -> None:
    """Lock Setting on; the administrator password is still the serial number."""
    app.printer.update(dataclasses.replace(app.printer.settings, lock_setting=True))


async def choose_oauth2(app, pilot, section: str = "email_server") -> None:
    app.screen.query_one(f"#{section}-auth_method", Select).value = "oauth2"
    await pilot.pause()
    app.screen.query_one(f"#{section}-email_service", Select).value = "exchange_online"
    await pilot.pause()


async def start_sign_in(app, pilot, section: str = "email_server") -> SignInWithMicrosoftScreen:
    """Sign In, then "Sign in with Microsoft": returns the modal once it shows the code."""
    await click(pilot, f"#{section}-signin")
    modal = app.screen
    assert isinstance(modal, SignInWithMicrosoftScreen)
    await click(pilot, "#signin-microsoft")
    await modal.code_request.wait()
    await pilot.pause()
    assert modal.query_one("#signin-code-step").display and modal.answer_wait is not None
    return modal


async def sign_in_as(app, pilot, control, account, section: str = "email_server",
                     **browser) -> SignInWithMicrosoftScreen:
    """The whole sign-in: the code read from the screen is entered in the 'browser'."""
    modal = await start_sign_in(app, pilot, section)
    code = text_of(app, "#signin-code")
    # The simulator's address carries the panel's language (its pages open in it).
    language = app.translator.language
    assert code == modal.flow.user_code
    assert text_of(app, "#signin-url") == f"{modal.flow.verification_uri}?lang={language}"
    assert re.search(r"1[45]:[0-5][0-9]", text_of(app, "#signin-countdown"))  # 15 minutes from the flow
    assert len(text_of(app, "#signin-qr").splitlines()) >= 15
    control.approve_device_code(code, account.upn, account.password, **browser)
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert modal.query_one("#signin-outcome-step").display
    return modal


async def failed_scan_on_every_surface(app, to: str, size=(130, 40)):
    """Send a Scan to Email that fails, then read what each surface says of it: the outcome dialog,
    Job Status's detail, the guided lesson, `panel-tui jobs show` and `send`'s report.
    Returns (the job, {surface: its words, flattened})."""
    async with app.run_test(size=size) as pilot:
        dialog = flat(dialog_text(await send_scan(app, pilot, to)))
        job = app.printer.joblog.jobs()[0]
        await pilot.press("enter", "escape", "j", "enter")
        assert isinstance(app.screen, JobDetailScreen) and app.screen.job_id == job.id
        detail = " ".join(widget_words(w) for w in app.screen.query(".job-text, .error-code"))
        await pilot.press("g")
        app.screen.query_one("#lesson").refresh_progress()
        await app.workers.wait_for_complete()
        await pilot.pause()
        lesson = widget_words(app.screen.query_one("#lesson-body"))
    out, err = io.StringIO(), io.StringIO()
    command = Command(argparse.Namespace(), app.printer, app.backend, app.translator, out, err)
    assert command._jobs_show(job.id) == 0
    command.report_outcome(JobOutcome(job))
    return job, {"dialog": dialog, "job detail": detail, "lesson": lesson,
                 "jobs show": flat(out.getvalue()), "send": flat(err.getvalue())}
