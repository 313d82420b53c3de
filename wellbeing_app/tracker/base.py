"""The small protocols every platform probe implements, and what `doctor` prints of them.

Threading contract: every probe is created and called on one thread (the thread that owns the
event loop). Probe methods never raise: a failure becomes an "unknown" answer plus a reason,
kept in `status()` for `doctor`.
"""

from __future__ import annotations

from typing import Protocol

from wellbeing_app.core.model import AppRef
from wellbeing_app.core.record import record


class TrackerError(Exception):
    """Base of the errors of `wellbeing_app.tracker` (raised only while building probes)."""


@record
class ProbeStatus:
    """What `doctor` says of one probe: does it work here, what it saw, what would fix it."""

    kind: str  # "foreground", "idle", "media" or "lock"
    backend: str  # e.g. "x11", "sway", "mpris", "logind"
    works: bool
    detail: str  # what it saw, or why it does not work
    hint: str | None = None  # what to install or enable


@record
class Foreground:
    """The application in front. `app` is None when it is not known; `reason` then says why.

    An answer without an app counts as use of the unknown app (the cap must hold where the app
    cannot be named), unless the probe saw that no window is in front at all
    (`nothing_in_front`: an empty desktop or workspace, or the active window just closed).
    """

    app: AppRef | None
    pid: int | None = None
    title: str | None = None
    reason: str | None = None
    nothing_in_front: bool = False


class ForegroundProbe(Protocol):
    backend: str

    def foreground(self, *, with_title: bool) -> Foreground:
        """The application in front now. Reads the window title only when asked to."""
        ...

    def change_fd(self) -> int | None:
        """A file descriptor that becomes readable when the active window may have changed,
        or None when the probe can only be polled."""
        ...

    def drain_changes(self) -> bool:
        """Read what made `change_fd()` readable; True if the active window changed."""
        ...

    def status(self) -> ProbeStatus: ...

    def close(self) -> None: ...


class IdleProbe(Protocol):
    backend: str

    def idle_seconds(self) -> float | None:
        """Seconds since the last keyboard or mouse input, or None when it cannot be known."""
        ...

    def status(self) -> ProbeStatus: ...

    def close(self) -> None: ...


class MediaProbe(Protocol):
    backend: str

    def playing(self) -> bool | None:
        """Whether some media player is playing now; None when it cannot be known."""
        ...

    def status(self) -> ProbeStatus: ...

    def close(self) -> None: ...


class LockProbe(Protocol):
    backend: str

    def locked(self) -> bool | None:
        """Whether the session is locked now; None when it cannot be known."""
        ...

    def status(self) -> ProbeStatus: ...

    def close(self) -> None: ...


@record(frozen=False)
class ProbeSet:
    """The probes chosen for this machine, one of each kind."""

    foreground: ForegroundProbe
    idle: IdleProbe
    media: MediaProbe
    lock: LockProbe

    def statuses(self) -> list[ProbeStatus]:
        return [p.status() for p in (self.foreground, self.idle, self.media, self.lock)]

    def close(self) -> None:
        for probe in (self.foreground, self.idle, self.media, self.lock):
            probe.close()
