"""A wall clock that cannot be moved: trusted time from the elapsed counter, clock changes detected."""

from __future__ import annotations

from datetime import datetime, timedelta

from .record import record

#: Differences between the wall clock and elapsed time smaller than this are drift, not a change.
JUMP_TOLERANCE_SECONDS = 2.0


@record(eq=False, repr=False)
class Observation:
    trusted: datetime
    jump_seconds: float | None  # set when the wall clock was just moved by someone


class TimeBase:
    """Turns (elapsed, wall) readings into trusted instants.

    Anchored at the first reading, trusted time advances with the elapsed counter only, so
    moving the system clock neither adds nor removes usage nor opens a new day. Each change of
    the wall clock against elapsed time by more than the tolerance is reported once; small
    drift is followed by the skew, so it is never reported and never adds up into a false jump.

    Trusted time does not follow drift itself: a clock nudged by less than the tolerance at
    every tick would otherwise move trusted time at will (back: usage lost; forward: a new day
    and a fresh cap hours early).
    """

    def __init__(self, tolerance_seconds: float = JUMP_TOLERANCE_SECONDS) -> None:
        self._tolerance = tolerance_seconds
        self._anchor_elapsed: float | None = None
        self._anchor_wall: datetime | None = None
        self._skew = 0.0  # wall minus trusted, in seconds, as of the last reading

    @property
    def skew_seconds(self) -> float:
        """How far the wall clock is from trusted time because of changes seen so far."""
        return self._skew

    def resume_from(self, elapsed: float, wall: datetime) -> None:
        """Anchor on a reading kept by an earlier run of the same boot, so that a clock moved
        while the app was not running is still seen as moved."""
        if wall.tzinfo is None:
            raise ValueError("TimeBase needs an aware wall time")
        self._anchor_elapsed, self._anchor_wall = elapsed, wall
        self._skew = 0.0

    def observe(self, elapsed: float, wall: datetime) -> Observation:
        if wall.tzinfo is None:
            raise ValueError("TimeBase needs an aware wall time")
        if self._anchor_elapsed is None or self._anchor_wall is None:
            self._anchor_elapsed, self._anchor_wall = elapsed, wall
            return Observation(wall, None)
        trusted = self._anchor_wall + timedelta(seconds=elapsed - self._anchor_elapsed)
        difference = (wall - trusted).total_seconds()
        jump = difference - self._skew
        self._skew = difference
        if abs(jump) > self._tolerance:
            return Observation(trusted, jump)
        return Observation(trusted, None)

    def trusted_at(self, elapsed: float) -> datetime:
        """The trusted instant of an elapsed reading (after the first observation)."""
        if self._anchor_elapsed is None or self._anchor_wall is None:
            raise RuntimeError("TimeBase.trusted_at before the first observation")
        return self._anchor_wall + timedelta(seconds=elapsed - self._anchor_elapsed)
