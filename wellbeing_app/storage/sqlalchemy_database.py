"""Any database URL through SQLAlchemy: PostgreSQL above all, and SQLite when named by a URL.

Imported only when a URL is given or a migration must run: SQLAlchemy's import alone costs some
30 MiB and a third of a second, which the usual SQLite file does without (`sqlite_database`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, TextClause, event, text
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL

from . import sqlite_file
from .database import DatabaseFailure, Params, Row
from .errors import StorageError

#: Execution option naming how a transaction begins on SQLite: DEFERRED (reads) or IMMEDIATE.
BEGIN_OPTION = "wellbeing_sqlite_begin"
_NO_BEGIN = "none"


def file_of(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for other backends and in-memory databases."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database
    if not database or database == ":memory:" or url.query.get("mode") == "memory":
        return None
    if database.startswith("file:"):
        return None
    return Path(database)


def _configure_sqlite(engine: Engine) -> None:
    """Set the pragmas on every new connection and let SQLAlchemy, not the driver, begin transactions.

    The sqlite3 driver's legacy mode emits BEGIN only before writes, so a read followed by a
    write is not one transaction; a BEGIN of our own on every transaction fixes that, and
    IMMEDIATE on writing transactions takes the write lock up front (waiting `busy_timeout`).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        sqlite_file.apply_pragmas(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        if mode != _NO_BEGIN:
            connection.exec_driver_sql(f"BEGIN {mode}")


def create_engine(url: URL) -> Engine:
    try:
        engine = sa_create_engine(url)
    except (ImportError, sa_exc.ArgumentError) as exc:
        where = url.render_as_string(hide_password=True)
        raise StorageError(f"cannot use the database {where}: {exc}") from exc
    if url.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    return engine


def writing(engine: Engine) -> Engine:
    """The engine to use for transactions that write (harmless on other backends)."""
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def failure(error: sa_exc.DBAPIError) -> DatabaseFailure:
    text_ = str(error.orig)
    return DatabaseFailure(
        text_,
        integrity=isinstance(error, sa_exc.IntegrityError),
        unreachable=isinstance(error, sa_exc.OperationalError) and "connect" in text_.lower(),
        damaged=isinstance(error, sa_exc.DatabaseError) and not isinstance(error, sa_exc.OperationalError),
    )


def _driver(connection: Connection) -> sqlite3.Connection:
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection), "only for SQLite"
    return driver


class _Session:
    def __init__(self, connection: Connection, statements: dict[str, TextClause]) -> None:
        self._connection = connection
        self._statements = statements

    def _text(self, sql: str) -> TextClause:
        statement = self._statements.get(sql)
        if statement is None:
            statement = self._statements[sql] = text(sql)
        return statement

    def rows(self, sql: str, params: Params | None = None) -> Iterable[Row]:
        return iter(self._connection.execute(self._text(sql), dict(params or {})))

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        return self._connection.execute(self._text(sql), dict(params or {})).scalar()

    def run(self, sql: str, params: Params | Sequence[Params] | None = None) -> None:
        if isinstance(params, Sequence):
            self._connection.execute(self._text(sql), [dict(one) for one in params])
        else:
            self._connection.execute(self._text(sql), dict(params or {}))


class SqlAlchemyDatabase:
    """A database reached through one SQLAlchemy engine, already migrated."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.file = file_of(engine.url)
        self.closed = False
        self._writer = writing(engine)
        #: Parsed statements by their text: parsing the bind names is not free.
        self._statements: dict[str, TextClause] = {}

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        try:
            yield
        except sa_exc.DBAPIError as exc:
            raise failure(exc) from exc
        except sqlite3.Error as exc:  # from the driver's own connection (vacuum, write_back)
            raise DatabaseFailure(str(exc), integrity=isinstance(exc, sqlite3.IntegrityError)) from exc

    @contextmanager
    def _reading(self) -> Iterator[_Session]:
        with self._guarded(), self.engine.connect() as connection:
            yield _Session(connection, self._statements)

    @contextmanager
    def _writing(self) -> Iterator[_Session]:
        with self._guarded(), self._writer.begin() as connection:
            yield _Session(connection, self._statements)

    def reading(self) -> AbstractContextManager[_Session]:
        return self._reading()

    def writing(self) -> AbstractContextManager[_Session]:
        return self._writing()

    def _raw(self) -> Engine:
        return self.engine.execution_options(**{BEGIN_OPTION: _NO_BEGIN})

    def vacuum(self) -> None:
        if self.dialect != "sqlite":
            return
        with self._guarded(), self._raw().connect() as connection:
            sqlite_file.vacuum(_driver(connection))

    def write_back(self, path: Path) -> Path | None:
        with self._guarded(), self._raw().connect() as connection:
            scratch = sqlite_file.copy_out(_driver(connection), path)
        self.engine.dispose()  # the open connections still point at the deleted file
        return sqlite_file.put_in_place(scratch, path)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.engine.dispose()

    def on_connect(self, hook: Callable[[Any], None]) -> None:
        self.engine.dispose()
        event.listen(self.engine, "connect", lambda dbapi_connection, _record: hook(dbapi_connection))

    def trace(self, callback: Callable[[str], None]) -> None:
        if self.dialect == "sqlite":  # the driver's own trace shows the values too, as sqlite_database's
            self.on_connect(lambda dbapi_connection: dbapi_connection.set_trace_callback(callback))
            return
        event.listen(
            self.engine, "before_cursor_execute", lambda _c, _cu, statement, *_rest: callback(statement)
        )
