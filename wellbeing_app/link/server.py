"""The listening end: one socket, many connections, no threads.

`fileno()` is one descriptor that is readable whenever there is something to do (the selector's
own), so the owner waits on it with `select()` (the guard, `track`) or a `QSocketNotifier` (the
tray app) and calls `process()`, which does everything that is ready and never blocks.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import selectors
import socket
from collections.abc import Callable, Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from wellbeing_app.core.record import record
from wellbeing_app.link.protocol import (
    LineBuffer,
    LinkError,
    Peer,
    decode,
    encode,
    reply_error,
    reply_ok,
)

log = logging.getLogger(__name__)

Handler = Callable[[Peer, Mapping[str, Any]], Any]

#: A watcher that does not read is dropped once this much waits for it (a stopped agent).
MAX_PENDING_BYTES = 1024 * 1024
_READ_SIZE = 65536


@record(frozen=False, eq=False)
class _Connection:
    sock: socket.socket
    peer: Peer
    lines: LineBuffer = field(default_factory=LineBuffer)
    out: bytearray = field(default_factory=bytearray)
    watching: bool = False
    closing: bool = False  # close once `out` is sent


class LinkServer:
    """Answers requests with `handler(peer, request)`; `allow(peer)` decides who may connect."""

    def __init__(
        self,
        path: Path,
        handler: Handler,
        *,
        allow: Callable[[Peer], bool],
        mode: int = 0o600,
        max_clients: int = 32,
        max_per_user: int | None = None,
    ) -> None:
        self.path = Path(path)
        self._handler = handler
        self._allow = allow
        self._mode = mode
        self._max_clients = max_clients
        # One user holding every connection must not shut the others out (a child against root
        # and the agent on the guard's socket); root is never refused for it.
        self._max_per_user = max_per_user
        self._selector: selectors.BaseSelector | None = None
        self._listener: socket.socket | None = None
        self._connections: dict[int, _Connection] = {}

    # --- life ---------------------------------------------------------------------------------------

    def open(self) -> None:
        """Listen; raises LinkError("refused") when another process already answers on the path."""
        if self.path.exists() or self.path.is_symlink():
            if _answers(self.path):
                raise LinkError("refused", f"another process already listens on {self.path}")
            self.path.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        # Made with no access at all and opened up by chmod, so nobody connects in between.
        old_umask = os.umask(0o777)
        try:
            listener.bind(str(self.path))
        finally:
            os.umask(old_umask)
        os.chmod(self.path, self._mode)
        listener.listen(64)
        listener.setblocking(False)
        self._listener = listener
        self._selector = selectors.DefaultSelector()
        self._selector.register(listener, selectors.EVENT_READ, None)

    def close(self) -> None:
        for connection in list(self._connections.values()):
            self._drop(connection)
        if self._selector is not None:
            self._selector.close()
            self._selector = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def __enter__(self) -> LinkServer:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fileno(self) -> int:
        assert self._selector is not None, "open() first"
        fileno = getattr(self._selector, "fileno", None)  # epoll (Linux) and kqueue (macOS) have one
        if fileno is None:
            raise LinkError("failed", "this system's selector cannot be waited on")
        return int(fileno())

    # --- work ---------------------------------------------------------------------------------------

    def process(self, timeout: float = 0) -> None:
        """Do everything that is ready now (waiting at most `timeout` seconds for something)."""
        assert self._selector is not None, "open() first"
        for key, events in self._selector.select(timeout):
            if key.data is None:
                self._accept()
                continue
            connection: _Connection = key.data
            if events & selectors.EVENT_WRITE:
                self._send(connection)
            if events & selectors.EVENT_READ and connection.sock.fileno() >= 0:
                self._receive(connection)

    def push(self, message: Mapping[str, Any], *, to: Callable[[Peer], bool] = lambda peer: True) -> int:
        """Send `message` to the watching connections whose peer `to` accepts; how many."""
        data = encode(message)
        reached = 0
        for connection in list(self._connections.values()):
            if connection.watching and not connection.closing and to(connection.peer):
                if len(connection.out) + len(data) > MAX_PENDING_BYTES:
                    log.warning("dropped a watcher that reads nothing (pid %s)", connection.peer.pid)
                    self._drop(connection)
                    continue
                self._queue(connection, data)
                reached += 1
        return reached

    def watchers(self) -> list[Peer]:
        return [c.peer for c in self._connections.values() if c.watching and not c.closing]

    # --- inside -------------------------------------------------------------------------------------

    def _accept(self) -> None:
        assert self._listener is not None
        assert self._selector is not None
        while True:
            try:
                sock, _ = self._listener.accept()
            except BlockingIOError:
                return
            except OSError as error:  # out of descriptors: what waits stays queued in the kernel
                log.warning("could not accept a connection on %s: %s", self.path, error)
                return
            sock.setblocking(False)
            connection = _Connection(sock, Peer.of(sock))
            self._connections[sock.fileno()] = connection
            self._selector.register(sock, selectors.EVENT_READ, connection)
            if not self._allow(connection.peer):
                self._refuse(connection, f"user {connection.peer.uid} may not use {self.path}")
            elif self._too_many_of(connection.peer.uid):
                self._refuse(
                    connection,
                    f"more than {self._max_per_user} connections at once from user {connection.peer.uid}",
                )
            elif len(self._connections) > self._max_clients:
                self._refuse(connection, f"more than {self._max_clients} connections at once")

    def _too_many_of(self, uid: int) -> bool:
        if self._max_per_user is None or uid == 0:
            return False
        same = sum(1 for c in self._connections.values() if c.peer.uid == uid and not c.closing)
        return same > self._max_per_user

    def _refuse(self, connection: _Connection, words: str) -> None:
        self._queue(connection, encode(reply_error(None, LinkError("refused", words))))
        self._close_when_sent(connection)

    def _close_when_sent(self, connection: _Connection) -> None:
        connection.closing = True
        if not connection.out:
            self._drop(connection)

    def _receive(self, connection: _Connection) -> None:
        try:
            data = connection.sock.recv(_READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._drop(connection)
            return
        if connection.closing:
            return  # what a refused or broken peer still sends is not read
        try:
            lines = connection.lines.feed(data)
        except LinkError as error:
            self._queue(connection, encode(reply_error(None, error)))
            self._close_when_sent(connection)
            return
        for line in lines:
            self._answer(connection, line)
            if connection.closing or connection.sock.fileno() < 0:
                return

    def _answer(self, connection: _Connection, line: bytes) -> None:
        request_id: Any = None
        try:
            request = decode(line)
            request_id = request.get("id")
            if not isinstance(request_id, int | str | None):
                request_id = None
                raise LinkError("bad-request", "the request's id must be a number or a text")
            op = request.get("op")
            if not isinstance(op, str):
                raise LinkError("bad-request", f"the request's op must be a text, got {op!r:.60}")
            result = self._handler(connection.peer, request)
            if op == "watch":
                connection.watching = True
            reply = reply_ok(request_id, result)
        except LinkError as error:
            reply = reply_error(request_id, error)
        except Exception:
            log.exception("the handler failed on a request from pid %s", connection.peer.pid)
            reply = reply_error(request_id, LinkError("failed", "the request failed; the log says why"))
        try:
            data = encode(reply)
        except (LinkError, TypeError, ValueError) as error:
            words = (
                error.message
                if isinstance(error, LinkError)
                else f"the answer could not be written ({error})"
            )
            data = encode(reply_error(request_id, LinkError("failed", words)))
        self._queue(connection, data)

    def _queue(self, connection: _Connection, data: bytes) -> None:
        had_pending = bool(connection.out)
        connection.out += data
        if not had_pending:
            self._send(connection)

    def _send(self, connection: _Connection) -> None:
        assert self._selector is not None
        try:
            sent = connection.sock.send(connection.out)
        except BlockingIOError:
            sent = 0
        except OSError as error:
            if error.errno not in (errno.EPIPE, errno.ECONNRESET):
                log.info("lost a connection from pid %s: %s", connection.peer.pid, error)
            self._drop(connection)
            return
        del connection.out[:sent]
        if connection.out:
            self._selector.modify(connection.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, connection)
        elif connection.closing:
            self._drop(connection)
        else:
            self._selector.modify(connection.sock, selectors.EVENT_READ, connection)

    def _drop(self, connection: _Connection) -> None:
        fd = connection.sock.fileno()
        if fd < 0:
            return
        self._connections.pop(fd, None)
        if self._selector is not None:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(connection.sock)
        connection.sock.close()


def _answers(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    probe.settimeout(0.5)
    try:
        probe.connect(str(path))
    except OSError:
        return False
    finally:
        probe.close()
    return True
