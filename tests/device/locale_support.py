"""The device package's locale keys (tests/device/locale_keys.toml) as a translator for tests."""
from __future__ import annotations

import tomllib
from pathlib import Path

KEYS_FILE = Path(__file__).with_name("locale_keys.toml")

# Keys the device package uses that the UI's locale files define.
BORROWED = {
    "en": {"value.enable": "Enable", "value.disable": "Disable", "value.not_set": "Not set"},
    "ro": {"value.enable": "Activare", "value.disable": "Dezactivare", "value.not_set": "Nesetat"},
}


def catalog(lang: str) -> dict[str, str]:
    with KEYS_FILE.open("rb") as handle:
        return {**tomllib.load(handle)[lang], **BORROWED[lang]}


def translator(lang: str):
    texts = catalog(lang)

    def t(key: str) -> str:
        return texts[key]  # KeyError: the device emitted a key nobody defined

    return t
