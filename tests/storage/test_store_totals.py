"""The usage totals the database keeps by triggers: always the sum over the spans, whatever was done."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellbeing_app.core.model import AppRef, UsageSpan
from wellbeing_app.storage import Store, open_store
from wellbeing_app.storage.convert import day_number

from .backends import BACKENDS, fresh_database, query, traced
from .samples import NINE, span

_ORIGIN = datetime(2026, 11, 24, tzinfo=UTC)
_APPS = [AppRef("firefox", "Firefox"), AppRef("supertux2", "SuperTux"), AppRef("code", "Code")]
#: Hex uids (kept as 16 bytes) and other uids (kept as text), few enough that writes meet again.
_UIDS = [f"{n:032x}" for n in range(6)] + [f"span-{n}" for n in range(6)]
_FIRST, _LAST = date(2026, 11, 20), date(2026, 12, 1)


def _span(uid: int, start_minute: int, minutes: int, app: int, offset_hours: int) -> UsageSpan:
    zone = timezone(timedelta(hours=offset_hours))
    start = (_ORIGIN + timedelta(minutes=start_minute)).astimezone(zone)
    return UsageSpan(
        uid=_UIDS[uid],
        app=_APPS[app],
        start=start,
        end=start + timedelta(minutes=minutes),
        day=(start - timedelta(hours=4)).date(),
        utc_offset=timedelta(hours=offset_hours),
    )


_spans = st.builds(
    _span,
    uid=st.integers(0, len(_UIDS) - 1),
    start_minute=st.integers(0, 3 * 24 * 60),
    minutes=st.integers(0, 600),
    app=st.integers(0, len(_APPS) - 1),
    offset_hours=st.sampled_from([-8, 0, 5]),
)
_imported = st.lists(
    st.tuples(st.integers(0, 3 * 24 * 60), st.integers(1, 300), st.integers(0, len(_APPS) - 1)),
    min_size=1,
    max_size=6,
)
_steps = st.lists(
    st.one_of(
        st.tuples(st.just("upsert"), st.integers(0, 1), st.lists(_spans, min_size=1, max_size=4)),
        st.tuples(st.just("delete"), st.integers(0, 1), st.lists(st.integers(0, len(_UIDS) - 1), max_size=3)),
        st.tuples(st.just("import"), st.integers(0, 1), _imported),
        st.tuples(st.just("delete_all"), st.integers(0, 1), st.none()),
    ),
    min_size=1,
    max_size=12,
)


def _csv(spans: list[tuple[int, int, int]]) -> str:
    lines = ["start,end,app,name"]
    for start_minute, minutes, app in spans:
        start = _ORIGIN + timedelta(minutes=start_minute)
        end = start + timedelta(minutes=minutes)
        lines.append(f"{start.isoformat()},{end.isoformat()},{_APPS[app].executable},{_APPS[app].name}")
    return "\n".join(lines) + "\n"


def _summed_from_spans(store: Store) -> dict[tuple[int, str, str], int]:
    """The straightforward way: a SUM over this person's spans, per day and app."""
    sql = (
        "SELECT s.day, a.executable, a.name, SUM(s.end_ms - s.start_ms) FROM usage_spans s "
        "JOIN apps a ON a.id = s.app_id JOIN people p ON p.id = s.person_id "
        "WHERE p.uid = :person GROUP BY s.day, s.app_id, a.executable, a.name"
    )
    rows = query(store, sql, {"person": store.person_id})
    return {(day, executable, name): int(total) for day, executable, name, total in rows}


def _table_rows(store: Store, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(int(value) for value in row) for row in query(store, sql)]


def _check(stores: list[Store]) -> None:
    # Row for row: the totals table holds exactly the non-empty groups of spans, no leftovers.
    assert _table_rows(
        stores[0],
        "SELECT person_id, day, app_id, device_id, total_ms, spans FROM usage_totals "
        "ORDER BY person_id, day, app_id, device_id",
    ) == _table_rows(
        stores[0],
        "SELECT person_id, day, app_id, device_id, SUM(end_ms - start_ms), COUNT(*) FROM usage_spans "
        "GROUP BY person_id, day, app_id, device_id ORDER BY person_id, day, app_id, device_id",
    )
    for store in stores:
        usage = store.usage_by_day_app(_FIRST, _LAST)
        assert all(type(one.seconds) is float for one in usage)
        fast = {
            (day_number(one.day), one.app.executable, one.app.name): round(one.seconds * 1000)
            for one in usage
        }
        assert fast == _summed_from_spans(store)
        for day in (date(2026, 11, 24), date(2026, 11, 25)):
            expected = {
                AppRef(executable, name): total / 1000
                for (number, executable, name), total in fast.items()
                if number == day_number(day)
            }
            assert store.usage_on(day) == expected


@pytest.fixture(scope="module", params=BACKENDS)
def two_people(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[list[Store], Path]]:
    """Two people's stores on one database, shared by the examples (opening per example would dominate)."""
    folder = tmp_path_factory.mktemp("totals")
    with fresh_database(request, request.param, folder) as url:
        stores = [open_store(folder, url=url).store, open_store(folder, url=url, person_id="kid").store]
        yield stores, folder
        for store in stores:
            store.close()


@settings(max_examples=60, deadline=None)
@given(steps=_steps)
def test_the_totals_are_always_the_sum_over_the_spans(
    two_people: tuple[list[Store], Path], steps: list[tuple[str, int, Any]]
) -> None:
    stores, folder = two_people
    for store in stores:
        store.delete_all()
    for what, who, argument in steps:
        store = stores[who]
        if what == "upsert":
            # The same uid met twice in one call: the last one wins, as in the tracker.
            store.upsert_spans(list({s.uid: s for s in argument}.values()))
        elif what == "delete":
            store.delete_spans([_UIDS[index] for index in argument])
        elif what == "import":
            path = folder / "import.csv"
            path.write_text(_csv(argument), encoding="utf-8")
            store.import_file(path)
        else:
            store.delete_all()
        _check(stores)


def test_an_open_span_rewritten_at_every_flush_changes_its_total_in_place(store: Store) -> None:
    for minutes in (1, 2, 3, 2.5):
        store.upsert_spans([span(NINE, minutes, uid="0123456789abcdef0123456789abcdef")])
    rows = _table_rows(store, "SELECT total_ms, spans FROM usage_totals")
    assert rows == [(150_000, 1)]


def test_the_report_reads_the_totals_not_the_spans(store: Store) -> None:
    store.upsert_spans([span(NINE, 10)])
    statements = traced(store)
    assert store.usage_by_day_app(NINE.date() - timedelta(days=365), NINE.date())
    assert statements
    assert not [statement for statement in statements if "usage_spans" in statement]


@pytest.mark.parametrize("store", ["sqlite", "sqlite-sqlalchemy"], indirect=True)  # about SQLite itself
def test_the_spans_of_a_day_are_read_on_the_time_key(store: Store) -> None:
    statements = traced(store)
    store.spans_on(NINE.date())
    # The traced text has the values in it, as it ran.
    [statement] = [s for s in statements if "FROM usage_spans" in s]
    plan = [row[-1] for row in query(store, f"EXPLAIN QUERY PLAN {statement}")]
    assert any(
        step.startswith("SEARCH usage_spans USING PRIMARY KEY (start_ms>? AND start_ms<?)") for step in plan
    )


_WRITER = """
import sys
from datetime import timedelta
from pathlib import Path
from tests.storage.samples import NINE, span
from wellbeing_app.storage import open_store

name = sys.argv[2]
store = open_store(Path(sys.argv[1]), url=sys.argv[3] if len(sys.argv) > 3 else None).store
for n in range(150):
    # A new span now and then, and the open one rewritten in between, as the tracker does.
    store.upsert_spans([span(NINE + timedelta(minutes=n), 0.5 + n % 3 / 10, uid=f"{name}-{n // 3}")])
    if n % 20 == 19:
        store.delete_spans([f"{name}-{n // 3 - 2}"])
store.close()
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_two_processes_writing_at_once_keep_the_totals_exact(
    request: pytest.FixtureRequest, data_dir: Path, backend: str
) -> None:
    with fresh_database(request, backend, data_dir) as url:
        open_store(data_dir, url=url).store.close()
        root = Path(__file__).resolve().parents[2]
        writers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    textwrap.dedent(_WRITER),
                    str(data_dir),
                    name,
                    *([url] if url else []),
                ],
                cwd=root,
            )
            for name in ("first", "second")
        ]
        assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
        store = open_store(data_dir, url=url).store
        try:
            _check([store])
            assert len(store.spans_on(NINE.date())) == 2 * (50 - 7)
        finally:
            store.close()
