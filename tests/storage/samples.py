"""Spans, events and apps for the storage tests."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

from wellbeing_app.core.events import payload_from_json
from wellbeing_app.core.model import AppRef, Event, EventKind, UsageSpan

PLUS5 = timezone(timedelta(hours=5))
MINUS3 = timezone(timedelta(hours=-3))
NINE = datetime(2026, 11, 25, 9, tzinfo=PLUS5)
FIREFOX = AppRef("firefox", "Firefox")
GAME = AppRef("supertux2", "SuperTux")
EDITOR = AppRef("libreoffice", "LibreOffice Writer")

_numbers = itertools.count(1)


def span(
    start: datetime = NINE,
    minutes: float = 10,
    app: AppRef = FIREFOX,
    uid: str | None = None,
    title: str | None = None,
) -> UsageSpan:
    """A span of `minutes` from `start`, on the local day of its start (days start at 04:00)."""
    offset = start.utcoffset()
    assert offset is not None
    return UsageSpan(
        uid=uid or f"span-{next(_numbers)}",
        app=app,
        start=start,
        end=start + timedelta(minutes=minutes),
        day=(start - timedelta(hours=4)).date(),
        utc_offset=offset,
        title=title,
    )


def event(
    kind: EventKind = EventKind.WARNING,
    at: datetime = NINE,
    data: dict[str, object] | None = None,
    uid: str | None = None,
) -> Event:
    return Event(
        uid=uid or f"event-{next(_numbers)}",
        at=at,
        day=(at - timedelta(hours=4)).date(),
        payload=payload_from_json(kind, data if data is not None else {}),
    )
