"""The recorder: spans and events pending between ticks, written to the database in batches (events
that matter at once), retried while it cannot be written, and kept meanwhile in the live journal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from wellbeing_app.core import passcode as passcodes
from wellbeing_app.core.clock import Clock
from wellbeing_app.core.engine import Engine, TickResult
from wellbeing_app.core.events import FileRefusedPayload, Payload, TrackingGapPayload, TrackingStoppedPayload
from wellbeing_app.core.model import Event, EventKind, Sample, UsageSpan
from wellbeing_app.storage import StorageError, Store
from wellbeing_app.storage.journal import Journal, JournalState

from .timekeeping import TrustedTime, boot_id

log = logging.getLogger(__name__)

#: Spans are committed to the database this often while tracking (events at once).
DB_FLUSH_SECONDS = 120.0
#: The live journal is rewritten this often while something changes.
JOURNAL_SECONDS = 2.0
#: Ticks come a few milliseconds early or late: a journal write this much early is still on time, so
#: that with one tick a second it is every other tick (a kill loses < 2 s), not now and then every third.
JOURNAL_EARLY_SECONDS = 0.25
#: After a failed write to the database (a full disk), the records are tried again this often.
STORAGE_RETRY_SECONDS = 10.0

#: Events written to the database at once rather than with the next batch.
URGENT = {
    EventKind.GRANT,
    EventKind.BREAK_SKIPPED,
    EventKind.BREAK_POSTPONED,
    EventKind.BREAK_STARTED,
    EventKind.BLOCK,
    EventKind.PASSCODE_FAILED,
    EventKind.PASSCODE_OK,
    EventKind.PASSCODE_LOCKED_OUT,
    EventKind.SETTING_CHANGED,
    EventKind.CLOCK_JUMP,
    EventKind.TRACKING_PAUSED,
    EventKind.FILE_REFUSED,
    EventKind.UNWATCHED,
}


class Recorder:
    """What is not yet in the database, and when it gets there. `tracking` says whether this
    process is the tracker: only the tracker writes the journal, and only while tracking does a
    database that cannot be written leave records pending instead of raising.

    `before_journal` runs before every journal write while tracking (the tamper watch's look for a
    deleted database). Not thread-safe: used on the loop's thread only."""

    def __init__(
        self,
        store: Store,
        journal: Journal,
        engine: Engine,
        clock: Clock,
        time: TrustedTime,
        notices: list[str],
        *,
        uid: Callable[[], str],
        before_journal: Callable[[], None],
    ) -> None:
        self._store = store
        self.journal = journal
        self._engine = engine
        self._clock = clock
        self._time = time
        self._notices = notices
        self._uid = uid
        self._before_journal = before_journal
        self.tracking = False
        self.boot_id: str | None = None  # of the boot this tracker runs in, for the journal
        self._pending_spans: dict[str, UsageSpan] = {}
        self._removed_spans: set[str] = set()
        self._pending_events: list[Event] = []
        self._last_db_flush = clock.elapsed()
        self._last_journal = -1e9
        self._storage_problem: str | None = None  # why the database cannot be written now
        self._journal_problem: str | None = None
        self._refusals_recorded = 0

    # --- taking in ------------------------------------------------------------------------------

    def record(self, payload: Payload) -> Event:
        return self.record_at(self._time.now(), payload)

    def record_at(self, at: datetime, payload: Payload) -> Event:
        event = Event(self._uid(), at, self._time.day_of(at), payload)
        self._pending_events.append(event)
        return event

    def act(self, event: Event) -> Event:
        """An action's event (a grant, a skipped break): written at once."""
        self._pending_events.append(event)
        self.flush_events()
        return event

    def take(self, result: TickResult) -> None:
        for span in result.changed:
            self._pending_spans[span.uid] = span
            self._removed_spans.discard(span.uid)
        for uid in result.removed:
            self._pending_spans.pop(uid, None)
            self._removed_spans.add(uid)
        self._pending_events.extend(result.events)

    def start(self) -> TickResult:
        """Begin a tracking run with a first tick on a blank sample: take in what a killed run left in the
        journal (its spans, the spans it took back, the trusted time of this boot) and record the gap
        it left. A gap is recorded whenever the database has no clean stop after the last start,
        whatever the journal says (it can be edited)."""
        now_wall = self._clock.wall()
        state = self.journal.read()
        this_boot = boot_id()
        same_boot = False
        if state is not None:
            self._take_in(state)
            same_boot = state.boot_id is not None and state.boot_id == this_boot
            if same_boot and state.elapsed is not None and state.wall is not None:
                # The clock may have been moved while the app was not running: trust elapsed time.
                self._engine.timebase.resume_from(state.elapsed, state.wall)
        last_seen = self._unclean_stop_since(state)
        if last_seen is not None:
            if state is None or state.boot_id is None:
                same_boot = False
            seconds = max(0, round((now_wall - last_seen).total_seconds()))
            self.record_at(last_seen, TrackingGapPayload(last_seen, seconds, same_boot))
        try:
            self.journal.claim()
        except OSError as error:
            log.error("cannot open the live journal %s: %s", self.journal.path, error)
        self._record_refusals()
        self.tracking = True
        self.boot_id = this_boot
        first = Sample(
            self._clock.elapsed(), self._clock.wall(), None, idle_seconds=None, awake=self._clock.awake()
        )
        result = self._engine.tick(first)
        self.take(result)
        return result

    def _take_in(self, state: JournalState) -> None:
        """The spans a killed (or unwritable) run left in the journal, and those it took back."""
        try:
            if state.spans:
                self._store.upsert_spans(state.spans)
            if state.removed:
                self._store.delete_spans(state.removed)
            if state.events:  # those the last run could not write (a clean stop on a full disk)
                self._store.add_events(state.events)
        except StorageError as error:
            # Track anyway; they stay in the journal until they can be written.
            self._storage_failed(error)
            self._pending_spans.update({s.uid: s for s in state.spans})
            self._removed_spans.update(state.removed)
            self._pending_events.extend(state.events)

    def _unclean_stop_since(self, state: JournalState | None) -> datetime | None:
        """When the last run was last seen, if it did not stop cleanly; None after a clean stop.

        Clean means a stop recorded in the database after the last start. The journal's own word
        counts only where the database has no start at all (a first run, or an older version)."""
        try:
            started = self._store.latest_event(EventKind.TRACKING_STARTED)
            stopped = self._store.latest_event(EventKind.TRACKING_STOPPED)
            last_span = self._store.last_span_end()
        except StorageError:
            started = stopped = last_span = None
        journal_wall = state.wall if state is not None else None
        if started is None:
            return journal_wall if state is not None and not state.clean else None
        if stopped is not None and stopped.at >= started.at:
            if state is None or state.clean or journal_wall is None or journal_wall <= stopped.at:
                return None
            return journal_wall  # a later run that wrote the journal but not the database
        seen = [t for t in (started.at, last_span, journal_wall) if t is not None]
        return max(seen)

    def _record_refusals(self) -> None:
        """Record each journal found in the way and moved aside (at start, or replaced while running)."""
        for refused in self.journal.refused[self._refusals_recorded :]:
            moved = str(refused.moved_to) if refused.moved_to else ""
            log.warning("the live journal %s was moved aside: %s", self.journal.path, refused.why)
            self.record(FileRefusedPayload("journal", refused.why, moved))
        if len(self.journal.refused) > self._refusals_recorded:
            self._refusals_recorded = len(self.journal.refused)
            if self.tracking:
                self.flush_events()

    def pending_spans_on(self, day: date) -> list[UsageSpan]:
        return [s for s in self._pending_spans.values() if s.day == day]

    def pending_attempts(self) -> list[passcodes.Attempt]:
        """Passcode attempts not yet written (the database cannot be written now)."""
        return [
            passcodes.Attempt(event.at, event.kind is EventKind.PASSCODE_OK)
            for event in self._pending_events
            if event.kind in (EventKind.PASSCODE_OK, EventKind.PASSCODE_FAILED)
        ]

    def forget_all(self) -> None:
        """Everything pending is dropped (all records are being deleted)."""
        self._pending_spans.clear()
        self._removed_spans.clear()
        self._pending_events.clear()

    # --- writing out ----------------------------------------------------------------------------

    def after_tick(self, result: TickResult, elapsed: float) -> None:
        """Write what a tick made as it is due: urgent events now, spans in batches, the journal often."""
        if result.events and any(e.kind in URGENT for e in result.events):
            self.flush_events()
        if elapsed - self._last_db_flush >= DB_FLUSH_SECONDS:
            self.flush()
        elif elapsed - self._last_journal >= JOURNAL_SECONDS - JOURNAL_EARLY_SECONDS:
            self.write_journal()

    def flush(self) -> bool:
        """Commit pending spans and events to the database (and trim the journal). False when the
        database cannot be written: everything stays pending, and is tried again later."""
        try:
            if self._removed_spans:
                self._store.delete_spans(list(self._removed_spans))
            if self._pending_spans:
                self._store.upsert_spans(list(self._pending_spans.values()))
            self._write_events()
        except StorageError as error:
            # Keep enforcing from memory; the journal still holds the spans.
            self._storage_failed(error)
            self._last_db_flush = self._clock.elapsed() - DB_FLUSH_SECONDS + STORAGE_RETRY_SECONDS
            return False
        if self._storage_problem is not None:
            log.warning("the records can be written again; everything kept in memory is written")
            self._storage_problem = None
        self._removed_spans.clear()
        open_uids = {s.uid for s in self._engine.accountant.pending()}
        self._pending_spans = {uid: s for uid, s in self._pending_spans.items() if uid in open_uids}
        self._last_db_flush = self._clock.elapsed()
        if self.tracking:
            self.write_journal(force=True)
        return True

    def flush_events(self) -> None:
        """Write the pending events now. While tracking, a database that cannot be written does
        not stop the loop: they stay pending for the next flush (passcode attempts among them
        still count towards the lockout)."""
        try:
            self._write_events()
        except StorageError as error:
            if not self.tracking:
                raise
            self._storage_failed(error)

    def _write_events(self) -> None:
        if self._pending_events:
            self._store.add_events(self._pending_events)
            self._pending_events.clear()

    def _storage_failed(self, error: StorageError) -> None:
        """Say once per problem that the records cannot be written (not at every retry)."""
        problem = str(error)
        if problem != self._storage_problem:
            self._storage_problem = problem
            log.error("cannot write the records: %s", problem)
            self._notices.append(
                f"{problem}. Wellbeing goes on counting and enforcing the limits, and writes what it "
                "keeps in memory once the database can be written again."
            )

    def write_journal(self, *, force: bool = False, clean: bool = False) -> None:
        self._last_journal = self._clock.elapsed()
        if self.tracking:
            self._before_journal()
        view = self._engine.breaks.view()
        state = JournalState(
            spans=list(self._pending_spans.values()),
            elapsed=self._clock.elapsed(),
            wall=self._time.now(),
            boot_id=self.boot_id,
            clean=clean,
            removed=sorted(self._removed_spans),
            events=list(self._pending_events),
            engine={
                "phase": view.phase.value,
                "session_seconds": round(view.session_seconds, 1),
                "next_break_in_seconds": view.next_break_in_seconds,
            },
        )
        try:
            self.journal.write(state)
        except OSError as error:
            if str(error) != self._journal_problem:  # once, not every two seconds
                log.error("cannot write the live journal %s: %s", self.journal.path, error)
            self._journal_problem = str(error)
        self._record_refusals()

    def stop(self, *, how: str) -> None:
        """A clean stop: everything written, the journal marked clean. What could not be written
        stays in the journal for the next start (and readers) to take in."""
        self._engine.accountant.close()
        self.record(TrackingStoppedPayload(how))
        if self.flush():
            self._pending_spans.clear()
        self.write_journal(clean=True)
        self.tracking = False
