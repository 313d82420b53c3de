"""With no session bus, the tray app never starts one (libdbus would autolaunch one on X11)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from pytestqt.qtbot import QtBot

from wellbeing_app.notify import NO_SESSION_BUS, never_autolaunch_a_bus


def _buses_started_for(marker: str) -> list[psutil.Process]:
    """dbus-launch and dbus-daemon processes whose environment carries `marker` (they inherit it)."""
    found = []
    for process in psutil.process_iter(["name"]):
        if process.info["name"] not in ("dbus-launch", "dbus-daemon"):
            continue
        try:
            if marker in Path(f"/proc/{process.pid}/environ").read_bytes().decode(errors="replace"):
                found.append(process)
        except OSError:
            continue
    return found


def test_the_tray_app_starts_no_bus_when_there_is_none(desktop: str, tmp_path: Path, qtbot: QtBot) -> None:
    if shutil.which("dbus-launch") is None:
        pytest.skip(
            "dbus-launch is missing (Debian's dbus-x11, which scripts/test installs): nothing could autolaunch"
        )
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")}
    env.update(DISPLAY=desktop, QT_QPA_PLATFORM="xcb", WELLBEING_DATA_DIR=str(data))
    subprocess.run(
        [sys.executable, "-m", "wellbeing_app", "config", "set", "start_at_login", "off"], env=env, check=True
    )
    app = subprocess.Popen(
        [sys.executable, "-m", "wellbeing_app", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        journal = data / "live-journal.json"
        # Tracking has begun: Qt's tray, theme and accessibility have all looked for a bus by now.
        qtbot.waitUntil(lambda: journal.exists() and '"clean":false' in journal.read_text(), timeout=20000)
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=20)
    finally:
        if app.poll() is None:
            app.kill()
        app.communicate()
        started = _buses_started_for(f"WELLBEING_DATA_DIR={data}")
        for process in started:
            process.kill()
    assert [process.info["name"] for process in started] == []


def test_a_bus_that_is_named_is_left_alone() -> None:
    given = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}
    assert never_autolaunch_a_bus(given) is False
    assert given == {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}


def test_the_user_bus_is_named_and_no_bus_is_named_unreachable(tmp_path: Path) -> None:
    (tmp_path / "bus").touch()
    with_user_bus = {"XDG_RUNTIME_DIR": str(tmp_path)}
    assert never_autolaunch_a_bus(with_user_bus) is False
    assert with_user_bus["DBUS_SESSION_BUS_ADDRESS"] == f"unix:path={tmp_path / 'bus'}"
    without: dict[str, str] = {}
    assert never_autolaunch_a_bus(without) is True
    assert without == {"DBUS_SESSION_BUS_ADDRESS": NO_SESSION_BUS}
