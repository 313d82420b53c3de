"""The Wayland probes (sway, Hyprland, GNOME, KDE) on realistic replies and on fake compositors.

sway and Hyprland run their real socket code against servers in a test thread that speak the
compositor's protocol; GNOME and KDE run their real D-Bus code against fake services on a
private dbus-daemon. No real compositor is involved anywhere here.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import select
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jeepney import (
    DBusAddress,
    HeaderFields,
    Message,
    MessageType,
    new_error,
    new_method_call,
    new_method_return,
)
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from wellbeing_app.core.model import SELF_APP, AppRef
from wellbeing_app.tracker import gnome, hyprland, kde, sway
from wellbeing_app.tracker.base import Foreground, TrackerError

OWN_PID = 4000
PROCESSES = {1201: "firefox", 1350: "foot", 1502: "pavucontrol", 2210: "steam", 3301: "nautilus"}


def name_of_process(pid: int) -> str | None:
    return PROCESSES.get(pid)


# --- the mapping shared by every Wayland probe ------------------------------------------------


@pytest.mark.parametrize(
    ("window_class", "shown"),
    [
        ("org.gnome.Nautilus", "Nautilus"),
        ("org.kde.dolphin", "dolphin"),
        ("firefox", "firefox"),
        ("Steam", "Steam"),
        ("com.github.", "com.github."),  # not reverse-DNS: kept as given
        ("code-url-handler", "code-url-handler"),
    ],
)
def test_display_name_keeps_the_last_part_of_reverse_dns_ids(window_class: str, shown: str) -> None:
    assert sway.display_name(window_class) == shown


def test_window_of_this_process_is_this_app() -> None:
    found = sway.window_foreground(OWN_PID, "python3", "Wellbeing", with_title=True, own_pid=OWN_PID)
    assert found == Foreground(app=SELF_APP, pid=OWN_PID, title="Wellbeing")
    assert found.app is not None
    assert found.app.is_self


def test_window_whose_process_is_gone_is_named_by_its_app_id() -> None:
    found = sway.window_foreground(
        999_999,
        "org.gnome.Calculator",
        "Calculator",
        with_title=False,
        own_pid=OWN_PID,
        name_of_process=lambda _: None,
    )
    assert found == Foreground(app=AppRef("org.gnome.Calculator", "Calculator"), pid=999_999)


def test_window_without_pid_nor_app_id_is_unknown_with_a_reason() -> None:
    found = sway.window_foreground(None, "", "x", with_title=True, own_pid=OWN_PID)
    assert found.app is None
    assert found.reason is not None
    assert "neither" in found.reason


def test_process_name_reads_a_real_process() -> None:
    child = subprocess.Popen(["sleep", "30"])
    try:
        assert sway.process_name(child.pid) == "sleep"
    finally:
        child.kill()
        child.wait()
    assert sway.process_name(child.pid) is None


# --- sway: the i3-ipc protocol ----------------------------------------------------------------


def test_encode_i3ipc_is_magic_length_type_payload() -> None:
    assert sway.encode_i3ipc(sway.GET_TREE) == b"i3-ipc\x00\x00\x00\x00\x04\x00\x00\x00"
    message = sway.encode_i3ipc(sway.SUBSCRIBE, '["window"]')
    assert message == b"i3-ipc\x0a\x00\x00\x00\x02\x00\x00\x00" + b'["window"]'


def test_parse_i3ipc_header_reads_length_and_type() -> None:
    header = sway.encode_i3ipc(sway.EVENT_WINDOW, b"x" * 300)[: sway.HEADER_SIZE]
    assert sway.parse_i3ipc_header(header) == (300, 0x80000003)


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        (b"i3-ipc\x04\x00\x00", "14 bytes, got 9"),
        (b"", "14 bytes, got 0"),
        (b"i3-ipX\x00\x00\x00\x00\x04\x00\x00\x00", "starts with"),
        (b"i3-ipc\xff\xff\xff\xff\x04\x00\x00\x00", "beyond"),
    ],
)
def test_parse_i3ipc_header_refuses_what_is_not_a_header(data: bytes, complaint: str) -> None:
    with pytest.raises(sway.IpcProtocolError, match=complaint):
        sway.parse_i3ipc_header(data)


def test_split_i3ipc_messages_keeps_an_unfinished_message() -> None:
    first = sway.encode_i3ipc(sway.EVENT_WINDOW, b'{"change":"focus"}')
    second = sway.encode_i3ipc(sway.EVENT_WORKSPACE, b'{"change":"init"}')
    messages, rest = sway.split_i3ipc_messages(first + second[:20])
    assert messages == [(sway.EVENT_WINDOW, b'{"change":"focus"}')]
    assert rest == second[:20]
    messages, rest = sway.split_i3ipc_messages(rest + second[20:])
    assert messages == [(sway.EVENT_WORKSPACE, b'{"change":"init"}')]
    assert rest == b""


@pytest.mark.parametrize(
    ("events", "changed"),
    [
        ([(sway.EVENT_WINDOW, b'{"change":"focus","container":{}}')], True),
        ([(sway.EVENT_WINDOW, b'{"change":"close","container":{}}')], True),
        ([(sway.EVENT_WINDOW, b'{"change":"title","container":{}}')], True),
        ([(sway.EVENT_WINDOW, b'{"change":"move","container":{}}')], False),
        ([(sway.EVENT_WORKSPACE, b'{"change":"focus","current":{}}')], True),
        ([(sway.EVENT_WORKSPACE, b'{"change":"init","current":{}}')], False),
        ([(sway.EVENT_WINDOW, b"not json")], True),
        ([], False),
    ],
)
def test_which_sway_events_may_move_the_focus(events: list[tuple[int, bytes]], changed: bool) -> None:
    assert sway.focus_may_have_changed(events) is changed


def _window(node_id: int, name: str, pid: int, app_id: str | None, **extra: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": node_id,
        "type": "con",
        "name": name,
        "focused": False,
        "pid": pid,
        "app_id": app_id,
        "shell": "xdg_shell" if app_id is not None else "xwayland",
        "visible": True,
        "layout": "none",
        "rect": {"x": 0, "y": 0, "width": 960, "height": 1080},
        "focus": [],
        "nodes": [],
        "floating_nodes": [],
        "marks": [],
        "inhibit_idle": False,
        "idle_inhibitors": {"user": "none", "application": "none"},
    }
    node.update(extra)
    return node


def sway_tree() -> dict[str, Any]:
    """A tree as sway 1.9 sends it: two workspaces, a split, a floating and an XWayland window."""
    firefox = _window(11, "Wellbeing – Mozilla Firefox", 1201, "firefox")
    foot = _window(12, "~/src — foot", 1350, "foot")
    split = {
        "id": 10,
        "type": "con",
        "name": None,
        "focused": False,
        "layout": "splitv",
        "focus": [12, 11],
        "nodes": [firefox, foot],
        "floating_nodes": [],
    }
    mixer = _window(13, "Volume Control", 1502, "org.pulseaudio.pavucontrol", type="floating_con")
    steam = _window(
        21,
        "Steam",
        2210,
        None,
        window_properties={"class": "steam", "instance": "steam", "title": "Steam", "transient_for": None},
    )
    return {
        "id": 1,
        "type": "root",
        "name": "root",
        "focused": False,
        "focus": [3],
        "nodes": [
            {
                "id": 2,
                "type": "output",
                "name": "__i3",
                "focused": False,
                "nodes": [
                    {"id": 9, "type": "workspace", "name": "__i3_scratch", "focused": False, "nodes": []}
                ],
                "floating_nodes": [],
            },
            {
                "id": 3,
                "type": "output",
                "name": "eDP-1",
                "focused": False,
                "focus": [4, 5],
                "nodes": [
                    {
                        "id": 4,
                        "type": "workspace",
                        "name": "1",
                        "num": 1,
                        "focused": False,
                        "focus": [10, 13],
                        "nodes": [split],
                        "floating_nodes": [mixer],
                    },
                    {
                        "id": 5,
                        "type": "workspace",
                        "name": "2",
                        "num": 2,
                        "focused": False,
                        "focus": [21],
                        "nodes": [steam],
                        "floating_nodes": [],
                    },
                    {
                        "id": 6,
                        "type": "workspace",
                        "name": "3",
                        "num": 3,
                        "focused": False,
                        "focus": [],
                        "nodes": [],
                        "floating_nodes": [],
                    },
                ],
                "floating_nodes": [],
            },
        ],
        "floating_nodes": [],
    }


def focus_on(tree: dict[str, Any], node_id: int) -> dict[str, Any]:
    tree = copy.deepcopy(tree)
    stack = [tree]
    while stack:
        node = stack.pop()
        node["focused"] = node.get("id") == node_id
        stack.extend(node.get("nodes", []))
        stack.extend(node.get("floating_nodes", []))
    return tree


def test_focused_node_finds_a_tiled_window() -> None:
    node = sway.focused_node(focus_on(sway_tree(), 11))
    assert node is not None
    assert node["app_id"] == "firefox"


def test_focused_node_finds_a_floating_window() -> None:
    node = sway.focused_node(focus_on(sway_tree(), 13))
    assert node is not None
    assert node["app_id"] == "org.pulseaudio.pavucontrol"


def test_focused_node_follows_the_focus_list_of_a_focused_container() -> None:
    node = sway.focused_node(focus_on(sway_tree(), 10))
    assert node is not None
    assert node["app_id"] == "foot"


def test_focused_node_of_an_empty_tree_is_none() -> None:
    assert sway.focused_node({}) is None
    assert sway.focused_node(sway_tree()) is None


@pytest.mark.parametrize(
    ("node_id", "expected"),
    [
        (11, Foreground(AppRef("firefox", "firefox"), pid=1201, title="Wellbeing – Mozilla Firefox")),
        (13, Foreground(AppRef("pavucontrol", "pavucontrol"), pid=1502, title="Volume Control")),
        (21, Foreground(AppRef("steam", "steam"), pid=2210, title="Steam")),  # XWayland: class
    ],
)
def test_foreground_from_tree(node_id: int, expected: Foreground) -> None:
    tree = focus_on(sway_tree(), node_id)
    found = sway.foreground_from_tree(tree, with_title=True, own_pid=OWN_PID, name_of_process=name_of_process)
    assert found == expected


def test_foreground_from_tree_leaves_the_title_out_unless_asked() -> None:
    tree = focus_on(sway_tree(), 11)
    found = sway.foreground_from_tree(
        tree, with_title=False, own_pid=OWN_PID, name_of_process=name_of_process
    )
    assert found.title is None
    assert found.app == AppRef("firefox", "firefox")


def test_foreground_from_tree_names_the_xwayland_class_when_the_process_is_hidden() -> None:
    tree = focus_on(sway_tree(), 21)
    found = sway.foreground_from_tree(tree, with_title=False, own_pid=OWN_PID, name_of_process=lambda _: None)
    assert found.app == AppRef("steam", "steam")


def test_foreground_from_tree_of_own_window_is_this_app() -> None:
    tree = focus_on(sway_tree(), 11)
    found = sway.foreground_from_tree(tree, with_title=False, own_pid=1201, name_of_process=name_of_process)
    assert found.app == SELF_APP


@pytest.mark.parametrize(
    ("tree", "reason"),
    [
        (focus_on(sway_tree(), 6), "nothing is focused but a workspace"),
        (focus_on(sway_tree(), 3), "nothing is focused but a output"),
        (sway_tree(), "no node of sway's tree is focused"),
        ({}, "no node of sway's tree is focused"),
        ([1, 2], "not a JSON object but list"),
    ],
)
def test_foreground_from_tree_without_a_focused_window(tree: object, reason: str) -> None:
    found = sway.foreground_from_tree(tree, with_title=True, own_pid=OWN_PID, name_of_process=name_of_process)
    assert found.app is None
    assert found.reason is not None
    assert reason in found.reason


# --- sway: the real socket code against a fake sway ------------------------------------------


def stop_listening(server: socket.socket) -> None:
    """Wake the thread blocked in accept() and take the socket's path away, like an exit."""
    with contextlib.suppress(OSError):
        path = server.getsockname()
        server.shutdown(socket.SHUT_RDWR)
        os.unlink(path)
    server.close()


def _receive_exactly(connection: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


class FakeSway:
    """A Unix socket server in a thread that answers GET_TREE and SUBSCRIBE like sway."""

    def __init__(self, path: str, tree: object) -> None:
        self.tree = tree
        self.raw_reply: bytes | None = None  # sent instead of the tree when set
        self.hang_up = False  # close the connection instead of answering
        self.subscribers: list[socket.socket] = []
        self.subscribed = threading.Event()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(path)
        self._server.listen()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket) -> None:
        while True:
            try:
                header = _receive_exactly(connection, sway.HEADER_SIZE)
                if header is None:
                    break
                length, message_type = sway.parse_i3ipc_header(header)
                payload = _receive_exactly(connection, length)
            except OSError:
                break
            if self.hang_up:
                break
            if message_type == sway.GET_TREE:
                body = self.raw_reply if self.raw_reply is not None else json.dumps(self.tree).encode()
                connection.sendall(sway.encode_i3ipc(sway.GET_TREE, body))
            elif message_type == sway.SUBSCRIBE:
                assert payload is not None
                assert set(json.loads(payload)) == {"window", "workspace"}
                self.subscribers.append(connection)
                connection.sendall(sway.encode_i3ipc(sway.SUBSCRIBE, b'{"success": true}'))
                self.subscribed.set()
                return  # events are pushed by the test
        connection.close()

    def push(self, message_type: int, event: dict[str, Any]) -> None:
        for subscriber in self.subscribers:
            subscriber.sendall(sway.encode_i3ipc(message_type, json.dumps(event)))

    def close(self) -> None:
        stop_listening(self._server)
        for subscriber in self.subscribers:
            subscriber.close()


@pytest.fixture
def fake_sway(tmp_path: Path) -> Iterator[tuple[FakeSway, str]]:
    path = str(tmp_path / "sway-ipc.sock")
    server = FakeSway(path, focus_on(sway_tree(), 11))
    yield server, path
    server.close()


def readable(fd: int | None, timeout: float = 5.0) -> bool:
    assert fd is not None
    ready, _, _ = select.select([fd], [], [], timeout)
    return bool(ready)


def test_sway_probe_reads_the_focused_window_from_a_fake_sway(fake_sway: tuple[FakeSway, str]) -> None:
    server, path = fake_sway
    probe = sway.SwayForeground(path, own_pid=OWN_PID, name_of_process=name_of_process)
    try:
        assert probe.foreground(with_title=True) == Foreground(
            AppRef("firefox", "firefox"), pid=1201, title="Wellbeing – Mozilla Firefox"
        )
        server.tree = focus_on(sway_tree(), 21)
        assert probe.foreground(with_title=False) == Foreground(AppRef("steam", "steam"), pid=2210)
        status = probe.status()
        assert status.works
        assert "steam (pid 2210)" in status.detail
        assert "Steam" not in status.detail  # no title in what doctor prints
    finally:
        probe.close()


def test_sway_probe_wakes_on_focus_events_only(fake_sway: tuple[FakeSway, str]) -> None:
    server, path = fake_sway
    probe = sway.SwayForeground(path, own_pid=OWN_PID, name_of_process=name_of_process)
    try:
        assert server.subscribed.wait(5)
        server.push(sway.EVENT_WINDOW, {"change": "move", "container": {"id": 11}})
        assert readable(probe.change_fd())
        assert probe.drain_changes() is False
        server.push(sway.EVENT_WINDOW, {"change": "focus", "container": {"id": 13}})
        assert readable(probe.change_fd())
        assert probe.drain_changes() is True
        assert probe.drain_changes() is False  # nothing more to read
    finally:
        probe.close()


def test_sway_probe_survives_the_event_connection_closing(fake_sway: tuple[FakeSway, str]) -> None:
    server, path = fake_sway
    probe = sway.SwayForeground(path, own_pid=OWN_PID, name_of_process=name_of_process)
    try:
        assert server.subscribed.wait(5)
        for subscriber in server.subscribers:
            subscriber.close()
        assert readable(probe.change_fd())
        assert probe.drain_changes() is True
        assert probe.change_fd() is None
        assert "closed the event connection" in probe.status().detail
        assert probe.foreground(with_title=False).app == AppRef("firefox", "firefox")
    finally:
        probe.close()


def test_sway_closing_the_connection_is_unknown_with_a_reason(fake_sway: tuple[FakeSway, str]) -> None:
    server, path = fake_sway
    probe = sway.SwayForeground(path, subscribe=False, own_pid=OWN_PID, name_of_process=name_of_process)
    try:
        server.hang_up = True
        found = probe.foreground(with_title=True)
        assert found.app is None
        assert found.reason == "sway did not answer: sway closed the connection"
        status = probe.status()
        assert not status.works
        assert status.hint is not None
        server.hang_up = False  # sway is back: the probe connects again by itself
        assert probe.foreground(with_title=False).app == AppRef("firefox", "firefox")
    finally:
        probe.close()


def test_sway_sending_garbage_is_unknown_with_a_reason(fake_sway: tuple[FakeSway, str]) -> None:
    server, path = fake_sway
    probe = sway.SwayForeground(path, subscribe=False, own_pid=OWN_PID, name_of_process=name_of_process)
    try:
        server.raw_reply = b"{not json"
        found = probe.foreground(with_title=False)
        assert found.app is None
        assert found.reason is not None
        assert "not JSON" in found.reason
        assert not probe.status().works
    finally:
        probe.close()


def test_sway_probe_without_a_socket_is_not_built(tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="cannot connect to sway's socket"):
        sway.SwayForeground(str(tmp_path / "nothing.sock"))
    with pytest.raises(TrackerError, match="SWAYSOCK is not set"):
        sway.SwayForeground.from_environment({})


# --- Hyprland -------------------------------------------------------------------------------

HYPR_FIREFOX = {
    "address": "0x5581d0f3e2a0",
    "mapped": True,
    "hidden": False,
    "at": [10, 45],
    "size": [1900, 1025],
    "workspace": {"id": 1, "name": "1"},
    "floating": False,
    "pseudo": False,
    "monitor": 0,
    "class": "firefox",
    "title": "Wellbeing – Mozilla Firefox",
    "initialClass": "firefox",
    "initialTitle": "Mozilla Firefox",
    "pid": 1201,
    "xwayland": False,
    "pinned": False,
    "fullscreen": 0,
    "fullscreenClient": 0,
    "grouped": [],
    "tags": [],
    "swallowing": "0x0",
    "focusHistoryID": 0,
}


def _hypr(reply: object, *, with_title: bool = True, own_pid: int = OWN_PID) -> Foreground:
    raw = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
    return hyprland.parse_active_window(
        raw, with_title=with_title, own_pid=own_pid, name_of_process=name_of_process
    )


def test_hyprland_active_window() -> None:
    assert _hypr(HYPR_FIREFOX) == Foreground(
        AppRef("firefox", "firefox"), pid=1201, title="Wellbeing – Mozilla Firefox"
    )
    assert _hypr(HYPR_FIREFOX, with_title=False).title is None


def test_hyprland_xwayland_window_and_own_window() -> None:
    steam = {**HYPR_FIREFOX, "class": "steam", "title": "Steam", "pid": 2210, "xwayland": True}
    assert _hypr(steam).app == AppRef("steam", "steam")
    assert _hypr(HYPR_FIREFOX, own_pid=1201).app == SELF_APP


def test_hyprland_window_with_empty_class_falls_back_to_the_initial_class() -> None:
    window = {**HYPR_FIREFOX, "class": "", "pid": 3301, "initialClass": "org.gnome.Nautilus"}
    assert _hypr(window).app == AppRef("nautilus", "Nautilus")


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (b"{}", "no window is focused"),
        (b"", "closed the connection without an answer"),
        (b"Invalid", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"class": "firefox", "pid"', "not JSON"),
    ],
)
def test_hyprland_replies_without_a_window(reply: bytes, reason: str) -> None:
    found = _hypr(reply)
    assert found.app is None
    assert found.reason is not None
    assert reason in found.reason


def test_hyprland_event_lines_keep_the_unfinished_line() -> None:
    buffer = b"workspace>>2\nactivewindow>>firefox,Wellbeing, a tab\nactivewindowv2>>5581d0f3e2a0\nopenla"
    events, rest = hyprland.split_event_lines(buffer)
    assert events == [
        ("workspace", "2"),
        ("activewindow", "firefox,Wellbeing, a tab"),
        ("activewindowv2", "5581d0f3e2a0"),
    ]
    assert rest == b"openla"
    assert hyprland.focus_may_have_changed(events)
    assert not hyprland.focus_may_have_changed([("openlayer", "waybar"), ("submap", "")])


def test_hyprland_socket_dir_prefers_the_runtime_dir() -> None:
    env = {"HYPRLAND_INSTANCE_SIGNATURE": "v0.41_1718000000_abc", "XDG_RUNTIME_DIR": "/run/user/1000"}
    new = "/run/user/1000/hypr/v0.41_1718000000_abc"
    old = "/tmp/hypr/v0.41_1718000000_abc"
    assert hyprland.hyprland_socket_dir(env, lambda p: p.startswith(new)) == new
    assert hyprland.hyprland_socket_dir(env, lambda p: p.startswith(old)) == old
    assert hyprland.hyprland_socket_dir(env, lambda p: False) is None
    assert hyprland.hyprland_socket_dir({"XDG_RUNTIME_DIR": "/run/user/1000"}, lambda p: True) is None
    assert hyprland.hyprland_socket_dir({"HYPRLAND_INSTANCE_SIGNATURE": "../x"}, lambda p: True) is None


class FakeHyprland:
    """Hyprland's two sockets in a thread: requests answered once per connection, events pushed."""

    def __init__(self, folder: Path) -> None:
        self.reply: bytes = json.dumps(HYPR_FIREFOX).encode()
        self.hang_up = False
        self.requests: list[bytes] = []
        self.listeners: list[socket.socket] = []
        self.listening = threading.Event()
        self._requests = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._requests.bind(str(folder / hyprland.REQUEST_SOCKET))
        self._requests.listen()
        self._events = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._events.bind(str(folder / hyprland.EVENT_SOCKET))
        self._events.listen()
        threading.Thread(target=self._answer, daemon=True).start()
        threading.Thread(target=self._accept_listeners, daemon=True).start()

    def _answer(self) -> None:
        while True:
            try:
                connection, _ = self._requests.accept()
            except OSError:
                return
            with connection:
                self.requests.append(connection.recv(8192))
                if not self.hang_up:
                    connection.sendall(self.reply)

    def _accept_listeners(self) -> None:
        while True:
            try:
                connection, _ = self._events.accept()
            except OSError:
                return
            self.listeners.append(connection)
            self.listening.set()

    def push(self, data: bytes) -> None:
        for listener in self.listeners:
            listener.sendall(data)

    def close(self) -> None:
        for server in (self._requests, self._events):
            stop_listening(server)
        for listener in self.listeners:
            listener.close()


@pytest.fixture
def fake_hyprland(tmp_path: Path) -> Iterator[tuple[FakeHyprland, str]]:
    folder = tmp_path / "hypr" / "sig"
    folder.mkdir(parents=True)
    server = FakeHyprland(folder)
    yield server, str(folder)
    server.close()


def test_hyprland_probe_asks_a_fake_hyprland(fake_hyprland: tuple[FakeHyprland, str]) -> None:
    server, folder = fake_hyprland
    probe = hyprland.HyprlandForeground(folder, own_pid=OWN_PID, name_of_process=name_of_process)
    try:
        assert probe.foreground(with_title=True) == Foreground(
            AppRef("firefox", "firefox"), pid=1201, title="Wellbeing – Mozilla Firefox"
        )
        assert server.requests == [b"j/activewindow"]
        server.reply = b"{}"
        found = probe.foreground(with_title=True)
        assert found == Foreground(app=None, reason="no window is focused", nothing_in_front=True)
        status = probe.status()
        assert status.works
        assert "no window is focused" in status.detail
    finally:
        probe.close()


def test_hyprland_probe_wakes_on_active_window_events(fake_hyprland: tuple[FakeHyprland, str]) -> None:
    server, folder = fake_hyprland
    probe = hyprland.HyprlandForeground(folder, own_pid=OWN_PID, name_of_process=name_of_process)
    try:
        assert server.listening.wait(5)
        server.push(b"openlayer>>waybar\n")
        assert readable(probe.change_fd())
        assert probe.drain_changes() is False
        server.push(b"activewindow>>foot,~/src\nactivewind")
        assert readable(probe.change_fd())
        assert probe.drain_changes() is True
        server.push(b"owv2>>5581d0f3e2a0\n")  # the rest of a line cut in two
        assert readable(probe.change_fd())
        assert probe.drain_changes() is True
        for listener in server.listeners:
            listener.close()
        assert readable(probe.change_fd())
        assert probe.drain_changes() is True
        assert probe.change_fd() is None
    finally:
        probe.close()


def test_hyprland_closing_the_connection_is_unknown_with_a_reason(
    fake_hyprland: tuple[FakeHyprland, str],
) -> None:
    server, folder = fake_hyprland
    probe = hyprland.HyprlandForeground(
        folder, subscribe=False, own_pid=OWN_PID, name_of_process=name_of_process
    )
    try:
        server.hang_up = True
        found = probe.foreground(with_title=False)
        assert found == Foreground(app=None, reason="Hyprland closed the connection without an answer")
        assert not probe.status().works
    finally:
        probe.close()


def test_hyprland_gone_is_unknown_with_a_reason(fake_hyprland: tuple[FakeHyprland, str]) -> None:
    server, folder = fake_hyprland
    probe = hyprland.HyprlandForeground(
        folder, subscribe=False, own_pid=OWN_PID, name_of_process=name_of_process
    )
    try:
        server.close()
        found = probe.foreground(with_title=False)
        assert found.app is None
        assert found.reason is not None
        assert found.reason.startswith("Hyprland did not answer")
    finally:
        probe.close()


def test_hyprland_probe_without_a_socket_is_not_built(tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="does not exist"):
        hyprland.HyprlandForeground(str(tmp_path))
    with pytest.raises(TrackerError, match="not a Hyprland session"):
        hyprland.HyprlandForeground.from_environment({})


# --- GNOME: parsing -------------------------------------------------------------------------


def window_calls_list(focused_id: int | None, *, with_titles: bool = True) -> str:
    """What Window Calls' List returns (version 16 for GNOME 45–47): one JSON string."""
    windows: list[dict[str, Any]] = [
        {
            "in_current_workspace": True,
            "workspace": 0,
            "wm_class": "firefox",
            "wm_class_instance": "firefox",
            "title": "Wellbeing – Mozilla Firefox",
            "pid": 1201,
            "id": 2205525109,
            "frame_type": 0,
            "window_type": 0,
            "width": 1920,
            "height": 1048,
            "x": 0,
            "y": 32,
        },
        {
            "in_current_workspace": True,
            "workspace": 0,
            "wm_class": "org.gnome.Nautilus",
            "wm_class_instance": "org.gnome.Nautilus",
            "title": "Downloads",
            "pid": 3301,
            "id": 2205525110,
            "frame_type": 0,
            "window_type": 0,
            "width": 1100,
            "height": 700,
            "x": 400,
            "y": 200,
        },
        {
            "in_current_workspace": True,
            "workspace": -1,
            "wm_class": "Gjs",
            "wm_class_instance": "gjs",
            "title": "@!0,32;BDHF",
            "pid": 2999,
            "id": 2205525111,
            "frame_type": 3,
            "window_type": 1,
            "width": 1920,
            "height": 1048,
            "x": 0,
            "y": 32,
        },
    ]
    for window in windows:
        window["focus"] = window["id"] == focused_id
        if not with_titles:
            del window["title"]
    return json.dumps(windows)


def _gnome(listing: str, *, with_title: bool = True, own_pid: int = OWN_PID, **kwargs: Any) -> Foreground:
    return gnome.foreground_from_window_list(
        listing, with_title=with_title, own_pid=own_pid, name_of_process=name_of_process, **kwargs
    )


def test_gnome_focused_window() -> None:
    assert _gnome(window_calls_list(2205525110)) == Foreground(
        AppRef("nautilus", "Nautilus"), pid=3301, title="Downloads"
    )
    assert _gnome(window_calls_list(2205525109), with_title=False) == Foreground(
        AppRef("firefox", "firefox"), pid=1201
    )
    assert _gnome(window_calls_list(2205525109), own_pid=1201).app == SELF_APP


def test_gnome_title_is_asked_for_only_when_the_list_has_none_and_it_is_wanted() -> None:
    asked: list[int] = []

    def title_of(window_id: int) -> str | None:
        asked.append(window_id)
        return "Downloads"

    listing = window_calls_list(2205525110, with_titles=False)
    assert _gnome(listing, with_title=False, title_of=title_of).title is None
    assert asked == []
    assert _gnome(listing, with_title=True, title_of=title_of).title == "Downloads"
    assert asked == [2205525110]


@pytest.mark.parametrize(
    ("listing", "reason"),
    [
        (window_calls_list(None), "no window has the focus"),
        ("[]", "no window has the focus"),
        ("", "unreadable"),
        ('{"focus": true}', "not an array"),
        ('[{"focus": true, "wm_class": "firefox", "pid": 12', "unreadable"),
    ],
)
def test_gnome_lists_without_a_focused_window(listing: str, reason: str) -> None:
    found = _gnome(listing)
    assert found.app is None
    assert found.reason is not None
    assert reason in found.reason


@pytest.mark.parametrize(
    ("body", "seconds"),
    [((12345,), 12.345), ((0,), 0.0), ((), None), (("12",), None), ((-1,), None), ((True,), None)],
)
def test_gnome_idle_time_is_milliseconds(body: tuple[object, ...], seconds: float | None) -> None:
    assert gnome.idle_seconds_from_reply(body) == seconds


# --- D-Bus fakes on a private bus -----------------------------------------------------------

Handler = Callable[[Message], Message | None]


@pytest.fixture
def session_bus(tmp_path: Path) -> Iterator[str]:
    """A private dbus-daemon for one test; its address."""
    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed (Debian package dbus-daemon)")
    daemon = subprocess.Popen(
        [
            "dbus-daemon",
            "--session",
            "--nofork",
            "--nopidfile",
            f"--address=unix:path={tmp_path}/bus",
            "--print-address=1",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    yield address
    daemon.terminate()
    daemon.wait(5)
    daemon.stdout.close()


def error_reply(message: Message, name: str) -> Message:
    return new_error(message, f"org.freedesktop.DBus.Error.{name}", "s", (name,))


class FakeService:
    """A D-Bus service in a thread: owns `names` and answers calls with `handler`."""

    def __init__(self, address: str, names: list[str], handler: Handler) -> None:
        self.connection = open_dbus_connection(address)
        for name in names:
            self.connection.send_and_get_reply(message_bus.RequestName(name), timeout=5)
        self.handler = handler
        self.outgoing: list[tuple[Message, int]] = []  # sent by the thread, which alone uses the socket
        self.replies: dict[int, Message] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                outgoing, self.outgoing = self.outgoing, []
            for message, serial in outgoing:
                self.connection.send(message, serial=serial)
            try:
                message = self.connection.receive(timeout=0.02)
            except TimeoutError:
                continue
            except OSError:
                return
            if message.header.message_type is MessageType.method_call:
                answer = self.handler(message)
                if answer is not None:
                    self.connection.send(answer)
            elif message.header.message_type in (MessageType.method_return, MessageType.error):
                self.replies[message.header.fields[HeaderFields.reply_serial]] = message

    def send_later(self, message: Message) -> int:
        """Queue a message for the thread to send; its serial, to find the reply by."""
        with self._lock:
            serial: int = next(self.connection.outgoing_serial)
            self.outgoing.append((message, serial))
        return serial

    def reply_to(self, serial: int, timeout: float = 5.0) -> Message:
        deadline = threading.Event()
        for _ in range(int(timeout / 0.01)):
            if serial in self.replies:
                return self.replies[serial]
            deadline.wait(0.01)
        raise AssertionError(f"no reply to message {serial}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.connection.close()


def wait_until(condition: Callable[[], bool], fd: Callable[[], int | None], timeout: float = 5.0) -> None:
    """Wait on the probe's change_fd until `condition` holds."""
    for _ in range(50):
        if condition():
            return
        descriptor = fd()
        if descriptor is None:  # the probe polls for now
            threading.Event().wait(timeout / 50)
        else:
            readable(descriptor, timeout / 50)
    raise AssertionError("the condition never held")


# --- GNOME against fake Mutter and GNOME Shell ----------------------------------------------


def gnome_shell(listing: Callable[[], str], *, extension: bool = True) -> Handler:
    def handle(message: Message) -> Message | None:
        fields = message.header.fields
        path, member = fields[HeaderFields.path], fields[HeaderFields.member]
        if path == "/org/gnome/Mutter/IdleMonitor/Core" and member == "GetIdletime":
            return new_method_return(message, "t", (61_500,))
        if extension and fields[HeaderFields.path] == "/org/gnome/Shell/Extensions/Windows":
            if fields[HeaderFields.member] == "List":
                return new_method_return(message, "s", (listing(),))
            if fields[HeaderFields.member] == "GetTitle":
                return new_method_return(message, "s", (f"title of {message.body[0]}",))
            return error_reply(message, "UnknownMethod")
        return error_reply(message, "UnknownObject")

    return handle


@pytest.mark.dbus
def test_gnome_probes_ask_a_fake_gnome_shell(session_bus: str) -> None:
    listing = [window_calls_list(2205525110, with_titles=False)]
    shell = FakeService(
        session_bus, ["org.gnome.Shell", "org.gnome.Mutter.IdleMonitor"], gnome_shell(lambda: listing[0])
    )
    idle = gnome.GnomeIdle(bus=session_bus)
    foreground = gnome.GnomeForeground(bus=session_bus, own_pid=OWN_PID, name_of_process=name_of_process)
    try:
        assert idle.idle_seconds() == 61.5
        assert idle.status().works
        assert foreground.foreground(with_title=True) == Foreground(
            AppRef("nautilus", "Nautilus"), pid=3301, title="title of 2205525110"
        )
        listing[0] = window_calls_list(None)
        assert foreground.foreground(with_title=False) == Foreground(
            app=None, reason="no window has the focus", nothing_in_front=True
        )
        assert foreground.status().works
        assert foreground.change_fd() is None
        assert foreground.drain_changes() is False
    finally:
        idle.close()
        foreground.close()
        shell.close()


@pytest.mark.dbus
def test_gnome_without_the_extension_says_which_one_to_install(session_bus: str) -> None:
    shell = FakeService(session_bus, ["org.gnome.Shell"], gnome_shell(lambda: "[]", extension=False))
    foreground = gnome.GnomeForeground(bus=session_bus)
    idle = gnome.GnomeIdle(bus=session_bus)
    try:
        found = foreground.foreground(with_title=False)
        assert found.app is None
        assert found.reason is not None
        assert "Window Calls is not there" in found.reason
        status = foreground.status()
        assert not status.works
        assert status.hint is not None
        assert "window-calls@domandoman.xyz" in status.hint
        shell.close()  # GNOME Shell gone: nobody owns the names any more
        assert "ServiceUnknown" in (foreground.foreground(with_title=False).reason or "")
        assert idle.idle_seconds() is None
        idle_status = idle.status()
        assert not idle_status.works
        assert "did not answer" in idle_status.detail
    finally:
        foreground.close()
        idle.close()


def test_gnome_probes_without_a_bus_are_not_built(tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="cannot reach the D-Bus session bus"):
        gnome.GnomeIdle(bus=f"unix:path={tmp_path}/no-bus")


# --- KDE: the script and its messages --------------------------------------------------------


def test_kwin_script_calls_back_the_given_bus_name() -> None:
    script = kde.kwin_script(":1.42")
    assert 'var service = ":1.42";' in script
    assert 'callDBus(service, "/Wellbeing", "org.wellbeing.KWin", "activated",' in script
    assert "workspace.windowActivated" in script
    assert "workspace.clientActivated" in script
    tricky = kde.kwin_script('x"); evil(); ("')
    assert 'var service = "x\\"); evil(); (\\"";' in tricky


NODE_HARNESS = """
const calls = [];
globalThis.callDBus = (...args) => calls.push(args);
const handlers = [];
const signal = {connect: (f) => handlers.push(f)};
globalThis.workspace = %(workspace)s;
%(script)s
for (const w of %(switches)s) { handlers.forEach((h) => h(w)); }
console.log(JSON.stringify(calls));
"""


def run_in_node(script: str, workspace: str, switches: str) -> list[list[Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    program = NODE_HARNESS % {"workspace": workspace, "script": script, "switches": switches}
    result = subprocess.run([node, "-e", program], capture_output=True, text=True, timeout=30, check=True)
    calls: list[list[Any]] = json.loads(result.stdout)
    return calls


def test_kwin_script_runs_with_plasma_6_names() -> None:
    calls = run_in_node(
        kde.kwin_script(":1.42"),
        '{windowActivated: signal, activeWindow: {pid: 1201, resourceClass: "firefox", caption: "Mozilla Firefox"}}',
        '[{pid: 1350, resourceClass: "foot", caption: "~/src"}, null]',
    )
    head = [":1.42", "/Wellbeing", "org.wellbeing.KWin", "activated"]
    assert calls == [
        [*head, 1201, "firefox", "Mozilla Firefox"],
        [*head, 1350, "foot", "~/src"],
        [*head, 0, "", ""],
    ]


def test_kwin_script_runs_with_plasma_5_names_and_byte_classes() -> None:
    calls = run_in_node(
        kde.kwin_script(":1.7"),
        "{clientActivated: signal, activeClient: null}",
        '[{pid: 3301, resourceClass: new TextEncoder().encode("dolphin").buffer, caption: "Home"}]',
    )
    head = [":1.7", "/Wellbeing", "org.wellbeing.KWin", "activated"]
    assert calls == [[*head, 0, "", ""], [*head, 3301, "dolphin", "Home"]]


def test_script_object_paths_plasma_6_then_5() -> None:
    assert kde.script_object_paths(3) == ("/Scripting/Script3", "/3")


@pytest.mark.parametrize(
    ("body", "activation"),
    [
        ((1201.0, "firefox", "Mozilla Firefox"), kde.Activation(1201, "firefox", "Mozilla Firefox")),
        ((1201, "firefox", ""), kde.Activation(1201, "firefox", "")),
        ((3301, b"dolphin", "Home"), kde.Activation(3301, "dolphin", "Home")),
        ((0.0, "", ""), kde.Activation(0, "", "")),
    ],
)
def test_parse_activation(body: tuple[Any, ...], activation: kde.Activation) -> None:
    assert kde.parse_activation(body) == activation


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ((1201, "firefox"), "3 arguments"),
        (("1201", "firefox", "x"), "should be a number"),
        ((True, "firefox", "x"), "should be a number"),
        ((-1, "firefox", "x"), "whole number"),
        ((12.5, "firefox", "x"), "whole number"),
        ((float("nan"), "firefox", "x"), "whole number"),
        ((1201, 7, "x"), "the class should be a string"),
        ((1201, "firefox", None), "the caption should be a string"),
    ],
)
def test_parse_activation_refuses_what_is_not_one(body: tuple[Any, ...], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        kde.parse_activation(body)


@pytest.mark.parametrize(
    ("activation", "expected"),
    [
        (None, Foreground(app=None, reason=kde.NO_ACTIVATION_YET)),
        (kde.Activation(0, "", ""), Foreground(app=None, reason=kde.NOTHING_ACTIVE, nothing_in_front=True)),
        (kde.Activation(1201, "firefox", "Tab"), Foreground(AppRef("firefox", "firefox"), pid=1201)),
        (
            kde.Activation(OWN_PID, "python3", "Wellbeing"),
            Foreground(SELF_APP, pid=OWN_PID),
        ),
        (kde.Activation(0, "org.kde.dolphin", "Home"), Foreground(AppRef("org.kde.dolphin", "dolphin"))),
    ],
)
def test_foreground_from_activation(activation: kde.Activation | None, expected: Foreground) -> None:
    found = kde.foreground_from_activation(
        activation, with_title=False, own_pid=OWN_PID, name_of_process=name_of_process
    )
    assert found == expected


# --- KDE against a fake KWin ------------------------------------------------------------------


class FakeKWin(FakeService):
    """KWin's scripting interface; "running" a script sends the activation it would send."""

    def __init__(
        self,
        address: str,
        *,
        plasma: int = 6,
        active: tuple[float, str, str] = (1201.0, "firefox", "Firefox"),
    ) -> None:
        self.plasma = plasma
        self.active = active
        self.loaded: dict[str, tuple[int, str]] = {}  # plugin name → (id, path)
        self.unloaded: list[str] = []
        self.scripts: list[str] = []
        self.refuse_first_load = False
        self._next_id = 0
        super().__init__(address, ["org.kde.KWin"], self._handle)

    def _handle(self, message: Message) -> Message | None:
        fields = message.header.fields
        path, member = fields[HeaderFields.path], fields[HeaderFields.member]
        if path == "/Scripting" and member == "loadScript":
            script_path, plugin = message.body
            if plugin in self.loaded or self.refuse_first_load:
                self.refuse_first_load = False
                return new_method_return(message, "i", (-1,))
            self.loaded[plugin] = (self._next_id, script_path)
            self._next_id += 1
            return new_method_return(message, "i", (self.loaded[plugin][0],))
        if path == "/Scripting" and member == "unloadScript":
            self.unloaded.append(message.body[0])
            return new_method_return(message, "b", (self.loaded.pop(message.body[0], None) is not None,))
        for script_id, script_path in self.loaded.values():
            expected = f"/Scripting/Script{script_id}" if self.plasma == 6 else f"/{script_id}"
            if (
                path == expected
                and member == "run"
                and fields.get(HeaderFields.interface) == "org.kde.kwin.Script"
            ):
                self.scripts.append(Path(script_path).read_text(encoding="utf-8"))
                self.activate(*self.active)
                return new_method_return(message)
        return error_reply(message, "UnknownObject")

    def service_of_script(self) -> str:
        found = re.search(r'var service = "([^"]+)";', self.scripts[-1])
        assert found is not None
        return found.group(1)

    def activate(self, pid: float, window_class: str, caption: str) -> int:
        """What the script does on a window activation: call the app."""
        call = new_method_call(
            DBusAddress("/Wellbeing", bus_name=self.service_of_script(), interface="org.wellbeing.KWin"),
            "activated",
            "dss",
            (pid, window_class, caption),
        )
        return self.send_later(call)


@pytest.fixture
def fake_kwin(session_bus: str) -> Iterator[FakeKWin]:
    server = FakeKWin(session_bus)
    yield server
    server.close()


@pytest.mark.dbus
def test_kde_probe_loads_its_script_and_hears_activations(session_bus: str, fake_kwin: FakeKWin) -> None:
    probe = kde.KdeForeground(
        bus=session_bus, own_pid=OWN_PID, name_of_process=name_of_process, plugin_name="wellbeing-test"
    )
    try:
        _, script_path = fake_kwin.loaded["wellbeing-test"]
        assert "activated" in fake_kwin.scripts[0]
        wait_until(lambda: probe.foreground(with_title=True).app is not None, probe.change_fd)
        assert probe.foreground(with_title=True) == Foreground(
            AppRef("firefox", "firefox"), pid=1201, title="Firefox"
        )
        serial = fake_kwin.activate(1350.0, "foot", "~/src")
        wait_until(probe.drain_changes, probe.change_fd)
        assert probe.foreground(with_title=False) == Foreground(AppRef("foot", "foot"), pid=1350)
        assert fake_kwin.reply_to(serial).header.message_type is MessageType.method_return
        fake_kwin.activate(0.0, "", "")
        wait_until(probe.drain_changes, probe.change_fd)
        assert probe.foreground(with_title=False) == Foreground(
            app=None, reason="no window is active", nothing_in_front=True
        )
        assert probe.status().works
    finally:
        probe.close()
    assert fake_kwin.unloaded == ["wellbeing-test"]
    assert not os.path.exists(script_path)


def _pumping(probe: kde.KdeForeground, server: FakeService, serial: int) -> Message:
    """The reply to `serial`, while the probe (on this thread) takes its calls."""
    for _ in range(500):
        probe.drain_changes()
        if serial in server.replies:
            return server.replies[serial]
        readable(probe.change_fd(), 0.01)
    raise AssertionError(f"no reply to message {serial}")


@pytest.mark.dbus
def test_kde_probe_refuses_calls_from_others_and_bad_reports(session_bus: str, fake_kwin: FakeKWin) -> None:
    probe = kde.KdeForeground(bus=session_bus, own_pid=OWN_PID, name_of_process=name_of_process)
    impostor = FakeService(session_bus, [], lambda message: None)
    try:
        wait_until(lambda: probe.foreground(with_title=False).app is not None, probe.change_fd)
        fake_call = new_method_call(
            DBusAddress("/Wellbeing", bus_name=fake_kwin.service_of_script(), interface="org.wellbeing.KWin"),
            "activated",
            "iss",
            (1502, "org.kde.calculator", "Calculator"),
        )
        answer = _pumping(probe, impostor, impostor.send_later(fake_call))
        assert answer.header.fields[HeaderFields.error_name] == "org.freedesktop.DBus.Error.AccessDenied"
        assert probe.foreground(with_title=False).app == AppRef("firefox", "firefox")
        assert "which is not KWin" in probe.status().detail
        answer = _pumping(probe, fake_kwin, fake_kwin.activate(1.5, "x", "y"))
        assert answer.header.fields[HeaderFields.error_name] == "org.freedesktop.DBus.Error.InvalidArgs"
        assert probe.foreground(with_title=False).app == AppRef("firefox", "firefox")
    finally:
        impostor.close()
        probe.close()


@pytest.mark.dbus
def test_kde_probe_on_plasma_5_and_a_leftover_script(session_bus: str) -> None:
    kwin = FakeKWin(session_bus, plasma=5, active=(3301.0, "org.kde.dolphin", "Home"))
    kwin.refuse_first_load = True  # as if a script of that name were still loaded
    try:
        probe = kde.KdeForeground(
            bus=session_bus, own_pid=OWN_PID, name_of_process=name_of_process, plugin_name="wb"
        )
        try:
            assert kwin.unloaded == ["wb"]
            wait_until(lambda: probe.foreground(with_title=False).app is not None, probe.change_fd)
            assert probe.foreground(with_title=False).app == AppRef("nautilus", "dolphin")
        finally:
            probe.close()
    finally:
        kwin.close()


@pytest.mark.dbus
def test_kde_probe_loads_its_script_again_when_kwin_restarts(session_bus: str) -> None:
    first = FakeKWin(session_bus)
    probe = kde.KdeForeground(
        bus=session_bus, own_pid=OWN_PID, name_of_process=name_of_process, plugin_name="wb"
    )
    second: FakeKWin | None = None
    try:
        wait_until(lambda: probe.foreground(with_title=False).app is not None, probe.change_fd)
        first.close()
        wait_until(lambda: probe.foreground(with_title=False).app is None, probe.change_fd)
        assert "KWin is gone" in (probe.foreground(with_title=False).reason or "")
        second = FakeKWin(session_bus, active=(1350.0, "foot", "~"))
        wait_until(lambda: probe.foreground(with_title=False).app == AppRef("foot", "foot"), probe.change_fd)
        assert "wb" in second.loaded
    finally:
        probe.close()
        if second is not None:
            second.close()


@pytest.mark.dbus
def test_kde_probe_waits_for_kwin_to_come_on_the_bus(session_bus: str) -> None:
    probe = kde.KdeForeground(
        bus=session_bus,
        own_pid=OWN_PID,
        name_of_process=name_of_process,
        plugin_name="wb",
        wait_for_kwin=True,
    )
    kwin: FakeKWin | None = None
    try:
        waiting = probe.foreground(with_title=False)
        assert waiting.app is None
        assert "KWin is not on the session bus yet" in (waiting.reason or "")
        kwin = FakeKWin(session_bus, active=(1350.0, "foot", "~"))
        wait_until(lambda: probe.foreground(with_title=False).app is not None, probe.change_fd)
        assert probe.foreground(with_title=False).app == AppRef("foot", "foot")
    finally:
        probe.close()
        if kwin is not None:
            kwin.close()


@pytest.mark.dbus
def test_kde_probe_without_kwin_is_not_built(session_bus: str) -> None:
    with pytest.raises(TrackerError, match="cannot load the KWin script"):
        kde.KdeForeground(bus=session_bus)
