"""The wire: one JSON object a line, at most `MAX_MESSAGE_BYTES` a line.

A request is ``{"id": 1, "op": "status", …}``; its reply ``{"id": 1, "ok": true, "result": …}`` or
``{"id": 1, "ok": false, "error": "passcode", "message": "…"}``. A push, sent unasked to a
connection that asked to ``watch``, is ``{"push": "tick", …}``.
"""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import Mapping
from typing import Any

from wellbeing_app.core.record import record

MAX_MESSAGE_BYTES = 64 * 1024

#: The kinds of error a reply can carry.
ERROR_KINDS = frozenset(
    {"bad-request", "too-long", "refused", "unknown-op", "passcode", "not-protected", "unavailable", "failed"}
)


class LinkError(Exception):
    """A request that could not be answered, with a kind from `ERROR_KINDS` and words for people."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind if kind in ERROR_KINDS else "failed"
        self.message = message


class LinkUnavailable(LinkError):
    """Nothing listens on the socket, or the connection was lost."""

    def __init__(self, message: str) -> None:
        super().__init__("unavailable", message)


@record
class Peer:
    """Who is at the other end, as the kernel says (`SO_PEERCRED`), not as they say."""

    pid: int
    uid: int
    gid: int

    @classmethod
    def of(cls, sock: socket.socket) -> Peer:
        fmt = "3i"
        pid, uid, gid = struct.unpack(
            fmt, sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize(fmt))
        )
        return cls(pid, uid, gid)


def encode(message: Mapping[str, Any]) -> bytes:
    """One line; raises LinkError("too-long") for a message over the limit."""
    line = (
        json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
        + b"\n"
    )
    if len(line) > MAX_MESSAGE_BYTES:
        raise LinkError(
            "too-long", f"a message of {len(line)} bytes; at most {MAX_MESSAGE_BYTES} are allowed"
        )
    return line


def decode(line: bytes) -> dict[str, Any]:
    """One line to one JSON object; raises LinkError("bad-request") for anything else."""
    try:
        message = json.loads(line)
    except (UnicodeDecodeError, ValueError) as error:
        raise LinkError("bad-request", f"not a JSON line ({error})") from None
    if not isinstance(message, dict):
        raise LinkError("bad-request", f"a JSON {type(message).__name__} was sent; a JSON object is expected")
    return message


class LineBuffer:
    """Bytes in, whole lines out; refuses a line longer than the limit instead of growing."""

    def __init__(self) -> None:
        self._pending = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """The whole lines so far; raises LinkError("too-long") when a line passes the limit."""
        self._pending += data
        lines = []
        while (end := self._pending.find(b"\n")) >= 0:
            line = bytes(self._pending[:end])
            del self._pending[: end + 1]
            if len(line) >= MAX_MESSAGE_BYTES:
                raise _too_long()
            lines.append(line)
        if len(self._pending) >= MAX_MESSAGE_BYTES:
            raise _too_long()
        return lines


def _too_long() -> LinkError:
    limit = MAX_MESSAGE_BYTES
    return LinkError("too-long", f"a line of more than {limit} bytes; at most {limit} are allowed")


def reply_ok(request_id: Any, result: Any) -> dict[str, Any]:
    return {"id": request_id, "ok": True, "result": result}


def reply_error(request_id: Any, error: LinkError) -> dict[str, Any]:
    return {"id": request_id, "ok": False, "error": error.kind, "message": error.message}
