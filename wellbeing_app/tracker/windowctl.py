"""Minimising the windows of an application ("back to desktop"): nothing is ever closed or killed.

X11: every client window whose `_NET_WM_PID` is the process is iconified with the ICCCM
`WM_CHANGE_STATE` message, which window managers honour. Windows: `ShowWindow(SW_MINIMIZE)` on
the process's top-level windows. macOS: `NSRunningApplication.hide()`. Only X11 has been run here.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

log = logging.getLogger(__name__)

_ICONIC_STATE = 3
_SW_MINIMIZE = 6


def minimise_process_windows(pid: int) -> tuple[int, str | None]:
    """Minimise the top-level windows of process `pid`; returns (how many, why not if none)."""
    if pid == os.getpid():
        return 0, "the windows of Wellbeing itself are not minimised"
    if sys.platform.startswith("linux") and os.environ.get("DISPLAY"):
        return _minimise_x11(pid)
    if sys.platform == "win32":
        return _minimise_windows(pid)
    if sys.platform == "darwin":
        return _minimise_macos(pid)
    return 0, "minimising windows is not possible on this desktop"


def _minimise_x11(pid: int) -> tuple[int, str | None]:
    try:
        from Xlib import X, display, error
        from Xlib.protocol import event
    except ImportError:
        return 0, "python-xlib is not installed"
    try:
        dpy = display.Display()
    except Exception as exc:  # python-xlib raises several unrelated types when it cannot connect
        return 0, f"cannot reach the X server: {exc}"
    try:
        root = dpy.screen().root
        client_list = dpy.intern_atom("_NET_CLIENT_LIST")
        wm_pid = dpy.intern_atom("_NET_WM_PID")
        change_state = dpy.intern_atom("WM_CHANGE_STATE")
        prop = root.get_full_property(client_list, X.AnyPropertyType)
        windows: list[Any] = list(prop.value) if prop is not None else []
        count = 0
        for window_id in windows:
            window = dpy.create_resource_object("window", window_id)
            try:
                owner = window.get_full_property(wm_pid, X.AnyPropertyType)
            except error.XError:
                continue
            if owner is None or not owner.value or int(owner.value[0]) != pid:
                continue
            message = event.ClientMessage(
                window=window, client_type=change_state, data=(32, [_ICONIC_STATE, 0, 0, 0, 0])
            )
            root.send_event(message, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
            count += 1
        dpy.sync()
        return count, None if count else f"no window of process {pid} was found"
    except Exception as exc:  # a vanished window or a lost connection: say so, never crash
        log.warning("cannot minimise the windows of %s: %s", pid, exc)
        return 0, str(exc)
    finally:
        dpy.close()


def _minimise_windows(pid: int) -> tuple[int, str | None]:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    user32: Any = getattr(ctypes, "windll").user32  # noqa: B009 - absent on other platforms
    found: list[int] = []

    callback_type: Any = getattr(ctypes, "WINFUNCTYPE")  # noqa: B009 - Windows only

    @callback_type(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)  # type: ignore[untyped-decorator]
    def visit(hwnd: int, _param: int) -> bool:
        owner = wintypes.DWORD()
        user32.GetWindowThreadProcessId(hwnd, ctypes.byref(owner))
        if owner.value == pid and user32.IsWindowVisible(hwnd):
            found.append(hwnd)
        return True

    user32.EnumWindows(visit, 0)
    for hwnd in found:
        user32.ShowWindow(hwnd, _SW_MINIMIZE)
    return len(found), None if found else f"no window of process {pid} was found"


def _minimise_macos(pid: int) -> tuple[int, str | None]:  # pragma: no cover - macOS only
    try:
        from AppKit import NSRunningApplication
    except ImportError:
        return 0, "pyobjc is not installed"
    app = NSRunningApplication.runningApplicationWithProcessIdentifier_(pid)
    if app is None:
        return 0, f"process {pid} is not a running application"
    return (1, None) if app.hide() else (0, "the application refused to hide")
