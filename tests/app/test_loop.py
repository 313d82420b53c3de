"""The sample→tick loop that `track` and the tray app share, on a real data dir with a fake clock:
the beat, a window switch between beats, a stall, and what the person's use adds up to."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.model import SELF_APP, AppRef
from wellbeing_app.service import Service
from wellbeing_app.service.loop import TickLoop
from wellbeing_app.tracker.base import Foreground, ProbeSet, ProbeStatus
from wellbeing_app.tracker.null import NullLock, NullMedia

ALMATY = ZoneInfo("Asia/Almaty")
GAME = AppRef("supertux2", "SuperTux")
EDITOR = AppRef("libreoffice", "LibreOffice")
OVERLAY = SELF_APP  # reported only by a probe that checked the process id


class Desk:
    """A desktop with one app in front and someone typing: a switch is written to a real pipe, as
    the X11 probe's listener does, and read back by `drain_changes`."""

    kind = "foreground"
    backend = "test"

    def __init__(self, app: AppRef | None) -> None:
        self.app = app
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)

    def switch_to(self, app: AppRef | None) -> None:
        self.app = app
        os.write(self._write, b"x")

    def foreground(self, *, with_title: bool) -> Foreground:
        if self.app is None:  # the window manager cleared the active window
            return Foreground(None, nothing_in_front=True)
        return Foreground(self.app, pid=4242)

    def change_fd(self) -> int | None:
        return self._read

    def drain_changes(self) -> bool:
        try:
            return bool(os.read(self._read, 512))
        except BlockingIOError:
            return False

    def idle_seconds(self) -> float | None:
        return 0.0

    def status(self) -> ProbeStatus:
        return ProbeStatus(self.kind, self.backend, True, "a test desk")

    def close(self) -> None:
        os.close(self._read)
        os.close(self._write)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 10, 0, tzinfo=ALMATY), ALMATY)


@pytest.fixture
def desk() -> Iterator[Desk]:
    made = Desk(GAME)
    yield made
    made.close()


@pytest.fixture
def service(tmp_path: Path, clock: FakeClock) -> Iterator[Service]:
    opened = Service.open(tmp_path / "data", clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def loop(service: Service, desk: Desk) -> Iterator[TickLoop]:
    made = TickLoop(service, ProbeSet(desk, desk, NullMedia("test"), NullLock("test")))
    made.start()
    yield made
    made.stop()


def test_the_first_tick_is_due_at_once_then_one_a_second_and_an_early_wake_takes_no_sample(
    loop: TickLoop, clock: FakeClock
) -> None:
    assert loop.seconds_to_next_tick() == 0.0
    assert loop.step() is not None
    assert loop.seconds_to_next_tick() == 1.0
    clock.advance(0.95)  # a timer that fires a little early
    assert loop.step() is None
    assert loop.seconds_to_next_tick() == pytest.approx(0.05)
    clock.advance(0.05)
    assert loop.step() is not None
    assert loop.samples == 2


def test_a_window_switch_is_sampled_at_once_and_the_beat_stays(
    loop: TickLoop, desk: Desk, clock: FakeClock, service: Service
) -> None:
    loop.step()
    clock.advance(0.3)
    desk.switch_to(EDITOR)
    switched = loop.drain_switches()
    assert switched
    result = loop.step(switched=switched)
    assert result is not None
    assert loop.front == Foreground(EDITOR, pid=4242)
    assert loop.seconds_to_next_tick() == pytest.approx(0.7)
    assert loop.drain_switches() is False  # read once


def test_after_a_stall_the_loop_does_not_catch_up_on_the_ticks_it_missed(
    loop: TickLoop, clock: FakeClock
) -> None:
    loop.step()
    clock.advance(5.2)  # the process was stopped for a while
    assert loop.step() is not None
    assert loop.step() is None  # one sample for the stall, not five
    assert loop.seconds_to_next_tick() == pytest.approx(0.5)


def test_our_own_overlay_in_front_keeps_the_app_under_it_as_the_front(
    loop: TickLoop, desk: Desk, clock: FakeClock
) -> None:
    loop.step()
    desk.switch_to(OVERLAY)
    loop.step(switched=loop.drain_switches())
    assert loop.front == Foreground(GAME, pid=4242)


def test_the_window_manager_clearing_the_active_window_in_passing_keeps_the_app_as_the_front(
    loop: TickLoop, desk: Desk, clock: FakeClock
) -> None:
    # openbox sets the active window to none, then to the overlay: "back to desktop" must still
    # know which app to minimise.
    loop.step()
    desk.switch_to(None)
    clock.advance(0.01)
    loop.step(switched=loop.drain_switches())
    desk.switch_to(OVERLAY)
    clock.advance(0.01)
    loop.step(switched=loop.drain_switches())
    assert loop.front == Foreground(GAME, pid=4242)


def test_nothing_in_front_for_longer_is_nothing_in_front(
    loop: TickLoop, desk: Desk, clock: FakeClock
) -> None:
    loop.step()
    desk.switch_to(None)
    loop.step(switched=loop.drain_switches())
    clock.advance(2.5)
    loop.step()
    assert loop.front is not None
    assert loop.front.app is None


def test_a_minute_of_use_through_the_loop_is_a_minute_in_the_status(
    loop: TickLoop, clock: FakeClock, service: Service
) -> None:
    loop.step()
    for _ in range(60):
        clock.advance(loop.seconds_to_next_tick())
        loop.step()
    status = service.status()
    assert status.used_seconds == 60
    assert status.by_app == [(GAME, 60)]
    assert loop.samples == 61
