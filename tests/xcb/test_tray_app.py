"""The tray app on a real X server: tray icon, warning, overlay on time and on top, more time."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.tracker.linux_desktop import xdotool
from wellbeing_app.app import TrayApp
from wellbeing_app.core.model import EventKind
from wellbeing_app.service import Service
from wellbeing_app.ui.qt import QtWidgets

pytestmark = [pytest.mark.x11]

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
    app = TrayApp(service, qapp, data_dir_given=data)
    if start:
        app.start()
    return app


@pytest.fixture
def running(qapp: QtWidgets.QApplication, tmp_path: Path) -> Iterator[list[TrayApp]]:
    apps: list[TrayApp] = []
    yield apps
    for app in apps:
        app.stop()
        app.service.close()


def test_the_tray_icon_appears_with_the_usage_in_its_tooltip(
    desktop: str,
    game: int,
    qapp: QtWidgets.QApplication,
    qtbot: QtBot,
    tmp_path: Path,
    running: list[TrayApp],
) -> None:
    app = start_app(tmp_path / "data", qapp, remaining_seconds=20 * 60)
    running.append(app)
    assert QtWidgets.QSystemTrayIcon.isSystemTrayAvailable()
    qtbot.waitUntil(
        lambda: app.tray.icon.isVisible() and not app.tray.icon.geometry().isEmpty(), timeout=5000
    )
    qtbot.waitUntil(lambda: app.tray.tooltip().startswith("20 of 40 min today"), timeout=5000)
    assert app.tray.tooltip().endswith("no breaks scheduled")


def test_one_minute_left_warns(
    desktop: str,
    game: int,
    qapp: QtWidgets.QApplication,
    qtbot: QtBot,
    tmp_path: Path,
    running: list[TrayApp],
) -> None:
    app = start_app(tmp_path / "data", qapp, remaining_seconds=62, start=False)
    running.append(app)
    with qtbot.waitSignal(app.controller.warning, timeout=8000) as warned:
        app.start()
    assert warned.args == [1]
    assert not app.overlay.visible


def test_the_overlay_comes_at_the_cap_covers_the_screen_keeps_the_keyboard_and_lifts_with_more_time(
    desktop: str,
    game: int,
    qapp: QtWidgets.QApplication,
    qtbot: QtBot,
    tmp_path: Path,
    running: list[TrayApp],
) -> None:
    app = start_app(tmp_path / "data", qapp, remaining_seconds=3)
    running.append(app)
    cap_at = time.monotonic() + 3
    qtbot.waitUntil(lambda: app.overlay.visible, timeout=8000)
    assert time.monotonic() - cap_at < 2.0
    assert "Your 40 minutes for today are used" in app.overlay.title.text()
    pane = next(p for p in app.overlay._panes if p.primary)
    screen = qapp.primaryScreen().geometry()
    assert (pane.geometry().width(), pane.geometry().height()) == (screen.width(), screen.height())
    qtbot.waitUntil(lambda: active_window(desktop) == int(pane.winId()), timeout=3000)

    # Something else is brought to the front: the overlay takes the top and the keyboard back.
    xdotool(desktop, "windowactivate", str(game))
    qtbot.waitUntil(lambda: active_window(desktop) == int(pane.winId()), timeout=3000)
    xdotool(desktop, "key", "Escape")
    qtbot.wait(200)
    assert app.overlay.visible

    # A parent asks for more time with the passcode, typed on the real keyboard.
    app.overlay.more_button.click()
    qtbot.waitUntil(lambda: app.overlay.passcode_field.isVisible() and app.overlay.passcode_field.hasFocus())
    xdotool(desktop, "type", "--delay", "30", "1111")
    xdotool(desktop, "key", "Return")
    qtbot.waitUntil(lambda: "wrong passcode" in app.overlay.passcode_message.text())
    xdotool(desktop, "type", "--delay", "30", PASSCODE)
    xdotool(desktop, "key", "Return")
    qtbot.waitUntil(lambda: app.overlay.grant_buttons[15].isVisible())
    app.overlay.grant_buttons[15].click()
    qtbot.waitUntil(lambda: not app.overlay.visible, timeout=3000)
    grants = app.service.events(1, [EventKind.GRANT])
    assert [g.data["minutes"] for g in grants] == [15]
    assert [e.data["purpose"] for e in app.service.events(1, [EventKind.PASSCODE_FAILED])] == [
        "grant more time"
    ]


def _run_app(data: Path, desktop: str) -> subprocess.Popen[bytes]:
    import os
    import sys

    env = {**os.environ, "DISPLAY": desktop, "QT_QPA_PLATFORM": "xcb", "WELLBEING_DATA_DIR": str(data)}
    return subprocess.Popen(
        [sys.executable, "-m", "wellbeing_app", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_second_start_shows_the_running_app_and_sigterm_stops_it_cleanly(
    desktop: str, tmp_path: Path, qtbot: QtBot
) -> None:
    import os
    import signal
    import sys

    data = tmp_path / "data"
    env = {**os.environ, "WELLBEING_DATA_DIR": str(data)}
    subprocess.run(
        [sys.executable, "-m", "wellbeing_app", "config", "set", "start_at_login", "off"], env=env, check=True
    )
    first = _run_app(data, desktop)
    try:
        journal = data / "live-journal.json"
        qtbot.waitUntil(lambda: journal.exists() and '"clean":false' in journal.read_text(), timeout=20000)
        second = _run_app(data, desktop)
        assert second.wait(timeout=20) == 0
        second.communicate()
        found = lambda: subprocess.run(  # noqa: E731
            ["xdotool", "search", "--onlyvisible", "--pid", str(first.pid)], capture_output=True, text=True
        ).stdout.split()
        qtbot.waitUntil(lambda: len(found()) >= 1, timeout=10000)  # the dashboard of the first one
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=20) == 0
    finally:
        if first.poll() is None:
            first.kill()
        first.communicate()
    assert '"clean":true' in (data / "live-journal.json").read_text()
    service = Service.open(data)
    try:
        stops = service.events(1, [EventKind.TRACKING_STOPPED])
        assert [e.data.get("how") for e in stops] == ["signal"]
        assert service.events(1, [EventKind.TRACKING_GAP]) == []
    finally:
        service.close()
