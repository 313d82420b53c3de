"""Deleting the database while the app runs resets nothing: it is written back within seconds."""

from __future__ import annotations

from pathlib import Path

from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.model import EventKind, Verdict
from wellbeing_app.service import Service

from .conftest import GAME, Person

DATABASE = "wellbeing.sqlite3"


def delete_database(data_dir: Path) -> None:
    for name in (DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm"):
        (data_dir / name).unlink(missing_ok=True)


def test_a_deleted_database_comes_back_with_the_passcode_settings_and_usage(
    service: Service, data_dir: Path, clock: FakeClock
) -> None:
    service.change_settings({"daily_cap_minutes": 40, "break_every_minutes": None})
    service.set_passcode("2468")
    service.start_tracking()
    person = Person(service, clock)
    person.use(GAME, 40 * 60)
    assert person.last is not None
    assert person.last.decision.verdict is Verdict.BLOCK

    delete_database(data_dir)
    person.use(GAME, 5)  # the next journal write notices

    assert (data_dir / DATABASE).exists()
    reader = Service.open(data_dir, clock=clock)
    try:
        assert reader.passcode_is_set()
        assert reader.settings.daily_cap_minutes == 40
        assert reader.status().used_seconds >= 40 * 60
        restored = reader.events(1, [EventKind.RECORDS_RESTORED])
        assert [e.payload.path for e in restored] == [str(data_dir / DATABASE)]
    finally:
        reader.close()
    assert any("was deleted while Wellbeing was running" in notice for notice in service.notices)
    person.use(GAME, 2)
    assert person.last is not None
    assert person.last.decision.verdict is Verdict.BLOCK


def test_a_fresh_database_put_in_its_place_is_moved_aside_not_used(
    service: Service, data_dir: Path, clock: FakeClock
) -> None:
    service.set_passcode("2468")
    service.start_tracking()
    person = Person(service, clock)
    person.use(GAME, 60)
    delete_database(data_dir)
    fresh = Service.open(data_dir, clock=clock)  # e.g. `wellbeing-app config set …` right after deleting
    fresh.change_settings({"daily_cap_minutes": 120})  # no passcode in the fresh file
    fresh.close()

    person.use(GAME, 5)

    reader = Service.open(data_dir, clock=clock)
    try:
        assert reader.passcode_is_set()
        assert reader.settings.daily_cap_minutes == 60
    finally:
        reader.close()
    assert len(list(data_dir.glob(f"{DATABASE}.broken-*"))) == 1
