"""Usage spans and the apps they name: writing them as they grow, reading days and totals."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from wellbeing_app.core.model import AppRef, DayAppUsage, UsageSpan
from wellbeing_app.core.record import record

from .access import Access, guarded
from .convert import day_from_number, day_number, day_start_ms, from_ms, to_ms, uid_from_db, uid_to_db
from .database import DatabaseFailure, Row, Session, chunks, insert_sql, placeholders, upsert_sql
from .limits import DAY_REACH_MS, MAX_SPAN_MS, UID_LENGTH

SPAN_COLUMNS = (
    "start_ms",
    "uid",
    "device_id",
    "person_id",
    "app_id",
    "end_ms",
    "utc_offset_s",
    "day",
    "title",
)
_UPSERT_SPAN = upsert_sql("usage_spans", SPAN_COLUMNS, "uid")
INSERT_SPAN = insert_sql("usage_spans", SPAN_COLUMNS)
_INSERT_APP = insert_sql("apps", ("executable", "name", "first_seen_ms"), unless="executable")
_UPDATE_APP = "UPDATE apps SET name = :name, first_seen_ms = :first_seen_ms WHERE id = :id"
_APPS = "SELECT executable, id, name, first_seen_ms FROM apps"

#: A span with its app's names, ordered by time; `{where}` narrows it down.
SPAN_QUERY = (
    "SELECT usage_spans.uid, apps.executable, apps.name, usage_spans.start_ms, usage_spans.end_ms, "
    "usage_spans.day, usage_spans.utc_offset_s, usage_spans.title "
    "FROM usage_spans JOIN apps ON usage_spans.app_id = apps.id "
    "WHERE usage_spans.person_id = :person{where} ORDER BY usage_spans.start_ms, usage_spans.uid"
)
# Summing per app id first and naming the apps afterwards is the cheaper order.
_USAGE = (
    "SELECT totals.day, apps.executable, apps.name, totals.total_ms FROM ("
    "SELECT day, app_id, SUM(total_ms) AS total_ms FROM usage_totals "
    "WHERE person_id = :person AND day >= :first AND day <= :last GROUP BY day, app_id"
    ") AS totals JOIN apps ON totals.app_id = apps.id "
    "ORDER BY totals.day, totals.total_ms DESC, apps.executable"
)
_MINE = "device_id = :device AND person_id = :person"
_LATEST_START = f"SELECT start_ms FROM usage_spans WHERE {_MINE} ORDER BY start_ms DESC LIMIT 1"
_LATEST_END = (
    f"SELECT end_ms, utc_offset_s FROM usage_spans WHERE {_MINE} AND start_ms >= :since "
    "ORDER BY end_ms DESC LIMIT 1"
)


@record(frozen=False, eq=False, repr=False)
class _CachedApp:
    id: int
    name: str
    first_seen_ms: int


def spans_of(rows: Iterable[Row]) -> list[UsageSpan]:
    """The spans of rows of SPAN_QUERY."""
    apps: dict[tuple[str, str], AppRef] = {}
    spans = []
    for uid, executable, name, start_ms, end_ms, day, offset_s, title in rows:
        app = apps.get((executable, name))
        if app is None:
            app = apps[executable, name] = AppRef(executable, name)
        spans.append(
            UsageSpan(
                uid=uid_from_db(bytes(uid)),
                app=app,
                start=from_ms(start_ms, offset_s),
                end=from_ms(end_ms, offset_s),
                day=day_from_number(day),
                utc_offset=timedelta(seconds=offset_s),
                title=title,
            )
        )
    return spans


class SpanRecords:
    """The spans part of a store, with a cache of the apps table (ids do not change)."""

    def __init__(self, access: Access) -> None:
        self._access = access
        self._apps: dict[str, _CachedApp] | None = None

    def forget_apps(self) -> None:
        """Drop the cache of apps: after a failed write (it may hold rolled-back ids), or a deletion."""
        self._apps = None

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One writing transaction (unguarded: the caller words the error); the app cache is
        dropped if it fails."""
        try:
            with self._access.database.writing() as session:
                yield session
        except BaseException:
            self._apps = None
            raise

    def _app_cache(self, session: Session) -> dict[str, _CachedApp]:
        if self._apps is None:
            self._apps = {
                executable: _CachedApp(id_, name, first)
                for executable, id_, name, first in session.rows(_APPS)
            }
        return self._apps

    def resolve_apps(
        self,
        session: Session,
        seen: Iterable[tuple[AppRef, int]],
        *,
        rename: bool,
        first_seen: Mapping[str, int] | None = None,
    ) -> dict[str, int]:
        """Ids of the apps, adding the new ones; `seen` is (app, start_ms) in the order seen.

        With `rename`, an app's stored name becomes the last name seen (live tracking sees the
        newest names; an import brings older ones and so leaves names alone).
        """
        cache = self._app_cache(session)
        wanted: dict[str, tuple[str, int]] = {}
        for app, start_ms in seen:
            earlier = wanted.get(app.executable)
            wanted[app.executable] = (app.name, start_ms if earlier is None else min(earlier[1], start_ms))
        if first_seen:
            for executable, (name, start_ms) in wanted.items():
                wanted[executable] = (name, min(start_ms, first_seen.get(executable, start_ms)))
        missing = [executable for executable in wanted if executable not in cache]
        if missing:
            session.run(
                _INSERT_APP,
                [
                    {
                        "executable": executable,
                        "name": wanted[executable][0],
                        "first_seen_ms": wanted[executable][1],
                    }
                    for executable in missing
                ],
            )
            for chunk in chunks(missing):
                listed, params = placeholders(chunk)
                for executable, id_, name, first in session.rows(
                    f"{_APPS} WHERE executable IN {listed}", params
                ):
                    cache[executable] = _CachedApp(id_, name, first)
        for executable, (name, start_ms) in wanted.items():
            cached = cache[executable]
            changed = False
            if rename and name != cached.name:
                cached.name, changed = name, True
            if start_ms < cached.first_seen_ms:
                cached.first_seen_ms, changed = start_ms, True
            if changed:
                session.run(
                    _UPDATE_APP, {"id": cached.id, "name": cached.name, "first_seen_ms": cached.first_seen_ms}
                )
        return {executable: cache[executable].id for executable in wanted}

    def row(self, span: UsageSpan, uid: str, start_ms: int, end_ms: int) -> dict[str, Any]:
        """The row of a span (or of a piece of it), without its app_id."""
        if len(uid) > UID_LENGTH:
            raise ValueError(f"span uid {uid!r} is longer than {UID_LENGTH} characters")
        if not 0 <= end_ms - start_ms <= MAX_SPAN_MS:
            raise ValueError(
                f"span {uid!r} lasts {(end_ms - start_ms) / 3_600_000:.1f} h; 0 to 48 h is possible"
            )
        if abs(start_ms - day_start_ms(span.day)) >= DAY_REACH_MS:
            raise ValueError(
                f"span {uid!r} starts {(start_ms - day_start_ms(span.day)) / 86_400_000:+.1f} days from "
                f"its day {span.day}; a span belongs to the local day of its start, a day or so away"
            )
        return {
            "uid": uid_to_db(uid),
            "device_id": self._access.device_key,
            "person_id": self._access.person_key,
            "start_ms": start_ms,
            "end_ms": end_ms,
            "utc_offset_s": int(span.utc_offset.total_seconds()),
            "day": day_number(span.day),
            "title": span.title,
        }

    def upsert(self, spans: Iterable[UsageSpan]) -> None:
        batch = list(spans)
        if not batch:
            return
        with guarded(self._access.database, self._access.location, "save the usage"):
            try:
                self._upsert(batch)
            except DatabaseFailure as exc:
                if not exc.integrity:
                    raise
                # Another writer may have deleted an app whose id was cached: look them up again.
                self._upsert(batch)

    def _upsert(self, batch: list[UsageSpan]) -> None:
        rows = [self.row(span, span.uid, to_ms(span.start), to_ms(span.end)) for span in batch]
        with self.writing() as session:
            app_ids = self.resolve_apps(
                session,
                [(span.app, row["start_ms"]) for span, row in zip(batch, rows, strict=True)],
                rename=True,
            )
            for span, row in zip(batch, rows, strict=True):
                row["app_id"] = app_ids[span.app.executable]
            session.run(_UPSERT_SPAN, rows)

    def delete(self, uids: Iterable[str]) -> None:
        wanted = [uid_to_db(uid) for uid in uids]
        if not wanted:
            return
        with self._access.writing("delete usage") as session:
            for chunk in chunks(wanted):
                listed, params = placeholders(chunk)
                session.run(f"DELETE FROM usage_spans WHERE uid IN {listed}", params)

    def _query(self, where: str, params: dict[str, Any]) -> list[UsageSpan]:
        with self._access.reading("read the usage") as session:
            rows = session.rows(SPAN_QUERY.format(where=where), {"person": self._access.person_key, **params})
            return spans_of(rows)

    def between(self, start: datetime, end: datetime) -> list[UsageSpan]:
        # No span is longer than MAX_SPAN_MS: the lower bound keeps the scan on the start_ms key.
        start_ms, end_ms = to_ms(start), to_ms(end)
        return self._query(
            " AND usage_spans.start_ms < :end AND usage_spans.start_ms > :reach AND usage_spans.end_ms > :start",
            {"start": start_ms, "end": end_ms, "reach": start_ms - MAX_SPAN_MS},
        )

    def on(self, day: date) -> list[UsageSpan]:
        # The spans of a day start near it (DAY_REACH_MS): the scan stays on the start_ms key.
        midnight_ms = day_start_ms(day)
        return self._query(
            " AND usage_spans.start_ms > :low AND usage_spans.start_ms < :high AND usage_spans.day = :day",
            {"low": midnight_ms - DAY_REACH_MS, "high": midnight_ms + DAY_REACH_MS, "day": day_number(day)},
        )

    def usage_by_day_app(self, first: date, last: date) -> list[DayAppUsage]:
        apps: dict[tuple[str, str], AppRef] = {}
        days: dict[int, date] = {}
        usage = []
        params = {"person": self._access.person_key, "first": day_number(first), "last": day_number(last)}
        with self._access.reading("read the usage") as session:
            for day, executable, name, total_ms in session.rows(_USAGE, params):
                app = apps.get((executable, name))
                if app is None:
                    app = apps[executable, name] = AppRef(executable, name)
                if day not in days:
                    days[day] = day_from_number(day)
                # int(): PostgreSQL sums BIGINTs as NUMERIC, which arrives as a Decimal.
                usage.append(DayAppUsage(days[day], app, int(total_ms or 0) / 1000))
        return usage

    def last_end(self) -> datetime | None:
        mine = {"device": self._access.device_key, "person": self._access.person_key}
        # The latest start is found on the start_ms key; the latest end is within MAX_SPAN_MS of it.
        with self._access.reading("read the usage") as session:
            start_ms = session.scalar(_LATEST_START, mine)
            if start_ms is None:
                return None
            end_ms, offset_s = next(
                iter(session.rows(_LATEST_END, {**mine, "since": start_ms - MAX_SPAN_MS}))
            )
        return from_ms(end_ms, offset_s)
