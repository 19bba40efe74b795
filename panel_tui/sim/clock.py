"""The simulated clock shared by tokens, device codes and policies."""
from __future__ import annotations

import time


class SimClock:
    """Wall-clock time plus an offset that trainers and tests move forward.

    Only the offset is state (it is persisted with the tenant); ``now()`` keeps ticking
    with real time so countdowns and lifetimes behave naturally between jumps.
    """

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = float(offset)

    def now(self) -> float:
        """Simulated epoch seconds."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward (never backwards) and return the new simulated time."""
        if seconds < 0:
            raise ValueError("the simulated clock only moves forward")
        self.offset += float(seconds)
        return self.now()

    def reset(self) -> None:
        self.offset = 0.0
