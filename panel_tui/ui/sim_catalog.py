"""Screens that exist only on real cloud state: job outcomes, the trainer console, the guided
lesson and the inbox. Each recipe drives a running simulator through the app's backend
(real device-code sign-in, real SMTP), so the picture shows what a trainer would see.

The snapshot tests run them against the test simulator; the gallery starts its own.
"""
from __future__ import annotations

import asyncio

from textual.widgets import DataTable

from panel_tui.backend import seeded_accounts
from panel_tui.ui.screen_recipe import ScreenRecipe
from panel_tui.ui.trainer import TrainerScreen


def _prepare_tenant(app, *, consent: bool = True) -> None:
    control = app.backend.control()
    control.set_security_defaults(False)
    control.set_smtp_auth_org(True)
    if consent:
        endpoints = app.backend.endpoints()
        client_id = endpoints["client_id"] if isinstance(endpoints, dict) else endpoints.client_id
        control.grant_admin_consent(client_id)


def _oauth_settings(app):
    printer = seeded_accounts()[1]
    settings = app.printer.settings.with_field("email_server.auth_method", "oauth2")
    settings = settings.with_field("email_server.email_service", "exchange_online")
    return settings.with_field("email_server.sender", printer.upn)


def _sign_in_printer(app) -> None:
    """Web Config's Sign In as the printer's mailbox, approved at the simulator's pages."""
    printer = seeded_accounts()[1]
    session = app.backend.session_for(_oauth_settings(app).email_server)
    flow = session.start_device_flow()
    app.backend.control().approve_device_code(flow.user_code, printer.upn, printer.password)
    if not session.wait_for_device_flow(flow).ok:
        raise RuntimeError("the printer's sign-in did not succeed")


async def _settle(pilot, rounds: int = 10) -> None:
    app = pilot.app
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            return


async def _scan_to_megan(pilot) -> None:
    app = pilot.app
    for node in ("scan", "scan_to_email"):
        app.open_node(node)
        await pilot.pause()
    await pilot.press(*seeded_accounts()[2].upn, "enter")
    await _settle(pilot)


def _outcome(*, sign_in: bool, mailbox_smtp_auth: bool = True):
    async def steps(pilot) -> None:
        app = pilot.app

        def setup() -> None:
            _prepare_tenant(app)
            if not mailbox_smtp_auth:
                app.backend.control().set_smtp_auth_mailbox(seeded_accounts()[1].upn, False)
            if sign_in:
                _sign_in_printer(app)
            app.printer.update(_oauth_settings(app))  # OK in Web Config

        await asyncio.to_thread(setup)
        await _scan_to_megan(pilot)

    return steps


async def _trainer(pilot) -> None:
    pilot.app.push_screen(TrainerScreen())
    await _settle(pilot)
    pilot.app.screen.fix_urls_for_snapshot()
    await pilot.pause()


async def _lesson(pilot) -> None:
    await asyncio.to_thread(_prepare_tenant, pilot.app)
    await pilot.press("g")
    await _settle(pilot)


async def _inbox(pilot) -> None:
    await _outcome(sign_in=True)(pilot)
    await pilot.press("enter", "escape", "i")
    await _settle(pilot)
    # The mailbox is read in a worker (slow on a loaded machine): the picture waits until the newest
    # message's sender is drawn, bounded by time (not by a count of pauses, which ran out on a busy
    # CI machine).
    table = pilot.app.screen.query_one("#messages", DataTable)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30.0
    while loop.time() < deadline:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if table.row_count:
            # The message cell holds the subject over the sender: the start of each of its lines drawn
            # (a table narrowed by the lesson shows a part of the column; one sized to its header, 4 letters).
            drawn = [table.render_line(y).text for y in range(table.size.height)]
            if all(any(part[:12] in line for line in drawn) for part in str(table.get_row_at(0)[1]).splitlines()):
                break
    else:  # a picture of a half-drawn inbox would pass for the real one: say so instead
        raise RuntimeError("the Inbox did not draw its newest message within 30 s")


async def _inbox_message(pilot) -> None:
    """The newest message opened from the Inbox (Enter): headers, text, attachments."""
    await _inbox(pilot)
    pilot.app.screen.query_one("#messages").focus()
    await pilot.press("enter")
    await pilot.pause()


RECIPES = (
    ScreenRecipe("outcome_not_signed_in_360", steps=_outcome(sign_in=False), needs_sim=True),
    ScreenRecipe("outcome_smtp_auth_disabled_for_mailbox", steps=_outcome(sign_in=True, mailbox_smtp_auth=False),
                 needs_sim=True),
    ScreenRecipe("outcome_sent", steps=_outcome(sign_in=True), needs_sim=True),
    ScreenRecipe("trainer_console", steps=_trainer, needs_sim=True),
    ScreenRecipe("lesson_panel", steps=_lesson, needs_sim=True, main=True),
    ScreenRecipe("inbox", steps=_inbox, needs_sim=True, main=True),
    ScreenRecipe("inbox_message", steps=_inbox_message, needs_sim=True),
)
