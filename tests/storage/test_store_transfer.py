"""Export and import: formats, exact restore, no double counting, and refusals that change nothing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellbeing_app.core.model import AppRef, EventKind
from wellbeing_app.core.passcode import PasscodeHash
from wellbeing_app.storage import ImportResult, StorageError, Store, open_store
from wellbeing_app.storage.intervals import CoveredTime

from .backends import BACKENDS, fresh_database
from .samples import EDITOR, FIREFOX, GAME, MINUS3, NINE, event, span

DAY = NINE.date()
CSV_HEADER = "record,uid,start,end,app,name,day,kind,data,title"


def _fill(store: Store) -> None:
    store.upsert_spans(
        [
            span(NINE, 30, FIREFOX, title='Wellbeing, "quoted" and\nmultiline'),
            span(NINE + timedelta(minutes=30), 12.5, GAME),
            span(datetime(2026, 11, 26, 0, 30, 0, 123_000, tzinfo=MINUS3), 20, EDITOR),
        ]
    )
    store.add_events(
        [
            event(EventKind.WARNING, NINE + timedelta(minutes=40), {"minutes_left": 10}),
            event(
                EventKind.GRANT, NINE + timedelta(minutes=50), {"minutes": 15, "by": "parent", "note": "ünï"}
            ),
            event(EventKind.TRACKING_STARTED, NINE - timedelta(hours=1)),
        ]
    )
    store.save_passcode(PasscodeHash(salt=b"SALT-SALT-SALT-S", digest=b"DIGEST" * 5))
    store.save_settings({"daily_cap_minutes": 60})


def _everything(store: Store) -> tuple[list[object], list[object]]:
    first, last = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    spans = store.spans_between(first, last)
    return sorted(spans, key=lambda s: s.uid), store.events_between(first.date(), last.date())


def _export(store: Store, kind: str, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fp:
        (store.export_json if kind == "json" else store.export_csv)(fp)
    return path


def test_the_json_export_has_the_documented_shape(store: Store) -> None:
    _fill(store)
    out = io.StringIO()
    store.export_json(out)
    document = json.loads(out.getvalue())
    assert set(document) == {"format", "version", "device_id", "exported_at", "apps", "spans", "events"}
    assert (document["format"], document["version"], document["device_id"]) == (
        "wellbeing-export",
        1,
        store.device_id,
    )
    assert datetime.fromisoformat(document["exported_at"]).utcoffset() is not None
    assert document["spans"][0] == {
        "uid": document["spans"][0]["uid"],
        "start": "2026-11-25T09:00:00+05:00",
        "end": "2026-11-25T09:30:00+05:00",
        "app": "firefox",
        "name": "Firefox",
        "day": "2026-11-25",
        "title": 'Wellbeing, "quoted" and\nmultiline',
    }
    late = document["spans"][2]
    assert (late["start"], late["end"], late["day"]) == (
        "2026-11-26T00:30:00.123-03:00",
        "2026-11-26T00:50:00.123-03:00",
        "2026-11-25",
    )
    assert [app["app"] for app in document["apps"]] == ["firefox", "libreoffice", "supertux2"]
    assert [e["kind"] for e in document["events"]] == ["tracking_started", "warning", "grant"]
    # The passcode and the settings are never exported.
    text = out.getvalue()
    assert "SALT" not in text
    assert "DIGEST" not in text
    assert "daily_cap_minutes" not in text


def test_the_csv_export_has_one_header_and_both_kinds_of_record(store: Store) -> None:
    _fill(store)
    out = io.StringIO()
    store.export_csv(out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert ",".join(rows[0]) == CSV_HEADER
    assert [row[0] for row in rows[1:]] == ["span"] * 3 + ["event"] * 3
    first_span = dict(zip(rows[0], rows[1], strict=True))
    assert first_span["start"] == "2026-11-25T09:00:00+05:00"
    assert (first_span["kind"], first_span["data"]) == ("", "")
    grant = dict(zip(rows[0], rows[-1], strict=True))
    assert (grant["start"], grant["kind"], grant["day"], grant["end"], grant["app"]) == (
        "2026-11-25T09:50:00+05:00",
        "grant",
        "2026-11-25",
        "",
        "",
    )
    assert json.loads(grant["data"]) == {"minutes": 15, "by": "parent", "note": "ünï"}
    assert "SALT" not in out.getvalue()


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_export_delete_import_gives_everything_back(store: Store, tmp_path: Path, kind: str) -> None:
    _fill(store)
    before = _everything(store)
    path = _export(store, kind, tmp_path / f"export.{kind}")
    store.delete_all()
    assert _everything(store) == ([], [])

    result = store.import_file(path)

    assert result == ImportResult(spans_added=3, spans_skipped=0, events_added=3, events_skipped=0)
    assert _everything(store) == before
    # Importing the same file again adds nothing.
    assert store.import_file(path) == ImportResult(0, 3, 0, 3)
    assert _everything(store) == before


def test_an_export_imported_onto_itself_is_skipped(store: Store, tmp_path: Path) -> None:
    _fill(store)
    before = _everything(store)
    path = _export(store, "json", tmp_path / "export.json")
    assert store.import_file(path) == ImportResult(0, 3, 0, 3)
    assert _everything(store) == before


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_an_overlapping_hand_made_csv_is_trimmed_to_the_new_time(store: Store, tmp_path: Path) -> None:
    # Recorded: 09:00-09:30 and 10:00-10:10 (+05:00).
    store.upsert_spans([span(NINE, 30, FIREFOX), span(NINE + timedelta(hours=1), 10, FIREFOX)])
    path = _write(
        tmp_path / "other-tool.csv",
        "start,end,app,name\n"
        # 08:50-10:20: only 08:50-09:00, 09:30-10:00 and 10:10-10:20 are new (50 min).
        "2026-11-25T08:50:00+05:00,2026-11-25T10:20:00+05:00,supertux2,SuperTux\n"
        # Already covered by the line above: nothing new.
        "2026-11-25T09:40:00+05:00,2026-11-25T09:50:00+05:00,libreoffice,\n"
        # The same moment written in UTC, overlapping the end by 5 of its 15 minutes.
        "2026-11-25T05:15:00+00:00,2026-11-25T05:30:00+00:00,libreoffice,LibreOffice\n",
    )

    result = store.import_file(path)

    assert result == ImportResult(spans_added=2, spans_skipped=1, events_added=0, events_skipped=0)
    assert store.usage_on(DAY) == {
        GAME: 50 * 60.0,
        FIREFOX: 40 * 60.0,
        AppRef("libreoffice", "LibreOffice"): 10 * 60.0,
    }
    pieces = [(s.start.isoformat(), s.end.isoformat()) for s in store.spans_on(DAY) if s.app == GAME]
    assert pieces == [
        ("2026-11-25T08:50:00+05:00", "2026-11-25T09:00:00+05:00"),
        ("2026-11-25T09:30:00+05:00", "2026-11-25T10:00:00+05:00"),
        ("2026-11-25T10:10:00+05:00", "2026-11-25T10:20:00+05:00"),
    ]
    # Twice is the same as once.
    assert store.import_file(path) == ImportResult(
        spans_added=0, spans_skipped=3, events_added=0, events_skipped=0
    )
    assert sum(store.usage_on(DAY).values()) == 100 * 60.0


def test_a_minimal_csv_without_days_uses_the_offset_and_a_four_oclock_day_start(
    store: Store, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "minimal.csv",
        "app;start;end\n"  # another order, and the semicolons of many spreadsheets
        "game;2026-11-25T03:30:00+01:00;2026-11-25T03:45:00+01:00\n"
        "\n"
        "game;2026-11-25T04:00:00-08:00;2026-11-25T04:05:00-08:00\n",
    )
    assert store.import_file(path) == ImportResult(2, 0, 0, 0)
    assert store.usage_on(date(2026, 11, 24)) == {AppRef("game", "game"): 900.0}
    assert store.usage_on(date(2026, 11, 25)) == {AppRef("game", "game"): 300.0}
    assert store.spans_on(date(2026, 11, 25))[0].utc_offset == timedelta(hours=-8)


def test_a_hand_written_json_needs_no_uids_days_or_apps(store: Store, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "hand.json",
        json.dumps(
            {
                "format": "wellbeing-export",
                "version": 1,
                "spans": [
                    {"start": "2026-11-25T03:00:00+05:00", "end": "2026-11-25T03:20:00+05:00", "app": "game"}
                ],
                "events": [{"kind": "grant", "at": "2026-11-25T09:00:00+05:00", "data": {"minutes": 15}}],
            }
        ),
    )
    assert store.import_file(path) == ImportResult(1, 0, 1, 0)
    assert store.usage_on(date(2026, 11, 24)) == {AppRef("game", "game"): 1200.0}
    [grant] = store.events_between(DAY, DAY)
    assert (grant.kind, grant.payload.to_json()) == (EventKind.GRANT, {"minutes": 15})
    assert store.import_file(path) == ImportResult(0, 1, 0, 1)


def _export_text(store: Store) -> str:
    out = io.StringIO()
    store.export_json(out)
    return "\n".join(line for line in out.getvalue().splitlines() if not line.startswith('"exported_at"'))


GOOD = "2026-11-25T09:00:00+05:00,2026-11-25T09:10:00+05:00,firefox"


@pytest.mark.parametrize(
    ("name", "content", "where", "found"),
    [
        ("bad-header.csv", f"from,to,program\n{GOOD}\n", "line 1 (the header)", '"from,to,program"'),
        (
            "bad-time.csv",
            f"start,end,app\n{GOOD}\n2026-11-25 nine o'clock,2026-11-25T09:20:00+05:00,firefox\n{GOOD}\n",
            'line 3, column "start"',
            '"2026-11-25 nine o\'clock"',
        ),
        (
            "naive-time.csv",
            f"start,end,app\n{GOOD}\n2026-11-25T09:10:00,2026-11-25T09:20:00,firefox\n",
            'line 3, column "start"',
            "no UTC offset",
        ),
        (
            "end-before-start.csv",
            f"start,end,app\n{GOOD}\n2026-11-25T10:00:00+05:00,2026-11-25T09:50:00+05:00,firefox\n",
            'line 3, column "end"',
            "not after the start",
        ),
        (
            "too-long.csv",
            f"start,end,app\n{GOOD}\n2026-11-25T09:00:00+05:00,2026-11-28T09:00:00+05:00,firefox\n",
            'line 3, column "end"',
            "72.0 hours after the start",
        ),
        (
            "too-few-values.csv",
            f"start,end,app,name\n{GOOD},Firefox\n{GOOD}\n",
            "line 3",
            "3 values",
        ),
        (
            "bad-kind.csv",
            f"{CSV_HEADER}\nevent,e1,2026-11-25T09:00:00+05:00,,,,2026-11-25,coffee,{{}},\n",
            'line 2, column "kind"',
            '"coffee"',
        ),
        (
            "broken.json",
            '{"format": "wellbeing-export",\n "version": 1,\n "spans": [',
            "line 3",
            "not valid JSON",
        ),
        ("not-json.json", "this is not JSON at all\n", "line 1", "not valid JSON"),
        (
            "wrong-format.json",
            '{"format": "photos", "version": 1, "spans": [], "events": []}',
            "$.format",
            '"photos"',
        ),
        (
            "newer.json",
            '{"format": "wellbeing-export", "version": 2, "spans": [], "events": []}',
            "$.version",
            "2",
        ),
        (
            "bad-span.json",
            '{"format": "wellbeing-export", "version": 1, "events": [], "spans": [{"uid": "a", '
            '"start": "2026-11-25T09:00:00+05:00", "end": "2026-11-25T09:05:00+05:00", "app": "x", '
            '"day": "2026-11-25"}, {"uid": "b", "start": "2026-11-25T09:10:00+05:00", "end": 5, "app": "x"}]}',
            "$.spans[1].end",
            "5",
        ),
        ("empty.csv", "\n\n", "line 1", "an empty file"),
        (
            "day-far-away.csv",
            f"start,end,app,day\n{GOOD},2026-11-25\n2026-11-25T09:00:00+05:00,2026-11-25T09:10:00+05:00,x,2026-11-18\n",
            'line 3, column "day"',
            "2026-11-18, too far from the start",
        ),
    ],
)
def test_a_malformed_file_is_refused_with_where_and_what_and_changes_nothing(
    store: Store, tmp_path: Path, name: str, content: str, where: str, found: str
) -> None:
    _fill(store)
    before = _export_text(store)
    path = _write(tmp_path / name, content)

    with pytest.raises(StorageError) as raised:
        store.import_file(path)

    message = str(raised.value)
    assert str(path) in message
    assert where in message
    assert found in message
    assert "expected" in message
    assert _export_text(store) == before


def test_a_missing_file_is_refused_in_words(store: Store, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=r"cannot read .*nowhere\.csv"):
        store.import_file(tmp_path / "nowhere.csv")


# Random spans within two days, at a few UTC offsets, in minutes.
_spans = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2 * 24 * 60),  # start, minutes after the origin
        st.integers(min_value=1, max_value=300),  # length in minutes
        st.sampled_from([-8, 0, 5]),  # offset in hours
        st.sampled_from(["firefox", "game", "editor"]),
    ),
    min_size=1,
    max_size=25,
)
_ORIGIN = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def _csv_of(spans: list[tuple[int, int, int, str]]) -> str:
    lines = ["start,end,app"]
    for start, length, offset, app in spans:
        zone = timezone(timedelta(hours=offset))
        begin = (_ORIGIN + timedelta(minutes=start)).astimezone(zone)
        lines.append(f"{begin.isoformat()},{(begin + timedelta(minutes=length)).isoformat()},{app}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module", params=BACKENDS)
def shared_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, Path]]:
    """One store for all the examples of a property: opening one per example would dominate."""
    folder = tmp_path_factory.mktemp("property")
    with fresh_database(request, request.param, folder) as url:
        store = open_store(folder, url=url).store
        yield store, folder
        store.close()


@settings(max_examples=40, deadline=None)
@given(first=_spans, second=_spans)
def test_importing_overlapping_spans_never_counts_time_twice(
    shared_store: tuple[Store, Path],
    first: list[tuple[int, int, int, str]],
    second: list[tuple[int, int, int, str]],
) -> None:
    store, folder = shared_store
    store.delete_all()
    for batch, name in ((first, "first.csv"), (second, "second.csv")):
        store.import_file(_write(folder / name, _csv_of(batch)))
    assert store.import_file(folder / "second.csv").spans_added == 0

    days = [date(2026, 11, 22) + timedelta(days=n) for n in range(6)]
    usage = store.usage_by_day_app(days[0], days[-1])
    everything = CoveredTime((s * 60, (s + n) * 60) for s, n, _o, _a in first + second)
    # All the time recorded is exactly the union of the time imported ...
    assert sum(u.seconds for u in usage) == everything.total()
    # ... and no day holds more than the union of the parts of the spans given that fall in it
    # (a day starts at 04:00 in each span's own offset; a span across it is split).
    for day in days:

        def in_day(s: int, n: int, offset: int, day: date = day) -> tuple[int, int]:
            day_start = (day - _ORIGIN.date()).days * 1440 + (4 - offset) * 60
            return max(s, day_start) * 60, min(s + n, day_start + 1440) * 60

        parts = (in_day(s, n, offset) for s, n, offset, _a in first + second)
        given_that_day = CoveredTime((begin, end) for begin, end in parts if begin < end)
        assert sum(u.seconds for u in usage if u.day == day) <= given_that_day.total()


def test_an_import_works_after_another_store_deleted_the_apps_it_knew(data_dir: Path, tmp_path: Path) -> None:
    first, second = open_store(data_dir).store, open_store(data_dir).store
    try:
        second.upsert_spans([span(NINE, 5, GAME)])
        first.delete_all()  # the app goes too; `second` still has its id cached
        path = _write(
            tmp_path / "game.csv", "start,end,app,name\n" + GOOD.replace("firefox", "supertux2,SuperTux")
        )
        assert second.import_file(path) == ImportResult(1, 0, 0, 0)
        assert first.usage_on(DAY) == {GAME: 600.0}
    finally:
        first.close()
        second.close()
