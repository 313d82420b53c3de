"""Event details through the database, the export and the import: the same bytes as before they
were typed, and details that do not fit their kind refused with where and what.

`data/export-before-typed-events.*` were written by the code of that time (one event of every
kind, in the shapes the app wrote them); the events' JSON must not change on its way through
the database.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from wellbeing_app.core.model import EventKind
from wellbeing_app.storage import ImportFileError, ImportResult, Store

DATA = Path(__file__).parent / "data"
DAY = date(2026, 11, 25)


def _exported(store: Store, kind: str) -> str:
    out = io.StringIO()
    (store.export_json if kind == "json" else store.export_csv)(out)
    return out.getvalue()


def _records(text: str) -> list[str]:
    """The lines that hold records: not the export's own device id and time."""
    return [line for line in text.splitlines() if not line.startswith(('"device_id"', '"exported_at"'))]


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_an_export_of_the_untyped_days_imports_and_exports_the_same_bytes(store: Store, kind: str) -> None:
    path = DATA / f"export-before-typed-events.{kind}"
    result = store.import_file(path)
    assert result == ImportResult(spans_added=2, spans_skipped=0, events_added=34, events_skipped=0)
    events = store.events_between(DAY, DAY)
    assert {event.kind for event in events} == set(EventKind)
    assert _records(_exported(store, kind)) == _records(path.read_text(encoding="utf-8"))


CSV_HEADER = "record,uid,start,end,app,name,day,kind,data,title"
GOOD_EVENT = 'event,e1,2026-11-25T09:00:00+05:00,,,,2026-11-25,warning,"{""minutes_left"": 10}",'


@pytest.mark.parametrize(
    ("name", "content", "where", "found", "expected"),
    [
        (
            "word-for-a-number.csv",
            f'{CSV_HEADER}\n{GOOD_EVENT}\nevent,e2,2026-11-25T09:05:00+05:00,,,,2026-11-25,warning,"{{""minutes_left"": ""ten""}}",\n',
            'line 3, column "data" (minutes_left)',
            '"ten"',
            "a whole number for the warning event's minutes_left",
        ),
        (
            "bad-reason.json",
            '{"format": "wellbeing-export", "version": 1, "spans": [], "events": [\n'
            '{"kind": "block", "at": "2026-11-25T09:00:00+05:00", "data": {"reason": "bedtime", "until": null}}]}',
            "at $.events[0].data.reason",
            '"bedtime"',
            'one of "cap", "downtime", "app_limit"',
        ),
        (
            "bad-time.json",
            '{"format": "wellbeing-export", "version": 1, "spans": [], "events": [\n'
            '{"kind": "grant", "at": "2026-11-25T09:00:00+05:00", "data": {"until": "after dinner"}}]}',
            "at $.events[0].data.until",
            '"after dinner"',
            "an ISO-8601 time with a UTC offset",
        ),
    ],
)
def test_details_that_do_not_fit_their_kind_are_refused_and_nothing_is_written(
    store: Store, tmp_path: Path, name: str, content: str, where: str, found: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ImportFileError) as raised:
        store.import_file(path)

    assert raised.value.where == where
    assert raised.value.found == found
    assert expected in raised.value.expected
    assert store.events_between(DAY, DAY) == []
