"""The socket's vocabulary: the value objects the windows read, to JSON and back.

Every `…_message` has a `…_from` that refuses what does not fit with `CodecError`, naming the
field, what was given and what is allowed. Times are ISO-8601 with their UTC offset, days
`YYYY-MM-DD`, enums their values, settings their stored JSON values, event details the JSON form
`core.events` declares for storage and export. No storage, no Qt: the agent reads these.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from wellbeing_app.core.errors import shown_value
from wellbeing_app.core.model import (
    AppRef,
    BlockReason,
    DayAppUsage,
    Decision,
    Event,
    EventKind,
    Verdict,
)
from wellbeing_app.core.status import Status
from wellbeing_app.link.protocol import LinkError

if TYPE_CHECKING:
    from wellbeing_app.core.engine import TickResult
    from wellbeing_app.core.settings import Settings

# The engine, the event details and the settings are imported where they are read: `status`
# decodes a status only, and starts faster without them (issue 14).

T = TypeVar("T")


class CodecError(LinkError):
    """A value on the socket does not fit (a `bad-request`): `field` is where, the message says
    what was given and what is allowed."""

    def __init__(self, field: str, given: object, allowed: str) -> None:
        self.field = field
        self.given = given
        self.allowed = allowed
        super().__init__("bad-request", f"{field}: {shown_value(given)} is not allowed; use {allowed}")


# --- reading fields --------------------------------------------------------------------------------


def need_object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise CodecError(where, value, "a JSON object")
    return value


def need_text(value: Any, where: str, *, longest: int = 4096) -> str:
    if not isinstance(value, str):
        raise CodecError(where, value, "a text")
    if len(value) > longest:
        raise CodecError(where, value, f"a text of at most {longest} characters")
    return value


def need_whole(value: Any, where: str, lowest: int, highest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
        raise CodecError(where, value, f"a whole number from {lowest} to {highest}")
    return value


def need_number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CodecError(where, value, "a number")
    return float(value)


def need_flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise CodecError(where, value, "true or false")
    return value


def need_instant(value: Any, where: str) -> datetime:
    allowed = "an ISO-8601 time with a UTC offset, such as 2026-11-25T09:00:00+05:00"
    if not isinstance(value, str) or len(value) > 64:
        raise CodecError(where, value, allowed)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CodecError(where, value, allowed) from None
    if moment.utcoffset() is None:
        raise CodecError(where, value, allowed)
    return moment


def need_day(value: Any, where: str) -> date:
    allowed = "a day written YYYY-MM-DD, such as 2026-11-25"
    if not isinstance(value, str) or len(value) != 10:
        raise CodecError(where, value, allowed)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CodecError(where, value, allowed) from None


def optional(read: Callable[..., T], value: Any, where: str, *args: Any) -> T | None:
    return None if value is None else read(value, where, *args)


def member_of(enum_type: type[Any], value: Any, where: str) -> Any:
    try:
        return enum_type(value)
    except (ValueError, TypeError):
        allowed = ", ".join(str(member.value) for member in enum_type)
        raise CodecError(where, value, f"one of {allowed}") from None


# --- apps, decisions, today ------------------------------------------------------------------------


def app_message(app: AppRef) -> dict[str, Any]:
    data: dict[str, Any] = {"executable": app.executable, "name": app.name}
    if app.own:
        data["own"] = True
    return data


def app_from(value: Any, where: str = "app") -> AppRef:
    data = need_object(value, where)
    executable = need_text(data.get("executable"), f"{where}.executable", longest=4096)
    if not executable:
        raise CodecError(f"{where}.executable", executable, "the name of a program")
    name = need_text(data.get("name"), f"{where}.name", longest=4096)
    return AppRef(executable, name, own=need_flag(data.get("own", False), f"{where}.own"))


def decision_message(decision: Decision) -> dict[str, Any]:
    return {
        "verdict": decision.verdict.value,
        "reason": decision.reason.value if decision.reason else None,
        "until": decision.until.isoformat() if decision.until else None,
        "minutes_left": decision.minutes_left,
        "used_seconds": decision.used_seconds,
        "cap_seconds": decision.cap_seconds,
        "session_seconds": decision.session_seconds,
        "next_break_in_seconds": decision.next_break_in_seconds,
        "postpones_left": decision.postpones_left,
        "app": app_message(decision.app) if decision.app else None,
    }


def decision_from(value: Any, where: str = "decision") -> Decision:
    data = need_object(value, where)
    reason = data.get("reason")
    return Decision(
        verdict=member_of(Verdict, data.get("verdict"), f"{where}.verdict"),
        reason=None if reason is None else member_of(BlockReason, reason, f"{where}.reason"),
        until=optional(need_instant, data.get("until"), f"{where}.until"),
        minutes_left=optional(need_whole, data.get("minutes_left"), f"{where}.minutes_left", -(10**6), 10**6),
        used_seconds=need_number(data.get("used_seconds", 0.0), f"{where}.used_seconds"),
        cap_seconds=optional(need_number, data.get("cap_seconds"), f"{where}.cap_seconds"),
        session_seconds=need_number(data.get("session_seconds", 0.0), f"{where}.session_seconds"),
        next_break_in_seconds=optional(
            need_number, data.get("next_break_in_seconds"), f"{where}.next_break_in_seconds"
        ),
        postpones_left=need_whole(data.get("postpones_left", 0), f"{where}.postpones_left", 0, 100),
        app=optional(app_from, data.get("app"), f"{where}.app"),
    )


def status_message(status: Status) -> dict[str, Any]:
    return {
        "day": status.day.isoformat(),
        "used_seconds": status.used_seconds,
        "cap_minutes": status.cap_minutes,
        "decision": decision_message(status.decision),
        "next_break_in_seconds": status.next_break_in_seconds,
        "tracking": status.tracking,
        "by_app": [{"app": app_message(app), "seconds": seconds} for app, seconds in status.by_app],
    }


def status_from(value: Any, where: str = "status") -> Status:
    data = need_object(value, where)
    by_app = data.get("by_app", [])
    if not isinstance(by_app, list):
        raise CodecError(f"{where}.by_app", by_app, "a list of {app, seconds}")
    rows = []
    for index, row in enumerate(by_app):
        place = f"{where}.by_app[{index}]"
        row = need_object(row, place)
        rows.append(
            (app_from(row.get("app"), f"{place}.app"), need_number(row.get("seconds"), f"{place}.seconds"))
        )
    return Status(
        day=need_day(data.get("day"), f"{where}.day"),
        used_seconds=need_number(data.get("used_seconds"), f"{where}.used_seconds"),
        cap_minutes=optional(need_whole, data.get("cap_minutes"), f"{where}.cap_minutes", 0, 24 * 60 * 366),
        decision=decision_from(data.get("decision"), f"{where}.decision"),
        next_break_in_seconds=optional(
            need_number, data.get("next_break_in_seconds"), f"{where}.next_break_in_seconds"
        ),
        tracking=need_flag(data.get("tracking"), f"{where}.tracking"),
        by_app=rows,
    )


def tick_message(result: TickResult, status: Status) -> dict[str, Any]:
    """The push a watcher gets after every tick: what the windows need of it (the decision, the
    trusted time, a warning or break notice to show now) and today at a glance. The spans and
    events stay with the tracker."""
    return {
        "push": "tick",
        "decision": decision_message(result.decision),
        "now": result.now.isoformat(),
        "day": result.day.isoformat(),
        "warning_minutes": result.warning_minutes,
        "break_notice": result.break_notice,
        "status": status_message(status),
    }


def tick_from(message: Any, where: str = "tick") -> tuple[TickResult, Status]:
    from wellbeing_app.core.engine import TickResult

    data = need_object(message, where)
    result = TickResult(
        decision=decision_from(data.get("decision"), f"{where}.decision"),
        now=need_instant(data.get("now"), f"{where}.now"),
        day=need_day(data.get("day"), f"{where}.day"),
        warning_minutes=optional(
            need_whole, data.get("warning_minutes"), f"{where}.warning_minutes", 0, 24 * 60
        ),
        break_notice=need_flag(data.get("break_notice", False), f"{where}.break_notice"),
    )
    return result, status_from(data.get("status"), f"{where}.status")


# --- settings ----------------------------------------------------------------------------------------


def settings_message(settings: Settings) -> dict[str, Any]:
    """The settings as the database keeps them (each its JSON value)."""
    return settings.to_json()


def settings_from(value: Any, where: str = "settings") -> Settings:
    """Settings from their stored JSON values; an unknown name or a bad value raises
    SettingError (it names the setting, what was given and what is allowed)."""
    from wellbeing_app.core.settings import Settings

    return Settings.from_json(need_object(value, where))


def changes_from(value: Any, where: str = "changes") -> dict[str, Any]:
    """Changed settings, each its JSON value, as typed values; raises SettingError."""
    from wellbeing_app.core.settings import Settings

    data = need_object(value, where)
    if not data:
        raise CodecError(where, data, "at least one setting and its value")
    return {key: Settings.check_json(key, item) for key, item in data.items()}


def changes_message(changes: Mapping[str, Any]) -> dict[str, Any]:
    from wellbeing_app.core.settings import Settings

    return {key: Settings.spec(key).type.to_json(value) for key, value in changes.items()}


# --- records -----------------------------------------------------------------------------------------


def event_message(event: Event) -> dict[str, Any]:
    return {
        "uid": event.uid,
        "at": event.at.isoformat(),
        "day": event.day.isoformat(),
        "kind": event.kind.value,
        "details": event.payload.to_json(),
    }


def event_from(value: Any, where: str = "event") -> Event:
    """An event; details that do not fit their kind are kept as unreadable (as the database does)."""
    from wellbeing_app.core.events import stored_payload

    data = need_object(value, where)
    kind = member_of(EventKind, data.get("kind"), f"{where}.kind")
    return Event(
        uid=need_text(data.get("uid"), f"{where}.uid", longest=64),
        at=need_instant(data.get("at"), f"{where}.at"),
        day=need_day(data.get("day"), f"{where}.day"),
        payload=stored_payload(kind, need_object(data.get("details", {}), f"{where}.details")),
    )


def usage_message(row: DayAppUsage) -> dict[str, Any]:
    return {"day": row.day.isoformat(), "app": app_message(row.app), "seconds": row.seconds}


def usage_from(value: Any, where: str = "usage") -> DayAppUsage:
    data = need_object(value, where)
    return DayAppUsage(
        need_day(data.get("day"), f"{where}.day"),
        app_from(data.get("app"), f"{where}.app"),
        need_number(data.get("seconds"), f"{where}.seconds"),
    )


def list_from(value: Any, read: Callable[[Any, str], T], where: str) -> list[T]:
    if not isinstance(value, list):
        raise CodecError(where, value, "a list")
    return [read(item, f"{where}[{index}]") for index, item in enumerate(value)]
