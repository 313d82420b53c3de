"""The socket's vocabulary: what a real service says survives JSON unchanged, and what does not fit
is refused with the field, what was given and what is allowed."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.errors import SettingError
from wellbeing_app.core.events import GrantPayload, UnreadablePayload
from wellbeing_app.core.model import AppRef, DayAppUsage, Decision, EventKind, Sample, Verdict
from wellbeing_app.core.settings import Settings
from wellbeing_app.link import codec
from wellbeing_app.link.codec import CodecError
from wellbeing_app.service import Service

ALMATY = ZoneInfo("Asia/Almaty")
GAME = AppRef("supertux2", "SuperTux")


def through_json(value: object) -> object:
    return json.loads(json.dumps(value))


@pytest.fixture
def service(tmp_path: Path) -> Service:
    clock = FakeClock(datetime(2026, 11, 25, 10, 0, tzinfo=ALMATY), ALMATY)
    opened = Service.open(tmp_path, clock=clock)
    opened.change_settings({"daily_cap_minutes": 40, "break_every_minutes": None})
    opened.start_tracking()
    for _ in range(40 * 60 + 1):
        clock.advance(1)
        opened.tick(Sample(clock.elapsed(), clock.wall(), GAME, idle_seconds=0.0))
    yield opened
    opened.close()


def test_a_blocked_tick_and_todays_status_read_back_as_they_were(service: Service) -> None:
    clock = service.clock
    assert isinstance(clock, FakeClock)
    result = service.tick(Sample(clock.elapsed(), clock.wall(), GAME, idle_seconds=0.0))
    status = service.status()
    assert result.decision.verdict is Verdict.BLOCK

    tick, read_status = codec.tick_from(through_json(codec.tick_message(result, status)))

    assert tick.decision == result.decision
    assert (tick.now, tick.day, tick.warning_minutes, tick.break_notice) == (
        result.now, result.day, result.warning_minutes, result.break_notice
    )  # fmt: skip
    assert read_status == status
    assert read_status.by_app == [(GAME, 40 * 60.0)]  # blocked at the cap: no more counted


def test_events_with_typed_details_and_usage_rows_read_back_as_they_were(service: Service) -> None:
    service.grant(minutes=15)
    events = service.events(1)
    assert any(isinstance(e.payload, GrantPayload) for e in events)
    assert [codec.event_from(through_json(codec.event_message(e))) for e in events] == events
    rows = service.report(1)
    assert [codec.usage_from(through_json(codec.usage_message(r))) for r in rows] == rows
    assert rows == [DayAppUsage(date(2026, 11, 25), GAME, 40 * 60.0)]


def test_settings_travel_as_their_stored_values(service: Service) -> None:
    settings = service.settings.replace(
        always_allowed=("calculator",), day_starts_at=Settings().day_starts_at
    )
    assert codec.settings_from(through_json(codec.settings_message(settings))) == settings
    changes = {"daily_cap_minutes": 90, "always_allowed": ("libreoffice",)}
    assert codec.changes_from(through_json(codec.changes_message(changes))) == changes


@pytest.mark.parametrize(
    ("read", "value", "field", "allowed"),
    [
        (codec.decision_from, {"verdict": "explode"}, "decision.verdict", "one of allow, warn, break, block"),
        (codec.decision_from, {"verdict": "block", "until": "tomorrow"}, "decision.until", "ISO-8601"),
        (
            codec.decision_from,
            {"verdict": "allow", "used_seconds": "lots"},
            "decision.used_seconds",
            "a number",
        ),
        (codec.decision_from, [], "decision", "a JSON object"),
        (codec.status_from, {"day": "2026-13-01"}, "status.day", "YYYY-MM-DD"),
        (
            codec.usage_from,
            {"day": "2026-11-25", "app": {"executable": "", "name": "x"}, "seconds": 1},
            "usage.app.executable",
            "the name of a program",
        ),
        (codec.event_from, {"kind": "party"}, "event.kind", "one of warning"),
    ],
)
def test_a_value_that_does_not_fit_is_refused_with_where_what_and_what_is_allowed(
    read: object, value: object, field: str, allowed: str
) -> None:
    with pytest.raises(CodecError) as caught:
        read(value)  # type: ignore[operator]
    assert caught.value.field == field
    assert allowed in caught.value.allowed
    assert str(caught.value).startswith(f"{field}: ")


def test_a_bad_setting_value_says_which_setting_and_what_is_allowed() -> None:
    with pytest.raises(
        SettingError,
        match="daily_cap_minutes: 500 is not allowed; use a whole number of minutes from 40 to 120",
    ):
        codec.changes_from({"daily_cap_minutes": 500})
    with pytest.raises(SettingError, match="bedtime"):
        codec.changes_from({"bedtime": 1})


def test_an_event_whose_details_do_not_fit_its_kind_is_kept_unreadable_not_refused() -> None:
    at = datetime(2026, 11, 25, 10, 0, tzinfo=ALMATY)
    event = codec.event_from(
        {
            "uid": "u1",
            "at": at.isoformat(),
            "day": "2026-11-25",
            "kind": "grant",
            "details": {"minutes": "ten"},
        }
    )
    assert event.kind is EventKind.GRANT
    assert isinstance(event.payload, UnreadablePayload)


def test_a_decision_without_optional_fields_reads_with_their_defaults() -> None:
    until = datetime(2026, 11, 26, 4, 0, tzinfo=ALMATY)
    decision = codec.decision_from({"verdict": "break", "until": until.isoformat()})
    assert decision == Decision(Verdict.BREAK, until=until)
