"""The passcode under attack: how many guesses the lockout lets through, whether the hash ever leaves
the database, and what changing settings without it takes (the command line, the database file, an
import)."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.app.conftest import Cli
from tests.reliability.conftest import GAME, Person, clock_at
from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.errors import PasscodeError
from wellbeing_app.core.model import EventKind, Verdict
from wellbeing_app.core.settings import Settings
from wellbeing_app.service import Service
from wellbeing_app.storage.opening import DATABASE_FILE

ROOT = Path(__file__).resolve().parents[2]
PHRASE = "purple otter 1729"  # distinctive, so that finding it anywhere means it leaked


def guesses_allowed(hours: float, data_dir: Path | None = None) -> int:
    """Wrong passcodes a guesser gets checked in `hours`, typing one a second and trying again the
    moment each lockout ends. Returns the number of guesses that were checked (not refused unseen)."""
    clock = FakeClock(datetime(2026, 11, 25, 9, tzinfo=UTC))
    folder = data_dir or Path(tempfile.mkdtemp(prefix="wellbeing-guess-"))
    service = Service.open(folder / "data", clock=clock)
    service.set_passcode("2468")
    checked = 0
    end = hours * 3600
    try:
        while clock.elapsed() < end:
            locked = service.lockout_until()
            if locked is not None:
                clock.advance((locked - service.now()).total_seconds() + 0.001)
                continue
            with pytest.raises(PasscodeError):
                service.verify_passcode("0000", purpose="grant more time")
            checked += 1
            clock.advance(1)
    finally:
        service.close()
    return checked


@pytest.mark.parametrize(
    ("hours", "most"),
    [(1, 10), (24, 15), (24 * 7, 21), pytest.param(24 * 30, 44, marks=pytest.mark.slow)],
    ids=["an hour", "a day", "a week", "30 days"],
)
def test_the_lockout_lets_only_a_few_guesses_through(tmp_path: Path, hours: int, most: int) -> None:
    # five free tries, then 1, 2, 4 … minutes, at most a day: after the first day, one guess a day
    assert guesses_allowed(hours, tmp_path) == most


def test_a_database_that_cannot_be_written_does_not_lift_the_lockout(
    tmp_path: Path, clock: FakeClock
) -> None:
    """While tracking, attempts that cannot be written stay in memory and still count."""
    service = Service.open(tmp_path / "data", clock=clock)
    service.set_passcode("2468")
    service.start_tracking()
    Person(service, clock).use(GAME, 5)

    def failing(*_args: object) -> None:
        from wellbeing_app.storage import StorageError

        raise StorageError("cannot write to the database: the disk is full; free some space and try again")

    # The store is the service's own; a full disk is simulated on it for this one method.
    service._store.add_events = failing  # type: ignore[method-assign]
    for _ in range(5):
        with pytest.raises(PasscodeError):
            service.verify_passcode("0000", purpose="grant more time")
    with pytest.raises(PasscodeError, match="too many wrong passcodes"):
        service.verify_passcode("2468", purpose="grant more time")
    service.abandon()  # leave without trying to write again
    service.close()


# --- the hash and the passcode never leave the database ------------------------------------------


def test_the_passcode_its_hash_and_salt_are_in_no_export_log_or_journal(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {**os.environ, "WELLBEING_DATA_DIR": str(data_dir)}
    env.pop("DISPLAY", None)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)

    said: list[str] = []  # everything the commands wrote to the terminal

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "wellbeing_app", "--data-dir", str(data_dir), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
        said.extend([done.stdout, done.stderr])
        return done

    assert run("--passcode-stdin", "passcode", "set", stdin=f"{PHRASE}\n").returncode == 0
    assert (
        run("--passcode-stdin", "config", "set", "daily_cap_minutes", "45", stdin="wrong guess\n").returncode
        == 2
    )
    assert (
        run("--passcode-stdin", "config", "set", "daily_cap_minutes", "45", stdin=f"{PHRASE}\n").returncode
        == 0
    )
    tracked = run("track", "--seconds", "1")
    assert tracked.returncode == 0, tracked.stderr
    exports = [run("export", "--format", fmt).stdout for fmt in ("json", "csv")]
    assert "passcode_ok" in exports[0]
    assert "passcode_failed" in exports[1]

    connection = sqlite3.connect(data_dir / DATABASE_FILE)
    salt, digest = connection.execute("SELECT salt, digest FROM passcode").fetchone()
    connection.close()
    secrets_as_text = [
        PHRASE,
        "wrong guess",
        salt.hex(),
        digest.hex(),
        salt.hex().upper(),
        digest.hex().upper(),
    ]
    secrets_as_text += [base64.b64encode(value).decode() for value in (salt, digest)]
    log = (data_dir / "logs" / "wellbeing.log").read_bytes()  # `track` logs here
    journal = (data_dir / "live-journal.json").read_bytes()
    for text in [*exports, *said]:
        for secret in secrets_as_text:
            assert secret not in text
    for blob in (log, journal):
        for secret in [*secrets_as_text, salt, digest]:
            assert (secret.encode() if isinstance(secret, str) else secret) not in blob


# --- changing settings without the passcode ------------------------------------------------------

GOOD_VALUES = {
    "daily_cap_minutes": "120",
    "weekday_caps": "sat=120",
    "always_allowed": "supertux2",
    "app_limits": "supertux2=720",
    "downtime": "none",
    "protected_lock_limit": "0",
    "break_every_minutes": "off",
    "break_length_minutes": "1",
    "postpones_allowed": "3",
    "idle_threshold_seconds": "30",
    "day_starts_at": "00:00",
    "store_window_titles": "on",
    "start_at_login": "off",
    "language": "ru",
}


def test_every_guarded_setting_needs_the_passcode_on_the_command_line(cli: Cli) -> None:
    assert set(GOOD_VALUES) == set(Settings.specs())
    assert cli("config", "set", "downtime", "daily 22:00-06:00").code == 0
    assert cli("passcode", "set", stdin="1357\n").code == 0
    before = json.loads(cli("config", "show", "--json").out)
    for key, value in GOOD_VALUES.items():
        if not Settings.spec(key).guarded:
            continue
        without = cli("config", "set", key, value)  # no terminal, no --passcode-stdin
        assert without.code == 2
        assert "the settings are locked" in without.err
        wrong = cli("config", "set", key, value, stdin="9999\n")
        assert wrong.code == 2
    after = json.loads(cli("config", "show", "--json").out)
    assert after == before
    assert cli("config", "set", "language", "ru").code == 0  # the one unguarded setting
    assert cli("passcode", "clear").code == 2


def test_editing_the_database_file_changes_settings_but_is_recorded_at_the_next_start(
    data_dir: Path, clock: FakeClock
) -> None:
    """A plain sqlite3 edit of the file works (whoever can write the file can change it), but the
    next start records it for the parent; the running tracker keeps what it had until then."""
    service = Service.open(data_dir, clock=clock)
    service.change_settings({"daily_cap_minutes": 40, "break_every_minutes": None})
    service.set_passcode("2468")
    service.start_tracking()
    person = Person(service, clock)
    person.use(GAME, 30 * 60)

    connection = sqlite3.connect(data_dir / DATABASE_FILE)
    with connection:
        connection.execute("UPDATE settings SET value = '120' WHERE key = 'daily_cap_minutes'")
        connection.execute("DELETE FROM passcode")
    connection.close()

    assert person.use(GAME, 15 * 60).decision.verdict is Verdict.BLOCK  # still the cap of 40
    service.close()

    restarted = Service.open(data_dir, clock=clock)
    assert restarted.settings.daily_cap_minutes == 120  # honest: the edit took effect
    assert not restarted.passcode_is_set()
    assert any("changed outside Wellbeing" in notice for notice in restarted.notices)
    [changed] = restarted.events(1, [EventKind.SETTING_CHANGED])[-1:]
    assert changed.payload.to_json() == {"key": "daily_cap_minutes", "old": 40, "new": 120, "outside": True}
    removed = restarted.events(1, [EventKind.PASSCODE_CHANGED])[-1]
    assert removed.payload.to_json() == {"set": False, "outside": True}
    recorded = len(restarted.events(1, [EventKind.SETTING_CHANGED]))
    restarted.close()

    # recorded once: the next start finds nothing new
    again = Service.open(data_dir, clock=clock)
    assert not any("changed outside Wellbeing" in notice for notice in again.notices)
    assert len(again.events(1, [EventKind.SETTING_CHANGED])) == recorded
    again.close()


def test_changes_made_through_the_app_are_not_taken_for_outside_ones(cli: Cli) -> None:
    assert cli("config", "set", "daily_cap_minutes", "45").code == 0
    assert cli("passcode", "set", stdin="1357\n").code == 0
    assert cli("config", "set", "daily_cap_minutes", "50", stdin="1357\n").code == 0
    assert cli("passcode", "clear", stdin="1357\n").code == 0
    shown = cli("status")
    assert shown.code == 0
    assert "outside" not in shown.err


def test_a_clock_moved_with_the_passcode_locked_out_does_not_open_entry_early(
    data_dir: Path,
) -> None:
    clock = clock_at(2026, 11, 25, 10)
    service = Service.open(data_dir, clock=clock)
    service.set_passcode("2468")
    service.start_tracking()
    Person(service, clock).use(GAME, 5)
    for _ in range(5):
        with pytest.raises(PasscodeError):
            service.verify_passcode("0000", purpose="grant more time")
    clock.jump_wall(timedelta(hours=2))  # past the minute of lockout, on the wall
    Person(service, clock).use(GAME, 5)
    with pytest.raises(PasscodeError, match="too many wrong passcodes"):
        service.verify_passcode("2468", purpose="grant more time")
    service.close()
