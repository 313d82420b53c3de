"""When the block screen does not hold in a protected session: lock it, lock it again, and at last
end it. A pure state machine, one per login session, stepped by the guard at every tick with
what it saw; it knows no logind and no clock of its own (the `Enforcer` acts on its answers).

The rules (issue 11), with `grace` 5 s and `lock_wait` 5 s by default:

- Nothing happens while no block stands (the account is within its limits, or a block lifted):
  the count of locks starts again at the next block.
- A counted app in front for `grace` seconds while a block stands → lock. The seconds let the
  agent raise its block screen, which then is in front instead. They add up across
  interruptions and drain only slowly (a quarter of the time) while the block screen is back in
  front: a loop that hides the block screen again and again gains nothing by its gaps. The reason says whether a live
  agent was there ("a counted app stayed in front") or not ("the limit screen was not up").
- Unlocked while the block stands, with a counted app in front → lock again at once.
- A lock that has not taken after `lock_wait` seconds (no screen locker answered logind), with a
  counted app still in front → lock again (it counts).
- The lock that would come after `lock_limit` locks in one block ends the session instead
  (`lock_limit` 0: never). Asked again every `lock_wait` seconds while the session is still there.

An always-allowed app or the desktop in front is not "a counted app": it never leads to a lock.
"""

from __future__ import annotations

import enum

from wellbeing_app.core.events import SessionEndedPayload, SessionLockedPayload
from wellbeing_app.core.model import LockReason
from wellbeing_app.core.record import record

#: Seconds a counted app may stay in front into a block before the session is locked.
DEFAULT_GRACE_SECONDS = 5.0
#: How fast those seconds drain while nothing counted is in front (seconds per second).
GRACE_DRAIN = 0.25
#: Seconds a lock is given to take (LockedHint set by the session's screen locker).
DEFAULT_LOCK_WAIT_SECONDS = 5.0


@record
class Observation:
    """What the guard saw of one session at one tick."""

    #: seconds on a clock that never goes back (the guard's `Clock.elapsed()`)
    now: float
    #: a block stands for the account: its decision is BLOCK, or a break is being taken. This
    #: must be the account's state, not the decision for the app in front: otherwise a switch to
    #: an always-allowed app would end "the block" and start the count of locks again.
    block_standing: bool
    #: an app the standing block is about is in front (never an always-allowed app, the desktop
    #: or the block screen itself)
    counted_app_in_front: bool
    #: a live agent of this session watches the guard (connected, not stopped)
    agent_live: bool
    #: logind's LockedHint for the session
    locked: bool


@record
class Lock:
    """Lock the session: the `count`-th lock of this block, of `limit` before it is ended."""

    session: str
    reason: LockReason
    count: int
    limit: int

    def record(self, error: str = "") -> SessionLockedPayload:
        return SessionLockedPayload(
            session=self.session, reason=self.reason, count=self.count, limit=self.limit, error=error
        )


@record
class Terminate:
    """End the session after `locks` locks in one block."""

    session: str
    locks: int

    def record(self, error: str = "") -> SessionEndedPayload:
        return SessionEndedPayload(session=self.session, locks=self.locks, error=error)


Action = Lock | Terminate


@record
class Step:
    """What one tick asks for; `events` are what to record once it is done."""

    actions: tuple[Action, ...] = ()

    @property
    def events(self) -> tuple[SessionLockedPayload | SessionEndedPayload, ...]:
        return tuple(action.record() for action in self.actions)


class Stage(enum.Enum):
    CLEAR = "clear"  # no block stands
    WATCHING = "watching"  # a block stands; the block screen holds, or the grace runs
    LOCK_SENT = "lock_sent"  # a lock was asked for; waiting for LockedHint
    LOCKED = "locked"  # the session is locked during the block
    ENDED = "ended"  # the session was asked to end


def check_lock_limit(lock_limit: int) -> int:
    if isinstance(lock_limit, bool) or not isinstance(lock_limit, int) or not 0 <= lock_limit <= 10:
        raise ValueError(f"lock_limit {lock_limit!r} is not allowed; use a whole number from 0 to 10")
    return lock_limit


class Escalation:
    """The escalation of one session (logind's session id). Feed it one `Observation` a tick."""

    def __init__(
        self,
        session: str,
        *,
        lock_limit: int = 3,
        grace: float = DEFAULT_GRACE_SECONDS,
        lock_wait: float = DEFAULT_LOCK_WAIT_SECONDS,
    ) -> None:
        if grace < 0 or lock_wait <= 0:
            raise ValueError(f"grace {grace!r} must be 0 or more and lock_wait {lock_wait!r} more than 0")
        self.session = session
        self.lock_limit = check_lock_limit(lock_limit)
        self.grace = grace
        self.lock_wait = lock_wait
        self.stage = Stage.CLEAR
        #: locks asked for in the block that stands
        self.locks = 0
        self._front_seconds = 0.0  # a counted app's time in front in this block, draining while not
        self._last_seen: float | None = None
        self._counted_last = False  # whether the last look saw a counted app in front, in a block
        self._asked_at = 0.0

    def configure(self, lock_limit: int) -> None:
        """The parent changed `protected_lock_limit`: it holds from the next lock on."""
        self.lock_limit = check_lock_limit(lock_limit)

    def tick(self, seen: Observation) -> Step:
        # The time since the last look was spent as that look saw it (the guard looks at every
        # switch and once a second): a counted app's adds up, anything else drains it slowly.
        since = 0.0 if self._last_seen is None else max(0.0, seen.now - self._last_seen)
        if self._counted_last:
            self._front_seconds += since
        else:
            self._front_seconds = max(0.0, self._front_seconds - since * GRACE_DRAIN)
        self._last_seen = seen.now
        self._counted_last = seen.block_standing and not seen.locked and seen.counted_app_in_front
        if not seen.block_standing:
            self.stage, self.locks, self._front_seconds = Stage.CLEAR, 0, 0.0
            return Step()
        if self.stage is Stage.CLEAR:
            self.stage = Stage.WATCHING
        if seen.locked:
            if self.stage is not Stage.ENDED:
                self.stage = Stage.LOCKED
            self._front_seconds = 0.0
            return Step()
        if not seen.counted_app_in_front:
            # The block screen, an allowed app or the desktop is in front: nothing to stop.
            if self.stage is not Stage.ENDED:
                self.stage = Stage.WATCHING
            return Step()
        return self._counted_app_in_front(seen)

    def _counted_app_in_front(self, seen: Observation) -> Step:
        match self.stage:
            case Stage.LOCKED if self.locks:
                return self._lock(seen.now, LockReason.UNLOCKED)
            case Stage.LOCK_SENT | Stage.ENDED if seen.now - self._asked_at < self.lock_wait:
                return Step()
            case Stage.LOCK_SENT:
                return self._lock(seen.now, LockReason.NOT_LOCKED)
            case Stage.ENDED:
                return self._end(seen.now)
        # Watching (or unlocked after a lock that was not ours): the grace runs.
        self.stage = Stage.WATCHING
        if self._front_seconds < self.grace:
            return Step()
        return self._lock(seen.now, LockReason.APP_IN_FRONT if seen.agent_live else LockReason.OVERLAY_DOWN)

    def _lock(self, now: float, reason: LockReason) -> Step:
        if self.lock_limit and self.locks >= self.lock_limit:
            return self._end(now)
        self.locks += 1
        self.stage, self._asked_at, self._front_seconds = Stage.LOCK_SENT, now, 0.0
        return Step((Lock(self.session, reason, self.locks, self.lock_limit),))

    def _end(self, now: float) -> Step:
        self.stage, self._asked_at = Stage.ENDED, now
        return Step((Terminate(self.session, self.locks),))
