"""Trusted time: it runs with the elapsed counter whatever is done to the wall clock."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellbeing_app.core.timebase import JUMP_TOLERANCE_SECONDS, TimeBase

START = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
TOLERANCE = JUMP_TOLERANCE_SECONDS

# Quarter seconds keep float seconds and timedelta microseconds exact, so equality is exact.
quarters = st.integers(min_value=0, max_value=4 * 3600).map(lambda n: n / 4)
drifts = st.integers(min_value=int(-4 * TOLERANCE), max_value=int(4 * TOLERANCE)).map(lambda n: n / 4)
jumps = st.one_of(
    st.integers(min_value=int(4 * TOLERANCE) + 1, max_value=4 * 3 * 86400),
    st.integers(min_value=-4 * 3 * 86400, max_value=-int(4 * TOLERANCE) - 1),
).map(lambda n: n / 4)
wall_changes = st.one_of(st.just(0.0), drifts, jumps)
#: One reading: how long since the previous one, and how much someone moved the wall clock.
steps = st.lists(st.tuples(quarters, wall_changes), min_size=1, max_size=60)


def run(step_list: list[tuple[float, float]]):
    """Feed the readings; yield (elapsed, wall change before it, observation)."""
    timebase = TimeBase()
    elapsed, wall_offset = 100.0, 0.0
    first = timebase.observe(elapsed, START)
    assert first.trusted == START
    assert first.jump_seconds is None
    for advance, change in step_list:
        elapsed += advance
        wall_offset += change
        wall = START + timedelta(seconds=elapsed - 100.0 + wall_offset)
        yield elapsed, change, timebase.observe(elapsed, wall), timebase


@given(steps)
def test_trusted_time_advances_exactly_with_elapsed_whatever_the_wall_clock_does(step_list) -> None:
    for elapsed, _, observation, timebase in run(step_list):
        assert observation.trusted == START + timedelta(seconds=elapsed - 100.0)
        assert timebase.trusted_at(elapsed + 7.5) == observation.trusted + timedelta(seconds=7.5)


@given(steps)
def test_each_change_beyond_the_tolerance_is_reported_once_with_its_size(step_list) -> None:
    reported = []
    for _, change, observation, _ in run(step_list):
        if abs(change) > TOLERANCE:
            assert observation.jump_seconds == change
            reported.append(observation.jump_seconds)
        else:
            assert observation.jump_seconds is None
    assert reported == [change for _, change in step_list if abs(change) > TOLERANCE]


@given(st.lists(st.tuples(quarters, drifts), min_size=1, max_size=200), jumps)
@settings(max_examples=50)
def test_drift_within_the_tolerance_is_followed_and_never_reported(drift_steps, jump) -> None:
    """ "Followed" means the skew follows the drift: however much drift adds up, it is never
    reported, and a later jump is reported with its own size, not with the drift added."""
    total_drift, last_elapsed, last_timebase = 0.0, 0.0, None
    for elapsed, change, observation, timebase in run(drift_steps):
        total_drift += change
        assert observation.jump_seconds is None
        assert timebase.skew_seconds == total_drift
        last_elapsed, last_timebase = elapsed, timebase
    assert last_timebase is not None
    elapsed, timebase = last_elapsed, last_timebase
    later = timebase.observe(elapsed + 1, START + timedelta(seconds=elapsed - 99 + total_drift + jump))
    assert later.jump_seconds == jump
    assert later.trusted == START + timedelta(seconds=elapsed - 99)


def test_a_clock_nudged_forward_just_under_the_tolerance_every_second_gains_nothing() -> None:
    # 8 hours of +1.9 s a second: before the fix trusted time ran 2.9 times too fast, so the
    # day ended (and a fresh cap began) about 6 hours early.
    timebase = TimeBase()
    timebase.observe(0.0, START)
    wall = START
    for second in range(1, 8 * 3600 + 1):
        wall += timedelta(seconds=2.9)
        observation = timebase.observe(float(second), wall)
        assert observation.jump_seconds is None
    assert observation.trusted == START + timedelta(hours=8)


def test_a_small_step_back_loses_no_time() -> None:
    # An NTP step of -1.5 s: trusted time neither stops nor goes back.
    timebase = TimeBase()
    timebase.observe(0.0, START)
    assert timebase.observe(1.0, START + timedelta(seconds=1)).trusted == START + timedelta(seconds=1)
    stepped = timebase.observe(2.0, START + timedelta(seconds=0.5))
    assert stepped.trusted == START + timedelta(seconds=2)
    assert stepped.jump_seconds is None


def test_the_wall_time_must_be_aware_and_trusted_time_needs_a_first_reading() -> None:
    timebase = TimeBase()
    with pytest.raises(RuntimeError, match="before the first observation"):
        timebase.trusted_at(1.0)
    with pytest.raises(ValueError, match="aware"):
        timebase.observe(1.0, datetime(2026, 3, 29, 0, 30))
