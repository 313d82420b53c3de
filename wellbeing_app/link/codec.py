"""The value objects as JSON, both ways, without loss: what the tracker knows, the asker sees.

Only core types: the agent decodes these without the storage layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from wellbeing_app.core.engine import TickResult
from wellbeing_app.core.model import AppRef, BlockReason, Decision, Verdict
from wellbeing_app.core.status import Status
from wellbeing_app.link.protocol import LinkError


def app_message(app: AppRef | None) -> dict[str, Any] | None:
    if app is None:
        return None
    return {"executable": app.executable, "name": app.name, "own": app.own}


def app_from(message: Any) -> AppRef | None:
    if message is None:
        return None
    fields = _object(message, "app")
    return AppRef(_text(fields, "executable"), _text(fields, "name"), own=bool(fields.get("own", False)))


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
        "app": app_message(decision.app),
    }


def decision_from(message: Any) -> Decision:
    fields = _object(message, "decision")
    try:
        return Decision(
            verdict=Verdict(fields["verdict"]),
            reason=BlockReason(fields["reason"]) if fields.get("reason") else None,
            until=datetime.fromisoformat(fields["until"]) if fields.get("until") else None,
            minutes_left=fields.get("minutes_left"),
            used_seconds=float(fields.get("used_seconds", 0.0)),
            cap_seconds=_number_or_none(fields.get("cap_seconds")),
            session_seconds=float(fields.get("session_seconds", 0.0)),
            next_break_in_seconds=_number_or_none(fields.get("next_break_in_seconds")),
            postpones_left=int(fields.get("postpones_left", 0)),
            app=app_from(fields.get("app")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LinkError("bad-request", f"a decision that does not read: {error}") from None


def status_message(status: Status) -> dict[str, Any]:
    return {
        "day": status.day.isoformat(),
        "used_seconds": status.used_seconds,
        "cap_minutes": status.cap_minutes,
        "decision": decision_message(status.decision),
        "next_break_in_seconds": status.next_break_in_seconds,
        "tracking": status.tracking,
        "by_app": [[app_message(app), seconds] for app, seconds in status.by_app],
    }


def status_from(message: Any) -> Status:
    fields = _object(message, "status")
    try:
        by_app = []
        for app, seconds in fields.get("by_app", []):
            ref = app_from(app)
            if ref is None:
                raise ValueError("an app of null")
            by_app.append((ref, float(seconds)))
        return Status(
            day=date.fromisoformat(fields["day"]),
            used_seconds=float(fields["used_seconds"]),
            cap_minutes=fields.get("cap_minutes"),
            decision=decision_from(fields["decision"]),
            next_break_in_seconds=_number_or_none(fields.get("next_break_in_seconds")),
            tracking=bool(fields.get("tracking", False)),
            by_app=by_app,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LinkError("bad-request", f"a status that does not read: {error}") from None


def tick_message(result: TickResult, status: Status) -> dict[str, Any]:
    """The push a watcher gets after every tick."""
    return {
        "push": "tick",
        "decision": decision_message(result.decision),
        "now": result.now.isoformat(),
        "day": result.day.isoformat(),
        "warning_minutes": result.warning_minutes,
        "break_notice": result.break_notice,
        "status": status_message(status),
    }


def _object(message: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(message, Mapping):
        raise LinkError("bad-request", f"the {what} must be a JSON object, got {type(message).__name__}")
    return message


def _text(fields: Mapping[str, Any], key: str) -> str:
    value = fields.get(key)
    if not isinstance(value, str) or not value:
        raise LinkError("bad-request", f"{key} must be a text, got {value!r:.60}")
    return value


def _number_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
