"""Every screen of the panel as a recipe: how to reach it from Home on real state.

The snapshot tests and the review gallery (panel_tui.gallery) walk the same lists, so a
new screen added here is covered in every language at once. `all_recipes()` is the whole
list: the panel's RECIPES plus those of every other catalog in CATALOG_MODULES (which import
ScreenRecipe from panel_tui.ui.screen_recipe, never this module).
"""
from __future__ import annotations

import asyncio
import dataclasses
import importlib
import importlib.util
from typing import TYPE_CHECKING

from textual.widgets import Button, Input

from panel_tui.backend import seeded_accounts
from panel_tui.device.errors import cause
from panel_tui.i18n import LANGUAGES
from panel_tui.ui.panel_signin import PanelSignInScreen
from panel_tui.ui.screen_recipe import ScreenRecipe
from panel_tui.ui.webconfig.catalog import FIXED_FLOW

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.ui.app_base import PanelAppBase



def _with_jobs(app: PanelAppBase) -> None:
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


def _with_basic_refusal(app: PanelAppBase) -> None:
    """A printer still on Basic authentication (SMTP-AUTH) after Microsoft's cutoff: its scan refused."""
    es = app.printer.settings.email_server.with_field("auth_method", "smtp_auth")
    es = es.with_field("account", "printer@contoso.onmicrosoft.com")
    es = es.with_field("sender", "printer@contoso.onmicrosoft.com")
    app.printer.update(dataclasses.replace(app.printer.settings, email_server=es))
    job_id = app.printer.joblog.start("scan_to_email")
    app.printer.joblog.finish(job_id, "error", error_code=312, cause=cause("basic_auth_disabled"))


def _with_email_settings(app: PanelAppBase) -> None:
    es = app.printer.settings.email_server
    es = es.with_field("auth_method", "oauth2").apply_service_defaults()
    es = es.with_field("account", "printer@contoso.onmicrosoft.com")
    es = es.with_field("sender", "printer@contoso.onmicrosoft.com")
    app.printer.update(dataclasses.replace(app.printer.settings, email_server=es))


def _with_lock(app: PanelAppBase) -> None:
    app.printer.update(dataclasses.replace(app.printer.settings, lock_setting=True))


async def _tme_signin(pilot) -> None:
    """To My Email showing a user's sign-in code: built from a fixed flow (no random code)."""
    screen = pilot.app.screen
    screen._user = "megan@contoso.onmicrosoft.com"
    screen._flow = FIXED_FLOW
    screen.refresh(recompose=True)
    await pilot.pause()


async def _tme_admin_done(pilot) -> None:
    """Back on To My Email after the administrator's consent: the message under the address."""
    screen = pilot.app.screen
    screen._message = ("screen.tme.admin_done", {})
    screen._redraw()
    await pilot.pause()


async def _tme_370(pilot) -> None:
    screen = pilot.app.screen
    screen._message = ("signin.outcome.consent_required", {})
    screen.refresh(recompose=True)
    await pilot.pause()


def _with_user_sender(app: PanelAppBase) -> None:
    """To My Email sends from each user's own address (Web Config > Print Admin Serverless)."""
    _with_email_settings(app)
    app.printer.update(app.printer.settings.with_field("serverless_sender", "user"))


async def _until(pilot, condition, what: str) -> None:
    """Wait (bounded by time: the simulator answers in a thread) until `condition()` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30.0
    while loop.time() < deadline:
        await pilot.pause()
        if condition():
            return
    raise RuntimeError(f"{what} did not appear within 30 s")


def _panel_signin(*, admin: bool, until_step: str, wrong_password: bool = False):
    """The sign-in on the panel (To My Email), walked on the simulator's pages up to `until_step`:
    a user (Megan) before the organisation's consent, or the administrator giving it."""
    async def steps(pilot) -> None:
        app = pilot.app
        admin_account, _, megan, _ = seeded_accounts()

        def tenant() -> None:  # the guide's Exchange steps; no consent for the organisation yet
            control = app.backend.control()
            control.set_security_defaults(False)
            control.set_smtp_auth_org(True)

        await asyncio.to_thread(tenant)
        account = admin_account if admin else megan

        drawn = {"account": "#ps-next", "password": "#ps-signin", "permissions": "#ps-accept", "done": "#ps-ok"}

        def at(step: str) -> bool:  # the step reached and its screen composed (its button is there)
            screen = app.screen
            return (isinstance(screen, PanelSignInScreen) and not screen._busy and screen._page == step
                    and bool(screen.query(drawn[step])))

        if admin:
            app.printer.admin.login(app.printer.settings.serial_number)  # the administrator logged in
            app.screen.query_one("#tme-admin", Button).press()
            await _until(pilot, lambda: at("account"), "the sign-in's account step")
            app.screen.query_one("#ps-account", Input).value = account.upn
        else:
            await pilot.press(*account.upn, "enter")
            await _until(pilot, lambda: at("account"), "the sign-in's account step")
        for step, value in (("account", None), ("password", account.password), ("permissions", None)):
            if until_step == step:
                break
            if step == "account":
                app.screen.query_one("#ps-next", Button).press()
            elif step == "password":
                field = app.screen.query_one("#ps-password", Input)
                field.value = "not-the-password" if wrong_password else str(value)
                app.screen.query_one("#ps-signin", Button).press()
                if wrong_password:
                    await _until(pilot, lambda: at("password") and bool(app.screen._error), "the refusal")
                    await pilot.pause()
                    return
            else:  # the guide: tick Consent on behalf of your organization, then Accept
                app.screen.query_one("#ps-consent-org").action_tick()
                await pilot.pause()
                app.screen.query_one("#ps-accept", Button).press()
            following = {"account": "password", "password": "permissions" if admin else "done",
                         "permissions": "done"}[step]
            await _until(pilot, lambda following=following: at(following), f"the sign-in's {following} step")
            if following == until_step:
                break
        await pilot.pause()

    return steps


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
                 keys=("enter",), prepare=_with_email_settings, main=True),
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
    ScreenRecipe("job_detail_basic_refused", ("job_status",), keys=("enter",), prepare=_with_basic_refusal),
    ScreenRecipe("job_detail_ok", ("job_status",), keys=("down", "down", "down", "enter"), prepare=_with_jobs),
    ScreenRecipe("not_emulated", ("copy",)),
    ScreenRecipe("scan_menu", ("scan",)),
    ScreenRecipe("scan_to_email", ("scan", "scan_to_email"), main=True),
    ScreenRecipe("scan_to_email_refused", ("scan", "scan_to_email"), keys=tuple("bob(at)x") + ("enter",)),
    ScreenRecipe("fax_email", ("fax", "fax_email")),
    ScreenRecipe("to_my_email", ("to_my_email",)),
    ScreenRecipe("to_my_email_signin", ("to_my_email",), steps=_tme_signin, main=True),
    ScreenRecipe("to_my_email_consent_required", ("to_my_email",), steps=_tme_370),
    ScreenRecipe("to_my_email_user", ("to_my_email",), prepare=_with_user_sender),
    ScreenRecipe("to_my_email_admin_done", ("to_my_email",), prepare=_with_user_sender, steps=_tme_admin_done),
    ScreenRecipe("tme_signin_account", ("to_my_email",), prepare=_with_user_sender, needs_sim=True,
                 steps=_panel_signin(admin=False, until_step="account")),
    ScreenRecipe("tme_signin_password_wrong", ("to_my_email",), prepare=_with_user_sender, needs_sim=True,
                 steps=_panel_signin(admin=False, until_step="done", wrong_password=True)),
    ScreenRecipe("tme_signin_refused", ("to_my_email",), prepare=_with_user_sender, needs_sim=True,
                 steps=_panel_signin(admin=False, until_step="done")),
    ScreenRecipe("tme_signin_permissions", ("to_my_email",), prepare=_with_user_sender, needs_sim=True,
                 steps=_panel_signin(admin=True, until_step="permissions"), main=True),
    ScreenRecipe("tme_signin_done_admin", ("to_my_email",), prepare=_with_user_sender, needs_sim=True,
                 steps=_panel_signin(admin=True, until_step="done")),
    ScreenRecipe("email_server_menu", SETTINGS_PATH + ("network_settings", "advanced", "email_server")),
    ScreenRecipe("help", keys=("question_mark",)),
)


# -- the whole list: the panel and every other catalog ---------------------------------------

LANGS = LANGUAGES
SMALL_SIZE = (80, 24)  # every screen
LARGE_SIZE = (120, 36)  # the `main` screens too

# Other screen catalogs: modules exposing RECIPES (objects with name, main and async run(pilot)).
CATALOG_MODULES = ("panel_tui.ui.webconfig.catalog", "panel_tui.ui.sim_catalog")


def catalog_recipes() -> dict[str, tuple[ScreenRecipe, ...]]:
    """Each catalog's recipes by module name, the panel's first; catalogs not written yet are absent."""
    found: dict[str, tuple[ScreenRecipe, ...]] = {__name__: RECIPES}
    for module_name in CATALOG_MODULES:
        if importlib.util.find_spec(module_name) is None:
            continue
        found[module_name] = tuple(importlib.import_module(module_name).RECIPES)
    return found


def all_recipes() -> tuple[ScreenRecipe, ...]:
    """Every screen of every catalog; names are unique across catalogs (ValueError otherwise)."""
    recipes = tuple(r for group in catalog_recipes().values() for r in group)
    seen: set[str] = set()
    for recipe in recipes:
        if recipe.name in seen:
            raise ValueError(f"two screen recipes are named {recipe.name!r}")
        seen.add(recipe.name)
    return recipes


def shots(recipes=None, langs=LANGS) -> list[tuple[ScreenRecipe, str, tuple[int, int]]]:
    """The snapshot matrix: (recipe, language, size) for every screen at SMALL_SIZE, main ones at LARGE_SIZE too."""
    recipes = all_recipes() if recipes is None else recipes
    out = [(r, lang, SMALL_SIZE) for r in recipes for lang in langs]
    out += [(r, lang, LARGE_SIZE) for r in recipes if r.main for lang in langs]
    return out
