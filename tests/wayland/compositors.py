"""Real Wayland compositors, headless, for the tests: sway, KWin and GNOME Shell, with their own
ways of driving focus and input, and the environment a tracker needs to watch them."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from jeepney import DBusAddress, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from tests.tracker.linux_desktop import require, wait_until
from wellbeing_app.tracker import wayland_idle as wire

NOBODY = 65534
STARTUP = 30.0  # seconds a compositor may take to come up on a loaded 2-core machine


@dataclass
class Compositor:
    """A running compositor: the environment its clients need, and how to drive it."""

    name: str
    env: dict[str, str]
    runtime_dir: Path
    poke: Callable[[], None]  # one input event, as a person's key press
    focus: Callable[[str], None]  # bring the window of this app to the front
    start_app: Callable[[str], None]  # start a small app of that name (its own executable)
    processes: list[subprocess.Popen[Any]] = field(default_factory=list)
    #: KWin only: run a KWin script and return what it printed (lines "wellbeing-test: …").
    kwin_script: Callable[[str], list[str]] | None = None
    #: GNOME only: the address of its private system bus (where logind would be).
    system_bus: str | None = None
    #: GNOME only: press and release these keysyms together (Mutter's RemoteDesktop).
    keys: Callable[[list[int]], None] | None = None


def _start(command: list[str], env: dict[str, str], log: Path, **options: Any) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **options
        )


def _group_alive(group: int) -> bool:
    """Whether a process of this process group still runs (zombies waiting for a parent do not)."""
    for process in psutil.process_iter(["status"]):
        with contextlib.suppress(psutil.Error, OSError):
            if os.getpgid(process.pid) == group and process.info["status"] != psutil.STATUS_ZOMBIE:
                return True
    return False


def stop_group(process: subprocess.Popen[Any]) -> None:
    """Stop a process we started in a session of its own, and everything it started, by its id.

    Waits for the whole group, not only for its leader: a compositor outlives a
    dbus-run-session that has already exited, and would write into a folder removed after.
    """
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            break
        try:
            wait_until(lambda: process.poll() is not None and not _group_alive(process.pid), timeout=5)
            break
        except AssertionError:
            continue
    process.poll()


def _alive(process: subprocess.Popen[Any], log: Path) -> None:
    if process.poll() is not None:
        raise AssertionError(
            f"{process.args[0]} exited with {process.returncode}:\n{log.read_text()[-3000:]}"
        )


def _wait_for_socket(path: Path, process: subprocess.Popen[Any], log: Path) -> None:
    def ready() -> bool:
        _alive(process, log)
        if not path.exists():
            return False
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(path))
            return True
        except OSError:
            return False
        finally:
            probe.close()

    wait_until(ready, timeout=STARTUP, what=f"{path} to accept connections")


def _base_env() -> dict[str, str]:
    keep = ("PATH", "LANG", "HOME")
    return {key: os.environ[key] for key in keep if key in os.environ}


def _copy_program(program: str, folder: Path, name: str) -> Path:
    """A copy of `program` under another name: a different executable, as another app is."""
    target = folder / name
    if not target.exists():
        shutil.copy(require(program), target)
        target.chmod(0o755)
    return target


# --- sway ---------------------------------------------------------------------------------------


def focused_app_id(tree: dict[str, Any]) -> str | None:
    """The app id of the focused window of a sway tree (`swaymsg -t get_tree`), if a window has it."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.get("focused"):
            app_id = node.get("app_id")
            return app_id if isinstance(app_id, str) else None
        stack.extend(node.get("nodes", []) + node.get("floating_nodes", []))
    return None


@contextmanager
def headless_sway() -> Iterator[Compositor]:
    """sway 1.7 headless, run as `nobody` (it refuses root) with a private runtime dir."""
    top = Path(tempfile.mkdtemp(prefix="wellbeing-sway-"))
    top.chmod(0o755)
    runtime = top / "run"
    runtime.mkdir(mode=0o700)
    os.chown(runtime, NOBODY, NOBODY)
    config = top / "config"
    config.write_text("output HEADLESS-1 resolution 1280x800 position 0 0\nxwayland disable\n")
    config.chmod(0o644)
    log = top / "sway.log"
    env = {
        "XDG_RUNTIME_DIR": str(runtime),
        "WLR_BACKENDS": "headless",
        "WLR_LIBINPUT_NO_DEVICES": "1",
        "WLR_RENDERER": "pixman",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    setpriv = [require("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    sway = _start([*setpriv, require("sway"), "-c", str(config)], env, log)
    compositor = Compositor(
        "sway", {}, runtime, poke=lambda: None, focus=lambda _: None, start_app=lambda _: None
    )
    try:
        wayland = runtime / "wayland-1"
        _wait_for_socket(wayland, sway, log)
        swaysock = wait_until(lambda: next(runtime.glob("sway-ipc.*.sock"), None), what="sway's IPC socket")
        # The clients' own runtime dir: the compositor's belongs to nobody.
        client_env = {**_base_env(), "WAYLAND_DISPLAY": str(wayland), "SWAYSOCK": str(swaysock)}
        client_env["XDG_RUNTIME_DIR"] = str(top)
        compositor.env = client_env

        def tree() -> dict[str, Any]:
            out = subprocess.run(
                [require("swaymsg"), "-t", "get_tree"], env=client_env, capture_output=True, check=True
            ).stdout
            return json.loads(out)  # type: ignore[no-any-return]

        def poke() -> None:
            subprocess.run([require("wtype"), "-k", "shift_l"], env=client_env, check=True, timeout=10)

        def focus(app: str) -> None:
            subprocess.run(
                [require("swaymsg"), f"[app_id={app}] focus"], env=client_env, capture_output=True, check=True
            )
            wait_until(lambda: focused_app_id(tree()) == app, what=f"{app} focused in sway's tree")

        def start_app(app: str) -> None:
            program = _copy_program("foot", top, app)
            foot = _start([str(program), "--app-id", app, "sleep", "600"], client_env, top / f"{app}.log")
            compositor.processes.append(foot)
            wait_until(
                lambda: f'"app_id": "{app}"' in json.dumps(tree()), timeout=STARTUP, what=f"{app}'s window"
            )

        compositor.poke, compositor.focus, compositor.start_app = poke, focus, start_app
        yield compositor
    finally:
        for process in compositor.processes:
            stop_group(process)
        stop_group(sway)
        shutil.rmtree(top, ignore_errors=True)


# --- KWin ---------------------------------------------------------------------------------------

_QT_APP = """\
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv)
app.setDesktopFileName(sys.argv[1])  # the Wayland app id, KWin's resourceClass
label = QLabel(sys.argv[1])
label.resize(320, 200)
label.show()
app.exec()
"""

_KWIN_FOCUS = """\
var wanted = %s;
var clients = workspace.clientList();
for (var i = 0; i < clients.length; i++) {
    if (String(clients[i].resourceClass) === wanted) {
        workspace.activeClient = clients[i];
    }
}
var active = workspace.activeClient;
print("wellbeing-test: active " + (active ? String(active.resourceClass) : "none"));
"""


def _wayland_session(path: Path) -> tuple[socket.socket, dict[str, wire.Global]]:
    """A raw Wayland connection with the registry read (objects 2 and 3): the globals by interface.

    New object ids must follow each other with no gap: the next one is 4.
    """
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(5)
    connection.connect(str(path))
    connection.sendall(
        wire.encode_message(wire.DISPLAY_ID, wire.DISPLAY_GET_REGISTRY, wire.uint_arg(2))
        + wire.encode_message(wire.DISPLAY_ID, wire.DISPLAY_SYNC, wire.uint_arg(3))
    )
    buffer, globals_ = b"", {}
    while True:
        buffer += connection.recv(4096)
        messages, buffer = wire.split_messages(buffer)
        for message in messages:
            if (message.object_id, message.opcode) == (2, wire.REGISTRY_GLOBAL):
                item = wire.read_global(message.payload)
                globals_.setdefault(item.interface, item)
            elif message.object_id == 3:
                return connection, globals_


def kde_user_activity(path: Path) -> None:
    """Tell KWin a person did something, through `org_kde_kwin_idle_timeout.simulate_user_activity`.

    KWin 5.27 offers no virtual keyboard to an ordinary client (wtype: "Compositor does not
    support the virtual keyboard protocol") and hides its fake-input protocol from clients
    without a desktop file that asks for it; this request resets every idle timer of the seat,
    the ext-idle-notify ones included, as a key press would.
    """
    connection, globals_ = _wayland_session(path)
    try:

        def bind(item: wire.Global, new_id: int) -> bytes:
            arguments = wire.uint_arg(item.name) + wire.string_arg(item.interface) + wire.uint_arg(1)
            return wire.encode_message(2, wire.REGISTRY_BIND, arguments + wire.uint_arg(new_id))

        timeout = wire.uint_arg(6) + wire.uint_arg(4) + wire.uint_arg(60_000)
        connection.sendall(
            bind(globals_[wire.SEAT], 4)
            + bind(globals_[wire.KDE_IDLE], 5)
            + wire.encode_message(5, wire.KDE_GET_IDLE_TIMEOUT, timeout)
            + wire.encode_message(6, 1)  # simulate_user_activity
            + wire.encode_message(wire.DISPLAY_ID, wire.DISPLAY_SYNC, wire.uint_arg(7))
        )
        buffer = b""
        while True:
            buffer += connection.recv(4096)
            messages, buffer = wire.split_messages(buffer)
            for message in messages:
                if (message.object_id, message.opcode) == (wire.DISPLAY_ID, wire.DISPLAY_ERROR):
                    raise AssertionError(wire.read_error(message.payload))
                if message.object_id == 7:
                    return
    finally:
        connection.close()


class _KWinScripts:
    """Runs one-off KWin scripts over D-Bus (org.kde.kwin.Scripting) and returns what they printed.

    KWin reads a script's file in a thread of its own and runs it later: a script unloaded at
    once may never run. Each script ends by printing a marker; it is unloaded once that is in
    KWin's log.
    """

    def __init__(self, bus: DBusConnection, folder: Path, log: Path) -> None:
        self._bus = bus
        self._folder = folder
        self._log = log
        self._count = 0

    def run(self, source: str) -> list[str]:
        """The lines the script printed with "wellbeing-test: " (without that prefix)."""
        self._count += 1
        plugin = f"wellbeing-test-{self._count}"
        marker = f"wellbeing-test: {plugin} done"
        path = self._folder / f"{plugin}.js"
        # A script that throws says so (and still prints the marker).
        guarded = f'try {{\n{source}\n}} catch (error) {{ print("wellbeing-test: error " + error); }}'
        path.write_text(f'{guarded}\nprint("{marker}");\n')
        before = len(self._log.read_text().splitlines())
        scripting = DBusAddress("/Scripting", bus_name="org.kde.KWin", interface="org.kde.kwin.Scripting")
        load = new_method_call(scripting, "loadScript", "ss", (str(path), plugin))

        def loaded() -> Any:
            reply = self._bus.send_and_get_reply(load)
            return reply if reply.header.message_type.name == "method_return" else None

        # KWin takes its name on the bus before it registers /Scripting: wait for the object.
        script_id = wait_until(loaded, timeout=STARTUP, what="KWin's /Scripting object").body[0]
        assert script_id >= 0, f"KWin refused to load {plugin}"
        # Not the script's own object (`/<id>`): KWin 5.27 numbers a script by how many are
        # loaded, so after an unload two scripts can share a number and the call reaches the
        # other. `start` runs every loaded script that is not running yet.
        self._bus.send_and_get_reply(new_method_call(scripting, "start"))

        def printed() -> list[str] | None:
            lines = self._log.read_text().splitlines()[before:]
            if not any(marker in line for line in lines):
                return None
            return [line.split("wellbeing-test: ", 1)[1] for line in lines if "wellbeing-test: " in line]

        try:
            output = wait_until(printed, timeout=STARTUP, what=f"KWin to run {plugin}")
        finally:
            self._bus.send_and_get_reply(new_method_call(scripting, "unloadScript", "s", (plugin,)))
        errors = [line for line in output if line.startswith("error ")]
        assert not errors, f"{plugin} failed in KWin: {errors}"
        return [line for line in output if not line.endswith(" done")]


@contextmanager
def headless_kwin() -> Iterator[Compositor]:
    """KWin 5.27 on its virtual backend, in a D-Bus session of its own.

    Debian's binary carries a file capability (cap_sys_resource) that a container refuses to
    root; a plain copy of it runs.
    """
    top = Path(tempfile.mkdtemp(prefix="wellbeing-kwin-"))
    runtime = top / "run"
    runtime.mkdir(mode=0o700)
    kwin = _copy_program("kwin_wayland", top, "kwin_wayland")
    bus_file = top / "bus"
    log = top / "kwin.log"
    env = {**_base_env(), "XDG_RUNTIME_DIR": str(runtime), "HOME": str(top), "QT_QPA_PLATFORM": "offscreen"}
    inner = f'echo "$DBUS_SESSION_BUS_ADDRESS" > {bus_file}; exec {kwin} --virtual --width 1280 --height 800 --socket wl-kwin'
    session = _start([require("dbus-run-session"), "--", "sh", "-c", inner], env, log)
    compositor = Compositor(
        "kwin", {}, runtime, poke=lambda: None, focus=lambda _: None, start_app=lambda _: None
    )
    bus: DBusConnection | None = None
    try:
        wayland = runtime / "wl-kwin"
        _wait_for_socket(wayland, session, log)
        address = wait_until(lambda: bus_file.exists() and bus_file.read_text().strip(), what="KWin's bus")
        bus = open_dbus_connection(address)
        connection = bus
        # KWin opens its Wayland socket before it takes its name on the bus.
        wait_until(
            lambda: connection.send_and_get_reply(message_bus.NameHasOwner("org.kde.KWin")).body[0],
            timeout=STARTUP,
            what="KWin on its session bus",
        )
        scripts = _KWinScripts(bus, top, log)
        compositor.env = {
            **_base_env(),
            "WAYLAND_DISPLAY": str(wayland),
            "XDG_RUNTIME_DIR": str(runtime),
            "DBUS_SESSION_BUS_ADDRESS": address,
            "XDG_CURRENT_DESKTOP": "KDE",
        }
        site = next(Path(p) for p in sys.path if p.endswith("site-packages"))
        app_env = {**compositor.env, "QT_QPA_PLATFORM": "wayland", "PYTHONPATH": str(site)}
        app_source = top / "app.py"
        app_source.write_text(_QT_APP)

        def focus(app: str) -> None:
            assert scripts.run(_KWIN_FOCUS % json.dumps(app)) == [f"active {app}"]

        def start_app(app: str) -> None:
            program = _copy_program(str(Path(sys.executable).resolve()), top, app)
            process = _start([str(program), str(app_source), app], app_env, top / f"{app}.log")
            compositor.processes.append(process)

            def shown() -> bool:
                _alive(process, top / f"{app}.log")
                return scripts.run(_KWIN_FOCUS % json.dumps(app)) == [f"active {app}"]

            wait_until(shown, timeout=STARTUP, what=f"{app}'s window in KWin")

        compositor.kwin_script = scripts.run
        compositor.poke = lambda: kde_user_activity(wayland)
        compositor.focus, compositor.start_app = focus, start_app
        yield compositor
    finally:
        if bus is not None:
            bus.close()
        for process in compositor.processes:
            stop_group(process)
        stop_group(session)
        shutil.rmtree(top, ignore_errors=True)


# --- GNOME Shell --------------------------------------------------------------------------------


@contextmanager
def headless_gnome() -> Iterator[Compositor]:
    """GNOME Shell 43 headless with a private system bus; input through Mutter's RemoteDesktop."""
    top = Path(tempfile.mkdtemp(prefix="wellbeing-gnome-"))
    runtime = top / "run"
    runtime.mkdir(mode=0o700)
    system_socket = top / "system_bus_socket"
    base = {**_base_env(), "HOME": str(top)}
    system_bus = _start(
        [require("dbus-daemon"), "--session", f"--address=unix:path={system_socket}", "--nofork"],
        base,
        top / "system-bus.log",
    )
    bus_file = top / "bus"
    log = top / "gnome-shell.log"
    env = {
        **base,
        "XDG_RUNTIME_DIR": str(runtime),
        "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={system_socket}",
    }
    shell = (
        f'echo "$DBUS_SESSION_BUS_ADDRESS" > {bus_file}; exec {require("gnome-shell")} --headless --wayland '
        "--no-x11 --wayland-display wl-gnome --virtual-monitor 1280x800"
    )
    compositor = Compositor(
        "gnome", {}, runtime, poke=lambda: None, focus=lambda _: None, start_app=lambda _: None
    )
    session: subprocess.Popen[bytes] | None = None
    bus: DBusConnection | None = None
    try:
        wait_until(system_socket.exists, what="the private system bus")
        session = _start([require("dbus-run-session"), "--", "sh", "-c", shell], env, log)
        wayland = runtime / "wl-gnome"
        _wait_for_socket(wayland, session, log)
        address = wait_until(lambda: bus_file.exists() and bus_file.read_text().strip(), what="GNOME's bus")
        bus = open_dbus_connection(address)
        remote = DBusAddress(
            "/org/gnome/Mutter/RemoteDesktop",
            bus_name="org.gnome.Mutter.RemoteDesktop",
            interface="org.gnome.Mutter.RemoteDesktop",
        )
        connection = bus

        def create_session() -> Any:
            reply = connection.send_and_get_reply(new_method_call(remote, "CreateSession"))
            return reply if reply.header.message_type.name == "method_return" else None

        # The shell opens its Wayland socket before it takes its names on the bus.
        opened = wait_until(create_session, timeout=STARTUP, what="Mutter's RemoteDesktop on the bus")
        keyboard = DBusAddress(
            opened.body[0], bus_name="org.gnome.Mutter.RemoteDesktop", interface=f"{remote.interface}.Session"
        )
        bus.send_and_get_reply(new_method_call(keyboard, "Start"))

        def poke() -> None:
            for pressed in (True, False):
                reply = connection.send_and_get_reply(
                    new_method_call(keyboard, "NotifyKeyboardKeysym", "ub", (0xFFE1, pressed))  # Shift_L
                )
                assert reply.header.message_type.name == "method_return", reply.body

        compositor.env = {
            **_base_env(),
            "WAYLAND_DISPLAY": str(wayland),
            "XDG_RUNTIME_DIR": str(runtime),
            "DBUS_SESSION_BUS_ADDRESS": address,
            "XDG_CURRENT_DESKTOP": "GNOME",
        }

        def keys(keysyms: list[int]) -> None:
            for keysym, pressed in [(k, True) for k in keysyms] + [(k, False) for k in reversed(keysyms)]:
                reply = connection.send_and_get_reply(
                    new_method_call(keyboard, "NotifyKeyboardKeysym", "ub", (keysym, pressed))
                )
                assert reply.header.message_type.name == "method_return", reply.body

        compositor.poke, compositor.keys = poke, keys
        compositor.system_bus = f"unix:path={system_socket}"
        yield compositor
    finally:
        if bus is not None:
            bus.close()
        if session is not None:
            stop_group(session)
        stop_group(system_bus)
        shutil.rmtree(top, ignore_errors=True)


# --- the tray app in a compositor's session -----------------------------------------------------


@contextmanager
def tray_app(compositor: Compositor, data: Path, **extra_env: str) -> Iterator[subprocess.Popen[bytes]]:
    """`wellbeing-app run` on Qt's Wayland platform in the compositor's session (its output in
    `data/app.log`)."""
    env = {**compositor.env, "QT_QPA_PLATFORM": "wayland", "WELLBEING_DATA_DIR": str(data), **extra_env}
    with (data / "app.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "wellbeing_app", "run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            stop_group(process)


def overlay_records(data: Path) -> list[Any]:
    """The payloads of the "taken out of view" records in `data`, as the dashboard reads them."""
    from wellbeing_app.core.model import EventKind
    from wellbeing_app.service import Service

    service = Service.open(data)
    try:
        return [event.payload for event in service.events(1, [EventKind.OVERLAY_HIDDEN])]
    finally:
        service.close()
