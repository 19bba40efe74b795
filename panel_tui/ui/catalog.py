"""Every screen of the panel as a recipe: how to reach it from Home on real state.

The snapshot tests walk this list (and the review gallery will), so a new screen added
here is covered in every language at once.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.app import PanelApp


@dataclass(frozen=True)
class ScreenRecipe:
    name: str
    open: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    prepare: Callable[["PanelApp"], None] | None = None
    main: bool = False  # also rendered at the large size

    async def run(self, pilot) -> None:
        app = pilot.app
        if self.prepare is not None:
            self.prepare(app)
            app.after_setting_change()
        await pilot.pause()
        for node_id in self.open:
            app.open_node(node_id)
            await pilot.pause()
        for key in self.keys:
            await pilot.press(key)
        await pilot.pause()


def _with_jobs(app: "PanelApp") -> None:
    """A job log with one success and the guide's three error codes."""
    log = app.printer.joblog
    for job_type, result, code in (
        ("test_mail", "ok", None),
        ("scan_to_email", "error", 360),
        ("connection_check", "error", 361),
        ("to_my_email", "error", 370),
    ):
        job_id = log.start(job_type)
        log.finish(job_id, result, error_code=code)


def _with_email_settings(app: "PanelApp") -> None:
    es = app.printer.settings.email_server
    es = es.with_field("auth_method", "oauth2").apply_service_defaults()
    es = es.with_field("account", "printer@contoso.onmicrosoft.com")
    es = es.with_field("sender", "printer@contoso.onmicrosoft.com")
    app.printer.update(dataclasses.replace(app.printer.settings, email_server=es))


def _with_lock(app: "PanelApp") -> None:
    app.printer.update(dataclasses.replace(app.printer.settings, lock_setting=True))


SETTINGS_PATH = ("settings", "general_settings")
NETWORK_PATH = SETTINGS_PATH + ("network_settings",)
SERVER_PATH = NETWORK_PATH + ("advanced", "email_server", "server_settings")

RECIPES: tuple[ScreenRecipe, ...] = (
    ScreenRecipe("home", main=True),
    ScreenRecipe("settings", ("settings",)),
    ScreenRecipe("general_settings", SETTINGS_PATH),
    ScreenRecipe("basic_settings", SETTINGS_PATH + ("basic_settings",)),
    ScreenRecipe("language_choice", SETTINGS_PATH + ("basic_settings", "language")),
    ScreenRecipe("date_time_settings", SETTINGS_PATH + ("basic_settings", "date_time_settings")),
    ScreenRecipe("time_difference_edit", SETTINGS_PATH + ("basic_settings", "date_time_settings", "time_difference")),
    ScreenRecipe("network_settings", NETWORK_PATH),
    ScreenRecipe("network_status", NETWORK_PATH + ("network_status",)),
    ScreenRecipe("wired_lan_status", NETWORK_PATH + ("network_status", "wired_lan_status")),
    ScreenRecipe("email_server_status", NETWORK_PATH + ("network_status", "email_server_status"),
                 prepare=_with_email_settings, main=True),
    ScreenRecipe("print_status_sheet_confirm", NETWORK_PATH + ("network_status", "print_status_sheet")),
    ScreenRecipe("status_sheet", NETWORK_PATH + ("network_status", "print_status_sheet"),
                 keys=("tab", "enter"), prepare=_with_email_settings, main=True),
    ScreenRecipe("server_settings", SERVER_PATH, prepare=_with_email_settings, main=True),
    ScreenRecipe("auth_method_choice", SERVER_PATH + ("es_auth_method",)),
    ScreenRecipe("smtp_port_refused", SERVER_PATH + ("es_smtp_port",),
                 keys=("ctrl+a", "ctrl+k", "7", "0", "0", "0", "0", "enter")),
    ScreenRecipe("sender_refused", SERVER_PATH + ("es_sender",),
                 keys=("ctrl+a", "ctrl+k", "<", "a", "@", "b", ">", "enter")),
    ScreenRecipe("system_administration", SETTINGS_PATH + ("system_administration",)),
    ScreenRecipe("admin_login", SETTINGS_PATH + ("system_administration",), prepare=_with_lock),
    ScreenRecipe("admin_login_wrong", SETTINGS_PATH + ("system_administration",),
                 keys=("x", "y", "z", "enter"), prepare=_with_lock),
    ScreenRecipe("change_admin_password", SETTINGS_PATH + ("system_administration", "admin_password")),
    ScreenRecipe("restore_defaults_confirm", SETTINGS_PATH + ("system_administration", "restore_defaults")),
    ScreenRecipe("job_status_empty", ("job_status",)),
    ScreenRecipe("job_status", ("job_status",), prepare=_with_jobs, main=True),
    ScreenRecipe("job_detail_361", ("job_status",), keys=("down", "enter"), prepare=_with_jobs),
    ScreenRecipe("job_detail_ok", ("job_status",), keys=("down", "down", "down", "enter"), prepare=_with_jobs),
    ScreenRecipe("not_emulated", ("copy",)),
    ScreenRecipe("scan_menu", ("scan",)),
    ScreenRecipe("scan_to_email", ("scan", "scan_to_email"), main=True),
    ScreenRecipe("scan_to_email_refused", ("scan", "scan_to_email"), keys=tuple("bob(at)x") + ("enter",)),
    ScreenRecipe("fax_email", ("fax", "fax_email")),
    ScreenRecipe("to_my_email", ("to_my_email",)),
    ScreenRecipe("email_server_menu", SETTINGS_PATH + ("network_settings", "advanced", "email_server")),
    ScreenRecipe("help", keys=("question_mark",)),
)
