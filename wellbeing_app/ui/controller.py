"""The app's loop: samples at every tick and every window switch, feeds the service, and tells the
windows what the decision is. Lives on the Qt main thread."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from wellbeing_app.core.engine import TickResult
from wellbeing_app.core.model import AppRef, BlockReason, Decision, Verdict
from wellbeing_app.service import Service
from wellbeing_app.tracker.base import Foreground, ProbeSet
from wellbeing_app.tracker.sampler import Sampler
from wellbeing_app.ui.qt import QtCore

log = logging.getLogger(__name__)

TICK_MS = 1000


@dataclass(frozen=True)
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


class Controller(QtCore.QObject):
    """Drives the service from the Qt event loop.

    Signals carry the core's value objects. `overlay_changed` fires when the overlay should
    appear, change or go; `ticked` after every sample (tooltips, the dashboard); `warning`
    with the minutes left (10, 5, 1); `break_soon` a minute before a break.
    """

    ticked = QtCore.Signal(object)  # TickResult
    overlay_changed = QtCore.Signal(object)  # Decision
    warning = QtCore.Signal(int)
    break_soon = QtCore.Signal()
    notice = QtCore.Signal(str)

    def __init__(self, service: Service, probes: ProbeSet, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.probes = probes
        self.sampler = Sampler(probes, service.clock)
        self.decision: Decision | None = None
        self.front: Foreground | None = None  # the app in front, not counting our own windows
        self._shown: Shown | None = None
        self._notices_shown = 0
        self._timer = QtCore.QTimer(self)
        self._timer.setObjectName("tick")
        self._timer.setInterval(TICK_MS)
        self._timer.setTimerType(QtCore.Qt.TimerType.CoarseTimer)
        self._timer.timeout.connect(self.tick)
        self._notifier: QtCore.QSocketNotifier | None = None
        fd = probes.foreground.change_fd()
        if fd is not None:
            self._notifier = QtCore.QSocketNotifier(fd, QtCore.QSocketNotifier.Type.Read, self)
            self._notifier.activated.connect(self._on_switch)

    def start(self) -> None:
        """Begin tracking; raises ServiceError when another tracker runs on this data dir."""
        self.service.start_tracking()
        self._notices_shown = 0
        self._show_notices()
        self.tick()
        self._timer.start()

    def _show_notices(self) -> None:
        """Problems the service met (a full disk, a damaged file) reach the person once each."""
        for message in self.service.notices[self._notices_shown :]:
            self.notice.emit(message)
        self._notices_shown = len(self.service.notices)

    def stop(self, *, how: str = "quit") -> None:
        self._timer.stop()
        if self._notifier is not None:
            self._notifier.setEnabled(False)
        if self.service.tracking:
            self.service.stop_tracking(how=how)

    def _on_switch(self) -> None:
        if self.probes.foreground.drain_changes():
            self.tick()

    def tick(self) -> None:
        sample = self.sampler.sample(with_title=self.service.settings.store_window_titles)
        if sample.app is None or not sample.app.is_self:
            self.front = self.sampler.last_foreground or Foreground(sample.app)
        result = self.service.tick(sample)
        if len(self.service.notices) > self._notices_shown:
            self._show_notices()
        self._after(result)

    def refresh(self) -> None:
        """Re-decide now (after an action), without waiting for the next tick."""
        subject = self.front.app if self.front is not None else None
        decision = self.service.decision_for(subject)
        self._show(decision)

    def _after(self, result: TickResult) -> None:
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
