"""The service over a real SQLite data dir, with a fake clock: restarts, kills, journal, grants."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.engine import TickResult
from wellbeing_app.core.errors import PasscodeError
from wellbeing_app.core.events import FileRefusedPayload
from wellbeing_app.core.model import AppRef, EventKind, Sample, Verdict
from wellbeing_app.service import Service

ALMATY = ZoneInfo("Asia/Almaty")
GAME = AppRef("supertux2", "SuperTux")


class Person:
    """Uses one app with input at every second, feeding the service like the tracker does."""

    def __init__(self, service: Service, clock: FakeClock) -> None:
        self.service, self.clock = service, clock

    def use(self, app: AppRef, seconds: int) -> TickResult:
        """Returns the last tick's result (its decision is what the person sees now)."""
        # the tracker samples at the moment of a switch, then every second
        result = self.service.tick(Sample(self.clock.elapsed(), self.clock.wall(), app, idle_seconds=0.0))
        for _ in range(seconds):
            self.clock.advance(1)
            result = self.service.tick(Sample(self.clock.elapsed(), self.clock.wall(), app, idle_seconds=0.0))
        return result


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 10, 0, tzinfo=ALMATY), ALMATY)


def open_service(data_dir: Path, clock: FakeClock) -> Service:
    return Service.open(data_dir, clock=clock)


def test_a_clean_stop_writes_everything_and_no_gap_is_recorded(tmp_path: Path, clock: FakeClock) -> None:
    service = open_service(tmp_path, clock)
    service.start_tracking()
    Person(service, clock).use(GAME, 300)
    service.close()
    again = open_service(tmp_path, clock)
    assert again.status().used_seconds == 300
    again.start_tracking()
    assert again.events(1, [EventKind.TRACKING_GAP]) == []
    again.close()


def test_a_killed_tracker_loses_at_most_the_journal_interval_and_leaves_a_gap_record(
    tmp_path: Path, clock: FakeClock
) -> None:
    service = open_service(tmp_path, clock)
    service.start_tracking()
    Person(service, clock).use(GAME, 200)  # no DB flush yet: the spans are only in the journal
    service.abandon()  # killed: nothing more is written, and the kernel drops its tracker lock
    assert open_service(tmp_path, clock).status().used_seconds >= 200 - 2  # a reader merges the journal
    clock.advance(600)
    restarted = open_service(tmp_path, clock)
    restarted.start_tracking()
    assert restarted.status().used_seconds >= 198
    gaps = restarted.events(1, [EventKind.TRACKING_GAP])
    assert len(gaps) == 1
    assert gaps[0].payload.seconds >= 600
    assert gaps[0].payload.same_boot is True
    restarted.close()


def test_moving_the_clock_while_the_app_is_not_running_is_seen_at_the_next_start(
    tmp_path: Path, clock: FakeClock
) -> None:
    service = open_service(tmp_path, clock)
    service.change_settings({"daily_cap_minutes": 40, "break_every_minutes": None})
    service.start_tracking()
    assert Person(service, clock).use(GAME, 40 * 60).decision.verdict is Verdict.BLOCK
    service.close()
    clock.jump_wall(timedelta(days=1))  # set to tomorrow while the app is stopped
    restarted = open_service(tmp_path, clock)
    restarted.start_tracking()
    assert Person(restarted, clock).use(GAME, 2).decision.verdict is Verdict.BLOCK
    jumps = restarted.events(3, [EventKind.CLOCK_JUMP])
    assert [e.payload.seconds for e in jumps] == [86400]
    restarted.close()


def test_a_grant_survives_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    service = open_service(tmp_path, clock)
    service.change_settings({"daily_cap_minutes": 40, "break_every_minutes": None})
    service.set_passcode("2468")
    service.start_tracking()
    Person(service, clock).use(GAME, 40 * 60)
    with pytest.raises(PasscodeError):
        service.grant(minutes=15, passcode="1357")
    service.grant(minutes=15, passcode="2468")
    service.close()
    restarted = open_service(tmp_path, clock)
    status = restarted.status()
    assert status.cap_minutes == 55
    assert status.remaining_minutes == pytest.approx(15, abs=0.05)
    grants = restarted.events(1, [EventKind.GRANT])
    assert grants[0].payload.minutes == 15
    failures = restarted.events(1, [EventKind.PASSCODE_FAILED])
    assert [e.payload.purpose for e in failures] == ["grant more time"]
    restarted.close()


def test_settings_changed_by_another_process_reach_the_running_tracker(
    tmp_path: Path, clock: FakeClock
) -> None:
    running = open_service(tmp_path, clock)
    running.start_tracking()
    Person(running, clock).use(GAME, 5)
    other = open_service(tmp_path, clock)
    other.change_settings({"daily_cap_minutes": 40})
    other.close()
    Person(running, clock).use(GAME, 10)
    assert running.settings.daily_cap_minutes == 40
    running.close()


def test_status_while_a_tracker_runs_includes_what_is_not_yet_in_the_database(
    tmp_path: Path, clock: FakeClock
) -> None:
    running = open_service(tmp_path, clock)
    running.start_tracking()
    Person(running, clock).use(GAME, 90)
    reader = open_service(tmp_path, clock)
    status = reader.status()
    assert status.tracking is True
    assert status.used_seconds == pytest.approx(90, abs=2)
    reader.close()
    running.close()


def test_idle_taken_back_reaches_the_journal_so_status_and_a_restart_after_a_kill_see_it(
    tmp_path: Path, clock: FakeClock
) -> None:
    service = open_service(tmp_path, clock)
    service.change_settings({"idle_threshold_seconds": 30, "break_every_minutes": None})
    service.start_tracking()
    Person(service, clock).use(GAME, 60)  # the last input
    other = AppRef("xterm", "XTerm")
    for idle in range(1, 29):  # a window of another app comes to the front; nobody touches anything
        clock.advance(1)
        service.tick(Sample(clock.elapsed(), clock.wall(), other if idle > 5 else GAME, idle_seconds=idle))
    assert service.flush()  # the idle stretch reaches the database as use, as a 2-minute batch would
    clock.advance(3)
    service.tick(Sample(clock.elapsed(), clock.wall(), other, idle_seconds=31))  # idle: taken back
    clock.advance(2)
    service.tick(Sample(clock.elapsed(), clock.wall(), other, idle_seconds=33))  # a journal write
    assert open_service(tmp_path, clock).status().used_seconds == 60  # another process: `status`
    service.abandon()  # kill -9 before the next database write
    restarted = open_service(tmp_path, clock)
    restarted.start_tracking()
    assert restarted.status().used_seconds == 60
    restarted.close()


def test_a_kill_is_recorded_even_when_clean_true_is_edited_into_the_journal(
    tmp_path: Path, clock: FakeClock
) -> None:
    service = open_service(tmp_path, clock)
    service.start_tracking()
    Person(service, clock).use(GAME, 90)
    service.abandon()  # killed
    journal = tmp_path / "live-journal.json"
    journal.write_text(journal.read_text().replace('"clean":false', '"clean":true'))
    clock.advance(600)
    restarted = open_service(tmp_path, clock)
    restarted.start_tracking()
    gaps = restarted.events(1, [EventKind.TRACKING_GAP])
    assert [g.payload.seconds for g in gaps] == [600]
    assert restarted.status().used_seconds >= 88
    restarted.close()


def test_a_database_that_is_a_link_to_dev_null_is_moved_aside_and_recorded(
    tmp_path: Path, clock: FakeClock
) -> None:
    (tmp_path / "wellbeing.sqlite3").symlink_to("/dev/null")
    service = open_service(tmp_path, clock)
    service.start_tracking()
    Person(service, clock).use(GAME, 30)
    service.close()
    assert (tmp_path / "wellbeing.sqlite3").is_file()
    assert not (tmp_path / "wellbeing.sqlite3").is_symlink()
    [moved] = [p for p in tmp_path.iterdir() if p.name.startswith("wellbeing.sqlite3.broken-")]
    assert os.readlink(moved) == "/dev/null"
    again = open_service(tmp_path, clock)
    [refused] = again.events(1, [EventKind.FILE_REFUSED])
    assert refused.payload == FileRefusedPayload("database", "it is a symbolic link to /dev/null", str(moved))
    assert again.status().used_seconds == 30
    again.close()


def test_starting_in_a_zone_twelve_hours_back_opens_no_fresh_day_and_is_recorded(
    tmp_path: Path, clock: FakeClock
) -> None:
    service = open_service(tmp_path, clock)  # 10:00 in Almaty on 25 November
    service.change_settings({"daily_cap_minutes": 40, "break_every_minutes": None})
    service.start_tracking()
    assert Person(service, clock).use(GAME, 40 * 60).decision.verdict is Verdict.BLOCK
    service.close()
    clock.set_zone(ZoneInfo("Etc/GMT+12"))  # TZ=Etc/GMT+12 wellbeing-app run: 16:40 on the 24th there
    restarted = open_service(tmp_path, clock)
    assert restarted.status().used_seconds == 40 * 60  # `status` too keeps the day it was
    restarted.start_tracking()
    assert Person(restarted, clock).use(GAME, 5).decision.verdict is Verdict.BLOCK
    [changed] = restarted.events(1, [EventKind.ZONE_CHANGED])
    assert (changed.payload.old, changed.payload.new) == ("Asia/Almaty", "Etc/GMT+12")
    restarted.close()
