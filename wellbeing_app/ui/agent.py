"""The protected-mode agent: the tray app of a protected account. It shows what the guard decides
(pushed over the guard's socket after every tick) and sends the child's actions there. It holds no
data, never loads the storage layer and never falls back to personal mode: without the guard it
says so, and connects again by itself when the guard is back."""

from __future__ import annotations

import logging
from typing import Any

from wellbeing_app.link import codec
from wellbeing_app.link.client import LinkClient
from wellbeing_app.link.protocol import LinkError
from wellbeing_app.link.remote import RemoteService
from wellbeing_app.ui.controller import TickRelay
from wellbeing_app.ui.qt import QtCore

log = logging.getLogger(__name__)

#: Waits between tries to reach the guard: doubling from the first, never longer than the last.
FIRST_RETRY_SECONDS = 0.5
LONGEST_RETRY_SECONDS = 4.0


class GuardController(TickRelay):
    """The ticks of a protected account, as the guard pushes them.

    `lost(words)` when the guard does not answer (then it tries again: 0.5 s, 1 s, 2 s, 4 s, 4 s…);
    `connected` once it answers again. Lives on the Qt main thread.
    """

    connected = QtCore.Signal()
    lost = QtCore.Signal(str)

    def __init__(self, service: RemoteService, parent: QtCore.QObject | None = None) -> None:
        super().__init__(service, parent)  # type: ignore[arg-type]
        self.remote = service
        self.online = False
        self._watch: LinkClient | None = None
        self._notifier: QtCore.QSocketNotifier | None = None
        self._delay = FIRST_RETRY_SECONDS
        self._retry = QtCore.QTimer(self)
        self._retry.setObjectName("reach the guard again")
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._connect)

    def start(self) -> None:
        self._connect()

    def stop(self, *, how: str = "quit") -> None:
        self._retry.stop()
        self._close()

    def tick(self) -> None:
        """After an action: what the guard says now, without waiting for its next push."""
        try:
            status = self.remote.status()
        except Exception as error:
            log.info("status after an action: %s", error)
            return
        self._show(status.decision)

    def refresh(self) -> None:
        self.tick()

    # --- the watching connection ----------------------------------------------------------------

    def _connect(self) -> None:
        try:
            client = LinkClient(self.remote.path, timeout=self.remote.timeout)
        except LinkError as error:
            self._lost(error.message)
            return
        try:
            hello = client.call("hello")
            if not isinstance(hello, dict) or hello.get("mode") != "guard":
                raise LinkError("refused", f"{self.remote.path} is not Wellbeing's guard")
            answer = client.watch()
            self.remote.remember_settings(answer)
            status = codec.status_from(answer.get("status"))
        except LinkError as error:
            client.close()
            self._lost(error.message)
            return
        self._watch = client
        self._delay = FIRST_RETRY_SECONDS
        self._notifier = QtCore.QSocketNotifier(client.fileno(), QtCore.QSocketNotifier.Type.Read, self)
        self._notifier.setObjectName("the guard's pushes")
        self._notifier.activated.connect(self._on_readable)
        self.online = True
        log.info("connected to the guard at %s", self.remote.path)
        self.connected.emit()
        self._show(status.decision)
        self._on_readable()  # pushes that came with the answer

    def _on_readable(self, *_: Any) -> None:
        if self._watch is None:
            return
        try:
            pushes = self._watch.pushes()
        except LinkError as error:
            self._lost(error.message)
            return
        for push in pushes:
            if push.get("push") != "tick":
                continue
            try:
                result, status = codec.tick_from(push)
            except LinkError as error:
                log.warning("a tick from the guard that does not read: %s", error.message)
                continue
            self.remote.remember_tick(result, status)
            self._after(result)

    def _lost(self, why: str) -> None:
        self._close()
        if self.online or not self._retry.isActive():
            log.warning("the guard does not answer (%s); trying again in %.1f s", why, self._delay)
        self.online = False
        self.lost.emit(why)
        self._retry.start(round(self._delay * 1000))
        self._delay = min(self._delay * 2, LONGEST_RETRY_SECONDS)

    def _close(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        self.remote.close()
