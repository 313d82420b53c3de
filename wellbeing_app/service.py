"""The application layer shared by the command line and the tray: it owns the engine, reads and
writes storage, takes samples from the tracker and answers "what now?". No Qt; driven by
whoever owns the loop, on that loop's thread."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from wellbeing_app.core import passcode as passcodes
from wellbeing_app.core.clock import Clock
from wellbeing_app.core.days import day_of
from wellbeing_app.core.engine import Engine, TickResult
from wellbeing_app.core.errors import CoreError, PasscodeError, SettingError
from wellbeing_app.core.model import UNKNOWN_APP, AppRef, Decision, Event, EventKind, Sample, UsageSpan
from wellbeing_app.core.policy import Grant
from wellbeing_app.core.settings import Settings
from wellbeing_app.core.text import N_, Text
from wellbeing_app.paths import APP_NAME, DATA_DIR_ENV, log_dir, resolve_data_dir
from wellbeing_app.storage import DayAppUsage, ImportResult, StorageError, Store, open_store
from wellbeing_app.storage.journal import Journal, JournalState
from wellbeing_app.storage.opening import DATABASE_FILE
from wellbeing_app.tracker.clock import SystemClock

log = logging.getLogger(__name__)

__all__ = ["APP_NAME", "DATA_DIR_ENV", "Service", "ServiceError", "Status", "log_dir", "resolve_data_dir"]

#: Spans are committed to the database this often while tracking (events at once).
DB_FLUSH_SECONDS = 120.0
#: The live journal is rewritten this often while something changes.
JOURNAL_SECONDS = 2.0
#: Ticks come a few milliseconds early or late: a journal write this much early is still on time, so
#: that with one tick a second it is every other tick (a kill loses < 2 s), not now and then every third.
JOURNAL_EARLY_SECONDS = 0.25
#: The running app looks for settings changed by another process (the command line) this often.
SETTINGS_POLL_SECONDS = 5.0
#: Marks the data dir as set up (first-run wizard done, or settings made on the command line).
CONFIGURED_KEY = "configured"
#: Held (flock) by the one tracking process of a data dir; the kernel drops it however that process ends.
TRACKER_LOCK_FILE = "tracker.lock"
#: After a failed write to the database (a full disk), the records are tried again this often.
STORAGE_RETRY_SECONDS = 10.0
#: Wrong passcodes are remembered this long for the lockout. Long enough that at the longest
#: lockout (a day) the count never falls back under the five free tries.
PASSCODE_MEMORY = timedelta(days=30)
#: The settings and passcode as this app last wrote or saw them: an edit of the database made
#: behind its back (sqlite3 on the file) is recorded at the next start.
SETTINGS_SEEN_KEY = "settings_seen"

#: Events written to the database at once rather than with the next batch.
_URGENT = {
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
}


class ServiceError(CoreError):
    """An action the person asked for cannot be done; the message says why and what to do.
    Its `text` renders in the language in use."""


def boot_id() -> str | None:
    """An id of this boot of the machine (Linux), to tell a restart of the app from a reboot."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        try:
            import psutil

            return f"boot-{round(psutil.boot_time())}"
        except Exception:  # psutil cannot tell on this platform
            return None


def new_uid() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Status:
    """Today at a glance, as `status` and the tray show it."""

    day: date
    used_seconds: float
    cap_minutes: int | None  # the cap for today with grants included, None when off
    decision: Decision
    next_break_in_seconds: float | None
    tracking: bool  # whether a tracker (the tray app or `track`) is running now
    by_app: list[tuple[AppRef, float]] = field(default_factory=list)

    @property
    def used_minutes(self) -> float:
        return self.used_seconds / 60

    @property
    def remaining_minutes(self) -> float | None:
        if self.cap_minutes is None:
            return None
        return max(0.0, self.cap_minutes - self.used_seconds / 60)


class Service:
    """One data dir's settings, records and engine.

    Threading contract: not thread-safe; every method runs on the thread that owns the loop
    (the Qt main thread, or the `track` command's loop).
    """

    def __init__(
        self,
        store: Store,
        data_dir: Path,
        *,
        clock: Clock | None = None,
        notice: str | None = None,
        uid: Callable[[], str] = new_uid,
    ) -> None:
        self.store = store
        self.data_dir = data_dir
        self.clock: Clock = clock or SystemClock()
        self.notices: list[str] = [notice] if notice else []
        self._uid = uid
        self.settings = self._load_settings()
        self.engine = Engine(self.settings, new_uid=uid, zone=self.clock.zone())
        self.journal = Journal(data_dir)
        self.tracking = False
        self._pending_spans: dict[str, UsageSpan] = {}
        self._removed_spans: set[str] = set()
        self._pending_events: list[Event] = []
        self._last_db_flush = self.clock.elapsed()
        self._last_journal = -1e9
        self._last_settings_poll = self.clock.elapsed()
        self._settings_stamp = self.store.get_meta("settings_stamp")
        self._tracker_lock: int | None = None
        self._scratch: Path | None = None  # a temporary copy of the database in use, removed at close
        self._storage_problem: str | None = None  # why the database cannot be written now
        self._journal_problem: str | None = None
        self._resume_trusted_time()
        self._notice_outside_changes()
        self._seeded_at = -1e9
        self._seed(self._now())

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        clock: Clock | None = None,
        url: str | None = None,
        thorough: bool = True,
        fallback: bool = True,
    ) -> Service:
        """Open the data dir; a damaged database is set aside and reported in `notices`.
        `thorough=False` skips the integrity check that reads the whole file (quick commands).

        When the data dir cannot be written (read-only, or no space to open the database) and
        `fallback` is set, the service runs on a temporary copy of the database, so that the
        settings, the passcode and today's usage still hold and the limits are still enforced;
        `notices` says so and that nothing is kept. Commands that change something pass
        `fallback=False` and get the error instead: a change made to a copy would be lost."""
        try:
            result = open_store(data_dir, url=url, check_integrity=thorough)
        except StorageError as error:
            if url is not None:
                raise ServiceError(str(error)) from error
            try:
                if thorough:
                    raise
                # The quick open does not look for damage: the full check sets a damaged file aside.
                result = open_store(data_dir, check_integrity=True)
            except StorageError as again:
                if not fallback:
                    raise ServiceError(str(again)) from again
                return cls._open_copy(data_dir, clock, again)
        return cls(result.store, data_dir, clock=clock, notice=result.notice)

    @classmethod
    def _open_copy(cls, data_dir: Path, clock: Clock | None, error: StorageError) -> Service:
        try:
            scratch = Path(tempfile.mkdtemp(prefix="wellbeing-copy-"))
        except OSError:
            raise ServiceError(str(error)) from error
        source = data_dir / DATABASE_FILE
        copied = "a temporary copy of its records"
        try:
            # Nothing writes a folder that cannot be written: copying the file and its WAL is consistent.
            for suffix in ("", "-wal"):
                if Path(f"{source}{suffix}").exists():
                    shutil.copyfile(f"{source}{suffix}", scratch / f"{DATABASE_FILE}{suffix}")
        except OSError as copy_error:
            log.error("cannot copy %s: %s", source, copy_error)
            copied = "an empty temporary database with the default settings (its records cannot be read)"
        try:
            result = open_store(scratch)
        except StorageError:
            shutil.rmtree(scratch, ignore_errors=True)
            raise ServiceError(str(error)) from error
        notice = (
            f"{error}. Until then Wellbeing runs on {copied} in {scratch}: the limits are still "
            "enforced, but nothing that happens now is kept after Wellbeing stops."
        )
        log.error("%s", notice)
        service = cls(result.store, data_dir, clock=clock, notice=result.notice)
        service.notices.insert(0, notice)
        service._scratch = scratch
        return service

    def close(self) -> None:
        if self.tracking:
            self.stop_tracking()
        self.journal.close()
        self._release_tracker_lock()
        self.store.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    # --- settings -----------------------------------------------------------------------------

    def _load_settings(self) -> Settings:
        def report(error: SettingError) -> None:
            message = f"a stored setting was not valid and its default is used: {error}"
            log.warning(message)
            self.notices.append(message)

        return Settings.from_json(self.store.load_settings(), on_error=report)

    @property
    def configured(self) -> bool:
        return self.store.get_meta(CONFIGURED_KEY) == "1"

    def mark_configured(self) -> None:
        self.store.set_meta(CONFIGURED_KEY, "1")

    def change_settings(self, changes: Mapping[str, Any], *, passcode: str | None = None) -> Settings:
        """Check and store changed settings (typed values). Guarded ones need the passcode when
        one is set. Nothing changes if anything is refused."""
        for key in changes:
            Settings.spec(key)
        new = self.settings.replace(**changes)  # raises SettingError, nothing changed
        if any(Settings.spec(k).guarded for k in changes) and self.passcode_is_set():
            self.verify_passcode(passcode, purpose=N_("change settings"))
        old_json, new_json = self.settings.to_json(), new.to_json()
        changed = {k: new_json[k] for k in changes if old_json[k] != new_json[k]}
        if changed:
            self.store.save_settings(changed)
            stamp = new_uid()
            self.store.set_meta("settings_stamp", stamp)
            self._settings_stamp = stamp
            for key, value in changed.items():
                self._record(EventKind.SETTING_CHANGED, {"key": key, "old": old_json[key], "new": value})
            self._flush_events()
            self._remember_settings()
        self.mark_configured()
        self._apply(new)
        return new

    def set_setting_text(self, key: str, text: str, *, passcode: str | None = None) -> Settings:
        return self.change_settings({key: Settings.parse_text(key, text)}, passcode=passcode)

    def _apply(self, settings: Settings) -> None:
        self.settings = settings
        self.engine.apply_settings(settings)

    def _poll_settings(self) -> None:
        stamp = self.store.get_meta("settings_stamp")
        if stamp != self._settings_stamp:
            self._settings_stamp = stamp
            self._apply(self._load_settings())
            self._seed(self._now(), keep_live=True)

    # --- passcode -----------------------------------------------------------------------------

    def passcode_is_set(self) -> bool:
        return self.store.load_passcode() is not None

    def lockout_until(self) -> datetime | None:
        now = self._now()
        attempts = self.store.passcode_attempts(now - PASSCODE_MEMORY)
        # Attempts not yet written (the database cannot be written now) count too.
        attempts += [
            passcodes.Attempt(event.at, event.kind is EventKind.PASSCODE_OK)
            for event in self._pending_events
            if event.kind in (EventKind.PASSCODE_OK, EventKind.PASSCODE_FAILED)
        ]
        until = passcodes.lockout_until(attempts)
        return until if until is not None and until > now else None

    def verify_passcode(self, passcode: str | None, *, purpose: str) -> None:
        """Raise PasscodeError unless the passcode is right (or none is set). Every attempt is
        recorded; after five wrong tries entry is locked for a minute, doubling after that.
        `purpose` is English marked with N_ ("grant more time"): it is stored with the attempt and
        translated where it is shown."""
        stored = self.store.load_passcode()
        if stored is None:
            return
        locked = self.lockout_until()
        if locked is not None:
            raise PasscodeError(
                Text(
                    N_("too many wrong passcodes: try again after {time}"),
                    {"time": f"{locked.astimezone(self.clock.zone()):%H:%M:%S}"},
                )
            )
        if passcode is None or not passcode.strip():
            raise PasscodeError(Text(N_("the passcode is needed to {purpose}"), {"purpose": Text(purpose)}))
        if passcodes.matches(passcode, stored):
            self._record(EventKind.PASSCODE_OK, {"purpose": purpose})
            self._flush_events()
            return
        self._record(EventKind.PASSCODE_FAILED, {"purpose": purpose})
        self._flush_events()
        locked = self.lockout_until()
        if locked is not None:
            self._record(EventKind.PASSCODE_LOCKED_OUT, {"until": locked.isoformat()})
            self._flush_events()
            raise PasscodeError(
                Text(
                    N_("wrong passcode; entry is locked until {time}"),
                    {"time": f"{locked.astimezone(self.clock.zone()):%H:%M:%S}"},
                )
            )
        raise PasscodeError(Text(N_("wrong passcode")))

    def set_passcode(self, new: str, *, current: str | None = None) -> None:
        if self.passcode_is_set():
            self.verify_passcode(current, purpose=N_("change the passcode"))
        hashed = passcodes.hash_passcode(new, secrets.token_bytes(16))
        self.store.save_passcode(hashed)
        self._record(EventKind.PASSCODE_CHANGED, {"set": True})
        self._flush_events()
        self._remember_settings()
        self.mark_configured()

    def clear_passcode(self, *, current: str | None) -> None:
        if not self.passcode_is_set():
            raise ServiceError(Text(N_("no passcode is set")))
        self.verify_passcode(current, purpose=N_("remove the passcode"))
        self.store.save_passcode(None)
        self._record(EventKind.PASSCODE_CHANGED, {"set": False})
        self._flush_events()
        self._remember_settings()

    def _settings_as_stored(self) -> dict[str, Any]:
        stored = self.store.load_passcode()
        return {
            "settings": self.store.load_settings(),
            # a fingerprint of the hash, not the hash: enough to see that it changed
            "passcode": None
            if stored is None
            else hashlib.sha256(stored.salt + stored.digest).hexdigest()[:16],
        }

    def _remember_settings(self) -> None:
        try:
            self.store.set_meta(SETTINGS_SEEN_KEY, json.dumps(self._settings_as_stored(), sort_keys=True))
        except StorageError as error:
            log.warning("cannot remember the settings as written: %s", error)

    def _notice_outside_changes(self) -> None:
        """Record settings and a passcode changed in the database behind the app's back (since it
        last wrote or saw them) as SETTING_CHANGED / PASSCODE_CHANGED events marked "outside".

        This shows a parent a plain edit of the file; someone who also edits what is remembered here
        is not seen (the app keeps no secret its own user could not read)."""
        try:
            now = self._settings_as_stored()
            seen_text = self.store.get_meta(SETTINGS_SEEN_KEY)
        except StorageError:
            return
        if seen_text is None:
            self._remember_settings()  # the first start that keeps this
            return
        try:
            seen = json.loads(seen_text)
            seen_settings, seen_passcode = dict(seen["settings"]), seen["passcode"]
        except (ValueError, KeyError, TypeError):
            seen_settings, seen_passcode = {}, "unreadable"
        if seen_settings == now["settings"] and seen_passcode == now["passcode"]:
            return
        defaults = Settings().to_json()
        for key in sorted(set(seen_settings) | set(now["settings"])):
            old, new = seen_settings.get(key, defaults.get(key)), now["settings"].get(key, defaults.get(key))
            if old != new:
                self._record(EventKind.SETTING_CHANGED, {"key": key, "old": old, "new": new, "outside": True})
        if seen_passcode != now["passcode"]:
            self._record(EventKind.PASSCODE_CHANGED, {"set": now["passcode"] is not None, "outside": True})
        message = (
            "the settings or the passcode were changed outside Wellbeing (in its database); this is recorded"
        )
        log.warning("%s", message)
        self.notices.append(message)
        try:
            self._flush_events()
        except StorageError as error:
            log.warning("cannot record the change: %s", error)
        self._remember_settings()

    def _guard(self, passcode: str | None, purpose: str) -> None:
        if self.passcode_is_set():
            self.verify_passcode(passcode, purpose=purpose)

    # --- today ----------------------------------------------------------------------------------

    def _resume_trusted_time(self) -> None:
        """Take the time as this boot's tracker last trusted it (the journal), so that after the
        clock was moved a reader such as `status` sees the tracker's day, not a fresh one."""
        state = self.journal.read()
        if state is None or state.elapsed is None or state.wall is None:
            return
        if state.boot_id is None or state.boot_id != boot_id():
            return
        self.engine.timebase.resume_from(state.elapsed, state.wall)
        self.engine.look(self.clock.elapsed(), self.clock.wall())

    def now(self) -> datetime:
        """The trusted time now (the wall clock until the engine has ticked)."""
        return self._now()

    def _now(self) -> datetime:
        if self.engine.now is not None:
            return self.engine.timebase.trusted_at(self.clock.elapsed())
        return self.clock.wall()

    def today(self) -> date:
        return day_of(self._now(), self.engine.zone, self.settings.day_starts_at)

    def _seed(self, now: datetime, *, keep_live: bool = False) -> None:
        """Load today's usage and grants from the database (plus the live journal of a tracker
        running in another process)."""
        day = day_of(now, self.engine.zone, self.settings.day_starts_at)
        self._seeded_at = self.clock.elapsed()
        usage = self._usage_on(day)
        grants = self._grants(day, now)
        live_day = self.engine.day
        if keep_live and live_day == day:
            usage = self._merge_pending(usage, day)
        self.engine.seed_day(day, usage, grants)

    def _usage_on(self, day: date) -> dict[AppRef, float]:
        spans = {s.uid: s for s in self.store.spans_on(day)}
        if not self.tracking:
            state = self.journal.read()
            if state is not None:  # a clean journal keeps spans only that could not be written
                spans.update({s.uid: s for s in state.spans if s.day == day})
        totals: dict[AppRef, float] = {}
        for span in spans.values():
            totals[span.app] = totals.get(span.app, 0.0) + span.seconds
        return totals

    def _merge_pending(self, usage: dict[AppRef, float], day: date) -> dict[AppRef, float]:
        spans = {s.uid: s for s in self.store.spans_on(day)}
        spans.update({s.uid: s for s in self._pending_spans.values() if s.day == day})
        spans.update({s.uid: s for s in self.engine.accountant.pending() if s.day == day})
        totals: dict[AppRef, float] = {}
        for span in spans.values():
            totals[span.app] = totals.get(span.app, 0.0) + span.seconds
        return totals

    def _grants(self, day: date, now: datetime) -> list[Grant]:
        grants = []
        for event in self.store.events_between(day - timedelta(days=1), day, kinds=[EventKind.GRANT]):
            data = event.data
            until = datetime.fromisoformat(data["until"]) if data.get("until") else None
            granted_day = date.fromisoformat(data["day"]) if data.get("day") else event.day
            if granted_day == day or (until is not None and until > now):
                grants.append(
                    Grant(str(data.get("uid", event.uid)), event.at, granted_day, data.get("minutes"), until)
                )
        return grants

    def status(self) -> Status:
        """Today's figures; the decision is the one for counted apps."""
        now = self._now()
        if not self.tracking:
            self.engine.look(self.clock.elapsed(), self.clock.wall())
            if self.clock.elapsed() - self._seeded_at > 1.0 or self.engine.day != self.today():
                self._seed(now)
        decision = self.engine.decision_for(UNKNOWN_APP)
        state = None if self.tracking else self.journal.read()
        next_break = decision.next_break_in_seconds
        if state is not None and not state.clean and state.engine:
            next_break = state.engine.get("next_break_in_seconds", next_break)
        cap = self.engine.cap_seconds_today()
        by_app = sorted(self.engine.usage.items(), key=lambda item: -item[1])
        return Status(
            day=self.engine.day or self.today(),
            used_seconds=decision.used_seconds,
            cap_minutes=None if cap is None else round(cap / 60),
            decision=decision,
            next_break_in_seconds=next_break,
            tracking=self.tracking or self.tracker_running(),
            by_app=by_app,
        )

    def tracker_running(self) -> bool:
        """Whether a tracker (this process or another) runs on this data dir now."""
        held = self._tracker_lock_held()
        if held is not None:
            return held
        # No lock to ask (Windows, or a data dir where it could not be made): a fresh journal tells.
        state = self.journal.read()
        if state is None or state.clean or state.wall is None:
            return False
        return abs((self.clock.wall() - state.wall).total_seconds()) < 3 * JOURNAL_SECONDS + 5

    def report(self, days: int) -> list[DayAppUsage]:
        if days < 1:
            raise ServiceError(Text(N_("--days {days} is not allowed; give 1 or more days"), {"days": days}))
        last = self.today()
        self.flush()
        return self.store.usage_by_day_app(last - timedelta(days=days - 1), last)

    def events(self, days: int, kinds: Iterable[EventKind] | None = None) -> list[Event]:
        last = self.today()
        self.flush()  # like `report`: what happened a minute ago is part of the record the parent reads
        return self.store.events_between(
            last - timedelta(days=days - 1), last, list(kinds) if kinds else None
        )

    # --- tracking -------------------------------------------------------------------------------

    def _take_tracker_lock(self) -> None:
        """Claim the data dir for this tracker, or raise ServiceError if another one holds it.

        A lock and not the journal's age: a tracker killed a moment ago must not keep the next one
        out (the kernel releases a flock when its process dies).
        """
        if sys.platform == "win32" or self._tracker_lock is not None:
            return
        import fcntl

        path = self.data_dir / TRACKER_LOCK_FILE
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            log.warning("cannot make the tracker lock %s (%s); going on without it", path, error)
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ServiceError(f"another tracker is already running for {self.data_dir}") from None
        self._tracker_lock = fd

    def _release_tracker_lock(self) -> None:
        if self._tracker_lock is not None:
            os.close(self._tracker_lock)
            self._tracker_lock = None

    def _tracker_lock_held(self) -> bool | None:
        """True/False when the tracker lock answers; None when there is no lock to ask."""
        if self._tracker_lock is not None:
            return True
        if sys.platform == "win32":
            return None
        import fcntl

        try:
            fd = os.open(self.data_dir / TRACKER_LOCK_FILE, os.O_RDONLY)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            os.close(fd)  # also drops the shared lock just taken
        return False

    def start_tracking(self) -> None:
        """Begin a tracking run: take in what a killed run left in the journal, record a gap.

        Raises ServiceError when another tracker runs on this data dir."""
        self._take_tracker_lock()
        now_wall = self.clock.wall()
        state = self.journal.read()
        this_boot = boot_id()
        if state is not None:
            if state.spans:
                try:
                    self.store.upsert_spans(state.spans)
                except StorageError as error:
                    # Track anyway; they stay in the journal until they can be written.
                    self._storage_failed(error)
                    self._pending_spans.update({s.uid: s for s in state.spans})
            same_boot = state.boot_id is not None and state.boot_id == this_boot
            if same_boot and state.elapsed is not None and state.wall is not None:
                # The clock may have been moved while the app was not running: trust elapsed time.
                self.engine.timebase.resume_from(state.elapsed, state.wall)
            if not state.clean and state.wall is not None:
                self._record_at(
                    EventKind.TRACKING_GAP,
                    state.wall,
                    {
                        "since": state.wall.isoformat(),
                        "seconds": max(0, round((now_wall - state.wall).total_seconds())),
                        "same_boot": same_boot,
                    },
                )
        self.tracking = True
        self._boot_id = this_boot
        first = self.engine.tick(self._blank_sample())
        self._take(first)
        self._seed(first.now, keep_live=False)
        self._record(EventKind.TRACKING_STARTED, {})
        self._flush_events()
        self._write_journal(force=True)

    def _blank_sample(self) -> Sample:
        return Sample(self.clock.elapsed(), self.clock.wall(), None, idle_seconds=None)

    def tick(self, sample: Sample) -> TickResult:
        """One tick of the loop: account, decide, and write what needs writing."""
        elapsed = sample.elapsed
        if elapsed - self._last_settings_poll >= SETTINGS_POLL_SECONDS:
            self._last_settings_poll = elapsed
            self._poll_settings()
        day_before = self.engine.day
        result = self.engine.tick(sample, self.clock.zone())
        self._take(result)
        if day_before is not None and result.day != day_before:
            # A new day: what the database knows of it (other devices, imports) counts too.
            self._seed(result.now, keep_live=True)
        if result.events and any(e.kind in _URGENT for e in result.events):
            self._flush_events()
        if elapsed - self._last_db_flush >= DB_FLUSH_SECONDS:
            self.flush()
        elif elapsed - self._last_journal >= JOURNAL_SECONDS - JOURNAL_EARLY_SECONDS:
            self._write_journal()
        return result

    def _take(self, result: TickResult) -> None:
        for span in result.changed:
            self._pending_spans[span.uid] = span
            self._removed_spans.discard(span.uid)
        for uid in result.removed:
            self._pending_spans.pop(uid, None)
            self._removed_spans.add(uid)
        self._pending_events.extend(result.events)

    def flush(self) -> bool:
        """Commit pending spans and events to the database (and trim the journal). False when the
        database cannot be written: everything stays pending, and is tried again later."""
        try:
            if self._removed_spans:
                self.store.delete_spans(list(self._removed_spans))
            if self._pending_spans:
                self.store.upsert_spans(list(self._pending_spans.values()))
            self._write_events()
        except StorageError as error:
            # Keep enforcing from memory; the journal still holds the spans.
            self._storage_failed(error)
            self._last_db_flush = self.clock.elapsed() - DB_FLUSH_SECONDS + STORAGE_RETRY_SECONDS
            return False
        if self._storage_problem is not None:
            log.warning("the records can be written again; everything kept in memory is written")
            self._storage_problem = None
        self._removed_spans.clear()
        open_uids = {s.uid for s in self.engine.accountant.pending()}
        self._pending_spans = {uid: s for uid, s in self._pending_spans.items() if uid in open_uids}
        self._last_db_flush = self.clock.elapsed()
        if self.tracking:
            self._write_journal(force=True)
        return True

    def _storage_failed(self, error: StorageError) -> None:
        """Say once per problem that the records cannot be written (not at every retry)."""
        problem = str(error)
        if problem != self._storage_problem:
            self._storage_problem = problem
            log.error("cannot write the records: %s", problem)
            self.notices.append(
                f"{problem}. Wellbeing goes on counting and enforcing the limits, and writes what it "
                "keeps in memory once the database can be written again."
            )

    def _write_events(self) -> None:
        if self._pending_events:
            self.store.add_events(self._pending_events)
            self._pending_events.clear()

    def _flush_events(self) -> None:
        """Write the pending events now. While tracking, a database that cannot be written does
        not stop the loop: they stay pending for the next flush (passcode attempts among them
        still count towards the lockout)."""
        try:
            self._write_events()
        except StorageError as error:
            if not self.tracking:
                raise
            self._storage_failed(error)

    def _write_journal(self, *, force: bool = False, clean: bool = False) -> None:
        self._last_journal = self.clock.elapsed()
        if self.tracking:
            self._restore_deleted_database()
        view = self.engine.breaks.view()
        state = JournalState(
            spans=list(self._pending_spans.values()),
            elapsed=self.clock.elapsed(),
            wall=self._now(),
            boot_id=getattr(self, "_boot_id", None),
            clean=clean,
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

    def _restore_deleted_database(self) -> None:
        """Deleting the database while the app runs does not reset anything: the records, the
        settings and the passcode the app holds are written back within seconds, and recorded."""
        try:
            restored = self.store.restore_file_if_removed()
        except (StorageError, OSError) as error:
            log.error("the database file was deleted and cannot be written back: %s", error)
            return
        if restored is not None:
            message = f"the database {restored} was deleted while Wellbeing was running; it was written back"
            log.warning(message)
            self.notices.append(message)
            self._record(EventKind.RECORDS_RESTORED, {"path": str(restored)})
            self._flush_events()

    def stop_tracking(self, *, how: str = "quit") -> None:
        """A clean stop: everything written, the journal marked clean. `how` says what stopped
        it for the record: "quit" (from the app), "signal" (SIGTERM/SIGINT: a log-out, or `kill`)."""
        self.engine.accountant.close()
        self._record(EventKind.TRACKING_STOPPED, {"how": how})
        if self.flush():
            self._pending_spans.clear()
        # What could not be written stays in the journal for the next start (and readers) to take in.
        self._write_journal(clean=True)
        self.tracking = False
        self._release_tracker_lock()

    # --- actions ----------------------------------------------------------------------------------

    def postpone_break(self) -> Event:
        return self._act(self.engine.postpone_break())

    def skip_break(self, passcode: str | None = None) -> Event:
        self._guard(passcode, N_("skip a break"))
        return self._act(self.engine.skip_break())

    def take_break_now(self) -> Event:
        return self._act(self.engine.take_break_now())

    def grant(
        self,
        *,
        minutes: int | None = None,
        until: datetime | None = None,
        passcode: str | None = None,
        by: str = "parent",
    ) -> Event:
        self._guard(passcode, N_("grant more time"))
        try:
            return self._act(self.engine.grant(minutes=minutes, until=until, by=by))
        except ValueError as error:
            raise ServiceError(str(error)) from error

    def pause(self, minutes: int, passcode: str | None = None) -> Event:
        if not 1 <= minutes <= 24 * 60:
            raise ServiceError(
                Text(
                    N_("a pause of {minutes} minutes is not allowed; pause 1 to 1440 minutes"),
                    {"minutes": minutes},
                )
            )
        self._guard(passcode, N_("pause tracking"))
        return self._act(self.engine.pause(minutes))

    def resume(self) -> None:
        self.engine.resume()

    def _act(self, event: Event) -> Event:
        self._pending_events.append(event)
        self._flush_events()
        return event

    # --- data -------------------------------------------------------------------------------------

    def export(self, fmt: str, fp: TextIO) -> None:
        self.flush()
        if fmt == "json":
            self.store.export_json(fp)
        elif fmt == "csv":
            self.store.export_csv(fp)
        else:
            raise ServiceError(
                Text(N_("export format {format} is not known; use csv or json"), {"format": repr(fmt)})
            )

    def import_file(self, path: Path, *, passcode: str | None = None) -> ImportResult:
        self._guard(passcode, N_("import records"))
        result = self.store.import_file(path, day_starts_at=self.settings.day_starts_at)
        self._record(EventKind.DATA_IMPORTED, {"spans": result.spans_added, "events": result.events_added})
        self._flush_events()
        self._seed(self._now(), keep_live=self.tracking)
        return result

    def delete_all(self, *, passcode: str | None = None) -> None:
        self._guard(passcode, N_("delete all records"))
        self._pending_spans.clear()
        self._removed_spans.clear()
        self._pending_events.clear()
        self.store.delete_all()
        self._record(EventKind.DATA_DELETED, {})
        self._flush_events()
        self._seed(self._now())

    # --- records ----------------------------------------------------------------------------------

    def record_sign(self, kind: EventKind, data: dict[str, Any]) -> Event:
        """Keep, at once, a record of a sign found around the app (a changed start, a display)."""
        event = self._record(kind, data)
        self._flush_events()
        return event

    def _record(self, kind: EventKind, data: dict[str, Any]) -> Event:
        return self._record_at(kind, self._now(), data)

    def _record_at(self, kind: EventKind, at: datetime, data: dict[str, Any]) -> Event:
        event = Event(self._uid(), kind, at, day_of(at, self.engine.zone, self.settings.day_starts_at), data)
        self._pending_events.append(event)
        return event
