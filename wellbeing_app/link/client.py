"""The asking end: a blocking connection with a time limit, for `status`, the CLI and the agent."""

from __future__ import annotations

import select
import socket
import time
from pathlib import Path
from typing import Any

from wellbeing_app.link.protocol import LineBuffer, LinkError, LinkUnavailable, decode, encode


class LinkClient:
    """`call(op, **args)` sends one request and waits for its reply; pushes that arrive meanwhile
    (after `watch`) are kept for `pushes()`."""

    def __init__(self, path: Path, *, timeout: float = 2.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._lines = LineBuffer()
        self._pushes: list[dict[str, Any]] = []
        self._next_id = 1
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        self._sock.settimeout(timeout)
        try:
            self._sock.connect(str(self.path))
        except OSError as error:
            self._sock.close()
            raise LinkUnavailable(f"nothing answers on {self.path} ({error.strerror or error})") from None

    def call(self, op: str, **args: Any) -> Any:
        """The result of `op`; raises LinkError with the server's kind and words."""
        request_id = self._next_id
        self._next_id += 1
        data = encode({**args, "id": request_id, "op": op})
        try:
            self._sock.sendall(data)
        except OSError as error:
            raise LinkUnavailable(f"the connection to {self.path} was lost ({error})") from None
        deadline = time.monotonic() + self.timeout
        while True:
            for message in self._read(deadline):
                if "push" in message:
                    self._pushes.append(message)
                    continue
                if message.get("id") not in (request_id, None):
                    continue  # the answer to an earlier call given up on
                if message.get("ok") is True:
                    return message.get("result")
                raise LinkError(str(message.get("error", "failed")), str(message.get("message", "")))

    def watch(self, **args: Any) -> Any:
        """Ask for pushes (the server's `watch`); its result, e.g. the state now."""
        return self.call("watch", **args)

    def fileno(self) -> int:
        return self._sock.fileno()

    def pushes(self) -> list[dict[str, Any]]:
        """The pushes received so far, read without waiting; raises LinkUnavailable when the
        connection is gone."""
        while select.select([self._sock], [], [], 0)[0]:
            messages = self._read(time.monotonic(), once=True)
            self._pushes.extend(m for m in messages if "push" in m)
        pushes, self._pushes = self._pushes, []
        return pushes

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> LinkClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, deadline: float, *, once: bool = False) -> list[dict[str, Any]]:
        """At least one message (or, with `once`, what one read gives); LinkUnavailable on a
        closed connection or at the deadline (`time.monotonic()`)."""
        while True:
            wait = deadline - time.monotonic()
            if wait <= 0 and not once:
                raise LinkUnavailable(f"no answer on {self.path} within {self.timeout:g} s")
            self._sock.settimeout(max(wait, 0.001))
            try:
                data = self._sock.recv(65536)
            except TimeoutError:
                raise LinkUnavailable(f"no answer on {self.path} within {self.timeout:g} s") from None
            except OSError as error:
                raise LinkUnavailable(f"the connection to {self.path} was lost ({error})") from None
            if not data:
                raise LinkUnavailable(f"{self.path} closed the connection")
            messages = [decode(line) for line in self._lines.feed(data)]
            if messages or once:
                return messages
