"""Local days that start at `day_starts_at`: which day an instant belongs to, and splitting at day starts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

from .model import UsageSpan


@lru_cache(maxsize=256)
def _local_start(day: date, zone: tzinfo, day_start: time) -> datetime:
    """The instant (UTC) a local day begins. A day start inside a DST gap moves forward by the gap."""
    naive = datetime.combine(day, day_start)
    aware = naive.replace(tzinfo=zone)
    return aware.astimezone(UTC)


def day_bounds(day: date, zone: tzinfo, day_start: time) -> tuple[datetime, datetime]:
    """The half-open interval [start, end) of a local day, in UTC."""
    return _local_start(day, zone, day_start), _local_start(day + timedelta(days=1), zone, day_start)


def day_of(instant: datetime, zone: tzinfo, day_start: time) -> date:
    """The local day an instant belongs to: use before `day_start` belongs to the day before."""
    if instant.tzinfo is None:
        raise ValueError("day_of needs an aware instant")
    candidate = instant.astimezone(zone).date()
    # Decided against the same bounds that day_bounds() gives, so the two always agree.
    while _local_start(candidate, zone, day_start) > instant:
        candidate -= timedelta(days=1)
    while _local_start(candidate + timedelta(days=1), zone, day_start) <= instant:
        candidate += timedelta(days=1)
    return candidate


def split_by_day(
    start: datetime, end: datetime, zone: tzinfo, day_start: time
) -> Iterator[tuple[date, datetime, datetime]]:
    """Cut [start, end) at every day start between them; yields (day, piece_start, piece_end)."""
    if end < start:
        raise ValueError(f"a stretch cannot end ({end}) before it starts ({start})")
    cursor = start
    while cursor < end:
        day = day_of(cursor, zone, day_start)
        _, day_end = day_bounds(day, zone, day_start)
        piece_end = min(end, day_end)
        yield day, cursor, piece_end
        cursor = piece_end


def split_span_at_day_starts(
    span: UsageSpan, day_start: time, uid_of_piece: Callable[[datetime, datetime], str]
) -> list[UsageSpan]:
    """A span cut where a day starts, in its own UTC offset, as live tracking cuts it: 03:50–04:20
    with days starting at 04:00 is 10 min on the day before and 20 min on the day after.

    The first piece keeps the span's uid; the others are named by `uid_of_piece(start, end)`. A
    span filed under another day than the one its start belongs to is left as it is.
    """
    zone = timezone(span.utc_offset)
    if span.day != day_of(span.start, zone, day_start):
        return [span]
    pieces = list(split_by_day(span.start, span.end, zone, day_start))
    if len(pieces) <= 1:
        return [span]
    local = [(day, start.astimezone(zone), end.astimezone(zone)) for day, start, end in pieces]
    return [
        replace(span, uid=span.uid if index == 0 else uid_of_piece(start, end), start=start, end=end, day=day)
        for index, (day, start, end) in enumerate(local)
    ]


def utc_offset(instant: datetime, zone: tzinfo) -> timedelta:
    """The local offset from UTC in force at an instant."""
    offset = instant.astimezone(zone).utcoffset()
    return offset if offset is not None else timedelta(0)
