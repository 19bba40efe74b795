"""Events up, state down: screens follow changes made elsewhere without being reopened.

Another panel on the same profile is a second `Printer` on its files; a CLI command is a
real `panel-tui config set` process. The App notices their saves (settings.json polled)
and publishes them; Web Config, menus and the status bar subscribe to what they show.
"""
from __future__ import annotations

import ast
import asyncio
import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path

from textual.widgets import Input

import panel_tui
from panel_tui.device.printer import Printer
from panel_tui.ui.app_base import MailJobsChanged
from panel_tui.ui.menu_screen import MenuRow, MenuScreen
from panel_tui.ui.webconfig.email_server_form import EmailServerForm
from panel_tui.ui.webconfig.notice_pages import LoginRequiredPage
from tests.helpers.panel import lock_printer, open_webconfig
from tests.helpers.screen import screen_text, shown_words

WAIT_SECONDS = 10.0  # the App polls settings.json every half second


async def wait_until(pilot, condition, what: str) -> None:
    """Let the app run until `condition()` holds (bounded); fail saying what never happened."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"not seen within {WAIT_SECONDS:.0f} s: {what}"
        await pilot.pause(0.05)


def other_panel(app) -> Printer:
    """A second printer process's view of the same profile."""
    return Printer.open(app.printer.paths)


def field(app, name: str) -> Input:
    return app.screen.query_one(f"#email_server-{name}", Input)


async def test_open_web_config_shows_a_setting_a_cli_command_saved(make_app, panel_home):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_webconfig(app, pilot)
        assert field(app, "smtp_server").value != "smtp.example.org"
        env = {**os.environ, "PANEL_TUI_HOME": str(panel_home)}
        done = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "panel_tui", "config", "set", "smtp_server", "smtp.example.org"],
            env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr
        await wait_until(pilot, lambda: field(app, "smtp_server").value == "smtp.example.org",
                         "the server a CLI command saved")
        assert app.screen is screen  # not reopened
        assert not screen.query_one(EmailServerForm).has_pending_changes


async def test_open_web_config_keeps_its_own_edits_and_takes_the_rest_from_another_panel(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_webconfig(app, pilot)
        form = app.screen.query_one(EmailServerForm)
        field(app, "sender").value = "scanner@contoso.example"
        await pilot.pause()
        other_panel(app).update(lambda s: s.with_field("email_server.smtp_port", "587")
                                .with_field("email_server.sender", "front-desk@contoso.example"))
        await wait_until(pilot, lambda: field(app, "smtp_port").value == "587", "the port another panel saved")
        assert field(app, "sender").value == "scanner@contoso.example"  # still this page's pending edit
        assert form.pending.smtp_port == 587 and form.pending.sender == "scanner@contoso.example"
        assert form.has_pending_changes


async def test_open_web_config_relabels_when_another_panel_switches_the_language(make_app):
    app = make_app("en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_webconfig(app, pilot)
        field(app, "sender").value = "scanner@contoso.example"
        await pilot.pause()
        assert "SMTP Server Address" in shown_words(app)
        other_panel(app).update(lambda s: dataclasses.replace(s, language="ro"))
        await wait_until(pilot, lambda: "Adresă server SMTP" in shown_words(app), "the page in Romanian")
        assert app.screen is screen
        assert "SMTP Server Address" not in shown_words(app)
        assert app.t("webconfig.footer") in shown_words(app)
        assert field(app, "sender").value == "scanner@contoso.example"  # the pending edit survives


async def test_open_web_config_relabels_on_the_panels_language_switch(make_app):
    app = make_app("en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_webconfig(app, pilot)
        app.set_language("ro")  # the command palette's Language entry
        await wait_until(pilot, lambda: "Adresă server SMTP" in shown_words(app), "the page in Romanian")
        assert app.screen is screen
        await pilot.press("escape")  # and the panel below it too
        await wait_until(pilot, lambda: "Înapoi" in screen_text(app), "the panel in Romanian")  # its keys


async def test_web_config_page_opens_when_the_administrator_logs_in_elsewhere(make_app):
    app = make_app()
    lock_printer(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_webconfig(app, pilot)
        assert app.screen.query(LoginRequiredPage)
        assert app.printer.admin.login(app.printer.settings.serial_number)  # e.g. the panel's L key
        await wait_until(pilot, lambda: bool(app.screen.query(EmailServerForm)), "the settings after login")
        assert not app.screen.query(LoginRequiredPage)


async def test_menu_values_follow_a_setting_saved_elsewhere(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for node in ("settings", "general_settings", "network_settings", "advanced", "email_server",
                     "server_settings"):
            app.open_node(node)
            await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MenuScreen)
        port = screen.query_one("#item-es_smtp_port", MenuRow)
        assert port.value == "25"
        other_panel(app).update(lambda s: s.with_field("email_server.smtp_port", "587"))
        await wait_until(pilot, lambda: port.value == "587", "the port in the open menu")
        other_panel(app).update(lambda s: dataclasses.replace(s, lock_setting=True))
        await wait_until(pilot, lambda: port.locked, "the lock icon on an administrator's item")
        assert app.screen is screen


async def test_status_bar_watches_running_jobs(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one("#status-bar")
        assert app.t("app.jobs_idle") in str(bar.render())
        app.post_message(MailJobsChanged(+1))  # what a mail job's worker says when it starts
        await pilot.pause()
        assert app.running_jobs == 1
        assert app.t("app.jobs_running", count=1) in str(bar.render())
        app.post_message(MailJobsChanged(-1))
        await pilot.pause()
        assert app.t("app.jobs_idle") in str(bar.render())


async def test_status_bar_shows_the_lock_when_lock_setting_is_saved_elsewhere(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one("#status-bar")
        assert "🔒" not in str(bar.render())
        other_panel(app).update(lambda s: dataclasses.replace(s, lock_setting=True))
        await wait_until(pilot, lambda: "🔒" in str(bar.render()), "the lock icon")


def test_no_ui_module_imports_the_app():
    """ui/ reaches the App through ui.app_base (typed), never by importing panel_tui.app."""
    ui_dir = Path(panel_tui.__file__).parent / "ui"
    offenders = []
    for path in sorted(ui_dir.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""] + [f"{node.module}.{alias.name}" for alias in node.names]
            if any(name == "panel_tui.app" or name.startswith("panel_tui.app.") for name in names):
                offenders.append(f"{path.relative_to(ui_dir.parent)}:{node.lineno}")
    assert offenders == []
