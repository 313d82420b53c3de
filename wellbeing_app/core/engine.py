"""The engine: the core's state on the loop's thread — accounting, breaks, grants, warnings — fed one
sample per tick, answering with the decision and what to record."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import field, replace
from datetime import date, datetime, timedelta, tzinfo

from .accounting import Accountant
from .breaks import BreakNote, BreakScheduler
from .days import day_of
from .events import (
    BlockPayload,
    BreakStartedPayload,
    ClockJumpPayload,
    GrantPayload,
    Payload,
    SuspendPayload,
    TrackingPausedPayload,
    UnwatchedPayload,
    WarningPayload,
    ZoneChangedPayload,
)
from .model import AppRef, BlockReason, Decision, Event, EventKind, Sample, UsageSpan, Verdict
from .policy import Grant, cap_seconds, counted_seconds, decide, warning_due
from .record import record
from .settings import Settings
from .timebase import TimeBase

#: A clock change smaller than this is not worth a record (NTP corrections).
CLOCK_JUMP_RECORD_SECONDS = 60.0
#: "Nothing in front" must last this long to count (window managers clear it in passing).
NOTHING_IN_FRONT_SECONDS = 2.0
#: Time the tracker did not run that is worth a record.
SUSPEND_RECORD_SECONDS = 60.0
#: Time the tracker could not watch while the machine was in use that is worth a record.
UNWATCHED_RECORD_SECONDS = 10.0


@record(frozen=False, eq=False, repr=False)
class TickResult:
    decision: Decision
    now: datetime  # trusted
    day: date
    changed: list[UsageSpan] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    warning_minutes: int | None = None  # a warning to show now
    break_notice: bool = False  # a break is a minute away


class Engine:
    """Owns the core's state. Single-threaded: call it from the loop that owns it.

    The caller (the service) loads today's usage and grants from storage with `seed_day`,
    feeds one `Sample` per tick to `tick`, writes what `TickResult` says to write, and calls
    the actions (postpone, skip, grant, pause) after checking any passcode.
    """

    def __init__(self, settings: Settings, *, new_uid: Callable[[], str], zone: tzinfo) -> None:
        self.settings = settings
        self._new_uid = new_uid
        self.zone = zone
        self.timebase = TimeBase()
        self.accountant = Accountant(settings, new_uid=new_uid)
        self.breaks = BreakScheduler(settings)
        self.day: date | None = None
        self.usage: dict[AppRef, float] = {}
        # The usage of the days seen lately: a zone moved west over the day start goes back to
        # a day that was already used, and that time must stay used.
        self._usage_by_day: dict[date, dict[AppRef, float]] = {}
        self.grants: list[Grant] = []
        self.paused_until: datetime | None = None
        self._warned: set[int] = set()
        self._last_left: float | None = None
        self._last_block: tuple[BlockReason | None, str | None] | None = None
        self._elapsed: float | None = None
        self._now: datetime | None = None
        self._zone_key = _zone_key(zone)
        self._pending_zone: tzinfo | None = None  # a new zone, waiting for the current day to end
        self.last_decision: Decision | None = None
        self._subject: AppRef | None = None  # the app the decision is about
        self._nothing_since: float | None = None  # when nothing was last seen in front

    # --- set-up -------------------------------------------------------------------------------

    def configure(self, settings: Settings) -> None:
        """Follow new settings from the next tick on: each part takes what it needs from them."""
        self.settings = settings
        self.accountant.configure(settings)
        self.breaks.configure(settings)
        self._last_left = None

    def seed_day(self, day: date, usage: Mapping[AppRef, float], grants: Sequence[Grant]) -> None:
        """Today's usage and grants as stored (other runs, other devices, imports)."""
        self.day = day
        self.usage = dict(usage)
        self._usage_by_day = {d: u for d, u in self._usage_by_day.items() if abs((d - day).days) <= 2}
        self._usage_by_day[day] = self.usage
        self.grants = [g for g in grants if g.day == day or (g.until is not None)]
        self._warned = set()
        self._last_left = None
        self._last_block = None

    def _turn_day(self, day: date, now: datetime) -> None:
        """Another local day began: fresh usage, unless it is a day seen lately (see above)."""
        running = [g for g in self.grants if g.until is not None and g.until > now]
        self.seed_day(day, self._usage_by_day.get(day, {}), running)

    # --- the tick -----------------------------------------------------------------------------

    def tick(self, sample: Sample, zone: tzinfo | None = None) -> TickResult:
        observation = self.timebase.observe(sample.elapsed, sample.wall)
        now = observation.trusted
        events: list[Event] = []
        if zone is not None:
            events.extend(self._notice_zone(zone, now))
        if (
            observation.jump_seconds is not None
            and abs(observation.jump_seconds) >= CLOCK_JUMP_RECORD_SECONDS
        ):
            events.append(self._event(now, ClockJumpPayload(round(observation.jump_seconds), sample.wall)))
        self._elapsed, self._now = sample.elapsed, now
        if self._pending_zone is not None and (
            self.day is None or day_of(now, self.zone, self.settings.day_starts_at) != self.day
        ):
            # The day of the old zone is over: from now on days follow the new zone.
            self.zone, self._zone_key, self._pending_zone = (
                self._pending_zone,
                _zone_key(self._pending_zone),
                None,
            )
        today = day_of(now, self.zone, self.settings.day_starts_at)
        if today != self.day:
            self._turn_day(today, now)

        paused = self.paused_until is not None and now < self.paused_until
        if self.paused_until is not None and not paused:
            self.paused_until = None
        if paused:
            self.accountant.close()
            result_changed: list[UsageSpan] = []
            removed: list[str] = []
            notes: list[BreakNote] = []
        else:
            accounted = self.accountant.feed(sample, now, self.zone)
            for delta in accounted.deltas:
                if delta.day == self.day:
                    self.usage[delta.app] = max(0.0, self.usage.get(delta.app, 0.0) + delta.seconds)
            if accounted.activity.unobserved_seconds >= SUSPEND_RECORD_SECONDS:
                events.append(self._event(now, SuspendPayload(round(accounted.activity.unobserved_seconds))))
            if accounted.activity.unwatched_seconds >= UNWATCHED_RECORD_SECONDS:
                events.append(self._event(now, UnwatchedPayload(round(accounted.activity.unwatched_seconds))))
            result_changed, removed = accounted.changed, accounted.removed
            notes = self.breaks.on_activity(accounted.activity, sample.elapsed)

        # While our own window (the overlay) is in front, the decision stays about the app under it.
        self._follow_front(sample)
        result = TickResult(self._decide(self._subject if not paused else None), now, today)
        result.changed, result.removed = result_changed, removed
        result.events = events + [self._note_event(n, now) for n in notes]
        result.break_notice = any(n.kind is EventKind.BREAK_NOTICE for n in notes)
        self._after_decision(result)
        return result

    def _notice_zone(self, zone: tzinfo, now: datetime) -> list[Event]:
        """A new time zone is recorded at once but counts from the end of the current day: a
        zone far to the east must not open tomorrow's cap early (travel is honoured the next day)."""
        key = _zone_key(zone)
        wanted = self._zone_key if self._pending_zone is None else _zone_key(self._pending_zone)
        if key == wanted:
            return []
        self._pending_zone = None if key == self._zone_key else zone
        return [self._event(now, ZoneChangedPayload(wanted, key))]

    def _follow_front(self, sample: Sample) -> None:
        """Keep the decision about the app the person is using. Our own window (the overlay) in
        front keeps it on the app under it; "nothing in front" counts only once it lasts
        NOTHING_IN_FRONT_SECONDS, since window managers clear the active window in passing."""
        if sample.app is not None:
            self._nothing_since = None
            if not sample.app.is_self:
                self._subject = sample.app
            return
        if self._nothing_since is None:
            self._nothing_since = sample.elapsed
        if sample.elapsed - self._nothing_since >= NOTHING_IN_FRONT_SECONDS:
            self._subject = None

    def forget_front(self) -> None:
        """The person left the app on purpose ("back to desktop"): decide about nothing now."""
        self._subject = None
        self._nothing_since = None

    def _decide(self, app: AppRef | None) -> Decision:
        assert self._now is not None
        assert self.day is not None
        view = self.breaks.view()
        ends_at = None
        if view.break_ends_elapsed is not None and self._elapsed is not None:
            ends_at = self._now + timedelta(seconds=view.break_ends_elapsed - self._elapsed)
        decision = decide(
            self.settings,
            now=self._now,
            zone=self.zone,
            day=self.day,
            usage=self.usage,
            grants=self.grants,
            breaks=view,
            break_ends_at=ends_at,
            app=app,
            paused_until=self.paused_until,
        )
        self.last_decision = decision
        return decision

    def _after_decision(self, result: TickResult) -> None:
        decision = result.decision
        left = None if decision.cap_seconds is None else decision.cap_seconds - decision.used_seconds
        minutes = warning_due(self._last_left, left)
        if minutes is not None and minutes not in self._warned:
            self._warned.add(minutes)
            result.warning_minutes = minutes
            result.events.append(self._event(result.now, WarningPayload(minutes)))
        self._last_left = left
        if decision.verdict is Verdict.BLOCK:
            key = (decision.reason, decision.app.executable if decision.app else None)
            if key != self._last_block:
                block = BlockPayload(decision.reason, decision.until, key[1])
                result.events.append(self._event(result.now, block))
            self._last_block = key
        else:
            self._last_block = None

    # --- what the person and the parent can do (passcode checked by the caller) ----------------

    def postpone_break(self) -> Event:
        return self._note_event(self.breaks.postpone(), self._require_now())

    def skip_break(self) -> Event:
        return self._note_event(self.breaks.skip(), self._require_now())

    def take_break_now(self) -> Event:
        assert self._elapsed is not None
        return self._note_event(self.breaks.start_now(self._elapsed), self._require_now())

    def grant(
        self, *, minutes: int | None = None, until: datetime | None = None, by: str = "parent"
    ) -> Event:
        """More time: `minutes` more counted use today, or free use `until` a time."""
        now = self._require_now()
        if (minutes is None) == (until is None):
            raise ValueError("a grant is either minutes or until a time")
        if minutes is not None and not 1 <= minutes <= 24 * 60:
            raise ValueError(f"a grant of {minutes} minutes is not allowed; grant 1 to 1440 minutes")
        if until is not None and until <= now:
            raise ValueError(f"a grant until {until.isoformat()} is already over")
        assert self.day is not None
        grant = Grant(self._new_uid(), now, self.day, minutes, until, by)
        self.grants.append(grant)
        self._warned.clear()
        self._last_left = None
        return self._event(now, GrantPayload(grant.uid, by, self.day, minutes, until))

    def pause(self, minutes: int) -> Event:
        now = self._require_now()
        self.paused_until = now + timedelta(minutes=minutes)
        return self._event(now, TrackingPausedPayload(minutes))

    def resume(self) -> None:
        self.paused_until = None

    @property
    def now(self) -> datetime | None:
        """The trusted time of the last tick or look."""
        return self._now

    def look(self, elapsed: float, wall: datetime) -> datetime:
        """Take the time without a sample (a read-only look, e.g. `status` from the command
        line): no accounting, no breaks. Returns the trusted instant."""
        self._elapsed, self._now = elapsed, self.timebase.observe(elapsed, wall).trusted
        day = day_of(self._now, self.zone, self.settings.day_starts_at)
        if day != self.day:
            self._turn_day(day, self._now)
        return self._now

    def decision_for(self, app: AppRef | None) -> Decision:
        """The decision as it would be for another app (status lines, 'what if')."""
        return self._decide(app)

    # --- helpers ------------------------------------------------------------------------------

    def used_counted_seconds(self) -> float:
        return counted_seconds(self.usage, self.settings)

    def cap_seconds_today(self) -> float | None:
        return None if self.day is None else cap_seconds(self.settings, self.day, self.grants)

    def _require_now(self) -> datetime:
        if self._now is None:
            raise RuntimeError("the engine has not ticked yet")
        return self._now

    def _event(self, at: datetime, payload: Payload) -> Event:
        return Event(self._new_uid(), at, day_of(at, self.zone, self.settings.day_starts_at), payload)

    def _note_event(self, note: BreakNote, at: datetime) -> Event:
        payload = note.payload
        if isinstance(payload, BreakStartedPayload):
            ends = self.breaks.view().break_ends_elapsed
            if ends is not None and self._elapsed is not None:
                payload = replace(payload, ends_at=at + timedelta(seconds=ends - self._elapsed))
        return self._event(at, payload)


def _zone_key(zone: tzinfo) -> str:
    key = getattr(zone, "key", None)
    return str(key) if key else str(zone)
