"""The guard's client of systemd-logind on the system bus: the sessions on this machine, and
locking or ending one of them.

Blocking calls with a timeout on one jeepney connection: the guard is a plain select loop and
asks logind a few times a second at most. One thread only (a jeepney connection is not shared).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Mapping
from typing import Any

from jeepney import DBusAddress, MessageType, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.low_level import HeaderFields, Message

from wellbeing_app.core.record import record

log = logging.getLogger(__name__)

LOGIND = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"
SESSION = "org.freedesktop.login1.Session"
PROPERTIES = "org.freedesktop.DBus.Properties"

#: Where the system bus listens when DBUS_SYSTEM_BUS_ADDRESS does not say otherwise (D-Bus spec).
DEFAULT_SYSTEM_BUS = "unix:path=/var/run/dbus/system_bus_socket"

#: Session ids logind reads as "the caller's own session": the guard, a system service, has none,
#: and a bug passing one of them must not lock or end something else.
_CALLERS_OWN = frozenset({"", "self", "auto"})

#: Errors that say nobody owns logind's name on the bus.
_NO_LOGIND = frozenset(
    {
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
    }
)

#: Errors that say a session listed a moment ago is gone (it ended between the two calls).
_SESSION_GONE = frozenset(
    {
        "org.freedesktop.DBus.Error.UnknownObject",
        "org.freedesktop.DBus.Error.UnknownMethod",
        "org.freedesktop.login1.NoSuchSession",
    }
)


class LogindError(Exception):
    """logind could not be reached, or did not do what was asked; the message says what, and
    which bus address was used."""


@record
class SessionInfo:
    """One login session as logind sees it (the properties of org.freedesktop.login1.Session)."""

    id: str
    uid: int
    user: str
    #: "x11", "wayland", "mir", "tty" or "unspecified"
    type: str
    #: the X11 display (":0") of an X11 session, else ""
    display: str
    #: in front on its seat (the session the screen shows)
    active: bool
    idle: bool
    #: when the session became idle: microseconds since the epoch (CLOCK_REALTIME), 0 if never
    idle_since_usec: int
    locked: bool
    remote: bool
    #: "online", "active" or "closing"
    state: str
    #: the pid of the session's leader process (the login program), 0 if unknown
    leader: int
    #: "user", "greeter", "lock-screen" or "background"
    class_: str
    #: the session's object path on the bus
    path: str

    @property
    def graphical(self) -> bool:
        return self.type in ("x11", "wayland", "mir")


def system_bus_address(env: Mapping[str, str] | None = None) -> str:
    """The system bus's address: DBUS_SYSTEM_BUS_ADDRESS, else the standard socket."""
    env = os.environ if env is None else env
    return env.get("DBUS_SYSTEM_BUS_ADDRESS", "") or DEFAULT_SYSTEM_BUS


class Logind:
    """A connection to logind over the system bus.

    Every call waits at most `timeout` seconds for logind's answer. A call that finds the
    connection broken raises `LogindError`; the next call connects again.
    """

    def __init__(self, connection: DBusConnection | None, address: str, *, timeout: float = 2.0) -> None:
        self.address = address
        self.timeout = timeout
        self._connection = connection
        self._manager = DBusAddress(LOGIND_PATH, bus_name=LOGIND, interface=MANAGER)

    @classmethod
    def connect(cls, address: str | None = None, *, timeout: float = 2.0) -> Logind:
        """Connect to the system bus at `address` (default: `system_bus_address()`).

        Raises LogindError naming the address when the bus cannot be reached.
        """
        address = system_bus_address() if address is None else address
        return cls(_open(address, timeout), address, timeout=timeout)

    # -- reading ---------------------------------------------------------------------------

    def sessions(self) -> list[SessionInfo]:
        """Every session logind knows, with its properties (one ListSessions, then one
        Properties.GetAll a session). A session that ends between the two is left out."""
        (listed,) = self._call(new_method_call(self._manager, "ListSessions"), "list the sessions")
        sessions = []
        for session_id, _uid, _user, _seat, path in listed:
            try:
                sessions.append(self._read_session(str(path)))
            except _Gone:
                log.debug("session %s ended while the sessions were read", session_id)
        return sessions

    def session(self, session_id: str) -> SessionInfo:
        """One session by its id; LogindError when logind knows no such session."""
        _check_id(session_id)
        (path,) = self._call(
            new_method_call(self._manager, "GetSession", "s", (session_id,)), f"find session {session_id!r}"
        )
        try:
            return self._read_session(str(path))
        except _Gone as exc:
            raise LogindError(f"session {session_id!r} ended while it was read ({self._where()})") from exc

    # -- acting ----------------------------------------------------------------------------

    def lock(self, session_id: str) -> None:
        """Ask logind to lock the session (LockSession): logind tells the session's screen locker,
        which sets LockedHint once the screen is locked. Without a locker nothing locks."""
        self._act("LockSession", session_id, "lock")

    def unlock(self, session_id: str) -> None:
        """Ask logind to unlock the session (UnlockSession): for tests and for parents."""
        self._act("UnlockSession", session_id, "unlock")

    def terminate(self, session_id: str) -> None:
        """End the session (TerminateSession): logind stops every process of it."""
        self._act("TerminateSession", session_id, "end")

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.close()
        self._connection = None

    def __enter__(self) -> Logind:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- the bus ---------------------------------------------------------------------------

    def _act(self, method: str, session_id: str, verb: str) -> None:
        _check_id(session_id)
        self._call(
            new_method_call(self._manager, method, "s", (session_id,)), f"{verb} session {session_id!r}"
        )

    def _read_session(self, path: str) -> SessionInfo:
        address = DBusAddress(path, bus_name=LOGIND, interface=PROPERTIES)
        message = new_method_call(address, "GetAll", "s", (SESSION,))
        (properties,) = self._call(message, f"read session {path}", gone_is_special=True)
        return _session_from(path, {name: value for name, (_signature, value) in properties.items()})

    def _call(self, message: Message, doing: str, *, gone_is_special: bool = False) -> tuple[Any, ...]:
        if self._connection is None:
            self._connection = _open(self.address, self.timeout)
        try:
            reply = self._connection.send_and_get_reply(message, timeout=self.timeout)
        except TimeoutError as exc:
            raise LogindError(
                f"logind did not answer within {self.timeout:g} s when asked to {doing} ({self._where()})"
            ) from exc
        except (OSError, ValueError, EOFError) as exc:
            self.close()
            raise LogindError(
                f"lost the system bus when asked to {doing}: {exc or type(exc).__name__} ({self._where()})"
            ) from exc
        if reply.header.message_type == MessageType.error:
            name = str(reply.header.fields.get(HeaderFields.error_name, "an unnamed error"))
            text = str(reply.body[0]) if reply.body and isinstance(reply.body[0], str) else ""
            if gone_is_special and name in _SESSION_GONE:
                raise _Gone(name)
            if name in _NO_LOGIND:
                raise LogindError(f"logind ({LOGIND}) is not running on the {self._where()}")
            said = f"{name}: {text}" if text else name
            raise LogindError(f"logind refused to {doing}: {said} ({self._where()})")
        return tuple(reply.body)

    def _where(self) -> str:
        return f"system bus at {self.address}"


class _Gone(Exception):
    """A session's object is no longer on the bus."""


def _open(address: str, timeout: float) -> DBusConnection:
    try:
        return open_dbus_connection(address, auth_timeout=max(timeout, 1.0))
    except StopIteration as exc:  # jeepney found no transport it knows in the address
        raise LogindError(f"no usable transport in the system bus address {address!r}") from exc
    except Exception as exc:  # jeepney raises OSError, AuthenticationError, ValueError, ...
        raise LogindError(
            f"cannot connect to the system bus at {address}: {exc or type(exc).__name__}"
        ) from exc


def _check_id(session_id: str) -> None:
    if not isinstance(session_id, str) or session_id.strip() in _CALLERS_OWN:
        raise LogindError(
            f"{session_id!r} is not a session id: give the id logind lists (like '3' or 'c2'); "
            "logind reads '', 'self' and 'auto' as the caller's own session"
        )


def _session_from(path: str, props: Mapping[str, Any]) -> SessionInfo:
    user = props.get("User", (0, ""))
    return SessionInfo(
        id=str(props.get("Id", path.rsplit("/", 1)[-1])),
        uid=int(user[0]),
        user=str(props.get("Name", "")),
        type=str(props.get("Type", "unspecified")),
        display=str(props.get("Display", "")),
        active=bool(props.get("Active", False)),
        idle=bool(props.get("IdleHint", False)),
        idle_since_usec=int(props.get("IdleSinceHint", 0)),
        locked=bool(props.get("LockedHint", False)),
        remote=bool(props.get("Remote", False)),
        state=str(props.get("State", "")),
        leader=int(props.get("Leader", 0)),
        class_=str(props.get("Class", "")),
        path=path,
    )
