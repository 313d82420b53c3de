"""Moving records in and out of a store: export (JSON, CSV), import, and deleting them all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from wellbeing_app.core.model import UsageSpan
from wellbeing_app.core.record import record

from .access import Access, guarded, now
from .convert import day_from_number, from_ms, to_ms, uid_from_db, uid_to_db
from .database import DatabaseFailure, Session, chunks, placeholders
from .errors import StorageError
from .events import EVENT_QUERY, INSERT_EVENT, EventRecords, events_of
from .intervals import CoveredTime
from .limits import MAX_SPAN_MS
from .spans import INSERT_SPAN, SPAN_QUERY, SpanRecords

# `transfer` (the CSV and JSON forms) is imported in the methods that use it: `status` and the
# tray app's start never do, and it costs them ~3 ms.
if TYPE_CHECKING:
    from .transfer import ImportBatch

_EXPORTED_APPS = (
    "SELECT executable, name, first_seen_ms FROM apps WHERE EXISTS ("
    "SELECT 1 FROM usage_totals WHERE usage_totals.app_id = apps.id AND usage_totals.person_id = :person"
    ") ORDER BY executable"
)
_RECORDED = (
    "SELECT start_ms, end_ms FROM usage_spans WHERE device_id = :device "
    "AND start_ms < :last AND start_ms > :reach AND end_ms > :first"
)
# The person's totals go first, in one statement: the triggers then have nothing left to update for
# each deleted span (a third less time for two years of spans). The totals have a row for every day
# and app still used: a smaller look than the spans for the apps no one uses any more.
_DELETE_ALL = (
    "DELETE FROM usage_totals WHERE person_id = :person",
    "DELETE FROM usage_spans WHERE person_id = :person",
    "DELETE FROM events WHERE person_id = :person",
    "DELETE FROM apps WHERE NOT EXISTS (SELECT 1 FROM usage_totals WHERE usage_totals.app_id = apps.id)",
)

_Piece = tuple[UsageSpan, str, int, int]


@record
class ImportResult:
    """What an import did, counted in records of the file.

    A span that was trimmed because part of its time was already recorded counts as added
    (its uncovered pieces were); a span whose time was all recorded, or whose uid was already
    there, counts as skipped. So `spans_added + spans_skipped` is the number of spans in the file.
    """

    spans_added: int
    spans_skipped: int
    events_added: int
    events_skipped: int


class Exchange:
    """Export, import and deletion, over the spans and events parts of one store."""

    def __init__(self, access: Access, spans: SpanRecords, events: EventRecords) -> None:
        self._access = access
        self._spans = spans
        self._events = events

    def _span_records(self, session: Session) -> Iterator[dict[str, Any]]:
        """This person's spans as export records, straight from the rows (a year is 100k of them).

        Spans of no length hold no time and are left out.
        """
        from . import transfer

        query = SPAN_QUERY.format(where=" AND usage_spans.end_ms > usage_spans.start_ms")
        for uid, executable, name, start_ms, end_ms, day, offset_s, title in session.rows(
            query, {"person": self._access.person_key}
        ):
            yield transfer.span_record(
                uid=uid_from_db(bytes(uid)),
                start=from_ms(start_ms, offset_s),
                end=from_ms(end_ms, offset_s),
                app=executable,
                name=name,
                day=day_from_number(day),
                title=title,
            )

    def _all_events(self, session: Session) -> list[Any]:
        return events_of(session.rows(EVENT_QUERY.format(where=""), {"person": self._access.person_key}))

    @contextmanager
    def _exporting(self) -> Iterator[Session]:
        with self._access.reading("export the records") as session:
            try:
                yield session
            except OSError as exc:
                raise StorageError(f"cannot write the export: {exc.strerror or exc}") from exc

    def export_json(self, fp: TextIO) -> None:
        from . import transfer

        with self._exporting() as session:
            apps = [
                transfer.AppRecord(executable, name, from_ms(first_ms, 0))
                for executable, name, first_ms in session.rows(
                    _EXPORTED_APPS, {"person": self._access.person_key}
                )
            ]
            transfer.write_json(
                fp,
                device_id=self._access.device_id,
                exported_at=now().replace(microsecond=0).astimezone(),
                apps=apps,
                spans=self._span_records(session),
                events=self._all_events(session),
            )

    def export_csv(self, fp: TextIO) -> None:
        from . import transfer

        with self._exporting() as session:
            transfer.write_csv(fp, spans=self._span_records(session), events=self._all_events(session))

    def import_file(self, path: Path, *, day_starts_at: Any) -> ImportResult:
        from . import transfer

        batch = transfer.read_import(path, day_starts_at=day_starts_at)
        with guarded(self._access.database, self._access.location, f"import {path}"):
            try:
                return self._import(batch)
            except DatabaseFailure as exc:
                if not exc.integrity:
                    raise
                # Another writer may have deleted an app whose id was cached: look them up again.
                return self._import(batch)

    def _import(self, batch: ImportBatch) -> ImportResult:
        with self._spans.writing() as session:
            pieces, spans_added = self._new_pieces(session, batch.spans)
            app_ids = self._spans.resolve_apps(
                session,
                [(span.app, start_ms) for span, _uid, start_ms, _end_ms in pieces],
                rename=False,
                first_seen={
                    app.executable: to_ms(app.first_seen)
                    for app in batch.apps.values()
                    if app.first_seen is not None
                },
            )
            span_rows = []
            for span, uid, start_ms, end_ms in pieces:
                row = self._spans.row(span, uid, start_ms, end_ms)
                row["app_id"] = app_ids[span.app.executable]
                span_rows.append(row)
            if span_rows:
                session.run(INSERT_SPAN, span_rows)
            known_events = self._known_uids(session, "events", [event.uid for event in batch.events])
            event_rows = []
            for event in batch.events:
                if event.uid not in known_events:
                    known_events.add(event.uid)
                    event_rows.append(self._events.row(event))
            if event_rows:
                session.run(INSERT_EVENT, event_rows)
        return ImportResult(
            spans_added=spans_added,
            spans_skipped=len(batch.spans) - spans_added,
            events_added=len(event_rows),
            events_skipped=len(batch.events) - len(event_rows),
        )

    @staticmethod
    def _known_uids(session: Session, table: str, uids: list[str]) -> set[str]:
        known: set[str] = set()
        for chunk in chunks([uid_to_db(uid) for uid in uids]):
            listed, params = placeholders(chunk)
            found = session.rows(f"SELECT uid FROM {table} WHERE uid IN {listed}", params)
            known.update(uid_from_db(bytes(uid)) for (uid,) in found)
        return known

    def _new_pieces(self, session: Session, spans: list[UsageSpan]) -> tuple[list[_Piece], int]:
        """The (span, uid, start_ms, end_ms) pieces of imported spans that add time not yet recorded.

        Also returns how many spans of the file contributed at least one piece.
        """
        from . import transfer

        if not spans:
            return [], 0
        known = self._known_uids(session, "usage_spans", [span.uid for span in spans])
        timed = [(span, to_ms(span.start), to_ms(span.end)) for span in spans]
        first_ms = min(start_ms for _span, start_ms, _end_ms in timed)
        last_ms = max(end_ms for _span, _start_ms, end_ms in timed)
        params = {
            "device": self._access.device_key,
            "last": last_ms,
            "reach": first_ms - MAX_SPAN_MS,
            "first": first_ms,
        }
        covered = CoveredTime((start_ms, end_ms) for start_ms, end_ms in session.rows(_RECORDED, params))
        pieces: list[_Piece] = []
        contributing = 0
        for span, start_ms, end_ms in timed:
            if span.uid in known:
                continue
            known.add(span.uid)
            uncovered = covered.uncovered(start_ms, end_ms)
            if not uncovered:
                continue
            covered.add(start_ms, end_ms)
            contributing += 1
            if uncovered == [(start_ms, end_ms)]:
                pieces.append((span, span.uid, start_ms, end_ms))
            else:
                pieces.extend((span, transfer.piece_uid(span.uid, a, b), a, b) for a, b in uncovered)
        return pieces, contributing

    def delete_all(self) -> None:
        access = self._access
        with (
            guarded(access.database, access.location, "delete the records"),
            self._spans.writing() as session,
        ):
            for statement in _DELETE_ALL:
                session.run(
                    statement, {"person": self._access.person_key} if ":person" in statement else None
                )
        self._spans.forget_apps()
        if self._access.database.dialect == "sqlite":
            with guarded(self._access.database, self._access.location, "delete the records"):
                self._access.database.vacuum()
