"""One running app per data dir: a lock file, and the app's socket (the link, served on Qt's event
loop) that `status` asks and a second start tells to show the dashboard."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from wellbeing_app.link.client import LinkClient
from wellbeing_app.link.paths import personal_socket
from wellbeing_app.link.protocol import LinkError, Peer
from wellbeing_app.link.server import LinkServer
from wellbeing_app.ui.qt import QtCore

log = logging.getLogger(__name__)

Handler = Callable[[Peer, Mapping[str, Any]], Any]


class SingleInstance(QtCore.QObject):
    """`acquire()` is True for the first app of a data dir; later starts call `send("show")`
    and exit; the first one gets `message_received("show")`.

    The first one serves its socket from `acquire()` on: `show` at once, the other ops of the
    handler given to `serve()` once the database is open. Only this account's processes may
    connect (the kernel says who the peer is).
    """

    message_received = QtCore.Signal(str)

    def __init__(self, data_dir: Path, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self._lock = QtCore.QLockFile(str(data_dir / "wellbeing-app.lock"))
        self._lock.setStaleLockTime(0)
        self._server: LinkServer | None = None
        self._notifier: QtCore.QSocketNotifier | None = None
        self._handler: Handler | None = None

    @property
    def path(self) -> Path | None:
        """The socket served, None when none could be made."""
        return self._server.path if self._server is not None else None

    def acquire(self) -> bool:
        if not self._lock.tryLock(100):
            return False
        try:
            server = LinkServer(personal_socket(self.data_dir), self._answer, allow=_same_account)
            server.open()
        except (OSError, LinkError) as error:
            # The app still runs; only `status` reads the database and a second start cannot reach it.
            log.warning("the app's socket cannot be served: %s", error)
            return True
        self._server = server
        self._notifier = QtCore.QSocketNotifier(server.fileno(), QtCore.QSocketNotifier.Type.Read, self)
        self._notifier.setObjectName("the app's socket")
        self._notifier.activated.connect(lambda *_: server.process())
        return True

    def serve(self, handler: Handler) -> None:
        """Answer every op with `handler` from now on (`show` included)."""
        self._handler = handler

    def _answer(self, peer: Peer, request: Mapping[str, Any]) -> Any:
        if self._handler is not None:
            return self._handler(peer, request)
        op = request.get("op")
        if op == "show":
            self.message_received.emit("show")
            return None
        if op == "hello":
            return {"mode": "personal", "starting": True}
        raise LinkError("failed", "the app is starting: ask again in a moment")

    def show(self) -> None:
        """What a second start asked for: bring up the app."""
        self.message_received.emit("show")

    def send(self, message: str, timeout_ms: int = 2000) -> bool:
        """Tell the running app something (`show`); False when none answers."""
        try:
            with LinkClient(personal_socket(self.data_dir), timeout=timeout_ms / 1000) as client:
                client.call(message)
        except (OSError, LinkError) as error:
            log.info("the running app does not answer: %s", error)
            return False
        return True

    def watched(self) -> bool:
        """Whether any connection watches (only then is a tick worth a push)."""
        return self._server is not None and bool(self._server.watchers())

    def push(self, message: Mapping[str, Any]) -> int:
        """Send `message` to the connections that watch (none when there is no socket)."""
        return self._server.push(message) if self._server is not None else 0

    def release(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()


def _same_account(peer: Peer) -> bool:
    return peer.uid == os.getuid()
