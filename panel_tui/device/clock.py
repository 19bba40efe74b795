"""Clocks: the system clock, and fixed/offset clocks for tests, snapshots and trainers."""
from __future__ import annotations

import math
import threading
from datetime import UTC, datetime, timedelta

# The moment tests and snapshots are frozen at.
SNAPSHOT_TIME = datetime(2026, 3, 14, 9, 26, tzinfo=UTC)
# How far a trainer may move a clock: enough for any lesson (token lifetimes are 90 days),
# far from the ends of what datetime can hold.
MAX_OFFSET = timedelta(days=100 * 365)


def checked_offset(seconds: float | timedelta) -> timedelta:
    """`seconds` as a clock offset; ValueError for NaN, infinities and more than MAX_OFFSET.

    A clock that is not a number makes every "has this token expired?" answer no.
    """
    if isinstance(seconds, timedelta):
        value = seconds
    else:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
            raise ValueError(f"a clock offset must be a finite number of seconds, not {seconds!r}")
        if abs(seconds) > MAX_OFFSET.total_seconds():
            raise ValueError(f"a clock offset of {seconds!r} s is more than {MAX_OFFSET.days} days")
        value = timedelta(seconds=seconds)
    if abs(value) > MAX_OFFSET:
        raise ValueError(f"a clock offset of {value} is more than {MAX_OFFSET.days} days")
    return value


def _as_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt!r}: a clock needs a timezone-aware time")
    return dt.astimezone(UTC)


class Clock:
    """Something that tells the time: `now()` is always timezone-aware UTC."""

    def now(self) -> datetime:
        raise NotImplementedError


class SystemClock(Clock):
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock(Clock):
    """A clock that stands still until told to move (`advance`, `set`)."""

    def __init__(self, dt: datetime = SNAPSHOT_TIME) -> None:
        self._lock = threading.Lock()
        self._now = _as_utc(dt)

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock by `delta` (may be negative) and return the new time."""
        with self._lock:
            self._now = self._now + delta
            return self._now

    def set(self, dt: datetime) -> None:
        """Jump to `dt` (timezone-aware)."""
        with self._lock:
            self._now = _as_utc(dt)


class OffsetClock(Clock):
    """Another clock shifted by an offset (a trainer's "+91 days"); the offset can change."""

    def __init__(self, base: Clock, offset: timedelta = timedelta(0)) -> None:
        self.base = base
        self.offset = offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    @offset.setter
    def offset(self, value: timedelta) -> None:
        self._offset = checked_offset(value)  # ValueError: the clock keeps its time

    def now(self) -> datetime:
        return self.base.now() + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Add `delta` to the offset and return the new time (ValueError beyond MAX_OFFSET)."""
        self.offset = self._offset + delta
        return self.now()
