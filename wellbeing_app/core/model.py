"""Value objects shared by every layer: apps, samples, usage spans, events and decisions."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from .record import record

if TYPE_CHECKING:
    from .events import Payload

#: The executable name under which this app's own windows are reported by the tracker.
SELF_EXECUTABLE = "wellbeing-app"


@record
class AppRef:
    """An application: `executable` identifies it, `name` is for people.

    `own` is set only by a probe that found the window's process to be this very app (by
    process id): a name can be copied, so no name ever makes an app this one. `executable` is
    the program's file name, or its full path when the program lies where the person can write
    (such a program can be anything under any name: it is never the desktop or allowed).
    """

    executable: str
    name: str
    own: bool = False

    def __post_init__(self) -> None:
        if not self.executable:
            raise ValueError("an application needs an executable name")

    @property
    def is_self(self) -> bool:
        return self.own

    @property
    def from_writable_place(self) -> bool:
        """Whether the program lies where the person can write (its key is then a full path)."""
        return self.executable.startswith("/") or self.executable[1:3] == ":\\"


#: How this app's own windows are reported: only ever by a probe that checked the process id.
SELF_APP = AppRef(SELF_EXECUTABLE, "Wellbeing", own=True)


#: What the tracker reports when it cannot tell which application is in front.
UNKNOWN_APP = AppRef("unknown", "Unknown application")


@record(eq=False, repr=False)
class Sample:
    """What the tracker saw at one tick.

    `elapsed` is from the clock's elapsed counter, `wall` is the (possibly wrong) system time,
    aware. `awake` is a counter that stops while the machine sleeps (CLOCK_MONOTONIC on Linux),
    None where it cannot be told from `elapsed`: a gap between samples in which both ran was a
    stopped or starved process, not sleep. `idle_seconds` is the time since the last keyboard or mouse input, or None when it
    cannot be known. `app` is None when nothing is in front (an empty desktop).
    """

    elapsed: float
    wall: datetime
    app: AppRef | None
    idle_seconds: float | None = 0.0
    media_playing: bool = False
    locked: bool = False
    title: str | None = None
    awake: float | None = None

    def __post_init__(self) -> None:
        if self.wall.tzinfo is None:
            raise ValueError("Sample.wall must be aware")


@record
class UsageSpan:
    """A stretch of active use of one app, inside one local day; spans never overlap.

    `uid` is stable for the life of the span: the span may grow (or shrink when idle time is
    taken back) while it is open, and storage replaces it by `uid`. `day` is the local day it
    belongs to (days start at `day_starts_at`). `utc_offset` is the local offset at `start`.
    """

    uid: str
    app: AppRef
    start: datetime
    end: datetime
    day: date
    utc_offset: timedelta
    title: str | None = None

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@record
class DayAppUsage:
    """Seconds of use of one app on one local day."""

    day: date
    app: AppRef
    seconds: float


class EventKind(enum.Enum):
    """Everything worth keeping a record of, for the dashboard and the export. What each kind
    records is its payload in `events.py`."""

    WARNING = "warning"
    BREAK_NOTICE = "break_notice"
    BREAK_STARTED = "break_started"
    BREAK_TAKEN = "break_taken"
    BREAK_NATURAL = "break_natural"
    BREAK_POSTPONED = "break_postponed"
    BREAK_SKIPPED = "break_skipped"
    BLOCK = "block"
    GRANT = "grant"
    PASSCODE_OK = "passcode_ok"
    PASSCODE_FAILED = "passcode_failed"
    PASSCODE_LOCKED_OUT = "passcode_locked_out"
    PASSCODE_CHANGED = "passcode_changed"
    SETTING_CHANGED = "setting_changed"
    CLOCK_JUMP = "clock_jump"
    ZONE_CHANGED = "zone_changed"
    SUSPEND = "suspend"
    TRACKING_STARTED = "tracking_started"
    TRACKING_STOPPED = "tracking_stopped"
    TRACKING_GAP = "tracking_gap"
    TRACKING_PAUSED = "tracking_paused"
    DATA_DELETED = "data_deleted"
    DATA_IMPORTED = "data_imported"
    RECORDS_RESTORED = "records_restored"
    START_CHANGED = "start_changed"
    OTHER_DISPLAY = "other_display"
    OVERLAY_HIDDEN = "overlay_hidden"
    FILE_REFUSED = "file_refused"
    UNWATCHED = "unwatched"
    SESSION_LOCKED = "session_locked"
    SESSION_ENDED = "session_ended"


@record
class Event:
    """One entry in the record. `at` is aware; `payload` holds the details of its kind."""

    uid: str
    at: datetime
    day: date
    payload: Payload

    @property
    def kind(self) -> EventKind:
        return self.payload.kind


class Verdict(enum.Enum):
    """What the user sees at this tick."""

    ALLOW = "allow"
    WARN = "warn"
    BREAK = "break"
    BLOCK = "block"


class BlockReason(enum.Enum):
    CAP = "cap"
    DOWNTIME = "downtime"
    APP_LIMIT = "app_limit"


class LockReason(enum.Enum):
    """Why protected mode's guard locked a session during a block."""

    #: a counted app was in front and no live agent showed the block screen
    OVERLAY_DOWN = "overlay_down"
    #: the agent runs, but a counted app stayed in front past the grace seconds
    APP_IN_FRONT = "app_in_front"
    #: the session was unlocked while the block stood, with a counted app in front
    UNLOCKED = "unlocked"
    #: the last lock did not take (no screen locker answered), and a counted app was in front
    NOT_LOCKED = "not_locked"


@record
class Decision:
    """The one decision of a tick. Everything the user sees follows it.

    `until` is when a break ends or a block lifts. `minutes_left` is the counted time left
    today (None when there is no cap). The other fields say why, for status lines and tooltips.
    """

    verdict: Verdict
    reason: BlockReason | None = None
    until: datetime | None = None
    minutes_left: int | None = None
    used_seconds: float = 0.0
    cap_seconds: float | None = None
    session_seconds: float = 0.0
    next_break_in_seconds: float | None = None
    postpones_left: int = 0
    app: AppRef | None = None
