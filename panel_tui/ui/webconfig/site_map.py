"""The tabs and pages of Web Config, loaded from `menus/webconfig.toml` (data, not code).

Print Admin Serverless sits under the "Epson Open Platform" tab, as on Epson models that
have it. The file is validated when first read (`panel-tui check` validates it too).
"""
from __future__ import annotations

from functools import lru_cache

from panel_tui.menus import WebPage, WebSite, WebTab, load_webconfig

__all__ = ["WebPage", "WebTab", "site", "TABS", "TABS_BY_ID", "START_PAGE", "find_page"]


@lru_cache(maxsize=1)
def site() -> WebSite:
    return load_webconfig()


TABS: tuple[WebTab, ...] = site().tabs
TABS_BY_ID = {tab.id: tab for tab in TABS}
START_PAGE = (site().find(site().start)[0].id, site().start)


def find_page(page_id: str) -> tuple[WebTab, WebPage]:
    """The tab and entry of `page_id` (KeyError if there is none)."""
    return site().find(page_id)
