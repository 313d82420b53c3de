"""`wellbeing-app status` asks the running tracker first (the tray app's or `track`'s socket, the
guard's in a protected account) and opens the database only when none answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.link.running import Running
from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.model import AppRef, Sample
from wellbeing_app.link.handler import ServiceHandler
from wellbeing_app.link.paths import personal_socket
from wellbeing_app.link.server import LinkServer
from wellbeing_app.service import Service

ALMATY = ZoneInfo("Asia/Almaty")
GAME = AppRef("supertux2", "SuperTux")

#: The storage layers, which a tracker's answer spares.
STORAGE = {"wellbeing_app.storage", "sqlalchemy", "sqlite3"}
#: What reading the database does not need either, each a few milliseconds of every start: the
#: link's socket (when nothing listens), OpenSSL's hashes (no passcode here), temporary files,
#: CSV and the import/export forms, the guard's command line.
NOT_FOR_STATUS = {
    "socket",
    "hashlib",
    "tempfile",
    "csv",
    "wellbeing_app.storage.transfer",
    "wellbeing_app.guard.main",
}
#: `status`, run as its own process; it then says which of those it loaded.
STATUS = f"""
import sys
from wellbeing_app.cli import main
code = main(sys.argv[1:])
loaded = sorted(m for m in {sorted(STORAGE | NOT_FOR_STATUS)!r} if m in sys.modules)
print("LOADED", " ".join(loaded), file=sys.stderr)
sys.exit(code)
"""


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELLBEING_")}
    env.update(XDG_RUNTIME_DIR=str(runtime), WELLBEING_PROTECTED_LIST=str(tmp_path / "none"), LANG="C.UTF-8")
    return env


def status(env: dict[str, str], data_dir: Path, *args: str) -> tuple[int, str, list[str]]:
    process = subprocess.run(
        [sys.executable, "-c", STATUS, "--data-dir", str(data_dir), "status", *args],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    loaded = [line for line in process.stderr.splitlines() if line.startswith("LOADED")]
    return process.returncode, process.stdout, loaded[-1].split()[1:] if loaded else ["?"]


@pytest.fixture
def tracker(
    tmp_path: Path, environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Service]:
    """A tracker running on the data dir, serving its socket, with 90 s of use not yet written to
    the database (only the tracker knows them)."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", environment["XDG_RUNTIME_DIR"])
    clock = FakeClock(datetime.now(ALMATY), ALMATY)
    service = Service.open(tmp_path / "data", clock=clock)
    service.change_settings({"daily_cap_minutes": 45, "language": "ru"})
    service.start_tracking()
    service.tick(Sample(clock.elapsed(), clock.wall(), GAME, idle_seconds=0.0))
    for _ in range(90):
        clock.advance(1)
        service.tick(Sample(clock.elapsed(), clock.wall(), GAME, idle_seconds=0.0))
    server = LinkServer(
        personal_socket(tmp_path / "data"),
        ServiceHandler(service).handle,
        allow=lambda p: p.uid == os.getuid(),
    )
    with Running(server):
        yield service
    service.close()


def test_with_a_tracker_running_status_is_its_answer_and_the_database_is_not_opened(
    tracker: Service, environment: dict[str, str], tmp_path: Path
) -> None:
    code, out, loaded = status(environment, tmp_path / "data", "--json")
    assert code == 0
    answer = json.loads(out)
    assert answer["used_minutes"] == 1.5  # the tracker's live figure
    assert answer["cap_minutes"] == 45
    assert answer["tracking"] is True
    assert answer["apps"] == [{"app": "supertux2", "name": "SuperTux", "minutes": 1.5}]
    assert STORAGE.isdisjoint(loaded)
    code, out, loaded = status(environment, tmp_path / "data")
    assert out.startswith("Сегодня")  # in the language the tracker's settings say
    assert STORAGE.isdisjoint(loaded)


def test_without_a_tracker_status_reads_the_database(environment: dict[str, str], tmp_path: Path) -> None:
    service = Service.open(tmp_path / "data")
    service.change_settings({"daily_cap_minutes": 50})
    service.close()
    code, out, loaded = status(environment, tmp_path / "data", "--json")
    assert code == 0
    assert json.loads(out)["cap_minutes"] == 50
    assert json.loads(out)["tracking"] is False
    assert "wellbeing_app.storage" in loaded
    assert NOT_FOR_STATUS.isdisjoint(loaded)


def test_in_a_protected_account_without_the_guard_status_says_so(
    environment: dict[str, str], tmp_path: Path
) -> None:
    listing = tmp_path / "protected"
    listing.write_text(subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout)
    listing.chmod(0o644)
    environment.update(
        WELLBEING_PROTECTED_LIST=str(listing), WELLBEING_GUARD_SOCKET=str(tmp_path / "no-guard")
    )
    process = subprocess.run(
        [sys.executable, "-m", "wellbeing_app", "status"], env=environment, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert process.returncode == 2
    assert process.stderr.startswith(
        "wellbeing-app: Wellbeing's guard is not running — ask the parent who set it up"
    )
