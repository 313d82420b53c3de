"""The dashboard over a real data dir: imported usage in the bars and the chart, the record in words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.conftest import ALMATY
from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.events import (
    ClockJumpPayload,
    StartChangedPayload,
    TrackingGapPayload,
    payload_from_json,
)
from wellbeing_app.core.model import Event, EventKind
from wellbeing_app.service import Service
from wellbeing_app.storage import open_store
from wellbeing_app.ui.dashboard import Dashboard, describe_event, event_line, format_duration

TODAY = date(2026, 11, 25)


def import_usage(service: Service, apps: Sequence[tuple[str, str, float]], days_back: int = 0) -> None:
    """Import `minutes` of each app on the day `days_back` days ago, one after another from 09:00."""
    start = datetime(2026, 11, 25, 9, 0, tzinfo=ALMATY) - timedelta(days=days_back)
    lines = ["start,end,app,name"]
    for executable, name, minutes in apps:
        end = start + timedelta(minutes=minutes)
        lines.append(f"{start.isoformat()},{end.isoformat()},{executable},{name}")
        start = end + timedelta(minutes=5)
    path = service.data_dir / f"usage-{days_back}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    service.import_file(path)


def record(
    service: Service, kind: EventKind, hour: int, minute: int, days_back: int = 0, **data: Any
) -> Event:
    at = datetime(2026, 11, 25, hour, minute, tzinfo=ALMATY) - timedelta(days=days_back)
    event = Event(
        f"{kind.value}-{hour}-{minute}-{days_back}",
        at,
        TODAY - timedelta(days=days_back),
        payload_from_json(kind, data),
    )
    with open_store(service.data_dir).store as store:  # written as another process would
        store.add_events([event])
    return event


@pytest.fixture
def dashboard(qtbot: QtBot, service: Service) -> Dashboard:
    window = Dashboard(service)
    qtbot.addWidget(window)
    window.show()
    return window


def test_imported_usage_shows_in_the_ring_the_bars_and_the_week(qtbot: QtBot, service: Service) -> None:
    service.change_settings({"always_allowed": ("libreoffice",)})
    import_usage(
        service, [("supertux2", "SuperTux", 25), ("firefox", "Firefox", 12), ("libreoffice", "Writer", 30)]
    )
    import_usage(service, [("firefox", "Firefox", 50)], days_back=1)
    import_usage(service, [("supertux2", "SuperTux", 20), ("libreoffice", "Writer", 90)], days_back=3)
    window = Dashboard(service)
    qtbot.addWidget(window)
    window.show()

    assert window.ring.text() == "37 / 60 min"
    assert window.headline.text() == "37 of 60 min used today"
    assert "23 min left" in window.details.text()
    assert window.bars.row_texts() == [
        "Writer: 30 min (not counted)",
        "SuperTux: 25 min",
        "Firefox: 12 min",
    ]
    assert window.bars_note.isVisible()
    week = window.week.days()
    assert [bar.day for bar in week] == [TODAY - timedelta(days=6 - i) for i in range(7)]
    assert [round(bar.minutes) for bar in week] == [
        0,
        0,
        0,
        20,
        0,
        50,
        37,
    ]  # always allowed apps do not count
    assert week[-1].is_today
    assert all(bar.cap_minutes == 60 for bar in week)


def test_the_record_is_told_in_words_newest_first(qtbot: QtBot, service: Service) -> None:
    record(service, EventKind.CLOCK_JUMP, 18, 12, days_back=2, seconds=86400)
    record(service, EventKind.TRACKING_GAP, 17, 40, days_back=1, seconds=720, same_boot=True)
    record(service, EventKind.GRANT, 14, 5, minutes=15, by="parent")
    record(service, EventKind.PASSCODE_FAILED, 16, 20, purpose="grant more time")
    record(service, EventKind.BREAK_SKIPPED, 15, 0)
    window = Dashboard(service)
    qtbot.addWidget(window)
    window.show()
    assert window.event_texts() == [
        "Today",
        "16:20 · A wrong passcode was entered (trying to grant more time)",
        "15:00 · Break skipped",
        "14:05 · 15 more minutes granted",
        "Yesterday",
        "17:40 · Wellbeing was not running for 12 min (closed or killed)",
        "Monday 23.11",
        "18:12 · Clock moved forward by 1 day",
    ]


def test_events_recorded_by_the_service_are_shown_at_local_time(
    qtbot: QtBot, service: Service, clock: FakeClock
) -> None:
    service.set_passcode("2468")  # recorded now, 16:30 in Almaty (stored in UTC)
    window = Dashboard(service)
    qtbot.addWidget(window)
    assert window.event_texts()[:2] == ["Today", "16:30 · A passcode was set"]


def test_break_counts_for_today_and_the_week(qtbot: QtBot, service: Service) -> None:
    record(service, EventKind.BREAK_TAKEN, 10, 0)
    record(service, EventKind.BREAK_TAKEN, 11, 0)
    record(service, EventKind.BREAK_TAKEN, 11, 0, days_back=2)
    record(service, EventKind.BREAK_NATURAL, 12, 0, away_seconds=400)
    record(service, EventKind.BREAK_POSTPONED, 13, 0, days_back=1, minutes=5, postpones_left=0)
    record(service, EventKind.BREAK_SKIPPED, 13, 30, days_back=6)
    record(service, EventKind.BREAK_SKIPPED, 13, 30, days_back=7)  # more than a week ago: not counted
    window = Dashboard(service)
    qtbot.addWidget(window)
    assert window.break_counts() == {
        EventKind.BREAK_TAKEN: (2, 3),
        EventKind.BREAK_NATURAL: (1, 1),
        EventKind.BREAK_POSTPONED: (0, 1),
        EventKind.BREAK_SKIPPED: (0, 1),
    }


def test_refresh_shows_what_happened_since(qtbot: QtBot, service: Service, dashboard: Dashboard) -> None:
    assert dashboard.event_texts() == ["Nothing recorded in the last 7 days."]
    assert dashboard.bars.row_texts() == []
    record(service, EventKind.BREAK_SKIPPED, 15, 0)
    import_usage(service, [("firefox", "Firefox", 61)])
    dashboard.refresh()
    assert "15:00 · Break skipped" in dashboard.event_texts()
    assert dashboard.bars.row_texts() == ["Firefox: 1 h 01 min"]
    assert dashboard.ring.text() == "61 / 60 min"
    assert "Blocked: the daily cap is reached" in dashboard.details.text()


def test_no_cap_is_said_so(qtbot: QtBot, service: Service) -> None:
    service.change_settings({"daily_cap_minutes": None})
    window = Dashboard(service)
    qtbot.addWidget(window)
    assert window.ring.text() == "0 min"
    assert window.headline.text() == "0 min used today; no daily cap"


#: A typical record of each kind, and the sentence a parent reads for it.
SENTENCES: dict[EventKind, tuple[dict[str, Any], str]] = {
    EventKind.UNWATCHED: (
        {"seconds": 720},
        "Wellbeing could not watch for 12 min while the computer was in use",
    ),
    EventKind.FILE_REFUSED: (
        {
            "file": "journal",
            "why": "it is a symbolic link to /dev/null",
            "moved_to": "/d/live-journal.json.refused-1",
        },
        "The file of the last few seconds' records had been replaced (it is a symbolic link to /dev/null); "
        "it was moved aside and a new one begun",
    ),
    EventKind.SESSION_LOCKED: (
        {"session": "c2", "reason": "overlay_down", "count": 1, "limit": 3},
        "The session was locked because the limit screen was not up (lock 1 of 3 before it is ended)",
    ),
    EventKind.SESSION_ENDED: (
        {"session": "c2", "locks": 3},
        "The session was ended: 3 locks did not keep the counted apps away",
    ),
    EventKind.WARNING: ({"minutes_left": 5}, "Warned: 5 minutes of screen time left"),
    EventKind.BREAK_NOTICE: ({"in_seconds": 60}, "Told that a break is coming"),
    EventKind.BREAK_STARTED: ({"forced": True, "minutes": 5.0}, "A 5-minute break began"),
    EventKind.BREAK_TAKEN: ({"forced": True}, "Break taken"),
    EventKind.BREAK_NATURAL: ({"away_seconds": 420}, "Natural break: away for 7 min"),
    EventKind.BREAK_POSTPONED: ({"minutes": 5, "postpones_left": 0}, "Break put off by 5 minutes"),
    EventKind.BREAK_SKIPPED: ({}, "Break skipped"),
    EventKind.BLOCK: (
        {"reason": "cap", "until": "2026-11-26T04:00:00+05:00", "app": None},
        "The daily cap was reached: apps blocked until 04:00 the next day",
    ),
    EventKind.GRANT: ({"minutes": 15, "by": "parent"}, "15 more minutes granted"),
    EventKind.PASSCODE_OK: ({"purpose": "skip a break"}, "The passcode was entered to skip a break"),
    EventKind.PASSCODE_FAILED: (
        {"purpose": "change settings"},
        "A wrong passcode was entered (trying to change settings)",
    ),
    EventKind.PASSCODE_LOCKED_OUT: (
        {"until": "2026-11-25T16:21:00+05:00"},
        "Too many wrong passcodes: entry locked until 16:21",
    ),
    EventKind.PASSCODE_CHANGED: ({"set": False}, "The passcode was removed"),
    EventKind.SETTING_CHANGED: (
        {"key": "daily_cap_minutes", "old": 60, "new": None},
        "Setting changed: Screen time allowed each day in counted apps: 60 → off",
    ),
    EventKind.CLOCK_JUMP: ({"seconds": -7200}, "Clock moved back by 2 h"),
    EventKind.ZONE_CHANGED: (
        {"old": "Asia/Almaty", "new": "Europe/Moscow"},
        "Time zone changed from Asia/Almaty to Europe/Moscow",
    ),
    EventKind.SUSPEND: ({"seconds": 2100}, "The computer slept for 35 min"),
    EventKind.TRACKING_STARTED: ({}, "Wellbeing started"),
    EventKind.TRACKING_STOPPED: ({}, "Wellbeing was closed"),
    EventKind.TRACKING_GAP: (
        {"seconds": 720, "same_boot": True},
        "Wellbeing was not running for 12 min (closed or killed)",
    ),
    EventKind.TRACKING_PAUSED: ({"minutes": 30}, "Tracking paused for 30 min"),
    EventKind.DATA_DELETED: ({}, "All records were deleted"),
    EventKind.DATA_IMPORTED: ({"spans": 12, "events": 3}, "Records imported: 12 stretches of use, 3 events"),
    EventKind.RECORDS_RESTORED: (
        {"path": "/home/kid/.local/share/wellbeing-app/wellbeing.sqlite3"},
        "The records file was deleted while Wellbeing was running; it was written back",
    ),
    EventKind.START_CHANGED: (
        {"what": "autostart", "detail": "Hidden=true"},
        "The entry that starts Wellbeing at login had been changed (Hidden=true); it was put right",
    ),
    EventKind.OTHER_DISPLAY: (
        {"display": ":5"},
        "Another display was started in this account (:5); Wellbeing does not see what runs on it",
    ),
    EventKind.OVERLAY_HIDDEN: (
        {"how": "covered"},
        "Another program tried to take the limit screen out of view (covered it with a window of its own);"
        " it was put back on top",
    ),
}


def test_a_start_with_a_preloaded_library_is_named() -> None:
    at = datetime(2026, 11, 25, 9, 0, tzinfo=ALMATY)
    payload = StartChangedPayload("environment", "LD_PRELOAD=/home/kid/hook.so; FAKETIME=+1d")
    assert describe_event(Event("s", at, TODAY, payload)) == (
        "Wellbeing was started with something that can change what it sees: LD_PRELOAD=/home/kid/hook.so; "
        "FAKETIME=+1d"
    )


def test_every_kind_of_event_has_a_sentence() -> None:
    assert set(SENTENCES) == set(EventKind)


@pytest.mark.parametrize("kind", list(EventKind), ids=lambda kind: kind.value)
def test_describe_event_says_what_happened(kind: EventKind) -> None:
    data, sentence = SENTENCES[kind]
    at = datetime(2026, 11, 25, 14, 5, tzinfo=ALMATY)
    event = Event("e1", at, TODAY, payload_from_json(kind, data))
    assert describe_event(event) == sentence
    assert event_line(event) == f"14:05 · {sentence}"
    # Old or foreign records may lack details: still a sentence, never a crash or a code.
    bare = describe_event(Event("e2", at, TODAY, payload_from_json(kind, {})))
    assert bare
    assert not bare.startswith("Something happened")


def test_durations_read_naturally() -> None:
    assert format_duration(42) == "42 seconds"
    assert format_duration(720) == "12 min"
    assert format_duration(2 * 3600 + 5 * 60) == "2 h 5 min"
    assert format_duration(86400) == "1 day"
    assert format_duration(3 * 86400 + 7200) == "3 days 2 h"


def test_a_clock_jump_and_a_gap_after_a_restart(tmp_path: Path) -> None:
    at = datetime(2026, 11, 25, 9, 0, tzinfo=ALMATY)
    assert describe_event(Event("a", at, TODAY, ClockJumpPayload(86400))) == ("Clock moved forward by 1 day")
    assert describe_event(Event("b", at, TODAY, TrackingGapPayload(seconds=3600, same_boot=False))) == (
        "Wellbeing was not running for 1 h (the computer was restarted)"
    )


def test_a_game_under_a_borrowed_name_is_counted_and_shown_with_its_path(
    qtbot: QtBot, service: Service
) -> None:
    service.change_settings({"always_allowed": ("libreoffice",)})
    import_usage(
        service,
        [
            ("/home/kid/libreoffice", "XTerm (/home/kid/libreoffice)", 20),
            ("wellbeing-app", "Wellbeing", 10),  # a copy under this app's name: not this app
            ("libreoffice", "Writer", 30),
        ],
    )
    window = Dashboard(service)
    qtbot.addWidget(window)
    window.show()
    assert window.ring.text() == "30 / 60 min"
    assert window.bars.row_texts() == [
        "Writer: 30 min (not counted)",
        "XTerm (/home/kid/libreoffice): 20 min",
        "Wellbeing: 10 min",
    ]
