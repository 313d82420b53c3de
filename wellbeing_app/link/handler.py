"""What one `Service` answers over the link: the ops, their arguments checked, errors in words."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from wellbeing_app import __version__
from wellbeing_app.link.codec import status_message
from wellbeing_app.link.protocol import LinkError, Peer

if TYPE_CHECKING:
    from wellbeing_app.service import Service


class ServiceHandler:
    """`handle(peer, request)` for a server; `mode` is "personal" (the tray app) or "guard"."""

    def __init__(self, service: Service, *, mode: str = "personal", user: str | None = None) -> None:
        self.service = service
        self.mode = mode
        self.user = user or getpass.getuser()
        self._ops: dict[str, Callable[[Peer, Mapping[str, Any]], Any]] = {
            "hello": self._hello,
            "status": self._status,
            "watch": self._status,
        }

    def handle(self, peer: Peer, request: Mapping[str, Any]) -> Any:
        op = request.get("op")
        answer = self._ops.get(str(op))
        if answer is None:
            known = ", ".join(sorted(self._ops))
            raise LinkError("unknown-op", f"no operation {str(op)[:60]!r}; known: {known}")
        return answer(peer, request)

    def _hello(self, peer: Peer, request: Mapping[str, Any]) -> Any:
        return {"mode": self.mode, "user": self.user, "version": __version__}

    def _status(self, peer: Peer, request: Mapping[str, Any]) -> Any:
        return status_message(self.service.status())
