"""The policy engine: one pure function from the situation to the one decision of a tick."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo

from .blocks import BLOCKS
from .breaks import BreakPhase, BreakView
from .days import day_bounds, day_of
from .model import AppRef, BlockReason, Decision, Verdict
from .record import record
from .settings import DowntimeWindow, Settings, Weekday

#: Minutes left at which the person is warned.
WARNING_MINUTES = (10, 5, 1)

#: Parts of the desktop that must never be blocked: shells, panels, lock screens, log-out and
#: shut-down dialogs. Matched like always-allowed apps (on the executable, any case).
SYSTEM_APPS = frozenset(
    {
        # Linux shells, panels, window managers, session and lock tools
        "gnome-shell", "plasmashell", "kwin_x11", "kwin_wayland", "ksmserver", "ksmserver-logout-greeter",
        "ksplashqml", "kscreenlocker_greet", "xfce4-panel", "xfdesktop", "xfwm4", "xfce4-session",
        "xfce4-session-logout", "xfce4-screensaver", "lxpanel", "lxqt-panel", "lxqt-leave", "lxsession",
        "mate-panel", "mate-session", "mate-screensaver", "cinnamon", "cinnamon-session", "cinnamon-screensaver",
        "budgie-panel", "budgie-wm", "openbox", "metacity", "mutter", "marco", "muffin", "gnome-session-binary",
        "gnome-screensaver", "light-locker", "xscreensaver", "i3lock", "swaylock", "hyprlock", "waybar",
        "trayer", "polkit-gnome-authentication-agent-1", "lxpolkit", "gdm", "gdm3", "lightdm", "sddm",
        # Windows shell and sign-in
        "explorer.exe", "lockapp.exe", "logonui.exe", "shellexperiencehost.exe",
        "startmenuexperiencehost.exe", "searchhost.exe", "searchui.exe", "consent.exe", "winlogon.exe",
        # macOS
        "loginwindow", "dock", "systemuiserver", "controlcenter", "screensaverengine",
    }
)  # fmt: skip


@record(eq=False, repr=False)
class Grant:
    """Time granted by a parent: `minutes` more of counted use on `day`, or free use `until`."""

    uid: str
    at: datetime
    day: date
    minutes: int | None = None
    until: datetime | None = None
    by: str = "parent"


def is_exempt(app: AppRef, always_allowed: Iterable[str]) -> bool:
    """Whether an app never counts and is never blocked: the desktop itself, or on the list.

    Matched on the executable only: the name comes from the window (any program can call its
    window "libreoffice") or a desktop file the person can write. A program where the person
    can write (its key is a path) is never exempt: a copy of a game named like an allowed app
    is still the game.
    """
    if app.is_self:
        return True
    if app.from_writable_place:
        return False
    keys = {app.executable.lower()}
    if app.executable.lower().endswith(".exe"):
        keys.add(app.executable.lower()[:-4])
    if keys & SYSTEM_APPS:
        return True
    return bool(keys & {name.lower() for name in always_allowed})


def counted_seconds(usage: Mapping[AppRef, float], settings: Settings) -> float:
    """The seconds that count against the cap: every app but the exempt ones."""
    return sum(seconds for app, seconds in usage.items() if not is_exempt(app, settings.always_allowed))


def app_seconds(usage: Mapping[AppRef, float], executable: str) -> float:
    return sum(seconds for app, seconds in usage.items() if app.executable.lower() == executable.lower())


def downtime_end(now: datetime, zone: tzinfo, windows: Sequence[DowntimeWindow]) -> datetime | None:
    """When the downtime window that `now` falls in ends, or None when it is not downtime."""
    local = now.astimezone(zone)
    latest: datetime | None = None
    for window in windows:
        for back in (1, 0):
            start_day = local.date() - timedelta(days=back)
            if Weekday(start_day.weekday()) not in window.days:
                continue
            start = datetime.combine(start_day, window.start, tzinfo=zone)
            end_day = start_day if window.end > window.start else start_day + timedelta(days=1)
            end = datetime.combine(end_day, window.end, tzinfo=zone)
            if start <= local < end and (latest is None or end > latest):
                latest = end
    return None if latest is None else _normalise(latest, zone)


def _normalise(local: datetime, zone: tzinfo) -> datetime:
    """An aware instant from a local wall time (a time in a DST gap moves forward)."""
    return local.astimezone(zone)


def cap_seconds(settings: Settings, day: date, grants: Sequence[Grant]) -> float | None:
    cap = settings.cap_for(Weekday(day.weekday()))
    if cap is None:
        return None
    extra = sum(g.minutes or 0 for g in grants if g.day == day)
    return (cap + extra) * 60.0


def free_until(now: datetime, grants: Sequence[Grant]) -> datetime | None:
    """The end of a grant of free use running now, if any."""
    ends = [g.until for g in grants if g.until is not None and g.until > now]
    return max(ends) if ends else None


def lift_time(
    now: datetime,
    zone: tzinfo,
    settings: Settings,
    *,
    today: date,
    cap_reached: bool,
) -> datetime:
    """When counted apps work again: after downtime ends and, if today's cap is used, after
    the next day starts (and any downtime then)."""
    moment = now
    for _ in range(16):
        end = downtime_end(moment, zone, settings.downtime)
        if end is not None and end > moment:
            moment = end
            continue
        if cap_reached and day_of(moment, zone, settings.day_starts_at) == today:
            moment = day_bounds(today, zone, settings.day_starts_at)[1]
            continue
        break
    return moment


def decide(
    settings: Settings,
    *,
    now: datetime,
    zone: tzinfo,
    day: date,
    usage: Mapping[AppRef, float],
    grants: Sequence[Grant],
    breaks: BreakView,
    break_ends_at: datetime | None,
    app: AppRef | None,
    paused_until: datetime | None = None,
) -> Decision:
    """The decision for the app in front. `usage` is today's seconds per app, `now` trusted."""
    used = counted_seconds(usage, settings)
    cap = cap_seconds(settings, day, grants)
    remaining = None if cap is None else max(0.0, cap - used)
    minutes_left = None if remaining is None else math.ceil(remaining / 60.0 - 1e-9)

    def made(verdict: Verdict, reason: BlockReason | None = None, until: datetime | None = None) -> Decision:
        return Decision(
            verdict,
            reason=reason,
            until=until,
            minutes_left=minutes_left,
            used_seconds=used,
            cap_seconds=cap,
            session_seconds=breaks.session_seconds,
            next_break_in_seconds=breaks.next_break_in_seconds,
            postpones_left=breaks.postpones_left,
            app=app,
        )

    if paused_until is not None and now < paused_until:
        return made(Verdict.ALLOW)
    if breaks.phase is BreakPhase.ON_BREAK:
        return made(Verdict.BREAK, until=break_ends_at)
    if app is None or is_exempt(app, settings.always_allowed):
        return made(Verdict.ALLOW)

    cap_reached = remaining is not None and remaining <= 0
    if free_until(now, grants) is None:
        limit = settings.app_limits.get(app.executable) or _limit_by_name(settings, app)
        # The block rules, the first that holds wins; each reason's words are in blocks.BLOCKS.
        rules: tuple[tuple[BlockReason, Callable[[], bool]], ...] = (
            (BlockReason.DOWNTIME, lambda: downtime_end(now, zone, settings.downtime) is not None),
            (
                BlockReason.APP_LIMIT,
                lambda: limit is not None and app_seconds(usage, app.executable) >= limit * 60,
            ),
            (BlockReason.CAP, lambda: cap_reached),
        )
        reason = next((reason for reason, holds in rules if holds()), None)
        if reason is not None:
            lasts_the_day = cap_reached or BLOCKS[reason].lasts_the_day
            until = lift_time(now, zone, settings, today=day, cap_reached=lasts_the_day)
            return made(Verdict.BLOCK, reason, until)

    if remaining is not None and remaining <= WARNING_MINUTES[0] * 60:
        return made(Verdict.WARN)
    return made(Verdict.ALLOW)


def _limit_by_name(settings: Settings, app: AppRef) -> int | None:
    for name, minutes in settings.app_limits.items():
        # A copy of a limited game under its own name (by path) stays limited.
        base = app.executable.replace("\\", "/").rsplit("/", 1)[-1]
        if name.lower() in {app.executable.lower(), base.lower(), app.name.lower()}:
            return minutes
    return None


def warning_due(previous_left: float | None, now_left: float | None) -> int | None:
    """The warning (10, 5 or 1 minutes) to give when the seconds left fall past it, if any."""
    if previous_left is None or now_left is None:
        return None
    for minutes in sorted(WARNING_MINUTES):
        threshold = minutes * 60.0
        if now_left <= threshold < previous_left:
            return minutes
    return None
