"""Suspend and sleep: time in which the tracker did not run is never counted, and sleeping through a
break that was due (or running) satisfies it."""

from __future__ import annotations

from pathlib import Path

from tests.reliability.conftest import GAME, clock_at, tracking
from wellbeing_app.core.model import SELF_APP, EventKind, Verdict

OVERLAY = SELF_APP  # the break overlay in front


def test_a_suspend_is_never_counted_and_is_recorded(data_dir: Path) -> None:
    clock = clock_at(2026, 11, 25, 10)
    service, person = tracking(data_dir, clock, break_every_minutes=None)
    person.use(GAME, 10 * 60)

    clock.advance(3600)  # the lid is closed: elapsed and wall run on, no tick comes
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

    clock.advance(19 * 60)  # opened at 14:20: the break ended at 14:05
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

    clock.advance(10 * 60)  # asleep for longer than a break
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

    clock.advance(2 * 60)  # two minutes asleep: less than a break's length
    result = person.use(GAME, 10 * 60)

    assert result.decision.verdict is Verdict.BREAK  # 30 min of use since the last break
    assert service.status().used_seconds == 30 * 60
    service.close()
