"""Command palette (Ctrl+P): "go to" any menu item by its breadcrumb, in the current language."""
from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from panel_tui.i18n import LANGUAGES


class GoToProvider(Provider):
    """Every menu node and panel key as a palette command."""

    def _commands(self) -> list[tuple[str, object, str]]:
        app = self.app
        t = app.t
        tree = app.menu_tree
        commands: list[tuple[str, object, str]] = []
        for node_id, node in tree.nodes.items():
            path = tree.path(node_id)
            title = " > ".join(t(n.label) for n in path)
            commands.append((title, partial(app.go_to_node, node_id), t("key.select")))
        commands.append((t("key.job_status"), app.action_job_status, t("key.job_status")))
        commands.append((t("key.help"), app.action_help, t("key.help")))
        commands.append((t("key.webconfig"), app.action_webconfig,
                         t("app.webconfig_address", ip=app.printer.settings.ip_address)))
        commands.append((t("key.inbox"), app.action_inbox, t("screen.inbox.title")))
        commands.append((t("key.trainer"), app.action_trainer, t("trainer.title")))
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
