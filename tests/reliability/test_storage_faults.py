"""Storage faults: a full disk, a read-only data folder, a damaged database, one from a newer version.

What must hold: the person is told in words what happened and what to do, nothing already written is
lost, and the limits are still enforced from memory where the records cannot be written.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.app.conftest import Cli
from tests.reliability.conftest import GAME, Person, tracking
from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.model import BlockReason, EventKind, Verdict
from wellbeing_app.service import Service
from wellbeing_app.storage.opening import DATABASE_FILE


@contextmanager
def small_filesystem(where: Path, size: str = "4m") -> Iterator[Path]:
    """A tmpfs of `size` mounted at `where` (needs root or CAP_SYS_ADMIN; skips otherwise)."""
    mount = shutil.which("mount")
    if mount is None or os.geteuid() != 0:
        pytest.skip("a size-limited file system needs `mount` as root (CAP_SYS_ADMIN); not available here")
    where.mkdir(parents=True)
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"mounting a size-limited tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def remount_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True, capture_output=True)


def fill(disk: Path) -> Path:
    """Fill the file system to the last byte; returns the filler file to delete later."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (65536, 4096, 512, 1):  # the last partial page too
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)
    return filler


def database_seconds(data_dir: Path, *, immutable: bool = False) -> float:
    """The usage recorded in the database file, read-only, after checking its integrity."""
    flags = "mode=ro&immutable=1" if immutable else "mode=ro"  # immutable: on a read-only file system
    connection = sqlite3.connect(f"{(data_dir / DATABASE_FILE).as_uri()}?{flags}", uri=True)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        (ms,) = connection.execute("SELECT COALESCE(SUM(end_ms - start_ms), 0) FROM usage_spans").fetchone()
    finally:
        connection.close()
    return ms / 1000


def database_event_kinds(data_dir: Path) -> list[str]:
    connection = sqlite3.connect(f"{(data_dir / DATABASE_FILE).as_uri()}?mode=ro", uri=True)
    try:
        return [row[0] for row in connection.execute("SELECT kind FROM events ORDER BY at_ms, id")]
    finally:
        connection.close()


# --- a full disk ------------------------------------------------------------------------------


def test_a_full_disk_keeps_enforcing_from_memory_says_so_once_and_writes_everything_once_space_is_freed(
    tmp_path: Path, clock: FakeClock
) -> None:
    with small_filesystem(tmp_path / "disk") as disk:
        data_dir = disk / "data"
        service, person = tracking(data_dir, clock, daily_cap_minutes=40, break_every_minutes=None)
        person.use(GAME, 10 * 60)
        assert service.flush()
        assert database_seconds(data_dir) == 600
        filler = fill(disk)

        # 35 more minutes: every flush and every urgent event (warnings, the block) fails to be written
        result = person.use(GAME, 35 * 60)

        assert result.decision.verdict is Verdict.BLOCK
        assert result.decision.reason is BlockReason.CAP
        assert service.status().used_seconds == 45 * 60
        full = [notice for notice in service.notices if "the disk is full" in notice]
        assert len(full) == 1, service.notices  # said once, not at every retry
        assert str(data_dir / DATABASE_FILE) in full[0]
        assert "goes on counting and enforcing" in full[0]
        assert database_seconds(data_dir) == 600  # what was written is intact

        filler.unlink()
        person.use(GAME, 10)  # the next retry (every 10 s) writes everything kept in memory
        assert database_seconds(data_dir) == 45 * 60 + 10
        kinds = database_event_kinds(data_dir)
        assert kinds.count(EventKind.WARNING.value) == 3
        assert kinds.count(EventKind.BLOCK.value) == 1
        service.close()
        again = Service.open(data_dir, clock=clock)
        assert again.status().used_seconds == 45 * 60 + 10
        again.close()


def test_a_clean_stop_on_a_full_disk_keeps_the_unwritten_spans_for_the_next_start(
    tmp_path: Path, clock: FakeClock
) -> None:
    with small_filesystem(tmp_path / "disk") as disk:
        data_dir = disk / "data"
        service, person = tracking(data_dir, clock)
        person.use(GAME, 60)
        assert service.flush()
        filler = fill(disk)
        person.use(GAME, 300)  # two DB flushes fail on the way
        service.close()  # a clean stop that cannot write the database
        assert database_seconds(data_dir) == 60

        # a reader on the still-full disk counts what the journal kept
        reader = Service.open(data_dir, clock=clock)
        assert reader.status().used_seconds == 360
        reader.close()

        filler.unlink()
        restarted = Service.open(data_dir, clock=clock)
        restarted.start_tracking()
        assert database_seconds(data_dir) == 360
        assert restarted.events(1, [EventKind.TRACKING_GAP]) == []  # it was a clean stop
        restarted.close()


def test_the_command_line_on_a_full_disk_refuses_a_change_in_words_and_keeps_the_old_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with small_filesystem(tmp_path / "disk") as disk:
        cli = Cli(disk / "data", capsys)
        assert cli("config", "set", "daily_cap_minutes", "45").code == 0
        filler = fill(disk)
        refused = cli("config", "set", "daily_cap_minutes", "90")
        assert refused.code == 2
        assert "the disk is full" in refused.err
        assert "free some space" in refused.err
        filler.unlink()
        assert "daily_cap_minutes = 45" in cli("config", "show").out


# --- a read-only data folder ----------------------------------------------------------------------


def test_a_read_only_data_folder_runs_on_a_copy_with_the_settings_and_passcode_and_says_what_to_do(
    tmp_path: Path, clock: FakeClock
) -> None:
    with small_filesystem(tmp_path / "disk") as disk:
        data_dir = disk / "data"
        first = Service.open(data_dir, clock=clock)
        first.change_settings({"daily_cap_minutes": 40, "break_every_minutes": None})
        first.set_passcode("2468")
        first.start_tracking()
        Person(first, clock).use(GAME, 10 * 60)
        first.close()
        remount_read_only(disk)

        service = Service.open(data_dir, clock=clock)
        notice = service.notices[0]
        assert f"cannot write to the data folder {data_dir}" in notice
        assert "Read-only file system" in notice
        assert "make it writable, or choose another data folder" in notice
        assert "runs on a temporary copy of its records" in notice
        assert "nothing that happens now is kept" in notice
        # the copy holds the settings, the passcode and today's usage: making the folder read-only gains nothing
        assert service.settings.daily_cap_minutes == 40
        assert service.passcode_is_set()
        assert service.status().used_seconds == 600
        service.start_tracking()
        result = Person(service, clock).use(GAME, 30 * 60)
        assert result.decision.verdict is Verdict.BLOCK
        assert result.decision.reason is BlockReason.CAP
        scratch = service._scratch
        assert scratch is not None
        assert scratch.exists()
        service.close()
        assert not scratch.exists()
        assert database_seconds(data_dir, immutable=True) == 600  # the folder itself is untouched


def test_on_a_read_only_data_folder_a_change_is_refused_in_one_line_and_status_still_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with small_filesystem(tmp_path / "disk") as disk:
        data_dir = disk / "data"
        cli = Cli(data_dir, capsys)
        assert cli("config", "set", "daily_cap_minutes", "45").code == 0
        remount_read_only(disk)

        refused = cli("config", "set", "daily_cap_minutes", "90")
        assert refused.code == 2
        assert refused.err.count("\n") == 1
        assert f"cannot write to the data folder {data_dir}: Read-only file system" in refused.err
        assert (
            "make it writable, or choose another data folder (--data-dir or WELLBEING_DATA_DIR)"
            in refused.err
        )

        shown = cli("config", "show")
        assert shown.code == 0
        assert "daily_cap_minutes = 45" in shown.out
        assert "runs on a temporary copy" in shown.err


# --- a damaged database, one from a newer version -------------------------------------------------


def set_aside_files(data_dir: Path) -> list[Path]:
    """The database files set aside (not their -wal and -shm companions)."""
    return sorted(
        p
        for p in data_dir.iterdir()
        if p.name.startswith(f"{DATABASE_FILE}.broken-") and not p.name.endswith(("-wal", "-shm", "-journal"))
    )


def test_a_file_that_is_not_a_database_is_set_aside_untouched_and_said_so_and_the_app_starts(
    data_dir: Path, clock: FakeClock, cli: Cli
) -> None:
    data_dir.mkdir()
    garbage = os.urandom(8192)
    (data_dir / DATABASE_FILE).write_bytes(garbage)

    status = cli("status", "--json")

    assert status.code == 0
    assert "could not be used because it is not a SQLite database, so it was moved to" in status.err
    [kept] = set_aside_files(data_dir)
    assert str(kept) in status.err
    assert kept.read_bytes() == garbage
    service = Service.open(data_dir, clock=clock)
    service.start_tracking()
    Person(service, clock).use(GAME, 60)
    assert service.status().used_seconds == 60
    service.close()


def test_a_database_damaged_inside_is_set_aside_by_the_tracker_and_its_bytes_are_kept(
    data_dir: Path, clock: FakeClock
) -> None:
    service = Service.open(data_dir, clock=clock)
    service.start_tracking()
    Person(service, clock).use(GAME, 600)
    service.close()
    path = data_dir / DATABASE_FILE
    damaged = bytearray(path.read_bytes())
    damaged[4096 * 2 : 4096 * 2 + 2048] = os.urandom(2048)  # inside the third page
    path.write_bytes(bytes(damaged))

    reopened = Service.open(data_dir, clock=clock)  # as the tracker opens it: with the integrity check

    assert len(reopened.notices) == 1
    assert "could not be used because it is damaged" in reopened.notices[0]
    [kept] = set_aside_files(data_dir)
    assert kept.read_bytes() == bytes(damaged)
    assert reopened.status().used_seconds == 0  # a fresh database; the old records wait in `kept`
    reopened.close()


def test_a_database_from_a_newer_version_is_set_aside_with_its_revision_named(
    data_dir: Path, clock: FakeClock, cli: Cli
) -> None:
    assert cli("config", "set", "daily_cap_minutes", "45").code == 0
    connection = sqlite3.connect(data_dir / DATABASE_FILE)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfeedbeef'")
    connection.close()

    status = cli("status")

    assert status.code == 0
    assert "written by a newer version of Wellbeing (schema revision f00dfeedbeef)" in status.err
    [kept] = set_aside_files(data_dir)
    assert str(kept) in status.err
    kept_db = sqlite3.connect(f"{kept.as_uri()}?mode=ro", uri=True)
    try:
        assert kept_db.execute("SELECT version_num FROM alembic_version").fetchall() == [("f00dfeedbeef",)]
        assert kept_db.execute("SELECT value FROM settings WHERE key = 'daily_cap_minutes'").fetchall() == [
            ("45",)
        ]
    finally:
        kept_db.close()


def test_a_database_damaged_throughout_is_set_aside_by_a_quick_command_too(
    data_dir: Path, clock: FakeClock, cli: Cli
) -> None:
    service = Service.open(data_dir, clock=clock)
    service.start_tracking()
    Person(service, clock).use(GAME, 600)
    service.close()
    path = data_dir / DATABASE_FILE
    damaged = bytearray(path.read_bytes())
    for page in range(2, len(damaged) // 4096):  # `status` skips the full check; the damage shows anyway
        damaged[4096 * page : 4096 * page + 2048] = os.urandom(2048)
    path.write_bytes(bytes(damaged))

    status = cli("status")

    assert status.code == 0
    [kept] = set_aside_files(data_dir)
    assert "could not be used because it is damaged" in status.err
    assert f"so it was moved to {kept} and a new, empty database was started" in status.err
    assert "temporary copy" not in status.err  # the folder can be written: no copy is needed
    assert kept.read_bytes() == bytes(damaged)
    assert cli("status").err == ""  # said once; the fresh database is fine
