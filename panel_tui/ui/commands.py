"""Command palette (Ctrl+P): "go to" any menu item by its breadcrumb, in the current language."""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from panel_tui.i18n import LANGUAGES
from panel_tui.menus import MenuNode
from panel_tui.ui.app_base import PanelAppBase, panel_app
from panel_tui.ui.menu_screen import node_value


def node_help(app: PanelAppBase, node: MenuNode) -> str:
    """The palette's line under a menu item: a setting's value, a submenu's items, else what it is."""
    t = app.t
    if not node.emulated:
        return t("command.not_emulated")
    value = node_value(app, node)
    if value:
        return t("command.value", value=value)
    if node.children:
        names = ", ".join(t(child.label) for child in app.menu_tree.children(node.id))
        return t("command.submenu", items=names if len(names) <= 70 else names[:69] + "…")
    place = " > ".join(t(n.label) for n in app.menu_tree.path(node.id)[:-1]) or t("key.home")
    return t("command.action" if node.kind == "action" else "command.screen", place=place)


class GoToProvider(Provider):
    """Every menu node and panel key as a palette command."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = panel_app(self)
        t = app.t
        tree = app.menu_tree
        commands: list[tuple[str, Callable[[], object], str]] = []
        for node_id in tree.nodes:
            path = tree.path(node_id)
            title = " > ".join(t(n.label) for n in path)
            commands.append((title, partial(app.go_to_node, node_id), node_help(app, tree[node_id])))
        # The App's own actions, as its keys run them.
        commands.append((t("key.job_status"), partial(app.run_action, "job_status"), t("key.job_status")))
        commands.append((t("key.help"), partial(app.run_action, "help"), t("key.help")))
        commands.append((t("key.webconfig"), partial(app.run_action, "webconfig"),
                         t("app.webconfig_address", ip=app.printer.settings.ip_address)))
        commands.append((t("key.inbox"), partial(app.run_action, "inbox"), t("screen.inbox.title")))
        commands.append((t("key.trainer"), partial(app.run_action, "trainer"), t("trainer.title")))
        for code in LANGUAGES:
            label = f"{t('menu.language')}: {t(f'value.language.{code}')}"
            commands.append((label, partial(app.set_language, code), t("menu.language")))
        return commands

    async def discover(self) -> Hits:
        for title, callback, help_text in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
