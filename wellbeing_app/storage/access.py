"""What every part of the store shares: the database, whose records these are, and errors in words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from wellbeing_app.core.record import record

from .database import Database, DatabaseFailure, Session
from .errors import StorageError


def describe_database_error(error: DatabaseFailure, location: str, doing: str) -> str:
    """A sentence for people about a database error: what happened, where, and what to do."""
    text = error.text.lower()
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
    if error.unreachable:
        return f"cannot {doing}: the database at {location} cannot be reached ({error.text})"
    return f"cannot {doing} in {location}: {error.text}"


@contextmanager
def guarded(database: Database, location: str, doing: str) -> Iterator[None]:
    """Refuse a closed store, and turn a database failure into a StorageError that says `doing`."""
    if database.closed:
        raise StorageError(f"cannot {doing}: the store for {location} is closed")
    try:
        yield
    except DatabaseFailure as exc:
        raise StorageError(describe_database_error(exc, location, doing)) from exc


def to_json(value: object, what: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise StorageError(f"cannot store {what}: {exc}") from exc


def now() -> datetime:
    return datetime.now(UTC)


@record(eq=False, repr=False)
class Access:
    """One store's way into the database: the records it writes carry its device and person keys."""

    database: Database
    location: str
    device_id: str
    person_id: str
    device_key: int
    person_key: int

    @contextmanager
    def reading(self, doing: str) -> Iterator[Session]:
        with guarded(self.database, self.location, doing), self.database.reading() as session:
            yield session

    @contextmanager
    def writing(self, doing: str) -> Iterator[Session]:
        with guarded(self.database, self.location, doing), self.database.writing() as session:
            yield session
