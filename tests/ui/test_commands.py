"""The command palette gives each entry its own help line, not "Select" under every one."""
from __future__ import annotations

import pytest

from panel_tui.ui.commands import GoToProvider


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_palette_entries_have_their_own_help(make_app, lang):
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        provider = GoToProvider(pilot.app.screen)
        commands = provider._commands()
        helps = [help_text for _title, _callback, help_text in commands]
        assert pilot.app.t("key.select") not in helps
        assert len(set(helps)) > len(helps) * 0.6, helps
        by_title = {title.split(" > ")[-1]: help_text for title, _cb, help_text in commands}
        language = pilot.app.t("menu.language")
        assert pilot.app.t(f"value.language.{lang}") in by_title[language]  # a setting shows its value
        settings = pilot.app.t("menu.settings")
        assert pilot.app.t("menu.general_settings") in by_title[settings]  # a submenu lists its items
