"""Today in the engine: its usage and grants loaded from the database (plus a running tracker's
journal), and today at a glance for `status` and the tray."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from wellbeing_app.core.clock import Clock
from wellbeing_app.core.engine import Engine
from wellbeing_app.core.events import GrantPayload
from wellbeing_app.core.model import UNKNOWN_APP, AppRef, EventKind, UsageSpan
from wellbeing_app.core.policy import Grant
from wellbeing_app.core.status import Status
from wellbeing_app.storage import Store
from wellbeing_app.storage.journal import Journal

from .recorder import Recorder
from .timekeeping import TrustedTime


def _totals(spans: Iterable[UsageSpan]) -> dict[AppRef, float]:
    totals: dict[AppRef, float] = {}
    for span in spans:
        totals[span.app] = totals.get(span.app, 0.0) + span.seconds
    return totals


class Today:
    """Not thread-safe: used on the loop's thread only."""

    def __init__(
        self,
        store: Store,
        engine: Engine,
        journal: Journal,
        clock: Clock,
        time: TrustedTime,
        recorder: Recorder,
    ) -> None:
        self._store = store
        self._engine = engine
        self._journal = journal
        self._clock = clock
        self._time = time
        self._recorder = recorder
        self._seeded_at = -1e9

    def seed(self, now: datetime, *, keep_live: bool = False) -> None:
        """Load the usage and grants of the day of `now` from the database (plus the live journal
        of a tracker running in another process); `keep_live` adds what this tracker has not yet
        written."""
        day = self._time.day_of(now)
        self._seeded_at = self._clock.elapsed()
        usage = self._usage_on(day)
        grants = self._grants(day, now)
        if keep_live and self._engine.day == day:
            usage = self._merge_pending(day)
        self._engine.seed_day(day, usage, grants)

    def _usage_on(self, day: date) -> dict[AppRef, float]:
        spans = {s.uid: s for s in self._store.spans_on(day)}
        if not self._recorder.tracking:
            state = self._journal.read()
            if state is not None:  # a clean journal keeps spans only that could not be written
                spans.update({s.uid: s for s in state.spans if s.day == day})
                for uid in state.removed:  # idle time the tracker took back, still in the database
                    spans.pop(uid, None)
        return _totals(spans.values())

    def _merge_pending(self, day: date) -> dict[AppRef, float]:
        spans = {s.uid: s for s in self._store.spans_on(day)}
        spans.update({s.uid: s for s in self._recorder.pending_spans_on(day)})
        spans.update({s.uid: s for s in self._engine.accountant.pending() if s.day == day})
        return _totals(spans.values())

    def _grants(self, day: date, now: datetime) -> list[Grant]:
        grants = []
        for event in self._store.events_between(day - timedelta(days=1), day, kinds=[EventKind.GRANT]):
            grant = event.payload
            if not isinstance(grant, GrantPayload):
                continue  # details that could not be read
            until = grant.until
            granted_day = grant.day or event.day
            if granted_day == day or (until is not None and until > now):
                grants.append(Grant(grant.uid or event.uid, event.at, granted_day, grant.minutes, until))
        return grants

    def status(self, tracker_running: Callable[[], bool]) -> Status:
        """Today's figures; the decision is the one for counted apps."""
        engine, tracking = self._engine, self._recorder.tracking
        now = self._time.now()
        if not tracking:
            engine.look(self._clock.elapsed(), self._clock.wall())
            if self._clock.elapsed() - self._seeded_at > 1.0 or engine.day != self._time.today():
                self.seed(now)
        decision = engine.decision_for(UNKNOWN_APP)
        state = None if tracking else self._journal.read()
        next_break = decision.next_break_in_seconds
        if state is not None and not state.clean and state.engine:
            next_break = state.engine.get("next_break_in_seconds", next_break)
        cap = engine.cap_seconds_today()
        return Status(
            day=engine.day or self._time.today(),
            used_seconds=decision.used_seconds,
            cap_minutes=None if cap is None else round(cap / 60),
            decision=decision,
            next_break_in_seconds=next_break,
            tracking=tracking or tracker_running(),
            by_app=sorted(engine.usage.items(), key=lambda item: -item[1]),
        )
