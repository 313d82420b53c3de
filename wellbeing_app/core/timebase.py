"""A wall clock that cannot be moved: trusted time from the elapsed counter, clock changes detected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

#: Differences between the wall clock and elapsed time smaller than this are drift, not a change.
JUMP_TOLERANCE_SECONDS = 2.0


@dataclass(frozen=True)
class Observation:
    trusted: datetime
    jump_seconds: float | None  # set when the wall clock was just moved by someone


class TimeBase:
    """Turns (elapsed, wall) readings into trusted instants.

    Anchored at the first reading, trusted time advances with the elapsed counter only, so
    moving the system clock neither adds nor removes usage nor opens a new day. Each change of
    the wall clock against elapsed time by more than the tolerance is reported once; small
    drift (NTP slewing) is followed so that trusted time stays near the wall clock.
    """

    def __init__(self, tolerance_seconds: float = JUMP_TOLERANCE_SECONDS) -> None:
        self._tolerance = tolerance_seconds
        self._anchor_elapsed: float | None = None
        self._anchor_wall: datetime | None = None
        self._skew = 0.0  # wall minus trusted, in seconds, since the last reported change

    @property
    def skew_seconds(self) -> float:
        """How far the wall clock is from trusted time because of changes seen so far."""
        return self._skew

    def observe(self, elapsed: float, wall: datetime) -> Observation:
        if wall.tzinfo is None:
            raise ValueError("TimeBase needs an aware wall time")
        if self._anchor_elapsed is None or self._anchor_wall is None:
            self._anchor_elapsed, self._anchor_wall = elapsed, wall
            return Observation(wall, None)
        trusted = self._anchor_wall + timedelta(seconds=elapsed - self._anchor_elapsed)
        difference = (wall - trusted).total_seconds()
        if abs(difference - self._skew) > self._tolerance:
            jump = difference - self._skew
            self._skew = difference
            return Observation(trusted, jump)
        # Drift within the tolerance: follow the wall clock, keeping any known skew.
        self._anchor_elapsed = elapsed
        self._anchor_wall = wall - timedelta(seconds=self._skew)
        return Observation(self._anchor_wall, None)

    def trusted_at(self, elapsed: float) -> datetime:
        """The trusted instant of an elapsed reading (after the first observation)."""
        if self._anchor_elapsed is None or self._anchor_wall is None:
            raise RuntimeError("TimeBase.trusted_at before the first observation")
        return self._anchor_wall + timedelta(seconds=elapsed - self._anchor_elapsed)
