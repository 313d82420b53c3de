"""The clock the core is handed: an elapsed-time counter, the wall clock and the local zone."""

from __future__ import annotations

from dataclasses import field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol

from .record import record


class Clock(Protocol):
    """Where the core learns the time. It never reads the system clock itself.

    `elapsed()` is seconds from an arbitrary origin that never goes back and keeps counting
    while the machine sleeps (CLOCK_BOOTTIME on Linux). `wall()` is the system's idea of the
    current instant, aware, in UTC; it may jump when someone changes the clock. `zone()` is
    the local time zone with its DST rules.
    """

    def elapsed(self) -> float: ...

    def awake(self) -> float | None:
        """A counter that stops while the machine sleeps (CLOCK_MONOTONIC on Linux), or None
        where it cannot be told from `elapsed`."""
        ...

    def wall(self) -> datetime: ...

    def zone(self) -> tzinfo: ...


@record(frozen=False)
class FakeClock:
    """A clock that moves only when told: for tests and simulated days."""

    start: datetime
    local_zone: tzinfo = UTC
    _elapsed: float = 0.0
    _slept: float = 0.0
    _wall_offset: timedelta = field(default_factory=timedelta)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("FakeClock needs an aware start time")

    def elapsed(self) -> float:
        return self._elapsed

    def awake(self) -> float | None:
        return self._elapsed - self._slept

    def wall(self) -> datetime:
        # In UTC first: adding to a local time would move by the wall clock across a DST change.
        return self.start.astimezone(UTC) + timedelta(seconds=self._elapsed) + self._wall_offset

    def zone(self) -> tzinfo:
        return self.local_zone

    def advance(self, seconds: float) -> None:
        """Let time pass: elapsed and wall move together."""
        if seconds < 0:
            raise ValueError("time does not run backwards; use jump_wall for clock changes")
        self._elapsed += seconds

    def sleep(self, seconds: float) -> None:
        """The machine sleeps: elapsed time and the wall clock move on, the awake counter does not."""
        self.advance(seconds)
        self._slept += seconds

    def jump_wall(self, delta: timedelta) -> None:
        """Someone changed the system clock: only the wall clock moves."""
        self._wall_offset += delta

    def set_zone(self, zone: tzinfo) -> None:
        self.local_zone = zone
