"""Widget tests run offscreen, each on a real data dir with a fake clock."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from wellbeing_app.core.clock import FakeClock
from wellbeing_app.service import Service
from wellbeing_app.ui.qt import Qt, QtCore, QtWidgets

ALMATY = ZoneInfo("Asia/Almaty")


@pytest.fixture
def clock() -> FakeClock:
    """Wednesday 25 November 2026, 16:30 in Almaty (the day began at 04:00)."""
    return FakeClock(datetime(2026, 11, 25, 16, 30, tzinfo=ALMATY), ALMATY)


@pytest.fixture
def service(tmp_path: Path, clock: FakeClock) -> Iterator[Service]:
    opened = Service.open(tmp_path / "data", clock=clock)
    yield opened
    opened.close()


def reopen(service: Service) -> Service:
    """The data dir read afresh, as another process would see it."""
    return Service.open(service.data_dir, clock=service.clock)


def when_modal_opens(kind: type[QtWidgets.QWidget], act: Callable[[QtWidgets.QWidget], None]) -> list[bool]:
    """Act on the next modal dialog of `kind` once it is shown (it runs its own event loop).

    Returns a list that holds True once the action ran, for the test to assert on.
    """
    ran: list[bool] = []
    tries = [0]

    def poll() -> None:
        widget = QtWidgets.QApplication.activeModalWidget()
        if isinstance(widget, kind) and widget.isVisible():
            ran.append(True)
            act(widget)
        elif tries[0] < 500:
            tries[0] += 1
            QtCore.QTimer.singleShot(10, poll)

    QtCore.QTimer.singleShot(0, poll)
    return ran


# Typed wrappers: pytest-qt builds its key and mouse helpers at run time, without annotations.


def type_text(qtbot: QtBot, widget: QtWidgets.QWidget, text: str) -> None:
    """Type `text` into `widget`, key by key."""
    qtbot.keyClicks(widget, text)  # type: ignore[no-untyped-call]


def press(qtbot: QtBot, widget: QtWidgets.QWidget, key: Qt.Key) -> None:
    qtbot.keyClick(widget, key)  # type: ignore[no-untyped-call]


def click(qtbot: QtBot, widget: QtWidgets.QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
