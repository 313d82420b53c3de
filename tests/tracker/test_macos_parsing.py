"""The macOS probes' pure mappings, and the probes over stand-ins for AppKit and Quartz.

Nothing here calls macOS: `FakeAppKit` and `FakeQuartz` answer with the plain values that
pyobjc would hand over (strings, numbers, dicts, None).
"""

from __future__ import annotations

import math
import sys
from typing import Any

import pytest

from wellbeing_app.core.model import SELF_APP, AppRef
from wellbeing_app.tracker import macos
from wellbeing_app.tracker.base import Foreground, TrackerError

OWN_PID = 4000
SAFARI_PATH = "/Applications/Safari.app/Contents/MacOS/Safari"
CHROME_PATH = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"


@pytest.mark.parametrize(
    ("values", "app"),
    [
        ((612, "Safari", "com.apple.Safari", SAFARI_PATH), AppRef("Safari", "Safari")),
        ((733, "Google Chrome", "com.google.Chrome", CHROME_PATH), AppRef("Google Chrome", "Google Chrome")),
        (
            (801, "Firefox", "org.mozilla.firefox", "/Applications/Firefox.app/Contents/MacOS/firefox"),
            AppRef("firefox", "Firefox"),
        ),
        (
            (902, "Rechner", "com.apple.calculator", None),
            AppRef("calculator", "Rechner"),
        ),  # no executable URL
        ((903, "Terminal", None, None), AppRef("Terminal", "Terminal")),
        ((904, None, None, "/usr/local/bin/kitty"), AppRef("kitty", "kitty")),
        ((OWN_PID, "Python", "org.python.python", "/usr/bin/python3"), SELF_APP),
        ((905, None, None, None), None),
        ((906, "", "", ""), None),
    ],
)
def test_app_from_frontmost(values: tuple[Any, ...], app: AppRef | None) -> None:
    assert macos.app_from_frontmost(*values, own_pid=OWN_PID) == app


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (12.5, 12.5),
        (0, 0.0),
        (-1.0, None),
        (math.nan, None),
        (math.inf, None),
        (None, None),
        ("3", None),
        (True, None),
    ],
)
def test_idle_from_seconds(value: object, seconds: float | None) -> None:
    assert macos.idle_from_seconds(value) == seconds


@pytest.mark.parametrize(
    ("session", "locked"),
    [
        (
            {
                "kCGSSessionOnConsoleKey": True,
                "kCGSessionLoginDoneKey": True,
                "CGSSessionScreenIsLocked": True,
            },
            True,
        ),
        ({"kCGSSessionOnConsoleKey": True, "kCGSessionLoginDoneKey": True}, False),
        ({"CGSSessionScreenIsLocked": 0}, False),
        (None, None),
    ],
)
def test_locked_from_session(session: dict[str, object] | None, locked: bool | None) -> None:
    assert macos.locked_from_session(session) is locked


WINDOW_LIST: list[dict[str, object]] = [
    {
        "kCGWindowOwnerPID": 300,
        "kCGWindowLayer": 25,
        "kCGWindowName": "Item-0",
        "kCGWindowOwnerName": "Control Centre",
    },
    {"kCGWindowOwnerPID": 612, "kCGWindowLayer": 0, "kCGWindowOwnerName": "Safari"},  # no name: no permission
    {
        "kCGWindowOwnerPID": 733,
        "kCGWindowLayer": 0,
        "kCGWindowName": "",
        "kCGWindowOwnerName": "Google Chrome",
    },
    {
        "kCGWindowOwnerPID": 733,
        "kCGWindowLayer": 0,
        "kCGWindowName": "Inbox",
        "kCGWindowOwnerName": "Google Chrome",
    },
]


@pytest.mark.parametrize(("pid", "title"), [(733, "Inbox"), (612, None), (300, None), (1, None)])
def test_title_from_window_list(pid: int, title: str | None) -> None:
    assert macos.title_from_window_list(WINDOW_LIST, pid) == title


# --- the probes over stand-ins -----------------------------------------------------------------


class FakeURL:
    def __init__(self, path: str) -> None:
        self._path = path

    def path(self) -> str:
        return self._path


class FakeRunningApplication:
    def __init__(self, pid: int, name: str | None, bundle: str | None, path: str | None) -> None:
        self.values = (pid, name, bundle, path)

    def processIdentifier(self) -> int:
        return self.values[0]

    def localizedName(self) -> str | None:
        return self.values[1]

    def bundleIdentifier(self) -> str | None:
        return self.values[2]

    def executableURL(self) -> FakeURL | None:
        return FakeURL(self.values[3]) if self.values[3] is not None else None


class FakeAppKit:
    """`AppKit.NSWorkspace.sharedWorkspace().frontmostApplication()` and nothing else."""

    def __init__(self) -> None:
        self.frontmost: FakeRunningApplication | None = FakeRunningApplication(
            733, "Google Chrome", "com.google.Chrome", CHROME_PATH
        )
        self.error: Exception | None = None
        self.NSWorkspace = self

    def sharedWorkspace(self) -> FakeAppKit:
        return self

    def frontmostApplication(self) -> FakeRunningApplication | None:
        if self.error is not None:
            raise self.error
        return self.frontmost


class FakeQuartz:
    kCGEventSourceStateCombinedSessionState = 0
    kCGAnyInputEventType = 0xFFFFFFFF
    kCGWindowListOptionOnScreenOnly = 1
    kCGWindowListExcludeDesktopElements = 16
    kCGNullWindowID = 0

    def __init__(self) -> None:
        self.idle: object = 42.25
        self.session: dict[str, object] | None = {"kCGSSessionOnConsoleKey": True}
        self.window_list_calls: list[tuple[int, int]] = []
        self.error: Exception | None = None

    def CGEventSourceSecondsSinceLastEventType(self, state: int, kind: int) -> object:
        assert (state, kind) == (0, 0xFFFFFFFF)
        if self.error is not None:
            raise self.error
        return self.idle

    def CGSessionCopyCurrentDictionary(self) -> dict[str, object] | None:
        if self.error is not None:
            raise self.error
        return self.session

    def CGWindowListCopyWindowInfo(self, options: int, window: int) -> list[dict[str, object]]:
        self.window_list_calls.append((options, window))
        return WINDOW_LIST


def test_foreground_probe_reads_the_frontmost_application() -> None:
    appkit, quartz = FakeAppKit(), FakeQuartz()
    probe = macos.MacForeground(appkit, quartz, own_pid=OWN_PID)
    assert probe.foreground(with_title=False) == Foreground(AppRef("Google Chrome", "Google Chrome"), pid=733)
    assert quartz.window_list_calls == []  # no title read unless asked
    assert probe.foreground(with_title=True).title == "Inbox"
    assert quartz.window_list_calls == [(17, 0)]
    status = probe.status()
    assert status.works
    assert "Google Chrome (Google Chrome, pid 733)" in status.detail


def test_foreground_probe_own_window_and_nothing_in_front() -> None:
    appkit = FakeAppKit()
    appkit.frontmost = FakeRunningApplication(OWN_PID, "Python", "org.python.python", "/usr/bin/python3")
    probe = macos.MacForeground(appkit, FakeQuartz(), own_pid=OWN_PID)
    assert probe.foreground(with_title=False).app == SELF_APP
    appkit.frontmost = None
    assert probe.foreground(with_title=True) == Foreground(
        app=None, reason="no application is in front", nothing_in_front=True
    )
    assert probe.status().works


def test_foreground_probe_turns_pyobjc_errors_into_a_reason() -> None:
    appkit = FakeAppKit()
    appkit.error = RuntimeError("NSInternalInconsistencyException")
    probe = macos.MacForeground(appkit, FakeQuartz(), own_pid=OWN_PID)
    found = probe.foreground(with_title=False)
    assert found == Foreground(
        app=None, reason="AppKit failed: RuntimeError: NSInternalInconsistencyException"
    )
    assert not probe.status().works


def test_idle_probe() -> None:
    quartz = FakeQuartz()
    idle = macos.MacIdle(quartz)
    assert idle.idle_seconds() == 42.25
    quartz.idle = -3.0
    assert idle.idle_seconds() is None
    assert idle.status().detail == "Quartz gave -3.0 seconds"
    quartz.error = RuntimeError("no window server")
    assert idle.idle_seconds() is None
    assert not idle.status().works


def test_lock_probe() -> None:
    quartz = FakeQuartz()
    lock = macos.MacLock(quartz)
    assert lock.locked() is False
    quartz.session = {"kCGSSessionOnConsoleKey": True, "CGSSessionScreenIsLocked": True}
    assert lock.locked() is True
    quartz.session = None
    assert lock.locked() is None
    assert "ssh" in lock.status().detail
    quartz.error = RuntimeError("boom")
    assert lock.locked() is None


@pytest.mark.skipif(sys.platform == "darwin", reason="on a Mac the probes are built")
def test_the_macos_probes_are_not_built_elsewhere() -> None:
    with pytest.raises(TrackerError, match="only on macOS"):
        macos.open_macos()
    with pytest.raises(TrackerError, match="only on macOS"):
        macos.open_macos_lock()
