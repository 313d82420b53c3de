"""The protected-mode agent on a real X server: a block or break the guard pushes brings the
overlay up over the screen, and "postpone" on it goes through to the guard's service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.agent.guard import PASSCODE, StandInGuard
from tests.xcb.conftest import active_window
from wellbeing_app.app import TrayApp
from wellbeing_app.core.model import EventKind
from wellbeing_app.link.remote import RemoteService
from wellbeing_app.ui.agent import GuardController
from wellbeing_app.ui.qt import QtWidgets
from wellbeing_app.ui.tray import Tray

pytestmark = [pytest.mark.x11]


@pytest.fixture
def agent(
    desktop: str, tmp_path: Path, qapp: QtWidgets.QApplication, qtbot: QtBot
) -> Iterator[tuple[TrayApp, StandInGuard]]:
    guard = StandInGuard(tmp_path / "guard")
    guard.service.change_settings(
        {"break_every_minutes": 20, "postpones_allowed": 1, "start_at_login": False}
    )
    guard.service.set_passcode(PASSCODE)
    guard.service.start_tracking()
    guard.start()
    service = RemoteService(guard.path, timeout=5)
    app = TrayApp(service, qapp, data_dir_given=None, tray=Tray(), controller=GuardController(service))  # type: ignore[arg-type]
    app.start()
    qtbot.waitUntil(lambda: guard.watchers() == 1, timeout=5000)
    yield app, guard
    app.stop()
    service.close()
    guard.close()


def test_a_pushed_break_covers_the_screen_and_postpone_reaches_the_guard(
    agent: tuple[TrayApp, StandInGuard], desktop: str, qapp: QtWidgets.QApplication, qtbot: QtBot
) -> None:
    app, guard = agent
    guard.use(20 * 60)
    qtbot.waitUntil(lambda: app.overlay.visible, timeout=5000)
    pane = next(p for p in app.overlay.panes if p.primary)
    screen = qapp.primaryScreen().geometry()
    assert (pane.geometry().width(), pane.geometry().height()) == (screen.width(), screen.height())
    qtbot.waitUntil(lambda: active_window(desktop) == int(pane.winId()), timeout=3000)
    assert app.overlay.content.postpone_button.isVisible()
    app.overlay.content.postpone_button.click()
    qtbot.waitUntil(lambda: not app.overlay.visible, timeout=5000)
    with guard.lock:
        postponed = guard.service.events(1, [EventKind.BREAK_POSTPONED])
    assert len(postponed) == 1
