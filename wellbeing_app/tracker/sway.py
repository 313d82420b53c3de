"""The foreground app under sway, asked over sway's own IPC socket (the i3-ipc protocol).

What has been run where: the parsing and a fake compositor (a Unix socket server in a test
thread speaking i3-ipc), and the whole probe against sway 1.7 headless (tests/wayland).

The mapping from "a window's pid and app id" to an `AppRef` that every Wayland probe shares
lives in `wellbeing_app.tracker.common`; its names (`SELF_APP`, `ProcessNamer`, `display_name`,
`process_name`, `window_foreground`) are still importable from here.
"""

from __future__ import annotations

import json
import os
import socket
import struct
from collections.abc import Iterator, Mapping
from typing import Any

from wellbeing_app.tracker.base import Foreground, TrackerError
from wellbeing_app.tracker.common import SELF_APP as SELF_APP
from wellbeing_app.tracker.common import EventSocketForeground, UnreadableEvents, json_window_foreground
from wellbeing_app.tracker.common import ProcessNamer as ProcessNamer
from wellbeing_app.tracker.common import display_name as display_name
from wellbeing_app.tracker.common import process_name as process_name
from wellbeing_app.tracker.common import window_foreground as window_foreground

MAGIC = b"i3-ipc"
_HEADER = struct.Struct("<6sII")
HEADER_SIZE = _HEADER.size  # 14: magic, payload length, message type
SUBSCRIBE = 2
GET_TREE = 4
EVENT_BIT = 0x80000000
EVENT_WORKSPACE = EVENT_BIT | 0
EVENT_WINDOW = EVENT_BIT | 3
#: A sanity bound: a tree of a few hundred windows is well under a megabyte.
MAX_PAYLOAD = 64 * 1024 * 1024

_WINDOW_TYPES = frozenset({"con", "floating_con"})
_FOCUS_WINDOW_CHANGES = frozenset({"focus", "close", "title"})
_FOCUS_WORKSPACE_CHANGES = frozenset({"focus"})


class IpcProtocolError(UnreadableEvents):
    """The compositor sent something that is not the protocol; never leaves a probe method."""


# --- the i3-ipc protocol, pure ----------------------------------------------------------------


def encode_i3ipc(message_type: int, payload: bytes | str = b"") -> bytes:
    """One i3-ipc message: magic, little-endian payload length and type, payload."""
    body = payload.encode() if isinstance(payload, str) else payload
    return _HEADER.pack(MAGIC, len(body), message_type) + body


def parse_i3ipc_header(data: bytes) -> tuple[int, int]:
    """(payload length, message type) of an i3-ipc header; the first 14 bytes of `data`."""
    if len(data) < HEADER_SIZE:
        raise IpcProtocolError(f"an i3-ipc header has {HEADER_SIZE} bytes, got {len(data)}")
    magic, length, message_type = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise IpcProtocolError(f"an i3-ipc message starts with {MAGIC!r}, got {magic!r}")
    if length > MAX_PAYLOAD:
        raise IpcProtocolError(f"an i3-ipc payload of {length} bytes is beyond {MAX_PAYLOAD}")
    return length, message_type


def split_i3ipc_messages(buffer: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """The complete messages at the start of `buffer` as (type, payload), and what is left."""
    messages: list[tuple[int, bytes]] = []
    offset = 0
    while len(buffer) - offset >= HEADER_SIZE:
        length, message_type = parse_i3ipc_header(buffer[offset : offset + HEADER_SIZE])
        end = offset + HEADER_SIZE + length
        if end > len(buffer):
            break
        messages.append((message_type, buffer[offset + HEADER_SIZE : end]))
        offset = end
    return messages, buffer[offset:]


def _children(node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for key in ("nodes", "floating_nodes"):
        children = node.get(key)
        if isinstance(children, list):
            yield from (child for child in children if isinstance(child, Mapping))


def focused_node(tree: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The node of a sway tree (GET_TREE) that has `focused: true`, or None.

    When that node is a container of several windows (the user focused a parent), the window
    that was focused last inside it is returned, following each container's `focus` list.
    """
    stack: list[Mapping[str, Any]] = [tree]
    found: Mapping[str, Any] | None = None
    while stack:
        node = stack.pop()
        if node.get("focused") is True:
            found = node
            break
        stack.extend(_children(node))
    if found is None or found.get("type") not in _WINDOW_TYPES:
        return found
    while "pid" not in found:
        by_id = {child.get("id"): child for child in _children(found)}
        focus = found.get("focus")
        first = by_id.get(focus[0]) if isinstance(focus, list) and focus else None
        if first is None:
            break
        found = first
    return found


def foreground_from_tree(
    tree: object,
    *,
    with_title: bool,
    own_pid: int,
    name_of_process: ProcessNamer = process_name,
) -> Foreground:
    """What is in front according to a sway tree (the decoded GET_TREE reply)."""
    if not isinstance(tree, Mapping):
        return Foreground(app=None, reason=f"sway's tree is not a JSON object but {type(tree).__name__}")
    node = focused_node(tree)
    if node is None:
        return Foreground(app=None, reason="no node of sway's tree is focused", nothing_in_front=True)
    if node.get("type") not in _WINDOW_TYPES:
        return Foreground(
            app=None,
            reason=f"nothing is focused but a {node.get('type', 'node')} (no window)",
            nothing_in_front=True,
        )
    pid = node.get("pid")
    app_id = node.get("app_id")
    properties = node.get("window_properties")
    if not isinstance(app_id, str) or not app_id:
        app_id = properties.get("class") if isinstance(properties, Mapping) else None
    return json_window_foreground(
        pid,
        app_id,
        node.get("name"),
        with_title=with_title,
        own_pid=own_pid,
        name_of_process=name_of_process,
    )


def focus_may_have_changed(messages: list[tuple[int, bytes]]) -> bool:
    """Whether these events (window and workspace) may have moved the focus or renamed it."""
    for message_type, payload in messages:
        if message_type not in (EVENT_WINDOW, EVENT_WORKSPACE):
            continue
        try:
            change = json.loads(payload).get("change")
        except (ValueError, AttributeError):
            return True  # unreadable event: safer to look again
        wanted = _FOCUS_WINDOW_CHANGES if message_type == EVENT_WINDOW else _FOCUS_WORKSPACE_CHANGES
        if change in wanted:
            return True
    return False


# --- the probe --------------------------------------------------------------------------------


def _receive_exactly(sock: socket.socket, size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = sock.recv(min(remaining, 65536))
        if not chunk:
            raise IpcProtocolError("sway closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _connect(path: str, timeout: float) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(path)
    except OSError:
        sock.close()
        raise
    return sock


def ask(sock: socket.socket, message_type: int, payload: str = "") -> bytes:
    """Send one message on a blocking connection and read its reply's payload."""
    sock.sendall(encode_i3ipc(message_type, payload))
    length, reply_type = parse_i3ipc_header(_receive_exactly(sock, HEADER_SIZE))
    body = _receive_exactly(sock, length)
    if reply_type != message_type:
        raise IpcProtocolError(f"asked for message type {message_type}, got a reply of type {reply_type}")
    return body


def subscribe(sock: socket.socket, events: list[str]) -> None:
    """Subscribe a fresh connection to `events`, then leave it non-blocking for reading them."""
    reply = json.loads(ask(sock, SUBSCRIBE, json.dumps(events)))
    if not (isinstance(reply, Mapping) and reply.get("success") is True):
        raise IpcProtocolError(f"sway refused the subscription: {reply!r}")
    sock.setblocking(False)


class SwayForeground(EventSocketForeground):
    """Asks sway for its tree on each query; listens for window events for `change_fd()`.

    What happens when the event connection is lost: see `EventSocketForeground`.
    """

    backend = "sway"
    compositor = "sway"
    listening = "listening for window events"
    hint = "is sway running, and is SWAYSOCK the socket of this session?"

    def __init__(
        self,
        socket_path: str,
        *,
        timeout: float = 1.0,
        subscribe: bool = True,
        own_pid: int | None = None,
        name_of_process: ProcessNamer = process_name,
    ) -> None:
        self._path = socket_path
        self._timeout = timeout
        self._own_pid = os.getpid() if own_pid is None else own_pid
        self._name_of_process = name_of_process
        self._answered = False
        self._events_reason: str | None = None
        self._event_buffer = b""
        try:
            self._command: socket.socket | None = _connect(socket_path, timeout)
        except OSError as error:
            raise TrackerError(f"cannot connect to sway's socket {socket_path}: {error}") from error
        self._events: socket.socket | None = None
        if subscribe:
            self._events = self._subscribe()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SwayForeground:
        """The probe for the sway named by `SWAYSOCK`; TrackerError when there is none."""
        path = (os.environ if environ is None else environ).get("SWAYSOCK")
        if not path:
            raise TrackerError("SWAYSOCK is not set: this is not a sway session")
        return cls(path)

    def _subscribe(self) -> socket.socket | None:
        try:
            sock = _connect(self._path, self._timeout)
        except OSError as error:
            self._events_reason = f"cannot open a second connection for events: {error}"
            return None
        try:
            subscribe(sock, ["window", "workspace"])
        except (OSError, ValueError, IpcProtocolError) as error:
            sock.close()
            self._events_reason = f"cannot subscribe to window events: {error}"
            return None
        return sock

    def _request(self, message_type: int) -> bytes:
        if self._command is None:
            self._command = _connect(self._path, self._timeout)
        return ask(self._command, message_type)

    def foreground(self, *, with_title: bool) -> Foreground:
        try:
            tree = json.loads(self._request(GET_TREE))
        except (OSError, IpcProtocolError) as error:
            self._drop_command()
            return self._unknown(f"sway did not answer: {error}")
        except ValueError as error:
            return self._unknown(f"sway's tree is not JSON: {error}")
        self._answered = True
        return foreground_from_tree(
            tree, with_title=with_title, own_pid=self._own_pid, name_of_process=self._name_of_process
        )

    def _unknown(self, reason: str) -> Foreground:
        self._answered = False
        return Foreground(app=None, reason=reason)

    def _drop_command(self) -> None:
        if self._command is not None:
            self._command.close()
            self._command = None

    def _focus_changed_in(self, received: bytes) -> bool:
        messages, self._event_buffer = split_i3ipc_messages(self._event_buffer + received)
        return focus_may_have_changed(messages)

    def close(self) -> None:
        self._drop_command()
        super().close()
