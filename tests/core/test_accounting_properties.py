"""Accounting over generated scripts of use: spans never overlap, stay inside their days, never
cover sleep or the overlay, and add up to what the counting rules say.

The expectation comes from a small reference model written here, second by second, from the
rules of DESIGN.md "Counting":

* The time from one tick to the next belongs to the app in front during it, and counts when
  the person is there at its end: some input within the idle threshold, or media playing, and
  the screen not locked.
* When the person turns out to be away (idle for the threshold, or the screen locked), the
  time after their last sign of presence (input, or media playing) is taken back.
* Sleep never counts (no ticks while the lid is closed); the app's own windows never count.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wellbeing_app.core.accounting import MAX_TICK_GAP_SECONDS, Accountant
from wellbeing_app.core.days import day_bounds, day_of
from wellbeing_app.core.model import AppRef, Sample, UsageSpan
from wellbeing_app.core.settings import Settings
from wellbeing_app.core.simulation import OVERLAY, Simulation

BROWSER = AppRef("firefox", "Firefox")
GAME = AppRef("supertux2", "SuperTux")
EDITOR = AppRef("code", "Visual Studio Code")
APPS = [BROWSER, GAME, EDITOR]

# --- scripts ------------------------------------------------------------------------------------

seconds = st.integers(min_value=1, max_value=300)
apps = st.sampled_from(APPS)
steps = st.one_of(
    st.tuples(st.just("use"), apps, seconds),
    st.tuples(st.just("watch"), apps, seconds),
    st.tuples(st.just("idle"), seconds),
    st.tuples(st.just("lock"), seconds),
    st.tuples(st.just("sleep"), st.integers(min_value=1, max_value=90)),  # whole minutes
    st.tuples(st.just("switch"), apps),
    st.tuples(st.just("overlay"), seconds),  # the app's own window (dashboard, guide) in front
    st.tuples(
        st.just("jump"),
        st.sampled_from([-86400.0, -3600.0, -1.5, -0.5, 0.5, 1.9, 3600.0, 86400.0, 7 * 86400.0]),
    ),
)
scripts = st.lists(steps, min_size=1, max_size=14)

# Starts near the interesting moments: DST nights in Berlin, the 04:00 day start in Almaty,
# a half-hour DST change at Lord Howe.
starts = st.tuples(
    st.sampled_from(
        [
            datetime(2026, 3, 29, 0, 40, tzinfo=UTC),
            datetime(2026, 10, 25, 0, 40, tzinfo=UTC),
            datetime(2026, 11, 27, 22, 40, tzinfo=UTC),
            datetime(2026, 4, 4, 14, 40, tzinfo=UTC),
        ]
    ),
    st.integers(min_value=0, max_value=3600),
).map(lambda pair: pair[0] + timedelta(seconds=pair[1]))
zones = st.sampled_from(["Europe/Berlin", "Asia/Almaty", "Australia/Lord_Howe", "UTC"]).map(ZoneInfo)
day_starts = st.sampled_from([time(0, 0), time(2, 30), time(4, 0), time(12, 0)])
thresholds = st.sampled_from([30, 120, 180])


@dataclass(frozen=True)
class Tick:
    """One sample as the reference model sees it."""

    elapsed: float
    app: AppRef | None  # in front from this tick to the next
    last_input: float
    media: bool = False
    locked: bool = False


def script_ticks(script: list[tuple]) -> tuple[list[Tick], list[tuple[float, float]]]:
    """The ticks a person following the script produces (one a second, one at every switch of
    app, one on waking), and the stretches of sleep, in elapsed seconds."""
    now, last_input, front = 0.0, 0.0, None
    ticks = [Tick(0.0, None, 0.0)]
    sleeps = []

    def bring(app: AppRef, *, touching: bool) -> None:
        nonlocal front, last_input
        if app != front:
            front = app
            if touching:
                last_input = now
            ticks.append(Tick(now, front, last_input))

    for step in script:
        kind = step[0]
        if kind in {"use", "overlay", "watch", "idle", "lock"}:
            if kind == "use":
                bring(step[1], touching=True)
            elif kind == "overlay":
                bring(OVERLAY, touching=True)
            elif kind == "watch":
                bring(step[1], touching=False)
            for _ in range(step[-1]):
                now += 1
                if kind in {"use", "overlay"}:
                    last_input = now
                ticks.append(Tick(now, front, last_input, media=kind == "watch", locked=kind == "lock"))
        elif kind == "switch":
            bring(step[1], touching=True)
        elif kind == "sleep":
            sleeps.append((now, now + step[1] * 60))
            now += step[1] * 60
            last_input = now  # opening the lid is an input
            ticks.append(Tick(now, front, last_input))
    return ticks, sleeps


def expected_stretches(ticks: list[Tick], threshold: float) -> list[tuple[float, float, AppRef]]:
    """The reference model: (from, to, app) in elapsed seconds, for the time that counts."""
    counted: list[tuple[float, float, AppRef]] = []
    last_sign: float | None = None
    for previous, tick in itertools.pairwise(ticks):
        if not tick.locked:
            sign = tick.elapsed if tick.media else tick.last_input
            last_sign = sign if last_sign is None else max(last_sign, sign)
        present = not tick.locked and (tick.media or tick.elapsed - tick.last_input < threshold)
        gap = tick.elapsed - previous.elapsed
        credited = previous.app is not None and not previous.app.is_self
        if present and credited and 0 < gap <= MAX_TICK_GAP_SECONDS:
            counted.append((previous.elapsed, tick.elapsed, previous.app))
        if not present and last_sign is not None:
            counted = [(s, min(e, last_sign), a) for s, e, a in counted if s < last_sign]
    return counted


def run_script(sim: Simulation, script: list[tuple]) -> None:
    for step in script:
        kind = step[0]
        if kind == "use":
            sim.use(step[1], step[2] / 60)
        elif kind == "watch":
            sim.watch(step[1], step[2] / 60)
        elif kind == "idle":
            sim.idle(step[1] / 60)
        elif kind == "lock":
            sim.lock(step[1] / 60)
        elif kind == "sleep":
            sim.sleep(step[1])
        elif kind == "switch":
            sim.use(step[1], 0)
        elif kind == "overlay":
            sim.use(OVERLAY, step[1] / 60)
        elif kind == "jump":
            sim.move_wall_clock(timedelta(seconds=step[1]))


def by_day_and_app(
    stretches: list[tuple[datetime, datetime, AppRef]], zone: ZoneInfo, day_start: time
) -> dict[tuple[date, str], float]:
    totals: dict[tuple[date, str], float] = {}
    for start, end, app in stretches:
        cursor = start
        while cursor < end:  # seconds never straddle a day start: both are whole seconds
            key = (day_of(cursor, zone, day_start), app.executable)
            totals[key] = totals.get(key, 0.0) + 1.0
            cursor += timedelta(seconds=1)
        assert cursor == end
    return totals


def assert_spans_are_sound(spans: list[UsageSpan], zone: ZoneInfo, day_start: time) -> None:
    ordered = sorted(spans, key=lambda s: s.start)
    for span in ordered:
        assert span.end > span.start, span
        day_start_at, day_end_at = day_bounds(span.day, zone, day_start)
        assert day_start_at <= span.start, span
        assert span.end <= day_end_at, span
        assert span.day == day_of(span.start, zone, day_start)
        assert not span.app.is_self
    for previous, span in itertools.pairwise(ordered):
        assert span.start >= previous.end, (previous, span)


# --- the properties -----------------------------------------------------------------------------


@given(
    script=scripts,
    start=starts,
    zone=zones,
    day_start=day_starts,
    threshold=thresholds,
    titles=st.booleans(),
)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_use_is_counted_exactly_by_the_rules(
    script, start, zone, day_start, threshold, titles
) -> None:
    plain = Settings().replace(
        daily_cap_minutes=None,
        break_every_minutes=None,
        idle_threshold_seconds=threshold,
        day_starts_at=day_start,
        store_window_titles=titles,
    )
    sim = Simulation(plain, start, zone)
    run_script(sim, script)
    spans = list(sim.spans.values())

    assert_spans_are_sound(spans, zone, day_start)

    ticks, sleeps = script_ticks(script)
    assert sim.clock.elapsed() == ticks[-1].elapsed
    expected = [
        (start + timedelta(seconds=s), start + timedelta(seconds=e), app)
        for s, e, app in expected_stretches(ticks, threshold)
    ]
    actual = {key: value for key, value in sim.minutes_by_app().items()}
    wanted: dict[str, float] = {}
    for s, e, app in expected:
        wanted[app.executable] = wanted.get(app.executable, 0.0) + (e - s).total_seconds() / 60
    assert actual == {k: round(v, 4) for k, v in sorted(wanted.items())}

    actual_by_day: dict[tuple[date, str], float] = {}
    for span in spans:
        key = (span.day, span.app.executable)
        actual_by_day[key] = actual_by_day.get(key, 0.0) + span.seconds
    assert actual_by_day == by_day_and_app(expected, zone, day_start)

    # Never more than the time that passed, and nothing while the lid was closed.
    total = sum(span.seconds for span in spans)
    asleep = sum(b - a for a, b in sleeps)
    assert total <= sim.clock.elapsed() - asleep
    for a, b in sleeps:
        lid_closed, lid_open = start + timedelta(seconds=a), start + timedelta(seconds=b)
        assert all(span.end <= lid_closed or span.start >= lid_open for span in spans)


@given(script=scripts, start=starts, zone=zones, every=st.sampled_from([10, 15]))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_with_breaks_and_a_cap_the_overlay_time_never_counts(script, start, zone, every) -> None:
    """With breaks and a cap, the overlay comes and goes by the engine's decisions; the samples
    the engine actually got are then the input of the reference model."""
    strict = Settings().replace(daily_cap_minutes=40, break_every_minutes=every, break_length_minutes=2)
    sim = Simulation(strict, start, zone)
    seen: list[Tick] = []
    last_input = 0.0
    engine_tick = sim.engine.tick

    def recording_tick(sample: Sample, tz=None):
        nonlocal last_input
        assert sample.idle_seconds is not None
        last_input = sample.elapsed - sample.idle_seconds
        seen.append(Tick(sample.elapsed, sample.app, last_input, sample.media_playing, sample.locked))
        return engine_tick(sample, tz)

    sim.engine.tick = recording_tick  # type: ignore[method-assign]
    # The first tick happened in the constructor, with nothing in front.
    seen.append(Tick(0.0, None, 0.0))
    run_script(sim, [*script, ("use", GAME, 300), ("use", BROWSER, 300)])
    seen.sort(key=lambda t: t.elapsed)  # the constructor's tick came first in time

    spans = list(sim.spans.values())
    assert_spans_are_sound(spans, zone, Settings().day_starts_at)
    expected = expected_stretches(seen, 180)
    wanted: dict[str, float] = {}
    for s, e, app in expected:
        wanted[app.executable] = wanted.get(app.executable, 0.0) + (e - s) / 60
    assert sim.minutes_by_app() == {k: round(v, 4) for k, v in sorted(wanted.items())}

    covered = [
        (start + timedelta(seconds=a.elapsed), start + timedelta(seconds=b.elapsed))
        for a, b in itertools.pairwise(seen)
        if a.app == OVERLAY
    ]
    for a, b in covered:
        assert all(span.end <= a or span.start >= b for span in spans)


# --- the accountant directly: titles --------------------------------------------------------------


def feed(accountant: Accountant, elapsed: float, title: str | None) -> list[UsageSpan]:
    when = datetime(2026, 11, 24, 5, 0, tzinfo=UTC) + timedelta(seconds=elapsed)
    sample = Sample(elapsed, when, BROWSER, idle_seconds=0.0, title=title)
    return accountant.feed(sample, when, ZoneInfo("Asia/Almaty")).changed


def test_window_titles_are_kept_only_when_the_user_turns_that_on() -> None:
    uids = (f"s{n}" for n in itertools.count())
    keeping = Accountant(Settings(store_window_titles=True), new_uid=lambda: next(uids))
    for second, title in enumerate(["Mail", "Mail", "Mail", "News", "News"]):
        feed(keeping, float(second), title)
    assert [(s.title, s.seconds) for s in keeping.pending()] == [("Mail", 3.0), ("News", 1.0)]

    private = Accountant(Settings(), new_uid=lambda: next(uids))
    for second, title in enumerate(["Mail", "Mail", "Mail", "News", "News"]):
        feed(private, float(second), title)
    assert [(s.title, s.seconds) for s in private.pending()] == [(None, 4.0)]
