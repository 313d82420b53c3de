"""The system clock for the core: an elapsed counter that runs through suspend, UTC and the local zone."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wellbeing_app.core.record import record

LOCALTIME = Path("/etc/localtime")
TIMEZONE_FILE = Path("/etc/timezone")

# Common Windows zone names and their IANA keys (CLDR windowsZones, territory 001), for the
# machines this app is written for. Anything else falls back to a fixed offset.
WINDOWS_ZONES: Mapping[str, str] = {
    "UTC": "Etc/UTC",
    "GMT Standard Time": "Europe/London",
    "W. Europe Standard Time": "Europe/Berlin",
    "Central Europe Standard Time": "Europe/Budapest",
    "Romance Standard Time": "Europe/Paris",
    "Central European Standard Time": "Europe/Warsaw",
    "E. Europe Standard Time": "Europe/Chisinau",
    "FLE Standard Time": "Europe/Kiev",
    "GTB Standard Time": "Europe/Bucharest",
    "Turkey Standard Time": "Europe/Istanbul",
    "Kaliningrad Standard Time": "Europe/Kaliningrad",
    "Russian Standard Time": "Europe/Moscow",
    "Belarus Standard Time": "Europe/Minsk",
    "Samara Standard Time": "Europe/Samara",
    "Caucasus Standard Time": "Asia/Yerevan",
    "Georgian Standard Time": "Asia/Tbilisi",
    "Azerbaijan Standard Time": "Asia/Baku",
    "Ekaterinburg Standard Time": "Asia/Yekaterinburg",
    "West Asia Standard Time": "Asia/Tashkent",
    "Qyzylorda Standard Time": "Asia/Qyzylorda",
    "Central Asia Standard Time": "Asia/Almaty",
    "Omsk Standard Time": "Asia/Omsk",
    "N. Central Asia Standard Time": "Asia/Novosibirsk",
    "North Asia Standard Time": "Asia/Krasnoyarsk",
    "North Asia East Standard Time": "Asia/Irkutsk",
    "Yakutsk Standard Time": "Asia/Yakutsk",
    "Vladivostok Standard Time": "Asia/Vladivostok",
    "Magadan Standard Time": "Asia/Magadan",
    "Russia Time Zone 11": "Asia/Kamchatka",
    "Arabian Standard Time": "Asia/Dubai",
    "India Standard Time": "Asia/Calcutta",
    "China Standard Time": "Asia/Shanghai",
    "Tokyo Standard Time": "Asia/Tokyo",
    "Korea Standard Time": "Asia/Seoul",
    "Singapore Standard Time": "Asia/Singapore",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver",
    "Pacific Standard Time": "America/Los_Angeles",
}


@record(eq=False, repr=False)
class ZoneGuess:
    """The local zone, its name, and where it was learned (for `doctor`)."""

    zone: tzinfo
    name: str
    source: str


def load_zone(key: str) -> ZoneInfo | None:
    """The zone with IANA key `key`, or None when it is no valid zone on this machine."""
    key = key.strip()
    if not key or key.startswith("/") or ".." in key.split("/"):
        return None
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone_key_from_path(path: str) -> str | None:
    """The IANA key in a path to a zone file, e.g. `/usr/share/zoneinfo/Asia/Almaty` → `Asia/Almaty`.

    The `posix/` and `right/` variants name the same zone. None when the path holds no key.
    """
    marker = "zoneinfo/"
    at = path.rfind(marker)
    if at < 0:
        return None
    key = path[at + len(marker) :].strip("/")
    for prefix in ("posix/", "right/"):
        if key.startswith(prefix):
            key = key[len(prefix) :]
    return key or None


def zone_key_from_tz(value: str) -> str | None:
    """The IANA key in a `TZ` value: `Europe/Moscow`, `:Europe/Moscow`, or `:/path/to/zoneinfo/Key`.

    POSIX rule strings (`UTC0`, `<+05>-5`, `EST5EDT,M3.2.0,M11.1.0`) name no key and give None,
    unless a zone of that very name exists (`EST5EDT` does).
    """
    value = value.strip().removeprefix(":")
    if not value:
        return None
    if value.startswith("/"):
        return zone_key_from_path(value)
    if any(ch in value for ch in ",<>") or value[0].isdigit():
        return None
    return value


def zone_key_from_timezone_file(text: str) -> str | None:
    """The key in a Debian-style `/etc/timezone` file: its first line that is not a comment."""
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line
    return None


def fixed_offset_zone(now: datetime | None = None) -> tzinfo:
    """The local offset now, as a fixed-offset zone: the last resort, without DST rules."""
    local = (now or datetime.now(UTC)).astimezone()
    assert local.tzinfo is not None
    return local.tzinfo


def offset_name(offset: timedelta | None) -> str:
    """`UTC+05:00` for an offset of five hours."""
    seconds = int((offset or timedelta()).total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"UTC{sign}{hours:02d}:{rest // 60:02d}"


def _windows_zone_key() -> str | None:
    if sys.platform != "win32":
        return None
    import winreg

    try:
        with winreg.OpenKey(
            winreg.HKEY_LOCAL_MACHINE, r"SYSTEM\CurrentControlSet\Control\TimeZoneInformation"
        ) as key:
            name, _ = winreg.QueryValueEx(key, "TimeZoneKeyName")
    except OSError:
        return None
    return WINDOWS_ZONES.get(str(name).rstrip("\0").strip())


def detect_zone(
    env: Mapping[str, str] | None = None,
    *,
    localtime: Path = LOCALTIME,
    timezone_file: Path = TIMEZONE_FILE,
) -> ZoneGuess:
    """The local zone: from TZ, the /etc/localtime link, /etc/timezone, Windows, else a fixed offset."""
    env = os.environ if env is None else env
    tz = env.get("TZ")
    if tz is not None:
        key = zone_key_from_tz(tz)
        zone = load_zone(key) if key else None
        if zone is not None and key is not None:
            return ZoneGuess(zone, key, "TZ")
        # A TZ that names no zone still rules the C library's local time: take its offset.
        offset = fixed_offset_zone()
        return ZoneGuess(offset, offset_name(offset.utcoffset(None)), f"TZ={tz!r} (fixed offset)")
    try:
        target = os.readlink(localtime)
    except OSError:
        target = None
    if target is not None:
        key = zone_key_from_path(target)
        zone = load_zone(key) if key else None
        if zone is not None and key is not None:
            return ZoneGuess(zone, key, str(localtime))
    try:
        key = zone_key_from_timezone_file(timezone_file.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        key = None
    zone = load_zone(key) if key else None
    if zone is not None and key is not None:
        return ZoneGuess(zone, key, str(timezone_file))
    key = _windows_zone_key()
    zone = load_zone(key) if key else None
    if zone is not None and key is not None:
        return ZoneGuess(zone, key, "Windows registry")
    offset = fixed_offset_zone()
    now = datetime.now(UTC)
    return ZoneGuess(offset, offset_name(offset.utcoffset(now)), "fixed offset")


def _elapsed_clock() -> tuple[int | None, str]:
    """The clock id that keeps counting through suspend on this platform."""
    if hasattr(time, "CLOCK_BOOTTIME"):
        return time.CLOCK_BOOTTIME, "CLOCK_BOOTTIME"
    if sys.platform == "darwin":  # macOS's CLOCK_MONOTONIC keeps running while asleep
        return time.CLOCK_MONOTONIC, "CLOCK_MONOTONIC"
    return None, "time.monotonic"  # GetTickCount64 on Windows, which includes sleep


#: The time this process is given and the kernel's may differ this much before the kernel's is used.
KERNEL_TOLERANCE_SECONDS = 60.0
#: How often the time given is compared with the kernel's (seconds of elapsed time).
KERNEL_CHECK_SECONDS = 10.0


def kernel_times(proc: Path = Path("/proc")) -> tuple[float, float] | None:
    """(seconds since boot, now as a Unix time) as the kernel says them: /proc/uptime and the boot
    time in /proc/stat, which a preloaded library such as libfaketime does not move; None where
    there is no /proc (not Linux) or it cannot be read."""
    try:
        uptime = float((proc / "uptime").read_text().split()[0])
        for line in (proc / "stat").read_text().splitlines():
            if line.startswith("btime "):
                return uptime, int(line.split()[1]) + uptime
    except (OSError, ValueError, IndexError):
        return None
    return None


def _hours_and_minutes(seconds: float) -> str:
    minutes = round(abs(seconds) / 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


class SystemClock:
    """Implements `core.clock.Clock` on the real clocks of this machine.

    The zone is found again when the TZ value or the /etc/localtime link changes, so that a
    person who moves to another zone is followed without a restart.
    """

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        localtime: Path = LOCALTIME,
        timezone_file: Path = TIMEZONE_FILE,
        proc: Path = Path("/proc"),
    ) -> None:
        self._env = os.environ if env is None else env
        self._localtime = localtime
        self._timezone_file = timezone_file
        self._clock_id, self.elapsed_source = _elapsed_clock()
        self._proc = proc
        self._elapsed_fix = 0.0  # added to the elapsed counter when the kernel disagrees with it
        self._wall_fix = 0.0  # added to the wall clock when the kernel disagrees with it
        self._checked_at: float | None = None
        #: How the time this process is given differs from the kernel's, in words, while it does
        #: (libfaketime, a preloaded library): the kernel's is used then. None when they agree.
        self.kernel_disagreement: str | None = None
        self._zone_key: tuple[str | None, str | None] | None = None
        self._zone: ZoneGuess | None = None

    def _raw_elapsed(self) -> float:
        if self._clock_id is None:
            return time.monotonic()
        return time.clock_gettime(self._clock_id)

    def elapsed(self) -> float:
        raw = self._raw_elapsed()
        self._check_kernel(raw)
        return raw + self._elapsed_fix

    def _check_kernel(self, raw: float) -> None:
        """Compare the elapsed counter and the wall clock this process is given with the kernel's
        every KERNEL_CHECK_SECONDS; beyond KERNEL_TOLERANCE_SECONDS the kernel's are used."""
        if self._checked_at is not None and 0 <= raw - self._checked_at < KERNEL_CHECK_SECONDS:
            return
        self._checked_at = raw
        if self._clock_id is None or self._clock_id != getattr(time, "CLOCK_BOOTTIME", None):
            return
        kernel = kernel_times(self._proc)
        if kernel is None:
            return
        uptime, now = kernel
        elapsed_off, wall_off = uptime - raw, now - time.time()
        # A fix once taken stays until the difference moves by more than the tolerance: the
        # counters must not jitter (the kernel's boot time is in whole seconds).
        if abs(elapsed_off - self._elapsed_fix) > KERNEL_TOLERANCE_SECONDS or (
            self._elapsed_fix and abs(elapsed_off) <= KERNEL_TOLERANCE_SECONDS
        ):
            self._elapsed_fix = elapsed_off if abs(elapsed_off) > KERNEL_TOLERANCE_SECONDS else 0.0
        if abs(wall_off - self._wall_fix) > KERNEL_TOLERANCE_SECONDS or (
            self._wall_fix and abs(wall_off) <= KERNEL_TOLERANCE_SECONDS
        ):
            self._wall_fix = wall_off if abs(wall_off) > KERNEL_TOLERANCE_SECONDS else 0.0
        if self._wall_fix:
            way = "ahead of" if self._wall_fix < 0 else "behind"
            self.kernel_disagreement = (
                f"the time it was given was {_hours_and_minutes(self._wall_fix)} {way} the kernel's; "
                "the kernel's is used"
            )
        elif self._elapsed_fix:
            self.kernel_disagreement = (
                "the time since start-up it was given was not the kernel's; the kernel's is used"
            )
        else:
            self.kernel_disagreement = None

    def awake(self) -> float | None:
        """A counter that stops while the machine sleeps, where the elapsed counter does not
        (CLOCK_MONOTONIC beside CLOCK_BOOTTIME on Linux); None elsewhere."""
        if self._clock_id is not None and self._clock_id != time.CLOCK_MONOTONIC:
            return time.clock_gettime(time.CLOCK_MONOTONIC) + self._elapsed_fix
        return None

    def wall(self) -> datetime:
        self._check_kernel(self._raw_elapsed())
        if self._wall_fix:
            return datetime.now(UTC) + timedelta(seconds=self._wall_fix)
        return datetime.now(UTC)

    def zone(self) -> tzinfo:
        return self.zone_guess().zone

    def zone_name(self) -> str:
        return self.zone_guess().name

    def zone_guess(self) -> ZoneGuess:
        try:
            link: str | None = os.readlink(self._localtime)
        except OSError:
            link = None
        key = (self._env.get("TZ"), link)
        if self._zone is None or key != self._zone_key or self._zone.source.endswith("fixed offset"):
            self._zone = detect_zone(self._env, localtime=self._localtime, timezone_file=self._timezone_file)
            self._zone_key = key
        return self._zone
