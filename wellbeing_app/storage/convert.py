"""Conversions between the core's values and what is kept in the database.

Instants are stored as whole milliseconds since the epoch (UTC), so anything finer is dropped;
local days as the integer yyyymmdd; UTC offsets as whole seconds; uids as bytes.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)
_DAY_MS = 24 * 3600 * 1000
_EPOCH_ORDINAL = EPOCH.date().toordinal()
_HEX_UID = re.compile(r"[0-9a-f]{32}")
#: Appended to a uid whose UTF-8 form is 16 bytes long, so that it is not read as a hex uid;
#: UTF-8 never has this byte, so a uid cannot end with it by itself.
_NOT_HEX = b"\xff"


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch of an aware datetime (rounded down)."""
    if moment.utcoffset() is None:
        raise ValueError(f"{moment!r} is naive; storage needs datetimes with a time zone")
    return (moment - EPOCH) // _ONE_MS


def offset_seconds(moment: datetime) -> int:
    """The UTC offset of an aware datetime, in whole seconds."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"{moment!r} is naive; storage needs datetimes with a time zone")
    return int(offset.total_seconds())


@functools.lru_cache(maxsize=64)
def fixed_zone(offset_s: int) -> timezone:
    """The fixed-offset zone for an offset in seconds (UTC itself for 0)."""
    return UTC if offset_s == 0 else timezone(timedelta(seconds=offset_s))


@functools.lru_cache(maxsize=64)
def _epoch_at(offset_s: int) -> datetime:
    return EPOCH.astimezone(fixed_zone(offset_s))


def day_start_ms(day: date) -> int:
    """Milliseconds since the epoch of the UTC midnight that begins a date."""
    return (day.toordinal() - _EPOCH_ORDINAL) * _DAY_MS


def from_ms(ms: int, offset_s: int) -> datetime:
    """The aware datetime for milliseconds since the epoch, shown at the given UTC offset."""
    # Integer arithmetic on timedelta is exact, and adding to an aware datetime keeps its zone.
    return _epoch_at(offset_s) + timedelta(milliseconds=ms)


def day_number(day: date) -> int:
    """A date as the integer yyyymmdd."""
    return day.year * 10000 + day.month * 100 + day.day


def day_from_number(number: int) -> date:
    """The date of an integer yyyymmdd."""
    return date(number // 10000, number // 100 % 100, number % 100)


def local_day(moment: datetime, day_starts_at: time) -> date:
    """The day a moment belongs to, in the moment's own offset, when days start at `day_starts_at`."""
    since_midnight = timedelta(hours=day_starts_at.hour, minutes=day_starts_at.minute)
    return (moment - since_midnight).date()


def iso(moment: datetime) -> str:
    """ISO-8601 with the moment's own offset; milliseconds only when there are any."""
    return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")


def uid_to_db(uid: str) -> bytes:
    """A uid as stored: 32 lowercase hex digits (`uuid4().hex`, what the app makes) become their 16
    bytes; any other uid is its UTF-8 text, with one 0xFF byte after it when that text is 16 bytes
    long. Every uid has exactly one stored form, and `uid_from_db` gives the uid back unchanged.
    """
    if len(uid) == 32 and _HEX_UID.fullmatch(uid):
        return bytes.fromhex(uid)
    text = uid.encode("utf-8", "surrogatepass")
    return text + _NOT_HEX if len(text) == 16 else text


def uid_from_db(stored: bytes) -> str:
    """The uid of a stored form made by `uid_to_db`."""
    if len(stored) == 16:
        return stored.hex()
    if stored.endswith(_NOT_HEX):
        stored = stored[:-1]
    return stored.decode("utf-8", "surrogatepass")
