"""The store: usage spans, events, settings and the passcode hash, kept in a SQL database."""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TextIO

from wellbeing_app.core.model import AppRef, DayAppUsage, Event, EventKind, UsageSpan
from wellbeing_app.core.passcode import Attempt, PasscodeHash

from . import sqlite_file
from .access import Access, describe_database_error, guarded, now, to_json
from .convert import to_ms
from .database import Database, Session, insert_sql, placeholders, upsert_sql
from .errors import StorageError
from .events import EventRecords
from .exchange import Exchange, ImportResult
from .limits import DEFAULT_DAY_START
from .spans import SpanRecords

__all__ = ["DEFAULT_PERSON", "DayAppUsage", "ImportResult", "Store", "describe_database_error"]

_log = logging.getLogger(__name__)

DEFAULT_PERSON = "default"
DEVICE_ID_KEY = "device_id"

_META = 'SELECT value FROM meta WHERE "key" = :key'
_INSERT_META = insert_sql("meta", ('"key"', "value"), unless='"key"')
_UPSERT_META = upsert_sql("meta", ('"key"', "value"), '"key"')
_DEVICE = "SELECT id FROM devices WHERE uid = :uid"
_PERSON = "SELECT id FROM people WHERE uid = :uid"
_SETTINGS = 'SELECT "key", value FROM settings'
_UPSERT_SETTING = upsert_sql("settings", ('"key"', "value", "updated_ms"), '"key"')
_PASSCODE = "SELECT salt, digest, n, r, p FROM passcode WHERE id = 1"
_INSERT_PASSCODE = insert_sql("passcode", ("id", "salt", "digest", "n", "r", "p", "set_ms"))


def _new_device_id() -> str:
    import uuid  # here, not at the top: uuid imports platform, a few ms of every start of `status`

    return uuid.uuid4().hex


class Store:
    """Records and settings in a SQL database, through the standard library's sqlite3 for the
    usual SQLite file or through SQLAlchemy for a database URL (see `Database`).

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

    def __init__(self, database: Database, *, person_id: str = DEFAULT_PERSON, location: str) -> None:
        """Use a database that is already migrated (see `open_store`)."""
        self._database = database
        self._location = location
        self._person_id = person_id
        device_id, device_key, person_key = self._identify()
        access = Access(database, location, device_id, person_id, device_key, person_key)
        self._access = access
        self._spans = SpanRecords(access)
        self._events = EventRecords(access)
        self._exchange = Exchange(access, self._spans, self._events)
        self._file = database.file
        self._file_identity = None if self._file is None else sqlite_file.identity(self._file)

    # --- plumbing --------------------------------------------------------------------------

    @property
    def device_id(self) -> str:
        return self._access.device_id

    @property
    def person_id(self) -> str:
        return self._person_id

    @property
    def location(self) -> str:
        """Where the data lives, for messages: a file path, or the URL without its password."""
        return self._location

    def restore_file_if_removed(self) -> Path | None:
        """If the database file was deleted (or replaced) while this store has it open, write
        everything this store holds back to its place and return the path; None when the file is
        where it was (or the database is not a file). A file put in its place is moved aside."""
        if self._file is None or self._file_identity is None or self._database.closed:
            return None
        if sqlite_file.identity(self._file) == self._file_identity:
            return None
        with guarded(self._database, self._location, "put the deleted database back"):
            replaced = self._database.write_back(self._file)
        if replaced is not None:
            _log.warning("a database put in place of the open one was moved to %s", replaced)
        self._file_identity = sqlite_file.identity(self._file)
        self._spans.forget_apps()
        return self._file

    def close(self) -> None:
        """Close every connection. The store cannot be used after this."""
        self._database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- meta ------------------------------------------------------------------------------

    def _identify(self) -> tuple[str, int, int]:
        """The device id, and the keys of this device and this person, made the first time."""
        with guarded(self._database, self._location, "read the device id"):
            # Reading first: a store opened for a quick look (`status`) then takes no write lock.
            with self._database.reading() as session:
                found = self._identity(session)
            if found is None:
                with self._database.writing() as session:
                    session.run(_INSERT_META, {"key": DEVICE_ID_KEY, "value": _new_device_id()})
                    device_id = session.scalar(_META, {"key": DEVICE_ID_KEY})
                    if device_id is not None:
                        session.run(insert_sql("devices", ("uid",), unless="uid"), {"uid": device_id})
                    session.run(insert_sql("people", ("uid",), unless="uid"), {"uid": self._person_id})
                    found = self._identity(session)
        if found is None:
            raise StorageError(f"cannot keep a device id in {self._location}")
        return found

    def _identity(self, session: Session) -> tuple[str, int, int] | None:
        device_id = session.scalar(_META, {"key": DEVICE_ID_KEY})
        if device_id is None:
            return None
        device_key = session.scalar(_DEVICE, {"uid": device_id})
        person_key = session.scalar(_PERSON, {"uid": self._person_id})
        if device_key is None or person_key is None:
            return None
        return device_id, device_key, person_key

    def get_meta(self, key: str) -> str | None:
        with self._access.reading(f"read {key!r}") as session:
            value: str | None = session.scalar(_META, {"key": key})
            return value

    def set_meta(self, key: str, value: str) -> None:
        if key == DEVICE_ID_KEY and value != self.device_id:
            raise ValueError("the device id is made once and never changed")
        with self._access.writing(f"save {key!r}") as session:
            session.run(_UPSERT_META, {"key": key, "value": value})

    # --- spans -----------------------------------------------------------------------------

    def upsert_spans(self, spans: Iterable[UsageSpan]) -> None:
        """Write spans, replacing any with the same uid (an open span is written again as it changes).

        One transaction. The spans of one device must not overlap (the tracker sees to that); none
        may last longer than 48 hours, or start 4 days or more from the midnight (UTC) of its day
        (ValueError): range queries rely on those bounds.
        """
        self._spans.upsert(spans)

    def delete_spans(self, uids: Iterable[str]) -> None:
        self._spans.delete(uids)

    def spans_between(self, start: datetime, end: datetime) -> list[UsageSpan]:
        """Spans overlapping [start, end), whole (not clipped), ordered by start."""
        return self._spans.between(start, end)

    def spans_on(self, day: date) -> list[UsageSpan]:
        """Spans of one local day, ordered by start."""
        return self._spans.on(day)

    def usage_by_day_app(self, first: date, last: date) -> list[DayAppUsage]:
        """Seconds per day and app from `first` to `last` inclusive, by day, then most used first.

        Read from the totals the database keeps (one row per day, app and device), not from the
        spans: a year is a few thousand rows instead of a few hundred thousand.
        """
        return self._spans.usage_by_day_app(first, last)

    def usage_on(self, day: date) -> dict[AppRef, float]:
        """Seconds per app on one day, most used first."""
        return {usage.app: usage.seconds for usage in self.usage_by_day_app(day, day)}

    def last_span_end(self) -> datetime | None:
        """When the last span recorded on this device ends, or None before the first."""
        return self._spans.last_end()

    # --- events ----------------------------------------------------------------------------

    def add_events(self, events: Iterable[Event]) -> None:
        """Record events; one whose uid is already recorded is left as it is."""
        self._events.add(events)

    def events_between(
        self, first: date, last: date, kinds: Collection[EventKind] | None = None
    ) -> list[Event]:
        """Events of the days `first` to `last` inclusive (optionally only some kinds), by time."""
        return self._events.between(first, last, kinds)

    def latest_event(self, kind: EventKind) -> Event | None:
        """The last event of a kind recorded on this device, or None."""
        return self._events.latest(kind)

    def passcode_attempts(self, since: datetime) -> list[Attempt]:
        """Passcode entries from `since` on, oldest first, from the PASSCODE_OK / PASSCODE_FAILED events."""
        return self._events.passcode_attempts(since)

    # --- settings and passcode --------------------------------------------------------------

    def load_settings(self) -> dict[str, Any]:
        """Every saved setting, decoded. A value that is not valid JSON is left out (its default applies)."""
        with self._access.reading("read the settings") as session:
            rows = list(session.rows(_SETTINGS))
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
        encoded = {key: to_json(value, f"setting {key!r}") for key, value in values.items()}
        if not encoded:
            return
        now_ms = to_ms(now())
        listed, params = placeholders(list(encoded))
        with self._access.writing("save the settings") as session:
            stored = {
                key: value for key, value in session.rows(f'{_SETTINGS} WHERE "key" IN {listed}', params)
            }
            rows = [
                {"key": key, "value": value, "updated_ms": now_ms}
                for key, value in encoded.items()
                if stored.get(key) != value
            ]
            if rows:
                session.run(_UPSERT_SETTING, rows)

    def load_passcode(self) -> PasscodeHash | None:
        with self._access.reading("read the passcode") as session:
            row = next(iter(session.rows(_PASSCODE)), None)
        if row is None:
            return None
        salt, digest, n, r, p = row
        return PasscodeHash(salt=bytes(salt), digest=bytes(digest), n=n, r=r, p=p)

    def save_passcode(self, passcode: PasscodeHash | None) -> None:
        """Keep the passcode hash, or remove it with None."""
        with self._access.writing("save the passcode") as session:
            session.run("DELETE FROM passcode")
            if passcode is not None:
                row = {
                    "id": 1,
                    "salt": passcode.salt,
                    "digest": passcode.digest,
                    "n": passcode.n,
                    "r": passcode.r,
                    "p": passcode.p,
                    "set_ms": to_ms(now()),
                }
                session.run(_INSERT_PASSCODE, row)

    # --- export, import, delete -------------------------------------------------------------

    def export_json(self, fp: TextIO) -> None:
        """Write all spans and events of this person as the JSON export (never the passcode).

        Spans of no length hold no time and are left out.
        """
        self._exchange.export_json(fp)

    def export_csv(self, fp: TextIO) -> None:
        """Write all spans and events of this person as the CSV export (never the passcode)."""
        self._exchange.export_csv(fp)

    def import_file(self, path: Path, *, day_starts_at: time = DEFAULT_DAY_START) -> ImportResult:
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
        return self._exchange.import_file(path, day_starts_at=day_starts_at)

    def delete_all(self) -> None:
        """Delete this person's spans and events, and the apps no one uses any more.

        Settings, the passcode and the device id stay. On SQLite the file is then rebuilt so that
        the deleted records are gone from the disk too.
        """
        self._exchange.delete_all()
