"""Round trips of the store's records: spans, usage sums, events, settings, the passcode and meta."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from wellbeing_app.core.events import WarningPayload
from wellbeing_app.core.model import AppRef, EventKind, UsageSpan
from wellbeing_app.core.passcode import Attempt, PasscodeHash
from wellbeing_app.storage import DayAppUsage, StorageError, Store, open_store

from .samples import EDITOR, FIREFOX, GAME, MINUS3, NINE, PLUS5, event, span

DAY = NINE.date()


def test_spans_come_back_equal_with_their_offset(store: Store) -> None:
    morning = span(NINE, 30, title="Inbox — Thunderbird")
    evening = span(datetime(2026, 11, 25, 20, 15, 30, 250_000, tzinfo=MINUS3), 5, GAME)
    store.upsert_spans([evening, morning])
    assert store.spans_on(DAY) == [morning, evening]
    back = store.spans_on(DAY)[1]
    assert back.start.utcoffset() == timedelta(hours=-3)
    assert back.start.isoformat() == "2026-11-25T20:15:30.250000-03:00"


def test_an_open_span_is_replaced_as_it_grows_and_shrinks(store: Store) -> None:
    growing = span(NINE, 1, uid="open")
    store.upsert_spans([growing])
    store.upsert_spans([span(NINE, 12, uid="open")])
    assert [s.seconds for s in store.spans_on(DAY)] == [720.0]
    store.upsert_spans([span(NINE, 4, uid="open")])  # idle time taken back
    assert [s.seconds for s in store.spans_on(DAY)] == [240.0]


def test_an_app_takes_the_newest_display_name(store: Store) -> None:
    store.upsert_spans([span(NINE, 5, AppRef("firefox", "Firefox"))])
    store.upsert_spans([span(NINE + timedelta(minutes=5), 5, AppRef("firefox", "Firefox Nightly"))])
    assert {s.app.name for s in store.spans_on(DAY)} == {"Firefox Nightly"}


def test_delete_spans_removes_only_those(store: Store) -> None:
    kept, gone = span(NINE, 5), span(NINE + timedelta(minutes=5), 5)
    store.upsert_spans([kept, gone])
    store.delete_spans([gone.uid, "never-existed"])
    assert store.spans_on(DAY) == [kept]


def test_spans_between_returns_the_overlapping_ones_whole(store: Store) -> None:
    before = span(NINE - timedelta(hours=1), 30)  # 08:00-08:30
    touching = span(NINE - timedelta(minutes=20), 20)  # 08:40-09:00, ends where the range starts
    across = span(NINE + timedelta(minutes=50), 20)  # 09:50-10:10
    inside = span(NINE + timedelta(minutes=10), 10)  # 09:10-09:20
    store.upsert_spans([across, before, inside, touching])
    found = store.spans_between(NINE, NINE + timedelta(hours=1))
    assert found == [inside, across]
    assert found[1].end == across.end  # not clipped


def test_usage_is_summed_per_day_and_app_most_used_first(store: Store) -> None:
    next_day = NINE + timedelta(days=1)
    store.upsert_spans(
        [
            span(NINE, 10, FIREFOX),
            span(NINE + timedelta(minutes=10), 25, GAME),
            span(NINE + timedelta(minutes=35), 5, FIREFOX),
            span(next_day, 3, EDITOR),
            span(NINE + timedelta(days=3), 60, GAME),  # outside the range asked for
        ]
    )
    assert store.usage_by_day_app(DAY, DAY + timedelta(days=1)) == [
        DayAppUsage(DAY, GAME, 1500.0),
        DayAppUsage(DAY, FIREFOX, 900.0),
        DayAppUsage(DAY + timedelta(days=1), EDITOR, 180.0),
    ]
    assert store.usage_on(DAY) == {GAME: 1500.0, FIREFOX: 900.0}
    assert list(store.usage_on(DAY)) == [GAME, FIREFOX]
    assert store.usage_on(DAY + timedelta(days=2)) == {}


def test_late_night_use_belongs_to_the_day_it_was_given(store: Store) -> None:
    late = span(datetime(2026, 11, 26, 0, 30, tzinfo=PLUS5), 20)
    assert late.day == DAY  # the day started at 04:00 on the 25th
    store.upsert_spans([late])
    assert store.usage_on(DAY) == {FIREFOX: 1200.0}
    assert store.spans_on(date(2026, 11, 26)) == []


def test_last_span_end(store: Store) -> None:
    assert store.last_span_end() is None
    store.upsert_spans([span(NINE, 10), span(NINE + timedelta(hours=2), 7)])
    last = store.last_span_end()
    assert last == NINE + timedelta(hours=2, minutes=7)
    assert last is not None
    assert last.utcoffset() == timedelta(hours=5)


def test_naive_datetimes_are_refused(store: Store) -> None:
    naive = UsageSpan(
        "naive", FIREFOX, datetime(2026, 11, 25, 9), datetime(2026, 11, 25, 10), DAY, timedelta()
    )
    with pytest.raises(ValueError, match="naive"):
        store.upsert_spans([naive])


def test_a_span_longer_than_two_days_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match=r"lasts 50\.0 h"):
        store.upsert_spans([span(NINE, 50 * 60)])
    assert store.spans_on(DAY) == []


def test_events_round_trip_and_duplicates_are_ignored(store: Store) -> None:
    warning = event(EventKind.WARNING, NINE, {"minutes_left": 10})
    block = event(EventKind.BLOCK, NINE + timedelta(minutes=10), {"reason": "cap", "app": "supertux2"})
    grant = event(EventKind.GRANT, NINE + timedelta(minutes=12), {"minutes": 15, "by": "parent"})
    store.add_events([block, warning])
    store.add_events(
        [grant, warning.__class__(warning.uid, NINE, DAY, WarningPayload(extra={"changed": True}))]
    )
    assert store.events_between(DAY, DAY) == [warning, block, grant]
    assert store.events_between(DAY, DAY, kinds={EventKind.GRANT, EventKind.WARNING}) == [warning, grant]
    assert store.events_between(DAY + timedelta(days=1), DAY + timedelta(days=2)) == []


def test_latest_event(store: Store) -> None:
    assert store.latest_event(EventKind.TRACKING_STOPPED) is None
    early = event(EventKind.TRACKING_STOPPED, NINE)
    late = event(EventKind.TRACKING_STOPPED, NINE + timedelta(hours=3))
    store.add_events([late, early, event(EventKind.WARNING, NINE + timedelta(hours=4))])
    assert store.latest_event(EventKind.TRACKING_STOPPED) == late


def test_passcode_attempts_come_from_the_events(store: Store) -> None:
    store.add_events(
        [
            event(EventKind.PASSCODE_FAILED, NINE - timedelta(hours=1), {"purpose": "grant"}),
            event(EventKind.PASSCODE_FAILED, NINE, {"purpose": "grant"}),
            event(EventKind.WARNING, NINE + timedelta(minutes=1)),
            event(EventKind.PASSCODE_OK, NINE + timedelta(minutes=2)),
        ]
    )
    assert store.passcode_attempts(NINE) == [
        Attempt(NINE, ok=False),
        Attempt(NINE + timedelta(minutes=2), ok=True),
    ]


def test_settings_round_trip_and_saving_is_partial(store: Store) -> None:
    assert store.load_settings() == {}
    store.save_settings({"daily_cap_minutes": 60, "always_allowed": ["calculator"], "downtime": None})
    store.save_settings({"daily_cap_minutes": 45, "day_starts_at": "04:00"})
    assert store.load_settings() == {
        "daily_cap_minutes": 45,
        "always_allowed": ["calculator"],
        "downtime": None,
        "day_starts_at": "04:00",
    }


def test_a_setting_that_is_not_json_is_refused_and_nothing_is_saved(store: Store) -> None:
    with pytest.raises(StorageError, match="setting 'when'"):
        store.save_settings({"daily_cap_minutes": 60, "when": datetime.now(UTC)})
    assert store.load_settings() == {}


def test_the_passcode_is_kept_and_removed(store: Store) -> None:
    assert store.load_passcode() is None
    first = PasscodeHash(salt=b"s" * 16, digest=b"d" * 32)
    store.save_passcode(first)
    assert store.load_passcode() == first
    second = PasscodeHash(salt=b"t" * 16, digest=b"e" * 32, n=2**15, r=8, p=2)
    store.save_passcode(second)
    assert store.load_passcode() == second
    store.save_passcode(None)
    assert store.load_passcode() is None


def test_meta_round_trip(store: Store) -> None:
    assert store.get_meta("last_export") is None
    store.set_meta("last_export", "2026-11-25")
    store.set_meta("last_export", "2026-11-26")
    assert store.get_meta("last_export") == "2026-11-26"
    with pytest.raises(ValueError, match="device id"):
        store.set_meta("device_id", "someone-else")


def test_every_row_carries_the_device_and_the_person(store: Store) -> None:
    store.upsert_spans([span()])
    store.add_events([event()])
    with store._engine.connect() as connection:
        for table in ("usage_spans", "events"):
            rows = connection.exec_driver_sql(
                f"SELECT DISTINCT devices.uid, people.uid FROM {table} "
                "JOIN devices ON devices.id = device_id JOIN people ON people.id = person_id"
            ).all()
            assert [tuple(row) for row in rows] == [(store.device_id, "default")]


def test_delete_all_keeps_settings_passcode_and_device(store: Store) -> None:
    device_id = store.device_id
    passcode = PasscodeHash(salt=b"s" * 16, digest=b"d" * 32)
    store.save_passcode(passcode)
    store.save_settings({"daily_cap_minutes": 60})
    store.upsert_spans([span(NINE, 10, FIREFOX), span(NINE + timedelta(minutes=10), 10, GAME)])
    store.add_events([event()])
    store.delete_all()
    assert store.spans_on(DAY) == []
    assert store.events_between(DAY, DAY) == []
    assert store.last_span_end() is None
    with store._engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM apps").scalar() == 0
    assert store.load_settings() == {"daily_cap_minutes": 60}
    assert store.load_passcode() == passcode
    assert store.get_meta("device_id") == device_id
    # Apps are made again as they are seen.
    store.upsert_spans([span(NINE, 5, GAME)])
    assert store.usage_on(DAY) == {GAME: 300.0}


def test_a_closed_store_says_so(store: Store) -> None:
    store.close()
    with pytest.raises(StorageError, match=re.escape("cannot read the usage: the store for")):
        store.spans_on(DAY)


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # about SQLite itself
def test_deleted_records_are_gone_from_the_disk(store: Store, data_dir: Path) -> None:
    secret = "a-window-title-nobody-should-find-again"
    store.upsert_spans([span(NINE + timedelta(minutes=i), 1, title=f"{secret}-{i}") for i in range(200)])
    store.delete_all()
    files = [path for path in data_dir.iterdir() if path.name.startswith("wellbeing.sqlite3")]
    assert files
    for path in files:
        assert secret.encode() not in path.read_bytes()


def test_two_stores_on_one_file_do_not_trip_over_each_other(data_dir: Path) -> None:
    first = open_store(data_dir).store
    second = open_store(data_dir).store
    try:
        assert first.device_id == second.device_id  # one file, one device
        # Both meet the same new app: neither may fail on the other's row.
        first.upsert_spans([span(NINE, 5, GAME)])
        second.upsert_spans([span(NINE + timedelta(minutes=5), 5, GAME)])
        # The second store's cached app id goes stale when the first deletes everything.
        first.delete_all()
        second.upsert_spans([span(NINE + timedelta(minutes=10), 5, GAME)])
        assert first.usage_on(DAY) == {GAME: 300.0}
    finally:
        first.close()
        second.close()


def test_uids_of_every_shape_come_back_as_they_were(store: Store) -> None:
    hex_uid = "0123456789abcdef0123456789abcdef"
    uids = [hex_uid, hex_uid.upper(), "sixteen-chars-16", "spän-ünïcode", "x" * 64, "b000000000001"]
    spans = [span(NINE + timedelta(minutes=n), 1, uid=uid) for n, uid in enumerate(uids)]
    store.upsert_spans(spans)
    store.add_events([event(uid=uid) for uid in uids])
    assert store.spans_on(DAY) == spans
    assert [e.uid for e in store.events_between(DAY, DAY)] == uids
    store.delete_spans([hex_uid.upper()])
    assert [s.uid for s in store.spans_on(DAY)] == [uid for uid in uids if uid != hex_uid.upper()]
    with store._engine.connect() as connection:
        sizes = connection.exec_driver_sql("SELECT length(uid) FROM usage_spans ORDER BY start_ms").scalars()
        # The uuid4().hex that the app makes takes 16 bytes; others their text (a 16-byte one, one more).
        assert list(sizes) == [16, 17, 15, 64, 13]


def test_a_span_far_from_its_day_is_refused(store: Store) -> None:
    far = UsageSpan(
        "far", FIREFOX, NINE, NINE + timedelta(minutes=5), DAY - timedelta(days=5), timedelta(hours=5)
    )
    with pytest.raises(ValueError, match=r"starts \+5\.\d days from its day 2026-11-20"):
        store.upsert_spans([far])
    assert store.usage_on(far.day) == {}
