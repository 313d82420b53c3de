"""A real desktop for the tray app: openbox and a system tray (trayer) on pytest-xvfb's Xvfb."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from Xlib import display as xdisplay

from tests.tracker.linux_desktop import require, start_openbox, stop, wait_until, xdotool
from wellbeing_app.app import TrayApp
from wellbeing_app.service import Service
from wellbeing_app.ui.qt import QtWidgets


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("QT_QPA_PLATFORM") == "xcb":
        return
    skip = pytest.mark.skip(reason="needs QT_QPA_PLATFORM=xcb: scripts/test runs these in their own session")
    for item in items:
        if "tests/xcb/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(skip)


def tray_owned(display_name: str) -> bool:
    dpy = xdisplay.Display(display_name)
    try:
        return bool(dpy.get_selection_owner(dpy.intern_atom("_NET_SYSTEM_TRAY_S0")))
    finally:
        dpy.close()


@pytest.fixture(scope="session")
def desktop() -> Iterator[str]:
    """openbox and trayer on the session's X server; yields the DISPLAY name."""
    display_name = os.environ["DISPLAY"]
    openbox = start_openbox(display_name)
    trayer = subprocess.Popen(
        [require("trayer"), "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "120",
         "--height", "24"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until(lambda: tray_owned(display_name), what="trayer to own _NET_SYSTEM_TRAY_S0")
        yield display_name
    finally:
        stop(trayer)
        stop(openbox)


@pytest.fixture
def game(desktop: str, tmp_path: Path) -> Iterator[int]:
    """A real counted app in front: a copy of xterm called `supergame`."""
    program = tmp_path / "supergame"
    shutil.copy(require("xterm"), program)
    process = subprocess.Popen(
        [str(program), "-geometry", "60x10+40+60", "-e", "cat"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    window = int(xdotool(desktop, "search", "--sync", "--onlyvisible", "--pid", str(process.pid)).split()[-1])
    xdotool(desktop, "windowactivate", "--sync", str(window))
    xdotool(desktop, "mousemove", "200", "200")  # input now: the person is there
    yield window
    stop(process)


CAP_MINUTES = 40
PASSCODE = "2468"


def active_window(display: str) -> int:
    """The active window, or 0 while there is none (openbox clears it in passing)."""
    try:
        return int(xdotool(display, "getactivewindow").strip() or 0)
    except subprocess.CalledProcessError:
        return 0


def start_app(
    data: Path, qapp: QtWidgets.QApplication, *, remaining_seconds: float, start: bool = True
) -> TrayApp:
    """A data dir with a 40-minute cap, a passcode, and today's use imported up to just under it."""
    service = prepare_data(data, remaining_seconds=remaining_seconds)
    app = TrayApp(service, qapp, data_dir_given=data)
    if start:
        app.start()
    return app


def prepare_data(data: Path, *, remaining_seconds: float) -> Service:
    """`data` opened with a 40-minute cap, a passcode, and today's use imported up to just under it."""
    service = Service.open(data)
    local = datetime.now().astimezone()
    day_start = "00:00" if local.hour == 4 and local.minute < 50 else "04:00"
    service.change_settings(
        {
            "daily_cap_minutes": CAP_MINUTES,
            "break_every_minutes": None,
            "day_starts_at": service.settings.parse_text("day_starts_at", day_start),
            "start_at_login": False,
        }
    )
    service.set_passcode(PASSCODE)
    used = CAP_MINUTES * 60 - remaining_seconds
    end = local - timedelta(seconds=2)
    begin = end - timedelta(seconds=used)
    history = data / "history.csv"
    history.write_text(f"start,end,app,name\n{begin.isoformat()},{end.isoformat()},supergame,Super Game\n")
    service.import_file(history, passcode=PASSCODE)
    return service


Launch = Callable[..., TrayApp]


@pytest.fixture
def launch(desktop: str, game: int, qapp: QtWidgets.QApplication, tmp_path: Path) -> Iterator[Launch]:
    """Starts the tray app on a data dir of its own (with a real counted app in front); stops it after."""
    apps: list[TrayApp] = []

    def launch_app(*, remaining_seconds: float, start: bool = True) -> TrayApp:
        app = start_app(tmp_path / "data", qapp, remaining_seconds=remaining_seconds, start=start)
        apps.append(app)
        return app

    yield launch_app
    for app in apps:
        app.stop()
        app.service.close()


@pytest.fixture
def two_monitors(desktop: str, qapp: QtWidgets.QApplication, qtbot: QtBot) -> Iterator[None]:
    xrandr = require("xrandr")
    env_display = ["--display", desktop] if False else []
    subprocess.run(
        [xrandr, *env_display, "--setmonitor", "left", "640/170x800/212+0+0", "screen"], check=True
    )
    subprocess.run([xrandr, "--setmonitor", "right", "640/170x800/212+640+0", "none"], check=True)
    try:
        qtbot.waitUntil(lambda: len(qapp.screens()) == 2, timeout=5000)
        yield
    finally:
        subprocess.run([xrandr, "--delmonitor", "right"], check=False)
        subprocess.run([xrandr, "--delmonitor", "left"], check=False)
        qtbot.waitUntil(lambda: len(qapp.screens()) == 1, timeout=5000)
