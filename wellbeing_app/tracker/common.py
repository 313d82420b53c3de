"""What several platform probes share: the mapping from a window's pid and app id to an `AppRef`,
the session-bus connection of the D-Bus probes, and small bases for probes that are polled, that
listen on an event socket, or that report an idle time or a lock state with a reason.
"""

from __future__ import annotations

import os
import socket
import stat
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING

import psutil

from wellbeing_app.core.model import SELF_APP, AppRef
from wellbeing_app.tracker.base import Foreground, ProbeStatus, TrackerError

if TYPE_CHECKING:
    from jeepney import DBusAddress
    from jeepney.io.blocking import DBusConnection

__all__ = ["SELF_APP", "is_own_process"]

#: What /proc adds to the path of an executable that was deleted (or replaced) while it runs.
_DELETED = " (deleted)"

ProcessNamer = Callable[[int], str | None]


def is_own_process(pid: int, own_pid: int) -> bool:
    """Whether process `pid` is this app. Decided by process id only: what a process is called
    says nothing (anyone can copy a game to a file named like this app). Processes this app
    started are not it: the app starts none that shows a window, and one that did (a browser
    opened from a link) would be a browser like any other.
    """
    return pid == own_pid


def display_name(window_class: str) -> str:
    """A name for people from a Wayland app id or an X11 class.

    Reverse-DNS app ids ("org.gnome.Nautilus") keep their last part; others stay as they are.
    """
    parts = window_class.split(".")
    if len(parts) >= 3 and all(parts):
        return parts[-1]
    return window_class


def user_can_change(path: str, *, uid: int | None = None, groups: frozenset[int] | None = None) -> bool:
    """Whether the person running this app could have put something else at `path`.

    True when the file or any folder above it is theirs, or writable by a group of theirs or
    by everyone (the home folder, /tmp, a folder they were given): a program there can be any
    program under any name. Files of root count as nobody's when the app itself runs as root.
    A path that cannot be read counts as changeable.
    """
    uid = os.geteuid() if uid is None else uid
    groups = frozenset((os.getegid(), *os.getgroups())) if groups is None else groups
    current = os.path.abspath(path)
    while True:
        try:
            info = os.lstat(current)
        except OSError:
            return True
        if (info.st_uid == uid and uid != 0) or info.st_mode & stat.S_IWOTH:
            return True
        if info.st_mode & stat.S_IWGRP and info.st_gid in groups:
            return True
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent


def executable_key(
    executable_path: str, *, uid: int | None = None, groups: frozenset[int] | None = None
) -> str:
    """How a program is known: its file name ("firefox") when it lies where only the system can
    write, else its full path, so that a copy in the home folder never passes for the real one.
    `uid` and `groups` name the person watched when that is not this process (the guard, as root).
    """
    if executable_path.endswith(_DELETED):  # an upgrade replaced it while it runs
        executable_path = executable_path[: -len(_DELETED)]
    if user_can_change(executable_path, uid=uid, groups=groups):
        return executable_path
    return os.path.basename(executable_path)


def labelled(app_name: str, key: str) -> str:
    """The name shown for an app: with its path when the program lies where the person can write."""
    if key.startswith("/") and key not in app_name:
        return f"{app_name} ({key})"
    return app_name


def process_name(pid: int, *, uid: int | None = None, groups: frozenset[int] | None = None) -> str | None:
    """How process `pid` is known (see `executable_key`), or None when it is gone or hidden."""
    try:
        process = psutil.Process(pid)
        try:
            path = str(process.exe())
        except (psutil.AccessDenied, psutil.ZombieProcess):
            path = ""
        if path:
            return executable_key(path, uid=uid, groups=groups)
        return str(process.name()) or None
    except (psutil.Error, OSError, ValueError):
        return None


def window_foreground(
    pid: int | None,
    window_class: str | None,
    title: str | None,
    *,
    with_title: bool,
    own_pid: int,
    name_of_process: ProcessNamer = process_name,
) -> Foreground:
    """The `Foreground` of a focused window known by its pid and app id (or X11 class).

    The executable is the process name when the process can be seen, else the app id; the
    name for people comes from the app id. Windows of this very process are this app.
    """
    shown_title = title if with_title else None
    if pid is not None and pid <= 0:
        pid = None
    if pid is not None and is_own_process(pid, own_pid):
        return Foreground(app=SELF_APP, pid=pid, title=shown_title)
    executable = name_of_process(pid) if pid is not None else None
    window_class = window_class or None
    if executable is None and window_class is None:
        return Foreground(
            app=None,
            pid=pid,
            title=shown_title,
            reason="the focused window has neither a process that can be seen nor an app id",
        )
    key = executable or str(window_class)
    name = display_name(window_class) if window_class else os.path.basename(str(executable))
    return Foreground(app=AppRef(key, labelled(name, key)), pid=pid, title=shown_title)


def json_window_foreground(
    pid: object,
    window_class: object,
    title: object,
    *,
    with_title: bool,
    own_pid: int,
    name_of_process: ProcessNamer = process_name,
) -> Foreground:
    """`window_foreground` of values read from JSON: those of the wrong type count as missing."""
    return window_foreground(
        pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
        window_class if isinstance(window_class, str) else None,
        title if isinstance(title, str) else None,
        with_title=with_title,
        own_pid=own_pid,
        name_of_process=name_of_process,
    )


# --- the session bus (the GNOME and KDE probes) ------------------------------------------------


class DBusCallError(TrackerError):
    """A D-Bus call got no answer; `name` is the D-Bus error name when the bus gave one."""

    def __init__(self, message: str, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


class SessionBus:
    """One jeepney connection to the session bus, opened again after it broke.

    Shared by the GNOME and KDE probes; used on one thread, like every probe. jeepney is a
    dependency on Linux only: it is imported where it is used, so that this module (which the
    macOS and Windows probes import too) imports everywhere.
    """

    def __init__(self, bus: str = "SESSION", timeout: float = 0.5) -> None:
        self._bus = bus
        self._timeout = timeout
        self._connection: DBusConnection | None = None
        try:
            self._connection = self.connection()
        except DBusCallError as error:
            raise TrackerError(str(error)) from error

    def connection(self) -> DBusConnection:
        """The open connection; DBusCallError when the bus cannot be reached."""
        if self._connection is None:
            from jeepney.io.blocking import open_dbus_connection

            try:
                self._connection = open_dbus_connection(self._bus)
            except (OSError, ValueError, KeyError, RuntimeError) as error:
                raise DBusCallError(f"cannot reach the D-Bus session bus: {error!r}") from error
        return self._connection

    def call(
        self, address: DBusAddress, method: str, signature: str | None = None, body: tuple[object, ...] = ()
    ) -> tuple[object, ...]:
        """The body of the reply; DBusCallError when there is none."""
        from jeepney import DBusErrorResponse, MessageType, new_method_call

        connection = self.connection()
        message = new_method_call(address, method, signature, body)
        try:
            reply = connection.send_and_get_reply(message, timeout=self._timeout)
        except (OSError, ValueError, RuntimeError) as error:
            self.close()
            raise DBusCallError(f"{method} got no answer: {error!r}") from error
        if reply.header.message_type is MessageType.error:
            failure = DBusErrorResponse(reply)
            data = f": {failure.data[0]}" if failure.data else ""
            raise DBusCallError(f"{failure.name}{data}", failure.name)
        return tuple(reply.body)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


# --- bases of probes ---------------------------------------------------------------------------


class PolledForeground:
    """`change_fd()` and `drain_changes()` of a foreground probe that can only be polled."""

    def change_fd(self) -> int | None:
        return None

    def drain_changes(self) -> bool:
        return False


class UnreadableEvents(TrackerError):
    """What came over an event connection is not the protocol; never leaves a probe method."""


class EventSocketForeground(ABC):
    """A foreground probe that asks on each query and listens on a non-blocking event socket.

    When the event connection is lost, `drain_changes()` returns True once and `change_fd()`
    returns None from then on: the caller falls back to polling. Subclasses set `_events`,
    `_events_reason` and `_answered`, and read what came in with `_focus_changed_in()`.
    """

    backend: str
    #: Who closes the event connection, e.g. "sway".
    compositor: str
    #: What `status()` says while the event connection is open.
    listening: str
    #: What `status()` hints when the compositor did not answer.
    hint: str

    _events: socket.socket | None
    _events_reason: str | None
    _answered: bool

    @abstractmethod
    def foreground(self, *, with_title: bool) -> Foreground: ...

    @abstractmethod
    def _focus_changed_in(self, received: bytes) -> bool:
        """Take in bytes read from the event connection: True if the focus may have changed.

        UnreadableEvents when they are not the protocol.
        """

    def change_fd(self) -> int | None:
        return self._events.fileno() if self._events is not None else None

    def drain_changes(self) -> bool:
        if self._events is None:
            return False
        received = b""
        closed = False
        try:
            while True:
                chunk = self._events.recv(65536)
                if not chunk:
                    closed = True
                    break
                received += chunk
        except BlockingIOError:
            pass
        except OSError as error:
            self._events_reason = f"the event connection failed: {error}"
            closed = True
        try:
            changed = self._focus_changed_in(received)
        except UnreadableEvents as error:
            self._events_reason = f"unreadable events: {error}"
            closed = True
            changed = False
        if closed:
            self._events_reason = self._events_reason or f"{self.compositor} closed the event connection"
            self._events.close()
            self._events = None
            return True
        return changed

    def status(self) -> ProbeStatus:
        found = self.foreground(with_title=False)
        events = self.listening if self._events is not None else self._events_reason
        if found.app is not None:
            detail = f"focused: {found.app.executable} (pid {found.pid}); {events or 'polling'}"
            return ProbeStatus("foreground", self.backend, True, detail)
        return ProbeStatus(
            "foreground",
            self.backend,
            self._answered,
            f"{found.reason}; {events or 'polling'}",
            None if self._answered else self.hint,
        )

    def close(self) -> None:
        if self._events is not None:
            self._events.close()
            self._events = None


class ReasonedIdle:
    """An idle probe that keeps in `_reason` why its last answer was None; nothing to release."""

    backend: str
    _reason: str | None

    def idle_seconds(self) -> float | None:
        raise NotImplementedError

    def status(self) -> ProbeStatus:
        seconds = self.idle_seconds()
        if seconds is None:
            return ProbeStatus("idle", self.backend, False, self._reason or "unknown")
        return ProbeStatus("idle", self.backend, True, f"idle for {seconds:.1f} s")

    def close(self) -> None:
        """Nothing to release."""


class ReasonedLock:
    """A lock probe that keeps in `_reason` why its last answer was None; nothing to release."""

    backend: str
    _reason: str | None

    def locked(self) -> bool | None:
        raise NotImplementedError

    def status(self) -> ProbeStatus:
        locked = self.locked()
        if locked is None:
            return ProbeStatus("lock", self.backend, False, self._reason or "unknown")
        return ProbeStatus("lock", self.backend, True, "locked" if locked else "not locked")

    def close(self) -> None:
        """Nothing to release."""
