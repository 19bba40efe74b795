"""A seat's panel is the ordinary panel with a small seat label in its status bar; any other
profile's status bar has none."""
from __future__ import annotations

from panel_tui.assembly import build_app
from panel_tui.backend import BackendOptions
from panel_tui.classroom.roster import mark_seat
from panel_tui.device.paths import resolve_paths


async def _status_text(profile: str, fixed_clock) -> str:
    app = build_app(profile=profile, lang="en", clock=fixed_clock, start_backend=False,
                    options=BackendOptions(live=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = str(app.screen.query_one("#status-bar").render())
    app.backend.stop()
    return text


async def test_a_seats_panel_shows_its_seat(fixed_clock):
    mark_seat(resolve_paths("seat07"), "seat07")
    seat = await _status_text("seat07", fixed_clock)
    assert "seat07" in seat and "EPSON" in seat
    other = await _status_text("default", fixed_clock)
    assert "seat" not in other
    # the clock keeps its place at the right end
    assert seat.rstrip().endswith(other.rstrip()[-16:])
