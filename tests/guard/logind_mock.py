"""A stand-in for systemd-logind on a private system bus: `dbus-daemon` plus Debian's
python3-dbusmock with its logind template, run on the system Python (the mock needs dbus-python
and GLib, which the venv does not have). logind itself cannot run in a container.

The template is made a little more like the real logind: LockSession, UnlockSession and
TerminateSession refuse a session id nobody has (org.freedesktop.login1.NoSuchSession), and
TerminateSession removes the session. LockSession sets no LockedHint, as with a real logind
whose session runs no screen locker; `screen_locker(True)` makes it set the hint.
"""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, MatchRule, MessageType, message_bus, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.low_level import HeaderFields

LOGIND = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"
SESSION = "org.freedesktop.login1.Session"
MOCK = "org.freedesktop.DBus.Mock"
SYSTEM_PYTHON = "/usr/bin/python3"

#: The D-Bus type of each session property a test may set.
SESSION_PROPERTY_TYPES = {
    "Active": "b",
    "Class": "s",
    "Display": "s",
    "IdleHint": "b",
    "IdleSinceHint": "t",
    "IdleSinceHintMonotonic": "t",
    "Leader": "u",
    "LockedHint": "b",
    "Name": "s",
    "Remote": "b",
    "RemoteHost": "s",
    "Service": "s",
    "State": "s",
    "TTY": "s",
    "Type": "s",
    "VTNr": "u",
}

#: The template's own helper methods, which its call log records too.
_HELPERS = frozenset({"AddSession", "AddSeat", "AddUser"})

# Method bodies run by the mock (python3-dbusmock runs them with `self`, `args`, `objects` and
# `dbus` in scope).
_FIND_SESSION = """
path = "/org/freedesktop/login1/session/" + args[0]
if path not in objects:
    raise dbus.exceptions.DBusException(
        "No session '%s' known" % args[0], name="org.freedesktop.login1.NoSuchSession")
"""
_SET_LOCKED = (
    _FIND_SESSION
    + """
objects[path].UpdateProperties("org.freedesktop.login1.Session", {{"LockedHint": dbus.Boolean({locked})}})
"""
)
_TERMINATE = (
    _FIND_SESSION
    + """
self.RemoveObject(path)
"""
)


def mock_available() -> str | None:
    """Why the mock cannot run here, or None when it can."""
    if shutil.which("dbus-daemon") is None:
        return "dbus-daemon is missing: apt-get install dbus"
    try:
        subprocess.run(
            [SYSTEM_PYTHON, "-c", "import dbusmock.templates.logind"],
            check=True,
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return "python3-dbusmock is missing: apt-get install python3-dbusmock"
    return None


class MockFailed(Exception):
    """The private bus or the mock did not start; the message has its log."""


@dataclass(frozen=True)
class Call:
    """One method call the mock received."""

    method: str
    args: tuple[Any, ...]


class LogindMock:
    """The running stand-in: its bus `address`, and helpers to shape it and to read what it was
    asked. Start with `LogindMock.start(folder)`, end with `stop()`."""

    def __init__(
        self, address: str, daemon: subprocess.Popen[bytes], mock: subprocess.Popen[bytes], log: Path
    ) -> None:
        self.address = address
        self.log = log
        self._daemon = daemon
        self._mock = mock
        self._bus: DBusConnection | None = None

    @classmethod
    def start(cls, folder: Path, *, timeout: float = 20.0) -> LogindMock:
        socket_path = folder / "system_bus_socket"
        log = folder / "logind-mock.log"
        daemon = subprocess.Popen(
            [
                "dbus-daemon",
                "--session",
                f"--address=unix:path={socket_path}",
                "--nofork",
                "--nopidfile",
                "--print-address",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        )
        try:
            address = _first_line(daemon, timeout)
            mock = _start_mock(address, log, timeout)
        except BaseException:
            _end(daemon)
            raise
        started = cls(address, daemon, mock, log)
        try:
            started.screen_locker(False)
            started._add_method("TerminateSession", _TERMINATE)
        except BaseException:
            started.stop()
            raise
        return started

    def stop(self) -> None:
        if self._bus is not None:
            self._bus.close()
            self._bus = None
        _end(self._mock)
        _end(self._daemon)

    def stop_logind(self) -> None:
        """End the mock but keep the bus: a system bus on which logind does not run."""
        _end(self._mock)

    # -- shaping the mock ------------------------------------------------------------------

    def add_session(
        self,
        session_id: str,
        *,
        uid: int,
        user: str,
        seat: str = "seat0",
        active: bool = True,
        type: str = "x11",
        display: str = "",
        idle: bool = False,
        idle_since_usec: int = 0,
        locked: bool = False,
        remote: bool = False,
        leader: int = 1,
        class_: str = "user",
    ) -> str:
        """Add a session (and its user and seat when new); returns its object path."""
        (path,) = self._call(LOGIND_PATH, MOCK, "AddSession", "ssusb", (session_id, seat, uid, user, active))
        self.set_session(
            session_id,
            Type=type,
            Display=display,
            IdleHint=idle,
            IdleSinceHint=idle_since_usec,
            LockedHint=locked,
            Remote=remote,
            Leader=leader,
            Class=class_,
        )
        return str(path)

    def set_session(self, session_id: str, **properties: Any) -> None:
        """Set session properties by their logind names (LockedHint=True, Type="wayland", …)."""
        unknown = sorted(set(properties) - set(SESSION_PROPERTY_TYPES))
        if unknown:
            raise ValueError(f"no such session property: {unknown}; known: {sorted(SESSION_PROPERTY_TYPES)}")
        values = {name: (SESSION_PROPERTY_TYPES[name], value) for name, value in properties.items()}
        self._call(session_path(session_id), MOCK, "UpdateProperties", "sa{sv}", (SESSION, values))

    def remove_session(self, session_id: str) -> None:
        self._call(LOGIND_PATH, MOCK, "RemoveObject", "s", (session_path(session_id),))

    def screen_locker(self, present: bool) -> None:
        """With a screen locker, LockSession sets the session's LockedHint and UnlockSession
        clears it (what a locker in the session does on logind's Lock and Unlock signals)."""
        lock = _SET_LOCKED.format(locked=True) if present else _FIND_SESSION
        unlock = _SET_LOCKED.format(locked=False) if present else _FIND_SESSION
        self._add_method("LockSession", lock)
        self._add_method("UnlockSession", unlock)

    # -- reading what was asked -----------------------------------------------------------

    def calls(self, path: str = LOGIND_PATH) -> list[Call]:
        """The calls made to the object at `path` (default: the manager), oldest first; the
        helpers' own (AddSession, …) are left out."""
        (logged,) = self._call(path, MOCK, "GetCalls")
        return [
            Call(str(method), tuple(_plain(arg) for arg in args))
            for _when, method, args in logged
            if method not in _HELPERS
        ]

    def manager_calls(self, method: str) -> list[tuple[Any, ...]]:
        """The arguments of each call of one manager method (LockSession, TerminateSession, …)."""
        return [call.args for call in self.calls() if call.method == method]

    def clear_calls(self) -> None:
        self._call(LOGIND_PATH, MOCK, "ClearCalls")

    # -- the bus ---------------------------------------------------------------------------

    def _add_method(self, name: str, code: str) -> None:
        self._call(LOGIND_PATH, MOCK, "AddMethod", "sssss", (MANAGER, name, "s", "", code))

    def _call(
        self, path: str, interface: str, method: str, signature: str | None = None, body: tuple[Any, ...] = ()
    ) -> tuple[Any, ...]:
        if self._bus is None:
            self._bus = open_dbus_connection(self.address)
        address = DBusAddress(path, bus_name=LOGIND, interface=interface)
        reply = self._bus.send_and_get_reply(new_method_call(address, method, signature, body), timeout=10)
        if reply.header.message_type == MessageType.error:
            name = reply.header.fields.get(HeaderFields.error_name)
            raise MockFailed(f"the logind mock refused {method}{body}: {name}: {reply.body}")
        return tuple(reply.body)


def session_path(session_id: str) -> str:
    return f"{LOGIND_PATH}/session/{session_id}"


def _plain(value: Any) -> Any:
    """A variant from GetCalls, unwrapped: ('s', 'c1') → 'c1'."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return value[1]
    return value


def _first_line(process: subprocess.Popen[bytes], timeout: float) -> str:
    """The first line the process prints (dbus-daemon's address once it listens)."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise MockFailed(f"dbus-daemon printed no address within {timeout:g} s")
    line = process.stdout.readline().decode().strip()
    if not line:
        raise MockFailed(f"dbus-daemon exited with {process.wait()} before it listened")
    return line


def _start_mock(address: str, log: Path, timeout: float) -> subprocess.Popen[bytes]:
    """Start the logind mock on the bus and return once it owns logind's name."""
    with open_dbus_connection(address) as bus:
        rule = MatchRule(
            type="signal",
            sender="org.freedesktop.DBus",
            interface="org.freedesktop.DBus",
            member="NameOwnerChanged",
            path="/org/freedesktop/DBus",
        )
        rule.add_arg_condition(0, LOGIND)
        with bus.filter(rule) as owner_changes:
            bus.send_and_get_reply(message_bus.AddMatch(rule), timeout=10)
            with log.open("wb") as output:
                mock = subprocess.Popen(
                    [SYSTEM_PYTHON, "-m", "dbusmock", "--system", "--template", "logind"],
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    env=_mock_env(address),
                )
            deadline = time.monotonic() + timeout
            try:
                bus.recv_until_filtered(owner_changes, timeout=max(deadline - time.monotonic(), 0))
            except TimeoutError:
                _end(mock)
                raise MockFailed(
                    f"the logind mock did not take its name within {timeout:g} s: {log.read_text()}"
                ) from None
    return mock


def _mock_env(address: str) -> Mapping[str, str]:
    # No DISPLAY: the template would copy it into every session it adds.
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DBUS_SYSTEM_BUS_ADDRESS": address,
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()
