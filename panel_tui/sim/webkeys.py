"""Typed keys for what the aiohttp application carries."""
from __future__ import annotations

from aiohttp import web

from panel_tui.sim.context import SimContext

CONTEXT = web.AppKey("sim_context", SimContext)
