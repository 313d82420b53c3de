"""GNOME Shell lets no client keep the focus: when the overlay is not in front a few seconds into
a block, the session is locked (logind's LockSession for our session here: `org.gnome.ScreenSaver`
is not there headless) and the parent reads it; where nothing can lock, that is recorded too.

On GNOME Shell 43 headless a new window is never made active (Qt's `isActiveWindow` stays false),
so the overlay is out of front from the start and the lock comes a few seconds into every block.
logind is `python3-dbusmock`'s template on GNOME's private system bus.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from tests.tracker.linux_desktop import wait_until
from tests.wayland.compositors import Compositor, headless_gnome, overlay_records, stop_group, tray_app
from tests.xcb.conftest import prepare_data
from wellbeing_app.core.events import OverlayHiddenPayload

pytestmark = [pytest.mark.wayland, pytest.mark.slow]

SESSION = "c1"
MOCK = DBusAddress("/org/freedesktop/login1", "org.freedesktop.login1", "org.freedesktop.DBus.Mock")
#: The holder locks after 3 one-second ticks out of front; the app needs a moment to start.
LOCK_WITHIN = 15.0


@pytest.fixture(scope="module")
def gnome() -> Iterator[Compositor]:
    with headless_gnome() as compositor:
        yield compositor


@pytest.fixture
def logind(gnome: Compositor, tmp_path: Path) -> Iterator[DBusConnection]:
    """logind (dbusmock's template) on GNOME's system bus, with our session `c1`; its Mock
    interface lists the calls it got."""
    assert gnome.system_bus is not None
    env = {**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": gnome.system_bus}
    with (tmp_path / "logind.log").open("wb") as log:
        mock = subprocess.Popen(
            ["/usr/bin/python3", "-m", "dbusmock", "--system", "--template", "logind"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    bus = open_dbus_connection(gnome.system_bus)
    try:

        def added() -> bool:
            reply = bus.send_and_get_reply(
                new_method_call(MOCK, "AddSession", "ssusb", (SESSION, "seat0", 0, "root", True))
            )
            return reply.header.message_type.name == "method_return"

        wait_until(added, timeout=30, what="logind's stand-in on the system bus")
        yield bus
    finally:
        bus.close()
        stop_group(mock)


def lock_calls(bus: DBusConnection) -> list[tuple[str, tuple[object, ...]]]:
    reply = bus.send_and_get_reply(new_method_call(MOCK, "GetCalls"))
    # Each argument comes as a variant: (signature, value).
    return [
        (str(call[1]), tuple(arg[1] for arg in call[2])) for call in reply.body[0] if "Lock" in str(call[1])
    ]


def test_the_overlay_not_in_front_on_gnome_locks_the_session_and_says_so(
    gnome: Compositor, logind: DBusConnection, tmp_path: Path
) -> None:
    assert gnome.system_bus is not None
    prepare_data(tmp_path, remaining_seconds=0).close()
    began = time.monotonic()
    with tray_app(gnome, tmp_path, DBUS_SYSTEM_BUS_ADDRESS=gnome.system_bus, XDG_SESSION_ID=SESSION) as app:
        calls = wait_until(lambda: lock_calls(logind), timeout=LOCK_WITHIN, what="a LockSession call")
        locked_after = time.monotonic() - began
        records = wait_until(lambda: overlay_records(tmp_path), timeout=150, what="the record")
        assert app.poll() is None
    assert calls[0] == ("LockSession", (SESSION,))
    assert records == [OverlayHiddenPayload("focus", then="locked", why=f"logind LockSession {SESSION}")]
    print(f"GNOME: session locked {locked_after:.1f} s after the app started at its cap")


def test_where_nothing_can_lock_it_is_recorded_that_the_overlay_did_not_hold(
    gnome: Compositor, tmp_path: Path
) -> None:
    prepare_data(tmp_path, remaining_seconds=0).close()
    # No logind on GNOME's system bus, no screen saver on its session bus.
    with tray_app(gnome, tmp_path, DBUS_SYSTEM_BUS_ADDRESS=str(gnome.system_bus)) as app:
        (record,) = wait_until(lambda: overlay_records(tmp_path), timeout=150, what="the record")
        assert app.poll() is None
    assert (record.how, record.then) == ("focus", "not held")
    assert "org.gnome.ScreenSaver" in record.why, record.why
    assert "logind" in record.why, record.why


def test_a_kwin_hold_that_cannot_run_its_script_falls_back_to_locking(
    gnome: Compositor, logind: DBusConnection, tmp_path: Path
) -> None:
    """A session that says it is KDE but has no KWin on its bus (the script cannot be loaded)."""
    assert gnome.system_bus is not None
    prepare_data(tmp_path, remaining_seconds=0).close()
    extra = {
        "DBUS_SYSTEM_BUS_ADDRESS": gnome.system_bus,
        "XDG_SESSION_ID": SESSION,
        "XDG_CURRENT_DESKTOP": "KDE",
    }
    with tray_app(gnome, tmp_path, **extra) as app:
        wait_until(lambda: lock_calls(logind), timeout=LOCK_WITHIN, what="a LockSession call")
        (record,) = wait_until(lambda: overlay_records(tmp_path), timeout=150, what="the record")
        assert app.poll() is None
    assert (record.how, record.then) == ("unheld", "locked")
    assert "KWin did not run the script" in record.why
    assert record.why.endswith(f"logind LockSession {SESSION}")
