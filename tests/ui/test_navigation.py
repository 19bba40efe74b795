"""Pilot tests: what a trainer or an SSH user does with the keyboard and the mouse."""
from __future__ import annotations

import json
from datetime import timedelta

from panel_tui.ui.dialogs import AdminLoginScreen, ConfirmScreen, NoticeScreen
from panel_tui.ui.home import HomeScreen
from panel_tui.ui.jobs import JobDetailScreen, JobStatusScreen
from panel_tui.ui.menu_screen import MenuScreen
from panel_tui.ui.screen_recipe import screens_loaded
from panel_tui.ui.setting_edit import TextEditScreen
from panel_tui.ui.status_screens import EmailServerStatusScreen, StatusSheetScreen
from tests.helpers.screen import screen_text, shown_words

# the words of the panel's widgets, menu rows included
WORDS = "Static, Label, Button, MenuRow"


async def test_keyboard_walk_to_email_server_status(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        # Home tiles: Scan Fax Print Copy / Settings ...: down moves one row.
        await pilot.press("down", "enter")
        assert isinstance(app.screen, MenuScreen) and app.screen.node_id == "settings"
        await pilot.press("enter")  # General Settings
        assert app.screen.node_id == "general_settings"
        await pilot.press("down", "down", "enter")  # Network Settings
        assert app.screen.node_id == "network_settings"
        await pilot.press("enter")  # Network Status
        assert app.screen.node_id == "network_status"
        await pilot.press("down", "enter")  # Email Server Status
        assert isinstance(app.screen, EmailServerStatusScreen)
        crumbs = app.screen.query_one("#breadcrumb")
        assert " > ".join(crumbs.crumbs) == (
            "Settings > General Settings > Network Settings > Network Status > Email Server Status")
        assert str(crumbs.render()).endswith("Network Status > Email Server Status")
        await pilot.press("escape")
        assert app.screen.node_id == "network_status"
        await pilot.press("h")
        assert isinstance(app.screen, HomeScreen)


async def test_mouse_clicks_are_taps(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        def key(action):
            return {"offset": app.screen.query_one("#hardware-keys").key_offset(action)}

        await pilot.click("#tiles", offset=app.screen.query_one("#tiles").tile_offset("settings"))
        assert isinstance(app.screen, MenuScreen)
        await pilot.click("#hardware-keys", **key("home"))
        assert isinstance(app.screen, HomeScreen)
        await pilot.click("#hardware-keys", **key("job_status"))
        assert isinstance(app.screen, JobStatusScreen)
        await pilot.click("#hardware-keys", **key("back"))
        assert isinstance(app.screen, HomeScreen)


async def test_not_emulated_tile_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_node("copy")
        await pilot.pause()
        assert isinstance(app.screen, NoticeScreen)
        assert "not reproduce" in shown_words(app, WORDS)
        await pilot.press("enter")
        assert isinstance(app.screen, HomeScreen)


async def test_language_switch_changes_every_string_and_persists(make_app, panel_home):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        for node in ("settings", "general_settings", "basic_settings", "language"):
            app.open_node(node)
            await pilot.pause()
        await pilot.press("down", "enter")  # Română
        await pilot.pause()
        assert app.screen.node_id == "basic_settings"
        text = shown_words(app, WORDS)
        assert "Setări > Setări generale > Setări de bază" in text
        assert app.screen.query_one("#breadcrumb").crumbs[-1] == "Setări de bază"
        drawn = screen_text(app)
        assert "Înapoi" in drawn and "[Esc]" in drawn  # hardware keys relabelled too
        assert "Back" not in text
        # Screens below in the stack are relabelled as well.
        await pilot.press("escape")
        assert "Setări rețea" in shown_words(app, WORDS)
    saved = json.loads((panel_home / "config" / "default" / "settings.json").read_text())
    assert saved["settings"]["language"] == "ro"
    # A new run starts in Romanian from the first frame.
    app2 = make_app(lang=None)
    async with app2.run_test(size=(80, 24)):
        assert "Setări" in shown_words(app2, WORDS)


async def test_invalid_port_is_refused_with_its_rule_and_not_saved(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for node in ("settings", "general_settings", "network_settings", "advanced", "email_server",
                     "server_settings", "es_smtp_port"):
            app.open_node(node)
            await pilot.pause()
        assert isinstance(app.screen, TextEditScreen)
        await pilot.press("ctrl+a", "ctrl+k", *"70000", "enter")
        assert isinstance(app.screen, TextEditScreen)
        assert "1" in shown_words(app, WORDS) and "65535" in shown_words(app, WORDS)
        assert app.printer.settings.email_server.smtp_port == 25
        await pilot.press("ctrl+a", "ctrl+k", *"587", "enter")
        assert app.screen.node_id == "server_settings"
        assert app.printer.settings.email_server.smtp_port == 587
        assert "587" in shown_words(app, WORDS)


async def test_sender_rule_names_forbidden_character(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for node in ("settings", "general_settings", "network_settings", "advanced", "email_server",
                     "server_settings", "es_sender"):
            app.open_node(node)
            await pilot.pause()
        await pilot.press(*"a<b@c.d", "enter")
        assert isinstance(app.screen, TextEditScreen)
        assert "<" in str(app.screen.query_one("#edit-error").render())
        assert app.printer.settings.email_server.sender == ""


async def test_lock_asks_for_password_and_serial_number_opens_it(make_app):
    app = make_app()
    app.printer.update(lambda s: s.__class__(**{**s.__dict__, "lock_setting": True}))
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_node("settings")
        app.open_node("general_settings")
        await pilot.pause()
        assert "🔒" in shown_words(app, WORDS)  # status bar lock and the locked items
        app.open_node("system_administration")
        await pilot.pause()
        assert isinstance(app.screen, AdminLoginScreen)
        await pilot.press(*"wrongpass", "enter")
        assert isinstance(app.screen, AdminLoginScreen)
        assert "incorrect" in shown_words(app, WORDS)
        await pilot.press(*app.printer.settings.serial_number, "enter")
        assert isinstance(app.screen, MenuScreen) and app.screen.node_id == "system_administration"
        assert app.printer.admin.logged_in
        # The session lapses after the timeout on the printer's clock.
        app.clock.advance(timedelta(minutes=app.printer.settings.admin_timeout_minutes + 1))
        assert not app.printer.admin.logged_in
        await pilot.press("h")
        app.open_node("settings")
        app.open_node("general_settings")
        app.open_node("system_administration")
        await pilot.pause()
        assert isinstance(app.screen, AdminLoginScreen)


async def test_new_admin_password_rule_and_change(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for node in ("settings", "general_settings", "system_administration", "admin_password"):
            app.open_node(node)
            await pilot.pause()
        serial = app.printer.settings.serial_number
        await pilot.press(*serial, "enter", *"short", "enter", *"short", "enter")
        assert "8" in str(app.screen.query_one("#edit-error").render())
        assert app.printer.settings.admin_password_hash is None
        for field in ("#pw-current", "#pw-new", "#pw-confirm"):
            app.screen.query_one(field).value = ""
        app.screen.query_one("#pw-current").focus()
        await pilot.press(*serial, "enter", *"Secret-2026", "enter", *"Secret-2026", "enter")
        assert app.screen.node_id == "system_administration"
        stored = app.printer.settings.admin_password_hash
        assert stored and "Secret-2026" not in stored
        # Setting the password did not turn the lock on: a separate step.
        assert app.printer.settings.lock_setting is False


async def test_restore_defaults_asks_then_resets(make_app):
    app = make_app()
    app.printer.update(lambda s: s.__class__(**{**s.__dict__, "lock_setting": True, "date_format": "dd.mm.yyyy"}))
    async with app.run_test(size=(80, 24)) as pilot:
        app.printer.admin.login(app.printer.settings.serial_number)
        for node in ("settings", "general_settings", "system_administration", "restore_defaults"):
            app.open_node(node)
            await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # "No" has the focus: nothing happens by accident
        assert app.printer.settings.lock_setting is True
        app.open_node("restore_defaults")
        await pilot.pause()
        await pilot.press("tab", "enter")
        assert app.printer.settings.lock_setting is False
        assert app.printer.settings.date_format == "yyyy-mm-dd"
        assert isinstance(app.screen, HomeScreen)


async def test_job_detail_explains_code(make_app):
    app = make_app()
    log = app.printer.joblog
    job = log.start("scan_to_email")
    log.finish(job, "error", error_code=361)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j")
        assert isinstance(app.screen, JobStatusScreen)
        await screens_loaded(pilot)
        assert "361" in shown_words(app, WORDS) or app.screen.query_one("#jobs-table").row_count == 1
        await pilot.press("enter")
        assert isinstance(app.screen, JobDetailScreen)
        text = shown_words(app, WORDS)
        assert "361" in text
        assert "expired" in text.lower()


async def test_print_status_sheet_writes_redacted_file(make_app, panel_home):
    app = make_app()
    es = app.printer.settings.email_server.with_field("password", "Hunter2-secret").with_field(
        "account", "printer@contoso.onmicrosoft.com")
    app.printer.update(lambda s: s.__class__(**{**s.__dict__, "email_server": es}))
    async with app.run_test(size=(80, 24)) as pilot:
        for node in ("settings", "general_settings", "network_settings", "network_status", "print_status_sheet"):
            app.open_node(node)
            await pilot.pause()
        await pilot.press("enter")  # Print has the focus: a harmless action
        assert isinstance(app.screen, StatusSheetScreen)
        written = app.screen.path.read_text()
        assert "********" in written and "[redacted]" not in written
        assert "Hunter2-secret" not in written and "Hunter2-secret" not in app.screen.text
        assert app.screen.path.is_relative_to(panel_home)


async def test_command_palette_goes_to_a_menu_item(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"email server status")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EmailServerStatusScreen)
        await pilot.press("escape")
        assert app.screen.node_id == "network_status"  # walked there through the menus


async def test_profiles_are_separate_printers(make_app):
    first = make_app(profile="lab1")
    first.printer.update(lambda s: s.with_field("email_server.smtp_port", "587"))
    second = make_app(profile="lab2")
    assert second.printer.settings.email_server.smtp_port == 25
    assert make_app(profile="lab1").printer.settings.email_server.smtp_port == 587
