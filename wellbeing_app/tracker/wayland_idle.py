"""Idle time on sway, Hyprland and KWin, from the compositor's idle protocol over Wayland itself.

The compositors that implement `ext-idle-notify-v1` (sway ≥ 1.7, KWin ≥ 5.27, Hyprland) or
KDE's `org_kde_kwin_idle` tell a client when no input came for a timeout it chooses ("idled")
and when input comes again ("resumed"). This probe asks for one such notification with a short
timeout (1 s): while none is pending the person is active; after "idled" the last input was one
timeout before it arrived. That gives the seconds since the last input that `IdleProbe`
promises, to within the timeout plus the time between two ticks. The compositor starts the
timer when the notification is made, so idle time from before the probe started is not seen.

Why a small client of its own rather than a binding: the four requests and four events it
needs are a few bytes each on the Unix socket (no file descriptors are passed), whereas the
bindings (pywayland) need libwayland-client, cffi and a code-generation step for every
protocol XML outside the core, for the same few messages. The wire format is Wayland's: a
header of the object id and (size << 16 | opcode) in the host's byte order, then the
arguments, each padded to 4 bytes.

Threading contract: created and used on one thread, like every probe; `idle_seconds()` never
blocks (it reads what is already on the socket).
"""

from __future__ import annotations

import os
import socket
import struct
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from wellbeing_app.core.record import record
from wellbeing_app.tracker.base import ProbeStatus, TrackerError

# The Wayland wire format: everything in the host's byte order.
_HEADER = struct.Struct("=II")
HEADER_SIZE = _HEADER.size
_UINT = struct.Struct("=I")
#: A message is at most 4 KiB (libwayland's own limit).
MAX_MESSAGE = 4096

DISPLAY_ID = 1
# wl_display
DISPLAY_SYNC = 0
DISPLAY_GET_REGISTRY = 1
DISPLAY_ERROR = 0
# wl_registry
REGISTRY_BIND = 0
REGISTRY_GLOBAL = 0
# wl_callback
CALLBACK_DONE = 0
# ext_idle_notifier_v1 / ext_idle_notification_v1
EXT_NOTIFIER = "ext_idle_notifier_v1"
EXT_GET_IDLE_NOTIFICATION = 1
EXT_GET_INPUT_IDLE_NOTIFICATION = 2  # since version 2: input only, idle inhibitors ignored
EXT_IDLED = 0
EXT_RESUMED = 1
EXT_DESTROY = 0
# org_kde_kwin_idle / org_kde_kwin_idle_timeout
KDE_IDLE = "org_kde_kwin_idle"
KDE_GET_IDLE_TIMEOUT = 0
KDE_IDLE_EVENT = 0
KDE_RESUMED = 1
KDE_RELEASE = 0
SEAT = "wl_seat"

#: The notification's timeout: the finest step in which idle time is known.
NOTIFY_AFTER_MS = 1000
#: How long to wait for the compositor while connecting.
CONNECT_TIMEOUT = 2.0
#: After the connection is lost, try again at most this often.
RETRY_SECONDS = 5.0

NEITHER_PROTOCOL = (
    "the compositor offers neither ext-idle-notify-v1 nor org_kde_kwin_idle (GNOME's Mutter has "
    "neither: it has its own idle monitor on D-Bus)"
)


class WaylandProtocolError(TrackerError):
    """The compositor sent something that is not the protocol, or reported a protocol error."""


# --- the wire format, pure --------------------------------------------------------------------


def uint_arg(value: int) -> bytes:
    return _UINT.pack(value)


def string_arg(text: str) -> bytes:
    """A Wayland string: its length with the closing NUL, the bytes, padding to 4 bytes."""
    data = text.encode() + b"\0"
    return _UINT.pack(len(data)) + data + b"\0" * (-len(data) % 4)


def encode_message(object_id: int, opcode: int, arguments: bytes = b"") -> bytes:
    size = HEADER_SIZE + len(arguments)
    return _HEADER.pack(object_id, (size << 16) | opcode) + arguments


@record
class WireMessage:
    object_id: int
    opcode: int
    payload: bytes


def split_messages(buffer: bytes) -> tuple[list[WireMessage], bytes]:
    """The complete messages at the start of `buffer`, and the bytes of an incomplete one."""
    messages: list[WireMessage] = []
    offset = 0
    while len(buffer) - offset >= HEADER_SIZE:
        object_id, size_and_opcode = _HEADER.unpack_from(buffer, offset)
        size = size_and_opcode >> 16
        if size < HEADER_SIZE or size % 4 or size > MAX_MESSAGE:
            raise WaylandProtocolError(f"a Wayland message of {size} bytes is not possible")
        if len(buffer) - offset < size:
            break
        messages.append(
            WireMessage(object_id, size_and_opcode & 0xFFFF, buffer[offset + HEADER_SIZE : offset + size])
        )
        offset += size
    return messages, buffer[offset:]


class _Reader:
    """Reads the arguments of one message's payload in order."""

    def __init__(self, payload: bytes) -> None:
        self._payload = payload
        self._offset = 0

    def uint(self) -> int:
        if self._offset + 4 > len(self._payload):
            raise WaylandProtocolError("a Wayland message ended in the middle of its arguments")
        (value,) = _UINT.unpack_from(self._payload, self._offset)
        self._offset += 4
        return int(value)

    def string(self) -> str:
        length = self.uint()
        end = self._offset + length
        if length == 0 or end > len(self._payload) or self._payload[end - 1] != 0:
            raise WaylandProtocolError("a Wayland string is cut short or not closed")
        text = self._payload[self._offset : end - 1].decode(errors="replace")
        self._offset = end + (-length % 4)
        return text


@record
class Global:
    name: int
    interface: str
    version: int


def read_global(payload: bytes) -> Global:
    """The arguments of a `wl_registry.global` event."""
    reader = _Reader(payload)
    return Global(reader.uint(), reader.string(), reader.uint())


def read_error(payload: bytes) -> str:
    """A `wl_display.error` event as words."""
    reader = _Reader(payload)
    object_id, code, message = reader.uint(), reader.uint(), reader.string()
    return f"protocol error {code} on object {object_id}: {message}"


def wayland_socket_path(env: Mapping[str, str]) -> Path | None:
    """The compositor's socket: `WAYLAND_DISPLAY` as a path, or under `XDG_RUNTIME_DIR`."""
    name = env.get("WAYLAND_DISPLAY") or "wayland-0"
    if os.path.isabs(name):
        return Path(name)
    runtime = env.get("XDG_RUNTIME_DIR")
    return Path(runtime) / name if runtime else None


# --- the probe --------------------------------------------------------------------------------


class WaylandIdle:
    """Seconds since the last input from the compositor's idle notification (see the module)."""

    def __init__(
        self,
        socket_path: Path,
        *,
        notify_after_ms: int = NOTIFY_AFTER_MS,
        timeout: float = CONNECT_TIMEOUT,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._path = socket_path
        self._notify_after = notify_after_ms / 1000.0
        self._notify_after_ms = notify_after_ms
        self._timeout = timeout
        self._monotonic = monotonic
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._next_id = 2
        self._registry_id = 0
        self._notification = 0
        self._events: tuple[int, int] = (EXT_IDLED, EXT_RESUMED)
        self._idle_since: float | None = None
        self._reason: str | None = None
        self._next_try = 0.0
        self.protocol = ""
        self._connect()  # raises TrackerError: then choose_probes says why

    @property
    def backend(self) -> str:
        return self.protocol or "wayland"

    # -- connecting ------------------------------------------------------------------------

    def _new_id(self) -> int:
        new = self._next_id
        self._next_id += 1
        return new

    def _connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self._timeout)
            self._idle_since = None
            sock.connect(str(self._path))
            self._sock, self._buffer, self._next_id, self._notification = sock, b"", 2, 0
            globals_ = self._registry()
            self._bind_notification(globals_)
            self._roundtrip()  # a protocol error in the binding comes before the sync's answer
            sock.setblocking(False)
        except (OSError, WaylandProtocolError) as error:
            sock.close()
            self._sock = None
            raise TrackerError(f"the Wayland idle protocol at {self._path} is not usable: {error}") from error
        self._reason = None

    def _send(self, data: bytes) -> None:
        assert self._sock is not None
        self._sock.sendall(data)

    def _registry(self) -> list[Global]:
        self._registry_id = self._new_id()
        self._send(encode_message(DISPLAY_ID, DISPLAY_GET_REGISTRY, uint_arg(self._registry_id)))
        return [
            read_global(message.payload)
            for message in self._roundtrip()
            if (message.object_id, message.opcode) == (self._registry_id, REGISTRY_GLOBAL)
        ]

    def _bind(self, item: Global, version: int) -> int:
        new = self._new_id()
        arguments = uint_arg(item.name) + string_arg(item.interface) + uint_arg(version) + uint_arg(new)
        self._send(encode_message(self._registry_id, REGISTRY_BIND, arguments))
        return new

    def _bind_notification(self, globals_: list[Global]) -> None:
        by_interface: dict[str, Global] = {}
        for item in globals_:
            by_interface.setdefault(item.interface, item)
        seat = by_interface.get(SEAT)
        if seat is None:
            raise WaylandProtocolError("the compositor has no seat (wl_seat)")
        seat_id = self._bind(seat, 1)
        ext, kde = by_interface.get(EXT_NOTIFIER), by_interface.get(KDE_IDLE)
        if ext is not None:
            version = min(ext.version, 2)
            notifier = self._bind(ext, version)
            self._notification = self._new_id()
            request = EXT_GET_INPUT_IDLE_NOTIFICATION if version >= 2 else EXT_GET_IDLE_NOTIFICATION
            arguments = uint_arg(self._notification) + uint_arg(self._notify_after_ms) + uint_arg(seat_id)
            self._send(encode_message(notifier, request, arguments))
            self._events, self.protocol = (EXT_IDLED, EXT_RESUMED), "ext-idle-notify-v1"
        elif kde is not None:
            idle = self._bind(kde, 1)
            self._notification = self._new_id()
            arguments = uint_arg(self._notification) + uint_arg(seat_id) + uint_arg(self._notify_after_ms)
            self._send(encode_message(idle, KDE_GET_IDLE_TIMEOUT, arguments))
            self._events, self.protocol = (KDE_IDLE_EVENT, KDE_RESUMED), "org_kde_kwin_idle"
        else:
            raise WaylandProtocolError(NEITHER_PROTOCOL)

    def _roundtrip(self) -> list[WireMessage]:
        """Send a sync and read (blocking, within the timeout) every message until its answer."""
        callback = self._new_id()
        self._send(encode_message(DISPLAY_ID, DISPLAY_SYNC, uint_arg(callback)))
        seen: list[WireMessage] = []
        deadline = self._monotonic() + self._timeout
        assert self._sock is not None
        while True:
            messages, self._buffer = split_messages(self._buffer)
            for index, message in enumerate(messages):
                if (message.object_id, message.opcode) == (callback, CALLBACK_DONE):
                    self._handle(messages[index + 1 :], self._monotonic())
                    return seen
                self._handle([message], self._monotonic())
                seen.append(message)
            if self._monotonic() > deadline:
                raise WaylandProtocolError(f"the compositor did not answer within {self._timeout:g} s")
            data = self._sock.recv(MAX_MESSAGE)
            if not data:
                raise WaylandProtocolError("the compositor closed the connection")
            self._buffer += data

    def _handle(self, messages: list[WireMessage], now: float) -> None:
        idled, resumed = self._events
        for message in messages:
            if (message.object_id, message.opcode) == (DISPLAY_ID, DISPLAY_ERROR):
                raise WaylandProtocolError(read_error(message.payload))
            if message.object_id != self._notification or not self._notification:
                continue
            if message.opcode == idled:
                # Sent one timeout after the last input; it is read at most a tick late.
                self._idle_since = now - self._notify_after
            elif message.opcode == resumed:
                self._idle_since = None

    # -- the probe -------------------------------------------------------------------------

    def idle_seconds(self) -> float | None:
        now = self._monotonic()
        if self._sock is None:
            if now < self._next_try:
                return None
            try:
                self._connect()
            except TrackerError as error:
                self._lose(str(error))
                return None
        try:
            self._drain(now)
        except (OSError, WaylandProtocolError) as error:
            self._lose(
                f"lost the compositor's idle notifications ({error}); retrying every {RETRY_SECONDS:g} s"
            )
            return None
        if self._idle_since is None:
            return 0.0
        return max(0.0, now - self._idle_since)

    def _drain(self, now: float) -> None:
        assert self._sock is not None
        while True:
            try:
                data = self._sock.recv(65536)
            except BlockingIOError:
                break
            if not data:
                raise WaylandProtocolError("the compositor closed the connection")
            self._buffer += data
        messages, self._buffer = split_messages(self._buffer)
        self._handle(messages, now)

    def _lose(self, reason: str) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._reason = reason
        self._idle_since = None
        self._next_try = self._monotonic() + RETRY_SECONDS

    def status(self) -> ProbeStatus:
        seconds = self.idle_seconds()
        if seconds is None:
            return ProbeStatus(
                "idle", self.backend, False, self._reason or "unknown", "is the compositor running?"
            )
        return ProbeStatus(
            "idle", self.backend, True, f"idle for {seconds:.1f} s ({self.protocol} at {self._path})"
        )

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.setblocking(True)
                self._sock.settimeout(self._timeout)
                destroy = EXT_DESTROY if self.protocol.startswith("ext") else KDE_RELEASE
                self._send(encode_message(self._notification, destroy))
            except OSError:
                pass
            self._sock.close()
            self._sock = None
        self._reason = "closed"
        self._next_try = float("inf")


def open_wayland_idle(env: Mapping[str, str]) -> WaylandIdle:
    """The idle probe for the compositor named by `WAYLAND_DISPLAY`; TrackerError if it has none."""
    path = wayland_socket_path(env)
    if path is None:
        raise TrackerError("neither WAYLAND_DISPLAY is a path nor XDG_RUNTIME_DIR is set")
    return WaylandIdle(path)
