"""The escalation of a protected session, stepped on a simulated clock: scenes a parent would
recognise, then properties over random days."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellbeing_app.core.model import LockReason
from wellbeing_app.guard.escalation import Escalation, Lock, Observation, Stage, Step, Terminate


@dataclass
class Session:
    """The child's session as the guard would see it, reacting to the guard's actions like a real
    one: with a screen locker a lock takes at the next tick; an ended session is gone."""

    block: bool = True
    counted_app_in_front: bool = True
    agent_live: bool = False
    locker: bool = True
    locked: bool = False
    ended: bool = False
    now: float = 0.0
    steps: list[tuple[float, Step]] = field(default_factory=list)
    seen: list[Observation] = field(default_factory=list)

    def run(self, escalation: Escalation, seconds: float, *, tick: float = 1.0) -> list[tuple[float, Step]]:
        """Tick for `seconds`; returns the steps that asked for something, with their times."""
        asked = []
        end = self.now + seconds
        while self.now < end - 1e-9 and not self.ended:
            seen = Observation(self.now, self.block, self.counted_app_in_front, self.agent_live, self.locked)
            step = escalation.tick(seen)
            for action in step.actions:
                if isinstance(action, Lock) and self.locker:
                    self.locked = True
                if isinstance(action, Terminate):
                    self.ended = True
            if step.actions:
                asked.append((self.now, step))
            self.steps.append((self.now, step))
            self.seen.append(seen)
            self.now += tick
        return asked


def actions(asked: Iterable[tuple[float, Step]]) -> list[tuple[float, Lock | Terminate]]:
    return [(when, action) for when, step in asked for action in step.actions]


def test_agent_killed_at_the_cap_locks_relocks_after_each_unlock_then_ends_the_session() -> None:
    escalation = Escalation("c2", lock_limit=3)
    child = Session(agent_live=False)

    assert actions(child.run(escalation, 10)) == [(5.0, Lock("c2", LockReason.OVERLAY_DOWN, 1, 3))]
    assert child.locked
    assert child.run(escalation, 60) == []  # locked: nothing more to do

    child.locked = False  # the child types their password
    assert actions(child.run(escalation, 5)) == [(70.0, Lock("c2", LockReason.UNLOCKED, 2, 3))]
    child.locked = False
    assert actions(child.run(escalation, 5)) == [(75.0, Lock("c2", LockReason.UNLOCKED, 3, 3))]
    child.locked = False
    assert actions(child.run(escalation, 5)) == [(80.0, Terminate("c2", 3))]
    assert child.ended


def test_the_events_say_what_each_step_was() -> None:
    escalation = Escalation("c2", lock_limit=1)
    child = Session(agent_live=True)
    (_, first), *_ = child.run(escalation, 10)
    child.locked = False
    (_, second), *_ = child.run(escalation, 1)

    assert [event.kind.value for event in first.events + second.events] == ["session_locked", "session_ended"]
    assert first.events[0].reason is LockReason.APP_IN_FRONT
    assert (first.events[0].count, first.events[0].limit, second.events[0].locks) == (1, 1, 1)


def test_the_block_screen_in_front_is_never_locked_out_all_day() -> None:
    escalation = Escalation("c2")
    child = Session(agent_live=True, counted_app_in_front=False)  # the overlay covers the game
    assert child.run(escalation, 24 * 3600, tick=1.0) == []


def test_an_allowed_app_or_the_desktop_without_an_agent_is_never_locked() -> None:
    escalation = Escalation("c2")
    child = Session(agent_live=False, counted_app_in_front=False)
    assert child.run(escalation, 3 * 3600) == []


def test_a_counted_app_now_and_then_in_front_is_not_locked() -> None:
    escalation = Escalation("c2", grace=5)
    child = Session(agent_live=True)
    for _ in range(360):  # an hour: 2 s of the game, then the block screen for 8 s (it drains 2)
        child.counted_app_in_front = True
        assert child.run(escalation, 2) == []
        child.counted_app_in_front = False
        assert child.run(escalation, 8) == []


def test_hiding_the_block_screen_again_and_again_gains_nothing_by_the_gaps() -> None:
    escalation = Escalation("c2", grace=5)
    child = Session(agent_live=True)
    asked = []
    for _ in range(3):  # 4 s of the game, 1 s of the block screen put back, again and again
        child.counted_app_in_front = True
        asked += actions(child.run(escalation, 4))
        child.counted_app_in_front = False
        asked += actions(child.run(escalation, 1))
    # The game in front 0–4 s and from 5 s on; the gap drained a quarter of a second: locked at 7 s.
    assert asked == [(7.0, Lock("c2", LockReason.APP_IN_FRONT, 1, 3))]


def test_a_lock_that_does_not_take_is_asked_again_and_counts() -> None:
    escalation = Escalation("c2", lock_limit=3, grace=5, lock_wait=5)
    child = Session(agent_live=False, locker=False)  # no screen locker in the session

    assert actions(child.run(escalation, 30)) == [
        (5.0, Lock("c2", LockReason.OVERLAY_DOWN, 1, 3)),
        (10.0, Lock("c2", LockReason.NOT_LOCKED, 2, 3)),
        (15.0, Lock("c2", LockReason.NOT_LOCKED, 3, 3)),
        (20.0, Terminate("c2", 3)),
    ]


def test_an_end_that_does_not_happen_is_asked_again() -> None:
    escalation = Escalation("c2", lock_limit=1, lock_wait=5)
    observe = Observation(
        now=0, block_standing=True, counted_app_in_front=True, agent_live=False, locked=False
    )
    asked = [
        escalation.tick(Observation(**{**observe.__dict__, "now": float(t)})).actions for t in range(0, 21)
    ]
    assert [(t, a) for t, acts in enumerate(asked) for a in acts] == [
        (5, Lock("c2", LockReason.OVERLAY_DOWN, 1, 1)),
        (10, Terminate("c2", 1)),
        (15, Terminate("c2", 1)),
        (20, Terminate("c2", 1)),
    ]


def test_limit_zero_never_ends_the_session() -> None:
    escalation = Escalation("c2", lock_limit=0)
    child = Session(agent_live=False)
    for _ in range(20):
        child.run(escalation, 30)
        child.locked = False
    asked = actions(child.steps)
    assert not child.ended
    assert all(isinstance(action, Lock) for _, action in asked)
    assert [action.count for _, action in asked] == list(range(1, 21))


def test_a_new_block_counts_from_one_again() -> None:
    escalation = Escalation("c2", lock_limit=3)
    child = Session(agent_live=False)
    child.run(escalation, 10)
    child.locked = False
    child.run(escalation, 1)  # lock 2
    assert escalation.locks == 2

    child.block, child.locked = False, False  # more time granted: the block lifts
    assert child.run(escalation, 600) == []
    assert escalation.stage is Stage.CLEAR

    child.block = True  # the grant is used up
    assert actions(child.run(escalation, 10)) == [(616.0, Lock("c2", LockReason.OVERLAY_DOWN, 1, 3))]


def test_a_lock_of_the_childs_own_then_an_unlock_gets_the_grace() -> None:
    escalation = Escalation("c2")
    child = Session(agent_live=True, locked=True)
    assert child.run(escalation, 60) == []
    child.locked = False
    assert actions(child.run(escalation, 10)) == [(65.0, Lock("c2", LockReason.APP_IN_FRONT, 1, 3))]


def test_a_lower_limit_set_by_the_parent_holds_from_the_next_lock() -> None:
    escalation = Escalation("c2", lock_limit=5)
    child = Session(agent_live=False)
    child.run(escalation, 10)
    escalation.configure(1)
    child.locked = False
    assert actions(child.run(escalation, 1)) == [(10.0, Terminate("c2", 1))]


@pytest.mark.parametrize("bad", [-1, 11, 2.5, True, "3", None])
def test_a_bad_lock_limit_is_refused_in_words(bad: object) -> None:
    with pytest.raises(
        ValueError, match=rf"lock_limit {bad!r} is not allowed; use a whole number from 0 to 10"
    ):
        Escalation("c2", lock_limit=bad)  # type: ignore[arg-type]


# -- properties over random days -----------------------------------------------------------------

#: One stretch of a simulated day: how long, and what holds during it.
stretches = st.tuples(
    st.floats(min_value=1, max_value=900),  # seconds
    st.booleans(),  # a block stands
    st.booleans(),  # a counted app in front
    st.booleans(),  # the agent lives
    st.booleans(),  # the session has a screen locker
    st.booleans(),  # the child unlocks at the start of the stretch
)


@settings(max_examples=150, deadline=None)
@given(
    day=st.lists(stretches, min_size=1, max_size=30),
    lock_limit=st.integers(min_value=0, max_value=10),
    tick=st.floats(min_value=0.5, max_value=30),
    grace=st.floats(min_value=0, max_value=30),
    lock_wait=st.floats(min_value=0.5, max_value=30),
)
def test_over_random_days_the_rules_hold(
    day: list[tuple[float, bool, bool, bool, bool, bool]],
    lock_limit: int,
    tick: float,
    grace: float,
    lock_wait: float,
) -> None:
    escalation = Escalation("c2", lock_limit=lock_limit, grace=grace, lock_wait=lock_wait)
    child = Session()
    for seconds, block, counted, agent, locker, unlocks in day:
        child.block, child.counted_app_in_front, child.agent_live, child.locker = (
            block,
            counted,
            agent,
            locker,
        )
        if unlocks:
            child.locked = False
        child.run(escalation, seconds, tick=tick)

    locks_in_block = 0
    front_since: float | None = None
    previous_block = False
    for (now, step), seen in zip(child.steps, child.seen, strict=True):
        if not seen.block_standing or not previous_block:
            locks_in_block = 0
        previous_block = seen.block_standing
        front_since = (front_since if front_since is not None else now) if seen.counted_app_in_front else None
        for action in step.actions:
            # Never outside a block; never with an allowed app, the desktop or the block screen
            # in front; never while the session is locked.
            assert seen.block_standing
            assert seen.counted_app_in_front
            assert not seen.locked
            if isinstance(action, Lock):
                locks_in_block += 1
                assert action.count == locks_in_block
                assert lock_limit == 0 or action.count <= lock_limit
                if action.reason in (LockReason.OVERLAY_DOWN, LockReason.APP_IN_FRONT):
                    assert front_since is not None
                    assert now - front_since >= grace - 1e-9
                    assert action.reason is (
                        LockReason.APP_IN_FRONT if seen.agent_live else LockReason.OVERLAY_DOWN
                    )
            else:
                # Never an end before `lock_limit` locks, and never with limit 0.
                assert lock_limit > 0
                assert locks_in_block == lock_limit == action.locks


@settings(max_examples=100, deadline=None)
@given(
    lock_limit=st.integers(min_value=1, max_value=10),
    agent=st.booleans(),
    grace=st.integers(min_value=0, max_value=20),
    lock_wait=st.integers(min_value=1, max_value=20),
)
def test_a_counted_app_held_in_front_without_a_locker_ends_the_session_in_time(
    lock_limit: int, agent: bool, grace: int, lock_wait: int
) -> None:
    escalation = Escalation("c2", lock_limit=lock_limit, grace=grace, lock_wait=lock_wait)
    child = Session(agent_live=agent, locker=False)
    child.run(escalation, grace + lock_limit * lock_wait + 1)
    assert child.ended
    assert escalation.locks == lock_limit
