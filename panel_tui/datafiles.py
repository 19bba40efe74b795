"""Locate the data folders (`menus/`, `locales/`, `scenarios/`) in a checkout or an installed wheel
(which carries them under `panel_tui/data/`)."""
from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder `name`: inside the package when installed, else at the checkout root."""
    shipped = _PACKAGE_DIR / "data" / name
    if shipped.is_dir():
        return shipped
    return _PACKAGE_DIR.parent / name
