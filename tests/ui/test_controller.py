"""The tray app's loop on Qt's event loop: the first tick at start, a window switch sampled the
moment the probe's pipe says so, and the timer that keeps the beat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.app.test_loop import EDITOR, GAME, Desk
from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.engine import TickResult
from wellbeing_app.service import Service
from wellbeing_app.tracker.base import Foreground, ProbeSet
from wellbeing_app.tracker.null import NullLock, NullMedia
from wellbeing_app.ui.controller import Controller


@pytest.fixture
def desk() -> Iterator[Desk]:
    made = Desk(GAME)
    yield made
    made.close()


def running(service: Service, desk: Desk) -> Controller:
    controller = Controller(service, ProbeSet(desk, desk, NullMedia("test"), NullLock("test")))
    controller.start()
    return controller


def test_a_window_switch_is_sampled_when_the_probe_says_so(
    service: Service, desk: Desk, clock: FakeClock, qtbot: QtBot
) -> None:
    controller = running(service, desk)
    try:
        assert controller.front == Foreground(GAME, pid=4242)  # the first tick came at start
        clock.advance(0.4)  # between beats: only the switch makes a sample now
        with qtbot.waitSignal(controller.ticked, timeout=5000) as ticked:
            desk.switch_to(EDITOR)
        result = ticked.args[0]
        assert isinstance(result, TickResult)
        assert result.decision.app == EDITOR
        assert controller.front == Foreground(EDITOR, pid=4242)
    finally:
        controller.stop()


def test_the_timer_goes_on_sampling_after_the_first_tick(tmp_path: Path, desk: Desk, qtbot: QtBot) -> None:
    service = Service.open(tmp_path / "data")  # the real clock: Qt's timer waits in real time
    controller = running(service, desk)
    try:
        seen: list[TickResult] = []
        controller.ticked.connect(seen.append)
        qtbot.waitUntil(lambda: len(seen) >= 2, timeout=10_000)
        assert service.status().by_app[0][0] == GAME
    finally:
        controller.stop()
        service.close()
