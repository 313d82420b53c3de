"""Event details: one typed payload per kind, read from and written to one JSON form."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from wellbeing_app.core.events import (
    PAYLOAD_TYPES,
    BlockPayload,
    GrantPayload,
    PayloadError,
    UnreadablePayload,
    WarningPayload,
    payload_from_json,
    stored_payload,
)
from wellbeing_app.core.model import BlockReason, EventKind

EXPORT = Path(__file__).parent.parent / "storage" / "data" / "export-before-typed-events.json"
ALMATY = timezone(timedelta(hours=5))


def test_every_kind_of_event_has_one_payload_type() -> None:
    assert set(PAYLOAD_TYPES) == set(EventKind)
    assert all(payload_type.KIND is kind for kind, payload_type in PAYLOAD_TYPES.items())


@pytest.mark.parametrize(
    "record", json.loads(EXPORT.read_text(encoding="utf-8"))["events"], ids=lambda record: record["kind"]
)
def test_details_as_the_app_wrote_them_read_and_write_back_the_same(record: dict[str, object]) -> None:
    kind = EventKind(record["kind"])
    payload = payload_from_json(kind, record["data"])
    assert type(payload) is PAYLOAD_TYPES[kind]
    assert payload.kind is kind
    assert json.dumps(payload.to_json()) == json.dumps(record["data"])


def test_details_are_typed() -> None:
    block = payload_from_json(
        EventKind.BLOCK, {"reason": "downtime", "until": "2026-11-26T07:00:00+05:00", "app": None}
    )
    assert block == BlockPayload(BlockReason.DOWNTIME, datetime(2026, 11, 26, 7, tzinfo=ALMATY), None)
    grant = payload_from_json(
        EventKind.GRANT, {"uid": "g1", "by": "parent", "day": "2026-11-25", "minutes": 15}
    )
    assert (grant.uid, grant.day, grant.minutes, grant.until) == ("g1", date(2026, 11, 25), 15, None)


def test_missing_details_read_as_their_defaults_and_optional_ones_stay_out() -> None:
    assert payload_from_json(EventKind.WARNING, {}) == WarningPayload(minutes_left=0)
    assert payload_from_json(EventKind.GRANT, {"minutes": 15}).to_json() == {"minutes": 15}
    assert GrantPayload(minutes=30).to_json() == {"minutes": 30}
    # A block always says all three, known or not.
    assert BlockPayload().to_json() == {"reason": None, "until": None, "app": None}


def test_details_a_newer_version_added_are_kept_after_the_known_ones() -> None:
    payload = payload_from_json(EventKind.WARNING, {"note": "ünï", "minutes_left": 5})
    assert payload == WarningPayload(5, extra={"note": "ünï"})
    assert list(payload.to_json().items()) == [("minutes_left", 5), ("note", "ünï")]


@pytest.mark.parametrize(
    ("kind", "data", "key", "given", "allowed"),
    [
        (EventKind.WARNING, {"minutes_left": "ten"}, "minutes_left", '"ten"', "a whole number"),
        (EventKind.WARNING, {"minutes_left": True}, "minutes_left", "true", "a whole number"),
        (EventKind.BREAK_STARTED, {"minutes": float("nan")}, "minutes", "NaN", "a number"),
        (
            EventKind.BLOCK,
            {"reason": "bedtime"},
            "reason",
            '"bedtime"',
            'one of "cap", "downtime", "app_limit"',
        ),
        (EventKind.GRANT, {"until": "2026-11-25T21:30:00"}, "until", '"2026-11-25T21:30:00"', "UTC offset"),
        (EventKind.GRANT, {"day": "25.11.2026"}, "day", '"25.11.2026"', "YYYY-MM-DD"),
        (EventKind.PASSCODE_CHANGED, {"set": "yes"}, "set", '"yes"', "true or false"),
        (
            EventKind.TRACKING_STARTED,
            ["not", "an", "object"],
            None,
            '["not", "an", "object"]',
            "a JSON object",
        ),
    ],
)
def test_details_of_the_wrong_type_are_refused_saying_which_what_and_what_is_allowed(
    kind: EventKind, data: object, key: str | None, given: str, allowed: str
) -> None:
    with pytest.raises(PayloadError) as raised:
        payload_from_json(kind, data)
    assert (raised.value.kind, raised.value.key, raised.value.given) == (kind, key, given)
    assert allowed in raised.value.allowed
    assert given in str(raised.value)


def test_stored_details_that_do_not_fit_are_kept_as_they_are() -> None:
    odd = stored_payload(EventKind.WARNING, {"minutes_left": "ten"})
    assert isinstance(odd, UnreadablePayload)
    assert odd.kind is EventKind.WARNING
    assert odd.to_json() == {"minutes_left": "ten"}
    assert "minutes_left" in odd.problem
    # A stored value that is not an object was always read as {"value": …}.
    assert stored_payload(EventKind.TRACKING_STARTED, 5).to_json() == {"value": 5}
