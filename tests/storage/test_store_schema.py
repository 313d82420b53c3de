"""The plain-SQL path builds exactly the schema of the SQLAlchemy tables and their migrations."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from wellbeing_app.storage import open_store, sqlite_schema
from wellbeing_app.storage.models import metadata
from wellbeing_app.storage.opening import DATABASE_FILE, HEAD_REVISION


def _normalised(sql: str | None) -> str | None:
    """SQL as SQLite keeps it, without the differences white space makes."""
    if sql is None:
        return None
    text = re.sub(r"\s+", " ", sql).strip()
    return re.sub(r"\s*([(),;])\s*", r"\1", text)


def _schema(path: Path) -> list[tuple[str, str, str, str | None]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
        schema = [(kind, name, table, _normalised(sql)) for kind, name, table, sql in rows]
    connection.close()
    return schema


def test_the_sqlite3_path_makes_the_schema_the_migrations_make(tmp_path: Path) -> None:
    plain, migrated = tmp_path / "plain", tmp_path / "migrated"
    open_store(plain).store.close()
    open_store(migrated, url=f"sqlite:///{migrated / DATABASE_FILE}").store.close()
    expected = _schema(migrated / DATABASE_FILE)
    assert _schema(plain / DATABASE_FILE) == expected, (
        "wellbeing_app/storage/sqlite_schema.py differs from what the migrations build; "
        "write there the CREATE statements of `sqlite_master` of a database the migrations made"
    )
    with sqlite3.connect(plain / DATABASE_FILE) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD_REVISION,)]
    connection.close()


def test_the_plain_schema_is_of_the_newest_revision_and_has_every_table() -> None:
    assert sqlite_schema.REVISION == HEAD_REVISION
    assert set(sqlite_schema.TABLES) == set(metadata.tables)


def test_opening_the_usual_file_loads_no_sqlalchemy(tmp_path: Path) -> None:
    # In a process of its own: this one has imported SQLAlchemy long ago.
    script = (
        "import sys; from pathlib import Path; from datetime import date\n"
        "from wellbeing_app.storage import open_store\n"
        "for _ in range(2):\n"
        "    store = open_store(Path(sys.argv[1])).store; store.usage_on(date.today()); store.close()\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
