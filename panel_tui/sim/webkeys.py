"""Typed keys for what the aiohttp application carries, and the type of a posted form."""
from __future__ import annotations

from aiohttp import web
from multidict import MultiDictProxy

from panel_tui.sim.context import SimContext

CONTEXT = web.AppKey("sim_context", SimContext)

# What ``await request.post()`` gives: a form's fields (a file upload would be a FileField).
Form = MultiDictProxy[str | bytes | bytearray | web.FileField]
