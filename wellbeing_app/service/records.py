"""The records as the parent reads them: usage by day and app, events, export, import, and
deleting them all (the last two behind the passcode)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from wellbeing_app.core.events import DataDeletedPayload, DataImportedPayload
from wellbeing_app.core.model import Event, EventKind
from wellbeing_app.core.settings import Settings
from wellbeing_app.core.text import N_, Text
from wellbeing_app.storage import DayAppUsage, ImportResult, Store

from .errors import ServiceError
from .passcode_gate import PasscodeGate
from .recorder import Recorder
from .timekeeping import TrustedTime
from .today import Today


class Records:
    """Reads flush what is pending first: what happened a minute ago is part of the record.
    Not thread-safe: used on the loop's thread only."""

    def __init__(
        self,
        store: Store,
        recorder: Recorder,
        gate: PasscodeGate,
        today: Today,
        time: TrustedTime,
        settings: Callable[[], Settings],
    ) -> None:
        self._store = store
        self._recorder = recorder
        self._gate = gate
        self._today = today
        self._time = time
        self._settings = settings

    @property
    def location(self) -> str:
        return self._store.location

    def usage_by_day_app(self, first: date, last: date) -> list[DayAppUsage]:
        return self._store.usage_by_day_app(first, last)

    def report(self, days: int) -> list[DayAppUsage]:
        if days < 1:
            raise ServiceError(Text(N_("--days {days} is not allowed; give 1 or more days"), {"days": days}))
        last = self._time.today()
        self._recorder.flush()
        return self._store.usage_by_day_app(last - timedelta(days=days - 1), last)

    def events(self, days: int, kinds: Iterable[EventKind] | None = None) -> list[Event]:
        last = self._time.today()
        self._recorder.flush()
        return self._store.events_between(
            last - timedelta(days=days - 1), last, list(kinds) if kinds else None
        )

    def export(self, fmt: str, fp: TextIO) -> None:
        self._recorder.flush()
        if fmt == "json":
            self._store.export_json(fp)
        elif fmt == "csv":
            self._store.export_csv(fp)
        else:
            raise ServiceError(
                Text(N_("export format {format} is not known; use csv or json"), {"format": repr(fmt)})
            )

    def import_file(self, path: Path, *, passcode: str | None = None) -> ImportResult:
        self._gate.guard(passcode, N_("import records"))
        result = self._store.import_file(path, day_starts_at=self._settings().day_starts_at)
        self._recorder.record(DataImportedPayload(result.spans_added, result.events_added))
        self._recorder.flush_events()
        self._today.seed(self._time.now(), keep_live=self._recorder.tracking)
        return result

    def delete_all(self, *, passcode: str | None = None) -> None:
        self._gate.guard(passcode, N_("delete all records"))
        self._recorder.forget_all()
        self._store.delete_all()
        self._recorder.record(DataDeletedPayload())
        self._recorder.flush_events()
        self._today.seed(self._time.now())
