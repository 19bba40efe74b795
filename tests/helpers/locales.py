"""The shipped locales (locales/<lang>.toml) as plain dicts and strict translators for tests."""
from __future__ import annotations

from panel_tui.i18n import check_locales


def catalog(lang: str) -> dict[str, str]:
    catalogs, problems = check_locales()
    assert problems == [], problems
    return catalogs[lang]


def translator(lang: str):
    texts = catalog(lang)

    def t(key: str) -> str:
        return texts[key]  # KeyError: the device emitted a key nobody defined

    return t
