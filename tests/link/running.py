"""A link server run on a thread of its own for tests (in the app it runs on the loop's thread)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Mapping
from typing import Any

from wellbeing_app.link.protocol import Peer
from wellbeing_app.link.server import LinkServer


class Running:
    """A server processed on a thread of its own (in the app it is the loop's thread)."""

    def __init__(self, server: LinkServer) -> None:
        self.server = server
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                self.server.process(0.02)

    def __enter__(self) -> Running:
        self.server.open()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.server.close()

    def push(self, message: Mapping[str, Any]) -> int:
        with self._lock:
            return self.server.push(message)

    def watchers(self) -> list[Peer]:
        with self._lock:
            return self.server.watchers()


def read_line(sock: socket.socket) -> dict[str, Any]:
    """The first line the other end sends, as JSON (what a raw client of the link reads)."""
    data = b""
    while b"\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return dict(json.loads(data.splitlines()[0]))
