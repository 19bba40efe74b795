"""Web Config: the printer's web pages as a full-screen "browser page" inside the app.

An address bar with the printer's address and the administrator login, the tabs of the
real page, a left-hand menu per tab, and the page itself. Pending edits live in the page
widgets, so closing the browser (Esc) or leaving a page loses them, as in a real browser.
"""
from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from panel_tui.mail.auth import EMAIL_SERVER_ROLE, FAX_EMAIL_SERVER_ROLE
from panel_tui.ui.app_base import panel_app
from panel_tui.ui.dialogs import AdminLoginScreen
from panel_tui.ui.frame import SCREENS_CSS
from panel_tui.ui.glyphs import glyph
from panel_tui.ui.marked_widgets import MarkedOptionList
from panel_tui.ui.webconfig.ca_certificate_page import CaCertificatePage
from panel_tui.ui.webconfig.email_server_form import EmailServerForm
from panel_tui.ui.webconfig.mail_checks import MailChecks
from panel_tui.ui.webconfig.notice_pages import InertPage, LoginRequiredPage
from panel_tui.ui.webconfig.serverless_page import ServerlessPage
from panel_tui.ui.webconfig.site_map import START_PAGE, TABS, TABS_BY_ID, WebPage, WebTab, find_page
from panel_tui.ui.webconfig.tab_bar import WebTabBar

# What each emulated page shows (WebPage.page names one of these).
PAGE_WIDGETS: dict[str, Callable[[], list[Widget]]] = {
    "email_server": lambda: [EmailServerForm("email_server", EMAIL_SERVER_ROLE, id="email-server-form"),
                             MailChecks(id="mail-checks")],
    "fax_email_server": lambda: [EmailServerForm("fax_email_server", FAX_EMAIL_SERVER_ROLE, id="fax-server-form")],
    "ca_certificate": lambda: [CaCertificatePage(id="ca-certificate-page")],
    "print_admin_serverless": lambda: [ServerlessPage(id="serverless-page")],
}


class WebConfigScreen(Screen):
    """Opens at Network > Email Server > Basic (the guide's step 3), or at `page_id`."""

    CSS_PATH = [SCREENS_CSS, "webconfig.tcss"]
    BINDINGS = [
        Binding("escape", "close_browser", "Close browser", id="webconfig.close"),
        Binding("ctrl+w", "close_browser", "Close browser", show=False),
        Binding("l,L,f9", "admin_login", "Administrator login", id="webconfig.admin_login"),
        # The panel's hardware keys (Home, Stop, Job/Status) do not reach a browser page.
        Binding("h,s,j,H,S,J,f2,f3,f4", "ignore_panel_key", show=False),
        # ← → choose a tab from the address bar too (its Administrator Login button).
        Binding("left", "tab_from_address(-1)", show=False),
        Binding("right", "tab_from_address(1)", show=False),
    ]

    def action_tab_from_address(self, step: int) -> None:
        if self.focused is not None and self.focused.id == "wc-admin":
            self.query_one(WebTabBar).action_move(step)

    def __init__(self, page_id: str | None = None) -> None:
        super().__init__()
        tab, page = find_page(page_id or START_PAGE[1])
        self.tab: WebTab = tab
        self.page: WebPage | None = page
        self._shown_gated = False

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="wc-addressbar"):
            yield Static("", id="wc-address", markup=False)
            yield Static("", id="wc-site-name", markup=False)
            yield Button("", id="wc-admin", compact=True)
        yield WebTabBar(TABS, self.tab.id, id="wc-tabs")
        with Horizontal(id="wc-body"):
            yield MarkedOptionList(id="wc-nav")
            yield VerticalScroll(id="wc-page")
        yield Static(panel_app(self).t("webconfig.footer"), id="wc-footer", markup=False)

    async def on_mount(self) -> None:
        app = panel_app(self)
        # What it shows: the printer's address and name, the login, the words; the page's own
        # sections follow the settings and the language themselves.
        app.settings_changed_signal.subscribe(self, self._printer_changed)
        app.admin_changed_signal.subscribe(self, self._printer_changed)
        app.language_changed_signal.subscribe(self, self._relabel)
        self.show_address_bar()
        await self._load(self.tab, self.page)

    def show_address_bar(self) -> None:
        """The address bar: address, printer name, login state."""
        app = panel_app(self)
        settings = app.printer.settings
        self.query_one("#wc-address", Static).update(f"{glyph('back')} {glyph('forward')} {glyph('reload')}  https://{settings.ip_address}/")
        self.query_one("#wc-site-name", Static).update(settings.printer_name)
        logged_in = app.printer.admin.logged_in
        self.query_one("#wc-admin", Button).label = app.t(
            "webconfig.admin_logout" if logged_in else "webconfig.admin_login")
        # L logs in or out: the footer offers what it does now.
        self.query_one("#wc-footer", Static).update(
            app.t("webconfig.footer_logged_in" if logged_in else "webconfig.footer"))

    def _gated(self, page: WebPage | None) -> bool:
        """The page asks for the administrator instead of showing its settings."""
        return page is not None and page.page is not None and page.admin_only and \
            panel_app(self).printer.admin.requires_login

    async def _printer_changed(self, _change: object) -> None:
        self.show_address_bar()
        if self._gated(self.page) != self._shown_gated:
            # Login, logout or Lock Setting: the page shows or hides its settings, as a browser reload would.
            await self._load(self.tab, self.page)

    def _relabel(self, _language: str) -> None:
        self.show_address_bar()
        self.query_one(WebTabBar).refresh(layout=True)
        self._show_nav(self.tab, self.page)
        for heading in self.query(".wc-heading").results(Static):
            heading.update(self._heading(self.tab, self.page))

    # -- navigation ------------------------------------------------------------------
    def show_page(self, page_id: str) -> None:
        """Go to `page_id` (links, the left-hand menu); the current page's pending edits are lost."""
        tab, page = find_page(page_id)
        self.call_next(self._load, tab, page)

    def show_tab(self, tab_id: str) -> None:
        tab = TABS_BY_ID[tab_id]
        self.call_next(self._load, tab, next((p for p in tab.pages if p.page), tab.pages[0] if tab.pages else None))

    def _nav_options(self, tab: WebTab) -> list[Option]:
        t = panel_app(self).t
        options: list[Option] = []
        group = None
        for page in tab.pages:
            if page.group_key and page.group_key != group:
                options.append(Option(t(page.group_key), disabled=True))
            group = page.group_key
            options.append(Option(("  " if group else "") + t(page.label_key), id=page.id))
        return options

    def _heading(self, tab: WebTab, page: WebPage | None) -> str:
        t = panel_app(self).t
        if page is None:
            return t(tab.label_key)
        parts = [t(page.group_key)] if page.group_key else []
        return " > ".join([*parts, t(page.label_key)])

    def _widgets_for(self, page: WebPage | None) -> list[Widget]:
        if page is None or page.page is None:
            return [InertPage()]
        if self._gated(page):
            return [LoginRequiredPage()]
        return PAGE_WIDGETS[page.page]()

    def _show_nav(self, tab: WebTab, page: WebPage | None) -> None:
        nav = self.query_one("#wc-nav", OptionList)
        nav.display = bool(tab.pages)
        with self.prevent(OptionList.OptionHighlighted):
            nav.set_options(self._nav_options(tab))
            if page is not None:
                nav.highlighted = nav.get_option_index(page.id)

    async def _load(self, tab: WebTab, page: WebPage | None) -> None:
        self.tab, self.page = tab, page
        self._shown_gated = self._gated(page)
        self.query_one(WebTabBar).active = tab.id
        self._show_nav(tab, page)
        area = self.query_one("#wc-page", VerticalScroll)
        await area.remove_children()
        await area.mount_all([Static(self._heading(tab, page), classes="wc-heading", markup=False),
                              *self._widgets_for(page)])
        area.scroll_home(animate=False)

    def on_web_tab_bar_activated(self, event: WebTabBar.Activated) -> None:
        self.show_tab(event.tab_id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.show_page(event.option.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "wc-admin":
            event.stop()
            self.action_admin_login()

    # -- actions ---------------------------------------------------------------------
    def action_show_page(self, page_id: str) -> None:
        """A link on the page (LinkButton action)."""
        self.show_page(page_id)

    def action_close_browser(self) -> None:
        self.dismiss()

    def action_ignore_panel_key(self) -> None:
        pass

    def action_admin_login(self) -> None:
        """Administrator Login / Logout, as at the top of the real page."""
        app = panel_app(self)
        if app.printer.admin.logged_in:
            app.printer.admin.logout()  # the page hears it (admin signal) and hides its settings
            app.notify(app.t("screen.admin.logged_out"))
        else:
            app.push_screen(AdminLoginScreen())
