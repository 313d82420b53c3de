"""Idle time from GNOME's Mutter, and the foreground app through the "Window Calls" extension.

GNOME Shell on Wayland tells no other program which window has the focus; the extension
"Window Calls" (uuid window-calls@domandoman.xyz) exports the window list on D-Bus, and this
probe reads it where it is installed. What has been run where: the JSON parsing and both probes
against fake services on a private D-Bus session bus; the idle probe, and the foreground probe
without the extension (no app named, so the time counts as the unknown app), against GNOME
Shell 43 headless (tests/wayland). Window Calls itself has never run here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import Any

from jeepney import DBusAddress

from wellbeing_app.tracker.base import Foreground, ProbeStatus

# DBusCallError and SessionBus (the session bus of the GNOME and KDE probes) lived here first;
# they are still importable from here.
from wellbeing_app.tracker.common import DBusCallError as DBusCallError
from wellbeing_app.tracker.common import PolledForeground, ProcessNamer, json_window_foreground, process_name
from wellbeing_app.tracker.common import SessionBus as SessionBus

IDLE_MONITOR = DBusAddress(
    "/org/gnome/Mutter/IdleMonitor/Core",
    bus_name="org.gnome.Mutter.IdleMonitor",
    interface="org.gnome.Mutter.IdleMonitor",
)
WINDOW_CALLS = DBusAddress(
    "/org/gnome/Shell/Extensions/Windows",
    bus_name="org.gnome.Shell",
    interface="org.gnome.Shell.Extensions.Windows",
)
WINDOW_CALLS_HINT = (
    'install and enable the GNOME Shell extension "Window Calls" (window-calls@domandoman.xyz, '
    "extensions.gnome.org/extension/4724/window-calls/), then log out and in again"
)
NOTHING_FOCUSED = "no window has the focus"
#: D-Bus errors that mean "nobody answers at that name, object or method".
_MISSING = frozenset(
    {
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
        "org.freedesktop.DBus.Error.UnknownObject",
        "org.freedesktop.DBus.Error.UnknownInterface",
        "org.freedesktop.DBus.Error.UnknownMethod",
    }
)


def focused_window(listing: str) -> Mapping[str, Any] | None:
    """The window with `focus: true` in the JSON of Window Calls' `List`; ValueError if unreadable."""
    windows = json.loads(listing)
    if not isinstance(windows, list):
        raise ValueError(f"the window list is a JSON {type(windows).__name__}, not an array")
    for window in windows:
        if isinstance(window, Mapping) and window.get("focus") is True:
            return window
    return None


def foreground_from_window_list(
    listing: str,
    *,
    with_title: bool,
    own_pid: int,
    name_of_process: ProcessNamer = process_name,
    title_of: Callable[[int], str | None] | None = None,
) -> Foreground:
    """What is in front according to Window Calls' `List`.

    Versions of the extension that leave `title` out of the list are asked for it by window
    id through `title_of`, only when the title is wanted.
    """
    try:
        window = focused_window(listing)
    except ValueError as error:
        return Foreground(app=None, reason=f"the window list of Window Calls is unreadable: {error}")
    if window is None:
        return Foreground(app=None, reason=NOTHING_FOCUSED, nothing_in_front=True)
    pid = window.get("pid")
    window_class = window.get("wm_class") or window.get("wm_class_instance")
    title = window.get("title")
    window_id = window.get("id")
    if with_title and not isinstance(title, str) and title_of is not None and isinstance(window_id, int):
        title = title_of(window_id)
    return json_window_foreground(
        pid,
        window_class,
        title,
        with_title=with_title,
        own_pid=own_pid,
        name_of_process=name_of_process,
    )


def idle_seconds_from_reply(body: tuple[object, ...]) -> float | None:
    """Seconds from the body of Mutter's `GetIdletime` reply (milliseconds, type t)."""
    if len(body) != 1 or not isinstance(body[0], int) or isinstance(body[0], bool) or body[0] < 0:
        return None
    return body[0] / 1000.0


class GnomeIdle:
    """Idle time from `org.gnome.Mutter.IdleMonitor` (GNOME on X11 and Wayland)."""

    backend = "gnome"

    def __init__(self, *, bus: str = "SESSION", timeout: float = 0.5) -> None:
        self._bus = SessionBus(bus, timeout)
        self._reason: str | None = None
        self._last: float | None = None

    def idle_seconds(self) -> float | None:
        try:
            seconds = idle_seconds_from_reply(self._bus.call(IDLE_MONITOR, "GetIdletime"))
        except DBusCallError as error:
            self._reason = f"Mutter's idle monitor did not answer: {error}"
            self._last = None
            return None
        self._reason = None if seconds is not None else "Mutter's idle monitor gave no number"
        self._last = seconds
        return seconds

    def status(self) -> ProbeStatus:
        seconds = self.idle_seconds()
        if seconds is not None:
            return ProbeStatus("idle", self.backend, True, f"idle for {seconds:.1f} s")
        return ProbeStatus(
            "idle", self.backend, False, self._reason or "unknown", "this needs a GNOME session (Mutter)"
        )

    def close(self) -> None:
        self._bus.close()


class GnomeForeground(PolledForeground):
    """The focused window from the "Window Calls" GNOME Shell extension; polled, no events."""

    backend = "gnome-window-calls"

    def __init__(
        self,
        *,
        bus: str = "SESSION",
        timeout: float = 0.5,
        own_pid: int | None = None,
        name_of_process: ProcessNamer = process_name,
    ) -> None:
        self._bus = SessionBus(bus, timeout)
        self._own_pid = os.getpid() if own_pid is None else own_pid
        self._name_of_process = name_of_process
        self._answered = False
        self._missing = False

    def _title_of(self, window_id: int) -> str | None:
        try:
            body = self._bus.call(WINDOW_CALLS, "GetTitle", "u", (window_id,))
        except DBusCallError:
            return None
        return body[0] if body and isinstance(body[0], str) else None

    def foreground(self, *, with_title: bool) -> Foreground:
        try:
            body = self._bus.call(WINDOW_CALLS, "List")
        except DBusCallError as error:
            self._answered = False
            self._missing = error.name in _MISSING
            if self._missing:
                reason = f"the GNOME Shell extension Window Calls is not there ({error})"
            else:
                reason = f"Window Calls did not answer: {error}"
            return Foreground(app=None, reason=reason)
        self._missing = False
        if not body or not isinstance(body[0], str):
            self._answered = False
            return Foreground(app=None, reason=f"Window Calls answered {body!r}, not a JSON string")
        found = foreground_from_window_list(
            body[0],
            with_title=with_title,
            own_pid=self._own_pid,
            name_of_process=self._name_of_process,
            title_of=self._title_of,
        )
        self._answered = found.app is not None or found.reason == NOTHING_FOCUSED
        return found

    def status(self) -> ProbeStatus:
        found = self.foreground(with_title=False)
        if found.app is not None:
            detail = f"focused: {found.app.executable} (pid {found.pid}); polled"
            return ProbeStatus("foreground", self.backend, True, detail)
        hint = WINDOW_CALLS_HINT if self._missing else None
        return ProbeStatus("foreground", self.backend, self._answered, found.reason or "unknown", hint)

    def close(self) -> None:
        self._bus.close()
