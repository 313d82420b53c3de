"""Minimising the windows of an application ("back to desktop"): nothing is ever closed or killed.
And, on X11, watching that the overlay's own windows stay in view (`OverlayWatch`).

X11: every client window whose `_NET_WM_PID` is the process is iconified with the ICCCM
`WM_CHANGE_STATE` message, which window managers honour. Windows: `ShowWindow(SW_MINIMIZE)` on
the process's top-level windows. macOS: `NSRunningApplication.hide()`. Only X11 has been run here.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from typing import Any

log = logging.getLogger(__name__)

_ICONIC_STATE = 3
_SW_MINIMIZE = 6

#: What took a window of the overlay out of view, as `OverlayWatch.trouble` names it.
UNMAPPED = "unmapped"
DESTROYED = "destroyed"
MOVED = "moved"
COVERED = "covered"
#: Partly covered by a small unmanaged window (a notification popup): lowered, not an attempt.
OVERLAPPED = "overlapped"
#: The share of a pane an unmanaged window must cover to count as an attempt (a game played in
#: it); smaller ones (notification popups) are only lowered.
COVER_SHARE = 1 / 16


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


class OverlayWatch:
    """Asks the X server (on a connection of its own) whether a window of this process is really
    in view, as Qt cannot tell: unmapped by another client, destroyed, moved under another
    window, or covered by a window the window manager does not manage (override-redirect).

    `trouble(window_id)` names what is wrong (`UNMAPPED`, `DESTROYED`, `MOVED`, `COVERED`, or
    `OVERLAPPED` for a small unmanaged window such as a notification) or returns None. `raise_above(window_id)` asks for the window and its frame to be raised (the
    window manager decides) and lowers under it the unmanaged windows that still cover it: any
    client may restack those, and the overlay stays a managed window (full screen on its
    monitor, given the focus by the window manager) rather than an override-redirect one. `available()` is False where
    this cannot be seen (not X11, no python-xlib, no server): then nothing is reported.
    """

    def __init__(self, display_name: str | None = None, *, enabled: bool = True) -> None:
        """`enabled` False (the windows are not X11 windows): nothing is asked or reported. The
        connection is made at the first question (most runs never show the overlay)."""
        self._dpy: Any = None
        self._display_name = display_name
        self._frames: dict[int, int] = {}
        self._moved: set[int] = set()
        self._wanted = (
            enabled
            and sys.platform.startswith("linux")
            and bool(display_name or os.environ.get("DISPLAY"))
            and importlib.util.find_spec("Xlib") is not None
        )

    def available(self) -> bool:
        return self._wanted

    def close(self) -> None:
        if self._dpy is not None:
            self._dpy.close()
            self._dpy = None

    def _connected(self) -> bool:
        if self._dpy is None and self._wanted:
            from Xlib import display

            try:
                self._dpy = display.Display(self._display_name)
            except Exception as exc:  # python-xlib raises several unrelated types when it cannot connect
                log.warning("cannot watch the overlay's windows: %s", exc)
                self._wanted = False
                return False
            self._dpy.set_error_handler(lambda *_args: None)  # a vanished window is an answer here
        return self._dpy is not None

    def forget(self, window_id: int) -> None:
        """The window is gone on purpose (the overlay was released or built anew)."""
        self._frames.pop(window_id, None)
        self._moved.discard(window_id)

    def trouble(self, window_id: int) -> str | None:
        if not self._connected():
            return None
        try:
            return self._trouble(window_id)
        except Exception as exc:  # python-xlib: BadWindow and friends; a lost connection
            if _is_bad_window(exc):
                return DESTROYED
            log.warning("cannot check the overlay's window %s: %s", window_id, exc)
            return None

    def raise_above(self, window_id: int) -> None:
        if not self._connected():
            return
        try:
            top = self._top_level(window_id)
            if top is None:
                return
            from Xlib import X

            frame = self._dpy.create_resource_object("window", top)
            frame.configure(stack_mode=X.Above)
            window = self._dpy.create_resource_object("window", window_id)
            if top != window_id:
                window.configure(stack_mode=X.Above)
            self._dpy.sync()
            for cover, _area in self._covering(window_id, top):
                cover.configure(stack_mode=X.Below)  # under every sibling: under the overlay
            self._dpy.sync()
        except Exception as exc:  # a window that vanished meanwhile: the next check sees it
            log.warning("cannot raise the overlay's window %s: %s", window_id, exc)

    # --- the X server's answers ---------------------------------------------------------------

    def _trouble(self, window_id: int) -> str | None:
        from Xlib import X

        self._read_events()
        window = self._dpy.create_resource_object("window", window_id)
        attributes = window.get_attributes()
        top = self._top_level(window_id)
        known = self._frames.get(window_id)
        if window_id in self._moved or (known is not None and top not in (known, window_id)):
            # Put inside another window than the frame it was seen in. The window manager
            # usually lets go of it at once (back under the root, unmapped): the event says it.
            self._moved.discard(window_id)
            return MOVED
        if attributes.map_state != X.IsViewable:
            # Unmapped (the window manager then lets it go: it is back under the root), or
            # mapped inside something that is not.
            return UNMAPPED
        if known is not None and top != known:
            return MOVED  # out of its frame, straight under the root
        if known is None and top is not None:
            self._frames[window_id] = top
            window.change_attributes(event_mask=X.StructureNotifyMask)  # to hear of a new parent
        if top is not None:
            covers = self._covering(window_id, top)
            if covers:
                pane = window.get_geometry()
                covered = sum(area for _cover, area in covers)
                return COVERED if covered >= COVER_SHARE * pane.width * pane.height else OVERLAPPED
        return None

    def _read_events(self) -> None:
        """Note each watched window put under a parent other than its frame or the root."""
        from Xlib import X

        root = int(self._dpy.screen().root.id)
        while self._dpy.pending_events():
            happened = self._dpy.next_event()
            if happened.type != X.ReparentNotify:
                continue
            window_id, parent = int(happened.window.id), int(happened.parent.id)
            if window_id in self._frames and parent not in (root, self._frames[window_id]):
                self._moved.add(window_id)

    def _top_level(self, window_id: int) -> int | None:
        """The ancestor of `window_id` that is a child of the root window (a frame, or itself)."""
        current = window_id
        for _depth in range(32):
            tree = self._dpy.create_resource_object("window", current).query_tree()
            parent = int(tree.parent.id) if tree.parent else 0
            if parent == 0 or parent == int(tree.root.id):
                return current if parent else None
            current = parent
        return None

    def _covering(self, window_id: int, top: int) -> list[tuple[Any, int]]:
        """Viewable windows the window manager does not manage, of other clients, stacked above
        `top` and overlapping the window, each with the area of the window it covers."""
        from Xlib import X

        window = self._dpy.create_resource_object("window", window_id)
        root = self._dpy.screen().root
        placed = window.translate_coords(root, 0, 0)
        geometry = window.get_geometry()
        left, top_y = -placed.x, -placed.y
        right, bottom = left + geometry.width, top_y + geometry.height
        children = [int(c.id) for c in root.query_tree().children]
        if top not in children:
            return []
        mask = self._dpy.display.info.resource_id_mask
        own = window_id & ~mask
        found = []
        for child in children[children.index(top) + 1 :]:
            if child & ~mask == own:
                continue  # a window of this process (a menu or tooltip of the overlay)
            other = self._dpy.create_resource_object("window", child)
            try:
                attributes = other.get_attributes()
                if (
                    attributes.map_state != X.IsViewable
                    or attributes.win_class != X.InputOutput
                    or not attributes.override_redirect
                ):
                    continue
                box = other.get_geometry()
            except Exception:  # gone meanwhile
                continue
            width = min(right, box.x + box.width) - max(left, box.x)
            height = min(bottom, box.y + box.height) - max(top_y, box.y)
            if width > 0 and height > 0:
                found.append((other, width * height))
        return found


def _is_bad_window(exc: Exception) -> bool:
    try:
        from Xlib import error
    except ImportError:
        return False
    return isinstance(exc, error.BadWindow | error.BadDrawable)
