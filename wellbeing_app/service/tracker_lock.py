"""The tracker lock: one tracking process per data dir (a flock the kernel drops however that
process ends), and whether one runs now."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from wellbeing_app.core.clock import Clock
from wellbeing_app.storage.journal import Journal

from .errors import ServiceError
from .recorder import JOURNAL_SECONDS

log = logging.getLogger(__name__)

#: Held (flock) by the one tracking process of a data dir; the kernel drops it however that process ends.
TRACKER_LOCK_FILE = "tracker.lock"


class TrackerLock:
    """Not thread-safe: used on the loop's thread only."""

    def __init__(self, data_dir: Path, journal: Journal, clock: Clock) -> None:
        self._data_dir = data_dir
        self._journal = journal
        self._clock = clock
        self._fd: int | None = None

    def take(self) -> None:
        """Claim the data dir for this tracker, or raise ServiceError if another one holds it.

        A lock and not the journal's age: a tracker killed a moment ago must not keep the next one
        out (the kernel releases a flock when its process dies).
        """
        if sys.platform == "win32" or self._fd is not None:
            return
        import fcntl

        path = self._data_dir / TRACKER_LOCK_FILE
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            log.warning("cannot make the tracker lock %s (%s); going on without it", path, error)
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ServiceError(f"another tracker is already running for {self._data_dir}") from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _held(self) -> bool | None:
        """True/False when the tracker lock answers; None when there is no lock to ask."""
        if self._fd is not None:
            return True
        if sys.platform == "win32":
            return None
        import fcntl

        try:
            fd = os.open(self._data_dir / TRACKER_LOCK_FILE, os.O_RDONLY)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            os.close(fd)  # also drops the shared lock just taken
        return False

    def running(self) -> bool:
        """Whether a tracker (this process or another) runs on this data dir now."""
        held = self._held()
        if held is not None:
            return held
        # No lock to ask (Windows, or a data dir where it could not be made): a fresh journal tells.
        state = self._journal.read()
        if state is None or state.clean or state.wall is None:
            return False
        return abs((self._clock.wall() - state.wall).total_seconds()) < 3 * JOURNAL_SECONDS + 5
