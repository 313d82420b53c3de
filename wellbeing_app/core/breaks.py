"""The break schedule as an explicit state machine: continuous use, notice, break, postpone, skip."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .accounting import Activity
from .errors import CoreError
from .events import (
    BreakNaturalPayload,
    BreakNoticePayload,
    BreakPostponedPayload,
    BreakSkippedPayload,
    BreakStartedPayload,
    BreakTakenPayload,
    Payload,
)
from .model import EventKind
from .text import N_, Text

POSTPONE_MINUTES = 5
NOTICE_SECONDS = 60
#: A session shorter than this that ends by itself is not worth a "natural break" record.
MIN_SESSION_FOR_RECORD_SECONDS = 60.0


class BreakError(CoreError):
    """A break action that is not allowed now (say why)."""


class BreakPhase(enum.Enum):
    WORKING = "working"
    ON_BREAK = "on_break"


@dataclass(frozen=True)
class BreakNote:
    """Something the scheduler did that is worth a record."""

    payload: Payload

    @property
    def kind(self) -> EventKind:
        return self.payload.kind


@dataclass(frozen=True)
class BreakView:
    """The scheduler as the policy and the UI see it; times are elapsed-counter readings."""

    phase: BreakPhase
    session_seconds: float
    next_break_in_seconds: float | None  # active seconds until the next break; None: no breaks
    break_ends_elapsed: float | None
    postpones_left: int
    forced: bool = True


class BreakScheduler:
    """Counts continuous use and decides when a break is due and when it is over.

    Driven by one `on_activity` call per tick, on the loop's thread. A session is the active
    time since the last break; it pauses while the person is briefly away and ends by itself
    when they are away for at least a break's length (a natural break: no forced break is owed).
    Breaks run on the elapsed counter, which keeps counting in sleep, so sleeping through a
    break satisfies it.
    """

    def __init__(self, every_minutes: int | None, length_minutes: int, postpones_allowed: int) -> None:
        self.configure(every_minutes, length_minutes, postpones_allowed)
        self.phase = BreakPhase.WORKING
        self.session_seconds = 0.0
        self.postpones_used = 0
        self._noticed = False
        self._break_ends: float | None = None
        self._forced = True

    def configure(self, every_minutes: int | None, length_minutes: int, postpones_allowed: int) -> None:
        self.every_seconds = None if every_minutes is None else every_minutes * 60.0
        self.length_seconds = length_minutes * 60.0
        self.postpones_allowed = postpones_allowed

    @property
    def due_after_seconds(self) -> float | None:
        if self.every_seconds is None:
            return None
        return self.every_seconds + self.postpones_used * POSTPONE_MINUTES * 60.0

    def view(self) -> BreakView:
        due = self.due_after_seconds
        next_in = None if due is None else max(0.0, due - self.session_seconds)
        if self.phase is BreakPhase.ON_BREAK:
            next_in = 0.0
        return BreakView(
            phase=self.phase,
            session_seconds=self.session_seconds,
            next_break_in_seconds=next_in,
            break_ends_elapsed=self._break_ends,
            postpones_left=max(0, self.postpones_allowed - self.postpones_used),
            forced=self._forced,
        )

    def on_activity(self, activity: Activity, elapsed: float) -> list[BreakNote]:
        notes: list[BreakNote] = []
        if self.phase is BreakPhase.ON_BREAK:
            if self._break_ends is not None and elapsed >= self._break_ends:
                notes.append(BreakNote(BreakTakenPayload(self._forced)))
                self._reset()
            return notes

        self.session_seconds = max(0.0, self.session_seconds - activity.retracted_seconds)
        away = max(activity.away_seconds, activity.unobserved_seconds)
        if away >= self.length_seconds:
            if self.session_seconds >= MIN_SESSION_FOR_RECORD_SECONDS:
                notes.append(BreakNote(BreakNaturalPayload(round(away))))
            self._reset()
        self.session_seconds += activity.active_seconds

        due = self.due_after_seconds
        if due is None:
            return notes
        if not self._noticed and self.session_seconds >= due - NOTICE_SECONDS:
            self._noticed = True
            if self.session_seconds < due:
                notes.append(BreakNote(BreakNoticePayload(round(due - self.session_seconds))))
        if self.session_seconds >= due:
            notes.append(self._begin(elapsed, forced=True))
        return notes

    def start_now(self, elapsed: float) -> BreakNote:
        """Take a break now, asked for by the person."""
        if self.phase is BreakPhase.ON_BREAK:
            raise BreakError(Text(N_("a break is already running")))
        return self._begin(elapsed, forced=False)

    def postpone(self) -> BreakNote:
        if self.phase is not BreakPhase.ON_BREAK:
            raise BreakError(Text(N_("there is no break to postpone right now")))
        if self.postpones_used >= self.postpones_allowed:
            raise BreakError(
                Text(
                    N_(
                        "this break cannot be postponed: {allowed} postpone(s) allowed per break, {used} used"
                    ),
                    {"allowed": self.postpones_allowed, "used": self.postpones_used},
                )
            )
        self.postpones_used += 1
        self.phase = BreakPhase.WORKING
        self._break_ends = None
        self._noticed = False
        return BreakNote(
            BreakPostponedPayload(POSTPONE_MINUTES, self.postpones_allowed - self.postpones_used)
        )

    def skip(self) -> BreakNote:
        """End the running break now (the caller checks the passcode when settings are locked)."""
        if self.phase is not BreakPhase.ON_BREAK:
            raise BreakError(Text(N_("there is no break to skip right now")))
        self._reset()
        return BreakNote(BreakSkippedPayload())

    def _begin(self, elapsed: float, *, forced: bool) -> BreakNote:
        self.phase = BreakPhase.ON_BREAK
        self._break_ends = elapsed + self.length_seconds
        self._forced = forced
        return BreakNote(BreakStartedPayload(forced, self.length_seconds / 60))

    def _reset(self) -> None:
        self.phase = BreakPhase.WORKING
        self.session_seconds = 0.0
        self.postpones_used = 0
        self._noticed = False
        self._break_ends = None
        self._forced = True
