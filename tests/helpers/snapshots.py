"""The pictures the snapshot tests take (and the gallery must take too): every catalog's screens
in every language at 80x24, the main ones at 120x36 as well."""
from __future__ import annotations

import pytest

from panel_tui.ui.catalog import SMALL_SIZE, shots

SMALL = [pytest.param(r, lang, id=f"{r.name}-{lang}") for r, lang, size in shots() if size == SMALL_SIZE]
LARGE = [pytest.param(r, lang, id=f"{r.name}-{lang}-{size[0]}x{size[1]}") for r, lang, size in shots()
         if size != SMALL_SIZE]
