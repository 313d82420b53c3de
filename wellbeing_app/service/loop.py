"""The sample→tick loop both trackers run (`track` and the tray app): when the next tick is due,
what a window switch does, and the tick itself. It never waits: whoever owns the loop waits
(`select` in `track`, a Qt timer and socket notifier in the tray app) and calls in."""

from __future__ import annotations

from wellbeing_app.core.engine import NOTHING_IN_FRONT_SECONDS, TickResult
from wellbeing_app.tracker.base import Foreground, ProbeSet
from wellbeing_app.tracker.sampler import Sampler

from .facade import Service

#: A sample every second, and one at every window switch in between.
TICK_SECONDS = 1.0


class TickLoop:
    """Samples the probes and ticks the service.

    Threading contract: not thread-safe; every method runs on the thread that owns the loop and
    the probes. That thread waits until `seconds_to_next_tick()` have passed or `change_fd()` is
    readable, then calls `step()` (with `switched=drain_switches()` after the latter).
    """

    def __init__(self, service: Service, probes: ProbeSet, *, tick_seconds: float = TICK_SECONDS) -> None:
        self._service = service
        self._probes = probes
        self._clock = service.clock
        self._sampler = Sampler(probes, service.clock)
        self._tick_seconds = tick_seconds
        self._next_tick = 0.0
        #: The app in front at the last sample, not counting this app's own windows (the overlay),
        #: nor "nothing in front" shorter than the engine lets count (window managers clear the
        #: active window in passing, e.g. while the overlay is raised).
        self.front: Foreground | None = None
        self._front_named_at: float | None = None
        #: Samples taken since the loop was made.
        self.samples = 0

    def change_fd(self) -> int | None:
        """Readable when the window in front may have changed; None when it can only be polled."""
        return self._probes.foreground.change_fd()

    def drain_switches(self) -> bool:
        """Read what made `change_fd()` readable; True when the window in front changed."""
        return self._probes.foreground.drain_changes()

    def start(self) -> None:
        """Begin tracking, with the first tick due at once (the time until then is credited to no
        app). Raises ServiceError when another tracker runs on this data dir."""
        self._service.start_tracking()
        self._next_tick = self._clock.elapsed()

    def seconds_to_next_tick(self) -> float:
        return max(0.0, self._next_tick - self._clock.elapsed())

    def step(self, *, switched: bool = False) -> TickResult | None:
        """After a wait: tick when the window in front switched or the tick is due, and plan the
        next one (a steady beat that does not drift, nor catch up on ticks missed); None when
        nothing was due (a timer that fired early)."""
        now = self._clock.elapsed()
        due = now >= self._next_tick
        if not (switched or due):
            return None
        result = self.tick()
        if due:
            self._next_tick = max(self._next_tick + self._tick_seconds, now + self._tick_seconds / 2)
        return result

    def tick(self) -> TickResult:
        """Sample and tick now, outside the beat (after an action the person took)."""
        sample = self._sampler.sample(with_title=self._service.settings.store_window_titles)
        if sample.app is not None and not sample.app.is_self:
            self.front = self._sampler.last_foreground or Foreground(sample.app)
            self._front_named_at = sample.elapsed
        elif sample.app is None and (
            self._front_named_at is None or sample.elapsed - self._front_named_at >= NOTHING_IN_FRONT_SECONDS
        ):
            self.front = self._sampler.last_foreground or Foreground(None)
        self.samples += 1
        return self._service.tick(sample)

    def stop(self, *, how: str = "quit") -> None:
        """End tracking cleanly; `how` is "quit" or "signal", for the record."""
        if self._service.tracking:
            self._service.stop_tracking(how=how)
