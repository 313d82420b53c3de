"""Simulated days: drive the engine with a fake clock and scripted use, one sample per tick.

Used by the test suite (worked examples, a teenager's day) and by the benchmarks (a month of
use in seconds). Pure: the clock is a FakeClock and uids come from a counter.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, tzinfo

from .clock import FakeClock
from .engine import Engine, TickResult
from .model import SELF_APP, AppRef, Decision, Event, EventKind, Sample, UsageSpan, Verdict
from .settings import Settings

OVERLAY = SELF_APP


class Simulation:
    """A person at a computer, second by second.

    `use(app, minutes)` means input at every tick with `app` in front; `idle(minutes)` leaves
    the computer untouched (the app stays in front); `lock`, `sleep` and `watch` (media playing
    without input) do what they say. While a break or a block is shown, the overlay is in front,
    as on a real desktop. Spans and events the engine produces are collected as
    storage would keep them.
    """

    def __init__(
        self, settings: Settings, start: datetime, zone: tzinfo, *, tick_seconds: float = 1.0
    ) -> None:
        self.clock = FakeClock(start, zone)
        counter = itertools.count(1)
        self.engine = Engine(settings, new_uid=lambda: f"u{next(counter)}", zone=zone)
        self.tick_seconds = tick_seconds
        self.spans: dict[str, UsageSpan] = {}
        self.events: list[Event] = []
        self.results: list[TickResult] = []
        self.app: AppRef | None = None
        self._last_input = 0.0
        self.keep_results = False
        self.decision: Decision | None = None
        self._tick()

    # --- scripted behaviour --------------------------------------------------------------------

    def use(self, app: AppRef, minutes: float) -> None:
        self._switch(app, touching=True)
        self._run(minutes * 60, touching=True)

    def _switch(self, app: AppRef, *, touching: bool) -> None:
        """Bring `app` to the front: the tracker samples at the moment of a switch."""
        if app != self.app:
            self.app = app
            if touching:
                self._last_input = self.clock.elapsed()
            self._tick()

    def idle(self, minutes: float) -> None:
        self._run(minutes * 60, touching=False)

    def watch(self, app: AppRef, minutes: float) -> None:
        self._switch(app, touching=False)
        self._run(minutes * 60, touching=False, media=True)

    def lock(self, minutes: float) -> None:
        self._run(minutes * 60, touching=False, locked=True)

    def sleep(self, minutes: float) -> None:
        """The lid closes: no ticks at all while the clock runs on. Waking is an input."""
        self.clock.advance(minutes * 60)
        self._last_input = self.clock.elapsed()
        self._tick()

    def move_wall_clock(self, delta: timedelta) -> None:
        self.clock.jump_wall(delta)

    def until(self, predicate: object, *, app: AppRef | None = None, limit_minutes: float = 24 * 60) -> float:
        """Use `app` until `predicate(decision)` holds; returns the minutes it took."""
        assert callable(predicate)
        if app is not None:
            self._switch(app, touching=True)
        start = self.clock.elapsed()
        while not predicate(self.decision):
            if self.clock.elapsed() - start > limit_minutes * 60:
                raise AssertionError("the condition never came true")
            self._step(touching=True, media=False, locked=False)
        return (self.clock.elapsed() - start) / 60

    # --- actions: the decision follows at once, as it does in the app --------------------------

    def postpone(self) -> None:
        self._act(self.engine.postpone_break())

    def skip(self) -> None:
        self._act(self.engine.skip_break())

    def grant(self, *, minutes: int | None = None, until: datetime | None = None) -> Event:
        event = self.engine.grant(minutes=minutes, until=until)
        self._act(event)
        return event

    def _act(self, event: Event) -> None:
        self.events.append(event)
        was_covered = self._covered()
        self.decision = self.engine.decision_for(self.app)
        if was_covered != self._covered():
            self._tick()

    # --- what came out ---------------------------------------------------------------------------

    def minutes_by_app(self, day: date | None = None) -> dict[str, float]:
        totals: dict[str, float] = {}
        for span in self.spans.values():
            if day is None or span.day == day:
                totals[span.app.executable] = totals.get(span.app.executable, 0.0) + span.seconds / 60
        return {k: round(v, 4) for k, v in sorted(totals.items())}

    def events_of(self, kind: EventKind) -> list[Event]:
        return [e for e in self.events if e.kind is kind]

    def now(self) -> datetime:
        return self.clock.wall().astimezone(self.clock.zone())

    def _covered(self) -> bool:
        """Whether the overlay is in front of the app the person wants to use. Choosing another
        app is "back to desktop" and opening that app."""
        if self.decision is None:
            return False
        if self.decision.verdict is Verdict.BREAK:
            return True
        return self.decision.verdict is Verdict.BLOCK and self.decision.app == self.app

    # --- ticking -------------------------------------------------------------------------------

    def _run(self, seconds: float, *, touching: bool, media: bool = False, locked: bool = False) -> None:
        end = self.clock.elapsed() + seconds
        while self.clock.elapsed() + 1e-9 < end:
            self._step(touching=touching, media=media, locked=locked)

    def _step(self, *, touching: bool, media: bool, locked: bool) -> None:
        self.clock.advance(self.tick_seconds)
        if touching:
            self._last_input = self.clock.elapsed()
        self._tick(media=media, locked=locked)

    def _tick(self, *, media: bool = False, locked: bool = False) -> None:
        elapsed = self.clock.elapsed()
        sample = Sample(
            elapsed=elapsed,
            wall=self.clock.wall(),
            app=OVERLAY if self._covered() else self.app,
            idle_seconds=elapsed - self._last_input,
            media_playing=media,
            locked=locked,
        )
        result = self.engine.tick(sample, self.clock.zone())
        for span in result.changed:
            self.spans[span.uid] = span
        for uid in result.removed:
            self.spans.pop(uid, None)
        self.events.extend(result.events)
        was_covered = self._covered()
        self.decision = result.decision
        if was_covered != self._covered():
            # The overlay comes to the front, or leaves it, within milliseconds: the tracker
            # sees that switch and samples at once.
            self._tick(media=media, locked=locked)
        if self.keep_results:
            self.results.append(result)
