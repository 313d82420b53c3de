"""The words for each kind of overlay, as the overlay, the dashboard and `status` say them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from wellbeing_app.cli import status_text
from wellbeing_app.core.events import payload_from_json
from wellbeing_app.core.model import AppRef, BlockReason, Decision, Event, EventKind, Verdict
from wellbeing_app.service import Status
from wellbeing_app.ui.dashboard import describe_event
from wellbeing_app.ui.overlay import headline

#: A local afternoon (the overlay shows local times).
NOW = datetime(2026, 11, 25, 14, 0).astimezone()
LATER_TODAY = NOW + timedelta(hours=2)
TOMORROW_FOUR = (NOW + timedelta(days=1)).replace(hour=4)
GAME = AppRef("supertux2", "SuperTux")


@pytest.mark.parametrize(
    ("decision", "title", "line"),
    [
        (Decision(Verdict.BREAK, until=NOW + timedelta(minutes=5)), "Time for a break", "Back at 14:05"),
        (Decision(Verdict.BREAK), "Time for a break", ""),
        (
            Decision(Verdict.BLOCK, BlockReason.CAP, until=TOMORROW_FOUR),
            "Your 60 minutes for today are used",
            "Back tomorrow at 04:00",
        ),
        (Decision(Verdict.BLOCK, BlockReason.DOWNTIME, until=LATER_TODAY), "Downtime", "Until 16:00"),
        (
            Decision(Verdict.BLOCK, BlockReason.APP_LIMIT, until=TOMORROW_FOUR, app=GAME),
            "Time's up for SuperTux today",
            "Back tomorrow at 04:00",
        ),
        (Decision(Verdict.BLOCK, BlockReason.APP_LIMIT), "Time's up for this app today", ""),
    ],
)
def test_the_overlay_says_why_and_until_when(decision: Decision, title: str, line: str) -> None:
    assert headline(decision, 60, NOW) == (title, line)


def _status(decision: Decision) -> Status:
    return Status(date(2026, 11, 25), 3600.0, 60, decision, None, tracking=True)


@pytest.mark.parametrize(
    ("decision", "said"),
    [
        (Decision(Verdict.BLOCK, BlockReason.CAP), "Counted apps: blocked (the daily cap is used)"),
        (Decision(Verdict.BLOCK, BlockReason.DOWNTIME), "Counted apps: blocked (downtime)"),
        (Decision(Verdict.BLOCK, BlockReason.APP_LIMIT), "Counted apps: blocked (app limit)"),
        (Decision(Verdict.BREAK), "A break is running"),
    ],
)
def test_status_says_why_counted_apps_are_blocked(decision: Decision, said: str) -> None:
    assert status_text(_status(decision)).splitlines()[-1] == said


@pytest.mark.parametrize(
    ("reason", "app", "sentence"),
    [
        ("cap", None, "The daily cap was reached: apps blocked"),
        ("downtime", None, "Downtime began: apps blocked"),
        ("app_limit", "supertux2", "The time limit of supertux2 was reached"),
        ("app_limit", None, "The time limit of an app was reached"),
        (None, None, "The daily cap was reached: apps blocked"),
    ],
)
def test_the_record_of_a_block_says_why(reason: str | None, app: str | None, sentence: str) -> None:
    details = {"reason": reason, "until": None, "app": app}
    assert (
        describe_event(Event("b", NOW, NOW.date(), payload_from_json(EventKind.BLOCK, details))) == sentence
    )
