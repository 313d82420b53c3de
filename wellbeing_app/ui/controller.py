"""The app's loop: runs the service's tick loop on Qt's event loop (a timer for the beat, a socket
notifier for window switches) and tells the windows what the decision is. Lives on the Qt main thread.
`TickRelay` is the part both modes share: in protected mode the ticks come from the guard."""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

from wellbeing_app.core.engine import TickResult
from wellbeing_app.core.model import AppRef, BlockReason, Decision, Verdict
from wellbeing_app.core.record import record
from wellbeing_app.ui.qt import QtCore

if TYPE_CHECKING:
    from wellbeing_app.service import Service
    from wellbeing_app.service.loop import TickLoop
    from wellbeing_app.tracker.base import Foreground, ProbeSet

log = logging.getLogger(__name__)


@record
class Shown:
    """What the overlay should show: a break, a block with its reason, or nothing."""

    verdict: Verdict
    reason: BlockReason | None
    until: object | None
    app: AppRef | None

    @classmethod
    def of(cls, decision: Decision) -> Shown:
        if decision.verdict in (Verdict.BREAK, Verdict.BLOCK):
            return cls(decision.verdict, decision.reason, decision.until, decision.app)
        return cls(Verdict.ALLOW, None, None, None)


class TickRelay(QtCore.QObject):
    """The seam between where the ticks come from and the windows: every TickResult, from the
    local loop (`Controller`) or from the guard's pushes (`ui.agent.GuardController`), becomes the
    same signals.

    Signals carry the core's value objects. `overlay_changed` fires when the overlay should
    appear, change or go; `ticked` after every sample (tooltips, the dashboard); `warning`
    with the minutes left (10, 5, 1); `break_soon` a minute before a break.
    """

    ticked = QtCore.Signal(object)  # TickResult
    overlay_changed = QtCore.Signal(object)  # Decision
    warning = QtCore.Signal(int)
    break_soon = QtCore.Signal()
    notice = QtCore.Signal(str)

    def __init__(self, service: Service, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.decision: Decision | None = None
        self._shown: Shown | None = None
        self._notices_shown = 0

    @property
    def front(self) -> Foreground | None:
        """The app in front, not counting our own windows; None when not known here."""
        return None

    @front.setter
    def front(self, front: Foreground | None) -> None:
        pass

    def start(self) -> None:
        raise NotImplementedError

    def stop(self, *, how: str = "quit") -> None:
        raise NotImplementedError

    def tick(self) -> None:
        """Decide now, without waiting for the next tick (after an action)."""
        self.refresh()

    def refresh(self) -> None:
        """Re-decide now (after an action), without waiting for the next tick."""
        subject = self.front.app if self.front is not None else None
        decision = self.service.decision_for(subject)
        self._show(decision)

    def _show_notices(self) -> None:
        """Problems the service met (a full disk, a damaged file) reach the person once each."""
        for message in self.service.notices[self._notices_shown :]:
            self.notice.emit(message)
        self._notices_shown = len(self.service.notices)

    def _after(self, result: TickResult) -> None:
        if len(self.service.notices) > self._notices_shown:
            self._show_notices()
        if result.warning_minutes is not None:
            self.warning.emit(result.warning_minutes)
        if result.break_notice:
            self.break_soon.emit()
        self._show(result.decision)
        self.ticked.emit(result)

    def _show(self, decision: Decision) -> None:
        self.decision = decision
        shown = Shown.of(decision)
        if shown != self._shown:
            self._shown = shown
            self.overlay_changed.emit(decision)


class Controller(TickRelay):
    """Drives the service from the Qt event loop: the local tick loop of personal mode, on a timer
    for the beat and a socket notifier for window switches."""

    def __init__(self, service: Service, probes: ProbeSet, parent: QtCore.QObject | None = None) -> None:

        from wellbeing_app.service.loop import TickLoop  # the service's loop: personal mode only

        super().__init__(service, parent)
        self._loop: TickLoop = TickLoop(service, probes)
        self._timer = QtCore.QTimer(self)
        self._timer.setObjectName("tick")
        self._timer.setSingleShot(True)  # set again after every tick, for the moment the loop says
        self._timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)  # a timer early by 5 % would tick twice
        self._timer.timeout.connect(self._on_timer)
        self._notifier: QtCore.QSocketNotifier | None = None
        fd = self._loop.change_fd()
        if fd is not None:
            self._notifier = QtCore.QSocketNotifier(fd, QtCore.QSocketNotifier.Type.Read, self)
            self._notifier.activated.connect(self._on_switch)

    @property
    def front(self) -> Foreground | None:
        """The app in front, not counting our own windows; None after "back to desktop"."""
        return self._loop.front

    @front.setter
    def front(self, front: Foreground | None) -> None:
        self._loop.front = front

    def start(self) -> None:
        """Begin tracking; raises ServiceError when another tracker runs on this data dir."""
        self._loop.start()
        self._notices_shown = 0
        self._show_notices()
        self._on_timer()  # the first tick is due at once

    def stop(self, *, how: str = "quit") -> None:
        self._timer.stop()
        if self._notifier is not None:
            self._notifier.setEnabled(False)
        self._loop.stop(how=how)

    def _on_timer(self) -> None:
        self._step(switched=False)
        self._timer.start(math.ceil(self._loop.seconds_to_next_tick() * 1000))

    def _on_switch(self) -> None:
        self._step(switched=self._loop.drain_switches())

    def _step(self, *, switched: bool) -> None:
        result = self._loop.step(switched=switched)
        if result is not None:
            self._after(result)

    def tick(self) -> None:
        """Sample and decide now, without waiting for the next tick (after an action)."""
        self._after(self._loop.tick())
