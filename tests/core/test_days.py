"""Local days that start at `day_starts_at`: properties over 2020–2035 in zones with odd DST rules."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellbeing_app.core.days import day_bounds, day_of, split_by_day, utc_offset

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # DST of 30 minutes
    "Asia/Almaty",  # left UTC+6 for UTC+5 on 2024-03-01: one 25-hour day, no DST
    "Pacific/Chatham",  # UTC+12:45, DST at 02:45
    "America/St_Johns",  # UTC-3:30
    "UTC",
]

#: The lengths a local day may have: 24 h, or 24 h minus/plus the zone's clock change.
DAY_LENGTHS = {
    "Australia/Lord_Howe": {timedelta(hours=23.5), timedelta(hours=24), timedelta(hours=24.5)},
    "UTC": {timedelta(hours=24)},
}
USUAL_LENGTHS = {timedelta(hours=23), timedelta(hours=24), timedelta(hours=25)}

zones = st.sampled_from(ZONES).map(ZoneInfo)
day_starts = st.builds(time, st.integers(0, 11), st.integers(0, 59)) | st.just(time(12, 0))
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))

BERLIN = ZoneInfo("Europe/Berlin")
FOUR = time(4, 0)


@given(instant=instants, zone=zones, day_start=day_starts)
def test_an_instant_lies_within_the_bounds_of_its_day(instant, zone, day_start) -> None:
    day = day_of(instant, zone, day_start)
    start, end = day_bounds(day, zone, day_start)
    assert start <= instant < end


@given(instant=instants, zone=zones, day_start=day_starts)
def test_use_before_the_day_start_belongs_to_the_day_before(instant, zone, day_start) -> None:
    """Clear of the day start by more than an hour (the largest clock change of these zones), the
    day is the local date, or the one before when the local time is before the day start."""
    local = instant.astimezone(zone).replace(tzinfo=None)
    day = day_of(instant, zone, day_start)
    assert day in {local.date(), local.date() - timedelta(days=1)}
    local_day_start = datetime.combine(local.date(), day_start)
    if local >= local_day_start + timedelta(hours=1):
        assert day == local.date()
    if local < local_day_start - timedelta(hours=1):
        assert day == local.date() - timedelta(days=1)


@given(day=days, zone=zones, day_start=day_starts)
def test_the_bounds_of_consecutive_days_touch(day, zone, day_start) -> None:
    _, end = day_bounds(day, zone, day_start)
    next_start, _ = day_bounds(day + timedelta(days=1), zone, day_start)
    assert end == next_start


@given(day=days, zone=zones, day_start=day_starts)
def test_a_day_is_24_hours_or_off_by_the_zones_clock_change(day, zone, day_start) -> None:
    start, end = day_bounds(day, zone, day_start)
    assert end - start in DAY_LENGTHS.get(zone.key, USUAL_LENGTHS)
    assert day_of(start, zone, day_start) == day
    assert day_of(end - timedelta(microseconds=1), zone, day_start) == day


@given(
    start=instants,
    length=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9)),
    zone=zones,
    day_start=day_starts,
)
@settings(max_examples=200)
def test_split_by_day_cuts_a_stretch_into_contiguous_pieces_one_per_day(
    start, length, zone, day_start
) -> None:
    end = start + length
    pieces = list(split_by_day(start, end, zone, day_start))
    if length == timedelta(0):
        assert pieces == []
        return
    assert pieces[0][1] == start
    assert pieces[-1][2] == end
    for (_, _, previous_end), (_, piece_start, _) in itertools.pairwise(pieces):
        assert piece_start == previous_end
    for day, piece_start, piece_end in pieces:
        day_start_at, day_end_at = day_bounds(day, zone, day_start)
        assert piece_start < piece_end
        assert day_start_at <= piece_start
        assert piece_end <= day_end_at
    assert [day for day, _, _ in pieces] == [pieces[0][0] + timedelta(days=n) for n in range(len(pieces))]
    assert sum((e - s for _, s, e in pieces), timedelta(0)) == length


def test_split_by_day_refuses_a_stretch_that_ends_before_it_starts() -> None:
    now = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="before it starts"):
        list(split_by_day(now, now - timedelta(seconds=1), BERLIN, FOUR))


def test_day_of_refuses_a_naive_instant() -> None:
    with pytest.raises(ValueError, match="aware"):
        day_of(datetime(2026, 3, 29, 12, 0), BERLIN, FOUR)


# --- exact examples: Berlin, day starts at 04:00 ----------------------------------------------


def test_the_berlin_spring_forward_day_has_23_hours() -> None:
    # Clocks go from 02:00 CET to 03:00 CEST in the night of Saturday 2026-03-28 to Sunday.
    start, end = day_bounds(date(2026, 3, 28), BERLIN, FOUR)
    assert start == datetime(2026, 3, 28, 3, 0, tzinfo=UTC)  # 04:00 CET
    assert end == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)  # 04:00 CEST
    assert end - start == timedelta(hours=23)
    # 01:30 CET and 03:30 CEST that night both belong to Saturday.
    assert day_of(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), BERLIN, FOUR) == date(2026, 3, 28)
    assert day_of(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), BERLIN, FOUR) == date(2026, 3, 28)
    assert day_of(datetime(2026, 3, 29, 2, 0, tzinfo=UTC), BERLIN, FOUR) == date(2026, 3, 29)


def test_the_berlin_fall_back_day_has_25_hours() -> None:
    # Clocks go from 03:00 CEST back to 02:00 CET in the night of Saturday 2026-10-24 to Sunday.
    start, end = day_bounds(date(2026, 10, 24), BERLIN, FOUR)
    assert start == datetime(2026, 10, 24, 2, 0, tzinfo=UTC)  # 04:00 CEST
    assert end == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)  # 04:00 CET
    assert end - start == timedelta(hours=25)
    # Both 02:30s of that night belong to Saturday.
    first, second = datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert (
        first.astimezone(BERLIN).strftime("%H:%M") == second.astimezone(BERLIN).strftime("%H:%M") == "02:30"
    )
    assert day_of(first, BERLIN, FOUR) == day_of(second, BERLIN, FOUR) == date(2026, 10, 24)


def test_a_night_across_the_berlin_spring_forward_is_split_at_four() -> None:
    # 03:30 CEST to 04:30 CEST on 2026-03-29: 30 minutes each side of the day start.
    pieces = list(
        split_by_day(
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC), datetime(2026, 3, 29, 2, 30, tzinfo=UTC), BERLIN, FOUR
        )
    )
    assert [(day, end - start) for day, start, end in pieces] == [
        (date(2026, 3, 28), timedelta(minutes=30)),
        (date(2026, 3, 29), timedelta(minutes=30)),
    ]


def test_a_day_start_inside_the_spring_forward_gap_moves_forward_by_the_gap() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29; that day starts at 03:30 CEST instead.
    start, end = day_bounds(date(2026, 3, 29), BERLIN, time(2, 30))
    assert start.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"
    assert end - start == timedelta(hours=23)
    assert day_bounds(date(2026, 3, 28), BERLIN, time(2, 30))[1] == start


def test_utc_offset_follows_the_zone() -> None:
    assert utc_offset(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), BERLIN) == timedelta(hours=1)
    assert utc_offset(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), BERLIN) == timedelta(hours=2)
    chatham = ZoneInfo("Pacific/Chatham")
    assert utc_offset(datetime(2026, 7, 1, tzinfo=UTC), chatham) == timedelta(hours=12, minutes=45)


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("Asia/Almaty", date(2024, 2, 29), 25),  # UTC+6 → UTC+5 at midnight
        ("Asia/Almaty", date(2024, 3, 1), 24),
        ("Australia/Lord_Howe", date(2026, 4, 4), 24.5),  # half an hour back
        ("Australia/Lord_Howe", date(2026, 10, 3), 23.5),  # half an hour forward
        ("Pacific/Chatham", date(2026, 4, 4), 25),
        ("Pacific/Chatham", date(2026, 9, 26), 23),
        ("America/St_Johns", date(2026, 3, 7), 23),
        ("America/New_York", date(2026, 10, 31), 25),
    ],
)
def test_days_around_odd_clock_changes(zone: str, day: date, hours: float) -> None:
    start, end = day_bounds(day, ZoneInfo(zone), FOUR)
    assert end - start == timedelta(hours=hours)
    assert start.astimezone(ZoneInfo(zone)).strftime("%H:%M") == "04:00"
    assert end.astimezone(ZoneInfo(zone)).strftime("%H:%M") == "04:00"
