"""The service: the application layer the command line and the tray share. It answers "what now?",
takes the person's actions and keeps the records, through parts with one job each. No Qt; driven
by whoever owns the loop, on that loop's thread."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO

from wellbeing_app.core.clock import Clock
from wellbeing_app.core.engine import Engine, TickResult
from wellbeing_app.core.events import (
    OtherDisplayPayload,
    OverlayHiddenPayload,
    SessionEndedPayload,
    SessionLockedPayload,
    SettingChangedPayload,
    StartChangedPayload,
    TrackingStartedPayload,
)
from wellbeing_app.core.model import AppRef, Decision, Event, EventKind, Sample
from wellbeing_app.core.settings import Settings
from wellbeing_app.core.status import Status
from wellbeing_app.core.text import N_, Text
from wellbeing_app.storage import DayAppUsage, ImportResult, StorageError
from wellbeing_app.storage.journal import Journal
from wellbeing_app.tracker.clock import SystemClock, load_zone

from .configuration import Configuration
from .errors import ServiceError
from .opening import OpenedStore, open_data_dir
from .passcode_gate import PasscodeGate
from .recorder import Recorder
from .records import Records
from .tamper import TamperWatch
from .timekeeping import TrustedTime, new_uid
from .today import Today
from .tracker_lock import TrackerLock

#: The running app looks for settings changed by another process (the command line) this often.
SETTINGS_POLL_SECONDS = 5.0


#: The time zone the days followed when the tracker last ran (database meta).
ZONE_META_KEY = "days_zone"


def _zone_key(zone: tzinfo) -> str:
    key = getattr(zone, "key", None)
    return str(key) if key else str(zone)


def _starting_zone(remembered: str | None, current: tzinfo) -> tzinfo:
    """The zone the days start in: the one they followed when the tracker last ran, when it differs
    from the zone now (the first tick then records the change and, as while running, the new zone
    counts from the end of the current day: `TZ=Etc/GMT+12` at start opens no fresh day)."""
    if remembered is None or remembered == _zone_key(current):
        return current
    return load_zone(remembered) or current


class Service:
    """One data dir's settings, records and engine.

    Threading contract: not thread-safe; every method runs on the thread that owns the loop
    (the Qt main thread, or the `track` command's loop).
    """

    def __init__(
        self,
        opened: OpenedStore,
        data_dir: Path,
        *,
        clock: Clock | None = None,
        uid: Callable[[], str] = new_uid,
    ) -> None:
        store = opened.store
        self.data_dir = data_dir
        self.clock: Clock = clock or SystemClock()
        #: What the person must be told (a damaged file set aside, a full disk), oldest first.
        self.notices: list[str] = list(opened.notices)
        self._store = store
        self._scratch = opened.scratch
        self._configuration = Configuration(store, self.notices)
        self._saved_zone = store.get_meta(ZONE_META_KEY)
        self._kernel_recorded: str | None = None
        self._engine = Engine(
            self._configuration.current, new_uid=uid, zone=_starting_zone(self._saved_zone, self.clock.zone())
        )
        self._journal = journal = Journal(data_dir)
        self._time = TrustedTime(self._engine, self.clock, lambda: self._configuration.current)
        self._recorder = Recorder(
            store, journal, self._engine, self.clock, self._time, self.notices, uid=uid,
            before_journal=lambda: self._tamper.restore_deleted_database(),
        )  # fmt: skip
        self._tamper = TamperWatch(store, self._recorder, self.notices)
        self._gate = PasscodeGate(store, self._recorder, self._tamper, self._time, self.clock)
        self._lock = TrackerLock(data_dir, journal, self.clock)
        self._today = Today(store, self._engine, journal, self.clock, self._time, self._recorder)
        self._records = Records(
            store, self._recorder, self._gate, self._today, self._time, lambda: self._configuration.current
        )
        self._last_settings_poll = self.clock.elapsed()
        self._time.resume_from(journal.read())
        if opened.refused:
            for payload in opened.refused:
                self._recorder.record(payload)
            self._recorder.flush_events()
        self._tamper.notice_outside_changes()
        self._today.seed(self._time.now())

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
        """Open the data dir; what the person must know about it is in `notices`. See
        `open_data_dir` for `thorough` and `fallback`."""
        return cls(
            open_data_dir(data_dir, url=url, thorough=thorough, fallback=fallback), data_dir, clock=clock
        )

    def close(self) -> None:
        if self.tracking:
            self.stop_tracking()
        self._journal.close()
        self._lock.release()
        self._store.close()
        if self._scratch is not None:
            import shutil

            shutil.rmtree(self._scratch, ignore_errors=True)

    def abandon(self) -> None:
        """Stop as a killed process stops: nothing more is written, not even a clean stop, and the
        tracker lock goes as the kernel drops a dead process's lock. For tests of what a kill leaves."""
        self._recorder.tracking = False
        self._journal.close()
        self._lock.release()

    # --- settings -----------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._configuration.current

    @property
    def configured(self) -> bool:
        return self._configuration.configured

    def mark_configured(self) -> None:
        self._configuration.mark_configured()

    def change_settings(self, changes: Mapping[str, Any], *, passcode: str | None = None) -> Settings:
        """Check and store changed settings (typed values). Guarded ones need the passcode when
        one is set. Nothing changes if anything is refused."""
        for key in changes:
            Settings.spec(key)
        new = self.settings.replace(**changes)  # raises SettingError, nothing changed
        if any(Settings.spec(k).guarded for k in changes) and self._gate.is_set():
            self._gate.verify(passcode, purpose=N_("change settings"))
        old_json, new_json = self.settings.to_json(), new.to_json()
        changed = {k: new_json[k] for k in changes if old_json[k] != new_json[k]}
        if changed:
            self._configuration.save(changed)
            for key, value in changed.items():
                self._recorder.record(SettingChangedPayload(key, old_json[key], value))
            self._recorder.flush_events()
            self._tamper.remember()
        self.mark_configured()
        self._apply(new)
        return new

    def set_setting_text(self, key: str, text: str, *, passcode: str | None = None) -> Settings:
        return self.change_settings({key: Settings.parse_text(key, text)}, passcode=passcode)

    def _apply(self, settings: Settings) -> None:
        self._configuration.current = settings
        self._engine.configure(settings)

    # --- passcode -----------------------------------------------------------------------------

    def passcode_is_set(self) -> bool:
        return self._gate.is_set()

    def lockout_until(self) -> datetime | None:
        return self._gate.lockout_until()

    def verify_passcode(self, passcode: str | None, *, purpose: str) -> None:
        """Raise PasscodeError unless the passcode is right (or none is set); see `PasscodeGate.verify`."""
        self._gate.verify(passcode, purpose=purpose)

    def set_passcode(self, new: str, *, current: str | None = None) -> None:
        self._gate.set(new, current=current)
        self.mark_configured()

    def clear_passcode(self, *, current: str | None) -> None:
        self._gate.clear(current=current)

    def act_as_root(self) -> None:
        """Root manages this protected account: passcode-guarded actions need no passcode, and
        each is recorded as done by root."""
        self._gate.acting_as = "root"

    @property
    def acting_as_root(self) -> bool:
        return self._gate.acting_as == "root"

    # --- today ----------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The trusted time now (the wall clock until the engine has ticked)."""
        return self._time.now()

    def today(self) -> date:
        return self._time.today()

    def status(self) -> Status:
        """Today's figures; the decision is the one for counted apps."""
        return self._today.status(self.tracker_running)

    def decision_for(self, app: AppRef | None) -> Decision:
        """What holds now for `app` (None: nothing in front), without waiting for the next tick."""
        return self._engine.decision_for(app)

    def cap_seconds_today(self) -> float | None:
        """Today's cap with the grants included; None when there is no cap today."""
        return self._engine.cap_seconds_today()

    def forget_front(self) -> None:
        """The app in front was put away (back to the desktop): decide as if nothing were in front."""
        self._engine.forget_front()

    def tracker_running(self) -> bool:
        """Whether a tracker (this process or another) runs on this data dir now."""
        return self._lock.running()

    # --- records ----------------------------------------------------------------------------------

    @property
    def database_location(self) -> str:
        """Where the records are kept, for people to read (a path, or a URL without its password)."""
        return self._records.location

    def usage_by_day_app(self, first: date, last: date) -> list[DayAppUsage]:
        """The stored usage of each app on each day from `first` to `last` (both included)."""
        return self._records.usage_by_day_app(first, last)

    def report(self, days: int) -> list[DayAppUsage]:
        return self._records.report(days)

    def events(self, days: int, kinds: Iterable[EventKind] | None = None) -> list[Event]:
        return self._records.events(days, kinds)

    def export(self, fmt: str, fp: TextIO) -> None:
        self._records.export(fmt, fp)

    def import_file(self, path: Path, *, passcode: str | None = None) -> ImportResult:
        return self._records.import_file(path, passcode=passcode)

    def delete_all(self, *, passcode: str | None = None) -> None:
        self._records.delete_all(passcode=passcode)

    # --- tracking -------------------------------------------------------------------------------

    @property
    def tracking(self) -> bool:
        """Whether this process is tracking (between `start_tracking` and `stop_tracking`)."""
        return self._recorder.tracking

    def start_tracking(self) -> None:
        """Begin a tracking run: take in what a killed run left in the journal, record a gap.

        Raises ServiceError when another tracker runs on this data dir."""
        self._lock.take()
        first = self._recorder.start()
        self._remember_zone()
        self._record_kernel_disagreement()
        self._today.seed(first.now, keep_live=False)
        self._recorder.record(TrackingStartedPayload())
        self._recorder.flush_events()
        self._recorder.write_journal(force=True)

    def tick(self, sample: Sample) -> TickResult:
        """One tick of the loop: account, decide, and write what needs writing."""
        elapsed = sample.elapsed
        if elapsed - self._last_settings_poll >= SETTINGS_POLL_SECONDS:
            self._last_settings_poll = elapsed
            if self._configuration.changed_elsewhere():
                self._apply(self._configuration.load())
                self._today.seed(self.now(), keep_live=True)
        day_before = self._engine.day
        result = self._engine.tick(sample, self.clock.zone())
        self._recorder.take(result)
        self._remember_zone()
        self._record_kernel_disagreement()
        if day_before is not None and result.day != day_before:
            # A new day: what the database knows of it (other devices, imports) counts too.
            self._today.seed(result.now, keep_live=True)
        self._recorder.after_tick(result, elapsed)
        return result

    def _record_kernel_disagreement(self) -> None:
        """Record, once each, that the time this process is given is not the kernel's (faketime)."""
        words = getattr(self.clock, "kernel_disagreement", None)
        if words and words != self._kernel_recorded:
            self._kernel_recorded = words
            self._recorder.record(StartChangedPayload("environment", words))
            self._recorder.flush_events()

    def _remember_zone(self) -> None:
        """Keep the zone the days follow in the database, for the next start to compare."""
        key = _zone_key(self._engine.zone)
        if key == self._saved_zone:
            return
        try:
            self._store.set_meta(ZONE_META_KEY, key)
        except StorageError:
            return  # tried again at the next tick
        self._saved_zone = key

    def flush(self) -> bool:
        """Commit pending spans and events to the database. False when it cannot be written:
        everything stays pending, and is tried again later."""
        return self._recorder.flush()

    def stop_tracking(self, *, how: str = "quit") -> None:
        """A clean stop: everything written, the journal marked clean. `how` says what stopped
        it for the record: "quit" (from the app), "signal" (SIGTERM/SIGINT: a log-out, or `kill`)."""
        self._recorder.stop(how=how)
        self._lock.release()

    # --- actions ----------------------------------------------------------------------------------

    def postpone_break(self) -> Event:
        return self._recorder.act(self._engine.postpone_break())

    def skip_break(self, passcode: str | None = None) -> Event:
        self._gate.guard(passcode, N_("skip a break"))
        return self._recorder.act(self._engine.skip_break())

    def take_break_now(self) -> Event:
        return self._recorder.act(self._engine.take_break_now())

    def grant(
        self, *, minutes: int | None = None, until: datetime | None = None, passcode: str | None = None,
        by: str = "parent",
    ) -> Event:  # fmt: skip
        self._gate.guard(passcode, N_("grant more time"))
        try:
            return self._recorder.act(self._engine.grant(minutes=minutes, until=until, by=by))
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
        self._gate.guard(passcode, N_("pause tracking"))
        return self._recorder.act(self._engine.pause(minutes))

    def resume(self) -> None:
        self._engine.resume()

    # --- signs around the app ---------------------------------------------------------------------

    def record_sign(
        self,
        payload: StartChangedPayload
        | OtherDisplayPayload
        | OverlayHiddenPayload
        | SessionLockedPayload
        | SessionEndedPayload,
    ) -> Event:
        """Keep, at once, a record of a sign found around the app (a changed start, a display,
        the overlay taken out of view) or of what the guard did (a session locked or ended)."""
        event = self._recorder.record(payload)
        self._recorder.flush_events()
        return event
