"""An imported stretch that crosses the day start is split between the two days, as live tracking does."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from tests.app.conftest import Cli
from wellbeing_app.core.days import split_span_at_day_starts
from wellbeing_app.core.model import AppRef, UsageSpan


def test_03_50_to_04_20_is_10_minutes_on_the_day_before_and_20_on_the_next(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "night.csv"
    source.write_text(
        "start,end,app,name\n2026-11-25T03:50:00+05:00,2026-11-25T04:20:00+05:00,supertux2,SuperTux\n"
    )
    assert cli("import", str(source)).code == 0
    report = json.loads(cli("report", "--days", "3650", "--json").out)
    assert {(r["date"], r["minutes"]) for r in report} == {("2026-11-24", 10.0), ("2026-11-25", 20.0)}
    again = cli("import", str(source))
    assert "Imported 0 usage spans (2 already there)" in again.out


def test_a_span_is_cut_at_every_day_start_in_its_own_offset() -> None:
    plus5 = timezone(timedelta(hours=5))
    span = UsageSpan(
        "u1",
        AppRef("supertux2", "SuperTux"),
        datetime(2026, 11, 24, 3, 0, tzinfo=plus5),
        datetime(2026, 11, 26, 5, 0, tzinfo=plus5),
        date(2026, 11, 23),
        timedelta(hours=5),
    )
    pieces = split_span_at_day_starts(span, time(4, 0), lambda start, end: f"u1-{start:%d%H}")
    assert [(p.uid, p.day, p.seconds / 3600) for p in pieces] == [
        ("u1", date(2026, 11, 23), 1.0),
        ("u1-2404", date(2026, 11, 24), 24.0),
        ("u1-2504", date(2026, 11, 25), 24.0),
        ("u1-2604", date(2026, 11, 26), 1.0),
    ]
    assert sum(p.seconds for p in pieces) == span.seconds
    # Filed by the file under another day than its start's: left as it is.
    elsewhere = UsageSpan("u2", span.app, span.start, span.end, date(2026, 11, 24), span.utc_offset)
    assert split_span_at_day_starts(elsewhere, time(4, 0), lambda start, end: "x") == [elsewhere]
