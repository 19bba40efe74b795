"""The simulated clock shared by tokens, device codes and policies."""
from __future__ import annotations

import math
import time

# Refused beyond this (and NaN/infinity): a clock that is not a number makes every token valid.
MAX_OFFSET_SECONDS = 100 * 365 * 86400


class SimClock:
    """Wall-clock time plus an offset that trainers and tests move forward.

    Only the offset is state (it is persisted with the tenant); ``now()`` keeps ticking
    with real time so countdowns and lifetimes behave naturally between jumps.
    """

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = _checked(float(offset))

    def now(self) -> float:
        """Simulated epoch seconds."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward (never backwards) and return the new simulated time."""
        if seconds < 0:
            raise ValueError("the simulated clock only moves forward")
        self.offset = _checked(self.offset + _checked(float(seconds)))
        return self.now()

    def reset(self) -> None:
        self.offset = 0.0


def _checked(seconds: float) -> float:
    if not math.isfinite(seconds) or abs(seconds) > MAX_OFFSET_SECONDS:
        raise ValueError(f"a clock offset must be a finite number of seconds within 100 years, not {seconds!r}")
    return seconds
