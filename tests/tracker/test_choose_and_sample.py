"""Choosing probes from the session's environment, and turning their answers into Samples."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.tracker.linux_desktop import (
    activate,
    require,
    start_openbox,
    start_xterm,
    stop,
    wait_until,
    wm_running,
)
from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.model import UNKNOWN_APP, AppRef, Sample
from wellbeing_app.tracker.base import Foreground, ProbeSet, ProbeStatus
from wellbeing_app.tracker.choose import choose_probes, doctor_report
from wellbeing_app.tracker.null import NullForeground, NullIdle, NullLock, NullMedia
from wellbeing_app.tracker.sampler import MEDIA_IDLE_SECONDS, Sampler


@pytest.fixture
def chosen() -> Iterator[list[ProbeSet]]:
    """Probe sets made by a test, closed after it."""
    made: list[ProbeSet] = []
    yield made
    for probes in made:
        probes.close()


def _choose(chosen: list[ProbeSet], env: dict[str, str], platform: str = "linux") -> ProbeSet:
    probes = choose_probes(env, platform=platform)
    chosen.append(probes)
    return probes


def _backends(probes: ProbeSet) -> tuple[str, str, str, str]:
    return (probes.foreground.backend, probes.idle.backend, probes.media.backend, probes.lock.backend)


@pytest.mark.x11
def test_x11_when_display_is_set_and_no_wayland(chosen: list[ProbeSet]) -> None:
    probes = _choose(chosen, {"DISPLAY": os.environ["DISPLAY"], "XDG_SESSION_TYPE": "x11"})
    assert _backends(probes) == ("x11", "x11", "mpris", "logind+screensaver")
    idle = probes.idle.status()
    assert idle.works
    assert idle.detail.startswith("idle ")


def test_nothing_graphical_gives_null_probes_that_say_why(chosen: list[ProbeSet]) -> None:
    probes = _choose(chosen, {})
    assert isinstance(probes.foreground, NullForeground)
    assert isinstance(probes.idle, NullIdle)
    seen = probes.foreground.foreground(with_title=True)
    assert seen == Foreground(None, reason="no graphical session: neither WAYLAND_DISPLAY nor DISPLAY is set")
    assert probes.idle.idle_seconds() is None
    statuses = doctor_report(probes)
    assert [s.kind for s in statuses] == ["foreground", "idle", "media", "lock"]
    assert statuses[0] == ProbeStatus(
        "foreground",
        "none",
        False,
        "no graphical session: neither WAYLAND_DISPLAY nor DISPLAY is set",
        "start the app from inside the desktop session",
    )


def test_an_unreachable_x_server_gives_null_probes_with_the_reason(chosen: list[ProbeSet]) -> None:
    probes = _choose(chosen, {"DISPLAY": ":4097"})
    status = probes.foreground.status()
    assert (status.backend, status.works) == ("x11", False)
    assert status.detail.startswith("X11 is not available: cannot connect to the X server")
    assert probes.idle.status().detail == status.detail


def test_wayland_wins_over_xwayland_display(chosen: list[ProbeSet]) -> None:
    env = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "XDG_CURRENT_DESKTOP": "LXQt"}
    probes = _choose(chosen, env)
    assert _backends(probes)[:2] == ("wayland", "wayland")
    assert (
        probes.foreground.foreground(with_title=False).reason
        == "no way to ask LXQt on Wayland which window is in front"
    )


def test_a_failing_compositor_backend_falls_back_with_its_reason(chosen: list[ProbeSet]) -> None:
    env = {"XDG_SESSION_TYPE": "wayland", "SWAYSOCK": "/nonexistent/sway-ipc.sock"}
    probes = _choose(chosen, env)
    status = probes.foreground.status()
    assert (status.backend, status.works) == ("sway", False)
    assert status.detail.startswith("the sway foreground probe is not available: ")


@pytest.mark.parametrize(("platform", "backend"), [("win32", "windows"), ("darwin", "macos")])
def test_other_platforms_pick_their_modules_or_say_why_not(
    chosen: list[ProbeSet], platform: str, backend: str
) -> None:
    probes = _choose(chosen, {}, platform=platform)
    assert _backends(probes) == (backend, backend, backend, backend)
    for status in doctor_report(probes):
        assert not status.works  # none of them can run on this Linux machine
        assert status.detail


class _CountingMedia:
    backend = "counting"

    def __init__(self, answer: bool | None) -> None:
        self.answer = answer
        self.asked = 0

    def playing(self) -> bool | None:
        self.asked += 1
        return self.answer

    def status(self) -> ProbeStatus:
        return ProbeStatus("media", self.backend, True, f"asked {self.asked} times")

    def close(self) -> None:
        pass


class _FixedIdle:
    backend = "fixed"

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds

    def idle_seconds(self) -> float | None:
        return self.seconds

    def status(self) -> ProbeStatus:
        return ProbeStatus("idle", self.backend, True, f"idle {self.seconds}")

    def close(self) -> None:
        pass


def test_media_is_asked_only_after_30_s_without_input() -> None:
    media = _CountingMedia(True)
    idle = _FixedIdle(29.9)
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    sampler = Sampler(ProbeSet(NullForeground("test"), idle, media, NullLock("test")), clock)
    sample = sampler.sample(with_title=False)
    assert (sample.media_playing, media.asked) == (False, 0)
    idle.seconds = MEDIA_IDLE_SECONDS
    clock.advance(1)
    sample = sampler.sample(with_title=False)
    assert (sample.media_playing, media.asked) == (True, 1)
    assert sample.elapsed == 1.0
    assert sample.wall == datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC)
    idle.seconds = None  # unknown idle time: media is worth asking
    assert sampler.sample(with_title=False).media_playing is True
    assert media.asked == 2


def test_unknown_answers_become_a_sample_of_nothing_known() -> None:
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    probes = ProbeSet(NullForeground("a", backend="wayland"), NullIdle("b"), NullMedia("c"), NullLock("d"))
    sample = Sampler(probes, clock).sample(with_title=True)
    # A desktop that cannot tell the app in front: time still counts, as the unknown app.
    assert (sample.app, sample.idle_seconds, sample.media_playing, sample.locked, sample.title) == (
        UNKNOWN_APP,
        None,
        False,
        False,
        None,
    )


class _EmptyDesktop:
    """A working foreground probe that sees nothing in front (an empty desktop)."""

    backend = "empty"

    def foreground(self, *, with_title: bool) -> Foreground:
        return Foreground(None, reason="no window is active", nothing_in_front=True)

    def change_fd(self) -> int | None:
        return None

    def drain_changes(self) -> bool:
        return False

    def status(self) -> ProbeStatus:
        return ProbeStatus("foreground", self.backend, True, "no window is active")

    def close(self) -> None:
        pass


def test_nothing_in_front_on_a_desktop_that_can_tell_is_no_app() -> None:
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    sampler = Sampler(ProbeSet(_EmptyDesktop(), NullIdle("b"), NullMedia("c"), NullLock("d")), clock)
    assert sampler.sample(with_title=False).app is None


@pytest.mark.x11
def test_a_sample_on_x11_names_the_app_in_front(chosen: list[ProbeSet]) -> None:
    display_name = os.environ["DISPLAY"]
    window_manager = None if wm_running(display_name) else start_openbox(display_name)
    xterm = None
    try:
        xterm, window = start_xterm(display_name, Path(require("xterm")), title="t", geometry="20x5+5+5")
        activate(display_name, window)
        probes = _choose(chosen, {"DISPLAY": display_name})
        sampler = Sampler(probes, FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))

        def xterm_in_front() -> Sample | None:
            sample = sampler.sample(with_title=True)
            return sample if sample.app is not None and sample.app.executable == "xterm" else None

        sample = wait_until(xterm_in_front, what="xterm in front")
        assert sample.app == AppRef("xterm", "XTerm")
        assert sample.title == "t"
        assert sample.idle_seconds is not None
        assert sampler.sample(with_title=False).title is None
    finally:
        if xterm is not None:
            stop(xterm)
        if window_manager is not None:
            stop(window_manager)
