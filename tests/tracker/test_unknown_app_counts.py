"""Time in front of an app nobody can name counts as the unknown app, so the cap comes everywhere.

The regression of issue 12: on GNOME without the Window Calls extension the foreground probe
ran but named no app, and no time was credited at all, so the cap never came.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.tracker.linux_desktop import private_session_bus
from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.engine import Engine
from wellbeing_app.core.model import UNKNOWN_APP, BlockReason, Verdict
from wellbeing_app.core.settings import Settings
from wellbeing_app.tracker.base import Foreground, ForegroundProbe, ProbeSet, ProbeStatus
from wellbeing_app.tracker.common import window_foreground
from wellbeing_app.tracker.gnome import GnomeForeground
from wellbeing_app.tracker.null import NullForeground, NullLock, NullMedia
from wellbeing_app.tracker.sampler import Sampler

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class _Answers:
    """A foreground probe that gives one fixed answer (what a backend said)."""

    backend = "fixed"

    def __init__(self, answer: Foreground) -> None:
        self.answer = answer

    def foreground(self, *, with_title: bool) -> Foreground:
        return self.answer

    def change_fd(self) -> int | None:
        return None

    def drain_changes(self) -> bool:
        return False

    def status(self) -> ProbeStatus:
        return ProbeStatus("foreground", self.backend, True, self.answer.reason or "")

    def close(self) -> None:
        pass


class _Active:
    """Input a moment ago, at every tick."""

    backend = "active"

    def idle_seconds(self) -> float | None:
        return 0.5

    def status(self) -> ProbeStatus:
        return ProbeStatus("idle", self.backend, True, "active")

    def close(self) -> None:
        pass


def _probes(foreground: ForegroundProbe) -> ProbeSet:
    return ProbeSet(foreground, _Active(), NullMedia("none"), NullLock("none"))


UNNAMED = {
    "no backend for this desktop": NullForeground("no way to ask LXQt", backend="wayland"),
    "a backend that does not answer": _Answers(
        Foreground(None, reason="the GNOME Shell extension Window Calls is not there")
    ),
    "a window without a process or app id": _Answers(
        window_foreground(None, None, "a title", with_title=False, own_pid=1)
    ),
}


@pytest.mark.parametrize("probe", UNNAMED.values(), ids=UNNAMED.keys())
def test_a_front_app_that_cannot_be_named_is_the_unknown_app(probe: ForegroundProbe) -> None:
    sample = Sampler(_probes(probe), FakeClock(START)).sample(with_title=False)
    assert sample.app == UNKNOWN_APP


def test_an_empty_desktop_is_no_app_at_all() -> None:
    probe = _Answers(Foreground(None, reason="no window has the focus", nothing_in_front=True))
    assert Sampler(_probes(probe), FakeClock(START)).sample(with_title=False).app is None


@pytest.fixture
def gnome_without_window_calls(tmp_path: Path) -> Iterator[GnomeForeground]:
    """The GNOME probe on a real (private) session bus on which no Window Calls answers."""
    with private_session_bus(tmp_path) as address:
        probe = GnomeForeground(bus=address)
        yield probe
        probe.close()


@pytest.mark.dbus
def test_gnome_without_window_calls_counts_all_active_time_and_the_cap_comes(
    gnome_without_window_calls: GnomeForeground,
) -> None:
    status = gnome_without_window_calls.status()
    assert not status.works
    assert "Window Calls is not there" in status.detail
    settings = Settings().replace(daily_cap_minutes=40, break_every_minutes=None)
    counter = itertools.count(1)
    engine = Engine(settings, new_uid=lambda: f"u{next(counter)}", zone=UTC)
    clock = FakeClock(START)
    sampler = Sampler(_probes(gnome_without_window_calls), clock)
    tick_seconds = 4.0  # under the tracker's 5 s gap limit; fewer D-Bus calls than 1 s ticks
    verdicts = []
    for _ in range(int(41 * 60 / tick_seconds)):
        result = engine.tick(sampler.sample(with_title=False))
        verdicts.append(result.decision.verdict)
        clock.advance(tick_seconds)
    minutes_to_block = verdicts.index(Verdict.BLOCK) * tick_seconds / 60
    assert minutes_to_block == pytest.approx(40, abs=0.1)
    assert result.decision.reason is BlockReason.CAP
    assert engine.decision_for(UNKNOWN_APP).verdict is Verdict.BLOCK
