"""Real X servers, window managers, X clients and D-Bus buses for the Linux tracker tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jeepney import MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from Xlib import X, Xatom
from Xlib import display as xdisplay
from Xlib import error as xerror

from wellbeing_app.core.model import AppRef

DEADLINE = 10.0


def wait_until(condition: Callable[[], object], timeout: float = DEADLINE, what: str = "condition") -> Any:
    """Poll `condition` until it is truthy; return its value, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def stop(process: subprocess.Popen[Any]) -> None:
    """Stop a process we started, by its pid, and reap it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def require(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise AssertionError(
            f"{program} is not installed: apt-get install -y --no-install-recommends {program}"
        )
    return path


# -- X -------------------------------------------------------------------------------------


@contextmanager
def private_xvfb(*extra: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A fresh Xvfb of our own, for tests that must control everything on the display."""
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [
            require("Xvfb"),
            "-displayfd",
            str(write_end),
            "-nolisten",
            "tcp",
            "-s",
            "0",
            "-screen",
            "0",
            "640x480x24",
            *extra,
        ],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            number = pipe.readline().strip().decode()
        if not number:
            raise AssertionError("Xvfb did not start")
        yield f":{number}", process
    finally:
        stop(process)


def wm_running(display_name: str) -> bool:
    """True when a window manager's _NET_SUPPORTING_WM_CHECK window exists and points at itself."""
    display = xdisplay.Display(display_name)
    try:
        check = display.intern_atom("_NET_SUPPORTING_WM_CHECK")
        prop = display.screen().root.get_property(check, Xatom.WINDOW, 0, 1)
        if prop is None or not prop.value:
            return False
        window = display.create_resource_object("window", prop.value[0])
        try:
            own = window.get_property(check, Xatom.WINDOW, 0, 1)
        except (xerror.BadWindow, xerror.BadDrawable):
            return False
        return own is not None and bool(own.value) and own.value[0] == prop.value[0]
    finally:
        display.close()


def start_openbox(display_name: str) -> subprocess.Popen[bytes]:
    """openbox on the display, once it manages it. An openbox that ends at once (it found a window
    manager on its way out, seen on a shared display in CI) is started again, with `--replace`."""
    env = {**os.environ, "DISPLAY": display_name}
    for attempt in range(3):
        replace = ["--replace"] if attempt else []
        process = subprocess.Popen(
            [require("openbox"), "--sm-disable", *replace],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_until(
                lambda p=process: wm_running(display_name) or p.poll() is not None,
                what="openbox to set _NET_SUPPORTING_WM_CHECK",
            )
        except BaseException:
            stop(process)
            raise
        if process.poll() is None:
            return process
    raise AssertionError(f"openbox ended at once on {display_name}, three times")


def xdotool(display_name: str, *args: str) -> str:
    env = {**os.environ, "DISPLAY": display_name}
    result = subprocess.run(
        [require("xdotool"), *args], env=env, capture_output=True, text=True, timeout=DEADLINE, check=True
    )
    return result.stdout


def start_xterm(
    display_name: str, program: Path, *, title: str, geometry: str
) -> tuple[subprocess.Popen[bytes], int]:
    """Start an xterm (or a renamed copy of it) and wait for its window; (process, window id)."""
    env = {**os.environ, "DISPLAY": display_name}
    process = subprocess.Popen(
        [str(program), "-geometry", geometry, "-T", title, "-e", "cat"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        found = xdotool(display_name, "search", "--sync", "--onlyvisible", "--pid", str(process.pid))
        window = int(found.split()[-1])
    except BaseException:
        stop(process)
        raise
    return process, window


def activate(display_name: str, window: int) -> None:
    xdotool(display_name, "windowactivate", "--sync", str(window))


def window_exists(display_name: str, window: int) -> bool:
    display = xdisplay.Display(display_name)
    try:
        display.create_resource_object("window", window).get_geometry()
        return True
    except (xerror.BadWindow, xerror.BadDrawable):
        return False
    finally:
        display.close()


def set_root_window_property(display: Any, name: str, value: int | None) -> None:
    """Set (or delete, for None) a WINDOW property of the root window, as a window manager would."""
    atom = display.intern_atom(name)
    root = display.screen().root
    if value is None:
        root.delete_property(atom)
    else:
        root.change_property(atom, Xatom.WINDOW, 32, [value])
    display.sync()


def create_window(display: Any, *, title: str | None = None, net_wm_pid: int | None = None) -> Any:
    """A small mapped top-level window of this very process."""
    screen = display.screen()
    window = screen.root.create_window(10, 10, 120, 80, 0, screen.root_depth, X.InputOutput, X.CopyFromParent)
    window.set_wm_class("wellbeing-test", "WellbeingTest")
    window.set_wm_hints(flags=1, input=1)  # InputHint: it takes the keyboard focus
    if title is not None:
        window.change_property(
            display.intern_atom("_NET_WM_NAME"), display.intern_atom("UTF8_STRING"), 8, title.encode()
        )
    if net_wm_pid is not None:
        window.change_property(display.intern_atom("_NET_WM_PID"), Xatom.CARDINAL, 32, [net_wm_pid])
    window.map()
    display.sync()
    return window


# -- D-Bus ---------------------------------------------------------------------------------

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={folder}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@contextmanager
def private_session_bus(folder: Path) -> Iterator[str]:
    """A dbus-daemon of our own, with no activatable services; yields its address."""
    config = folder / "session.conf"
    config.write_text(_BUS_CONFIG.format(folder=folder))
    process = subprocess.Popen(
        [require("dbus-daemon"), f"--config-file={config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        address = process.stdout.readline().strip()
        if not address:
            raise AssertionError("dbus-daemon did not print its address")
        yield address
    finally:
        stop(process)


class DBusFailure(Exception):
    """Raised by a handler to answer with a D-Bus error."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(name)
        self.name = name
        self.text = text


Handler = Callable[[Any], tuple[str, tuple[Any, ...]]]


class FakeService:
    """A D-Bus service on its own connection and thread, answering the methods it is given.

    `handlers` maps (interface, member) to a function of the message that returns the reply's
    (signature, body). Unknown methods get org.freedesktop.DBus.Error.UnknownMethod.
    """

    def __init__(self, address: str, bus_name: str, handlers: dict[tuple[str, str], Handler]) -> None:
        self.address = address
        self.bus_name = bus_name
        self.handlers = handlers
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"fake {bus_name}", daemon=True)

    def __enter__(self) -> FakeService:
        self._thread.start()
        if not self._ready.wait(DEADLINE):
            raise AssertionError(f"{self.bus_name} did not start")
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(DEADLINE)
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        connection: DBusConnection | None = None
        try:
            connection = open_dbus_connection(self.address)
            reply = connection.send_and_get_reply(message_bus.RequestName(self.bus_name), timeout=DEADLINE)
            if reply.body != (1,):
                raise AssertionError(f"could not own {self.bus_name}: {reply.body}")
            self._ready.set()
            while not self._stop.is_set():
                try:
                    message = connection.receive(timeout=0.05)
                except TimeoutError:
                    continue
                if message.header.message_type != MessageType.method_call:
                    continue
                self._answer(connection, message)
        except BaseException as exc:
            self._error = exc
            self._ready.set()
        finally:
            if connection is not None:
                connection.close()

    def _answer(self, connection: DBusConnection, message: Any) -> None:
        from jeepney.low_level import HeaderFields

        fields = message.header.fields
        key = (fields.get(HeaderFields.interface, ""), fields.get(HeaderFields.member, ""))
        handler = self.handlers.get(key)
        if handler is None:
            connection.send(
                new_error(
                    message, "org.freedesktop.DBus.Error.UnknownMethod", "s", (f"no {key[0]}.{key[1]}",)
                )
            )
            return
        try:
            signature, body = handler(message)
        except DBusFailure as failure:
            connection.send(new_error(message, failure.name, "s", (failure.text,)))
            return
        connection.send(new_method_return(message, signature, body))


class FakeMprisPlayer(FakeService):
    """An MPRIS player whose PlaybackStatus the test sets."""

    def __init__(self, address: str, suffix: str = "testplayer", status: str = "Playing") -> None:
        self.playback_status = status
        self.answer_after = 0.0  # seconds: a hung player answers late
        super().__init__(
            address,
            f"org.mpris.MediaPlayer2.{suffix}",
            {
                ("org.freedesktop.DBus.Properties", "Get"): self._get,
                ("org.freedesktop.DBus.Properties", "GetAll"): self._get_all,
            },
        )

    def _get(self, message: Any) -> tuple[str, tuple[Any, ...]]:
        interface, name = message.body
        if self.answer_after:
            self._stop.wait(self.answer_after)
        if (interface, name) != ("org.mpris.MediaPlayer2.Player", "PlaybackStatus"):
            return "v", (("s", ""),)
        return "v", (("s", self.playback_status),)

    def _get_all(self, message: Any) -> tuple[str, tuple[Any, ...]]:
        return "a{sv}", ({"PlaybackStatus": ("s", self.playback_status)},)


class FakeScreenSaver(FakeService):
    """An org.freedesktop.ScreenSaver whose GetActive the test sets."""

    def __init__(
        self, address: str, *, path: str = "/org/freedesktop/ScreenSaver", active: bool = False
    ) -> None:
        self.active = active
        self.path = path
        super().__init__(
            address,
            "org.freedesktop.ScreenSaver",
            {("org.freedesktop.ScreenSaver", "GetActive"): self._get_active},
        )

    def _get_active(self, message: Any) -> tuple[str, tuple[Any, ...]]:
        from jeepney.low_level import HeaderFields

        if message.header.fields.get(HeaderFields.path) != self.path:
            raise DBusFailure("org.freedesktop.DBus.Error.UnknownObject", "no such object")
        return "b", (self.active,)


def plain(app: AppRef | None) -> AppRef | None:
    """`app` as it would be if its program lay where only the system can write.

    Test programs are copies under the temporary folder, which the person can write: the probe
    knows them by full path and shows the path in the name. Tests of naming compare this form.
    """
    if app is None or not app.from_writable_place:
        return app
    base = os.path.basename(app.executable)
    return AppRef(base, app.name.removesuffix(f" ({app.executable})"), own=app.own)
