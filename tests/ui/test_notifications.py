"""Warnings reach the person through freedesktop notifications where there is no tray."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.tracker.linux_desktop import FakeService, private_session_bus
from wellbeing_app.notify import send_notification


def test_a_notification_goes_to_the_notification_service(tmp_path: Path) -> None:
    received: list[tuple[Any, ...]] = []

    def notify(message: Any) -> tuple[str, tuple[Any, ...]]:
        received.append((message.header.fields, message.body))
        return "u", (7,)

    handlers = {("org.freedesktop.Notifications", "Notify"): notify}
    with (
        private_session_bus(tmp_path) as address,
        FakeService(address, "org.freedesktop.Notifications", handlers),
    ):
        assert send_notification("Screen time", "5 minutes of screen time left today.", address=address)
    assert len(received) == 1
    fields, body = received[0]
    assert body == (
        "Wellbeing",
        0,
        "wellbeing-app",
        "Screen time",
        "5 minutes of screen time left today.",
        [],
        {},
        8000,
    )
    assert "susssasa{sv}i" in fields.values()


def test_without_a_notification_service_it_says_so(tmp_path: Path) -> None:
    with private_session_bus(tmp_path) as address:
        assert send_notification("Screen time", "hello", address=address, timeout=1.0) is False
