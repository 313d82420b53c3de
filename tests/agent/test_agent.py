"""The protected-mode agent against a stand-in guard (a real service, handler and socket): the tray
follows the guard's pushes, the child's actions and the parent's passcode go through the guard,
and without the guard the tray says so and the agent comes back by itself."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.agent.guard import PASSCODE, StandInGuard
from wellbeing_app.app import TrayApp
from wellbeing_app.core.errors import PasscodeError
from wellbeing_app.core.model import EventKind
from wellbeing_app.link.remote import GUARD_NOT_RUNNING, RemoteService
from wellbeing_app.ui.agent import GuardController
from wellbeing_app.ui.qt import QtWidgets
from wellbeing_app.ui.tray import Tray


@pytest.fixture
def guard(tmp_path: Path) -> Iterator[StandInGuard]:
    guard = StandInGuard(tmp_path / "guard")
    guard.service.change_settings(
        {"daily_cap_minutes": 40, "break_every_minutes": 20, "postpones_allowed": 1, "start_at_login": False}
    )
    guard.service.set_passcode(PASSCODE)
    guard.service.start_tracking()
    guard.start()
    yield guard
    guard.close()


@pytest.fixture
def agent(guard: StandInGuard, qapp: QtWidgets.QApplication, qtbot: QtBot) -> Iterator[TrayApp]:
    service = RemoteService(guard.path, timeout=5)
    controller = GuardController(service)
    app = TrayApp(service, qapp, data_dir_given=None, tray=Tray(), controller=controller)  # type: ignore[arg-type]
    controller.lost.connect(lambda _why: app.say(GUARD_NOT_RUNNING))
    app.start()
    qtbot.waitUntil(lambda: guard.watchers() == 1, timeout=5000)
    yield app
    app.stop()
    service.close()


def test_the_tray_shows_what_the_guard_pushes(agent: TrayApp, guard: StandInGuard, qtbot: QtBot) -> None:
    with qtbot.waitSignal(agent.controller.ticked, timeout=5000):
        guard.use(12 * 60)
    assert agent.tray.tooltip() == "12 of 40 min today · break in 8 min"


def test_more_time_and_settings_need_the_guards_passcode(agent: TrayApp, guard: StandInGuard) -> None:
    service = agent.service
    with pytest.raises(PasscodeError, match="wrong passcode"):
        service.change_settings({"daily_cap_minutes": 120}, passcode="1111")
    with pytest.raises(PasscodeError, match="the passcode is needed to grant more time"):
        service.grant(minutes=15)
    assert service.change_settings({"daily_cap_minutes": 90}, passcode=PASSCODE).daily_cap_minutes == 90
    service.grant(minutes=15, passcode=PASSCODE)
    with guard.lock:
        assert guard.service.settings.daily_cap_minutes == 90
        assert [e.payload.minutes for e in guard.service.events(1, [EventKind.GRANT])] == [15]
        failed = guard.service.events(1, [EventKind.PASSCODE_FAILED])
    assert [e.payload.purpose for e in failed] == ["change settings"]  # none given is not a wrong one
    assert service.passcode_is_set()


def test_the_dashboard_reads_todays_figures_through_the_guard(
    agent: TrayApp, guard: StandInGuard, qtbot: QtBot
) -> None:
    from wellbeing_app.ui.dashboard import Dashboard

    guard.use(5 * 60)
    window = Dashboard(agent.service)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.refresh()
    assert window.ring.text() == "5 / 40 min"
    assert window.headline.text() == "5 of 40 min used today"
    assert window.bars.row_texts()[0].startswith("SuperTux")
    assert "A passcode was set" in " ".join(window.event_texts())


def test_without_the_guard_the_tray_says_so_and_the_agent_comes_back_by_itself(
    agent: TrayApp, guard: StandInGuard, qtbot: QtBot
) -> None:
    with qtbot.waitSignal(agent.controller.lost, timeout=5000):
        guard.stop()
    assert agent.tray.tooltip() == GUARD_NOT_RUNNING
    assert not agent.controller.online
    # nothing guarded passes while the guard is away, and the words say why
    assert agent.service.passcode_is_set()
    with pytest.raises(PasscodeError, match="guard is not running"):
        agent.service.verify_passcode(PASSCODE, purpose="grant more time")
    began = time.monotonic()
    guard.start()
    qtbot.waitUntil(lambda: agent.controller.online, timeout=10000)
    assert time.monotonic() - began < 5.0  # tried again at most every few seconds
    with qtbot.waitSignal(agent.controller.ticked, timeout=5000):
        guard.use(60)
    assert agent.tray.tooltip().startswith("1 of 40 min today")


#: The agent as its own process: `wellbeing-app run` in a protected account, saying at its exit
#: which of the storage layer's modules it loaded (none may be).
AGENT = """
import atexit, sys
atexit.register(lambda: print("LOADED", *sorted(
    m for m in sys.modules if m.startswith("wellbeing_app.storage") or m in ("sqlite3", "sqlalchemy")
), file=sys.stderr, flush=True))
from wellbeing_app.cli import main
sys.exit(main(["run"]))
"""


def test_the_agent_process_never_loads_storage_and_never_falls_back_to_personal_mode(
    guard: StandInGuard, tmp_path: Path, qtbot: QtBot
) -> None:
    listing = tmp_path / "protected"
    listing.write_text(subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout)
    listing.chmod(0o644)
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELLBEING_")}
    env.update(
        QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime), HOME=str(tmp_path),
        WELLBEING_PROTECTED_LIST=str(listing), WELLBEING_GUARD_SOCKET=str(guard.path),
        WELLBEING_DATA_DIR=str(tmp_path / "personal"),
    )  # fmt: skip
    agent = subprocess.Popen([sys.executable, "-c", AGENT], env=env, stderr=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: guard.watchers() == 1, timeout=20000)
        guard.use(30)
        # a dashboard opened over the socket (as a second start would) reads through the guard too
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(timeout=20) == 0
    finally:
        if agent.poll() is None:
            agent.kill()
        _, err = agent.communicate()
    loaded = [line for line in err.splitlines() if line.startswith("LOADED")]
    assert loaded == ["LOADED"], err
    assert not (tmp_path / "personal").exists()  # no personal data dir: it never fell back
