"""Keeping the overlay in front on Wayland, where a client cannot hold the top or the keyboard by
itself: one small class per compositor behind `OverlayHold`, and locking the session where none
holds (`SessionLocker`).

- sway (and i3-ipc compositors in general): Qt cannot make a layer-shell surface (PySide6 has no
  layer-shell integration), so the overlay's windows are watched over sway's IPC (window and
  workspace events) and put back — to their output, full screen, focused — whenever another
  window took the focus, full screen or their workspace.
- KWin: a KWin script keeps the overlay's windows above, full screen, active, on every desktop
  and un-minimised, takes "keep above" from other windows, and reports each attempt over D-Bus.
- GNOME Shell and anything else: nothing holds (`NoHold`); the overlay's owner locks the
  session when the overlay is not in front a few seconds into a block.

The overlay's windows are known by this process's id and their window title together (the app's
other windows, such as the status window, share the pid). One thread only: the Qt loop.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

from jeepney import (
    DBusAddress,
    HeaderFields,
    MatchRule,
    Message,
    MessageFlag,
    new_error,
    new_method_call,
    new_method_return,
)

from wellbeing_app.tracker.base import TrackerError
from wellbeing_app.tracker.common import DBusCallError, SessionBus
from wellbeing_app.tracker.kde import KWIN_NAME, SCRIPTING
from wellbeing_app.tracker.lock import LOGIND, LOGIND_MANAGER, LOGIND_PATH, LOGIND_SESSION
from wellbeing_app.tracker.mpris import BusCallFailed, BusLink, BusUnavailable
from wellbeing_app.tracker.sway import (
    GET_TREE,
    HEADER_SIZE,
    IpcProtocolError,
    _connect,
    _receive_exactly,
    ask,
    encode_i3ipc,
    parse_i3ipc_header,
    subscribe,
)

#: The ways another program took the overlay out of view on Wayland, as `check()` names them.
FOCUS = "focus"  # another window took the focus
FULLSCREEN = "fullscreen"  # the overlay was dropped out of full screen
WORKSPACE = "workspace"  # moved to another workspace or the scratchpad, or the workspace switched
MINIMISED = "minimised"
KEPT_ABOVE = "kept-above"  # another window was set to stay above it

#: Seconds a hold may go without finding a window of the overlay before it is taken as failed.
FIND_SECONDS = 5.0

RUN_COMMAND = 0
_SCRATCHPAD = "__i3_scratch"


class HoldFailed(TrackerError):
    """The overlay cannot be held on this compositor; the message says why, in words."""


class OverlayHold(Protocol):
    """Keeps this process's overlay windows (titled `title`) in front from `begin` to `end`.

    `check()` puts back what was taken and returns the ways it was taken since the last call
    (`FOCUS`, `FULLSCREEN`, …). When the compositor does not let it hold (no socket, a script
    refused), `failed` says why in words and nothing more is tried until the next `begin`; no
    method raises. `change_fd()` is a descriptor that becomes readable when the compositor may
    have changed something (check then), or None. All methods are called from one thread.
    """

    compositor: str
    failed: str | None

    def begin(self, title: str) -> None: ...

    def check(self) -> list[str]: ...

    def change_fd(self) -> int | None: ...

    def end(self) -> None: ...


class NoHold:
    """Nothing holds the overlay here (GNOME Shell: no client may keep the focus); the owner
    watches whether it is in front and locks the session when it is not."""

    def __init__(self, compositor: str) -> None:
        self.compositor = compositor
        self.failed: str | None = None

    def begin(self, title: str) -> None:
        pass

    def check(self) -> list[str]:
        return []

    def change_fd(self) -> int | None:
        return None

    def end(self) -> None:
        pass


class _Hold:
    """What every hold does with its own failures: kept in `failed`, never raised."""

    failed: str | None = None

    def begin(self, title: str) -> None:
        self.failed = None
        try:
            self._begin(title)
        except HoldFailed as error:
            self.failed = str(error)

    def check(self) -> list[str]:
        if self.failed is not None:
            return []
        try:
            return self._check()
        except HoldFailed as error:
            self.failed = str(error)
            self.end()
            return []

    def _begin(self, title: str) -> None:
        raise NotImplementedError

    def _check(self) -> list[str]:
        raise NotImplementedError

    def end(self) -> None:
        raise NotImplementedError


# --- sway ---------------------------------------------------------------------------------------


def _walk(
    node: Mapping[str, Any], output: str | None = None, workspace: str | None = None
) -> Iterator[tuple[Mapping[str, Any], str | None, str | None]]:
    """Every node of a sway tree with the output and workspace it is on."""
    kind = node.get("type")
    if kind == "output":
        output = str(node.get("name"))
    elif kind == "workspace":
        workspace = str(node.get("name"))
    yield node, output, workspace
    for key in ("nodes", "floating_nodes"):
        for child in node.get(key) or []:
            if isinstance(child, Mapping):
                yield from _walk(child, output, workspace)


def sway_repairs(
    tree: Mapping[str, Any], *, pid: int, title: str, outputs: dict[int, str]
) -> tuple[list[str], list[str], int]:
    """What to tell sway so that the overlay's windows are back in front, the ways they were
    taken, and how many of them there are. `outputs` remembers each window's output (by con id)
    the first time it is seen in view; it is updated."""
    panes: list[tuple[Mapping[str, Any], str | None, str | None]] = []
    focused_is_ours = False
    for node, output, workspace in _walk(tree):
        if node.get("focused") is True and node.get("pid") == pid and node.get("name") == title:
            focused_is_ours = True
        if (
            node.get("pid") == pid
            and node.get("name") == title
            and node.get("type") in ("con", "floating_con")
        ):
            panes.append((node, output, workspace))
    commands: list[str] = []
    ways: list[str] = []
    for node, output, workspace in panes:
        con = f"[con_id={int(node['id'])}]"
        in_view = node.get("visible") is True and workspace != _SCRATCHPAD
        if in_view and output is not None and output != "__i3":
            outputs.setdefault(int(node["id"]), output)
        if not in_view:
            ways.append(WORKSPACE)
            home = outputs.get(int(node["id"]))
            commands.append(
                f"{con} move container to output {json.dumps(home)}"
                if home
                else f"{con} move container to workspace current"
            )
        if node.get("fullscreen_mode") != 1 or not in_view:
            if in_view:
                ways.append(FULLSCREEN)
            commands.append(f"{con} fullscreen enable")
    if panes and not focused_is_ours:
        ways.append(FOCUS)
        commands.append(f"[con_id={int(panes[0][0]['id'])}] focus")
    if FOCUS in ways and FULLSCREEN in ways:
        ways.remove(FULLSCREEN)  # sway drops full screen whenever another window is focused
    return commands, list(dict.fromkeys(ways)), len(panes)


class SwayHold(_Hold):
    """Holds the overlay on sway over its IPC socket (`SWAYSOCK`)."""

    compositor = "sway"

    def __init__(
        self,
        socket_path: str,
        *,
        own_pid: int | None = None,
        timeout: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._path = socket_path
        self._pid = os.getpid() if own_pid is None else own_pid
        self._timeout = timeout
        self._monotonic = monotonic
        self._command: socket.socket | None = None
        self._events: socket.socket | None = None
        self._title = ""
        self._outputs: dict[int, str] = {}
        self._began = 0.0
        self._found = False

    def _begin(self, title: str) -> None:
        self.end()
        self._title = title
        self._began = self._monotonic()
        self._found = False
        try:
            self._command = _connect(self._path, self._timeout)
            events = _connect(self._path, self._timeout)
            self._events = events
            subscribe(events, ["window", "workspace"])
        except (OSError, ValueError, IpcProtocolError) as error:
            self.end()
            raise HoldFailed(f"cannot reach sway's socket {self._path}: {error}") from error

    def _request(self, message_type: int, payload: str = "") -> Any:
        if self._command is None:
            raise HoldFailed("the hold has not begun")
        try:
            return json.loads(ask(self._command, message_type, payload))
        except (OSError, ValueError, IpcProtocolError) as error:
            raise HoldFailed(f"sway did not answer: {error}") from error

    def _drain(self) -> None:
        if self._events is None:
            return
        try:
            while self._events.recv(65536):
                pass
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            pass
        # The event connection closed: sway is gone or dropped us.
        self._events.close()
        self._events = None
        raise HoldFailed("sway closed the event connection")

    def _check(self) -> list[str]:
        self._drain()
        tree = self._request(GET_TREE)
        if not isinstance(tree, Mapping):
            raise HoldFailed(f"sway's tree is not a JSON object but {type(tree).__name__}")
        commands, ways, count = sway_repairs(tree, pid=self._pid, title=self._title, outputs=self._outputs)
        if count == 0:
            if not self._found and self._monotonic() - self._began > FIND_SECONDS:
                raise HoldFailed(f"sway shows no window titled {self._title!r} of this process")
            return []
        if not self._found:
            self._found = True
            ways = []  # the windows' first showing is not an attempt
        if commands:
            reply = self._request(RUN_COMMAND, "; ".join(commands))
            refused = [
                str(result.get("error", "refused"))
                for result in (reply if isinstance(reply, list) else [])
                if isinstance(result, Mapping) and result.get("success") is not True
            ]
            if refused:
                raise HoldFailed(f"sway refused to put the overlay back: {'; '.join(refused)}")
        return ways

    def change_fd(self) -> int | None:
        return None if self._events is None else self._events.fileno()

    def end(self) -> None:
        for sock in (self._command, self._events):
            if sock is not None:
                sock.close()
        self._command = self._events = None
        self._outputs.clear()


def sway_leave_focus(
    title: str, environ: Mapping[str, str] | None = None, pid: int | None = None
) -> str | None:
    """Ask sway (when this is a sway session) not to focus this process's windows titled
    `title` when they appear, and to float them; None when it agreed, else why not. For the
    status window, which appears at login beside what the person is doing."""
    path = (os.environ if environ is None else environ).get("SWAYSOCK")
    if not path:
        return "this is not a sway session"
    criteria = f'[pid={os.getpid() if pid is None else pid} title="^{re.escape(title)}$"]'
    commands = f"no_focus {criteria}; for_window {criteria} floating enable"
    try:
        sock = _connect(path, 1.0)
    except OSError as error:
        return f"cannot reach sway's socket {path}: {error}"
    try:
        sock.sendall(encode_i3ipc(RUN_COMMAND, commands))
        length, _ = parse_i3ipc_header(_receive_exactly(sock, HEADER_SIZE))
        reply = json.loads(_receive_exactly(sock, length))
    except (OSError, ValueError, IpcProtocolError) as error:
        return f"sway did not answer: {error}"
    finally:
        sock.close()
    refused = (
        [r for r in reply if isinstance(r, Mapping) and r.get("success") is not True]
        if isinstance(reply, list)
        else [reply]
    )
    return f"sway refused: {refused}" if refused else None


# --- KWin ---------------------------------------------------------------------------------------

HOLD_PATH = "/WellbeingHold"
HOLD_INTERFACE = "org.wellbeing.KWinHold"
HOLD_METHOD = "report"
#: What the script reports once it holds a window of the overlay.
HELD = "held"

_HOLD_SCRIPT = """\
// Written by Wellbeing: keeps its overlay (process %(pid)d, title %(title)s) in front.
(function () {
    var pid = %(pid)d, title = %(title)s, service = %(service)s;
    var plasma6 = workspace.windowList !== undefined;
    var held = false;
    function report(how) {
        callDBus(service, %(path)s, %(interface)s, %(method)s, how);
    }
    function ours(w) {
        return w !== null && w !== undefined && Number(w.pid) === pid && String(w.caption) === title;
    }
    function all() {
        return plasma6 ? workspace.windowList() : workspace.clientList();
    }
    function active() {
        return plasma6 ? workspace.activeWindow : workspace.activeClient;
    }
    function activate(w) {
        if (plasma6) { workspace.activeWindow = w; } else { workspace.activeClient = w; }
    }
    function panes() {
        var found = [];
        var list = all();
        for (var i = 0; i < list.length; i++) {
            if (ours(list[i])) { found.push(list[i]); }
        }
        return found;
    }
    function hold(w) {
        if (w.minimized) { w.minimized = false; }
        if (!w.keepAbove) { w.keepAbove = true; }
        if (!w.onAllDesktops) { w.onAllDesktops = true; }
        if (!w.fullScreen) { w.fullScreen = true; }
        if (!held) { held = true; report(%(held)s); }
    }
    function front() {
        var mine = panes();
        for (var i = 0; i < mine.length; i++) { hold(mine[i]); }
        if (mine.length > 0 && !ours(active())) { activate(mine[0]); }
    }
    // KWin ignores an activation made while it is handing out another one: the overlay is
    // activated again from the event loop, just after.
    var later = front;
    if (typeof QTimer !== "undefined") {
        var timer = new QTimer();
        timer.singleShot = true;
        timer.interval = 0;
        timer.timeout.connect(front);
        later = function () { timer.start(); };
    }
    function watch(w) {
        if (ours(w)) {
            hold(w);
            w.fullScreenChanged.connect(function () {
                if (!w.fullScreen) { report(%(fullscreen)s); later(); }
            });
            w.minimizedChanged !== undefined && w.minimizedChanged.connect(function () {
                if (w.minimized) { report(%(minimised)s); later(); }
            });
            w.keepAboveChanged.connect(function () { if (!w.keepAbove) { later(); } });
            w.desktopChanged !== undefined && w.desktopChanged.connect(function () {
                if (!w.onAllDesktops) { report(%(workspace)s); later(); }
            });
            front();
            return;
        }
        var unkeep = function () {
            if (w.keepAbove && panes().length > 0) { w.keepAbove = false; report(%(kept_above)s); }
        };
        w.keepAboveChanged.connect(unkeep);
        unkeep();
    }
    var list = all();
    for (var i = 0; i < list.length; i++) { watch(list[i]); }
    (plasma6 ? workspace.windowAdded : workspace.clientAdded).connect(watch);
    (plasma6 ? workspace.windowActivated : workspace.clientActivated).connect(function (w) {
        if (!ours(w) && panes().length > 0) { report(%(focus)s); later(); }
    });
    if (!plasma6) {
        workspace.clientMinimized.connect(function (w) {
            if (ours(w)) { report(%(minimised)s); later(); }
        });
    }
    front();
})();
"""


def kwin_hold_script(pid: int, title: str, service: str) -> str:
    """The KWin script that holds the windows of `pid` titled `title` and reports to `service`."""
    return _HOLD_SCRIPT % {
        "pid": pid,
        "title": json.dumps(title),
        "service": json.dumps(service),
        "path": json.dumps(HOLD_PATH),
        "interface": json.dumps(HOLD_INTERFACE),
        "method": json.dumps(HOLD_METHOD),
        "held": json.dumps(HELD),
        "focus": json.dumps(FOCUS),
        "fullscreen": json.dumps(FULLSCREEN),
        "minimised": json.dumps(MINIMISED),
        "workspace": json.dumps(WORKSPACE),
        "kept_above": json.dumps(KEPT_ABOVE),
    }


_KNOWN_WAYS = frozenset({FOCUS, FULLSCREEN, MINIMISED, WORKSPACE, KEPT_ABOVE})
_MESSAGE_BUS = DBusAddress(
    "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
)


class KWinHold(_Hold):
    """Holds the overlay on KWin with a script loaded over D-Bus for the time of a block."""

    compositor = "kwin"

    def __init__(
        self,
        *,
        bus: str = "SESSION",
        own_pid: int | None = None,
        timeout: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bus_name = bus
        self._timeout = timeout
        self._pid = os.getpid() if own_pid is None else own_pid
        self._monotonic = monotonic
        self._bus: SessionBus | None = None
        self._queue: deque[Message] = deque()
        self._filter: Any = None
        self._plugin = f"wellbeing-hold-{self._pid}"
        self._script_path: str | None = None
        self._loaded = False
        self._kwin_owner: str | None = None
        self._held = False
        self._began = 0.0

    def _begin(self, title: str) -> None:
        self.end()
        self._began = self._monotonic()
        self._held = False
        try:
            self._bus = SessionBus(self._bus_name, self._timeout)
            connection = self._bus.connection()
            self._filter = connection.filter(MatchRule(type="method_call"), queue=self._queue)
            self._kwin_owner = str(self._bus.call(_MESSAGE_BUS, "GetNameOwner", "s", (KWIN_NAME,))[0])
            descriptor, self._script_path = tempfile.mkstemp(prefix="wellbeing-hold-", suffix=".js")
            with os.fdopen(descriptor, "w", encoding="utf-8") as script:
                script.write(kwin_hold_script(self._pid, title, str(connection.unique_name)))
            script_id = self._load()
            if script_id < 0:  # a script of ours left loaded (after a crash)
                self._bus.call(SCRIPTING, "unloadScript", "s", (self._plugin,))
                script_id = self._load()
            if script_id < 0:
                raise DBusCallError(f"KWin refused to load the script (id {script_id})")
            self._loaded = True
            # KWin 5.27 numbers a script by how many are loaded: after another script was
            # unloaded, the object `/<id>` may be an older script's, and running it runs that
            # one. `start` runs every loaded script not yet running, ours included.
            self._bus.call(SCRIPTING, "start")
        except (TrackerError, OSError) as error:
            self.end()
            raise HoldFailed(
                f"KWin did not run the script that keeps the overlay in front: {error}"
            ) from error

    def _load(self) -> int:
        assert self._bus is not None
        reply = self._bus.call(SCRIPTING, "loadScript", "ss", (self._script_path, self._plugin))
        script_id = reply[0] if reply else None
        if not isinstance(script_id, int):
            raise DBusCallError(f"loadScript answered {reply!r}, not a script id")
        return script_id

    def _check(self) -> list[str]:
        if self._bus is None:
            raise HoldFailed("the hold has not begun")
        try:
            connection = self._bus.connection()
            with contextlib.suppress(TimeoutError):
                while True:
                    connection.recv_messages(timeout=0)
        except (OSError, ValueError, RuntimeError, DBusCallError) as error:
            raise HoldFailed(f"the D-Bus connection to KWin broke: {error!r}") from error
        ways: list[str] = []
        while self._queue:
            how = self._answer(self._queue.popleft())
            if how == HELD:
                self._held = True
            elif how is not None:
                ways.append(how)
        if not self._held and self._monotonic() - self._began > FIND_SECONDS:
            raise HoldFailed("KWin's script found no window of the overlay")
        return list(dict.fromkeys(ways))

    def _answer(self, message: Message) -> str | None:
        assert self._bus is not None
        fields = message.header.fields
        wanted = (
            fields.get(HeaderFields.path) == HOLD_PATH
            and fields.get(HeaderFields.member) == HOLD_METHOD
            and fields.get(HeaderFields.sender) == self._kwin_owner
            and len(message.body) == 1
            and message.body[0] in _KNOWN_WAYS | {HELD}
        )
        if not (message.header.flags & MessageFlag.no_reply_expected):
            answer = (
                new_method_return(message)
                if wanted
                else new_error(message, "org.freedesktop.DBus.Error.AccessDenied")
            )
            with contextlib.suppress(OSError, DBusCallError):
                self._bus.connection().send(answer)
        return str(message.body[0]) if wanted else None

    def change_fd(self) -> int | None:
        if self._bus is None:
            return None
        try:
            return int(self._bus.connection().sock.fileno())
        except DBusCallError:
            return None

    def end(self) -> None:
        if self._bus is not None:
            if self._loaded:
                with contextlib.suppress(DBusCallError, OSError):
                    self._bus.call(SCRIPTING, "unloadScript", "s", (self._plugin,))
            if self._filter is not None:
                self._filter.close()
            self._bus.close()
        self._bus, self._filter, self._loaded = None, None, False
        self._queue.clear()
        if self._script_path is not None:
            with contextlib.suppress(OSError):
                os.remove(self._script_path)
            self._script_path = None


def choose_hold(environ: Mapping[str, str] | None = None) -> OverlayHold:
    """The hold for this Wayland session: sway by `SWAYSOCK`, KWin by `XDG_CURRENT_DESKTOP`,
    otherwise none (the owner locks the session when the overlay is not in front)."""
    env = os.environ if environ is None else environ
    if env.get("SWAYSOCK"):
        return SwayHold(env["SWAYSOCK"])
    desktops = {part.strip().lower() for part in env.get("XDG_CURRENT_DESKTOP", "").split(":")}
    if "kde" in desktops:
        return KWinHold()
    return NoHold("gnome" if "gnome" in desktops else next(iter(sorted(desktops - {""})), "unknown"))


# --- locking the session ------------------------------------------------------------------------


_SCREENSAVERS = (
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("org.freedesktop.ScreenSaver", "/ScreenSaver", "org.freedesktop.ScreenSaver"),
)


class LockFailed(TrackerError):
    """Nothing locked the session; the message lists what was tried and what each answered."""


class SessionLocker:
    """Locks this session: the desktop's screen saver (`org.gnome.ScreenSaver.Lock`, then
    `org.freedesktop.ScreenSaver.Lock`) on the session bus, else logind's `LockSession` for the
    session of `XDG_SESSION_ID` or of this process. `lock()` returns what locked it or raises
    LockFailed; `__call__` gives (locked, words) and never raises, for the overlay's holder."""

    def __init__(
        self,
        *,
        session_bus: str = "SESSION",
        system_bus: str = "SYSTEM",
        environ: Mapping[str, str] | None = None,
        pid: int | None = None,
        timeout: float = 2.0,
    ) -> None:
        env = os.environ if environ is None else environ
        self._session_id = env.get("XDG_SESSION_ID") or None
        self._pid = os.getpid() if pid is None else pid
        self._session = BusLink(session_bus, kind="session", timeout=timeout)
        self._system = BusLink(system_bus, kind="system", timeout=timeout)

    def lock(self) -> str:
        tried: list[str] = []
        for name, path, interface in _SCREENSAVERS:
            try:
                self._session.call(new_method_call(DBusAddress(path, name, interface), "Lock"))
                return f"{name}.Lock"
            except (BusUnavailable, BusCallFailed) as error:
                tried.append(f"{name} {path}: {error}")
        manager = DBusAddress(LOGIND_PATH, bus_name=LOGIND, interface=LOGIND_MANAGER)
        try:
            if self._session_id:
                self._system.call(new_method_call(manager, "LockSession", "s", (self._session_id,)))
                return f"logind LockSession {self._session_id}"
            (session_path,) = self._system.call(
                new_method_call(manager, "GetSessionByPID", "u", (self._pid,))
            )
            self._system.call(new_method_call(DBusAddress(str(session_path), LOGIND, LOGIND_SESSION), "Lock"))
            return f"logind Lock {session_path}"
        except (BusUnavailable, BusCallFailed) as error:
            tried.append(f"logind: {error}")
        raise LockFailed("nothing locked the session: " + "; ".join(tried))

    def __call__(self) -> tuple[bool, str]:
        try:
            return True, self.lock()
        except LockFailed as error:
            return False, str(error)

    def close(self) -> None:
        self._session.close()
        self._system.close()
