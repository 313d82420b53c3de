"""Opening the store: where the database lives, setting aside one that cannot be used, migrating."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from wellbeing_app.core.record import record

from . import sqlite_file, sqlite_schema
from .access import describe_database_error
from .database import Database, DatabaseFailure
from .errors import StorageError
from .sqlite_database import SqliteDatabase
from .store import DEFAULT_PERSON, Store

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

#: The schema revisions this code knows, newest last. Kept here so that opening an up-to-date
#: database needs no alembic (its import costs a third of a second); a test checks this list
#: against the migrations folder.
KNOWN_REVISIONS = ("0001",)
HEAD_REVISION = KNOWN_REVISIONS[-1]

_log = logging.getLogger(__name__)

DATABASE_FILE = "wellbeing.sqlite3"
MIGRATIONS = Path(__file__).with_name("migrations")


@record(eq=False, repr=False)
class OpenResult:
    """An open store, and what the user should be told about opening it.

    `notice` is one sentence when a database could not be used and was set aside (then
    `moved_aside` is where it is now); None otherwise.
    """

    store: Store
    notice: str | None
    moved_aside: Path | None
    #: Why the file was not used when it was not a regular file of this user (then it was moved aside).
    refused: str | None = None


def alembic_config(url: str | None = None) -> Config:
    """An alembic configuration for the migrations of this package, without an alembic.ini.

    For writing a new revision: upgrade a scratch database to head, then
    ``command.revision(alembic_config("sqlite:///scratch.sqlite3"), "what changed", autogenerate=True)``.
    """
    from alembic.config import Config

    config = Config()
    # ConfigParser interpolates %, so it is doubled in paths and URLs.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def known_revisions() -> set[str]:
    """Every schema revision in the migrations folder (alembic's view; KNOWN_REVISIONS is ours)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def _migrate(engine: Engine, location: str) -> None:
    from alembic import command
    from alembic.util import CommandError

    from .sqlalchemy_database import writing

    config = alembic_config()
    try:
        with writing(engine).begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except CommandError as exc:
        # Only where the file could not be checked first (another backend): nothing to move aside.
        raise StorageError(
            f"cannot use the database {location}: its schema is not one this version of Wellbeing knows "
            f"({exc}); it may have been written by a newer version"
        ) from exc


def _migrate_file(path: Path) -> None:
    """Bring a SQLite file of an older revision up to date through alembic (which needs SQLAlchemy)."""
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.engine import URL

    from .sqlalchemy_database import create_engine, failure

    engine = create_engine(URL.create("sqlite", database=str(path)))
    try:
        _migrate(engine, str(path))
    except sa_exc.DBAPIError as exc:
        raise failure(exc) from exc
    finally:
        engine.dispose()


#: Less free space than this where the database lives, and a failure to read it is taken for a full
#: disk: even reading a WAL database creates its -shm file (32 KiB).
_NEARLY_FULL_BYTES = 1 << 20


def _why_not_readable(path: Path, error: Exception) -> str:
    """Why the database cannot be read, in words: on a full disk SQLite says only "disk I/O error"."""
    import shutil

    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        free = None
    if free is not None and free < _NEARLY_FULL_BYTES:
        return (
            f"cannot read the database {path}: the disk is full ({free // 1024} KiB free); "
            "free some space and try again"
        )
    return f"cannot read the database {path}: {error}"


def _ensure_writable_folder(folder: Path) -> None:
    what_to_do = "make it writable, or choose another data folder (--data-dir or WELLBEING_DATA_DIR)"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK | os.X_OK, effective_ids=os.access in os.supports_effective_ids):
            return
        # Refused, or access() cannot tell (a network file system): a real write says which.
        import tempfile

        handle, probe = tempfile.mkstemp(dir=folder, prefix=".wellbeing-write-test-")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise StorageError(
            f"cannot write to the data folder {folder}: {exc.strerror or exc}; {what_to_do}"
        ) from exc


def _set_aside(path: Path, reason: str) -> tuple[Path, str]:
    try:
        moved = sqlite_file.move_aside(path)
    except OSError as exc:
        raise StorageError(
            f"the database {path} cannot be used because {reason}, and it cannot be moved aside "
            f"({exc.strerror or exc}); move it away by hand and start again"
        ) from exc
    notice = (
        f"The database {path} could not be used because {reason}, so it was moved to {moved} "
        "and a new, empty database was started."
    )
    _log.warning("%s", notice)
    return moved, notice


def _check_file(path: Path, check_integrity: bool) -> tuple[Path | None, str | None]:
    """Make sure the folder can be written, and set the file aside if it cannot be used."""
    _ensure_writable_folder(path.parent)
    refused = sqlite_file.why_not_a_users_file(path)
    if refused is not None:
        return _set_aside(path, refused)
    try:
        reason = sqlite_file.why_unusable(
            path,
            KNOWN_REVISIONS,
            check_integrity=check_integrity,
            head_revision=HEAD_REVISION,
            head_tables=sqlite_schema.TABLES,
        )
    except (OSError, sqlite3.OperationalError) as exc:
        raise StorageError(_why_not_readable(path, exc)) from exc
    if reason is None:
        return None, None
    return _set_aside(path, reason)


def _file_database(path: Path) -> Database:
    """The file through sqlite3, made or migrated to the newest revision first where needed."""
    revision = sqlite_file.revision_of(path)
    if revision != HEAD_REVISION:
        if revision is None and sqlite_schema.REVISION == HEAD_REVISION and not sqlite_file.has_tables(path):
            database = SqliteDatabase(path)
            try:
                database.create_schema()
            except BaseException:
                database.close()
                raise
            return database
        _migrate_file(path)
    return SqliteDatabase(path)


def _open_file(path: Path, person_id: str, check_integrity: bool) -> OpenResult:
    refused = sqlite_file.why_not_a_users_file(path)
    moved, notice = _check_file(path, check_integrity)
    location = str(path)
    database: Database | None = None
    try:
        try:
            database = _file_database(path)
        except DatabaseFailure as exc:
            # Damage that the quick check did not see shows up here; set the file aside once.
            if moved is not None or not exc.damaged:
                raise
            moved, notice = _set_aside(path, f"it could not be read ({exc.text})")
            database = _file_database(path)
        store = Store(database, person_id=person_id, location=location)
    except DatabaseFailure as exc:
        if database is not None:
            database.close()
        raise StorageError(describe_database_error(exc, location, "open the database")) from exc
    except BaseException:
        if database is not None:
            database.close()
        raise
    return OpenResult(store=store, notice=notice, moved_aside=moved, refused=refused)


def _open_url(url: str, person_id: str, check_integrity: bool) -> OpenResult:
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.engine import make_url

    from .sqlalchemy_database import SqlAlchemyDatabase, create_engine, failure, file_of

    try:
        database_url = make_url(url)
    except sa_exc.ArgumentError as exc:
        raise StorageError(f"{url!r} is not a database URL: {exc}") from exc
    path = file_of(database_url)
    location = str(path) if path is not None else database_url.render_as_string(hide_password=True)
    moved: Path | None = None
    notice: str | None = None
    if path is not None:
        moved, notice = _check_file(path, check_integrity)
    engine = create_engine(database_url)
    try:
        try:
            if path is None or moved is not None or sqlite_file.revision_of(path) != HEAD_REVISION:
                _migrate(engine, location)
        except sa_exc.DatabaseError as exc:
            # Damage that the quick check did not see shows up here; set the file aside once.
            if path is None or moved is not None or isinstance(exc, sa_exc.OperationalError):
                raise
            engine.dispose()
            moved, notice = _set_aside(path, f"it could not be read ({exc.orig})")
            engine = create_engine(database_url)
            _migrate(engine, location)
        store = Store(SqlAlchemyDatabase(engine), person_id=person_id, location=location)
    except sa_exc.DBAPIError as exc:
        engine.dispose()
        raise StorageError(describe_database_error(failure(exc), location, "open the database")) from exc
    except DatabaseFailure as exc:
        engine.dispose()
        raise StorageError(describe_database_error(exc, location, "open the database")) from exc
    except BaseException:
        engine.dispose()
        raise
    return OpenResult(store=store, notice=notice, moved_aside=moved)


def open_store(
    data_dir: Path, *, url: str | None = None, person_id: str = DEFAULT_PERSON, check_integrity: bool = True
) -> OpenResult:
    """Open (creating or migrating as needed) the database and return the store on it.

    By default the database is the SQLite file `wellbeing.sqlite3` in `data_dir`, which is created
    if needed, reached through the standard library's sqlite3 (SQLAlchemy and alembic are loaded
    only to migrate an older file). A `url` names any database SQLAlchemy reaches (PostgreSQL, or
    SQLite as `sqlite:///path`, `sqlite://` in memory). A database file that cannot be used (not a
    database, damaged, or from a newer version of Wellbeing) is moved aside to
    `wellbeing.sqlite3.broken-YYYYmmdd-HHMMSS`, never deleted, and a fresh one is started; `notice`
    then says so. A folder that cannot be written raises StorageError: the caller may then run
    from memory (`url="sqlite://"`).

    `check_integrity=False` skips SQLite's quick check, which reads the whole file: quick
    commands such as `status` use it; the tracker checks at every start.
    """
    if url is None:
        return _open_file(data_dir / DATABASE_FILE, person_id, check_integrity)
    return _open_url(url, person_id, check_integrity)
