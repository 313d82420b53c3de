"""Probes that know nothing: used where no backend works, each saying why."""

from __future__ import annotations

from wellbeing_app.tracker.base import Foreground, ProbeStatus


class _NullProbe:
    kind = ""

    def __init__(self, reason: str, hint: str | None = None, *, backend: str = "none") -> None:
        self.backend = backend
        self.reason = reason
        self.hint = hint

    def status(self) -> ProbeStatus:
        return ProbeStatus(self.kind, self.backend, False, self.reason, self.hint)

    def close(self) -> None:
        pass


class NullForeground(_NullProbe):
    """Never knows the application in front."""

    kind = "foreground"

    def foreground(self, *, with_title: bool) -> Foreground:
        return Foreground(None, reason=self.reason)

    def change_fd(self) -> int | None:
        return None

    def drain_changes(self) -> bool:
        return False


class NullIdle(_NullProbe):
    """Never knows the idle time."""

    kind = "idle"

    def idle_seconds(self) -> float | None:
        return None


class NullMedia(_NullProbe):
    """Never knows whether media plays."""

    kind = "media"

    def playing(self) -> bool | None:
        return None


class NullLock(_NullProbe):
    """Never knows whether the session is locked."""

    kind = "lock"

    def locked(self) -> bool | None:
        return None
