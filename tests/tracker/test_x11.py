"""The X11 probes against real X servers, a real window manager and real X clients."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from Xlib import display as xdisplay

from tests.tracker.linux_desktop import (
    activate,
    create_window,
    plain,
    private_xvfb,
    require,
    set_root_window_property,
    start_openbox,
    start_xterm,
    stop,
    wait_until,
    window_exists,
    wm_running,
    xdotool,
)
from wellbeing_app.core.model import AppRef
from wellbeing_app.tracker.base import Foreground, TrackerError
from wellbeing_app.tracker.x11 import SELF_APP, DesktopIndex, X11Foreground, X11Idle, open_x11

pytestmark = pytest.mark.x11


@pytest.fixture(scope="module")
def display_name() -> str:
    name = os.environ.get("DISPLAY")
    assert name, "pytest-xvfb sets DISPLAY"
    return name


@pytest.fixture(scope="module")
def openbox(display_name: str) -> Iterator[subprocess.Popen[bytes]]:
    """openbox on pytest-xvfb's display, for the whole module."""
    process = start_openbox(display_name)
    yield process
    stop(process)


@pytest.fixture(scope="module")
def desktop_index(tmp_path_factory: pytest.TempPathFactory) -> DesktopIndex:
    """Desktop files of our own: a name for alphaterm only."""
    folder = tmp_path_factory.mktemp("applications")
    (folder / "alpha.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=Alpha Terminal\nExec=alphaterm -e cat\n"
    )
    return DesktopIndex([folder], languages=[])


@pytest.fixture(scope="module")
def terminals(
    display_name: str, openbox: subprocess.Popen[bytes], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, tuple[subprocess.Popen[bytes], int]]]:
    """Two copies of xterm under different names, each with its window: name → (process, window)."""
    folder = tmp_path_factory.mktemp("bin")
    started: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    try:
        for index, name in enumerate(("alphaterm", "betaterm")):
            program = folder / name
            shutil.copy(require("xterm"), program)
            started[name] = start_xterm(
                display_name, program, title=f"{name} title", geometry=f"40x10+{10 + 400 * index}+10"
            )
        yield started
    finally:
        for process, _window in started.values():
            stop(process)


@pytest.fixture
def probe(display_name: str, desktop_index: DesktopIndex) -> Iterator[X11Foreground]:
    foreground = X11Foreground(display_name, desktop_index=desktop_index)
    yield foreground
    foreground.close()


def _front(probe: X11Foreground, executable: str, *, with_title: bool = False) -> Foreground:
    """What the probe reports once `executable` is in front: the window manager is asynchronous
    (openbox passes through "no active window" during a switch), so poll with a deadline."""
    seen: list[Foreground] = []

    def arrived() -> bool:
        seen.append(probe.foreground(with_title=with_title))
        app = plain(seen[-1].app)
        return app is not None and app.executable == executable

    try:
        wait_until(arrived, timeout=5, what=f"{executable} in front")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; last seen: {seen[-1]}") from None
    return seen[-1]


def _wait_readable(fd: int, timeout: float = 5.0) -> bool:
    readable, _, _ = select.select([fd], [], [], timeout)
    return bool(readable)


def test_reports_the_executable_and_pid_of_each_window_in_front(
    probe: X11Foreground, terminals: dict[str, tuple[subprocess.Popen[bytes], int]], display_name: str
) -> None:
    for name, expected_name in (("alphaterm", "Alpha Terminal"), ("betaterm", "XTerm"), ("alphaterm", None)):
        process, window = terminals[name]
        activate(display_name, window)
        seen = _front(probe, name)
        assert seen.app is not None
        assert seen.pid == process.pid
        if expected_name is not None:
            # From our desktop file for alphaterm; from WM_CLASS ("XTerm") for betaterm.
            assert plain(seen.app).name == expected_name  # type: ignore[union-attr]
    status = probe.status()
    assert status.works
    alpha = probe.foreground(with_title=False).app
    assert alpha is not None
    assert status.detail == f"{alpha.name} — {alpha.executable} (pid {terminals['alphaterm'][0].pid})"
    assert plain(alpha) == AppRef("alphaterm", "Alpha Terminal")


def test_titles_are_read_only_when_asked(
    probe: X11Foreground, terminals: dict[str, tuple[subprocess.Popen[bytes], int]], display_name: str
) -> None:
    _process, window = terminals["betaterm"]
    activate(display_name, window)
    assert _front(probe, "betaterm").title is None
    assert probe.foreground(with_title=True).title == "betaterm title"  # xterm sets WM_NAME only


def test_a_switch_makes_the_change_fd_readable(
    probe: X11Foreground, terminals: dict[str, tuple[subprocess.Popen[bytes], int]], display_name: str
) -> None:
    activate(display_name, terminals["alphaterm"][1])
    _front(probe, "alphaterm")
    fd = probe.change_fd()
    assert fd is not None
    probe.drain_changes()
    while _wait_readable(fd, 0.2):  # let the events of the last switch settle
        probe.drain_changes()
    assert probe.drain_changes() is False

    activate(display_name, terminals["betaterm"][1])
    assert _wait_readable(fd), "no PropertyNotify within 5 s of a switch"
    assert probe.drain_changes() is True
    _front(probe, "betaterm")


def test_own_windows_are_the_app_itself_with_utf8_titles(
    probe: X11Foreground, openbox: subprocess.Popen[bytes], display_name: str
) -> None:
    own = xdisplay.Display(display_name)
    try:
        # No _NET_WM_PID: the pid comes from the X-Resource extension.
        window = create_window(own, title="Wellbeing — Перерыв")
        wait_until(
            lambda: xdotool(display_name, "search", "--class", "WellbeingTest").strip(), what="own window"
        )
        activate(display_name, window.id)
        seen = _front(probe, SELF_APP.executable, with_title=True)
        assert seen.app == SELF_APP
        assert seen.pid == os.getpid()
        assert seen.title == "Wellbeing — Перерыв"

        # A pid from another pid namespace (as a Flatpak app writes it): the X server knows better.
        sandboxed = create_window(own, title="sandboxed", net_wm_pid=openbox.pid)
        activate(display_name, sandboxed.id)
        wait_until(lambda: probe.foreground(with_title=True).title == "sandboxed", what="the second window")
        assert probe.foreground(with_title=False).pid == os.getpid()
    finally:
        own.close()


def test_a_killed_window_gives_no_app_and_a_reason(
    probe: X11Foreground, openbox: subprocess.Popen[bytes], display_name: str, tmp_path: Path
) -> None:
    program = tmp_path / "gammaterm"
    shutil.copy(require("xterm"), program)
    process, window = start_xterm(display_name, program, title="gamma", geometry="40x10+200+200")
    try:
        activate(display_name, window)
        assert plain(_front(probe, "gammaterm").app) == AppRef("gammaterm", "XTerm")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=5)
        wait_until(lambda: not window_exists(display_name, window), what="the X server to destroy the window")
        seen = probe.foreground(with_title=True)  # never raises
        if seen.app is None:
            assert seen.reason
        else:  # openbox was quick and focused another window already
            assert plain(seen.app).executable != "gammaterm"  # type: ignore[union-attr]
    finally:
        stop(process)


def test_a_window_gone_while_still_marked_active_gives_a_reason(tmp_path: Path) -> None:
    """Deterministic version of the race above: we play a window manager that never updates
    `_NET_ACTIVE_WINDOW`, so the probe meets a destroyed window (BadWindow) for sure."""
    program = tmp_path / "deltaterm"
    shutil.copy(require("xterm"), program)
    with private_xvfb() as (name, _xvfb):
        wm = xdisplay.Display(name)
        probe = X11Foreground(name, desktop_index=DesktopIndex([], languages=[]))
        try:
            check = create_window(wm)
            check.change_property(wm.intern_atom("_NET_SUPPORTING_WM_CHECK"), 33, 32, [check.id])
            set_root_window_property(wm, "_NET_SUPPORTING_WM_CHECK", check.id)
            set_root_window_property(wm, "_NET_ACTIVE_WINDOW", 0)
            assert wm_running(name)
            wait_until(
                lambda: probe.foreground(with_title=False).reason == "no window is active", what="no window"
            )

            process, window = start_xterm(name, program, title="delta", geometry="40x10+0+0")
            try:
                set_root_window_property(wm, "_NET_ACTIVE_WINDOW", window)
                seen = probe.foreground(with_title=False)
                assert seen.app is not None
                assert plain(seen.app).executable == "deltaterm"  # type: ignore[union-attr]
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=5)
                wait_until(lambda: not window_exists(name, window), what="the X server to destroy the window")
                gone = probe.foreground(with_title=True)
                assert gone.app is None
                assert gone.reason == f"the active window 0x{window:x} went away"
            finally:
                stop(process)
        finally:
            probe.close()
            wm.close()


def test_without_a_window_manager_the_probe_says_so() -> None:
    with private_xvfb() as (name, _xvfb):
        probe = X11Foreground(name, desktop_index=DesktopIndex([], languages=[]))
        try:
            seen = probe.foreground(with_title=False)
            assert seen.app is None
            assert seen.reason == "no window manager is running (no _NET_SUPPORTING_WM_CHECK)"
            status = probe.status()
            assert not status.works
            assert status.hint is not None
            assert "_NET_ACTIVE_WINDOW" in status.hint

            # A window manager that starts later is noticed; one that stops leaves stale
            # properties on the root window, which are not taken for a live one.
            window_manager = start_openbox(name)
            try:
                fd = probe.change_fd()
                assert fd is not None
                assert _wait_readable(fd)
                assert probe.drain_changes() is True
                wait_until(lambda: probe.status().works, what="the probe to notice openbox")
                assert probe.foreground(with_title=False).reason == "no window is active"
            finally:
                stop(window_manager)
            wait_until(
                lambda: (
                    probe.foreground(with_title=False).reason
                    == "no window manager is running (no _NET_SUPPORTING_WM_CHECK)"
                ),
                what="the probe to notice that openbox is gone",
            )
        finally:
            probe.close()


def test_a_lost_x_server_is_reported_and_reopened_at_most_every_5_seconds() -> None:
    now = [100.0]
    with private_xvfb() as (name, xvfb):
        probe = X11Foreground(name, desktop_index=DesktopIndex([], languages=[]), monotonic=lambda: now[0])
        idle = X11Idle(name, monotonic=lambda: now[0])
        try:
            assert probe.foreground(with_title=False).reason is not None
            assert idle.idle_seconds() is not None
            fd = probe.change_fd()
            assert fd is not None
            stop(xvfb)
            assert _wait_readable(fd), "a closed connection makes the fd readable"
            assert probe.drain_changes() is True  # the caller should look again, and re-read change_fd()
            assert probe.change_fd() is None
            lost = probe.foreground(with_title=False)
            assert lost.app is None
            assert lost.reason is not None
            assert lost.reason.startswith("lost the X connection")
            assert probe.change_fd() is None
            assert idle.idle_seconds() is None
            assert "lost the X connection" in idle.status().detail
            number = name.lstrip(":")
            restarted = subprocess.Popen(
                [require("Xvfb"), name, "-nolisten", "tcp", "-s", "0"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_until(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), what="Xvfb to restart")
                wait_until(lambda: _can_connect(name), what="Xvfb to accept connections")
                now[0] += 4.0  # too soon: no new attempt
                assert probe.foreground(with_title=False).reason == lost.reason
                assert idle.idle_seconds() is None
                now[0] += 1.5
                reopened = probe.foreground(with_title=False)
                assert reopened.reason == "no window manager is running (no _NET_SUPPORTING_WM_CHECK)"
                assert probe.change_fd() is not None
                assert idle.idle_seconds() is not None
            finally:
                probe.close()
                idle.close()
                stop(restarted)
        finally:
            probe.close()
            idle.close()


def _can_connect(name: str) -> bool:
    try:
        xdisplay.Display(name).close()
    except Exception:
        return False
    return True


def test_open_x11_without_a_server_says_why() -> None:
    with pytest.raises(TrackerError, match="cannot connect to the X server"):
        open_x11(":4097")


def test_idle_time_restarts_at_input_and_grows(display_name: str) -> None:
    _foreground, idle = open_x11(display_name)
    try:
        xdotool(display_name, "mousemove", "17", "23")
        xdotool(display_name, "mousemove", "311", "197")  # a new absolute spot
        fresh = idle.idle_seconds()
        assert fresh is not None
        assert fresh < 1.0
        later = wait_until(lambda: (s := idle.idle_seconds()) is not None and s >= 2.0 and s, timeout=10)
        assert later > fresh
        status = idle.status()
        assert status.works
        assert status.detail.startswith("idle ")
    finally:
        _foreground.close()
        idle.close()


def test_idle_without_the_screen_saver_extension_is_unknown_with_a_reason() -> None:
    with private_xvfb("-extension", "MIT-SCREEN-SAVER") as (name, _xvfb):
        idle = X11Idle(name)
        try:
            assert idle.idle_seconds() is None
            status = idle.status()
            assert not status.works
            assert status.detail == "the X server has no MIT-SCREEN-SAVER extension"
            assert status.hint is not None
            assert "MIT-SCREEN-SAVER" in status.hint
        finally:
            idle.close()
