"""The service's time: the trusted time of the engine (the wall clock until it has ticked), the
local day, and the ids of this boot and of new records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from wellbeing_app.core.clock import Clock
from wellbeing_app.core.days import day_of
from wellbeing_app.core.engine import Engine
from wellbeing_app.core.settings import Settings
from wellbeing_app.storage.journal import JournalState


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
    import uuid  # here, not at the top: uuid imports platform, a few ms of every start of `status`

    return uuid.uuid4().hex


class TrustedTime:
    """Now and today as the engine trusts them (elapsed time since its last sure reading of the
    wall clock), so that a moved clock moves neither."""

    def __init__(self, engine: Engine, clock: Clock, settings: Callable[[], Settings]) -> None:
        self._engine = engine
        self._clock = clock
        self._settings = settings

    def now(self) -> datetime:
        if self._engine.now is not None:
            return self._engine.timebase.trusted_at(self._clock.elapsed())
        return self._clock.wall()

    def day_of(self, at: datetime) -> date:
        return day_of(at, self._engine.zone, self._settings().day_starts_at)

    def today(self) -> date:
        return self.day_of(self.now())

    def resume_from(self, state: JournalState | None) -> None:
        """Take the time as this boot's tracker last trusted it (its journal), so that after the
        clock was moved a reader such as `status` sees the tracker's day, not a fresh one."""
        if state is None or state.elapsed is None or state.wall is None:
            return
        if state.boot_id is None or state.boot_id != boot_id():
            return
        self._engine.timebase.resume_from(state.elapsed, state.wall)
        self._engine.look(self._clock.elapsed(), self._clock.wall())
