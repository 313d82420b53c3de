"""The service as the protected-mode agent sees it: the façade methods the windows use, answered
by the guard over its socket. It holds no data and never loads the storage layer.

What the guard decides arrives as pushes (see `ui/agent.py`); `remember_tick` keeps the latest,
which answers `decision_for`, `cap_seconds_today`, `now` and `today` without asking.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from wellbeing_app.core.errors import PasscodeError
from wellbeing_app.core.model import AppRef, DayAppUsage, Decision, Event, EventKind, Verdict
from wellbeing_app.core.status import Status
from wellbeing_app.core.text import N_, Text
from wellbeing_app.service.errors import ServiceError

from . import codec
from .client import LinkClient
from .protocol import LinkError, LinkUnavailable

if TYPE_CHECKING:
    from wellbeing_app.core.engine import TickResult
    from wellbeing_app.core.settings import Settings

log = logging.getLogger(__name__)

#: What the agent says while the guard does not answer (the tray, the overlay's errors, `status`).
GUARD_NOT_RUNNING = N_("Wellbeing's guard is not running — ask the parent who set it up")

#: Settings are asked again when older than this (the parent may change them as root).
SETTINGS_FRESH_SECONDS = 10.0


def _error(error: LinkError) -> Exception:
    """The guard's refusal as the windows expect it: PasscodeError or ServiceError, its words
    translated where they are one of the app's own sentences."""
    if isinstance(error, LinkUnavailable):
        return ServiceError(Text(GUARD_NOT_RUNNING))
    words = Text(error.message) if "{" not in error.message else Text.plain(error.message)
    if error.kind == "passcode":
        return PasscodeError(words)
    return ServiceError(words)


class _LocalClock:
    """The zone and the wall clock of this session (the guard's trusted time is in the ticks)."""

    def zone(self) -> Any:
        return datetime.now().astimezone().tzinfo

    def wall(self) -> datetime:
        return datetime.now().astimezone()

    def elapsed(self) -> float:
        import time

        return time.monotonic()


class RemoteService:
    """The `Service` façade over the guard's socket.

    Threading contract: not thread-safe; used on the Qt main thread. Every call blocks for at most
    `timeout` seconds; a lost connection is tried again once, then reported as ServiceError with
    GUARD_NOT_RUNNING.
    """

    def __init__(
        self, path: Path, *, timeout: float = 3.0, connect: Callable[..., LinkClient] = LinkClient
    ) -> None:
        self.path = path
        self.timeout = timeout
        self._connect = connect
        self._client: LinkClient | None = None
        self.clock = _LocalClock()
        self.data_dir: Path | None = None
        #: What the person must be told; the guard keeps its own notices.
        self.notices: list[str] = []
        self._settings: Settings | None = None
        self._settings_at = -1e9
        self._passcode_set = True
        self._decision: Decision | None = None
        self._status: Status | None = None
        self._offset = timedelta(0)  # the guard's trusted time minus this session's clock

    # --- the connection -------------------------------------------------------------------------

    def call(self, op: str, **args: Any) -> Any:
        for attempt in (1, 2):
            try:
                if self._client is None:
                    self._client = self._connect(self.path, timeout=self.timeout)
                return self._client.call(op, **args)
            except LinkUnavailable as error:
                self.close()
                if attempt == 2:
                    raise _error(error) from None
            except LinkError as error:
                raise _error(error) from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # --- what the guard pushed --------------------------------------------------------------------

    def remember_tick(self, result: TickResult, status: Status) -> None:
        self._decision = result.decision
        self._status = status
        self._offset = result.now - datetime.now().astimezone()

    def remember_settings(self, answer: Mapping[str, Any]) -> Settings:
        settings = codec.settings_from(answer.get("settings"))
        self._settings = settings
        self._settings_at = self.clock.elapsed()
        self._passcode_set = bool(answer.get("passcode_set"))
        return settings

    # --- settings -----------------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        if self._settings is None or self.clock.elapsed() - self._settings_at > SETTINGS_FRESH_SECONDS:
            try:
                self.remember_settings(self.call("settings"))
            except ServiceError:
                if self._settings is None:
                    from wellbeing_app.core.settings import Settings

                    return Settings()  # the defaults, until the guard answers
        assert self._settings is not None
        return self._settings

    @property
    def configured(self) -> bool:
        """The parent set the account up through the guard: the child never sees the wizard."""
        return True

    def mark_configured(self) -> None:
        """Nothing to do: the guard's account is the parent's to set up."""

    def change_settings(self, changes: Mapping[str, Any], *, passcode: str | None = None) -> Settings:
        answer = self.call("change-settings", changes=codec.changes_message(changes), passcode=passcode)
        return self.remember_settings(answer)

    # --- passcode -----------------------------------------------------------------------------------

    def passcode_is_set(self) -> bool:
        """As the guard says; while it does not answer, as it said last (set, before it ever did:
        nothing guarded passes without the guard)."""
        try:
            answer = self.call("lockout")
        except ServiceError:
            return self._passcode_set
        self._passcode_set = bool(answer.get("passcode_set"))
        return self._passcode_set

    def lockout_until(self) -> datetime | None:
        try:
            until = self.call("lockout").get("until")
        except ServiceError:
            return None
        return None if until is None else datetime.fromisoformat(until)

    def verify_passcode(self, passcode: str | None, *, purpose: str) -> None:
        """Raise PasscodeError unless the guard accepts the passcode (also while it does not
        answer: then nothing can be checked, and the words say why)."""
        try:
            self.call("verify-passcode", passcode=passcode, purpose=purpose)
        except ServiceError as error:
            raise PasscodeError(error.text) from None

    def set_passcode(self, new: str, *, current: str | None = None) -> None:
        self.remember_settings(self.call("passcode-set", new=new, current=current))

    def clear_passcode(self, *, current: str | None) -> None:
        self.remember_settings(self.call("passcode-clear", current=current))

    # --- today ----------------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The guard's trusted time (this session's clock corrected by the last tick)."""
        return datetime.now().astimezone() + self._offset

    def today(self) -> date:
        if self._status is not None:
            return self._status.day
        return self.now().date()

    def status(self) -> Status:
        status = codec.status_from(self.call("status"))
        self._status = status
        return status

    def decision_for(self, app: AppRef | None) -> Decision:
        """What the guard decided last (it watches the session itself: the app is its to know)."""
        return self._decision or Decision(Verdict.ALLOW)

    def cap_seconds_today(self) -> float | None:
        return None if self._decision is None else self._decision.cap_seconds

    def forget_front(self) -> None:
        """Nothing to do: the guard sees for itself what is in front."""

    def tracker_running(self) -> bool:
        return True

    # --- records --------------------------------------------------------------------------------------

    @property
    def database_location(self) -> str:
        return str(self.path)

    def _pages(self, op: str, **args: Any) -> list[Any]:
        items: list[Any] = []
        start: int | None = 0
        while start is not None:
            answer = self.call(op, start=start, **args)
            items += answer["items"]
            start = answer["next"]
        return items

    def usage_by_day_app(self, first: date, last: date) -> list[DayAppUsage]:
        rows = self._pages("usage", first=first.isoformat(), last=last.isoformat())
        return codec.list_from(rows, codec.usage_from, "usage")

    def report(self, days: int) -> list[DayAppUsage]:
        return codec.list_from(self._pages("report", days=days), codec.usage_from, "report")

    def events(self, days: int, kinds: Iterable[EventKind] | None = None) -> list[Event]:
        args: dict[str, Any] = {"days": days}
        if kinds is not None:
            args["kinds"] = [kind.value for kind in kinds]
        return codec.list_from(self._pages("events", **args), codec.event_from, "events")

    def export(self, fmt: str, fp: TextIO) -> None:
        start: int | None = 0
        while start is not None:
            answer = self.call("export", format=fmt, start=start)
            fp.write(answer["text"])
            start = answer["next"]

    def delete_all(self, *, passcode: str | None = None) -> None:
        self.call("delete-all", passcode=passcode)

    # --- actions ----------------------------------------------------------------------------------------

    def postpone_break(self) -> Event:
        return codec.event_from(self.call("postpone"))

    def skip_break(self, passcode: str | None = None) -> Event:
        return codec.event_from(self.call("skip-break", passcode=passcode))

    def take_break_now(self) -> Event:
        return codec.event_from(self.call("take-break"))

    def grant(
        self, *, minutes: int | None = None, until: datetime | None = None, passcode: str | None = None,
        by: str = "parent",
    ) -> Event:  # fmt: skip
        if until is not None:
            free_minutes = max(1, round((until - self.now()).total_seconds() / 60))
            return codec.event_from(self.call("grant", minutes=free_minutes, free=True, passcode=passcode))
        return codec.event_from(self.call("grant", minutes=minutes, passcode=passcode))

    def pause(self, minutes: int, passcode: str | None = None) -> Event:
        return codec.event_from(self.call("pause", minutes=minutes, passcode=passcode))

    def resume(self) -> None:
        self.call("resume")

    def record_sign(self, payload: object) -> None:
        """The guard watches the session itself; what the agent notices around it is only logged."""
        log.info("noticed around the agent: %s", payload)
