"""What a determined teenager tries against the overlay on X11, and what happens."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from Xlib import X
from Xlib import display as xdisplay
from Xlib.protocol import event

from tests.tracker.linux_desktop import require, start_xterm, stop, xdotool
from tests.xcb.conftest import PASSCODE, Launch, active_window
from wellbeing_app.app import TrayApp
from wellbeing_app.ui.qt import QtWidgets

pytestmark = [pytest.mark.x11]


@pytest.fixture
def blocked(launch: Launch, qtbot: QtBot) -> TrayApp:
    app = launch(remaining_seconds=1)
    qtbot.waitUntil(lambda: app.overlay.visible, timeout=8000)
    return app


def primary(app: TrayApp) -> QtWidgets.QWidget:
    return next(p for p in app.overlay.panes if p.primary)


def on_top(desktop: str, app: TrayApp) -> bool:
    pane = primary(app)
    return pane.isVisible() and not pane.isMinimized() and active_window(desktop) == int(pane.winId())


def test_alt_tab_and_escape_do_not_get_past_it(desktop: str, blocked: TrayApp, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: on_top(desktop, blocked), timeout=3000)
    xdotool(desktop, "key", "alt+Tab")
    xdotool(desktop, "key", "Escape")
    qtbot.wait(300)
    qtbot.waitUntil(lambda: on_top(desktop, blocked), timeout=3000)


def test_closing_it_as_the_window_manager_would_does_nothing(
    desktop: str, blocked: TrayApp, qtbot: QtBot
) -> None:
    pane = primary(blocked)
    dpy = xdisplay.Display(desktop)
    try:
        window = dpy.create_resource_object("window", int(pane.winId()))
        protocols = dpy.intern_atom("WM_PROTOCOLS")
        delete = dpy.intern_atom("WM_DELETE_WINDOW")
        window.send_event(
            event.ClientMessage(
                window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
            )
        )
        dpy.sync()
    finally:
        dpy.close()
    qtbot.wait(300)
    assert blocked.overlay.visible
    qtbot.waitUntil(lambda: on_top(desktop, blocked), timeout=3000)


def test_minimising_it_brings_it_straight_back(desktop: str, blocked: TrayApp, qtbot: QtBot) -> None:
    pane = primary(blocked)
    xdotool(desktop, "windowminimize", str(int(pane.winId())))
    qtbot.waitUntil(lambda: on_top(desktop, blocked), timeout=3000)


def test_back_to_desktop_minimises_the_game_and_the_overlay_returns_with_it(
    desktop: str,
    game: int,
    blocked: TrayApp,
    qtbot: QtBot,
) -> None:
    blocked.overlay.content.desktop_button.click()
    qtbot.waitUntil(lambda: not blocked.overlay.visible, timeout=3000)

    def game_minimised() -> bool:
        state = subprocess.run(
            ["xprop", "-id", str(game), "WM_STATE"], capture_output=True, text=True, check=True
        )
        return "Iconic" in state.stdout

    # The window manager minimises the game a moment after the request: wait for it, not on a race.
    qtbot.waitUntil(game_minimised, timeout=3000)
    xdotool(desktop, "windowactivate", str(game))
    qtbot.waitUntil(lambda: blocked.overlay.visible, timeout=3000)


def test_a_second_screen_is_covered_too(
    desktop: str, two_monitors: None, blocked: TrayApp, qapp: QtWidgets.QApplication, qtbot: QtBot
) -> None:
    panes = blocked.overlay.panes
    assert len(panes) == 2
    qtbot.waitUntil(lambda: all(p.isVisible() and not p.isMinimized() for p in panes), timeout=3000)
    for screen in qapp.screens():
        assert any(p.geometry().contains(screen.geometry()) for p in panes), screen.name()


@pytest.fixture
def impostor_named(desktop: str, game: int, tmp_path: Path) -> Iterator[Callable[[str], tuple[Path, int]]]:
    """Starts a copy of xterm under a name it borrows, in a folder the person can write."""
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> tuple[Path, int]:
        folder = tmp_path / "borrowed"
        folder.mkdir(mode=0o777, exist_ok=True)
        folder.chmod(0o777)  # as root too, a folder anyone can write
        program = folder / name
        shutil.copy(require("xterm"), program)
        process, window = start_xterm(desktop, program, title=name, geometry="40x10+300+300")
        started.append(process)
        xdotool(desktop, "windowactivate", "--sync", str(window))
        xdotool(desktop, "mousemove", "220", "220")
        return program, window

    yield start
    for process in started:
        stop(process)


@pytest.mark.parametrize(
    "borrowed",
    [
        "wellbeing-app",  # this app's own name
        "libreoffice",  # an always-allowed app
        "trayer",  # a part of the desktop that is never blocked
    ],
)
def test_a_game_under_a_borrowed_name_is_counted_blocked_and_shown_with_its_path(
    borrowed: str,
    desktop: str,
    launch: Launch,
    impostor_named: Callable[[str], tuple[Path, int]],
    qtbot: QtBot,
) -> None:
    app = launch(remaining_seconds=3, start=False)
    app.service.change_settings({"always_allowed": ("libreoffice",)}, passcode=PASSCODE)
    program, window = impostor_named(borrowed)
    app.start()

    qtbot.waitUntil(lambda: app.overlay.visible, timeout=8000)
    assert "Your 40 minutes for today are used" in app.overlay.content.title.text()
    rows = [row for row in app.service.report(1) if row.app.executable == str(program)]
    assert len(rows) == 1
    assert rows[0].seconds > 0
    assert str(program) in rows[0].app.name
    assert not rows[0].app.is_self

    # The overlay (this app's own window, known by process id) is in front now: it is not counted.
    qtbot.waitUntil(lambda: on_top(desktop, app), timeout=3000)
    used = app.service.status().used_seconds
    own_front = app.probes.foreground.foreground(with_title=False).app
    assert own_front is not None
    assert own_front.is_self
    # Five seconds with only the overlay in front. The tick under way when it came to the front
    # is still the game's (a tick is credited to the app seen at its start): at most 2 s.
    qtbot.wait(5000)
    assert app.service.status().used_seconds - used < 2.0
    assert all(not app_ref.is_self for app_ref, _seconds in app.service.status().by_app)
    # Brought to the front again, the borrowed name does not get it past the overlay.
    xdotool(desktop, "windowactivate", str(window))
    qtbot.waitUntil(lambda: on_top(desktop, app), timeout=3000)
