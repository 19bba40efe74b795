"""The tabs and pages of Web Config, as on the real printer. Data only, no textual.

`page` names what the page area shows (see WebConfigScreen.PAGE_WIDGETS); None means the
page exists on the real printer but not in this emulation. Print Admin Serverless sits
under the "Epson Open Platform" tab, as on Epson models that have it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WebPage:
    """One entry of a tab's left-hand menu."""

    id: str
    label_key: str
    group_key: str | None = None  # the menu heading it sits under ("Email Server" > "Basic")
    page: str | None = None  # the emulated page, or None: "not part of this emulation"
    admin_only: bool = True  # settings pages need the administrator when Lock Setting is on


@dataclass(frozen=True)
class WebTab:
    id: str
    label_key: str
    pages: tuple[WebPage, ...] = ()


TABS: tuple[WebTab, ...] = (
    WebTab("status", "webconfig.tab.status", (
        WebPage("product_status", "webconfig.page.product_status", admin_only=False),
    )),
    WebTab("print", "webconfig.tab.print"),
    WebTab("scan_copy", "webconfig.tab.scan_copy"),
    WebTab("fax", "webconfig.tab.fax", (
        WebPage("fax_email_server", "webconfig.page.email_server_settings", "webconfig.group.fax_server",
                page="fax_email_server"),
    )),
    WebTab("network", "webconfig.tab.network", (
        WebPage("wifi", "webconfig.page.wifi"),
        WebPage("wired_lan", "webconfig.page.wired_lan"),
        WebPage("email_basic", "webconfig.page.basic", "webconfig.group.email_server", page="email_server"),
    )),
    WebTab("network_security", "webconfig.tab.network_security", (
        WebPage("ssl_certificate", "webconfig.page.certificate", "webconfig.group.ssl_tls"),
        WebPage("ca_certificate", "webconfig.page.ca_certificate", page="ca_certificate"),
        WebPage("root_certificate_update", "webconfig.page.root_certificate_update"),
    )),
    WebTab("product_security", "webconfig.tab.product_security"),
    WebTab("device_management", "webconfig.tab.device_management"),
    WebTab("epson_open_platform", "webconfig.tab.epson_open_platform", (
        WebPage("product_key", "webconfig.page.product_key"),
        WebPage("serverless_auth", "webconfig.page.authentication_settings", "webconfig.group.print_admin_serverless",
                page="print_admin_serverless"),
    )),
)
TABS_BY_ID = {tab.id: tab for tab in TABS}
START_PAGE = ("network", "email_basic")  # the guide's step 3: Network > Email Server > Basic


def find_page(page_id: str) -> tuple[WebTab, WebPage]:
    """The tab and entry of `page_id` (KeyError if there is none)."""
    for tab in TABS:
        for page in tab.pages:
            if page.id == page_id:
                return tab, page
    raise KeyError(f"no Web Config page {page_id!r}")
