"""One running app per data dir: a lock file, and a local socket that the second start talks to."""

from __future__ import annotations

import hashlib
from pathlib import Path

from wellbeing_app.ui.qt import QtCore, QtNetwork


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha1(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return f"wellbeing-app-{digest}"


class SingleInstance(QtCore.QObject):
    """`acquire()` is True for the first app of a data dir; later starts call `send("show")`
    and exit; the first one gets `message_received("show")`."""

    message_received = QtCore.Signal(str)

    def __init__(self, data_dir: Path, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        self._lock = QtCore.QLockFile(str(data_dir / "wellbeing-app.lock"))
        self._lock.setStaleLockTime(0)
        self._server: QtNetwork.QLocalServer | None = None

    def acquire(self) -> bool:
        if not self._lock.tryLock(100):
            return False
        QtNetwork.QLocalServer.removeServer(self.name)
        self._server = QtNetwork.QLocalServer(self)
        self._server.setSocketOptions(QtNetwork.QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._server.listen(self.name)
        return True

    def _accept(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))

    def _read(self, socket: QtNetwork.QLocalSocket) -> None:
        message = bytes(socket.readAll().data()).decode("utf-8", "replace").strip()
        if message:
            self.message_received.emit(message)
        socket.disconnectFromServer()

    def send(self, message: str, timeout_ms: int = 2000) -> bool:
        """Tell the running app something; False when none answers."""
        socket = QtNetwork.QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(message.encode("utf-8") + b"\n")
        socket.flush()
        socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
        self._lock.unlock()
