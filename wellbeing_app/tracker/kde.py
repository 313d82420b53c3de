"""The foreground app under KDE Plasma (KWin), reported by a small KWin script over D-Bus.

KWin tells other programs nothing about the active window on Wayland, but it runs scripts: at
start this probe writes a script that calls back into this process on every window
activation, loads it with `org.kde.kwin.Scripting.loadScript`, runs it, and keeps the last
activation as the foreground. The script is unloaded on `close()`.

What has been run where: the script generation (also executed under Node.js with a stand-in
`workspace`), the message parsing, and the whole D-Bus exchange against a fake KWin on a
private session bus, on Linux; and the whole probe against KWin 5.27 on its virtual backend
(tests/wayland), not a full Plasma session. The parsing accepts the D-Bus types KWin's
`callDBus` may send (pid as int or double, class as string or bytes).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections import deque
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    MatchRule,
    Message,
    MessageFlag,
    MessageType,
    new_error,
    new_method_return,
)

from wellbeing_app.core.record import record
from wellbeing_app.tracker.base import Foreground, ProbeStatus, TrackerError
from wellbeing_app.tracker.common import (
    DBusCallError,
    ProcessNamer,
    SessionBus,
    process_name,
    window_foreground,
)

KWIN_NAME = "org.kde.KWin"
SCRIPTING = DBusAddress("/Scripting", bus_name=KWIN_NAME, interface="org.kde.kwin.Scripting")
SCRIPT_INTERFACE = "org.kde.kwin.Script"
CALLBACK_PATH = "/Wellbeing"
CALLBACK_INTERFACE = "org.wellbeing.KWin"
CALLBACK_METHOD = "activated"
_MESSAGE_BUS = DBusAddress(
    "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
)
_NOT_THERE = frozenset(
    {
        "org.freedesktop.DBus.Error.UnknownObject",
        "org.freedesktop.DBus.Error.UnknownMethod",
        "org.freedesktop.DBus.Error.UnknownInterface",
    }
)
#: What the bus answers while KWin has not taken its name or registered its scripting object.
_NOT_YET = _NOT_THERE | {
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.ServiceUnknown",
}
NO_ACTIVATION_YET = "KWin has not reported an active window yet"
NOTHING_ACTIVE = "no window is active"

_SCRIPT_TEMPLATE = """\
// Written by Wellbeing: tells it which window is active, on every activation.
(function () {
    var service = %(service)s;
    function text(value) {
        if (value === undefined || value === null) {
            return "";
        }
        if (typeof value === "string") {
            return value;
        }
        if (typeof ArrayBuffer !== "undefined" && value instanceof ArrayBuffer) {
            return String.fromCharCode.apply(null, new Uint8Array(value));
        }
        return String(value);
    }
    function report(window) {
        var pid = window ? Number(window.pid) : 0;
        callDBus(service, %(path)s, %(interface)s, %(method)s,
                 isFinite(pid) ? pid : 0,
                 window ? text(window.resourceClass) : "",
                 window ? text(window.caption) : "");
    }
    // Plasma 6 says "window", Plasma 5 said "client".
    var activated = workspace.windowActivated !== undefined
        ? workspace.windowActivated : workspace.clientActivated;
    activated.connect(report);
    report(workspace.activeWindow !== undefined ? workspace.activeWindow : workspace.activeClient);
})();
"""


def kwin_script(service: str) -> str:
    """The KWin script that calls `activated(pid, resourceClass, caption)` on `service`."""
    return _SCRIPT_TEMPLATE % {
        "service": json.dumps(service),
        "path": json.dumps(CALLBACK_PATH),
        "interface": json.dumps(CALLBACK_INTERFACE),
        "method": json.dumps(CALLBACK_METHOD),
    }


def script_object_paths(script_id: int) -> tuple[str, str]:
    """Where KWin puts a loaded script's object: Plasma 6 first, then Plasma 5."""
    return f"/Scripting/Script{script_id}", f"/{script_id}"


@record
class Activation:
    """One report of the script: pid 0 and an empty class mean no window is active."""

    pid: int
    window_class: str
    caption: str


def _text(value: object, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    raise ValueError(f"{what} should be a string, got {type(value).__name__}")


def parse_activation(body: tuple[Any, ...]) -> Activation:
    """The activation in the body of an `activated` call; ValueError when it is not one."""
    if len(body) != 3:
        raise ValueError(f"an activation has 3 arguments (pid, class, caption), got {len(body)}")
    pid = body[0]
    if isinstance(pid, bool) or not isinstance(pid, int | float):
        raise ValueError(f"the pid should be a number, got {type(pid).__name__}")
    if pid != pid or pid < 0 or pid != int(pid) or pid > 2**31:  # NaN, negative, fractional
        raise ValueError(f"the pid should be a whole number ≥ 0, got {pid!r}")
    return Activation(int(pid), _text(body[1], "the class"), _text(body[2], "the caption"))


def foreground_from_activation(
    activation: Activation | None,
    *,
    with_title: bool,
    own_pid: int,
    name_of_process: ProcessNamer = process_name,
) -> Foreground:
    """What is in front according to the last activation the script reported."""
    if activation is None:
        return Foreground(app=None, reason=NO_ACTIVATION_YET)
    if activation.pid == 0 and not activation.window_class:
        return Foreground(app=None, reason=NOTHING_ACTIVE, nothing_in_front=True)
    return window_foreground(
        activation.pid or None,
        activation.window_class or None,
        activation.caption,
        with_title=with_title,
        own_pid=own_pid,
        name_of_process=name_of_process,
    )


def _owner_changes_rule() -> MatchRule:
    rule = MatchRule(
        type="signal",
        sender="org.freedesktop.DBus",
        interface="org.freedesktop.DBus",
        member="NameOwnerChanged",
        path="/org/freedesktop/DBus",
    )
    rule.add_arg_condition(0, KWIN_NAME)
    return rule


class KdeForeground:
    """The last window KWin reported active, through a KWin script loaded at start.

    `change_fd()` is the D-Bus connection's socket: it becomes readable when KWin calls in.
    Only calls from the connection that owns `org.kde.KWin` are believed, so that no other
    program can pretend that some app is in front. When KWin restarts (a new owner of its
    name) or our connection breaks, the script is loaded again on the next query. Caption
    changes of a window that stays active are not reported.
    """

    backend = "kwin"

    def __init__(
        self,
        *,
        bus: str = "SESSION",
        timeout: float = 1.0,
        own_pid: int | None = None,
        name_of_process: ProcessNamer = process_name,
        plugin_name: str | None = None,
        wait_for_kwin: bool = False,
    ) -> None:
        """`wait_for_kwin`: when KWin is not on the bus yet (at login a probe may start between
        KWin opening its Wayland socket and taking its name, or registering `/Scripting`), the
        probe is built anyway, says so, and tries again at each query; otherwise TrackerError."""
        self._bus = SessionBus(bus, timeout)
        self._own_pid = os.getpid() if own_pid is None else own_pid
        self._name_of_process = name_of_process
        self._plugin = plugin_name or f"wellbeing-{os.getpid()}"
        self._queue: deque[Message] = deque()
        self._filters: list[Any] = []
        self._filtered_connection: object = None
        self._activation: Activation | None = None
        self._problem: str | None = None
        self._kwin_moved = False
        self._kwin_owner: str | None = None
        self._script_path: str | None = None
        self._loaded = False
        self._refused: str | None = None
        try:
            self._start()
        except (DBusCallError, OSError) as error:
            if wait_for_kwin and isinstance(error, DBusCallError) and error.name in _NOT_YET:
                self._problem = f"KWin is not on the session bus yet ({error}); asked again at each query"
                return
            self.close()
            raise TrackerError(f"cannot load the KWin script: {error}") from error

    def _start(self) -> None:
        """Load the script (again) so that it calls this connection; DBusCallError or OSError."""
        connection = self._bus.connection()
        if self._filtered_connection is not connection:
            for handle in self._filters:
                handle.close()
            rule = _owner_changes_rule()
            self._filters = [
                connection.filter(MatchRule(type="method_call"), queue=self._queue),
                connection.filter(rule, queue=self._queue),
            ]
            self._bus.call(_MESSAGE_BUS, "AddMatch", "s", (rule.serialise(),))
            self._filtered_connection = connection
        owner = self._bus.call(_MESSAGE_BUS, "GetNameOwner", "s", (KWIN_NAME,))
        if self._script_path is None:
            descriptor, self._script_path = tempfile.mkstemp(prefix="wellbeing-kwin-", suffix=".js")
            os.close(descriptor)
        with open(self._script_path, "w", encoding="utf-8") as script:
            script.write(kwin_script(str(connection.unique_name)))
        if self._loaded:
            with contextlib.suppress(DBusCallError):
                self._bus.call(SCRIPTING, "unloadScript", "s", (self._plugin,))
            self._loaded = False
        script_id = self._load()
        if script_id < 0:  # a script of that name is still loaded, e.g. after a crash of ours
            self._bus.call(SCRIPTING, "unloadScript", "s", (self._plugin,))
            script_id = self._load()
        if script_id < 0:
            raise DBusCallError(f"KWin refused to load the script (id {script_id})")
        self._loaded = True
        self._kwin_owner = str(owner[0])
        plasma6, plasma5 = script_object_paths(script_id)
        try:
            self._bus.call(DBusAddress(plasma6, KWIN_NAME, SCRIPT_INTERFACE), "run")
        except DBusCallError as error:
            if error.name not in _NOT_THERE:
                raise
            self._bus.call(DBusAddress(plasma5, KWIN_NAME, SCRIPT_INTERFACE), "run")
        # KWin 5.27 numbers a script by how many are loaded: after an unload, `/<id>` may be an
        # older script's object and ours was not run. `start` runs every loaded script that is
        # not running yet.
        with contextlib.suppress(DBusCallError):
            self._bus.call(SCRIPTING, "start")
        self._problem = None

    def _load(self) -> int:
        reply = self._bus.call(SCRIPTING, "loadScript", "ss", (self._script_path, self._plugin))
        script_id = reply[0] if reply else None
        if not isinstance(script_id, int):
            raise DBusCallError(f"loadScript answered {reply!r}, not a script id")
        return script_id

    def _pump(self) -> bool:
        """Take the calls that came in; True if the active window may have changed."""
        if self._problem is None:
            try:
                connection = self._bus.connection()
                while True:
                    connection.recv_messages(timeout=0)
            except TimeoutError:
                pass
            except (OSError, ValueError, RuntimeError, DBusCallError) as error:
                self._problem = f"the D-Bus connection broke: {error!r}"
                self._bus.close()
        changed = False
        while self._queue:
            changed = self._answer(self._queue.popleft()) or changed
        if self._kwin_moved or self._problem is not None:
            self._kwin_moved = False
            self._activation = None
            changed = True
            try:
                self._start()
            except (DBusCallError, OSError) as error:
                never_there = (
                    self._kwin_owner is None and isinstance(error, DBusCallError) and error.name in _NOT_YET
                )
                self._problem = (
                    f"KWin is not on the session bus yet ({error}); asked again at each query"
                    if never_there
                    else f"KWin is gone or refused the script: {error}"
                )
        return changed

    def _reply(self, message: Message, answer: Message) -> None:
        if message.header.flags & MessageFlag.no_reply_expected:
            return
        with contextlib.suppress(OSError, DBusCallError):
            self._bus.connection().send(answer)

    def _answer(self, message: Message) -> bool:
        fields = message.header.fields
        if message.header.message_type is MessageType.signal:
            if fields.get(HeaderFields.member) == "NameOwnerChanged" and message.body[:1] == (KWIN_NAME,):
                self._kwin_moved = True
            return False
        if (
            fields.get(HeaderFields.path) != CALLBACK_PATH
            or fields.get(HeaderFields.member) != CALLBACK_METHOD
            or fields.get(HeaderFields.interface, CALLBACK_INTERFACE) != CALLBACK_INTERFACE
        ):
            self._reply(message, new_error(message, "org.freedesktop.DBus.Error.UnknownMethod"))
            return False
        sender = fields.get(HeaderFields.sender)
        if sender != self._kwin_owner:
            self._refused = f"refused a report from {sender}, which is not KWin ({self._kwin_owner})"
            self._reply(message, new_error(message, "org.freedesktop.DBus.Error.AccessDenied"))
            return False
        try:
            activation = parse_activation(tuple(message.body))
        except ValueError as error:
            self._refused = f"refused an unreadable report: {error}"
            self._reply(
                message, new_error(message, "org.freedesktop.DBus.Error.InvalidArgs", "s", (str(error),))
            )
            return False
        self._reply(message, new_method_return(message))
        changed = activation != self._activation
        self._activation = activation
        return changed

    def foreground(self, *, with_title: bool) -> Foreground:
        self._pump()
        if self._problem is not None:
            return Foreground(app=None, reason=self._problem)
        return foreground_from_activation(
            self._activation,
            with_title=with_title,
            own_pid=self._own_pid,
            name_of_process=self._name_of_process,
        )

    def change_fd(self) -> int | None:
        """The socket KWin's calls arrive on; it changes when the probe had to reconnect."""
        if self._problem is not None:
            return None
        try:
            return int(self._bus.connection().sock.fileno())
        except DBusCallError:
            return None

    def drain_changes(self) -> bool:
        return self._pump()

    def status(self) -> ProbeStatus:
        found = self.foreground(with_title=False)
        refused = f"; {self._refused}" if self._refused else ""
        if found.app is not None:
            detail = f"focused: {found.app.executable} (pid {found.pid}); told by a KWin script{refused}"
            return ProbeStatus("foreground", self.backend, True, detail)
        works = self._problem is None and self._activation is not None
        return ProbeStatus(
            "foreground",
            self.backend,
            works,
            f"{found.reason or 'unknown'}{refused}",
            None if works else "this needs KDE Plasma (5.27 or 6) with KWin scripting on the session bus",
        )

    def close(self) -> None:
        if self._loaded and self._problem is None:
            with contextlib.suppress(DBusCallError):
                self._bus.call(SCRIPTING, "unloadScript", "s", (self._plugin,))
        self._loaded = False
        for handle in self._filters:
            handle.close()
        self._filters = []
        if self._script_path is not None:
            with contextlib.suppress(OSError):
                os.remove(self._script_path)
            self._script_path = None
        self._bus.close()
