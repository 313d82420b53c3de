"""Opening the store: a fresh database, migrations, and databases that cannot be used."""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from wellbeing_app.storage import StorageError, Store, open_store
from wellbeing_app.storage.models import metadata
from wellbeing_app.storage.opening import DATABASE_FILE, HEAD_REVISION, KNOWN_REVISIONS, known_revisions

from .backends import on_connect, query
from .samples import NINE, span

BROKEN_NAME = re.compile(re.escape(DATABASE_FILE) + r"\.broken-\d{8}-\d{6}(-\d+)?")


def test_a_fresh_database_is_created_migrated_and_tuned(data_dir: Path) -> None:
    result = open_store(data_dir)
    try:
        assert (result.notice, result.moved_aside) == (None, None)
        assert (data_dir / DATABASE_FILE).is_file()
        assert re.fullmatch(r"[0-9a-f]{32}", result.store.device_id)
        assert result.store.person_id == "default"
        # The pragmas are per connection: look at one the store itself uses.
        pragmas = {
            name: query(result.store, f"PRAGMA {name}")[0][0]
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
        assert pragmas == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1, "busy_timeout": 5000}
    finally:
        result.store.close()
    with sqlite3.connect(data_dir / DATABASE_FILE) as check:
        assert check.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
    check.close()


def test_the_device_id_is_made_once(data_dir: Path) -> None:
    first = open_store(data_dir).store
    device_id = first.device_id
    first.close()
    again = open_store(data_dir).store
    try:
        assert again.device_id == device_id
        assert again.get_meta("device_id") == device_id
    finally:
        again.close()


def test_the_migrated_schema_is_exactly_the_models(data_dir: Path) -> None:
    open_store(data_dir).store.close()
    engine = create_engine(f"sqlite:///{data_dir / DATABASE_FILE}")
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_opening_again_keeps_the_data(data_dir: Path) -> None:
    first = open_store(data_dir).store
    kept = span()
    first.upsert_spans([kept])
    first.close()
    again = open_store(data_dir)
    try:
        assert again.notice is None
        assert again.store.spans_on(kept.day) == [kept]
    finally:
        again.store.close()


def _text_file(path: Path) -> None:
    path.write_text("These are my notes, not a database.\n")
    # Leftover companions belong to the file and must travel with it.
    Path(f"{path}-wal").write_bytes(b"wal bytes")
    Path(f"{path}-shm").write_bytes(b"shm bytes")


def _damaged_database(path: Path) -> None:
    store = open_store(path.parent).store
    store.upsert_spans([span(NINE + timedelta(minutes=i), 1, title="t" * 50) for i in range(3000)])
    store.close()
    content = bytearray(path.read_bytes())
    middle = len(content) // 2
    content[middle : middle + 8192] = random.Random(7).randbytes(8192)
    path.write_bytes(bytes(content))


def _newer_database(path: Path) -> None:
    store = open_store(path.parent).store
    store.upsert_spans([span()])
    store.close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'ffff0000from_the_future'")
    connection.close()


def _version_missing(path: Path) -> None:
    open_store(path.parent).store.close()
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM alembic_version")
    connection.close()


def _tables_missing(path: Path) -> None:
    # What a development build wrote before the schema was settled: the stamp, not the tables.
    open_store(path.parent).store.close()
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE usage_totals")
    connection.close()


def _foreign_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("INSERT INTO recipes (name) VALUES ('soup')")
    connection.close()


@pytest.mark.parametrize(
    ("make_bad_file", "reason"),
    [
        (_text_file, "it is not a SQLite database"),
        (_damaged_database, "it is damaged"),
        (_newer_database, "newer version of Wellbeing"),
        (_foreign_database, "not created by Wellbeing"),
        (_version_missing, "schema version is missing"),
        (_tables_missing, "tables are not those of its schema revision 0001 (no usage_totals)"),
    ],
    ids=[
        "text-file",
        "random-bytes",
        "unknown-revision",
        "foreign-tables",
        "version-missing",
        "tables-missing",
    ],
)
def test_a_database_that_cannot_be_used_is_moved_aside_intact(
    data_dir: Path, make_bad_file: Callable[[Path], None], reason: str
) -> None:
    data_dir.mkdir()
    path = data_dir / DATABASE_FILE
    make_bad_file(path)
    originals = {
        suffix: Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    }

    result = open_store(data_dir)
    try:
        moved = result.moved_aside
        assert moved is not None
        assert moved.parent == data_dir
        assert BROKEN_NAME.fullmatch(moved.name)
        for suffix, content in originals.items():
            assert Path(f"{moved}{suffix}").read_bytes() == content
        assert result.notice is not None
        assert str(moved) in result.notice
        assert reason in result.notice
        # One sentence.
        assert ". " not in result.notice
        assert "\n" not in result.notice
        assert result.notice.endswith(".")
        # The fresh database works and starts empty.
        assert result.store.spans_on(NINE.date()) == []
        result.store.upsert_spans([span()])
        assert len(result.store.spans_on(NINE.date())) == 1
    finally:
        result.store.close()


def test_a_second_broken_database_in_the_same_second_gets_its_own_name(data_dir: Path) -> None:
    data_dir.mkdir()
    path = data_dir / DATABASE_FILE
    moved = []
    for content in ("first", "second"):
        path.write_text(content)
        result = open_store(data_dir)
        result.store.close()
        assert result.moved_aside is not None
        moved.append(result.moved_aside)
    assert moved[0] != moved[1]
    assert [place.read_text() for place in moved] == ["first", "second"]


def test_a_read_only_data_folder_is_refused_with_its_path(read_only_dir: Path) -> None:
    with pytest.raises(StorageError, match=re.escape(str(read_only_dir))) as raised:
        open_store(read_only_dir)
    assert "writable" in str(raised.value)


def test_a_data_folder_that_cannot_be_created_is_refused_with_its_path(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(StorageError, match=re.escape(str(blocker / "data"))):
        open_store(blocker / "data")


def test_a_memory_database_needs_no_folder(tmp_path: Path) -> None:
    result = open_store(tmp_path / "never-made", url="sqlite://")
    try:
        result.store.upsert_spans([span()])
        assert len(result.store.spans_on(NINE.date())) == 1
        assert not (tmp_path / "never-made").exists()
    finally:
        result.store.close()


def test_a_url_that_is_not_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="not a database URL"):
        open_store(tmp_path, url="this is not a url")


def test_every_revision_is_known() -> None:
    assert known_revisions() == set(KNOWN_REVISIONS)
    assert max(KNOWN_REVISIONS) == HEAD_REVISION


@pytest.mark.parametrize("store", ["sqlite", "sqlite-sqlalchemy"], indirect=True)  # about SQLite itself
def test_a_full_disk_is_reported_in_words(store: Store, data_dir: Path) -> None:
    # SQLite reports a database that may not grow exactly as it reports a full disk.
    def _no_room(dbapi_connection: sqlite3.Connection) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    on_connect(store, _no_room)

    path = data_dir / DATABASE_FILE
    with pytest.raises(StorageError, match=re.escape(f"cannot write to {path}: the disk is full")):
        store.upsert_spans([span(NINE + timedelta(minutes=i), 1, title="x" * 500) for i in range(500)])
    # Nothing of the failed call was written.
    assert store.spans_on(NINE.date()) == []
