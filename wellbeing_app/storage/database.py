"""The small interface the store runs its SQL through, whichever driver is underneath.

The store writes every statement once, as SQL text with `:name` parameters that both SQLite and
PostgreSQL understand (including `INSERT … ON CONFLICT`). Two implementations run it: the
standard library's `sqlite3` for the SQLite file (`sqlite_database`), and SQLAlchemy for any
database URL, PostgreSQL above all (`sqlalchemy_database`). Only the second imports SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

Params = Mapping[str, Any]
Row = Sequence[Any]


class DatabaseFailure(Exception):
    """A driver's error, in the terms the store needs to word it for people.

    `integrity`: a constraint refused a write (another writer may have changed what was cached);
    `unreachable`: a server could not be connected to; `damaged`: the database could not be read
    as one (not an operational problem such as a lock or a full disk).
    """

    def __init__(
        self, text: str, *, integrity: bool = False, unreachable: bool = False, damaged: bool = False
    ) -> None:
        super().__init__(text)
        self.text = text
        self.integrity = integrity
        self.unreachable = unreachable
        self.damaged = damaged


class Session(Protocol):
    """Statements inside one transaction. Rows are tuples in the order of the SELECT."""

    def rows(self, sql: str, params: Params | None = None) -> Iterable[Row]:
        """The rows of a query; they may be read lazily, inside the transaction only."""
        ...

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        """The first column of the first row, or None when there is no row."""
        ...

    def run(self, sql: str, params: Params | Sequence[Params] | None = None) -> None:
        """Run a statement once, or once per parameter set of a sequence."""
        ...


class Database(Protocol):
    """One database, reached through one driver. Not thread-safe: one per thread.

    Every driver error raised inside `reading()` or `writing()`, or by the other methods, comes
    out as DatabaseFailure.
    """

    #: "sqlite" or "postgresql": the SQL the store writes is meant for these two.
    dialect: str
    #: The database file, for SQLite files; None for a server or an in-memory database.
    file: Path | None
    closed: bool

    def reading(self) -> AbstractContextManager[Session]:
        """A transaction that only reads (it takes no write lock)."""
        ...

    def writing(self) -> AbstractContextManager[Session]:
        """A transaction that writes: committed at the end, rolled back on any error.

        On SQLite the write lock is taken at the start, so nothing read in it goes stale.
        """
        ...

    def vacuum(self) -> None:
        """On SQLite, rebuild the file so that deleted records are gone from the disk too."""
        ...

    def write_back(self, path: Path) -> Path | None:
        """Write an open SQLite database whose file was deleted or replaced back to `path`; a
        file found there is moved aside first and returned."""
        ...

    def close(self) -> None: ...

    def on_connect(self, hook: Callable[[Any], None]) -> None:
        """Run `hook` with the driver's connection on every connection, the open ones too (tests)."""
        ...

    def trace(self, callback: Callable[[str], None]) -> None:
        """Call `callback` with the text of every statement run from now on (tests)."""
        ...


def placeholders(values: Sequence[Any], prefix: str = "v") -> tuple[str, dict[str, Any]]:
    """`(:v0, :v1, …)` and its parameters, for an IN list (neither driver expands a list itself)."""
    names = [f"{prefix}{index}" for index in range(len(values))]
    return "(" + ", ".join(f":{name}" for name in names) + ")", dict(zip(names, values, strict=True))


#: Bound parameters per statement stay well under SQLite's limit.
CHUNK = 500


def chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for index in range(0, len(values), CHUNK):
        yield values[index : index + CHUNK]


def insert_sql(table: str, columns: Sequence[str], *, unless: str | None = None) -> str:
    """An INSERT of one row of `columns`; with `unless`, a row whose `unless` key is there is left alone.

    The parameters are named as the columns, without the quotes a column such as `"key"` needs.
    """
    values = ", ".join(f":{column.strip(chr(34))}" for column in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})"
    return sql if unless is None else f"{sql} ON CONFLICT ({unless}) DO NOTHING"


def upsert_sql(table: str, columns: Sequence[str], key: str) -> str:
    """An INSERT that replaces the other columns of the row with the same `key`."""
    changed = ", ".join(f"{column} = excluded.{column}" for column in columns if column != key)
    return f"{insert_sql(table, columns)} ON CONFLICT ({key}) DO UPDATE SET {changed}"
