"""The SQLite file through the standard library's `sqlite3`: the usual way, with no SQLAlchemy loaded.

One connection per store, in autocommit mode, so that this code says where each transaction
begins: `BEGIN` for reading, `BEGIN IMMEDIATE` for writing (the write lock is taken up front,
waiting `busy_timeout`, so that another writer cannot make stale what was read).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from . import sqlite_file, sqlite_schema
from .database import DatabaseFailure, Params, Row


def _failure(error: sqlite3.Error) -> DatabaseFailure:
    return DatabaseFailure(
        str(error),
        integrity=isinstance(error, sqlite3.IntegrityError),
        damaged=isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError),
    )


class _Session:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def rows(self, sql: str, params: Params | None = None) -> Iterable[Row]:
        cursor: Iterable[Row] = self._connection.execute(sql, params or ())
        return cursor

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        row = self._connection.execute(sql, params or ()).fetchone()
        return None if row is None else row[0]

    def run(self, sql: str, params: Params | Sequence[Params] | None = None) -> None:
        if isinstance(params, Sequence):
            self._connection.executemany(sql, params)
        else:
            self._connection.execute(sql, params or ())


class SqliteDatabase:
    """A SQLite file (or, with `file=None`, a database in memory) through `sqlite3`."""

    dialect = "sqlite"

    def __init__(self, file: Path | None) -> None:
        self.file = file
        self.closed = False
        self._hooks: list[Callable[[Any], None]] = []
        self._tracer: Callable[[str], None] | None = None
        self._connection = self._connect()

    def _connect(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(
                ":memory:" if self.file is None else self.file, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise _failure(exc) from exc
        try:
            sqlite_file.apply_pragmas(connection)
            for hook in self._hooks:
                hook(connection)
        except sqlite3.Error as exc:
            connection.close()
            raise _failure(exc) from exc
        connection.set_trace_callback(self._tracer)
        return connection

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[_Session]:
        connection = self._connection
        try:
            connection.execute(begin)
            try:
                yield _Session(connection)
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise _failure(exc) from exc

    def reading(self) -> AbstractContextManager[_Session]:
        return self._transaction("BEGIN")

    def writing(self) -> AbstractContextManager[_Session]:
        return self._transaction("BEGIN IMMEDIATE")

    def create_schema(self) -> None:
        """Make the tables of the newest schema revision in an empty database, stamped as alembic would."""
        with self.writing() as session:
            for statement in sqlite_schema.STATEMENTS:
                session.run(statement)
            session.run(sqlite_schema.STAMP, {"revision": sqlite_schema.REVISION})

    def vacuum(self) -> None:
        try:
            sqlite_file.vacuum(self._connection)
        except sqlite3.Error as exc:
            raise _failure(exc) from exc

    def write_back(self, path: Path) -> Path | None:
        try:
            scratch = sqlite_file.copy_out(self._connection, path)
        except sqlite3.Error as exc:
            raise _failure(exc) from exc
        self._connection.close()  # it still points at the deleted file
        replaced = sqlite_file.put_in_place(scratch, path)
        self._connection = self._connect()
        return replaced

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._connection.close()

    def on_connect(self, hook: Callable[[Any], None]) -> None:
        self._hooks.append(hook)
        hook(self._connection)

    def trace(self, callback: Callable[[str], None]) -> None:
        self._tracer = callback
        self._connection.set_trace_callback(callback)
