"""The clock moved while tracking: jumps of an hour and a day both ways, a time-zone change, DST, the
day start. Truth is the seconds the person really used; the records must say exactly that, on the
right days, and moving the clock must never open a fresh day's cap.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.reliability.conftest import BERLIN, GAME, clock_at, tracking
from wellbeing_app.core.model import BlockReason, EventKind, Verdict
from wellbeing_app.service import Service


def seconds_by_day(service: Service, days: int = 4) -> dict[date, float]:
    totals: dict[date, float] = {}
    for row in service.report(days):
        totals[row.day] = totals.get(row.day, 0.0) + row.seconds
    return totals


JUMPS = [
    # (start, jump): each jump crosses the 04:00 day start on the wall clock, or a whole day
    ((2026, 11, 25, 3, 10), timedelta(hours=1)),
    ((2026, 11, 25, 4, 10), timedelta(hours=-1)),
    ((2026, 11, 25, 10, 0), timedelta(days=1)),
    ((2026, 11, 25, 10, 0), timedelta(days=-1)),
]


@pytest.mark.parametrize(("start", "jump"), JUMPS, ids=["+1h", "-1h", "+1d", "-1d"])
def test_a_wall_clock_jump_while_tracking_changes_no_usage_opens_no_new_day_and_is_recorded(
    data_dir: Path, start: tuple[int, int, int, int, int], jump: timedelta
) -> None:
    clock = clock_at(*start)
    service, person = tracking(data_dir, clock, break_every_minutes=None, daily_cap_minutes=40)
    person.use(GAME, 20 * 60)
    day = service.today()

    clock.jump_wall(jump)
    result = person.use(GAME, 25 * 60)

    assert service.today() == day
    assert result.decision.verdict is Verdict.BLOCK  # 45 min used of 40: no fresh cap
    assert result.decision.reason is BlockReason.CAP
    assert service.status().used_seconds == 45 * 60
    assert seconds_by_day(service) == {day: 45 * 60}
    jumps = service.events(2, [EventKind.CLOCK_JUMP])
    assert [event.payload.seconds for event in jumps] == [round(jump.total_seconds())]

    # another process reading now (the command line's `status`) sees the same day and usage
    reader = Service.open(data_dir, clock=clock)
    assert reader.status().day == day
    assert reader.status().used_seconds == 45 * 60
    reader.close()

    # a restart of the tracker in the same boot still trusts the elapsed time, not the moved clock
    service.close()
    restarted, person = tracking(data_dir, clock, break_every_minutes=None)
    assert person.use(GAME, 60).decision.verdict is Verdict.BLOCK
    assert restarted.status().used_seconds == 46 * 60
    assert seconds_by_day(restarted) == {day: 46 * 60}
    restarted.close()


def test_a_time_zone_change_is_recorded_and_changes_no_usage(data_dir: Path) -> None:
    clock = clock_at(2026, 11, 25, 10)  # Berlin 10:00 = Almaty 14:00, the same day in both
    service, person = tracking(data_dir, clock, break_every_minutes=None, daily_cap_minutes=40)
    person.use(GAME, 20 * 60)

    clock.set_zone(ZoneInfo("Asia/Almaty"))
    result = person.use(GAME, 25 * 60)

    assert result.decision.verdict is Verdict.BLOCK
    assert service.status().used_seconds == 45 * 60
    assert seconds_by_day(service) == {date(2026, 11, 25): 45 * 60}
    [changed] = service.events(1, [EventKind.ZONE_CHANGED])
    assert changed.payload.to_json() == {"old": "Europe/Berlin", "new": "Asia/Almaty"}
    assert service.events(1, [EventKind.CLOCK_JUMP]) == []  # the instant did not move
    service.close()


def test_a_time_zone_change_far_east_opens_no_fresh_cap(data_dir: Path) -> None:
    clock = clock_at(2026, 11, 25, 20)  # Berlin 20:00 = Kiritimati (UTC+14) 09:00 the next day
    service, person = tracking(data_dir, clock, break_every_minutes=None, daily_cap_minutes=40)
    person.use(GAME, 41 * 60)
    assert person.last is not None
    assert person.last.decision.verdict is Verdict.BLOCK

    clock.set_zone(ZoneInfo("Pacific/Kiritimati"))
    result = person.use(GAME, 60)

    assert service.events(2, [EventKind.ZONE_CHANGED])  # recorded, at least
    assert result.decision.verdict is Verdict.BLOCK


@pytest.mark.parametrize(
    ("start", "seconds", "expected"),
    [
        # spring forward: 02:00 CET -> 03:00 CEST. 01:30-04:30 on the wall is 2 h of real time,
        # 1.5 h of it before 04:00 (the 28th's day), 0.5 h after
        ((2026, 3, 29, 1, 30), 2 * 3600, {date(2026, 3, 28): 5400, date(2026, 3, 29): 1800}),
        # fall back: 03:00 CEST -> 02:00 CET. 01:30-04:30 on the wall is 4 h, 3.5 h before 04:00
        ((2026, 10, 25, 1, 30), 4 * 3600, {date(2026, 10, 24): 12600, date(2026, 10, 25): 1800}),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_dst_changes_count_real_seconds_on_the_right_days_and_are_no_clock_jump(
    data_dir: Path, start: tuple[int, int, int, int, int], seconds: int, expected: dict[date, float]
) -> None:
    clock = clock_at(*start)
    service, person = tracking(data_dir, clock, break_every_minutes=None, daily_cap_minutes=None)

    person.use(GAME, seconds, step=4)

    assert clock.wall().astimezone(BERLIN).strftime("%H:%M") == "04:30"
    assert seconds_by_day(service) == expected
    assert service.status().used_seconds == expected[max(expected)]
    assert service.events(2, [EventKind.CLOCK_JUMP, EventKind.ZONE_CHANGED]) == []
    service.close()


def test_crossing_the_day_start_while_active_splits_the_time_and_only_then_the_cap_is_fresh(
    data_dir: Path,
) -> None:
    clock = clock_at(2026, 11, 25, 3, 0)
    service, person = tracking(data_dir, clock, break_every_minutes=None, daily_cap_minutes=40)
    person.use(GAME, 50 * 60)  # 03:00-03:50: the 40 min cap of the 24th is used up
    blocked = person.last
    assert blocked is not None
    assert blocked.decision.verdict is Verdict.BLOCK
    assert blocked.decision.until is not None
    assert blocked.decision.until.astimezone(BERLIN).strftime("%d %H:%M") == "25 04:00"

    result = person.use(GAME, 20 * 60)  # 03:50-04:10

    assert result.decision.verdict is Verdict.ALLOW
    assert service.status().used_seconds == 10 * 60
    assert seconds_by_day(service) == {date(2026, 11, 24): 60 * 60, date(2026, 11, 25): 10 * 60}
    service.close()
