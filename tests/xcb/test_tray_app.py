"""The tray app on a real X server: tray icon, warning, overlay on time and on top, more time."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.tracker.linux_desktop import xdotool
from tests.xcb.conftest import PASSCODE, Launch, active_window, prepare_data
from wellbeing_app.core.model import EventKind
from wellbeing_app.service import Service
from wellbeing_app.ui.qt import QtWidgets

pytestmark = [pytest.mark.x11]


def test_the_tray_icon_appears_with_the_usage_in_its_tooltip(launch: Launch, qtbot: QtBot) -> None:
    app = launch(remaining_seconds=20 * 60)
    assert QtWidgets.QSystemTrayIcon.isSystemTrayAvailable()
    qtbot.waitUntil(
        lambda: app.tray.icon.isVisible() and not app.tray.icon.geometry().isEmpty(), timeout=5000
    )
    qtbot.waitUntil(lambda: app.tray.tooltip().startswith("20 of 40 min today"), timeout=5000)
    assert app.tray.tooltip().endswith("no breaks scheduled")


def test_one_minute_left_warns(launch: Launch, qtbot: QtBot) -> None:
    app = launch(remaining_seconds=62, start=False)
    with qtbot.waitSignal(app.controller.warning, timeout=8000) as warned:
        app.start()
    assert warned.args == [1]
    assert not app.overlay.visible


def test_the_overlay_comes_at_the_cap_covers_the_screen_keeps_the_keyboard_and_lifts_with_more_time(
    desktop: str, game: int, qapp: QtWidgets.QApplication, qtbot: QtBot, launch: Launch
) -> None:
    app = launch(remaining_seconds=3)
    cap_at = time.monotonic() + 3
    qtbot.waitUntil(lambda: app.overlay.visible, timeout=8000)
    assert time.monotonic() - cap_at < 2.0
    assert "Your 40 minutes for today are used" in app.overlay.content.title.text()
    pane = next(p for p in app.overlay.panes if p.primary)
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
    app.overlay.content.more_button.click()
    qtbot.waitUntil(
        lambda: (
            app.overlay.content.passcode_field.isVisible() and app.overlay.content.passcode_field.hasFocus()
        )
    )
    xdotool(desktop, "type", "--delay", "30", "1111")
    xdotool(desktop, "key", "Return")
    qtbot.waitUntil(lambda: "wrong passcode" in app.overlay.content.passcode_message.text())
    xdotool(desktop, "type", "--delay", "30", PASSCODE)
    xdotool(desktop, "key", "Return")
    qtbot.waitUntil(lambda: app.overlay.content.grant_buttons[15].isVisible())
    app.overlay.content.grant_buttons[15].click()
    qtbot.waitUntil(lambda: not app.overlay.visible, timeout=3000)
    grants = app.service.events(1, [EventKind.GRANT])
    assert [g.payload.minutes for g in grants] == [15]
    assert [e.payload.purpose for e in app.service.events(1, [EventKind.PASSCODE_FAILED])] == [
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
        assert [e.payload.how for e in stops] == ["signal"]
        assert service.events(1, [EventKind.TRACKING_GAP]) == []
    finally:
        service.close()


@pytest.mark.parametrize("sent", ["SIGTERM", "SIGHUP"])
def test_a_log_out_stops_the_app_cleanly_while_the_overlay_is_up(
    desktop: str, game: int, tmp_path: Path, qtbot: QtBot, sent: str
) -> None:
    import signal

    data = tmp_path / "data"
    prepare_data(data, remaining_seconds=1).close()
    app = _run_app(data, desktop)
    try:
        # The cap is reached with the game in front: the overlay (a window of the app) takes it.
        qtbot.waitUntil(lambda: _active_pid(desktop) == app.pid, timeout=20000)
        asked = time.monotonic()
        app.send_signal(getattr(signal, sent))
        assert app.wait(timeout=15) == 0
        took = time.monotonic() - asked
    finally:
        if app.poll() is None:
            app.kill()
        app.communicate()
    print(f"{sent} with the overlay up: stopped in {took:.2f} s")
    assert '"clean":true' in (data / "live-journal.json").read_text()
    service = Service.open(data)
    try:
        assert [e.payload.how for e in service.events(1, [EventKind.TRACKING_STOPPED])] == ["signal"]
        assert service.events(1, [EventKind.TRACKING_GAP]) == []
    finally:
        service.close()


def _active_pid(desktop: str) -> int:
    found = subprocess.run(
        ["xdotool", "getactivewindow", "getwindowpid"],
        env={**os.environ, "DISPLAY": desktop},
        capture_output=True,
        text=True,
    )
    return int(found.stdout.split()[0]) if found.returncode == 0 and found.stdout.split() else 0
