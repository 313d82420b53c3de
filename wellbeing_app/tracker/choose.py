"""Picks the probes that fit this platform and session, falling back to ones that say why not."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from wellbeing_app.tracker.base import (
    ForegroundProbe,
    IdleProbe,
    LockProbe,
    MediaProbe,
    ProbeSet,
    ProbeStatus,
)
from wellbeing_app.tracker.null import NullForeground, NullIdle, NullLock, NullMedia

_NO_SESSION = "no graphical session: neither WAYLAND_DISPLAY nor DISPLAY is set"
_NO_SESSION_HINT = "start the app from inside the desktop session"


def _load(module: str, attribute: str) -> Callable[..., Any]:
    """`wellbeing_app.tracker.<module>.<attribute>`, imported only now."""
    return getattr(importlib.import_module(f"wellbeing_app.tracker.{module}"), attribute)  # type: ignore[no-any-return]


def _failure(what: str, exc: BaseException) -> str:
    return f"{what} is not available: {exc or type(exc).__name__}"


def _desktops(env: Mapping[str, str]) -> set[str]:
    return {part.strip().lower() for part in env.get("XDG_CURRENT_DESKTOP", "").split(":") if part.strip()}


def _open_sway(env: Mapping[str, str]) -> ForegroundProbe:
    socket_path = env.get("SWAYSOCK")
    if not socket_path:
        raise LookupError("SWAYSOCK is not set")
    probe: ForegroundProbe = _load("sway", "SwayForeground")(socket_path)
    return probe


def _open_hyprland(env: Mapping[str, str]) -> ForegroundProbe:
    socket_dir = _load("hyprland", "hyprland_socket_dir")(env)
    if not socket_dir:
        raise LookupError("no Hyprland socket for HYPRLAND_INSTANCE_SIGNATURE")
    probe: ForegroundProbe = _load("hyprland", "HyprlandForeground")(str(socket_dir))
    return probe


def _open_gnome(env: Mapping[str, str]) -> ForegroundProbe:
    probe: ForegroundProbe = _load("gnome", "GnomeForeground")()
    return probe


def _open_kde(env: Mapping[str, str]) -> ForegroundProbe:
    # At login the app may start before KWin is on the session bus: the probe waits for it.
    probe: ForegroundProbe = _load("kde", "KdeForeground")(wait_for_kwin=True)
    return probe


def _wayland_foreground(env: Mapping[str, str]) -> tuple[ForegroundProbe, str | None]:
    """The compositor's foreground probe, and which desktop it was (for the idle probe)."""
    desktops = _desktops(env)
    opener: Callable[[Mapping[str, str]], ForegroundProbe]
    if env.get("SWAYSOCK") or "sway" in desktops:
        opener, desktop = _open_sway, "sway"
    elif env.get("HYPRLAND_INSTANCE_SIGNATURE") or "hyprland" in desktops:
        opener, desktop = _open_hyprland, "hyprland"
    elif "gnome" in desktops or "ubuntu" in desktops:
        opener, desktop = _open_gnome, "gnome"
    elif "kde" in desktops:
        opener, desktop = _open_kde, "kde"
    else:
        shown = env.get("XDG_CURRENT_DESKTOP") or "an unknown compositor"
        reason = f"no way to ask {shown} on Wayland which window is in front"
        hint = "the daily cap still applies to total active time; sway, Hyprland, GNOME and KDE are supported"
        return NullForeground(reason, hint, backend="wayland"), None
    try:
        return opener(env), desktop
    except Exception as exc:
        return NullForeground(_failure(f"the {desktop} foreground probe", exc), backend=desktop), desktop


def _wayland_idle(desktop: str | None, env: Mapping[str, str]) -> IdleProbe:
    probe: IdleProbe
    if desktop == "gnome":
        try:
            probe = _load("gnome", "GnomeIdle")()
            return probe
        except Exception as exc:
            return NullIdle(_failure("GNOME's idle monitor", exc), backend="gnome")
    # sway, Hyprland, KWin and other compositors: their Wayland idle protocol.
    try:
        probe = _load("wayland_idle", "open_wayland_idle")(env)
        return probe
    except Exception as exc:
        reason = f"no idle time source for {desktop or 'this compositor'} on Wayland: {exc}"
        return NullIdle(reason, "input is then assumed whenever a window is in front", backend="wayland")


def _linux_media() -> MediaProbe:
    try:
        from wellbeing_app.tracker.mpris import MprisMedia

        return MprisMedia()
    except Exception as exc:
        return NullMedia(_failure("MPRIS", exc), "install jeepney (python3-jeepney)", backend="mpris")


def _linux_lock(env: Mapping[str, str]) -> LockProbe:
    try:
        from wellbeing_app.tracker.lock import LinuxLock

        return LinuxLock(env=env)
    except Exception as exc:
        return NullLock(
            _failure("the lock probe", exc), "install jeepney (python3-jeepney)", backend="logind"
        )


def _open_pair(module: str, function: str, backend: str) -> tuple[ForegroundProbe, IdleProbe]:
    try:
        foreground, idle = _load(module, function)()
        return foreground, idle
    except Exception as exc:
        reason = _failure(f"the {backend} probes", exc)
        return NullForeground(reason, backend=backend), NullIdle(reason, backend=backend)


def _open_lock(module: str, function: str, backend: str) -> LockProbe:
    try:
        probe: LockProbe = _load(module, function)()
        return probe
    except Exception as exc:
        return NullLock(_failure(f"the {backend} lock probe", exc), backend=backend)


def choose_probes(env: Mapping[str, str] | None = None, *, platform: str | None = None) -> ProbeSet:
    """The probes for this machine, chosen from the platform and the session's environment.

    A backend that is missing or fails to start becomes a Null probe that says why, so this
    never raises. `platform` (default `sys.platform`) is there for tests.
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform == "win32":
        foreground, idle = _open_pair("windows", "open_windows", "windows")
        return ProbeSet(
            foreground,
            idle,
            NullMedia("no media probe on Windows yet", backend="windows"),
            _open_lock("windows", "open_windows_lock", "windows"),
        )
    if platform == "darwin":
        foreground, idle = _open_pair("macos", "open_macos", "macos")
        return ProbeSet(
            foreground,
            idle,
            NullMedia("no media probe on macOS yet", backend="macos"),
            _open_lock("macos", "open_macos_lock", "macos"),
        )
    wayland = bool(env.get("WAYLAND_DISPLAY")) or env.get("XDG_SESSION_TYPE") == "wayland"
    if wayland:
        foreground, desktop = _wayland_foreground(env)
        idle = _wayland_idle(desktop, env)
    elif env.get("DISPLAY"):
        try:
            from wellbeing_app.tracker.x11 import open_x11

            foreground, idle = open_x11(env["DISPLAY"])
        except Exception as exc:
            reason = _failure("X11", exc)
            hint = "check that the X server named by DISPLAY is running, and that python-xlib is installed"
            foreground, idle = (
                NullForeground(reason, hint, backend="x11"),
                NullIdle(reason, hint, backend="x11"),
            )
    else:
        foreground = NullForeground(_NO_SESSION, _NO_SESSION_HINT)
        idle = NullIdle(_NO_SESSION, _NO_SESSION_HINT)
    if platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return ProbeSet(foreground, idle, _linux_media(), _linux_lock(env))
    reason = f"no media or lock probe for platform {platform!r}"
    return ProbeSet(foreground, idle, NullMedia(reason), NullLock(reason))


def doctor_report(probes: ProbeSet) -> list[ProbeStatus]:
    """What `doctor` prints: each probe's own account of what it sees right now."""
    return probes.statuses()
