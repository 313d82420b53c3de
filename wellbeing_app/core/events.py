"""What each kind of event records: one frozen record (a dataclass) per kind, its JSON form declared once.

Each detail is declared with `detail(type, …)`. Its value type reads and writes the JSON value
(as the settings' value types do), so the database, the export and the import share one form,
and the dashboard reads typed fields. The JSON written is the same, byte for byte, as the
`data` dicts the app wrote before the details were typed: details in the order declared here,
some left out while they have their default, and details this version does not know (written
by a newer one) kept as they came, after the known ones. A detail missing from an old or a
foreign record reads as its default; a detail of the wrong type is refused (PayloadError).
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from collections.abc import Mapping
from dataclasses import field
from datetime import date, datetime
from typing import Any, ClassVar, Generic, Self, TypeVar, get_args

from .errors import CoreError
from .model import BlockReason, EventKind, LockReason
from .record import record
from .text import Text

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)


class PayloadError(CoreError, ValueError):
    """The details of an event do not fit its kind. `key` is the detail (None: the details as a
    whole); the message says what was given and what is allowed."""

    def __init__(self, kind: EventKind, key: str | None, given: str, allowed: str) -> None:
        self.kind = kind
        self.key = key
        self.given = given
        self.allowed = allowed
        where = f"the {kind.value} event's {key!r}" if key else f"the details of a {kind.value} event"
        super().__init__(Text.plain(f"{where}: {given} is not allowed; use {allowed}"))


class _Refused(Exception):
    """Raised by a detail type; the payload adds the kind and the key."""


# ---------------------------------------------------------------------------------------------
# Detail types: each reads a JSON value (refusing what does not fit) and writes it back.


class DetailType(Generic[T]):
    #: What the type allows, in words (for import errors).
    allowed: str = ""
    #: Whether JSON null is a value of this type (otherwise null means "not recorded").
    takes_null: ClassVar[bool] = False

    def from_json(self, value: Any) -> T:
        raise NotImplementedError

    def to_json(self, value: T) -> Any:
        return value


class Whole(DetailType[int]):
    allowed = "a whole number"

    def from_json(self, value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Refused
        return value


class Number(DetailType[float]):
    """A number kept as it was written (5 stays 5, 5.0 stays 5.0)."""

    allowed = "a number"

    def from_json(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise _Refused
        return value


class Flag(DetailType[bool]):
    allowed = "true or false"

    def from_json(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise _Refused
        return value


class Words(DetailType[str]):
    allowed = "a text"

    def from_json(self, value: Any) -> str:
        if not isinstance(value, str):
            raise _Refused
        return value


class Instant(DetailType[datetime]):
    allowed = "an ISO-8601 time with a UTC offset, such as 2026-11-25T09:00:00+05:00"

    def from_json(self, value: Any) -> datetime:
        if not isinstance(value, str):
            raise _Refused
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise _Refused from None
        if moment.utcoffset() is None:
            raise _Refused
        return moment

    def to_json(self, value: datetime) -> Any:
        return value.isoformat()


class Day(DetailType[date]):
    allowed = "a day written YYYY-MM-DD, such as 2026-11-25"

    def from_json(self, value: Any) -> date:
        if not isinstance(value, str) or len(value) != 10:
            raise _Refused
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _Refused from None

    def to_json(self, value: date) -> Any:
        return value.isoformat()


class Member(DetailType[E]):
    """A member of an enum, written as its value."""

    def __init__(self, enum_type: type[E]) -> None:
        self.enum_type = enum_type
        self.allowed = "one of " + ", ".join(f'"{member.value}"' for member in enum_type)

    def from_json(self, value: Any) -> E:
        try:
            return self.enum_type(value)
        except (ValueError, TypeError):
            raise _Refused from None

    def to_json(self, value: E) -> Any:
        return value.value


class AnyJson(DetailType[Any]):
    """Any JSON value, kept as it is (a setting's value, whatever its type)."""

    allowed = "a JSON value"
    takes_null = True

    def from_json(self, value: Any) -> Any:
        return value


@record(eq=False, repr=False)
class DetailSpec:
    """How one detail is declared: its type, and whether it is left out while it has its default."""

    type: DetailType[Any]
    omit_default: bool = False


def detail(type_: DetailType[Any], default: Any, *, omit_default: bool = False) -> Any:
    """Declare a detail. A detail missing from the JSON (old or foreign records) reads as
    `default`; with `omit_default` it is left out of the JSON while it has its default."""
    return field(default=default, metadata={"detail": DetailSpec(type_, omit_default)})


# ---------------------------------------------------------------------------------------------
# The payloads.


@record
class EventPayload:
    """The details of one kind of event. `extra` holds details this version does not know."""

    KIND: ClassVar[EventKind]

    extra: Mapping[str, Any] = field(default_factory=dict, kw_only=True, repr=False)

    @property
    def kind(self) -> EventKind:
        return type(self).KIND

    @classmethod
    def details(cls) -> dict[str, DetailSpec]:
        return {f.name: f.metadata["detail"] for f in dataclasses.fields(cls) if "detail" in f.metadata}

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """The payload of JSON details; raises PayloadError saying which detail does not fit."""
        if not isinstance(data, dict):
            raise PayloadError(cls.KIND, None, _shown(data), "a JSON object, such as {}")
        specs = cls.details()
        values: dict[str, Any] = {}
        for key, spec in specs.items():
            value = data.get(key, _MISSING)
            if value is _MISSING or (value is None and not spec.type.takes_null):
                continue
            try:
                values[key] = spec.type.from_json(value)
            except (_Refused, RecursionError):
                raise PayloadError(cls.KIND, key, _shown(value), spec.type.allowed) from None
        extra = {key: value for key, value in data.items() if key not in specs}
        return cls(**values, extra=extra)

    def to_json(self) -> dict[str, Any]:
        """The details as JSON: known ones in declared order, then the unknown ones."""
        result: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            spec: DetailSpec | None = f.metadata.get("detail")
            if spec is None:
                continue
            value = getattr(self, f.name)
            if spec.omit_default and value == f.default:
                continue
            result[f.name] = None if value is None else spec.type.to_json(value)
        result.update(self.extra)
        return result


_MISSING = object()


def _shown(value: Any) -> str:
    """A value as JSON, shortened: `"ten"`, `null`."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


@record
class WarningPayload(EventPayload):
    KIND = EventKind.WARNING
    minutes_left: int = detail(Whole(), 0)


@record
class BreakNoticePayload(EventPayload):
    KIND = EventKind.BREAK_NOTICE
    in_seconds: int = detail(Whole(), 0)


@record
class BreakStartedPayload(EventPayload):
    """`forced`: it came when due (not taken early by choice); `ends_at` is known while tracking."""

    KIND = EventKind.BREAK_STARTED
    forced: bool = detail(Flag(), True)
    minutes: float = detail(Number(), 0)
    ends_at: datetime | None = detail(Instant(), None, omit_default=True)


@record
class BreakTakenPayload(EventPayload):
    KIND = EventKind.BREAK_TAKEN
    forced: bool = detail(Flag(), True)


@record
class BreakNaturalPayload(EventPayload):
    KIND = EventKind.BREAK_NATURAL
    away_seconds: int = detail(Whole(), 0)


@record
class BreakPostponedPayload(EventPayload):
    KIND = EventKind.BREAK_POSTPONED
    minutes: int = detail(Whole(), 5)
    postpones_left: int = detail(Whole(), 0)


@record
class BreakSkippedPayload(EventPayload):
    KIND = EventKind.BREAK_SKIPPED


@record
class BlockPayload(EventPayload):
    """A block began: why, until when, and the executable of the app it was about."""

    KIND = EventKind.BLOCK
    reason: BlockReason | None = detail(Member(BlockReason), None)
    until: datetime | None = detail(Instant(), None)
    app: str | None = detail(Words(), None)


@record
class GrantPayload(EventPayload):
    """More time: `minutes` more counted use on `day`, or free use `until` a time. A grant in a
    hand-written import may give only that; its event then gives the uid and the day."""

    KIND = EventKind.GRANT
    uid: str | None = detail(Words(), None, omit_default=True)
    by: str | None = detail(Words(), None, omit_default=True)
    day: date | None = detail(Day(), None, omit_default=True)
    minutes: int | None = detail(Whole(), None, omit_default=True)
    until: datetime | None = detail(Instant(), None, omit_default=True)


@record
class PasscodeOkPayload(EventPayload):
    """`purpose`: the English of what the passcode was for ("grant more time"), translated where
    it is shown; empty when not known. `by`: "root" when the parent acted as root in protected
    mode (no passcode asked); empty when the passcode was given."""

    KIND = EventKind.PASSCODE_OK
    purpose: str = detail(Words(), "")
    by: str = detail(Words(), "", omit_default=True)


@record
class PasscodeFailedPayload(EventPayload):
    KIND = EventKind.PASSCODE_FAILED
    purpose: str = detail(Words(), "")


@record
class PasscodeLockedOutPayload(EventPayload):
    KIND = EventKind.PASSCODE_LOCKED_OUT
    until: datetime | None = detail(Instant(), None, omit_default=True)


@record
class PasscodeChangedPayload(EventPayload):
    """A passcode was set (`set`) or removed; `outside`: in the database, behind the app's back."""

    KIND = EventKind.PASSCODE_CHANGED
    set: bool = detail(Flag(), True)
    outside: bool = detail(Flag(), False, omit_default=True)


@record
class SettingChangedPayload(EventPayload):
    """`old` and `new` are the setting's JSON values; `outside`: changed in the database."""

    KIND = EventKind.SETTING_CHANGED
    key: str = detail(Words(), "")
    old: Any = detail(AnyJson(), None)
    new: Any = detail(AnyJson(), None)
    outside: bool = detail(Flag(), False, omit_default=True)


@record
class ClockJumpPayload(EventPayload):
    """The wall clock moved by `seconds`; `wall` is what it said after."""

    KIND = EventKind.CLOCK_JUMP
    seconds: int = detail(Whole(), 0)
    wall: datetime | None = detail(Instant(), None, omit_default=True)


@record
class ZoneChangedPayload(EventPayload):
    """The time zone's names (`Asia/Almaty`); empty when not known."""

    KIND = EventKind.ZONE_CHANGED
    old: str = detail(Words(), "")
    new: str = detail(Words(), "")


@record
class SuspendPayload(EventPayload):
    """Time the tracker did not run while the clock ran (sleep)."""

    KIND = EventKind.SUSPEND
    seconds: int = detail(Whole(), 0)


@record
class UnwatchedPayload(EventPayload):
    """Time the tracker did not run while the machine was awake and in use (the process was
    stopped or starved): counted as use of an app that cannot be named."""

    KIND = EventKind.UNWATCHED
    seconds: int = detail(Whole(), 0)


@record
class TrackingStartedPayload(EventPayload):
    KIND = EventKind.TRACKING_STARTED


@record
class TrackingStoppedPayload(EventPayload):
    """`how`: "quit" (from the app) or "signal" (a log-out, a shut-down, `kill`)."""

    KIND = EventKind.TRACKING_STOPPED
    how: str = detail(Words(), "")


@record
class TrackingGapPayload(EventPayload):
    """The app was not running from `since` for `seconds`; `same_boot`: the computer was not
    restarted in between."""

    KIND = EventKind.TRACKING_GAP
    since: datetime | None = detail(Instant(), None, omit_default=True)
    seconds: int = detail(Whole(), 0)
    same_boot: bool = detail(Flag(), True)


@record
class TrackingPausedPayload(EventPayload):
    KIND = EventKind.TRACKING_PAUSED
    minutes: int = detail(Whole(), 0)


@record
class DataDeletedPayload(EventPayload):
    KIND = EventKind.DATA_DELETED


@record
class DataImportedPayload(EventPayload):
    KIND = EventKind.DATA_IMPORTED
    spans: int = detail(Whole(), 0)
    events: int = detail(Whole(), 0)


@record
class RecordsRestoredPayload(EventPayload):
    """The database file was deleted while the app ran and written back at `path`."""

    KIND = EventKind.RECORDS_RESTORED
    path: str = detail(Words(), "")


@record
class StartChangedPayload(EventPayload):
    """How the app is started was changed: `what` is "autostart" (the entry was put right) or
    "environment" (the process runs with LD_PRELOAD, FAKETIME or a foreign sitecustomize);
    `detail` says what was found, in the words of the system."""

    KIND = EventKind.START_CHANGED
    what: str = detail(Words(), "")
    detail: str = detail(Words(), "")


@record
class OtherDisplayPayload(EventPayload):
    """Another display server of this account (":1", "wayland-2"), not watched."""

    KIND = EventKind.OTHER_DISPLAY
    display: str = detail(Words(), "")


@record
class OverlayHiddenPayload(EventPayload):
    """Another program took the overlay out of view. `how`: on X11 "unmapped", "destroyed",
    "moved" (into another window) or "covered" (by a window the window manager does not manage);
    on Wayland "focus", "fullscreen", "workspace", "minimised", "kept-above" (another window set
    to stay above), or "unheld" (the compositor stopped letting it be held). `then`: "" when it
    was put back on top, "locked" when it could not be and the session was locked instead,
    "not held" when nothing could lock it either; `why` says what locked it or why nothing did."""

    KIND = EventKind.OVERLAY_HIDDEN
    how: str = detail(Words(), "")
    then: str = detail(Words(), "", omit_default=True)
    why: str = detail(Words(), "", omit_default=True)


@record
class SessionLockedPayload(EventPayload):
    """Protected mode's guard locked a login session (logind's id `session`) during a block:
    the `count`-th lock of this block, of `limit` before the session is ended (0: never).
    `error` says why logind did not do it, when it did not."""

    KIND = EventKind.SESSION_LOCKED
    session: str = detail(Words(), "")
    reason: LockReason | None = detail(Member(LockReason), None)
    count: int = detail(Whole(), 0)
    limit: int = detail(Whole(), 0)
    error: str = detail(Words(), "", omit_default=True)


@record
class SessionEndedPayload(EventPayload):
    """Protected mode's guard ended a login session after `locks` locks in one block did not
    stop the counted apps. `error` says why logind did not do it, when it did not."""

    KIND = EventKind.SESSION_ENDED
    session: str = detail(Words(), "")
    locks: int = detail(Whole(), 0)
    error: str = detail(Words(), "", omit_default=True)


@record
class FileRefusedPayload(EventPayload):
    """A file the app keeps records in ("journal", "database") was not a regular file of this user
    (`why`: "it is a symbolic link to /dev/null"); it was moved to `moved_to` and a new one begun."""

    KIND = EventKind.FILE_REFUSED
    file: str = detail(Words(), "")
    why: str = detail(Words(), "")
    moved_to: str = detail(Words(), "")


@record
class UnreadablePayload(EventPayload):
    """Stored details that do not fit their kind (a value of the wrong type, imported before
    details were checked), kept as they are so that they export unchanged. `problem` says what
    does not fit."""

    event_kind: EventKind
    data: Mapping[str, Any]
    problem: str

    @property
    def kind(self) -> EventKind:
        return self.event_kind

    def to_json(self) -> dict[str, Any]:
        return dict(self.data)


Payload = (
    WarningPayload
    | BreakNoticePayload
    | BreakStartedPayload
    | BreakTakenPayload
    | BreakNaturalPayload
    | BreakPostponedPayload
    | BreakSkippedPayload
    | BlockPayload
    | GrantPayload
    | PasscodeOkPayload
    | PasscodeFailedPayload
    | PasscodeLockedOutPayload
    | PasscodeChangedPayload
    | SettingChangedPayload
    | ClockJumpPayload
    | ZoneChangedPayload
    | SuspendPayload
    | UnwatchedPayload
    | TrackingStartedPayload
    | TrackingStoppedPayload
    | TrackingGapPayload
    | TrackingPausedPayload
    | DataDeletedPayload
    | DataImportedPayload
    | RecordsRestoredPayload
    | StartChangedPayload
    | OtherDisplayPayload
    | OverlayHiddenPayload
    | SessionLockedPayload
    | SessionEndedPayload
    | FileRefusedPayload
    | UnreadablePayload
)

#: The payload type of each kind of event.
PAYLOAD_TYPES: dict[EventKind, type[EventPayload]] = {
    payload_type.KIND: payload_type
    for payload_type in get_args(Payload)
    if payload_type is not UnreadablePayload
}


def payload_from_json(kind: EventKind, data: Any) -> Payload:
    """The typed details of an event of `kind` from their JSON; raises PayloadError."""
    return PAYLOAD_TYPES[kind].from_json(data)  # type: ignore[return-value]


def stored_payload(kind: EventKind, data: Any) -> Payload:
    """The details as read back from the database: never refused. Details that do not fit their
    kind are kept as an UnreadablePayload (a value that is not an object as {"value": …})."""
    details = data if isinstance(data, dict) else {"value": data}
    try:
        return payload_from_json(kind, details)
    except PayloadError as error:
        return UnreadablePayload(kind, details, str(error))
