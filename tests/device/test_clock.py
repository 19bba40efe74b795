from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from panel_tui.device.clock import SNAPSHOT_TIME, FixedClock, OffsetClock, SystemClock


def test_snapshot_time():
    assert datetime(2026, 3, 14, 9, 26, tzinfo=UTC) == SNAPSHOT_TIME


def test_fixed_clock_stands_still_and_advances():
    clock = FixedClock(SNAPSHOT_TIME)
    assert clock.now() == clock.now() == SNAPSHOT_TIME
    assert clock.advance(timedelta(hours=1)) == SNAPSHOT_TIME + timedelta(hours=1)
    assert clock.now().tzinfo is UTC


def test_fixed_clock_converts_to_utc_and_refuses_naive():
    plus2 = timezone(timedelta(hours=2))
    assert FixedClock(datetime(2026, 3, 14, 11, 26, tzinfo=plus2)).now() == SNAPSHOT_TIME
    assert FixedClock(datetime(2026, 3, 14, 11, 26, tzinfo=plus2)).now().utcoffset() == timedelta(0)
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 3, 14, 9, 26))


def test_offset_clock_follows_base():
    base = FixedClock(SNAPSHOT_TIME)
    shifted = OffsetClock(base, timedelta(days=91))
    assert shifted.now() == SNAPSHOT_TIME + timedelta(days=91)
    base.advance(timedelta(minutes=5))
    assert shifted.now() == SNAPSHOT_TIME + timedelta(days=91, minutes=5)
    shifted.advance(timedelta(hours=1))
    assert shifted.now() - base.now() == timedelta(days=91, hours=1)


def test_system_clock_is_aware_utc():
    assert SystemClock().now().utcoffset() == timedelta(0)
