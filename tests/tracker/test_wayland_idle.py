"""The Wayland idle probe's wire format, and the probe against a scripted compositor on a real
Unix socket (the real compositors are in tests/wayland)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tracker.linux_desktop import wait_until
from wellbeing_app.tracker import wayland_idle as wire
from wellbeing_app.tracker.base import TrackerError
from wellbeing_app.tracker.wayland_idle import WaylandIdle, wayland_socket_path


def test_strings_are_closed_and_padded_to_four_bytes() -> None:
    assert wire.string_arg("wl_seat") == wire.uint_arg(8) + b"wl_seat\0"
    assert wire.string_arg("abcd") == wire.uint_arg(5) + b"abcd\0\0\0\0"


def test_messages_split_at_their_sizes_and_an_incomplete_one_waits() -> None:
    first = wire.encode_message(2, 0, wire.uint_arg(7) + wire.string_arg("wl_seat") + wire.uint_arg(8))
    second = wire.encode_message(9, 1)
    messages, rest = wire.split_messages(first + second + second[:5])
    assert [(m.object_id, m.opcode) for m in messages] == [(2, 0), (9, 1)]
    assert wire.read_global(messages[0].payload) == wire.Global(7, "wl_seat", 8)
    assert rest == second[:5]


def test_an_impossible_size_is_a_protocol_error() -> None:
    with pytest.raises(wire.WaylandProtocolError, match="a Wayland message of 6 bytes is not possible"):
        wire.split_messages(wire._HEADER.pack(1, (6 << 16) | 0))


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"WAYLAND_DISPLAY": "/run/x/wayland-1"}, Path("/run/x/wayland-1")),
        (
            {"WAYLAND_DISPLAY": "wayland-1", "XDG_RUNTIME_DIR": "/run/user/1000"},
            Path("/run/user/1000/wayland-1"),
        ),
        ({"XDG_RUNTIME_DIR": "/run/user/1000"}, Path("/run/user/1000/wayland-0")),
        ({"WAYLAND_DISPLAY": "wayland-1"}, None),
    ],
)
def test_the_socket_follows_wayland_display(env: dict[str, str], expected: Path | None) -> None:
    assert wayland_socket_path(env) == expected


class ScriptedCompositor:
    """Accepts one client at a time on a Unix socket and answers like a compositor with a seat
    and the given idle globals; records the requests it got; sends events when told."""

    def __init__(self, path: Path, globals_: list[tuple[str, int]]) -> None:
        self.path = path
        self.globals = globals_
        self.requests: list[wire.WireMessage] = []
        self.client: socket.socket | None = None
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        self._server.listen(1)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            self.client = client
            buffer = b""
            while True:
                try:
                    data = client.recv(4096)
                except OSError:
                    break
                if not data:
                    break
                messages, buffer = wire.split_messages(buffer + data)
                for message in messages:
                    self.requests.append(message)
                    self._answer(client, message)

    def _answer(self, client: socket.socket, message: wire.WireMessage) -> None:
        if (message.object_id, message.opcode) == (wire.DISPLAY_ID, wire.DISPLAY_GET_REGISTRY):
            (registry_id,) = wire._UINT.unpack(message.payload)
            for name, (interface, version) in enumerate([("wl_seat", 7), *self.globals], start=1):
                arguments = wire.uint_arg(name) + wire.string_arg(interface) + wire.uint_arg(version)
                client.sendall(wire.encode_message(registry_id, wire.REGISTRY_GLOBAL, arguments))
        elif (message.object_id, message.opcode) == (wire.DISPLAY_ID, wire.DISPLAY_SYNC):
            client.sendall(
                wire.encode_message(
                    wire._UINT.unpack(message.payload)[0], wire.CALLBACK_DONE, wire.uint_arg(0)
                )
            )

    def send(self, object_id: int, opcode: int) -> None:
        assert self.client is not None
        self.client.sendall(wire.encode_message(object_id, opcode))

    def hang_up(self) -> None:
        if self.client is not None:
            self.client.shutdown(socket.SHUT_RDWR)
            self.client.close()

    def close(self) -> None:
        self._server.close()
        self.hang_up()


@pytest.fixture
def make_compositor(tmp_path: Path) -> Iterator[list[ScriptedCompositor]]:
    made: list[ScriptedCompositor] = []
    yield made
    for compositor in made:
        compositor.close()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _request(compositor: ScriptedCompositor, object_id: int, opcode: int) -> wire.WireMessage:
    return next(m for m in compositor.requests if (m.object_id, m.opcode) == (object_id, opcode))


def test_ext_idle_notify_gives_the_seconds_since_the_last_input(
    tmp_path: Path, make_compositor: list[ScriptedCompositor]
) -> None:
    compositor = ScriptedCompositor(
        tmp_path / "wayland-1", [("ext_idle_notifier_v1", 1), ("org_kde_kwin_idle", 1)]
    )
    make_compositor.append(compositor)
    clock = Clock()
    probe = WaylandIdle(compositor.path, monotonic=clock)
    try:
        assert probe.backend == "ext-idle-notify-v1"
        # registry 2, callback 3, seat 4, notifier 5, notification 6: one notification after 1 s.
        request = _request(compositor, 5, wire.EXT_GET_IDLE_NOTIFICATION)
        assert request.payload == wire.uint_arg(6) + wire.uint_arg(1000) + wire.uint_arg(4)
        assert probe.idle_seconds() == 0.0
        compositor.send(6, wire.EXT_IDLED)
        wait_until(lambda: probe.idle_seconds() == 1.0, what="the idled event")
        clock.now += 41.5
        assert probe.idle_seconds() == 42.5  # the last input was one timeout before "idled"
        compositor.send(6, wire.EXT_RESUMED)
        wait_until(lambda: probe.idle_seconds() == 0.0, what="the resumed event")
        assert probe.status().works
    finally:
        probe.close()


def test_kde_idle_is_used_where_ext_idle_notify_is_missing(
    tmp_path: Path, make_compositor: list[ScriptedCompositor]
) -> None:
    compositor = ScriptedCompositor(tmp_path / "wayland-1", [("org_kde_kwin_idle", 1)])
    make_compositor.append(compositor)
    probe = WaylandIdle(compositor.path, monotonic=Clock())
    try:
        assert probe.backend == "org_kde_kwin_idle"
        request = _request(compositor, 5, wire.KDE_GET_IDLE_TIMEOUT)
        assert request.payload == wire.uint_arg(6) + wire.uint_arg(4) + wire.uint_arg(1000)
        compositor.send(6, wire.KDE_IDLE_EVENT)
        wait_until(lambda: probe.idle_seconds() == 1.0, what="the idle event")
    finally:
        probe.close()


def test_a_compositor_with_neither_protocol_is_refused_with_the_reason(
    tmp_path: Path, make_compositor: list[ScriptedCompositor]
) -> None:
    compositor = ScriptedCompositor(tmp_path / "wayland-1", [])
    make_compositor.append(compositor)
    with pytest.raises(TrackerError, match="neither ext-idle-notify-v1 nor org_kde_kwin_idle"):
        WaylandIdle(compositor.path)


def test_a_lost_compositor_is_unknown_with_a_reason_then_tried_again(
    tmp_path: Path, make_compositor: list[ScriptedCompositor]
) -> None:
    compositor = ScriptedCompositor(tmp_path / "wayland-1", [("ext_idle_notifier_v1", 1)])
    make_compositor.append(compositor)
    clock = Clock()
    probe = WaylandIdle(compositor.path, monotonic=clock)
    try:
        compositor.hang_up()
        wait_until(lambda: probe.idle_seconds() is None, what="the lost connection")
        status = probe.status()
        assert not status.works
        assert "lost the compositor's idle notifications" in status.detail
        clock.now += wire.RETRY_SECONDS
        wait_until(lambda: probe.idle_seconds() == 0.0, what="the connection made again")
    finally:
        probe.close()
