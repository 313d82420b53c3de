"""Desktop notifications over freedesktop's D-Bus service, for desktops without a system tray."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import MutableMapping

log = logging.getLogger(__name__)

NOTIFICATIONS = "org.freedesktop.Notifications"
TIMEOUT_MS = 8000
#: Where the tray app says the session bus is when there is none: a path that cannot exist, so that
#: connecting fails at once instead of libdbus autolaunching a bus (see `never_autolaunch_a_bus`).
NO_SESSION_BUS = "unix:path=/nonexistent/wellbeing-no-session-bus"


def never_autolaunch_a_bus(environ: MutableMapping[str, str] | None = None) -> bool:
    """With no session bus named, name one that cannot be reached; True when it did.

    Without DBUS_SESSION_BUS_ADDRESS, libdbus (which Qt's tray, theme and accessibility use)
    "autolaunches" a bus on X11: `dbus-launch` starts a `dbus-daemon` that is nobody's child and
    outlives the app. An address that fails to connect leaves those parts of Qt without a bus,
    which is what they would have without one. `$XDG_RUNTIME_DIR/bus` is a real bus: it is named.
    """
    env = os.environ if environ is None else environ
    if env.get("DBUS_SESSION_BUS_ADDRESS") or not sys.platform.startswith("linux"):
        return False
    runtime = env.get("XDG_RUNTIME_DIR")
    user_bus = os.path.join(runtime, "bus") if runtime else None
    if user_bus is not None and os.path.exists(user_bus):
        env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={user_bus}"
        return False
    env["DBUS_SESSION_BUS_ADDRESS"] = NO_SESSION_BUS
    return True


def send_notification(title: str, body: str, *, address: str | None = None, timeout: float = 2.0) -> bool:
    """Show a notification; False (and a log line) when no notification service answers.

    Uses jeepney on Linux so the argument types are exactly the ones the specification names
    (`susssasa{sv}i`), which strict notification daemons insist on.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        return False
    target = address or os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if not target or target == NO_SESSION_BUS:
        return False
    try:
        with open_dbus_connection(target) as connection:
            message = new_method_call(
                DBusAddress(
                    "/org/freedesktop/Notifications", bus_name=NOTIFICATIONS, interface=NOTIFICATIONS
                ),
                "Notify",
                "susssasa{sv}i",
                ("Wellbeing", 0, "wellbeing-app", title, body, [], {}, TIMEOUT_MS),
            )
            reply = connection.send_and_get_reply(message, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as error:
        log.info("no desktop notification: %s", error)
        return False
    return bool(reply.header.message_type.name == "method_return")
