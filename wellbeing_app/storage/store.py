"""The store: usage spans, events, settings and the passcode hash, kept in a SQL database."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection, Engine, Row, Select, Table, delete, exists, func, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import sqlite

from wellbeing_app.core.events import stored_payload
from wellbeing_app.core.model import AppRef, Event, EventKind, UsageSpan
from wellbeing_app.core.passcode import Attempt, PasscodeHash

from . import sqlite_file, transfer
from .convert import day_from_number, day_number, day_start_ms, from_ms, offset_seconds, to_ms
from .errors import StorageError
from .intervals import CoveredTime
from .models import (
    DAY_REACH_MS,
    MAX_SPAN_MS,
    UID_LENGTH,
    apps_table,
    devices_table,
    events_table,
    meta_table,
    passcode_table,
    people_table,
    settings_table,
    spans_table,
    totals_table,
)

_log = logging.getLogger(__name__)

DEFAULT_PERSON = "default"
DEVICE_ID_KEY = "device_id"
#: Bound parameters per statement stay well under SQLite's limit.
_CHUNK = 500


@dataclass(frozen=True)
class DayAppUsage:
    """Seconds of use of one app on one local day."""

    day: date
    app: AppRef
    seconds: float


@dataclass(frozen=True)
class ImportResult:
    """What an import did, counted in records of the file.

    A span that was trimmed because part of its time was already recorded counts as added
    (its uncovered pieces were); a span whose time was all recorded, or whose uid was already
    there, counts as skipped. So `spans_added + spans_skipped` is the number of spans in the file.
    """

    spans_added: int
    spans_skipped: int
    events_added: int
    events_skipped: int


@dataclass
class _CachedApp:
    id: int
    name: str
    first_seen_ms: int


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for index in range(0, len(values), _CHUNK):
        yield values[index : index + _CHUNK]


def _json(value: object, what: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise StorageError(f"cannot store {what}: {exc}") from exc


def _now() -> datetime:
    return datetime.now(UTC)


def describe_database_error(error: sa_exc.DBAPIError, location: str, doing: str) -> str:
    """A sentence for people about a database error: what happened, where, and what to do."""
    text = str(error.orig).lower()
    if "disk is full" in text or "no space" in text:
        return f"cannot write to {location}: the disk is full; free some space and try again"
    if "readonly" in text or "read-only" in text:
        return f"cannot write to {location}: the database is read-only; make the file and its folder writable"
    if "unable to open" in text:
        return (
            f"cannot open {location}: check that the file and its folder exist and are readable and writable"
        )
    if "locked" in text or "busy" in text:
        return (
            f"cannot {doing}: {location} was kept busy by another program for more than 5 seconds; try again"
        )
    if "disk i/o error" in text:
        return f"cannot {doing}: reading or writing {location} failed with a disk I/O error"
    if "malformed" in text or "not a database" in text:
        return (
            f"cannot {doing}: {location} is damaged; restart Wellbeing to set it aside and start a fresh one"
        )
    if isinstance(error, sa_exc.OperationalError) and "connect" in text:
        return f"cannot {doing}: the database at {location} cannot be reached ({error.orig})"
    return f"cannot {doing} in {location}: {error.orig}"


def _postgresql_insert(table: Table) -> Any:
    """PostgreSQL's INSERT … ON CONFLICT, imported only where PostgreSQL is used (it is slow to import)."""
    from sqlalchemy.dialects import postgresql

    return postgresql.insert(table)


class Store:
    """Records and settings in a SQL database reached through one SQLAlchemy engine.

    Every span and event written carries this store's `device_id` and `person_id` (as small keys
    into the devices and people tables). Reads return the rows of this person from every device
    (a cap is per person); `last_span_end` and `latest_event` look at this device only, as they
    are about this device's own tracker.
    Several stores (processes, devices) may write to one database at a time: nothing here assumes
    it is the only writer. Not thread-safe: use one store per thread. Every database problem is
    raised as StorageError with a message for people.

    Times are stored in whole milliseconds; datetimes read back are aware, at the UTC offset that
    was recorded with them.
    """

    def __init__(
        self, engine: Engine, *, person_id: str = DEFAULT_PERSON, location: str | None = None
    ) -> None:
        """Use an engine whose database is already migrated (see `open_store`)."""
        self._engine = engine
        self._writer = sqlite_file.writing(engine)
        self._is_sqlite = engine.dialect.name == "sqlite"
        self._location = location or engine.url.render_as_string(hide_password=True)
        self._person_id = person_id
        self._closed = False
        self._apps: dict[str, _CachedApp] | None = None
        #: Upsert statements by (table, key, columns): one engine, so one dialect.
        self._statements: dict[tuple[str, str, tuple[str, ...]], Any] = {}
        self._device_id, self._device_key, self._person_key = self._identify()
        self._file = sqlite_file.file_of(engine.url)
        self._file_identity = None if self._file is None else sqlite_file.identity(self._file)

    # --- plumbing --------------------------------------------------------------------------

    @property
    def device_id(self) -> str:
        return self._device_id

    @property
    def person_id(self) -> str:
        return self._person_id

    @property
    def location(self) -> str:
        """Where the data lives, for messages: a file path, or the URL without its password."""
        return self._location

    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        if self._closed:
            raise StorageError(f"cannot {doing}: the store for {self._location} is closed")
        try:
            yield
        except sa_exc.DBAPIError as exc:
            raise StorageError(describe_database_error(exc, self._location, doing)) from exc

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One writing transaction; the app cache is dropped if it fails, as it may hold rolled-back ids."""
        try:
            with self._writer.begin() as connection:
                yield connection
        except BaseException:
            self._apps = None
            raise

    def _read(self) -> Connection:
        return self._engine.connect()

    def restore_file_if_removed(self) -> Path | None:
        """If the database file was deleted (or replaced) while this store has it open, write
        everything this store holds back to its place and return the path; None when the file is
        where it was (or the database is not a file). A file put in its place is moved aside."""
        if self._file is None or self._file_identity is None or self._closed:
            return None
        if sqlite_file.identity(self._file) == self._file_identity:
            return None
        with self._guard("put the deleted database back"):
            replaced = sqlite_file.write_back(self._engine, self._file)
        if replaced is not None:
            _log.warning("a database put in place of the open one was moved to %s", replaced)
        self._file_identity = sqlite_file.identity(self._file)
        self._apps = None
        return self._file

    def close(self) -> None:
        """Close every connection. The store cannot be used after this."""
        if not self._closed:
            self._closed = True
            self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _upsert(self, connection: Connection, table: Table, rows: list[dict[str, Any]], key: str) -> None:
        """Insert rows, replacing those with the same `key`: native upsert where the dialect has one."""
        if not rows:
            return
        dialect = connection.dialect.name
        if dialect in ("sqlite", "postgresql"):
            columns = tuple(rows[0])
            statement = self._statements.get((table.name, key, columns))
            if statement is None:
                # Made once: building `excluded` makes a proxy of every column, which costs more
                # than running the statement (an open span is written again at every flush).
                plain = sqlite.insert(table) if dialect == "sqlite" else _postgresql_insert(table)
                changed = {name: plain.excluded[name] for name in columns if name != key}
                statement = plain.on_conflict_do_update(index_elements=[key], set_=changed)
                self._statements[table.name, key, columns] = statement
            connection.execute(statement, rows)
            return
        column = table.c[key]
        for chunk in _chunks([row[key] for row in rows]):
            connection.execute(delete(table).where(column.in_(chunk)))
        connection.execute(insert(table), rows)

    def _insert_new(self, connection: Connection, table: Table, rows: list[dict[str, Any]], key: str) -> None:
        """Insert rows, leaving alone those whose `key` is already there."""
        if not rows:
            return
        dialect = connection.dialect.name
        if dialect in ("sqlite", "postgresql"):
            statement = sqlite.insert(table) if dialect == "sqlite" else _postgresql_insert(table)
            connection.execute(statement.on_conflict_do_nothing(index_elements=[key]), rows)
            return
        column = table.c[key]
        present: set[Any] = set()
        for chunk in _chunks([row[key] for row in rows]):
            present.update(connection.scalars(select(column).where(column.in_(chunk))))
        fresh = [row for row in rows if row[key] not in present]
        if fresh:
            connection.execute(insert(table), fresh)

    # --- meta ------------------------------------------------------------------------------

    def _identify(self) -> tuple[str, int, int]:
        """The device id, and the keys of this device and this person, made the first time."""
        with self._guard("read the device id"):
            # Reading first: a store opened for a quick look (`status`) then takes no write lock.
            with self._read() as connection:
                found = self._identity(connection)
            if found is None:
                with self._write() as connection:
                    fresh = {"key": DEVICE_ID_KEY, "value": uuid.uuid4().hex}
                    self._insert_new(connection, meta_table, [fresh], "key")
                    device_id = connection.scalar(
                        select(meta_table.c.value).where(meta_table.c.key == DEVICE_ID_KEY)
                    )
                    if device_id is not None:
                        self._insert_new(connection, devices_table, [{"uid": device_id}], "uid")
                    self._insert_new(connection, people_table, [{"uid": self._person_id}], "uid")
                    found = self._identity(connection)
        if found is None:
            raise StorageError(f"cannot keep a device id in {self._location}")
        return found

    def _identity(self, connection: Connection) -> tuple[str, int, int] | None:
        device_id = connection.scalar(select(meta_table.c.value).where(meta_table.c.key == DEVICE_ID_KEY))
        if device_id is None:
            return None
        device_key = connection.scalar(select(devices_table.c.id).where(devices_table.c.uid == device_id))
        person_key = connection.scalar(select(people_table.c.id).where(people_table.c.uid == self._person_id))
        if device_key is None or person_key is None:
            return None
        return device_id, device_key, person_key

    def get_meta(self, key: str) -> str | None:
        with self._guard(f"read {key!r}"), self._read() as connection:
            return connection.scalar(select(meta_table.c.value).where(meta_table.c.key == key))

    def set_meta(self, key: str, value: str) -> None:
        if key == DEVICE_ID_KEY and value != self._device_id:
            raise ValueError("the device id is made once and never changed")
        with self._guard(f"save {key!r}"), self._write() as connection:
            self._upsert(connection, meta_table, [{"key": key, "value": value}], "key")

    # --- apps ------------------------------------------------------------------------------

    def _app_cache(self, connection: Connection) -> dict[str, _CachedApp]:
        if self._apps is None:
            rows = connection.execute(
                select(
                    apps_table.c.executable, apps_table.c.id, apps_table.c.name, apps_table.c.first_seen_ms
                )
            )
            self._apps = {executable: _CachedApp(id_, name, first) for executable, id_, name, first in rows}
        return self._apps

    def _resolve_apps(
        self,
        connection: Connection,
        seen: Iterable[tuple[AppRef, int]],
        *,
        rename: bool,
        first_seen: Mapping[str, int] | None = None,
    ) -> dict[str, int]:
        """Ids of the apps, adding the new ones; `seen` is (app, start_ms) in the order seen.

        With `rename`, an app's stored name becomes the last name seen (live tracking sees the
        newest names; an import brings older ones and so leaves names alone).
        """
        cache = self._app_cache(connection)
        wanted: dict[str, tuple[str, int]] = {}
        for app, start_ms in seen:
            earlier = wanted.get(app.executable)
            wanted[app.executable] = (app.name, start_ms if earlier is None else min(earlier[1], start_ms))
        if first_seen:
            for executable, (name, start_ms) in wanted.items():
                wanted[executable] = (name, min(start_ms, first_seen.get(executable, start_ms)))
        missing = [executable for executable in wanted if executable not in cache]
        if missing:
            self._insert_new(
                connection,
                apps_table,
                [
                    {
                        "executable": executable,
                        "name": wanted[executable][0],
                        "first_seen_ms": wanted[executable][1],
                    }
                    for executable in missing
                ],
                "executable",
            )
            for chunk in _chunks(missing):
                query = select(
                    apps_table.c.executable, apps_table.c.id, apps_table.c.name, apps_table.c.first_seen_ms
                )
                for executable, id_, name, first in connection.execute(
                    query.where(apps_table.c.executable.in_(chunk))
                ):
                    cache[executable] = _CachedApp(id_, name, first)
        for executable, (name, start_ms) in wanted.items():
            cached = cache[executable]
            changes: dict[str, Any] = {}
            if rename and name != cached.name:
                changes["name"] = cached.name = name
            if start_ms < cached.first_seen_ms:
                changes["first_seen_ms"] = cached.first_seen_ms = start_ms
            if changes:
                connection.execute(update(apps_table).where(apps_table.c.id == cached.id).values(**changes))
        return {executable: cache[executable].id for executable in wanted}

    # --- spans -----------------------------------------------------------------------------

    def _span_row(self, span: UsageSpan, uid: str, start_ms: int, end_ms: int) -> dict[str, Any]:
        """The row of a span (or of a piece of it), without its app_id."""
        if len(uid) > UID_LENGTH:
            raise ValueError(f"span uid {uid!r} is longer than {UID_LENGTH} characters")
        if not 0 <= end_ms - start_ms <= MAX_SPAN_MS:
            raise ValueError(
                f"span {uid!r} lasts {(end_ms - start_ms) / 3_600_000:.1f} h; 0 to 48 h is possible"
            )
        if abs(start_ms - day_start_ms(span.day)) >= DAY_REACH_MS:
            raise ValueError(
                f"span {uid!r} starts {(start_ms - day_start_ms(span.day)) / 86_400_000:+.1f} days from "
                f"its day {span.day}; a span belongs to the local day of its start, a day or so away"
            )
        return {
            "uid": uid,
            "device_id": self._device_key,
            "person_id": self._person_key,
            "start_ms": start_ms,
            "end_ms": end_ms,
            "utc_offset_s": int(span.utc_offset.total_seconds()),
            "day": day_number(span.day),
            "title": span.title,
        }

    def upsert_spans(self, spans: Iterable[UsageSpan]) -> None:
        """Write spans, replacing any with the same uid (an open span is written again as it changes).

        One transaction. The spans of one device must not overlap (the tracker sees to that); none
        may last longer than 48 hours, or start 4 days or more from the midnight (UTC) of its day
        (ValueError): range queries rely on those bounds.
        """
        batch = list(spans)
        if not batch:
            return
        with self._guard("save the usage"):
            try:
                self._upsert_spans(batch)
            except sa_exc.IntegrityError:
                # Another writer may have deleted an app whose id was cached: look them up again.
                self._upsert_spans(batch)

    def _upsert_spans(self, batch: list[UsageSpan]) -> None:
        rows = [self._span_row(span, span.uid, to_ms(span.start), to_ms(span.end)) for span in batch]
        with self._write() as connection:
            app_ids = self._resolve_apps(
                connection,
                [(span.app, row["start_ms"]) for span, row in zip(batch, rows, strict=True)],
                rename=True,
            )
            for span, row in zip(batch, rows, strict=True):
                row["app_id"] = app_ids[span.app.executable]
            self._upsert(connection, spans_table, rows, "uid")

    def delete_spans(self, uids: Iterable[str]) -> None:
        wanted = list(uids)
        if not wanted:
            return
        with self._guard("delete usage"), self._write() as connection:
            for chunk in _chunks(wanted):
                connection.execute(delete(spans_table).where(spans_table.c.uid.in_(chunk)))

    def _span_query(self) -> Select[*tuple[Any, ...]]:
        return (
            select(
                spans_table.c.uid,
                apps_table.c.executable,
                apps_table.c.name,
                spans_table.c.start_ms,
                spans_table.c.end_ms,
                spans_table.c.day,
                spans_table.c.utc_offset_s,
                spans_table.c.title,
            )
            .join(apps_table, spans_table.c.app_id == apps_table.c.id)
            .where(spans_table.c.person_id == self._person_key)
            .order_by(spans_table.c.start_ms, spans_table.c.uid)
        )

    @staticmethod
    def _spans_of(rows: Iterable[Row[*tuple[Any, ...]]]) -> list[UsageSpan]:
        apps: dict[tuple[str, str], AppRef] = {}
        spans = []
        for uid, executable, name, start_ms, end_ms, day, offset_s, title in rows:
            app = apps.get((executable, name))
            if app is None:
                app = apps[executable, name] = AppRef(executable, name)
            spans.append(
                UsageSpan(
                    uid=uid,
                    app=app,
                    start=from_ms(start_ms, offset_s),
                    end=from_ms(end_ms, offset_s),
                    day=day_from_number(day),
                    utc_offset=timedelta(seconds=offset_s),
                    title=title,
                )
            )
        return spans

    def spans_between(self, start: datetime, end: datetime) -> list[UsageSpan]:
        """Spans overlapping [start, end), whole (not clipped), ordered by start."""
        start_ms, end_ms = to_ms(start), to_ms(end)
        query = self._span_query().where(
            spans_table.c.start_ms < end_ms,
            # No span is longer than MAX_SPAN_MS: this lower bound keeps the scan on the start_ms key.
            spans_table.c.start_ms > start_ms - MAX_SPAN_MS,
            spans_table.c.end_ms > start_ms,
        )
        with self._guard("read the usage"), self._read() as connection:
            return self._spans_of(connection.execute(query))

    def spans_on(self, day: date) -> list[UsageSpan]:
        """Spans of one local day, ordered by start."""
        # The spans of a day start near it (DAY_REACH_MS): the scan stays on the start_ms key.
        midnight_ms = day_start_ms(day)
        query = self._span_query().where(
            spans_table.c.start_ms > midnight_ms - DAY_REACH_MS,
            spans_table.c.start_ms < midnight_ms + DAY_REACH_MS,
            spans_table.c.day == day_number(day),
        )
        with self._guard("read the usage"), self._read() as connection:
            return self._spans_of(connection.execute(query))

    def usage_by_day_app(self, first: date, last: date) -> list[DayAppUsage]:
        """Seconds per day and app from `first` to `last` inclusive, by day, then most used first.

        Read from the totals the database keeps (one row per day, app and device), not from the
        spans: a year is a few thousand rows instead of a few hundred thousand.
        """
        # Summing per app id first and naming the apps afterwards is the cheaper order.
        totals = (
            select(
                totals_table.c.day,
                totals_table.c.app_id,
                func.sum(totals_table.c.total_ms).label("total_ms"),
            )
            .where(
                totals_table.c.person_id == self._person_key,
                totals_table.c.day >= day_number(first),
                totals_table.c.day <= day_number(last),
            )
            .group_by(totals_table.c.day, totals_table.c.app_id)
            .subquery()
        )
        query = (
            select(totals.c.day, apps_table.c.executable, apps_table.c.name, totals.c.total_ms)
            .join(apps_table, totals.c.app_id == apps_table.c.id)
            .order_by(totals.c.day, totals.c.total_ms.desc(), apps_table.c.executable)
        )
        apps: dict[tuple[str, str], AppRef] = {}
        days: dict[int, date] = {}
        usage = []
        with self._guard("read the usage"), self._read() as connection:
            for day, executable, name, total_ms in connection.execute(query):
                app = apps.get((executable, name))
                if app is None:
                    app = apps[executable, name] = AppRef(executable, name)
                if day not in days:
                    days[day] = day_from_number(day)
                # int(): PostgreSQL sums BIGINTs as NUMERIC, which arrives as a Decimal.
                usage.append(DayAppUsage(days[day], app, int(total_ms or 0) / 1000))
        return usage

    def usage_on(self, day: date) -> dict[AppRef, float]:
        """Seconds per app on one day, most used first."""
        return {usage.app: usage.seconds for usage in self.usage_by_day_app(day, day)}

    def last_span_end(self) -> datetime | None:
        """When the last span recorded on this device ends, or None before the first."""
        mine = (spans_table.c.device_id == self._device_key, spans_table.c.person_id == self._person_key)
        # The latest start is found on the start_ms key; the latest end is within MAX_SPAN_MS of it.
        latest_start = (
            select(spans_table.c.start_ms).where(*mine).order_by(spans_table.c.start_ms.desc()).limit(1)
        )
        with self._guard("read the usage"), self._read() as connection:
            start_ms = connection.scalar(latest_start)
            if start_ms is None:
                return None
            query = (
                select(spans_table.c.end_ms, spans_table.c.utc_offset_s)
                .where(*mine, spans_table.c.start_ms >= start_ms - MAX_SPAN_MS)
                .order_by(spans_table.c.end_ms.desc())
                .limit(1)
            )
            row = connection.execute(query).one()
        return from_ms(row.end_ms, row.utc_offset_s)

    # --- events ----------------------------------------------------------------------------

    def _event_row(self, event: Event) -> dict[str, Any]:
        if len(event.uid) > UID_LENGTH:
            raise ValueError(f"event uid {event.uid!r} is longer than {UID_LENGTH} characters")
        return {
            "uid": event.uid,
            "device_id": self._device_key,
            "person_id": self._person_key,
            "kind": event.kind.value,
            "at_ms": to_ms(event.at),
            "utc_offset_s": offset_seconds(event.at),
            "day": day_number(event.day),
            "data": _json(
                event.payload.to_json(), f"the details of the {event.kind.value} event {event.uid}"
            ),
        }

    def add_events(self, events: Iterable[Event]) -> None:
        """Record events; one whose uid is already recorded is left as it is."""
        rows = [self._event_row(event) for event in events]
        if not rows:
            return
        with self._guard("record events"), self._write() as connection:
            self._insert_new(connection, events_table, rows, "uid")

    def _event_query(self) -> Select[*tuple[Any, ...]]:
        return (
            select(
                events_table.c.uid,
                events_table.c.kind,
                events_table.c.at_ms,
                events_table.c.utc_offset_s,
                events_table.c.day,
                events_table.c.data,
            )
            .where(events_table.c.person_id == self._person_key)
            .order_by(events_table.c.at_ms, events_table.c.id)
        )

    @staticmethod
    def _events_of(rows: Iterable[Row[*tuple[Any, ...]]]) -> list[Event]:
        events = []
        kinds = {kind.value: kind for kind in EventKind}
        for uid, kind, at_ms, offset_s, day, data in rows:
            # A kind this version does not know (written by a newer one) cannot be represented.
            if kind in kinds:
                events.append(
                    Event(
                        uid=uid,
                        at=from_ms(at_ms, offset_s),
                        day=day_from_number(day),
                        payload=stored_payload(kinds[kind], json.loads(data)),
                    )
                )
        return events

    def events_between(
        self, first: date, last: date, kinds: Collection[EventKind] | None = None
    ) -> list[Event]:
        """Events of the days `first` to `last` inclusive (optionally only some kinds), by time."""
        query = self._event_query().where(
            events_table.c.day >= day_number(first), events_table.c.day <= day_number(last)
        )
        if kinds is not None:
            query = query.where(events_table.c.kind.in_([kind.value for kind in kinds]))
        with self._guard("read the record"), self._read() as connection:
            return self._events_of(connection.execute(query))

    def latest_event(self, kind: EventKind) -> Event | None:
        """The last event of a kind recorded on this device, or None."""
        query = (
            self._event_query()
            .where(events_table.c.kind == kind.value, events_table.c.device_id == self._device_key)
            .order_by(None)
            .order_by(events_table.c.at_ms.desc(), events_table.c.id.desc())
            .limit(1)
        )
        with self._guard("read the record"), self._read() as connection:
            found = self._events_of(connection.execute(query))
        return found[0] if found else None

    def passcode_attempts(self, since: datetime) -> list[Attempt]:
        """Passcode entries from `since` on, oldest first, from the PASSCODE_OK / PASSCODE_FAILED events."""
        query = (
            select(events_table.c.kind, events_table.c.at_ms, events_table.c.utc_offset_s)
            .where(
                events_table.c.person_id == self._person_key,
                events_table.c.kind.in_([EventKind.PASSCODE_OK.value, EventKind.PASSCODE_FAILED.value]),
                events_table.c.at_ms >= to_ms(since),
            )
            .order_by(events_table.c.at_ms, events_table.c.id)
        )
        with self._guard("read the passcode attempts"), self._read() as connection:
            return [
                Attempt(at=from_ms(at_ms, offset_s), ok=kind == EventKind.PASSCODE_OK.value)
                for kind, at_ms, offset_s in connection.execute(query)
            ]

    # --- settings and passcode --------------------------------------------------------------

    def load_settings(self) -> dict[str, Any]:
        """Every saved setting, decoded. A value that is not valid JSON is left out (its default applies)."""
        with self._guard("read the settings"), self._read() as connection:
            rows = connection.execute(select(settings_table.c.key, settings_table.c.value)).all()
        settings: dict[str, Any] = {}
        for key, value in rows:
            try:
                settings[key] = json.loads(value)
            except ValueError:
                _log.warning("setting %r in %s is not valid JSON and is ignored", key, self._location)
        return settings

    def save_settings(self, values: Mapping[str, Any]) -> None:
        """Save the given settings in one transaction; settings not given are left as they are.

        `updated_ms` changes only for values that changed.
        """
        encoded = {key: _json(value, f"setting {key!r}") for key, value in values.items()}
        if not encoded:
            return
        now_ms = to_ms(_now())
        with self._guard("save the settings"), self._write() as connection:
            query = select(settings_table.c.key, settings_table.c.value).where(
                settings_table.c.key.in_(encoded)
            )
            stored = {key: value for key, value in connection.execute(query)}
            rows = [
                {"key": key, "value": value, "updated_ms": now_ms}
                for key, value in encoded.items()
                if stored.get(key) != value
            ]
            self._upsert(connection, settings_table, rows, "key")

    def load_passcode(self) -> PasscodeHash | None:
        query = select(
            passcode_table.c.salt,
            passcode_table.c.digest,
            passcode_table.c.n,
            passcode_table.c.r,
            passcode_table.c.p,
        )
        with self._guard("read the passcode"), self._read() as connection:
            row = connection.execute(query.where(passcode_table.c.id == 1)).first()
        if row is None:
            return None
        return PasscodeHash(salt=bytes(row.salt), digest=bytes(row.digest), n=row.n, r=row.r, p=row.p)

    def save_passcode(self, passcode: PasscodeHash | None) -> None:
        """Keep the passcode hash, or remove it with None."""
        with self._guard("save the passcode"), self._write() as connection:
            connection.execute(delete(passcode_table))
            if passcode is not None:
                row = {
                    "id": 1,
                    "salt": passcode.salt,
                    "digest": passcode.digest,
                    "n": passcode.n,
                    "r": passcode.r,
                    "p": passcode.p,
                    "set_ms": to_ms(_now()),
                }
                connection.execute(insert(passcode_table), [row])

    # --- export, import, delete -------------------------------------------------------------

    def _span_records(self, connection: Connection) -> Iterator[dict[str, Any]]:
        """This person's spans as export records, straight from the rows (a year is 100k of them).

        Spans of no length hold no time and are left out.
        """
        query = self._span_query().where(spans_table.c.end_ms > spans_table.c.start_ms)
        for uid, executable, name, start_ms, end_ms, day, offset_s, title in connection.execute(query):
            yield transfer.span_record(
                uid=uid,
                start=from_ms(start_ms, offset_s),
                end=from_ms(end_ms, offset_s),
                app=executable,
                name=name,
                day=day_from_number(day),
                title=title,
            )

    def _exported_apps(self, connection: Connection) -> list[transfer.AppRecord]:
        query = (
            select(apps_table.c.executable, apps_table.c.name, apps_table.c.first_seen_ms)
            .where(
                exists().where(
                    totals_table.c.app_id == apps_table.c.id, totals_table.c.person_id == self._person_key
                )
            )
            .order_by(apps_table.c.executable)
        )
        return [
            transfer.AppRecord(executable, name, from_ms(first_ms, 0))
            for executable, name, first_ms in connection.execute(query)
        ]

    @contextmanager
    def _exporting(self) -> Iterator[Connection]:
        with self._guard("export the records"), self._read() as connection:
            try:
                yield connection
            except OSError as exc:
                raise StorageError(f"cannot write the export: {exc.strerror or exc}") from exc

    def export_json(self, fp: TextIO) -> None:
        """Write all spans and events of this person as the JSON export (never the passcode).

        Spans of no length hold no time and are left out.
        """
        with self._exporting() as connection:
            transfer.write_json(
                fp,
                device_id=self._device_id,
                exported_at=_now().replace(microsecond=0).astimezone(),
                apps=self._exported_apps(connection),
                spans=self._span_records(connection),
                events=self._events_of(connection.execute(self._event_query())),
            )

    def export_csv(self, fp: TextIO) -> None:
        """Write all spans and events of this person as the CSV export (never the passcode)."""
        with self._exporting() as connection:
            transfer.write_csv(
                fp,
                spans=self._span_records(connection),
                events=self._events_of(connection.execute(self._event_query())),
            )

    def import_file(self, path: Path, *, day_starts_at: time = transfer.DEFAULT_DAY_START) -> ImportResult:
        """Import a JSON or CSV export, or a CSV with the columns start,end,app (and optionally name, day).

        The whole file is checked before anything is written, and written in one transaction:
        a file with a mistake raises StorageError (ImportFileError) naming the line or JSON path,
        and changes nothing.

        - Timestamps are ISO-8601 with a UTC offset; that offset is kept as the local offset.
        - A row without a day belongs to the local day of its start in that offset, days starting
          at `day_starts_at` (04:00 unless told otherwise): 2026-11-25T03:30+01:00 is on the 24th.
        - A row without a uid gets one made from its content, so importing a file again adds nothing.
        - A span whose uid is already recorded is skipped, whatever it says (the store's copy wins).
        - A span is trimmed to the time this device has not recorded yet (split into pieces if
          needed; skipped if nothing is left), counting both what was recorded before and what the
          file brought before it: imports never count the same time twice.
        - An event whose uid is already recorded is skipped.
        Imported rows become this device's and this person's.
        """
        batch = transfer.read_import(path, day_starts_at=day_starts_at)
        with self._guard(f"import {path}"):
            try:
                return self._import(batch)
            except sa_exc.IntegrityError:
                # Another writer may have deleted an app whose id was cached: look them up again.
                return self._import(batch)

    def _import(self, batch: transfer.ImportBatch) -> ImportResult:
        with self._write() as connection:
            pieces, spans_added = self._new_pieces(connection, batch.spans)
            app_ids = self._resolve_apps(
                connection,
                [(span.app, start_ms) for span, _uid, start_ms, _end_ms in pieces],
                rename=False,
                first_seen={
                    app.executable: to_ms(app.first_seen)
                    for app in batch.apps.values()
                    if app.first_seen is not None
                },
            )
            span_rows = []
            for span, uid, start_ms, end_ms in pieces:
                row = self._span_row(span, uid, start_ms, end_ms)
                row["app_id"] = app_ids[span.app.executable]
                span_rows.append(row)
            if span_rows:
                connection.execute(insert(spans_table), span_rows)
            known_events = self._known_uids(connection, events_table, [event.uid for event in batch.events])
            event_rows = []
            for event in batch.events:
                if event.uid not in known_events:
                    known_events.add(event.uid)
                    event_rows.append(self._event_row(event))
            if event_rows:
                connection.execute(insert(events_table), event_rows)
        return ImportResult(
            spans_added=spans_added,
            spans_skipped=len(batch.spans) - spans_added,
            events_added=len(event_rows),
            events_skipped=len(batch.events) - len(event_rows),
        )

    @staticmethod
    def _known_uids(connection: Connection, table: Table, uids: list[str]) -> set[str]:
        known: set[str] = set()
        for chunk in _chunks(uids):
            known.update(connection.scalars(select(table.c.uid).where(table.c.uid.in_(chunk))))
        return known

    def _new_pieces(
        self, connection: Connection, spans: list[UsageSpan]
    ) -> tuple[list[tuple[UsageSpan, str, int, int]], int]:
        """The (span, uid, start_ms, end_ms) pieces of imported spans that add time not yet recorded.

        Also returns how many spans of the file contributed at least one piece.
        """
        if not spans:
            return [], 0
        known = self._known_uids(connection, spans_table, [span.uid for span in spans])
        timed = [(span, to_ms(span.start), to_ms(span.end)) for span in spans]
        first_ms = min(start_ms for _span, start_ms, _end_ms in timed)
        last_ms = max(end_ms for _span, _start_ms, end_ms in timed)
        recorded = connection.execute(
            select(spans_table.c.start_ms, spans_table.c.end_ms).where(
                spans_table.c.device_id == self._device_key,
                spans_table.c.start_ms < last_ms,
                spans_table.c.start_ms > first_ms - MAX_SPAN_MS,
                spans_table.c.end_ms > first_ms,
            )
        )
        covered = CoveredTime((start_ms, end_ms) for start_ms, end_ms in recorded)
        pieces: list[tuple[UsageSpan, str, int, int]] = []
        contributing = 0
        for span, start_ms, end_ms in timed:
            if span.uid in known:
                continue
            known.add(span.uid)
            uncovered = covered.uncovered(start_ms, end_ms)
            if not uncovered:
                continue
            covered.add(start_ms, end_ms)
            contributing += 1
            if uncovered == [(start_ms, end_ms)]:
                pieces.append((span, span.uid, start_ms, end_ms))
            else:
                pieces.extend((span, transfer.piece_uid(span.uid, a, b), a, b) for a, b in uncovered)
        return pieces, contributing

    def delete_all(self) -> None:
        """Delete this person's spans and events, and the apps no one uses any more.

        Settings, the passcode and the device id stay. On SQLite the file is then rebuilt so that
        the deleted records are gone from the disk too.
        """
        with self._guard("delete the records"):
            with self._write() as connection:
                # The person's totals go first, in one statement: the triggers then have nothing left
                # to update for each deleted span (a third less time for two years of spans).
                connection.execute(delete(totals_table).where(totals_table.c.person_id == self._person_key))
                connection.execute(delete(spans_table).where(spans_table.c.person_id == self._person_key))
                connection.execute(delete(events_table).where(events_table.c.person_id == self._person_key))
                # The totals have a row for every day and app still used: a smaller look than the spans.
                connection.execute(
                    delete(apps_table).where(~exists().where(totals_table.c.app_id == apps_table.c.id))
                )
            self._apps = None
            if self._is_sqlite:
                sqlite_file.vacuum(self._engine)
