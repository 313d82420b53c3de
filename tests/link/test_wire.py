"""The link's wire on real Unix sockets: requests and replies, pushes, and what a hostile peer
sends — each gets an error in words and changes nothing."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.link.running import Running, read_line
from wellbeing_app.link.client import LinkClient
from wellbeing_app.link.protocol import MAX_MESSAGE_BYTES, LinkError, LinkUnavailable, Peer
from wellbeing_app.link.server import MAX_PENDING_BYTES, LinkServer


class Counter:
    """A handler with state, to see that refused requests change nothing."""

    def __init__(self) -> None:
        self.value = 0
        self.peers: list[Peer] = []

    def __call__(self, peer: Peer, request: Mapping[str, Any]) -> Any:
        self.peers.append(peer)
        op = request["op"]
        if op == "add":
            by = request.get("by")
            if not isinstance(by, int):
                raise LinkError("bad-request", f"by must be a whole number, got {by!r}")
            self.value += by
            return self.value
        if op in ("get", "watch"):
            return self.value
        if op == "explode":
            raise RuntimeError("a bug")
        raise LinkError("unknown-op", f"no operation {op!r}")


@pytest.fixture
def place() -> Iterator[Path]:
    """A folder anyone may enter (tests let another user connect), short enough for a socket."""
    folder = Path(tempfile.mkdtemp(prefix="wb-link-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.fixture
def counter() -> Counter:
    return Counter()


@pytest.fixture
def running(place: Path, counter: Counter) -> Iterator[Running]:
    with Running(
        LinkServer(place / "socket", counter, allow=lambda peer: peer.uid == os.getuid())
    ) as running:
        yield running


def raw(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(5)
    sock.connect(str(path))
    return sock


def as_nobody() -> list[str]:
    """The command prefix that runs what follows as user nobody (root and setpriv needed)."""
    nobody = pwd.getpwnam("nobody")
    return ["setpriv", "--reuid", str(nobody.pw_uid), "--regid", str(nobody.pw_gid), "--clear-groups"]


def is_closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:  # closed with what was sent still unread
        return True


def send_until_refused(sock: socket.socket, data: bytes) -> int:
    """How much of `data` went in before the other end closed."""
    sent = 0
    try:
        while sent < len(data):
            sent += sock.send(data[sent : sent + 65536])
    except (BrokenPipeError, ConnectionResetError):
        pass
    return sent


def test_a_request_is_answered_and_the_peer_is_known_by_the_kernel(
    running: Running, counter: Counter
) -> None:
    with LinkClient(running.server.path) as client:
        assert client.call("add", by=2) == 2
        assert client.call("add", by=3) == 5
        assert client.call("get") == 5
    assert counter.peers[0] == Peer(os.getpid(), os.getuid(), os.getgid())


def test_the_servers_words_reach_the_caller_and_change_nothing(running: Running, counter: Counter) -> None:
    with LinkClient(running.server.path) as client:
        with pytest.raises(LinkError) as refused:
            client.call("add", by="lots")
        assert (refused.value.kind, refused.value.message) == (
            "bad-request",
            "by must be a whole number, got 'lots'",
        )
        with pytest.raises(LinkError) as unknown:
            client.call("reset")
        assert unknown.value.kind == "unknown-op"
        with pytest.raises(LinkError) as failed:
            client.call("explode")
        assert (failed.value.kind, failed.value.message) == ("failed", "the request failed; the log says why")
        assert client.call("get") == 0  # the same connection still answers


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (b"hello there\n", "not a JSON line"),
        (b"[1, 2]\n", "a JSON list was sent; a JSON object is expected"),
        (b'{"id": 1}\n', "the request's op must be a text, got None"),
        (b'{"id": [1], "op": "add", "by": 1}\n', "the request's id must be a number or a text"),
        (b"\xff\xfe\n", "not a JSON line"),
    ],
)
def test_garbage_gets_an_error_in_words_and_the_connection_goes_on(
    running: Running, counter: Counter, line: bytes, words: str
) -> None:
    with raw(running.server.path) as sock:
        sock.sendall(line)
        reply = read_line(sock)
        assert reply["ok"] is False
        assert reply["error"] == "bad-request"
        assert reply["message"].startswith(words)
        sock.sendall(b'{"id": 7, "op": "get"}\n')
        assert read_line(sock) == {"id": 7, "ok": True, "result": 0}
    assert counter.value == 0


def test_a_line_over_the_limit_is_refused_and_the_connection_closed_without_growing(
    running: Running, counter: Counter
) -> None:
    with raw(running.server.path) as sock:
        accepted = send_until_refused(
            sock, b'{"op": "add", "by": 1, "pad": "' + b"x" * (10 * 1024 * 1024) + b'"}\n'
        )
    assert accepted < 10 * 1024 * 1024  # the server stopped reading and closed: 10 MB never went in
    with raw(running.server.path) as sock:
        sock.sendall(b'{"op": "add", "by": 1, "pad": "' + b"x" * MAX_MESSAGE_BYTES + b'"}\n')
        reply = read_line(sock)
        assert (reply["ok"], reply["error"]) == (False, "too-long")
        assert f"at most {MAX_MESSAGE_BYTES} are allowed" in reply["message"]
        assert is_closed(sock)
    assert counter.value == 0
    with LinkClient(running.server.path) as client:
        assert client.call("get") == 0


def test_another_user_is_refused_on_connect_with_words(place: Path, counter: Counter) -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("another user needs root and setpriv")
    nobody = pwd.getpwnam("nobody")
    server = LinkServer(place / "socket", counter, allow=lambda peer: peer.uid == os.getuid(), mode=0o666)
    script = (  # as another user: connect, read what the server says, then try a request anyway
        "import socket, sys\n"
        "s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); d = b''\n"
        "while not d.endswith(b'\\n'):\n    c = s.recv(999)\n    d += c\n    if not c: break\n"
        'try: s.sendall(b\'{"id": 1, "op": "add", "by": 100}\\n\')\n'
        "except OSError: pass\n"
        "print(d.decode())\n"
    )
    with Running(server):
        done = subprocess.run(
            [
                *as_nobody(),
                "/usr/bin/python3",
                "-c",
                script,
                str(server.path),
            ],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
    reply = json.loads(done.stdout)
    assert reply == {
        "id": None,
        "ok": False,
        "error": "refused",
        "message": f"user {nobody.pw_uid} may not use {server.path}",
    }
    assert counter.value == 0
    assert counter.peers == []  # the handler never saw the request


def test_too_many_connections_are_refused_and_those_in_place_go_on(place: Path, counter: Counter) -> None:
    server = LinkServer(place / "socket", counter, allow=lambda peer: True, max_clients=4)
    with Running(server):
        clients = [LinkClient(server.path) for _ in range(4)]
        for client in clients:
            assert client.call("get") == 0
        with raw(server.path) as extra:
            reply = read_line(extra)
            assert reply["error"] == "refused"
            assert reply["message"] == "more than 4 connections at once"
        assert [client.call("add", by=1) for client in clients] == [1, 2, 3, 4]
        for client in clients:
            client.close()


def test_one_user_holding_many_connections_does_not_shut_out_another(place: Path, counter: Counter) -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("another user needs root and setpriv")
    server = LinkServer(
        place / "socket", counter, allow=lambda peer: True, mode=0o666, max_clients=64, max_per_user=3
    )
    hog = (  # as another user: hold 10 connections open and say what each was told
        "import json, socket, sys\n"
        "held = [socket.socket(socket.AF_UNIX) for _ in range(10)]\n"
        "for s in held: s.connect(sys.argv[1]); s.settimeout(0.3)\n"
        'for s in held: s.sendall(b\'{"id": 1, "op": "get"}\\n\')\n'
        "for s in held:\n"
        "    try: print(json.loads(s.makefile().readline()).get('error', 'ok'))\n"
        "    except Exception: print('closed')\n"
        "sys.stdin.read()\n"  # held until the test is done
    )
    with Running(server):
        child = subprocess.Popen(
            [
                *as_nobody(),
                "/usr/bin/python3",
                "-c",
                hog,
                str(server.path),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        told = [child.stdout.readline().strip() for _ in range(10)]
        assert told.count("ok") == 3
        assert told.count("refused") == 7
        with LinkClient(server.path) as root:  # root still gets in while the other user holds three
            assert root.call("get") == 0
        child.communicate("", timeout=20)


def test_watchers_get_pushes_and_one_that_reads_nothing_is_dropped(running: Running) -> None:
    path = running.server.path
    with LinkClient(path) as reader, raw(path) as sleeper, LinkClient(path) as bystander:
        assert reader.watch() == 0
        sleeper.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sleeper.sendall(b'{"id": 1, "op": "watch"}\n')
        assert read_line(sleeper)["ok"] is True
        assert bystander.call("get") == 0  # asked, but not watching
        assert len(running.watchers()) == 2
        assert running.push({"push": "tick", "n": 1}) == 2
        assert reader.call("get") == 0  # a call reads on past the push, keeping it
        assert reader.pushes() == [{"push": "tick", "n": 1}]
        message = {"push": "tick", "pad": "x" * 60000}
        for _ in range(2 * MAX_PENDING_BYTES // 60000):
            running.push(message)
            reader.pushes()
        assert len(running.watchers()) == 1  # the sleeper is gone; the reader stays
        assert bystander.pushes() == []


def test_the_client_gives_up_in_its_time_on_a_server_that_does_not_answer(place: Path) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(place / "socket"))
    listener.listen(1)
    with LinkClient(place / "socket", timeout=0.3) as client, pytest.raises(LinkUnavailable) as gave_up:
        client.call("get")
    assert gave_up.value.message == f"no answer on {place / 'socket'} within 0.3 s"
    listener.close()


def test_nothing_listening_is_said_in_words(place: Path) -> None:
    with pytest.raises(LinkUnavailable) as unavailable:
        LinkClient(place / "socket")
    assert unavailable.value.message.startswith(f"nothing answers on {place / 'socket'}")


def test_a_second_server_on_a_live_socket_is_refused_and_a_stale_one_is_replaced(
    running: Running, counter: Counter
) -> None:
    path = running.server.path
    with pytest.raises(LinkError) as refused:
        LinkServer(path, counter, allow=lambda peer: True).open()
    assert refused.value.message == f"another process already listens on {path}"
    stale = path.with_name("stale")
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(str(stale))
    leftover.close()  # the file stays, nobody listens
    with Running(LinkServer(stale, counter, allow=lambda peer: True)), LinkClient(stale) as client:
        assert client.call("get") == 0
    assert not stale.exists()


def test_the_socket_file_is_made_with_the_mode_asked(place: Path, counter: Counter) -> None:
    with Running(LinkServer(place / "private", counter, allow=lambda peer: True)) as private:
        assert private.server.path.stat().st_mode & 0o777 == 0o600
    with Running(LinkServer(place / "open", counter, allow=lambda peer: True, mode=0o666)) as shared:
        assert shared.server.path.stat().st_mode & 0o777 == 0o666
