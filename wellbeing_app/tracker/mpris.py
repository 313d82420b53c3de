"""Whether a media player is playing, from the MPRIS players on the D-Bus session bus."""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, MatchRule, MessageType, message_bus, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.low_level import HeaderFields

from wellbeing_app.tracker.base import ProbeStatus

MPRIS_PREFIX = "org.mpris.MediaPlayer2."
MPRIS_PATH = "/org/mpris/MediaPlayer2"
MPRIS_PLAYER = "org.mpris.MediaPlayer2.Player"
PROPERTIES = "org.freedesktop.DBus.Properties"

#: Errors saying that the name asked for has nobody behind it (any more).
NAME_GONE = frozenset(
    {
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
        "org.freedesktop.DBus.Error.NoReply",
    }
)


class BusUnavailable(Exception):
    """The bus cannot be reached now; the message says why."""


class BusCallFailed(Exception):
    """The bus answered a call with an error (`name`), or the peer did not answer in time."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}" if message else name)
        self.name = name


def bus_address(bus: str, env: Mapping[str, str] | None = None) -> str:
    """The address of `bus` ("SESSION", "SYSTEM" or an address), or BusUnavailable saying why not."""
    env = os.environ if env is None else env
    if bus == "SESSION":
        address = env.get("DBUS_SESSION_BUS_ADDRESS", "")
        if address:
            return address
        runtime = env.get("XDG_RUNTIME_DIR", "")
        if runtime and Path(runtime, "bus").exists():  # systemd's user bus
            return f"unix:path={runtime}/bus"
        raise BusUnavailable("no session bus: DBUS_SESSION_BUS_ADDRESS is not set")
    if bus == "SYSTEM":
        return env.get("DBUS_SYSTEM_BUS_ADDRESS", "") or "unix:path=/var/run/dbus/system_bus_socket"
    return bus


class BusLink:
    """One blocking connection to a bus: opened when first needed, reopened at most every
    `retry_seconds` after it failed. One thread only."""

    def __init__(
        self,
        bus: str = "SESSION",
        *,
        kind: str = "session",
        timeout: float = 0.25,
        retry_seconds: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bus = bus
        self.kind = kind
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self._monotonic = monotonic
        self._connection: DBusConnection | None = None
        self._next_try = 0.0
        self.error: str | None = None
        self.on_connect: Callable[[DBusConnection], None] | None = None

    @property
    def label(self) -> str:
        if self.bus in ("SESSION", "SYSTEM"):
            return f"{self.kind} bus"
        return f"{self.kind} bus ({self.bus})"

    def connection(self) -> DBusConnection | None:
        """The open connection, or None (with `error` saying why) when the bus is out of reach."""
        if self._connection is not None:
            return self._connection
        if self._monotonic() < self._next_try:
            return None
        try:
            address = bus_address(self.bus)
            connection = open_dbus_connection(address, auth_timeout=max(self.timeout, 1.0))
        except BusUnavailable as exc:
            self._fail(str(exc))
            return None
        except StopIteration:
            self._fail(f"no usable address for the {self.label}")
            return None
        except Exception as exc:  # jeepney raises OSError, AuthenticationError, ValueError, ...
            self._fail(f"cannot connect to the {self.label}: {exc or type(exc).__name__}")
            return None
        self._connection = connection
        self.error = None
        if self.on_connect is not None:
            try:
                self.on_connect(connection)
            except (BusUnavailable, BusCallFailed) as exc:
                self.error = str(exc)
        return self._connection

    def call(self, message: Any) -> tuple[Any, ...]:
        """Send a method call and return the reply's body.

        Raises BusUnavailable when the connection broke (it is reopened later) and
        BusCallFailed when the peer answered with an error or not in time.
        """
        connection = self.connection()
        if connection is None:
            raise BusUnavailable(self.error or f"the {self.label} is out of reach")
        try:
            reply = connection.send_and_get_reply(message, timeout=self.timeout)
        except TimeoutError as exc:
            raise BusCallFailed("timeout", f"no answer within {self.timeout:g} s") from exc
        except (OSError, ValueError, EOFError) as exc:
            self.close()
            self._fail(f"lost the {self.label}: {exc or type(exc).__name__}")
            raise BusUnavailable(self.error or "lost the bus") from exc
        if reply.header.message_type == MessageType.error:
            name = str(reply.header.fields.get(HeaderFields.error_name, "unknown error"))
            text = str(reply.body[0]) if reply.body and isinstance(reply.body[0], str) else ""
            raise BusCallFailed(name, text)
        return tuple(reply.body)

    def pump(self) -> None:
        """Read, without waiting, the messages (signals) that came in, so filters see them."""
        connection = self._connection
        if connection is None:
            return
        try:
            while True:
                connection.recv_messages(timeout=0)
        except TimeoutError:
            return
        except (OSError, ValueError, EOFError) as exc:
            self.close()
            self._fail(f"lost the {self.label}: {exc or type(exc).__name__}")
            raise BusUnavailable(self.error or "lost the bus") from exc

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.close()
        self._connection = None

    def _fail(self, reason: str) -> None:
        self.error = reason
        self._next_try = self._monotonic() + self.retry_seconds


def get_property(link: BusLink, name: str, path: str, interface: str, prop: str) -> Any:
    """One property of a remote object (Properties.Get): the value inside the variant."""
    address = DBusAddress(path, bus_name=name, interface=PROPERTIES)
    body = link.call(new_method_call(address, "Get", "ss", (interface, prop)))
    _signature, value = body[0]
    return value


class MprisMedia:
    """Whether any MPRIS player says "Playing".

    The player list is read by ListNames once and then again every `refresh_seconds`, or at
    the next call after a player came or went (NameOwnerChanged); each call then costs one
    Properties.Get per player, and nothing at all while no player runs. One thread only.
    """

    backend = "mpris"

    def __init__(
        self,
        bus: str = "SESSION",
        *,
        refresh_seconds: float = 10.0,
        retry_seconds: float = 10.0,
        timeout: float = 0.25,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._link = BusLink(
            bus, kind="session", timeout=timeout, retry_seconds=retry_seconds, monotonic=monotonic
        )
        self._link.on_connect = self._watch_players
        self._refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._players: list[str] = []
        self._next_refresh = 0.0
        self._owner_changes: deque[Any] = deque(maxlen=8)
        self._filter: Any = None
        self._statuses: dict[str, str] = {}
        self._reason: str | None = None

    def playing(self) -> bool | None:
        if self._link.connection() is None:
            self._reason = self._link.error
            return None
        try:
            self._link.pump()
            if self._owner_changes or self._monotonic() >= self._next_refresh:
                self._owner_changes.clear()
                self._refresh_players()
            statuses: dict[str, str] = {}
            for name in list(self._players):
                try:
                    status = get_property(self._link, name, MPRIS_PATH, MPRIS_PLAYER, "PlaybackStatus")
                except BusCallFailed as exc:
                    if exc.name in NAME_GONE or exc.name == "timeout":
                        # Gone, or hung: a hung player is asked again only after the next
                        # refresh, so that it cannot slow every tick down.
                        self._players.remove(name)
                    continue
                statuses[name] = str(status)
        except BusUnavailable as exc:
            self._reason = str(exc)
            self._players = []
            self._next_refresh = 0.0
            return None
        self._statuses = statuses
        self._reason = None
        return any(status == "Playing" for status in statuses.values())

    def status(self) -> ProbeStatus:
        playing = self.playing()
        if playing is None:
            hint = "run the app inside a desktop session with a D-Bus session bus (dbus-run-session, or systemd's user bus)"
            return ProbeStatus("media", self.backend, False, self._reason or "media state unknown", hint)
        if not self._statuses:
            return ProbeStatus("media", self.backend, True, "no MPRIS media player is running")
        seen = ", ".join(
            f"{name.removeprefix(MPRIS_PREFIX)} {status}" for name, status in sorted(self._statuses.items())
        )
        return ProbeStatus("media", self.backend, True, seen)

    def close(self) -> None:
        if self._filter is not None:
            self._filter.close()
            self._filter = None
        self._link.close()

    def _refresh_players(self) -> None:
        (names,) = self._link.call(message_bus.ListNames())
        self._players = sorted(str(n) for n in names if str(n).startswith(MPRIS_PREFIX))
        self._next_refresh = self._monotonic() + self._refresh_seconds

    def _watch_players(self, connection: DBusConnection) -> None:
        """Ask the bus for NameOwnerChanged of MPRIS names; they land in `_owner_changes`."""
        rule = MatchRule(
            type="signal",
            sender="org.freedesktop.DBus",
            interface="org.freedesktop.DBus",
            member="NameOwnerChanged",
            path="/org/freedesktop/DBus",
        )
        rule.add_arg_condition(0, MPRIS_PREFIX.rstrip("."), kind="namespace")
        if self._filter is not None:
            self._filter.close()
        self._filter = connection.filter(rule, queue=self._owner_changes)
        self._next_refresh = 0.0
        self._link.call(message_bus.AddMatch(rule))
