"""Suspend and sleep: time in which the tracker did not run is never counted, and sleeping through a
break that was due (or running) satisfies it. A stopped tracker on an awake machine in use is not
sleep: that time counts, as an app that cannot be named, and is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.conftest import GAME, clock_at, tracking
from wellbeing_app.core.model import SELF_APP, UNKNOWN_APP, EventKind, Verdict

OVERLAY = SELF_APP  # the break overlay in front


def test_a_suspend_is_never_counted_and_is_recorded(data_dir: Path) -> None:
    clock = clock_at(2026, 11, 25, 10)
    service, person = tracking(data_dir, clock, break_every_minutes=None)
    person.use(GAME, 10 * 60)

    clock.sleep(3600)  # the lid is closed: elapsed and wall run on, the awake counter stops, no tick
    person.use(GAME, 5 * 60)

    assert service.status().used_seconds == 15 * 60
    assert sum(row.seconds for row in service.report(1)) == 15 * 60
    [suspend] = service.events(1, [EventKind.SUSPEND])
    assert suspend.payload.seconds == 3600
    assert service.events(1, [EventKind.CLOCK_JUMP]) == []  # the clock did not jump; time passed
    service.close()


def test_sleeping_through_a_running_break_ends_it_worked_example_9(data_dir: Path) -> None:
    clock = clock_at(2026, 11, 25, 13, 30)
    service, person = tracking(data_dir, clock, break_every_minutes=30, break_length_minutes=5)
    started = person.use(GAME, 30 * 60)  # 13:30-14:00: the break begins at 14:00
    assert started.decision.verdict is Verdict.BREAK
    person.use(OVERLAY, 60)  # 14:01, the lid closes

    clock.sleep(19 * 60)  # opened at 14:20: the break ended at 14:05
    after = person.tick(GAME)

    assert after.decision.verdict is Verdict.ALLOW
    assert after.decision.next_break_in_seconds is not None
    assert after.decision.next_break_in_seconds >= 29 * 60  # a fresh session, no break owed
    assert service.status().used_seconds == 30 * 60  # neither the break nor the sleep counted
    service.close()


def test_sleeping_through_a_break_that_was_due_satisfies_it(data_dir: Path) -> None:
    clock = clock_at(2026, 11, 25, 13, 30)
    service, person = tracking(data_dir, clock, break_every_minutes=30, break_length_minutes=5)
    noticed = person.use(GAME, 29 * 60 + 30)  # the notice came at 29 min; the break is 30 s away
    assert noticed.decision.verdict is Verdict.ALLOW
    assert service.events(1, [EventKind.BREAK_NOTICE])

    clock.sleep(10 * 60)  # asleep for longer than a break
    after = person.use(GAME, 60)

    assert after.decision.verdict is Verdict.ALLOW
    assert after.decision.next_break_in_seconds is not None
    assert after.decision.next_break_in_seconds >= 28 * 60
    assert service.events(1, [EventKind.BREAK_NATURAL])
    assert service.events(1, [EventKind.BREAK_STARTED]) == []
    assert service.status().used_seconds == 30 * 60 + 30
    service.close()


def test_a_short_suspend_is_not_a_break_but_is_not_counted_either(data_dir: Path) -> None:
    clock = clock_at(2026, 11, 25, 13, 30)
    service, person = tracking(data_dir, clock, break_every_minutes=30, break_length_minutes=5)
    person.use(GAME, 20 * 60)

    clock.sleep(2 * 60)  # two minutes asleep: less than a break's length
    result = person.use(GAME, 10 * 60)

    assert result.decision.verdict is Verdict.BREAK  # 30 min of use since the last break
    assert service.status().used_seconds == 30 * 60
    service.close()


def test_a_stopped_tracker_is_not_sleep_the_time_in_use_counts_and_is_recorded(data_dir: Path) -> None:
    clock = clock_at(2026, 11, 25, 10)
    service, person = tracking(data_dir, clock, break_every_minutes=None, daily_cap_minutes=40)
    for _ in range(3):  # while :; do kill -STOP $PID; sleep 55; kill -CONT $PID; sleep 1; done
        clock.advance(55)  # stopped: elapsed and the awake counter both run on; the game is played
        person.tick(GAME, idle=0.5)
        clock.advance(1)
        person.tick(GAME)

    assert service.status().used_seconds == pytest.approx(3 * 56 - 3 * 0.5, abs=0.01)
    assert [row.app for row in service.report(1)] == [UNKNOWN_APP, GAME]
    unwatched = service.events(1, [EventKind.UNWATCHED])
    assert [e.payload.seconds for e in unwatched] == [54, 54, 54]
    assert service.events(1, [EventKind.SUSPEND]) == []  # it did not sleep
    service.close()


def test_a_stopped_tracker_with_nobody_at_the_computer_counts_nothing(data_dir: Path) -> None:
    clock = clock_at(2026, 11, 25, 10)
    service, person = tracking(data_dir, clock, break_every_minutes=None)
    person.use(GAME, 60)
    clock.advance(300)  # stopped for five minutes; no input since
    person.tick(GAME, idle=300)
    assert service.status().used_seconds == 60
    assert service.events(1, [EventKind.UNWATCHED]) == []
    service.close()
