"""Everything that is particular to a SQLite file: connection pragmas, file checks, setting aside.

Standard library only (no SQLAlchemy): both ways of reaching a SQLite file use it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path

from .journal import why_not_trusted

_log = logging.getLogger(__name__)

PRAGMAS = (
    # First, so that switching the journal mode waits for another process instead of failing.
    "PRAGMA busy_timeout=5000",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)

_HEADER = b"SQLite format 3\x00"
_COMPANIONS = ("-wal", "-shm", "-journal")


def apply_pragmas(connection: sqlite3.Connection) -> None:
    """Set the pragmas on a new connection (they hold per connection)."""
    for pragma in PRAGMAS:
        connection.execute(pragma).close()


def vacuum(connection: sqlite3.Connection) -> None:
    """Rebuild the file so that deleted records are gone from the disk, not just unlinked.

    The connection must be outside any transaction (VACUUM cannot run inside one).
    """
    connection.execute("VACUUM")
    # In WAL mode the old pages stay in the main file until a checkpoint copies the new ones in.
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").close()


def copy_out(connection: sqlite3.Connection, path: Path) -> Path:
    """The first half of writing a database back to `path`: a consistent copy of what `connection`
    has open, beside `path`. The caller then closes its connections and calls `put_in_place`."""
    scratch = path.with_name(f"{path.name}.restoring")
    scratch.unlink(missing_ok=True)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    connection.execute("VACUUM INTO ?", (str(scratch),))
    return scratch


def put_in_place(scratch: Path, path: Path) -> Path | None:
    """The second half: move the copy to `path`; a file found there is moved aside (returned)."""
    replaced = move_aside(path) if path.exists() else None
    for suffix in _COMPANIONS:
        Path(f"{path}{suffix}").unlink(missing_ok=True)  # left by the deleted file, not by the copy
    scratch.replace(path)
    return replaced


def why_not_a_users_file(path: Path) -> str | None:
    """Why what is at `path` is not a regular file of this user ("it is a symbolic link to
    /dev/null", a FIFO, another user's file), or None (also when there is nothing)."""
    try:
        info = os.lstat(path)
    except OSError:  # nothing there, or a folder that cannot be read: said when it is opened
        return None
    if stat.S_ISLNK(info.st_mode):
        return f"it is a symbolic link to {os.readlink(path)}"
    return why_not_trusted(info)


def why_unusable(
    path: Path,
    known_revisions: Collection[str],
    *,
    check_integrity: bool = True,
    head_revision: str | None = None,
    head_tables: Collection[str] = (),
) -> str | None:
    """Why the database file cannot be used, in words, or None if it can (or does not exist yet).

    A file stamped `head_revision` must have every table of `head_tables`: one written by a
    development build before the schema was settled may not.

    Looks without writing: the file is opened read-only, so a file that is set aside keeps its
    bytes. Raises sqlite3.OperationalError when the file cannot be read at all (permissions),
    which is not a reason to set it aside.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as file:
        if file.read(len(_HEADER)) != _HEADER:
            return "it is not a SQLite database"
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return _inspect(connection, known_revisions, check_integrity, head_revision, head_tables)
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError as exc:
        return f"it is damaged ({exc})"
    finally:
        connection.close()


def _inspect(
    connection: sqlite3.Connection,
    known_revisions: Collection[str],
    check_integrity: bool,
    head_revision: str | None,
    head_tables: Collection[str],
) -> str | None:
    problems = (
        [str(row[0]) for row in connection.execute("PRAGMA quick_check")] if check_integrity else ["ok"]
    )
    if problems != ["ok"]:
        _log.warning("quick_check of the database found: %s", "; ".join(problems)[:2000])
        return "it is damaged (its integrity check failed)"
    names = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    tables = {str(row[0]) for row in names if not str(row[0]).startswith("sqlite_")}
    if "alembic_version" not in tables:
        return "it was not created by Wellbeing" if tables else None
    revisions = [str(row[0]) for row in connection.execute("SELECT version_num FROM alembic_version")]
    if not revisions and tables - {"alembic_version"}:
        return "its schema version is missing"
    unknown = [revision for revision in revisions if revision not in known_revisions]
    if unknown:
        return f"it was written by a newer version of Wellbeing (schema revision {', '.join(unknown)})"
    missing = sorted(set(head_tables) - tables) if revisions == [head_revision] else []
    if missing:
        return (
            f"its tables are not those of its schema revision {head_revision} (no {', '.join(missing)}); "
            "a development build of Wellbeing may have written it"
        )
    return None


def revision_of(path: Path) -> str | None:
    """The schema revision stamped in the database file, or None (no file, no stamp)."""
    if not path.exists():
        return None
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        return None
    finally:
        connection.close()
    return str(rows[0][0]) if len(rows) == 1 else None


def has_tables(path: Path) -> bool:
    """Whether the database file has any table (False for a missing or empty file)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        count = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        return int(count) > 0
    finally:
        connection.close()


def identity(path: Path) -> tuple[int, int] | None:
    """Which file is at `path` (device, inode), or None when there is none."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def move_aside(path: Path) -> Path:
    """Rename the database (and its -wal, -shm and -journal files) to `<name>.broken-YYYYmmdd-HHMMSS`.

    Nothing is deleted; if that name is taken, a counter is added.
    """
    stamp = datetime.now(UTC).astimezone().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.broken-{stamp}")
    counter = 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", *_COMPANIONS)):
        counter += 1
        target = path.with_name(f"{path.name}.broken-{stamp}-{counter}")
    path.rename(target)
    for suffix in _COMPANIONS:
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            companion.rename(Path(f"{target}{suffix}"))
    return target
