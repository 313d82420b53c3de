"""Turning tracker samples into usage spans: active time per app, idle taken back, sleep never counted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field, replace
from datetime import date, datetime, time, timedelta, tzinfo

from .days import day_bounds, day_of, utc_offset
from .model import UNKNOWN_APP, AppRef, Sample, UsageSpan
from .record import record
from .settings import Settings

#: A gap between two samples longer than this means the tracker did not run. Sleep is never
#: counted; a stopped process on an awake machine with input in the gap is (as the unknown app).
MAX_TICK_GAP_SECONDS = 5.0
#: Spans that ended longer ago than the idle threshold plus this margin can no longer change.
SETTLE_MARGIN_SECONDS = 5.0


@record(eq=False, repr=False)
class UsageDelta:
    """Seconds added to (or, when idle time is taken back, removed from) one app on one day."""

    day: date
    app: AppRef
    seconds: float


@record(eq=False, repr=False)
class Activity:
    """What one sample meant: who was in front, whether the person was there, for how long away."""

    present: bool  # the person was there (input within the idle threshold, or media playing)
    app: AppRef | None  # the app credited with the time, None when nothing counted
    active_seconds: float  # seconds of use added by this sample (before any take-back)
    retracted_seconds: float  # seconds taken back because the person turned out to be idle
    away_seconds: float  # seconds since the last input (or media playing) seen
    unobserved_seconds: float  # a gap in which the tracker did not run and the machine slept
    #: seconds the tracker did not run while the machine was awake and in use (counted as unknown)
    unwatched_seconds: float = 0.0


@record(frozen=False, eq=False, repr=False)
class AccountingResult:
    activity: Activity
    changed: list[UsageSpan] = field(default_factory=list)  # spans to write (by uid)
    removed: list[str] = field(default_factory=list)  # uids of spans taken back entirely
    deltas: list[UsageDelta] = field(default_factory=list)


class Accountant:
    """Feeds on samples, one per tick, and keeps the recent spans that may still change.

    Time positions come from the trusted instant the caller passes with each sample (see
    `TimeBase`); durations come from the sample's elapsed counter. Spans never overlap: each
    new stretch starts no earlier than the end of the last one.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        new_uid: Callable[[], str],
        max_tick_gap_seconds: float = MAX_TICK_GAP_SECONDS,
    ) -> None:
        self._new_uid = new_uid
        self.configure(settings)
        self._max_gap = max_tick_gap_seconds
        self._last_elapsed: float | None = None
        self._last_awake: float | None = None
        self._last_present_elapsed: float | None = None
        self._recent: list[UsageSpan] = []  # ordered; the last one may still grow
        self._open = False  # whether the last recent span continues at the next sample
        self._previous_app: AppRef | None = None
        self._previous_title: str | None = None

    def configure(self, settings: Settings) -> None:
        """Follow these settings from the next sample on."""
        self.idle_threshold_seconds = float(settings.idle_threshold_seconds)
        self.day_starts_at: time = settings.day_starts_at
        self.store_titles = settings.store_window_titles

    @property
    def last_end(self) -> datetime | None:
        return self._recent[-1].end if self._recent else None

    def pending(self) -> list[UsageSpan]:
        """Spans that may still change (the open one and those idle time could take back)."""
        return list(self._recent)

    def close(self) -> None:
        """Stop extending the open span (tracking stops or pauses)."""
        self._open = False
        self._last_elapsed = None
        self._last_awake = None

    def feed(self, sample: Sample, instant: datetime, zone: tzinfo) -> AccountingResult:
        """Account for the time from the previous sample to this one; `instant` is trusted."""
        result = AccountingResult(Activity(False, None, 0.0, 0.0, 0.0, 0.0))
        previous_elapsed, previous_awake = self._last_elapsed, self._last_awake
        self._last_elapsed, self._last_awake = sample.elapsed, sample.awake

        gap = 0.0 if previous_elapsed is None else sample.elapsed - previous_elapsed
        unobserved = gap if gap > self._max_gap else 0.0
        if previous_elapsed is None or unobserved:
            self._open = False
        slept, unwatched = unobserved, 0.0
        if unobserved and sample.awake is not None and previous_awake is not None:
            awake = min(gap, max(0.0, sample.awake - previous_awake))
            slept = gap - awake
            idle_now = sample.idle_seconds
            if awake > self._max_gap and idle_now is not None and not sample.locked and idle_now < gap:
                # Not asleep: the tracker was stopped (SIGSTOP) or starved while someone used the
                # machine. The awake time up to the last input counts, for an app that cannot be named.
                unwatched = max(0.0, awake - max(0.0, idle_now))
                if unwatched:
                    end = instant - timedelta(seconds=max(0.0, idle_now))
                    self._extend(UNKNOWN_APP, None, end, unwatched, zone, result)
                    self._open = False

        # The last sign that the person was there: their last input, or media playing now.
        idle = sample.idle_seconds
        if not sample.locked:
            sign = sample.elapsed if sample.media_playing or idle is None else sample.elapsed - max(0.0, idle)
            if self._last_present_elapsed is None or sign > self._last_present_elapsed:
                self._last_present_elapsed = sign
        mark = self._last_present_elapsed

        # The time since the previous sample belongs to the app that was in front then: with a
        # sample taken at every switch (the tracker's change notifications), that is exact.
        app, title = self._previous_app, self._previous_title
        self._previous_app, self._previous_title = self._credited(sample), sample.title
        present = not sample.locked and (
            sample.media_playing or idle is None or idle < self.idle_threshold_seconds
        )

        retracted = 0.0
        if not present and mark is not None:
            # Idle or locked: nothing after the last sign of presence counts, even what earlier
            # samples already counted.
            back_to = instant - timedelta(seconds=max(0.0, sample.elapsed - mark))
            retracted = self._retract_after(back_to, result)
            self._open = False

        added = 0.0
        if present and app is not None and previous_elapsed is not None and not unobserved:
            if gap > 0:
                added = self._extend(app, title, instant, gap, zone, result)
        else:
            self._open = False

        away = 0.0 if mark is None else max(0.0, sample.elapsed - mark)
        self._settle(instant)
        result.activity = Activity(present, app if added else None, added, retracted, away, slept, unwatched)
        return result

    def _credited(self, sample: Sample) -> AppRef | None:
        if sample.app is None:
            return None
        if sample.app.is_self:
            return None  # the app's own windows (overlay, dashboard, guide) are not screen use
        return sample.app

    def _extend(
        self,
        app: AppRef,
        sample_title: str | None,
        instant: datetime,
        gap: float,
        zone: tzinfo,
        result: AccountingResult,
    ) -> float:
        start = instant - timedelta(seconds=gap)
        if self._recent and self._recent[-1].end > start:
            start = self._recent[-1].end
        if start >= instant:
            return 0.0
        title = sample_title if self.store_titles else None
        added = 0.0
        cursor = start
        while cursor < instant:
            day = day_of(cursor, zone, self.day_starts_at)
            _, day_end = day_bounds(day, zone, self.day_starts_at)
            piece_end = min(instant, day_end)
            last = self._recent[-1] if self._recent else None
            if (
                self._open
                and last is not None
                and last.app == app
                and last.day == day
                and last.title == title
                and last.end == cursor
            ):
                span = replace(last, end=piece_end)
                self._recent[-1] = span
            else:
                span = UsageSpan(
                    uid=self._new_uid(),
                    app=app,
                    start=cursor,
                    end=piece_end,
                    day=day,
                    utc_offset=utc_offset(cursor, zone),
                    title=title,
                )
                self._recent.append(span)
            self._open = True
            seconds = (piece_end - cursor).total_seconds()
            added += seconds
            result.deltas.append(UsageDelta(day, app, seconds))
            _replace_changed(result.changed, span)
            cursor = piece_end
        return added

    def _retract_after(self, moment: datetime, result: AccountingResult) -> float:
        taken = 0.0
        while self._recent and self._recent[-1].end > moment:
            span = self._recent[-1]
            if span.start >= moment:
                self._recent.pop()
                taken += span.seconds
                result.deltas.append(UsageDelta(span.day, span.app, -span.seconds))
                result.changed[:] = [s for s in result.changed if s.uid != span.uid]
                result.removed.append(span.uid)
                continue
            shortened = replace(span, end=moment)
            self._recent[-1] = shortened
            taken += span.seconds - shortened.seconds
            result.deltas.append(UsageDelta(span.day, span.app, shortened.seconds - span.seconds))
            _replace_changed(result.changed, shortened)
            break
        return taken

    def _settle(self, instant: datetime) -> None:
        horizon = instant - timedelta(seconds=self.idle_threshold_seconds + SETTLE_MARGIN_SECONDS)
        keep_from = 0
        for index, span in enumerate(self._recent[:-1]):
            if span.end < horizon:
                keep_from = index + 1
            else:
                break
        if keep_from:
            del self._recent[:keep_from]
        if self._recent and not self._open and self._recent[-1].end < horizon:
            self._recent.clear()


def _replace_changed(changed: list[UsageSpan], span: UsageSpan) -> None:
    for index, existing in enumerate(changed):
        if existing.uid == span.uid:
            changed[index] = span
            return
    changed.append(span)


def totals_by_app(spans: list[UsageSpan]) -> dict[AppRef, float]:
    """Seconds per app of a list of spans (a pure helper for reports and tests)."""
    totals: dict[AppRef, float] = {}
    for span in spans:
        totals[span.app] = totals.get(span.app, 0.0) + span.seconds
    return totals


__all__ = [
    "UNKNOWN_APP",
    "Accountant",
    "AccountingResult",
    "Activity",
    "UsageDelta",
    "totals_by_app",
]
