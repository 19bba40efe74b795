"""The panel_tui App: screens, bindings, theme and navigation; nothing else."""
from __future__ import annotations

import asyncio
import gc

from textual.app import App
from textual.binding import Binding
from textual.widget import Widget

from panel_tui.device.status_sheet import render_status_sheet, write_status_sheet
from panel_tui.device.trainer_state import trainer_state
from panel_tui.menus import MenuNode
from panel_tui.ui.app_base import PanelAppBase
from panel_tui.ui.home import HomeScreen

# Only Home is imported eagerly: the first frame must not wait for the other screens'
# widgets (DataTable, Input ...). The rest are imported when first opened.


def _lazy(path: str):
    """`module:Class` imported on first use."""
    module_name, _, class_name = path.partition(":")

    def load():
        import importlib

        return getattr(importlib.import_module(module_name), class_name)

    return load


def _import_menu_screens() -> None:
    import panel_tui.ui.dialogs  # noqa: F401
    import panel_tui.ui.menu_screen  # noqa: F401 - ListView, setting bindings


# Screen names the menu file may use, and the actions it may call (validated at load).
SCREENS = {
    "job_status": _lazy("panel_tui.ui.jobs:JobStatusScreen"),
    "email_server_status": _lazy("panel_tui.ui.status_screens:EmailServerStatusScreen"),
    "wired_lan_status": _lazy("panel_tui.ui.status_screens:WiredLanStatusScreen"),
    "help": _lazy("panel_tui.ui.help_screen:HelpScreen"),
    "to_my_email": _lazy("panel_tui.ui.to_my_email:ToMyEmailScreen"),
}
# Screens that take the node they were opened from (sending functions of the Home screen).
SEND_SCREENS = {"scan_to_email", "fax_email"}
# Screens of the real printer that are outside this emulation (always `emulated = false`).
NOT_EMULATED_SCREENS = {
    "print", "copy", "supply_status", "supply_settings",
    "printer_settings", "scan_settings", "wifi_setup", "scan_to_folder", "scan_to_computer",
    "scan_to_cloud", "fax_line",
}
ACTIONS = {"print_status_sheet", "change_admin_password", "restore_defaults", "admin_logout", "connection_check"}


class PanelApp(PanelAppBase):
    """The emulated control panel of an Epson business printer."""

    CSS_PATH = "app.tcss"
    prebuild_menus: bool | None = None
    """Build the menu screens in idle time after the first frame (None: on a real terminal only)."""
    TITLE = "panel_tui"
    COMMANDS = App.COMMANDS | {_lazy("panel_tui.ui.commands:GoToProvider")}
    BINDINGS = [
        # Letters act outside text fields (upper case too, as the README writes them); the
        # F-key beside each one works everywhere, inside a text field as well.
        Binding("h,H,f2", "home", "Home", id="home", tooltip="Go to the Home screen"),
        Binding("escape,backspace", "back", "Back", id="back", tooltip="Back one screen"),
        Binding("s,S,f4", "stop", "Stop", id="stop", tooltip="Stop the running job"),
        Binding("j,J,f3", "job_status", "Job/Status", id="job_status", tooltip="Open Job Status"),
        Binding("question_mark,f1", "help", "Help", id="help", tooltip="What the keys do"),
        Binding("l,L,f9", "admin_login", "Log in/out", id="admin_login", tooltip="Administrator login or logout"),
        Binding("w,W,f5", "webconfig", "Web Config", id="webconfig", tooltip="Open Web Config in the 'browser'"),
        Binding("i,I,f6", "inbox", "Inbox", id="inbox", tooltip="Simulator mailboxes (trainer)"),
        Binding("g,G,f7", "toggle_lesson", "Lesson", id="lesson", tooltip="Show or hide the guided lesson"),
        Binding("t,T,f8", "trainer", "Trainer", id="trainer",
                tooltip="Trainer console: simulated clock, faults, scenarios"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    # -- lifecycle -----------------------------------------------------------
    def get_default_screen(self) -> HomeScreen:
        """Home is the base of the screen stack: no blank screen is built and styled under it
        before the first frame, and Home or Back stop at it."""
        return HomeScreen()

    def on_mount(self) -> None:
        self.menus_ready = asyncio.Event()
        """Set once the menu screens' code is loaded and, on a terminal, the menu screens are built."""
        self.call_after_refresh(self._after_first_frame)
        if self.backend is not None and self.start_backend:
            # After the first frame: the simulator starts in its own thread.
            self.call_after_refresh(self.backend.start)

    def _after_first_frame(self) -> None:
        paused = not gc.isenabled()
        if paused:  # paused by `assembly.run_panel` for the start: what it built stays
            gc.freeze()
            gc.enable()
        self.run_worker(self._prepare_menus(freeze=paused), group="prebuild", exit_on_error=False)
        self._open_scenario_page()

    def _open_scenario_page(self) -> None:
        """A scenario that left edits on Web Config's page (OK not clicked) starts on that page."""
        if trainer_state(self.printer.paths).get("webconfig_pending"):
            self.action_webconfig()

    async def _prepare_menus(self, freeze: bool) -> None:
        try:
            # While the user reads Home: the menu screens' code, so the first Enter does not wait for it,
            await asyncio.to_thread(_import_menu_screens)
            # then, on a terminal, the menu screens themselves (Pilot tests build them on first use).
            if self.prebuild_menus if self.prebuild_menus is not None else not self.is_headless:
                await self.prebuild_menu_screens()
                if freeze:  # kept for the whole run like what start-up built: full collections skip them
                    gc.freeze()
        finally:
            self.menus_ready.set()

    async def prebuild_menu_screens(self) -> None:
        """Build every menu screen not built yet, nearest to Home first, one at a time in idle time.

        Each is pushed and popped at once (no frame shows it): Textual composes, styles and lays it
        out as a kept screen, so its first visit does none of that. The screen under it repaints
        once, unchanged.
        """
        queue = [self.menu_tree[tile] for tile in self.menu_tree.tiles]
        while queue:
            node = queue.pop(0)
            if node.kind != "submenu" or not node.emulated:
                continue
            queue.extend(self.menu_tree.children(node.id))
            name = self._install_menu_screen(node.id)
            if self.get_screen(name).is_running:
                continue
            with self.batch_update():
                mounted = self.push_screen(name)
                self.pop_screen()
            await mounted
            idle = asyncio.Event()  # the next one after the screen under it has repainted
            self.call_after_refresh(idle.set)
            await idle.wait()
            # Its widgets' lines drawn too (Textual keeps them until they change): its first frame
            # is put together from them, as a return's is.
            for widget in self.get_screen(name).walk_children(Widget):
                if widget.display and widget.region:
                    widget.render_lines(widget.region.reset_offset)

    def _install_menu_screen(self, node_id: str) -> str:
        """The name of the kept menu screen of `node_id`, installed (not built) if new."""
        from panel_tui.ui.menu_screen import MenuScreen

        name = f"menu:{node_id}"
        if not self.is_screen_installed(name):
            self.install_screen(MenuScreen(node_id), name)
        return name

    def on_unmount(self) -> None:
        if self.backend is not None:
            self.backend.stop()

    # -- navigation ----------------------------------------------------------
    def open_node(self, node_id: str) -> None:
        from panel_tui.ui.dialogs import AdminLoginScreen, NoticeScreen
        from panel_tui.ui.setting_edit import ChoiceScreen, TextEditScreen

        node = self.menu_tree[node_id]
        if self.is_locked(node):
            self.push_screen(AdminLoginScreen(), lambda ok: self._open_after_login(ok, node_id))
            return
        if node.admin_only:
            self.printer.admin.touch()
        if not node.emulated:
            self.push_screen(
                NoticeScreen(self.t("screen.not_emulated_title"),
                             self.t("screen.not_emulated_body", name=self.t(node.label)))
            )
        elif node.kind == "submenu":
            # Menu screens are kept once built: going back and forth stays fast.
            self.push_screen(self._install_menu_screen(node.id))
        elif node.kind == "screen" and node.screen in SEND_SCREENS:
            from panel_tui.ui.send_screen import SendScreen

            self.push_screen(SendScreen(node.screen, node.id))
        elif node.kind == "screen":
            self.push_screen(SCREENS[str(node.screen)]()())
        elif node.kind == "choice":
            self.push_screen(ChoiceScreen(node))
        elif node.kind == "text":
            self.push_screen(TextEditScreen(node))
        elif node.kind == "action":
            getattr(self, f"run_{node.action}")(node)

    def go_to_node(self, node_id: str) -> None:
        """Open `node_id` as if walked to from Home (each parent menu is pushed first)."""
        self.action_home()
        for node in self.menu_tree.path(node_id):
            if self.is_locked(node) and node.id != node_id:
                self.open_node(node.id)  # asks for the password; stops the walk there
                return
            self.open_node(node.id)

    def _open_after_login(self, ok: bool | None, node_id: str) -> None:
        if ok:
            self.open_node(node_id)

    def action_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_back(self) -> None:  # type: ignore[override]  # the panel's Back key, not browser-style back
        if len(self.screen_stack) > 1:
            self.pop_screen()

    def action_stop(self) -> None:
        """Stop: cancel the running mail job (it stays in the job log as interrupted)."""
        if not self.running_jobs:
            self.notify(self.t("screen.stop.nothing"))
            return
        self.workers.cancel_group(self, "mail-jobs")
        self.notify(self.t("screen.stop.stopped"))

    def action_job_status(self) -> None:
        from panel_tui.ui.jobs import JobStatusScreen

        if not isinstance(self.screen, JobStatusScreen):
            self.push_screen(JobStatusScreen())

    def action_help(self) -> None:
        from panel_tui.ui.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_trainer(self) -> None:
        """The trainer's console (simulator clock, faults, tenant, scenarios): not part of the printer."""
        from panel_tui.ui.trainer import TrainerScreen

        if self.backend is not None and not isinstance(self.screen, TrainerScreen):
            self.push_screen(TrainerScreen())

    def action_toggle_lesson(self) -> None:
        """The guided lesson beside the panel (ticks come from real state only)."""
        self.lesson_visible = not self.lesson_visible

    def action_webconfig(self) -> None:
        """Web Config, as a browser at the printer's address would show it."""
        from panel_tui.ui.webconfig import WebConfigScreen

        if not isinstance(self.screen, WebConfigScreen):
            self.push_screen(WebConfigScreen())

    def action_inbox(self) -> None:
        """The simulator's mailboxes, so a trainer can show the message arriving."""
        from panel_tui.ui.inbox import InboxScreen

        if self.backend is not None and not self.backend.options.live and not isinstance(self.screen, InboxScreen):
            self.push_screen(InboxScreen())

    def action_admin_login(self) -> None:
        from panel_tui.ui.dialogs import AdminLoginScreen

        admin = self.printer.admin
        if admin.logged_in:
            self.run_admin_logout(None)
        else:
            self.push_screen(AdminLoginScreen())

    # -- actions named in menus/panel.toml -----------------------------------
    def run_admin_logout(self, node: MenuNode | None) -> None:
        if self.printer.admin.logged_in:
            self.printer.admin.logout()
            self.notify(self.t("screen.admin.logged_out"))
        else:
            self.notify(self.t("screen.admin.not_logged_in"))

    def run_connection_check(self, node: MenuNode | None) -> None:
        """Network Settings > Advanced > Email Server > Connection Check."""
        from panel_tui.ui.mail_jobs import start_mail_job

        async def job():
            jobs = await self.mail_jobs()
            return await jobs.connection_check()

        start_mail_job(self, job)

    def run_change_admin_password(self, node: MenuNode) -> None:
        from panel_tui.ui.admin_password import ChangeAdminPasswordScreen

        self.push_screen(ChangeAdminPasswordScreen())

    def run_restore_defaults(self, node: MenuNode) -> None:
        from panel_tui.ui.dialogs import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.printer.restore_defaults()
                self.action_home()
                self.notify(self.t("screen.restore.done"))

        self.push_screen(ConfirmScreen(self.t("screen.restore.title"), self.t("screen.restore.body")), answered)

    def run_print_status_sheet(self, node: MenuNode) -> None:
        def answered(yes: bool | None) -> None:
            if not yes:
                return
            from panel_tui.ui.status_screens import StatusSheetScreen

            now = self.clock.now()
            settings, signin = self.printer.settings, self.printer.signin_info()
            text = render_status_sheet(settings, signin, self.t, now)
            path = write_status_sheet(self.printer.paths, text, now)
            # On screen the same sheet is laid out for the paper view's width (rows wrap, nothing is cut).
            self.push_screen(StatusSheetScreen(text, path, lambda width: render_status_sheet(
                settings, signin, self.t, now, width=width)))
            self.notify(self.t("screen.sheet.printed", path=path.name))

        from panel_tui.ui.dialogs import ConfirmScreen

        self.push_screen(
            ConfirmScreen(self.t("screen.sheet.confirm_title"), self.t("screen.sheet.confirm_body"),
                          yes_key="key.print", no_key="key.cancel", harmless=True),
            answered,
        )
