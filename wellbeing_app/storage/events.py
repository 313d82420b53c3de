"""Events: recording what happened, reading it back by day, kind and time."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import Any

from wellbeing_app.core.events import stored_payload
from wellbeing_app.core.model import Event, EventKind
from wellbeing_app.core.passcode import Attempt

from .access import Access, to_json
from .convert import day_from_number, day_number, from_ms, offset_seconds, to_ms, uid_from_db, uid_to_db
from .database import Row, insert_sql, placeholders
from .limits import UID_LENGTH

EVENT_COLUMNS = ("uid", "device_id", "person_id", "kind", "at_ms", "utc_offset_s", "day", "data")
INSERT_EVENT = insert_sql("events", EVENT_COLUMNS)
_INSERT_NEW_EVENT = insert_sql("events", EVENT_COLUMNS, unless="uid")
#: This person's events, by time; `{where}` narrows them down.
EVENT_QUERY = (
    "SELECT uid, kind, at_ms, utc_offset_s, day, data FROM events WHERE person_id = :person{where} "
    "ORDER BY at_ms, id"
)
_LATEST = (
    "SELECT uid, kind, at_ms, utc_offset_s, day, data FROM events "
    "WHERE person_id = :person AND kind = :kind AND device_id = :device ORDER BY at_ms DESC, id DESC LIMIT 1"
)
_ATTEMPTS = (
    "SELECT kind, at_ms, utc_offset_s FROM events "
    "WHERE person_id = :person AND kind IN (:ok, :failed) AND at_ms >= :since ORDER BY at_ms, id"
)
_KINDS = {kind.value: kind for kind in EventKind}


def events_of(rows: Iterable[Row]) -> list[Event]:
    """The events of rows of EVENT_QUERY."""
    events = []
    for uid, kind, at_ms, offset_s, day, data in rows:
        # A kind this version does not know (written by a newer one) cannot be represented.
        if kind in _KINDS:
            events.append(
                Event(
                    uid=uid_from_db(bytes(uid)),
                    at=from_ms(at_ms, offset_s),
                    day=day_from_number(day),
                    payload=stored_payload(_KINDS[kind], json.loads(data)),
                )
            )
    return events


class EventRecords:
    """The events part of a store."""

    def __init__(self, access: Access) -> None:
        self._access = access

    def row(self, event: Event) -> dict[str, Any]:
        if len(event.uid) > UID_LENGTH:
            raise ValueError(f"event uid {event.uid!r} is longer than {UID_LENGTH} characters")
        return {
            "uid": uid_to_db(event.uid),
            "device_id": self._access.device_key,
            "person_id": self._access.person_key,
            "kind": event.kind.value,
            "at_ms": to_ms(event.at),
            "utc_offset_s": offset_seconds(event.at),
            "day": day_number(event.day),
            "data": to_json(
                event.payload.to_json(), f"the details of the {event.kind.value} event {event.uid}"
            ),
        }

    def add(self, events: Iterable[Event]) -> None:
        rows = [self.row(event) for event in events]
        if not rows:
            return
        with self._access.writing("record events") as session:
            session.run(_INSERT_NEW_EVENT, rows)

    def between(self, first: date, last: date, kinds: Collection[EventKind] | None = None) -> list[Event]:
        where = " AND day >= :first AND day <= :last"
        params: dict[str, Any] = {
            "person": self._access.person_key,
            "first": day_number(first),
            "last": day_number(last),
        }
        if kinds is not None:
            listed, named = placeholders([kind.value for kind in kinds], "kind")
            where += f" AND kind IN {listed}" if named else " AND 1 = 0"
            params.update(named)
        with self._access.reading("read the record") as session:
            return events_of(session.rows(EVENT_QUERY.format(where=where), params))

    def latest(self, kind: EventKind) -> Event | None:
        params = {"person": self._access.person_key, "kind": kind.value, "device": self._access.device_key}
        with self._access.reading("read the record") as session:
            found = events_of(session.rows(_LATEST, params))
        return found[0] if found else None

    def passcode_attempts(self, since: datetime) -> list[Attempt]:
        params = {
            "person": self._access.person_key,
            "ok": EventKind.PASSCODE_OK.value,
            "failed": EventKind.PASSCODE_FAILED.value,
            "since": to_ms(since),
        }
        with self._access.reading("read the passcode attempts") as session:
            return [
                Attempt(at=from_ms(at_ms, offset_s), ok=kind == EventKind.PASSCODE_OK.value)
                for kind, at_ms, offset_s in session.rows(_ATTEMPTS, params)
            ]
