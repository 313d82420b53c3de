"""What a determined teenager tries against the overlay on X11, and what happens."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from Xlib import X
from Xlib import display as xdisplay
from Xlib.protocol import event

from tests.tracker.linux_desktop import require, xdotool
from tests.xcb.conftest import Launch, active_window
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


def test_a_second_screen_is_covered_too(
    desktop: str, two_monitors: None, blocked: TrayApp, qapp: QtWidgets.QApplication, qtbot: QtBot
) -> None:
    panes = blocked.overlay.panes
    assert len(panes) == 2
    qtbot.waitUntil(lambda: all(p.isVisible() and not p.isMinimized() for p in panes), timeout=3000)
    for screen in qapp.screens():
        assert any(p.geometry().contains(screen.geometry()) for p in panes), screen.name()
