"""Whether the session is locked: logind's LockedHint, or a freedesktop ScreenSaver that is active."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping

from jeepney import DBusAddress, new_method_call

from wellbeing_app.core.record import record
from wellbeing_app.tracker.base import ProbeStatus
from wellbeing_app.tracker.mpris import NAME_GONE, BusCallFailed, BusLink, BusUnavailable, get_property

LOGIND = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
LOGIND_MANAGER = "org.freedesktop.login1.Manager"
LOGIND_SESSION = "org.freedesktop.login1.Session"


@record
class ScreenSaverService:
    """Where a ScreenSaver service may answer GetActive."""

    name: str
    path: str
    interface: str


#: Tried in this order; the first that answers is kept.
SCREENSAVERS = (
    ScreenSaverService(
        "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"
    ),
    ScreenSaverService("org.freedesktop.ScreenSaver", "/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ScreenSaverService("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
)

_HINT = (
    "run the app in a session that systemd-logind (or elogind) manages, on a machine with the "
    "system D-Bus; or use a screen locker that offers org.freedesktop.ScreenSaver on the session bus "
    "(GNOME, KDE, xfce4-screensaver, cinnamon-screensaver)"
)


class LinuxLock:
    """Locked when logind's LockedHint or a ScreenSaver's GetActive says so.

    Each source that cannot be reached is asked again only every `retry_seconds`, so that a
    machine without them pays nothing per tick. One thread only.
    """

    backend = "logind+screensaver"

    def __init__(
        self,
        *,
        system_bus: str = "SYSTEM",
        session_bus: str = "SESSION",
        env: Mapping[str, str] | None = None,
        pid: int | None = None,
        timeout: float = 0.25,
        retry_seconds: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        env = os.environ if env is None else env
        self._session_id = env.get("XDG_SESSION_ID") or None
        self._pid = os.getpid() if pid is None else pid
        self._monotonic = monotonic
        self._retry_seconds = retry_seconds
        self._system = BusLink(
            system_bus, kind="system", timeout=timeout, retry_seconds=retry_seconds, monotonic=monotonic
        )
        self._session = BusLink(
            session_bus, kind="session", timeout=timeout, retry_seconds=retry_seconds, monotonic=monotonic
        )
        self._logind_session: str | None = None
        self._logind_next_try = 0.0
        self._logind_reason: str | None = None
        self._saver: ScreenSaverService | None = None
        self._saver_next_try = 0.0
        self._saver_reason: str | None = None
        self._last_logind: bool | None = None
        self._last_saver: bool | None = None

    def locked(self) -> bool | None:
        logind = self._logind_locked()
        saver = self._screensaver_active()
        self._last_logind, self._last_saver = logind, saver
        if logind is None and saver is None:
            return None
        return bool(logind) or bool(saver)

    def status(self) -> ProbeStatus:
        locked = self.locked()
        logind = _say(self._last_logind, "locked", "not locked", self._logind_reason)
        saver_name = self._saver.name if self._saver is not None else "ScreenSaver"
        saver = _say(self._last_saver, "active", "not active", self._saver_reason)
        detail = f"logind: {logind}; {saver_name}: {saver}"
        hint = _HINT if locked is None else None
        return ProbeStatus("lock", self.backend, locked is not None, detail, hint)

    def close(self) -> None:
        self._system.close()
        self._session.close()

    # -- logind --------------------------------------------------------------------------

    def _logind_locked(self) -> bool | None:
        if self._logind_session is None:
            if self._monotonic() < self._logind_next_try:
                return None
            self._logind_session = self._find_logind_session()
            if self._logind_session is None:
                self._logind_next_try = self._monotonic() + self._retry_seconds
                return None
        try:
            value = get_property(self._system, LOGIND, self._logind_session, LOGIND_SESSION, "LockedHint")
        except (BusUnavailable, BusCallFailed) as exc:
            self._logind_reason = str(exc)
            self._logind_session = None
            self._logind_next_try = self._monotonic() + self._retry_seconds
            return None
        self._logind_reason = None
        return bool(value)

    def _find_logind_session(self) -> str | None:
        """The object path of this process's session: by pid, by XDG_SESSION_ID, or "auto"."""
        manager = DBusAddress(LOGIND_PATH, bus_name=LOGIND, interface=LOGIND_MANAGER)
        attempts = [new_method_call(manager, "GetSessionByPID", "u", (self._pid,))]
        if self._session_id:
            attempts.append(new_method_call(manager, "GetSession", "s", (self._session_id,)))
        attempts.append(new_method_call(manager, "GetSession", "s", ("auto",)))
        reasons = []
        for message in attempts:
            try:
                (path,) = self._system.call(message)
            except BusUnavailable as exc:
                self._logind_reason = f"{exc} (logind is reached over the system bus)"
                return None
            except BusCallFailed as exc:
                if exc.name in NAME_GONE:
                    self._logind_reason = f"logind is not running on the system bus ({exc.name})"
                    return None
                reasons.append(str(exc))
                continue
            return str(path)
        self._logind_reason = "logind knows no session of this process: " + "; ".join(reasons)
        return None

    # -- ScreenSaver ---------------------------------------------------------------------

    def _screensaver_active(self) -> bool | None:
        if self._saver is None:
            if self._monotonic() < self._saver_next_try:
                return None
            self._saver, active = self._find_screensaver()
            if self._saver is None:
                self._saver_next_try = self._monotonic() + self._retry_seconds
            return active
        try:
            return self._get_active(self._saver)
        except (BusUnavailable, BusCallFailed) as exc:
            self._saver_reason = str(exc)
            self._saver = None
            self._saver_next_try = self._monotonic() + self._retry_seconds
            return None

    def _find_screensaver(self) -> tuple[ScreenSaverService | None, bool | None]:
        reasons = []
        for service in SCREENSAVERS:
            try:
                return service, self._get_active(service)
            except BusUnavailable as exc:
                self._saver_reason = str(exc)
                return None, None
            except BusCallFailed as exc:
                reasons.append(f"{service.name} {service.path}: {exc.name}")
        self._saver_reason = "no screen saver answers GetActive (" + "; ".join(reasons) + ")"
        return None, None

    def _get_active(self, service: ScreenSaverService) -> bool:
        address = DBusAddress(service.path, bus_name=service.name, interface=service.interface)
        (active,) = self._session.call(new_method_call(address, "GetActive"))
        self._saver_reason = None
        return bool(active)


def _say(value: bool | None, yes: str, no: str, reason: str | None) -> str:
    if value is None:
        return f"unknown ({reason})" if reason else "unknown"
    return yes if value else no
