"""Exports written before event details were typed still import, and export again byte for byte.

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
from wellbeing_app.storage import ImportResult, Store

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
    assert result == ImportResult(spans_added=2, spans_skipped=0, events_added=32, events_skipped=0)
    events = store.events_between(DAY, DAY)
    assert {event.kind for event in events} == set(EventKind)
    assert _records(_exported(store, kind)) == _records(path.read_text(encoding="utf-8"))
