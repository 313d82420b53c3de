"""The break state machine stepped by hand: each transition, the refusals, and that no sequence of
events reaches an impossible state."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellbeing_app.core.accounting import Activity
from wellbeing_app.core.breaks import (
    BreakError,
    BreakEvent,
    BreakPhase,
    BreakRules,
    BreakScheduler,
    BreakState,
    Postpone,
    Skip,
    Stage,
    TakeNow,
    Tick,
    transition,
)
from wellbeing_app.core.model import EventKind
from wellbeing_app.core.settings import Settings

from .conftest import example_settings

RULES = BreakRules.from_settings(example_settings())  # every 30 min, 5 min long, 1 postpone


def used(seconds: float) -> Activity:
    return Activity(True, None, seconds, 0.0, 0.0, 0.0)


def away(seconds: float) -> Activity:
    return Activity(False, None, 0.0, 0.0, seconds, 0.0)


def step(
    state: BreakState, event: BreakEvent
) -> tuple[BreakState, list[tuple[EventKind, dict[str, object]]]]:
    after, notes = transition(state, event, RULES)
    return after, [(n.kind, n.payload.to_json()) for n in notes]


def test_the_rules_come_from_the_settings() -> None:
    assert BreakRules(every_seconds=1800.0, length_seconds=300.0, postpones_allowed=1) == RULES
    assert BreakRules.from_settings(Settings(break_every_minutes=None)).every_seconds is None


def test_running_becomes_noticed_a_minute_before_the_break() -> None:
    state, notes = step(BreakState(), Tick(used(28 * 60), 28 * 60))
    assert (state.stage, notes) == (Stage.RUNNING, [])

    state, notes = step(state, Tick(used(60), 29 * 60))
    assert state == BreakState(Stage.NOTICED, 29 * 60)
    assert notes == [(EventKind.BREAK_NOTICE, {"in_seconds": 60})]

    state, notes = step(state, Tick(used(30), 29 * 60 + 30))  # noticed once, not at every tick
    assert (state.stage, notes) == (Stage.NOTICED, [])


def test_noticed_becomes_taking_when_the_break_is_due() -> None:
    state = BreakState(Stage.NOTICED, 29 * 60 + 59)
    state, notes = step(state, Tick(used(1), 5000.0))
    assert state == BreakState(Stage.TAKING, 30 * 60, ends_elapsed=5300.0)
    assert notes == [(EventKind.BREAK_STARTED, {"forced": True, "minutes": 5.0})]
    assert state.stage.phase is BreakPhase.ON_BREAK


def test_one_long_tick_goes_from_running_to_taking_without_a_notice() -> None:
    state, notes = step(BreakState(), Tick(used(31 * 60), 100.0))
    assert (state.stage, state.ends_elapsed) == (Stage.TAKING, 400.0)
    assert [kind for kind, _ in notes] == [EventKind.BREAK_STARTED]


def test_taking_ends_on_the_elapsed_counter_and_use_during_it_counts_for_nothing() -> None:
    taking = BreakState(Stage.TAKING, 30 * 60, ends_elapsed=1000.0)
    state, notes = step(taking, Tick(used(600), 999.0))
    assert (state, notes) == (taking, [])

    state, notes = step(state, Tick(used(600), 1000.0))
    assert state == BreakState()
    assert notes == [(EventKind.BREAK_TAKEN, {"forced": True})]


def test_taking_becomes_postponed_and_the_break_comes_five_minutes_of_use_later() -> None:
    taking = BreakState(Stage.TAKING, 30 * 60, ends_elapsed=1000.0)
    state, notes = step(taking, Postpone())
    assert state == BreakState(Stage.POSTPONED, 30 * 60, postpones_used=1)
    assert notes == [(EventKind.BREAK_POSTPONED, {"minutes": 5, "postpones_left": 0})]

    state, notes = step(state, Tick(used(4 * 60), 1240.0))  # 34 min: a minute before the break
    assert (state.stage, state.postpones_used) == (Stage.NOTICED, 1)
    assert notes == [(EventKind.BREAK_NOTICE, {"in_seconds": 60})]

    state, notes = step(state, Tick(used(60), 1300.0))  # 35 min: the postponed break begins
    assert state == BreakState(Stage.TAKING, 35 * 60, postpones_used=1, ends_elapsed=1600.0)


def test_a_postpone_beyond_the_allowance_is_refused_and_changes_nothing() -> None:
    scheduler = BreakScheduler(example_settings())
    scheduler.on_activity(used(30 * 60), 0.0)
    scheduler.postpone()
    scheduler.on_activity(used(5 * 60), 300.0)
    before = scheduler.state
    assert (before.stage, before.postpones_used, scheduler.view().postpones_left) == (Stage.TAKING, 1, 0)

    with pytest.raises(BreakError, match=r"1 postpone\(s\) allowed per break, 1 used"):
        scheduler.postpone()
    assert scheduler.state == before


def test_skipping_ends_the_break_and_forgets_its_postpones() -> None:
    taking = BreakState(Stage.TAKING, 35 * 60, postpones_used=1, ends_elapsed=1000.0)
    state, notes = step(taking, Skip())
    assert (state, notes) == (BreakState(), [(EventKind.BREAK_SKIPPED, {})])


@pytest.mark.parametrize(
    "before",
    [
        BreakState(Stage.RUNNING, 20 * 60),
        BreakState(Stage.NOTICED, 29 * 60 + 30),
        BreakState(Stage.POSTPONED, 31 * 60, postpones_used=1),
    ],
    ids=lambda s: s.stage.value,
)
def test_a_natural_break_from_any_working_stage_starts_afresh(before: BreakState) -> None:
    state, notes = step(before, Tick(away(5 * 60), 9000.0))
    assert state == BreakState()
    assert notes == [(EventKind.BREAK_NATURAL, {"away_seconds": 300})]


def test_a_short_absence_pauses_the_session_and_idle_time_is_taken_back() -> None:
    state, notes = step(BreakState(Stage.RUNNING, 20 * 60), Tick(away(4 * 60), 9000.0))
    assert (state, notes) == (BreakState(Stage.RUNNING, 20 * 60), [])

    retracted = Activity(False, None, 0.0, 180.0, 180.0, 0.0)
    state, _ = step(state, Tick(retracted, 9001.0))
    assert state.session_seconds == 17 * 60


def test_taking_a_break_now_is_asked_for_and_not_twice() -> None:
    state, notes = step(BreakState(Stage.RUNNING, 12 * 60), TakeNow(50.0))
    assert state == BreakState(Stage.TAKING, 12 * 60, ends_elapsed=350.0, forced=False)
    assert notes == [(EventKind.BREAK_STARTED, {"forced": False, "minutes": 5.0})]

    with pytest.raises(BreakError, match="a break is already running"):
        step(state, TakeNow(60.0))
    state, notes = step(state, Tick(used(1), 350.0))
    assert notes == [(EventKind.BREAK_TAKEN, {"forced": False})]


@pytest.mark.parametrize("stage", [Stage.RUNNING, Stage.NOTICED])
@pytest.mark.parametrize(
    ("action", "refusal"),
    [(Postpone(), "no break to postpone"), (Skip(), "no break to skip")],
    ids=["postpone", "skip"],
)
def test_postpone_and_skip_need_a_running_break(stage: Stage, action: BreakEvent, refusal: str) -> None:
    with pytest.raises(BreakError, match=refusal):
        step(BreakState(stage, 10 * 60), action)


def test_with_breaks_off_nothing_is_ever_due_but_a_break_can_still_be_taken() -> None:
    rules = BreakRules.from_settings(Settings(break_every_minutes=None))
    state, notes = transition(BreakState(), Tick(used(5 * 3600), 1.0), rules)
    assert (state.stage, notes) == (Stage.RUNNING, [])
    state, _ = transition(state, TakeNow(2.0), rules)
    assert state.stage is Stage.TAKING


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"stage": Stage.TAKING}, "only a running break has an end"),
        ({"stage": Stage.RUNNING, "ends_elapsed": 5.0}, "only a running break has an end"),
        ({"stage": Stage.RUNNING, "postpones_used": 1}, "POSTPONED or NOTICED"),
        ({"stage": Stage.POSTPONED}, "never postponed"),
        ({"stage": Stage.NOTICED, "forced": False}, "asked for"),
        ({"session_seconds": -1.0}, "negative"),
    ],
)
def test_impossible_states_cannot_be_made(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        BreakState(**fields)  # type: ignore[arg-type]


def test_the_view_follows_the_state() -> None:
    scheduler = BreakScheduler(example_settings())
    scheduler.on_activity(used(10 * 60), 0.0)
    view = scheduler.view()
    assert (view.phase, view.stage, view.next_break_in_seconds, view.postpones_left) == (
        BreakPhase.WORKING,
        Stage.RUNNING,
        20 * 60,
        1,
    )
    scheduler.start_now(100.0)
    view = scheduler.view()
    assert (view.phase, view.next_break_in_seconds, view.break_ends_elapsed, view.forced) == (
        BreakPhase.ON_BREAK,
        0.0,
        400.0,
        False,
    )


# --- any sequence of events ----------------------------------------------------------------------

activities = st.builds(
    Activity,
    present=st.booleans(),
    app=st.none(),
    active_seconds=st.floats(0, 900),
    retracted_seconds=st.floats(0, 900),
    away_seconds=st.floats(0, 2400),
    unobserved_seconds=st.one_of(st.just(0.0), st.floats(0, 4000)),
)
rules_of = st.builds(
    lambda every, length, allowed: Settings(
        break_every_minutes=every, break_length_minutes=length, postpones_allowed=allowed
    ),
    st.one_of(st.none(), st.integers(10, 120)),
    st.integers(1, 30),
    st.integers(0, 3),
)
#: "tick" with an activity and seconds to move on, an action, or new settings.
steps = st.lists(
    st.one_of(
        st.tuples(st.just("tick"), activities, st.floats(0, 3600)),
        st.sampled_from([("take",), ("postpone",), ("skip",)]),
        st.tuples(st.just("configure"), rules_of),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(start=rules_of, script=steps)
def test_no_sequence_of_events_reaches_an_impossible_state(start: Settings, script: list[tuple]) -> None:
    scheduler = BreakScheduler(start)
    elapsed = 0.0
    most_allowed = scheduler.rules.postpones_allowed  # the allowance can be lowered later
    for move in script:
        before, rules = scheduler.state, scheduler.rules
        try:
            match move:
                case ("tick", activity, seconds):
                    elapsed += seconds
                    notes = scheduler.on_activity(activity, elapsed)
                case ("take",):
                    notes = [scheduler.start_now(elapsed)]
                case ("postpone",):
                    notes = [scheduler.postpone()]
                case ("skip",):
                    notes = [scheduler.skip()]
                case ("configure", new):
                    scheduler.configure(new)
                    most_allowed = max(most_allowed, scheduler.rules.postpones_allowed)
                    notes = []
        except BreakError:
            assert scheduler.state == before  # a refused action changes nothing
            if move == ("postpone",) and before.stage is Stage.TAKING:
                assert before.postpones_used >= rules.postpones_allowed
            continue
        state, kinds = scheduler.state, [n.kind for n in notes]

        # A postpone is only ever granted within the allowance of that moment.
        if EventKind.BREAK_POSTPONED in kinds:
            assert before.postpones_used < rules.postpones_allowed
            assert state.postpones_used == before.postpones_used + 1
        assert state.postpones_used <= most_allowed
        if {EventKind.BREAK_TAKEN, EventKind.BREAK_SKIPPED, EventKind.BREAK_NATURAL} & set(kinds):
            assert state.postpones_used == 0

        # Working after a tick means the break is not yet due; a break runs for its length.
        due = rules.due_after_seconds(state)
        if move[0] == "tick" and state.stage is not Stage.TAKING and due is not None:
            assert state.session_seconds < due
        if EventKind.BREAK_STARTED in kinds:
            assert state.stage is Stage.TAKING
            assert state.ends_elapsed == elapsed + rules.length_seconds
        if EventKind.BREAK_NOTICE in kinds:
            assert state.stage is Stage.NOTICED

        view = scheduler.view()
        assert view.postpones_left >= 0
        assert view.next_break_in_seconds is None or view.next_break_in_seconds >= 0
        assert (view.phase is BreakPhase.ON_BREAK) == (state.stage is Stage.TAKING)
