"""logind's sessions as the guard's loop reads them: asked again once a second (logind sends no
change the guard's client listens for), each turned into the loop's `SessionState`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from .logind import Logind, LogindError, SessionInfo
from .sessions import SessionState

log = logging.getLogger(__name__)

#: logind is asked for the sessions this often.
POLL_SECONDS = 1.0


def session_state(info: SessionInfo, *, monotonic: float, wall: float) -> SessionState:
    """The loop's view of one logind session; IdleSinceHint (wall-clock µs) put on CLOCK_MONOTONIC."""
    idle_since = None
    if info.idle and info.idle_since_usec > 0:
        idle_since = monotonic - max(0.0, wall - info.idle_since_usec / 1e6)
    return SessionState(
        session_id=info.id,
        uid=info.uid,
        kind=info.type,
        display=info.display,
        leader=info.leader,
        active=info.active and info.state != "closing",
        idle=info.idle,
        locked=info.locked,
        idle_since=idle_since,
    )


class LogindSessions:
    """The loop's `SessionSource` on logind. When logind cannot be asked, the last sessions known
    stand (logged once), so that a restart of logind does not stop the count."""

    def __init__(
        self,
        logind: Logind | None = None,
        *,
        poll_seconds: float = POLL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logind = logind
        self._poll_seconds = poll_seconds
        self._monotonic = monotonic
        self._last: list[SessionState] = []
        self._asked_at: float | None = None
        self._failing = False

    def sessions(self) -> list[SessionState]:
        if self._asked_at is None:
            self._read()
        return list(self._last)

    def fileno(self) -> int | None:
        return None

    def process(self) -> bool:
        if self._asked_at is not None and self._monotonic() - self._asked_at < self._poll_seconds:
            return False
        before = self._last
        self._read()
        return self._last != before

    def _read(self) -> None:
        self._asked_at = self._monotonic()
        try:
            if self._logind is None:
                self._logind = Logind.connect()
            infos = self._logind.sessions()
        except LogindError as error:
            if not self._failing:
                log.warning("cannot read the sessions (the last ones known stand): %s", error)
            self._failing = True
            return
        if self._failing:
            log.info("logind answers again")
        self._failing = False
        now, wall = self._monotonic(), time.time()
        self._last = [
            session_state(info, monotonic=now, wall=wall) for info in infos if info.class_ in ("user", "")
        ]

    def close(self) -> None:
        if self._logind is not None:
            self._logind.close()
