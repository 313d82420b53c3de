"""The break schedule as an explicit state machine: continuous use, notice, break, postpone, skip."""

from __future__ import annotations

import dataclasses
import enum

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
from .record import record
from .settings import Settings
from .text import N_, Text

POSTPONE_MINUTES = 5
NOTICE_SECONDS = 60
#: A session shorter than this that ends by itself is not worth a "natural break" record.
MIN_SESSION_FOR_RECORD_SECONDS = 60.0


class BreakError(CoreError):
    """A break action that is not allowed now (say why)."""


class BreakPhase(enum.Enum):
    """The break schedule as the policy and the journal see it: working, or on a break."""

    WORKING = "working"
    ON_BREAK = "on_break"


class Stage(enum.Enum):
    """Where the break schedule stands; each stage carries its own data in `BreakState`."""

    RUNNING = "running"  # counting continuous use towards the next break; nothing owed yet
    NOTICED = "noticed"  # the break is a minute away (or due at once): the notice was given
    TAKING = "taking"  # a break runs until `ends_elapsed`
    POSTPONED = "postponed"  # the break was put off: counting towards its later due time

    @property
    def phase(self) -> BreakPhase:
        return BreakPhase.ON_BREAK if self is Stage.TAKING else BreakPhase.WORKING


@record
class BreakState:
    """One stage of the schedule with the data it needs; any other combination is refused.

    `session_seconds` is the continuous use since the last break (kept while a break runs, so a
    postponed break goes on counting from there); `postpones_used` is how often the break that
    is owed now was put off; `ends_elapsed` (when the break ends, on the elapsed counter) and
    `forced` (the schedule began it, not the person) belong to a running break only.
    """

    stage: Stage = Stage.RUNNING
    session_seconds: float = 0.0
    postpones_used: int = 0
    ends_elapsed: float | None = None
    forced: bool = True

    def __post_init__(self) -> None:
        problem = self._impossible()
        if problem:
            raise ValueError(f"impossible break state {self!r}: {problem}")

    def _impossible(self) -> str | None:
        if self.session_seconds < 0:
            return "continuous use is negative"
        if self.postpones_used < 0:
            return "postpones used is negative"
        if (self.stage is Stage.TAKING) != (self.ends_elapsed is not None):
            return "only a running break has an end"
        if self.stage is not Stage.TAKING and not self.forced:
            return "only a running break can have been asked for"
        if self.stage is Stage.RUNNING and self.postpones_used:
            return "a postponed break is counted in the POSTPONED or NOTICED stage"
        if self.stage is Stage.POSTPONED and not self.postpones_used:
            return "a break that was never postponed"
        return None


@record
class BreakRules:
    """What the settings say about breaks, in seconds."""

    every_seconds: float | None  # None: no scheduled breaks
    length_seconds: float
    postpones_allowed: int

    @classmethod
    def from_settings(cls, settings: Settings) -> BreakRules:
        every = settings.break_every_minutes
        return cls(
            every_seconds=None if every is None else every * 60.0,
            length_seconds=settings.break_length_minutes * 60.0,
            postpones_allowed=settings.postpones_allowed,
        )

    def due_after_seconds(self, state: BreakState) -> float | None:
        """The continuous use after which the owed break begins (later for each postpone)."""
        if self.every_seconds is None:
            return None
        return self.every_seconds + state.postpones_used * POSTPONE_MINUTES * 60.0


# --- what can happen to the schedule ---------------------------------------------------------


@record(eq=False, repr=False)
class Tick:
    """One sample's worth of use (or absence), read at `elapsed`."""

    activity: Activity
    elapsed: float


@record(eq=False, repr=False)
class TakeNow:
    """The person asks for a break now."""

    elapsed: float


@record(eq=False, repr=False)
class Postpone:
    """Put the running break off by POSTPONE_MINUTES of use."""


@record(eq=False, repr=False)
class Skip:
    """End the running break now (the caller checks the passcode when settings are locked)."""


BreakEvent = Tick | TakeNow | Postpone | Skip


@record(eq=False, repr=False)
class BreakNote:
    """Something the scheduler did that is worth a record."""

    payload: Payload

    @property
    def kind(self) -> EventKind:
        return self.payload.kind


def transition(state: BreakState, event: BreakEvent, rules: BreakRules) -> tuple[BreakState, list[BreakNote]]:
    """The one place the schedule moves: the state after `event`, and what is worth a record.

    Raises BreakError (and nothing changes) for an action that is not allowed in `state`.
    """
    match event:
        case Tick(activity, elapsed):
            if state.stage is Stage.TAKING:
                return _tick_on_break(state, elapsed)
            return _tick_working(state, activity, elapsed, rules)
        case TakeNow(elapsed):
            if state.stage is Stage.TAKING:
                raise BreakError(Text(N_("a break is already running")))
            return _begin(state, elapsed, rules, forced=False)
        case Postpone():
            return _postpone(state, rules)
        case Skip():
            if state.stage is not Stage.TAKING:
                raise BreakError(Text(N_("there is no break to skip right now")))
            return BreakState(), [BreakNote(BreakSkippedPayload())]
    raise TypeError(f"not a break event: {event!r}")


def _tick_on_break(state: BreakState, elapsed: float) -> tuple[BreakState, list[BreakNote]]:
    # The break runs on the elapsed counter, which keeps counting in sleep: sleeping through a
    # break satisfies it. Use during the break does not count towards the next session.
    assert state.ends_elapsed is not None
    if elapsed < state.ends_elapsed:
        return state, []
    return BreakState(), [BreakNote(BreakTakenPayload(state.forced))]


def _tick_working(
    state: BreakState, activity: Activity, elapsed: float, rules: BreakRules
) -> tuple[BreakState, list[BreakNote]]:
    notes: list[BreakNote] = []
    session = max(0.0, state.session_seconds - activity.retracted_seconds)
    away = max(activity.away_seconds, activity.unobserved_seconds)
    if away >= rules.length_seconds:
        # Away for a break's length: a natural break, no forced break is owed any more.
        if session >= MIN_SESSION_FOR_RECORD_SECONDS:
            notes.append(BreakNote(BreakNaturalPayload(round(away))))
        state = BreakState()
        session = 0.0
    # Built directly rather than with dataclasses.replace: this runs at every tick.
    state = BreakState(state.stage, session + activity.active_seconds, state.postpones_used)

    due = rules.due_after_seconds(state)
    if due is None:
        return state, notes
    if state.stage is not Stage.NOTICED and state.session_seconds >= due - NOTICE_SECONDS:
        state = dataclasses.replace(state, stage=Stage.NOTICED)
        if state.session_seconds < due:
            notes.append(BreakNote(BreakNoticePayload(round(due - state.session_seconds))))
    if state.session_seconds >= due:
        state, begun = _begin(state, elapsed, rules, forced=True)
        notes.extend(begun)
    return state, notes


def _begin(
    state: BreakState, elapsed: float, rules: BreakRules, *, forced: bool
) -> tuple[BreakState, list[BreakNote]]:
    taking = dataclasses.replace(
        state, stage=Stage.TAKING, ends_elapsed=elapsed + rules.length_seconds, forced=forced
    )
    note = BreakNote(BreakStartedPayload(forced, rules.length_seconds / 60))
    return taking, [note]


def _postpone(state: BreakState, rules: BreakRules) -> tuple[BreakState, list[BreakNote]]:
    if state.stage is not Stage.TAKING:
        raise BreakError(Text(N_("there is no break to postpone right now")))
    if state.postpones_used >= rules.postpones_allowed:
        raise BreakError(
            Text(
                N_("this break cannot be postponed: {allowed} postpone(s) allowed per break, {used} used"),
                {"allowed": rules.postpones_allowed, "used": state.postpones_used},
            )
        )
    used = state.postpones_used + 1
    postponed = BreakState(Stage.POSTPONED, state.session_seconds, used)
    note = BreakNote(BreakPostponedPayload(POSTPONE_MINUTES, rules.postpones_allowed - used))
    return postponed, [note]


# --- the scheduler the engine drives ---------------------------------------------------------


@record(eq=False, repr=False)
class BreakView:
    """The scheduler as the policy and the UI see it; times are elapsed-counter readings."""

    phase: BreakPhase
    session_seconds: float
    next_break_in_seconds: float | None  # active seconds until the next break; None: no breaks
    break_ends_elapsed: float | None
    postpones_left: int
    forced: bool = True
    stage: Stage = Stage.RUNNING


class BreakScheduler:
    """Counts continuous use and decides when a break is due and when it is over.

    Driven by one `on_activity` call per tick, on the loop's thread. A session is the active
    time since the last break; it pauses while the person is briefly away and ends by itself
    when they are away for at least a break's length (a natural break: no forced break is owed).
    Every change of stage goes through `transition`.
    """

    def __init__(self, settings: Settings) -> None:
        self.configure(settings)
        self._state = BreakState()

    def configure(self, settings: Settings) -> None:
        """Follow these settings from the next tick on (a running break keeps its end)."""
        self.rules = BreakRules.from_settings(settings)

    @property
    def state(self) -> BreakState:
        return self._state

    @property
    def session_seconds(self) -> float:
        return self._state.session_seconds

    def view(self) -> BreakView:
        state = self._state
        due = self.rules.due_after_seconds(state)
        next_in = None if due is None else max(0.0, due - state.session_seconds)
        if state.stage is Stage.TAKING:
            next_in = 0.0
        return BreakView(
            phase=state.stage.phase,
            session_seconds=state.session_seconds,
            next_break_in_seconds=next_in,
            break_ends_elapsed=state.ends_elapsed,
            postpones_left=max(0, self.rules.postpones_allowed - state.postpones_used),
            forced=state.forced,
            stage=state.stage,
        )

    def on_activity(self, activity: Activity, elapsed: float) -> list[BreakNote]:
        return self._step(Tick(activity, elapsed))

    def start_now(self, elapsed: float) -> BreakNote:
        """Take a break now, asked for by the person."""
        return self._step(TakeNow(elapsed))[0]

    def postpone(self) -> BreakNote:
        return self._step(Postpone())[0]

    def skip(self) -> BreakNote:
        """End the running break now (the caller checks the passcode when settings are locked)."""
        return self._step(Skip())[0]

    def _step(self, event: BreakEvent) -> list[BreakNote]:
        self._state, notes = transition(self._state, event, self.rules)
        return notes
