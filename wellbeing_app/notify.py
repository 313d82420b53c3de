"""Desktop notifications over freedesktop's D-Bus service, for desktops without a system tray."""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)

NOTIFICATIONS = "org.freedesktop.Notifications"
TIMEOUT_MS = 8000


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
    if not target:
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
