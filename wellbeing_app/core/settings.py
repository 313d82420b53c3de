"""Every setting declared once — type, default, allowed values, description, passcode guard.

The command line, the settings dialog and validation all read these declarations. A bad value
raises `SettingError` saying what was given and what is allowed; nothing is changed.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import field
from datetime import time
from typing import Any, Generic, TypeVar

from . import languages
from .errors import SettingError
from .record import record
from .text import N_, Text

T = TypeVar("T")


class Weekday(enum.IntEnum):
    """Days of the week, numbered like `date.weekday()`."""

    MON = 0
    TUE = 1
    WED = 2
    THU = 3
    FRI = 4
    SAT = 5
    SUN = 6

    @property
    def short(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Weekday:
        key = text.strip().lower()[:3]
        for day in cls:
            if day.short == key:
                return day
        raise ValueError(text)


def _weekday_set(text: str) -> frozenset[Weekday]:
    """'mon-fri', 'sun-thu', 'sat,sun', 'daily' → a set of weekdays (ranges wrap around)."""
    days: set[Weekday] = set()
    for part in text.split(","):
        part = part.strip().lower()
        if part in {"daily", "every day", "all", "*"}:
            days.update(Weekday)
        elif part in {"weekdays", "school days"}:
            days.update(Weekday(i) for i in range(5))
        elif part == "weekends":
            days.update({Weekday.SAT, Weekday.SUN})
        elif "-" in part:
            first, last = (Weekday.parse(p) for p in part.split("-", 1))
            i = first.value
            while True:
                days.add(Weekday(i))
                if i == last.value:
                    break
                i = (i + 1) % 7
        else:
            days.add(Weekday.parse(part))
    return frozenset(days)


def _format_weekdays(days: frozenset[Weekday]) -> str:
    return ",".join(d.short for d in sorted(days))


_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_time_of_day(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(text)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour == 24 and minute == 0:
        return time(0, 0)
    return time(hour, minute)


def format_time_of_day(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


@record
class DowntimeWindow:
    """A weekly window in which counted apps are blocked; it starts on each of `days` at `start`
    and ends at `end`, the next day when `end` is not after `start` (21:00–07:00)."""

    days: frozenset[Weekday]
    start: time
    end: time

    def __str__(self) -> str:
        return (
            f"{_format_weekdays(self.days)} {format_time_of_day(self.start)}-{format_time_of_day(self.end)}"
        )


_OFF_WORDS = {"off", "none", "no", "disabled", "null", ""}


# ---------------------------------------------------------------------------------------------
# Value types: each knows how to read text (the CLI), check a JSON value (storage, import, the
# dialog), write JSON, and say in words what it allows.


class ValueType(Generic[T]):
    def allowed_text(self) -> Text:
        """What this type allows, as a sentence that can be translated."""
        raise NotImplementedError

    @property
    def allowed(self) -> str:
        return str(self.allowed_text())

    def from_text(self, text: str) -> T:
        raise NotImplementedError

    def from_json(self, value: Any) -> T:
        raise NotImplementedError

    def to_json(self, value: T) -> Any:
        return value

    def to_text(self, value: T) -> str:
        return str(value)


class _Invalid(Exception):
    """Raised by a ValueType; turned into SettingError with the key by the caller."""


_UNIT_SUFFIXES = {
    "minutes": ("minutes", "minute", "mins", "min", "m"),
    "seconds": ("seconds", "second", "secs", "sec", "s"),
}


@record(eq=False, repr=False)
class IntRange(ValueType[int | None]):
    minimum: int
    maximum: int
    unit: str  # marked with N_ where declared
    step: int = 1  # the step the UI offers; any whole number in range is accepted
    can_be_off: bool = False

    def allowed_text(self) -> Text:
        template = (
            N_('a whole number of {unit} from {minimum} to {maximum}, or "off"')
            if self.can_be_off
            else N_("a whole number of {unit} from {minimum} to {maximum}")
        )
        return Text(template, {"unit": Text(self.unit), "minimum": self.minimum, "maximum": self.maximum})

    def check(self, value: int | None) -> int | None:
        if value is None:
            if self.can_be_off:
                return None
            raise _Invalid
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid
        if not self.minimum <= value <= self.maximum:
            raise _Invalid
        return value

    def from_text(self, text: str) -> int | None:
        cleaned = text.strip().lower()
        if cleaned in _OFF_WORDS:
            return self.check(None)
        # Only this setting's own unit may be written after the number: "30 min" for a number
        # of seconds is refused, not read as 30 seconds.
        for suffix in _UNIT_SUFFIXES.get(self.unit, ()):
            if cleaned.endswith(suffix) and cleaned[: -len(suffix)].strip().isdigit():
                cleaned = cleaned[: -len(suffix)].strip()
                break
        if not re.fullmatch(r"[+-]?\d+", cleaned):
            raise _Invalid
        return self.check(int(cleaned))

    def from_json(self, value: Any) -> int | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return self.check(value)

    def to_text(self, value: int | None) -> str:
        return "off" if value is None else str(value)


@record(eq=False, repr=False)
class Boolean(ValueType[bool]):
    def allowed_text(self) -> Text:
        return Text(N_('"on" or "off"'))

    def from_text(self, text: str) -> bool:
        cleaned = text.strip().lower()
        if cleaned in {"on", "true", "yes", "1"}:
            return True
        if cleaned in {"off", "false", "no", "0"}:
            return False
        raise _Invalid

    def from_json(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise _Invalid
        return value

    def to_text(self, value: bool) -> str:
        return "on" if value else "off"


@record(eq=False, repr=False)
class Choice(ValueType[str]):
    """One of a few words: `options`, or what a function gives at each use (so that the languages
    are read from their declaration when asked, not copied when this module is loaded)."""

    options: tuple[str, ...] | Callable[[], tuple[str, ...]]

    @property
    def choices(self) -> tuple[str, ...]:
        return self.options() if callable(self.options) else self.options

    def allowed_text(self) -> Text:
        return Text(N_("one of {choices}"), {"choices": ", ".join(self.choices)})

    def from_text(self, text: str) -> str:
        return self.from_json(text.strip().lower())

    def from_json(self, value: Any) -> str:
        if value not in self.choices:
            raise _Invalid
        return str(value)


@record(eq=False, repr=False)
class TimeOfDay(ValueType[time]):
    earliest: time = time(0, 0)
    latest: time = time(23, 59)

    def allowed_text(self) -> Text:
        return Text(
            N_("a time of day as HH:MM from {earliest} to {latest}"),
            {"earliest": format_time_of_day(self.earliest), "latest": format_time_of_day(self.latest)},
        )

    def from_text(self, text: str) -> time:
        try:
            value = parse_time_of_day(text)
        except ValueError:
            raise _Invalid from None
        if not self.earliest <= value <= self.latest:
            raise _Invalid
        return value

    def from_json(self, value: Any) -> time:
        if not isinstance(value, str):
            raise _Invalid
        return self.from_text(value)

    def to_json(self, value: time) -> Any:
        return format_time_of_day(value)

    def to_text(self, value: time) -> str:
        return format_time_of_day(value)


_APP_NAME = re.compile(r"^[^\x00-\x1f/\\]{1,255}$")


def _written_out(text: str, from_json: Callable[[Any], T], empty: Any) -> T | None:
    """A list or table value written as JSON (`[…]`, `{…}`), or the empty value (`empty` in JSON)
    for "none"/"off"; None when the text is in the short form the type reads itself. Bad JSON is
    a ValueError."""
    stripped = text.strip()
    if stripped[:1] in ("[", "{"):
        return from_json(json.loads(stripped))
    if stripped.lower() in _OFF_WORDS:
        return from_json(empty)
    return None


def _app_name(text: Any) -> str:
    if not isinstance(text, str) or not _APP_NAME.match(text.strip()):
        raise _Invalid
    return text.strip()


@record(eq=False, repr=False)
class AppList(ValueType[tuple[str, ...]]):
    def allowed_text(self) -> Text:
        return Text(
            N_(
                'a comma-separated list of executable names (as `report` shows them), e.g. "calculator,libreoffice"; '
                'or "none"'
            )
        )

    def from_text(self, text: str) -> tuple[str, ...]:
        written = _written_out(text, self.from_json, [])
        if written is not None:
            return written
        return self.from_json([p for p in text.split(",") if p.strip()])

    def from_json(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            raise _Invalid
        names = [_app_name(v) for v in value]
        return tuple(dict.fromkeys(names))

    def to_json(self, value: tuple[str, ...]) -> Any:
        return list(value)

    def to_text(self, value: tuple[str, ...]) -> str:
        return ",".join(value) if value else "none"


@record(eq=False, repr=False)
class AppLimits(ValueType[dict[str, int]]):
    minimum: int = 5
    maximum: int = 720

    def allowed_text(self) -> Text:
        return Text(
            N_(
                'executable=minutes pairs, minutes from {minimum} to {maximum}, e.g. "game=30,video=45"; or "none"'
            ),
            {"minimum": self.minimum, "maximum": self.maximum},
        )

    def from_text(self, text: str) -> dict[str, int]:
        stripped = text.strip()
        written = _written_out(stripped, self.from_json, {})
        if written is not None:
            return written
        result: dict[str, Any] = {}
        for part in stripped.split(","):
            if "=" not in part:
                raise _Invalid
            name, minutes = part.split("=", 1)
            if not minutes.strip().isdigit():
                raise _Invalid
            result[name.strip()] = int(minutes.strip())
        return self.from_json(result)

    def from_json(self, value: Any) -> dict[str, int]:
        if not isinstance(value, dict):
            raise _Invalid
        result: dict[str, int] = {}
        for name, minutes in value.items():
            if isinstance(minutes, bool) or not isinstance(minutes, int):
                raise _Invalid
            if not self.minimum <= minutes <= self.maximum:
                raise _Invalid
            result[_app_name(name)] = minutes
        return result

    def to_text(self, value: dict[str, int]) -> str:
        return ",".join(f"{k}={v}" for k, v in value.items()) if value else "none"


@record(eq=False, repr=False)
class WeekdayCaps(ValueType[dict[Weekday, int | None]]):
    """A cap per weekday that overrides the daily cap on that day ("off" = no cap that day)."""

    cap: IntRange

    def allowed_text(self) -> Text:
        return Text(
            N_(
                'day=minutes pairs with minutes from {minimum} to {maximum} or "off", '
                'e.g. "sat=120,sun=120" or "mon-fri=60"; or "none" to use the daily cap every day'
            ),
            {"minimum": self.cap.minimum, "maximum": self.cap.maximum},
        )

    def from_text(self, text: str) -> dict[Weekday, int | None]:
        stripped = text.strip()
        written = _written_out(stripped, self.from_json, {})
        if written is not None:
            return written
        result: dict[Weekday, int | None] = {}
        for part in stripped.split(";") if ";" in stripped else _split_pairs(stripped):
            if "=" not in part:
                raise _Invalid
            days_text, minutes = part.split("=", 1)
            try:
                days = _weekday_set(days_text)
            except ValueError:
                raise _Invalid from None
            value = self.cap.from_text(minutes)
            for day in days:
                result[day] = value
        return dict(sorted(result.items()))

    def from_json(self, value: Any) -> dict[Weekday, int | None]:
        if not isinstance(value, dict):
            raise _Invalid
        result: dict[Weekday, int | None] = {}
        for key, minutes in value.items():
            try:
                day = Weekday.parse(str(key))
            except ValueError:
                raise _Invalid from None
            result[day] = self.cap.from_json(minutes)
        return dict(sorted(result.items()))

    def to_json(self, value: dict[Weekday, int | None]) -> Any:
        return {day.short: minutes for day, minutes in value.items()}

    def to_text(self, value: dict[Weekday, int | None]) -> str:
        if not value:
            return "none"
        return ",".join(f"{d.short}={'off' if m is None else m}" for d, m in value.items())


def _split_pairs(text: str) -> list[str]:
    """Split "sat=120,sun=off" on commas that start a new pair (a day list may hold commas too)."""
    parts: list[str] = []
    for piece in text.split(","):
        if parts and "=" not in parts[-1]:
            parts[-1] += "," + piece
        else:
            parts.append(piece)
    return parts


@record(eq=False, repr=False)
class Downtime(ValueType[tuple[DowntimeWindow, ...]]):
    def allowed_text(self) -> Text:
        return Text(
            N_(
                'windows as "DAYS HH:MM-HH:MM" separated by ";", e.g. "sun-thu 21:00-07:00; fri,sat 23:00-08:00" '
                '(a window ending at or before its start ends the next morning); or "none"'
            )
        )

    def from_text(self, text: str) -> tuple[DowntimeWindow, ...]:
        stripped = text.strip()
        written = _written_out(stripped, self.from_json, [])
        if written is not None:
            return written
        windows = []
        for part in stripped.split(";"):
            match = re.fullmatch(r"\s*(.+?)\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*", part)
            if not match:
                raise _Invalid
            windows.append(self._window(match.group(1), match.group(2), match.group(3)))
        return tuple(windows)

    def _window(self, days_text: str, start: str, end: str) -> DowntimeWindow:
        try:
            days = _weekday_set(days_text)
            begin, finish = parse_time_of_day(start), parse_time_of_day(end)
        except ValueError:
            raise _Invalid from None
        if not days or begin == finish:
            raise _Invalid
        return DowntimeWindow(days, begin, finish)

    def from_json(self, value: Any) -> tuple[DowntimeWindow, ...]:
        if not isinstance(value, list):
            raise _Invalid
        windows = []
        for item in value:
            if not isinstance(item, dict) or set(item) != {"days", "start", "end"}:
                raise _Invalid
            days = item["days"]
            if not isinstance(days, list) or not all(isinstance(d, str) for d in days):
                raise _Invalid
            if not isinstance(item["start"], str) or not isinstance(item["end"], str):
                raise _Invalid
            windows.append(self._window(",".join(days), item["start"], item["end"]))
        return tuple(windows)

    def to_json(self, value: tuple[DowntimeWindow, ...]) -> Any:
        return [
            {
                "days": [d.short for d in sorted(w.days)],
                "start": format_time_of_day(w.start),
                "end": format_time_of_day(w.end),
            }
            for w in value
        ]

    def to_text(self, value: tuple[DowntimeWindow, ...]) -> str:
        return "; ".join(str(w) for w in value) if value else "none"


# ---------------------------------------------------------------------------------------------
# The declarations.


@record(eq=False, repr=False)
class SettingSpec:
    """How one setting is declared: its value type, what it means, whether the passcode guards it."""

    type: ValueType[Any]
    description: str
    guarded: bool = True
    group: str = "limits"


def setting(
    default: Any, type_: ValueType[Any], description: str, *, guarded: bool = True, group: str
) -> Any:
    spec = SettingSpec(type_, description, guarded, group)
    if isinstance(default, dict | list):
        return field(default_factory=lambda: type(default)(default), metadata={"spec": spec})
    return field(default=default, metadata={"spec": spec})


DAILY_CAP = IntRange(40, 120, N_("minutes"), step=5, can_be_off=True)


@record
class Settings:
    """All settings, with their defaults. Build with `Settings.from_json` or `replace`."""

    daily_cap_minutes: int | None = setting(
        60, DAILY_CAP, N_("Screen time allowed each day in counted apps"), group="limits"
    )
    weekday_caps: dict[Weekday, int | None] = setting(
        {}, WeekdayCaps(DAILY_CAP), N_("A different cap on some days of the week"), group="limits"
    )
    always_allowed: tuple[str, ...] = setting(
        (), AppList(), N_("Apps that never count and are never blocked (homework, calls)"), group="limits"
    )
    app_limits: dict[str, int] = setting(
        {}, AppLimits(), N_("A daily limit for single apps, in minutes"), group="limits"
    )
    downtime: tuple[DowntimeWindow, ...] = setting(
        (), Downtime(), N_("Hours in which counted apps are blocked, like bedtime"), group="limits"
    )
    protected_lock_limit: int = setting(
        3,
        IntRange(0, 10, N_("locks")),
        N_("Protected mode: end the session after this many locks during one block (0 = never end it)"),
        group="limits",
    )
    break_every_minutes: int | None = setting(
        30,
        IntRange(10, 120, N_("minutes"), step=5, can_be_off=True),
        N_("A break is due after this much continuous use"),
        group="breaks",
    )
    break_length_minutes: int = setting(
        5, IntRange(1, 30, N_("minutes")), N_("How long a break lasts"), group="breaks"
    )
    postpones_allowed: int = setting(
        1,
        IntRange(0, 3, N_("postpones")),
        N_("How often a break may be put off by 5 minutes (0 = strict)"),
        group="breaks",
    )
    idle_threshold_seconds: int = setting(
        180,
        IntRange(30, 1800, N_("seconds"), step=30),
        N_("After this long without input the person counts as away"),
        group="tracking",
    )
    day_starts_at: time = setting(
        time(4, 0),
        TimeOfDay(time(0, 0), time(12, 0)),
        N_("When a new day (and a fresh cap) begins"),
        group="tracking",
    )
    store_window_titles: bool = setting(
        False, Boolean(), N_("Keep window titles in the record (off: only app names)"), group="privacy"
    )
    start_at_login: bool = setting(True, Boolean(), N_("Start Wellbeing when you log in"), group="general")
    language: str = setting(
        languages.SYSTEM,
        Choice(languages.setting_choices),
        N_("Language of the app and the guide"),
        guarded=False,
        group="general",
    )

    # --- reading the declarations ------------------------------------------------------------

    @classmethod
    def specs(cls) -> dict[str, SettingSpec]:
        return {f.name: f.metadata["spec"] for f in dataclasses.fields(cls)}

    @classmethod
    def spec(cls, key: str) -> SettingSpec:
        specs = cls.specs()
        if key not in specs:
            raise SettingError(
                key, key, Text(N_("a setting name, one of: {names}"), {"names": ", ".join(specs)})
            )
        return specs[key]

    @classmethod
    def default(cls, key: str) -> Any:
        return getattr(cls(), key)

    @classmethod
    def parse_text(cls, key: str, text: str) -> Any:
        """The value of `key` written as text (command line); raises SettingError."""
        spec = cls.spec(key)
        try:
            return spec.type.from_text(text)
        except (_Invalid, ValueError, TypeError, RecursionError):  # RecursionError: deeply nested JSON
            raise SettingError(key, text, spec.type.allowed_text()) from None

    @classmethod
    def check_json(cls, key: str, value: Any) -> Any:
        """The value of `key` from JSON (storage, import); raises SettingError."""
        spec = cls.spec(key)
        try:
            return spec.type.from_json(value)
        except (_Invalid, ValueError, TypeError, RecursionError):
            raise SettingError(key, value, spec.type.allowed_text()) from None

    @classmethod
    def from_json(
        cls, raw: Mapping[str, Any], on_error: Callable[[SettingError], None] | None = None
    ) -> Settings:
        """Settings from stored JSON values. An unknown key or a bad value is reported to
        `on_error` (or raised without it) and the default is used for it."""
        values: dict[str, Any] = {}
        for key, value in raw.items():
            try:
                values[key] = cls.check_json(key, value)
            except SettingError as error:
                if on_error is None:
                    raise
                on_error(error)
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        return {key: spec.type.to_json(getattr(self, key)) for key, spec in self.specs().items()}

    def text_of(self, key: str) -> str:
        return str(self.spec(key).type.to_text(getattr(self, key)))

    def replace(self, **changes: Any) -> Settings:
        """A copy with `changes` checked first; nothing changes if any value is refused."""
        checked = {
            key: self.check_json(key, self.spec(key).type.to_json(value)) for key, value in changes.items()
        }
        return dataclasses.replace(self, **checked)

    # --- what the policy asks -----------------------------------------------------------------

    def cap_for(self, weekday: Weekday) -> int | None:
        """The cap in minutes on this weekday (None: no cap)."""
        if weekday in self.weekday_caps:
            return self.weekday_caps[weekday]
        return self.daily_cap_minutes
