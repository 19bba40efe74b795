"""One screen recipe: how to reach a screen from Home on real state.

Its own module so that every catalog (the panel's in panel_tui.ui.catalog, Web Config's, the
simulator's) imports it without importing the others.
"""
from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.worker import WorkerCancelled

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.ui.app_base import PanelAppBase


# The worker group of a screen that reads its content off the event loop (Job Status): a recipe
# waits for it, so the picture shows what was read.
LOAD_GROUP = "screen-load"


async def screens_loaded(pilot) -> None:
    """Wait until the current screen's read (a worker of LOAD_GROUP) is done and drawn; a screen
    that reads says so with a true `reading` attribute until its content is in."""
    app = pilot.app
    await pilot.pause()
    for _ in range(500):  # bounded: a read that never ends fails the caller's next assertion
        reads = [w for w in app.workers if w.group == LOAD_GROUP and not w.is_finished]
        if not reads and not getattr(app.screen, "reading", False):
            break
        for worker in reads:
            with contextlib.suppress(WorkerCancelled):  # replaced by a newer read (exclusive), which is waited for next
                await worker.wait()
        await pilot.pause()


@dataclass(frozen=True)
class ScreenRecipe:
    name: str
    open: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    prepare: Callable[[PanelAppBase], None] | None = None
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
        await screens_loaded(pilot)
        for key in self.keys:
            await pilot.press(key)
        if self.steps is not None:
            await self.steps(pilot)
        await screens_loaded(pilot)
