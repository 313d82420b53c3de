"""The foreground app, idle time and screen lock on macOS, through pyobjc (AppKit and Quartz).

What has been run where: only the pure mappings, and the probes over stand-ins for AppKit and
Quartz, on Linux under pytest. pyobjc is imported inside `open_macos()` so that this module
imports everywhere; nothing here has run on a Mac.
"""

from __future__ import annotations

import math
import os
import posixpath
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from wellbeing_app.core.model import AppRef
from wellbeing_app.tracker.base import Foreground, ProbeStatus, TrackerError
from wellbeing_app.tracker.common import SELF_APP as SELF_APP
from wellbeing_app.tracker.common import PolledForeground, ReasonedIdle, ReasonedLock, is_own_process

SCREEN_IS_LOCKED = "CGSSessionScreenIsLocked"
PYOBJC_HINT = "install pyobjc-framework-Cocoa and pyobjc-framework-Quartz"


# --- pure parts --------------------------------------------------------------------------------


def app_from_frontmost(
    pid: int | None,
    localized_name: str | None,
    bundle_id: str | None,
    executable_path: str | None,
    *,
    own_pid: int,
) -> AppRef | None:
    """The app of NSWorkspace's frontmost application, from its plain values.

    The executable is the file name of its executable ("firefox", "Safari"); without one, the
    last part of the bundle id. The name for people is the localized name ("Firefox").
    """
    if pid is not None and is_own_process(pid, own_pid):
        return SELF_APP
    executable = posixpath.basename(executable_path.rstrip("/")) if executable_path else ""
    if not executable and bundle_id:
        executable = bundle_id.rsplit(".", 1)[-1]
    if not executable:
        executable = localized_name or ""
    if not executable:
        return None
    return AppRef(executable, localized_name or executable)


def idle_from_seconds(value: object) -> float | None:
    """Seconds since the last input, from CGEventSourceSecondsSinceLastEventType; None if absurd."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def locked_from_session(session: Mapping[str, object] | None) -> bool | None:
    """Whether the screen is locked, from CGSessionCopyCurrentDictionary.

    None when there is no session dictionary (e.g. run over ssh, outside the GUI session).
    The key is there only while the screen is locked.
    """
    if session is None:
        return None
    return bool(session.get(SCREEN_IS_LOCKED, False))


def title_from_window_list(windows: Iterable[Mapping[str, object]], pid: int) -> str | None:
    """The title of `pid`'s frontmost normal window from CGWindowListCopyWindowInfo (front first).

    macOS gives window names only to apps allowed to record the screen; otherwise None.
    """
    for window in windows:
        if window.get("kCGWindowOwnerPID") != pid or window.get("kCGWindowLayer", 0) != 0:
            continue
        name = window.get("kCGWindowName")
        if isinstance(name, str) and name:
            return name
    return None


# --- the probes --------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    return str(value) if value is not None else None


class MacForeground(PolledForeground):
    """NSWorkspace's frontmost application; polled.

    NSWorkspace updates it from notifications on the main run loop: inside the Qt app (whose
    main thread runs Cocoa's loop) it follows every switch; a process without a run loop may
    see it go stale.
    """

    backend = "macos"

    def __init__(self, appkit: Any, quartz: Any, *, own_pid: int | None = None) -> None:
        self._appkit = appkit
        self._quartz = quartz
        self._own_pid = os.getpid() if own_pid is None else own_pid
        self._failed = False

    def foreground(self, *, with_title: bool) -> Foreground:
        try:
            found = self._foreground(with_title)
        except Exception as error:  # pyobjc raises objc.error and friends from any call
            self._failed = True
            return Foreground(app=None, reason=f"AppKit failed: {type(error).__name__}: {error}")
        self._failed = False
        return found

    def _foreground(self, with_title: bool) -> Foreground:
        application = self._appkit.NSWorkspace.sharedWorkspace().frontmostApplication()
        if application is None:
            return Foreground(app=None, reason="no application is in front", nothing_in_front=True)
        pid = int(application.processIdentifier())
        url = application.executableURL()
        app = app_from_frontmost(
            pid if pid > 0 else None,
            _text(application.localizedName()),
            _text(application.bundleIdentifier()),
            _text(url.path()) if url is not None else None,
            own_pid=self._own_pid,
        )
        title = self._title(pid) if with_title else None
        if app is None:
            return Foreground(app=None, pid=pid, title=title, reason="the frontmost application has no name")
        return Foreground(app=app, pid=pid, title=title)

    def _title(self, pid: int) -> str | None:
        quartz = self._quartz
        options = quartz.kCGWindowListOptionOnScreenOnly | quartz.kCGWindowListExcludeDesktopElements
        windows = quartz.CGWindowListCopyWindowInfo(options, quartz.kCGNullWindowID) or ()
        return title_from_window_list(windows, pid)

    def status(self) -> ProbeStatus:
        found = self.foreground(with_title=False)
        if found.app is not None:
            detail = f"focused: {found.app.executable} ({found.app.name}, pid {found.pid}); polled"
            return ProbeStatus("foreground", self.backend, True, detail)
        return ProbeStatus("foreground", self.backend, not self._failed, found.reason or "unknown")

    def close(self) -> None:
        """Nothing to release."""


class MacIdle(ReasonedIdle):
    """Seconds since the last input of this login session, from Quartz event sources."""

    backend = "macos"

    def __init__(self, quartz: Any) -> None:
        self._quartz = quartz
        self._reason: str | None = None

    def idle_seconds(self) -> float | None:
        quartz = self._quartz
        try:
            value = quartz.CGEventSourceSecondsSinceLastEventType(
                quartz.kCGEventSourceStateCombinedSessionState, quartz.kCGAnyInputEventType
            )
        except Exception as error:  # pyobjc raises objc.error and friends from any call
            self._reason = f"Quartz failed: {type(error).__name__}: {error}"
            return None
        seconds = idle_from_seconds(value)
        self._reason = None if seconds is not None else f"Quartz gave {value!r} seconds"
        return seconds


class MacLock(ReasonedLock):
    """Whether the screen is locked, from the session dictionary of Quartz."""

    backend = "macos"

    def __init__(self, quartz: Any) -> None:
        self._quartz = quartz
        self._reason: str | None = None

    def locked(self) -> bool | None:
        try:
            session = self._quartz.CGSessionCopyCurrentDictionary()
        except Exception as error:  # pyobjc raises objc.error and friends from any call
            self._reason = f"Quartz failed: {type(error).__name__}: {error}"
            return None
        locked = locked_from_session(session)
        self._reason = None if locked is not None else "no GUI session (is this run over ssh?)"
        return locked


def _frameworks() -> tuple[Any, Any]:
    if sys.platform != "darwin":
        raise TrackerError("the macOS probes run only on macOS")
    try:
        import AppKit
        import Quartz
    except ImportError as error:
        raise TrackerError(f"pyobjc is missing ({error}): {PYOBJC_HINT}") from error
    return AppKit, Quartz


def open_macos(*, own_pid: int | None = None) -> tuple[MacForeground, MacIdle]:
    """The foreground and idle probes of this Mac's GUI session; TrackerError elsewhere."""
    appkit, quartz = _frameworks()
    return MacForeground(appkit, quartz, own_pid=own_pid), MacIdle(quartz)


def open_macos_lock() -> MacLock:
    """The lock probe of this Mac's GUI session; TrackerError elsewhere."""
    return MacLock(_frameworks()[1])
