"""The foreground app under Hyprland, asked over Hyprland's request and event sockets.

What has been run where: only the parsing and a fake compositor (Unix socket servers in a test
thread answering `j/activewindow` and writing event lines) on Linux; never a real Hyprland.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Mapping
from pathlib import Path

from wellbeing_app.tracker.base import Foreground, TrackerError
from wellbeing_app.tracker.common import (
    EventSocketForeground,
    ProcessNamer,
    json_window_foreground,
    process_name,
)

REQUEST_SOCKET = ".socket.sock"
EVENT_SOCKET = ".socket2.sock"
ACTIVE_WINDOW_REQUEST = b"j/activewindow"
NOTHING_FOCUSED = "no window is focused"

_FOCUS_EVENTS = frozenset(
    {
        "activewindow",
        "activewindowv2",
        "closewindow",
        "windowtitle",
        "windowtitlev2",
        "workspace",
        "workspacev2",
        "focusedmon",
        "focusedmonv2",
    }
)


def hyprland_socket_dir(
    environ: Mapping[str, str], exists: Callable[[str], bool] = os.path.exists
) -> str | None:
    """The folder of this Hyprland instance's sockets, or None when there is none.

    Hyprland 0.40 and later put them under `$XDG_RUNTIME_DIR/hypr/<signature>/`, older ones
    under `/tmp/hypr/<signature>/`.
    """
    signature = environ.get("HYPRLAND_INSTANCE_SIGNATURE")
    if not signature or "/" in signature:
        return None
    candidates = []
    runtime = environ.get("XDG_RUNTIME_DIR")
    if runtime:
        candidates.append(os.path.join(runtime, "hypr", signature))
    candidates.append(os.path.join("/tmp", "hypr", signature))
    for folder in candidates:
        if exists(os.path.join(folder, REQUEST_SOCKET)):
            return folder
    return None


def parse_active_window(
    reply: bytes,
    *,
    with_title: bool,
    own_pid: int,
    name_of_process: ProcessNamer = process_name,
) -> Foreground:
    """What is in front according to Hyprland's answer to `j/activewindow`."""
    if not reply.strip():
        return Foreground(app=None, reason="Hyprland closed the connection without an answer")
    try:
        window = json.loads(reply)
    except ValueError:
        return Foreground(app=None, reason=f"Hyprland's answer is not JSON: {reply[:60]!r}")
    if not isinstance(window, Mapping):
        return Foreground(app=None, reason=f"Hyprland's answer is not a JSON object: {reply[:60]!r}")
    window_class = window.get("class") or window.get("initialClass")
    pid = window.get("pid")
    if not window_class and not isinstance(pid, int):
        return Foreground(app=None, reason=NOTHING_FOCUSED, nothing_in_front=True)
    return json_window_foreground(
        pid,
        window_class,
        window.get("title"),
        with_title=with_title,
        own_pid=own_pid,
        name_of_process=name_of_process,
    )


def split_event_lines(buffer: bytes) -> tuple[list[tuple[str, str]], bytes]:
    """The complete `name>>data` lines at the start of `buffer`, and the unfinished rest."""
    *lines, rest = buffer.split(b"\n")
    events: list[tuple[str, str]] = []
    for line in lines:
        name, _, data = line.decode("utf-8", "replace").partition(">>")
        if name:
            events.append((name, data))
    return events, rest


def focus_may_have_changed(events: list[tuple[str, str]]) -> bool:
    """Whether these events may have moved the focus or renamed the focused window."""
    return any(name in _FOCUS_EVENTS for name, _ in events)


class HyprlandForeground(EventSocketForeground):
    """Asks Hyprland for the active window on each query; reads `.socket2.sock` for changes.

    What happens when the event connection is lost: see `EventSocketForeground`.
    """

    backend = "hyprland"
    compositor = "Hyprland"
    listening = "listening for events"
    hint = "is Hyprland running, and is this its session?"

    def __init__(
        self,
        socket_dir: str,
        *,
        timeout: float = 1.0,
        subscribe: bool = True,
        own_pid: int | None = None,
        name_of_process: ProcessNamer = process_name,
    ) -> None:
        self._request_path = str(Path(socket_dir) / REQUEST_SOCKET)
        if not os.path.exists(self._request_path):
            raise TrackerError(f"Hyprland's socket {self._request_path} does not exist")
        self._timeout = timeout
        self._own_pid = os.getpid() if own_pid is None else own_pid
        self._name_of_process = name_of_process
        self._answered = False
        self._event_buffer = b""
        self._events: socket.socket | None = None
        self._events_reason: str | None = None
        if subscribe:
            events = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                events.settimeout(timeout)
                events.connect(str(Path(socket_dir) / EVENT_SOCKET))
                events.setblocking(False)
                self._events = events
            except OSError as error:
                events.close()
                self._events_reason = f"cannot read Hyprland's events: {error}"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> HyprlandForeground:
        """The probe for the Hyprland named by `HYPRLAND_INSTANCE_SIGNATURE`; TrackerError if none."""
        env = os.environ if environ is None else environ
        if not env.get("HYPRLAND_INSTANCE_SIGNATURE"):
            raise TrackerError("HYPRLAND_INSTANCE_SIGNATURE is not set: this is not a Hyprland session")
        folder = hyprland_socket_dir(env)
        if folder is None:
            raise TrackerError(
                "Hyprland's socket was found neither under $XDG_RUNTIME_DIR/hypr nor /tmp/hypr"
            )
        return cls(folder)

    def _ask(self, request: bytes) -> bytes:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(self._timeout)
            sock.connect(self._request_path)
            sock.sendall(request)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def foreground(self, *, with_title: bool) -> Foreground:
        try:
            reply = self._ask(ACTIVE_WINDOW_REQUEST)
        except OSError as error:
            self._answered = False
            return Foreground(app=None, reason=f"Hyprland did not answer: {error}")
        found = parse_active_window(
            reply, with_title=with_title, own_pid=self._own_pid, name_of_process=self._name_of_process
        )
        self._answered = found.app is not None or found.reason == NOTHING_FOCUSED
        return found

    def _focus_changed_in(self, received: bytes) -> bool:
        events, self._event_buffer = split_event_lines(self._event_buffer + received)
        return focus_may_have_changed(events)
