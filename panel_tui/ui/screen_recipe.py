"""One screen recipe: how to reach a screen from Home on real state.

Its own module so that every catalog (the panel's in panel_tui.ui.catalog, Web Config's, the
simulator's) imports it without importing the others.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.ui.app_base import PanelAppBase


@dataclass(frozen=True)
class ScreenRecipe:
    name: str
    open: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    prepare: Callable[["PanelAppBase"], None] | None = None
    main: bool = False  # also rendered at the large size
    steps: Callable[..., Awaitable[None]] | None = None  # custom path: `await steps(pilot)` after the above
    needs_sim: bool = False  # drives the simulator (the app's backend joins a running one)

    async def run(self, pilot) -> None:
        app = pilot.app
        if self.prepare is not None:
            self.prepare(app)  # the screens hear the change (the App publishes it)
        await pilot.pause()
        for node_id in self.open:
            app.open_node(node_id)
            await pilot.pause()
        for key in self.keys:
            await pilot.press(key)
        if self.steps is not None:
            await self.steps(pilot)
        await pilot.pause()
