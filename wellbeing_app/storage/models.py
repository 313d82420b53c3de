"""The database schema as typed ORM models; the migrations in `migrations/` must build exactly this.

Portable types only: instants are BIGINT milliseconds since the epoch (UTC), local days
INTEGER yyyymmdd, JSON is kept as TEXT, uids as bytes (`Uid`). The same models serve SQLite and
PostgreSQL.

Sizes matter: a year of use is some 350,000 spans. So a span row names its device, person and
app by small integer keys, keeps its uid in 16 bytes, and `usage_spans` is clustered on
(start_ms, uid) (WITHOUT ROWID on SQLite), which makes the time index the table itself. Per-day
totals (`usage_totals`) are kept by triggers that the migration creates, not by this code.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .convert import uid_from_db, uid_to_db

#: Constraint and index names are spelled out so that migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UID_LENGTH = 64
ID_LENGTH = 64
#: No span lasts longer (a tracker span stays inside one local day): a span overlapping a moment
#: then starts at most this long before it, which keeps range queries on the start_ms key.
MAX_SPAN_MS = 48 * 3600 * 1000
#: A span starts less than this far from the UTC midnight that begins its day (its local day is
#: at most a day and a bit away from that, at any UTC offset and day start): the spans of a day
#: are then found on the start_ms key, and `day` needs no index of its own.
DAY_REACH_MS = 4 * 24 * 3600 * 1000


class Uid(TypeDecorator[str]):
    """A uid: a string for Python, bytes in the database (16 for the usual uuid4().hex; see `uid_to_db`)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        return None if value is None else uid_to_db(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else uid_from_db(bytes(value))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DeviceRow(Base):
    """A device that writes records; `uid` is the device id the store shows (`Store.device_id`)."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True)


class PersonRow(Base):
    """A person whose use is recorded; `uid` is the person id the store shows (`Store.person_id`)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True)


class AppRow(Base):
    """An application seen in use; `name` is the latest display name seen for it."""

    __tablename__ = "apps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    executable: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    first_seen_ms: Mapped[int] = mapped_column(BigInteger)


class SpanRow(Base):
    """One `UsageSpan`, replaced by `uid` while it grows.

    Rows are kept in (start_ms, uid) order: reading a stretch of time, or a day (see
    DAY_REACH_MS), reads neighbouring rows. Every change is followed by the triggers that keep
    `usage_totals`.
    """

    __tablename__ = "usage_spans"
    __table_args__ = ({"sqlite_with_rowid": False},)

    start_ms: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    uid: Mapped[str] = mapped_column(Uid(), primary_key=True, unique=True)
    device_id: Mapped[int] = mapped_column(Integer, ForeignKey("devices.id"))
    person_id: Mapped[int] = mapped_column(Integer, ForeignKey("people.id"))
    app_id: Mapped[int] = mapped_column(Integer, ForeignKey("apps.id"))
    end_ms: Mapped[int] = mapped_column(BigInteger)
    utc_offset_s: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text)


class UsageTotalRow(Base):
    """Milliseconds and number of the spans of one person, day, app and device.

    Written only by the database's own triggers on `usage_spans` (see the migration), in the same
    transaction as the span change, so it always equals the sum over the spans, whoever writes.
    A row goes away with its last span.
    """

    __tablename__ = "usage_totals"
    __table_args__ = ({"sqlite_with_rowid": False},)

    person_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    app_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    total_ms: Mapped[int] = mapped_column(BigInteger)
    spans: Mapped[int] = mapped_column(Integer)


class EventRow(Base):
    """One `Event`; `data` is a JSON object."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_kind_at_ms", "kind", "at_ms"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(Uid(), unique=True)
    device_id: Mapped[int] = mapped_column(Integer, ForeignKey("devices.id"))
    person_id: Mapped[int] = mapped_column(Integer, ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(Text)
    at_ms: Mapped[int] = mapped_column(BigInteger)
    utc_offset_s: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer, index=True)
    data: Mapped[str] = mapped_column(Text)


class SettingRow(Base):
    """One setting; `value` is JSON."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_ms: Mapped[int] = mapped_column(BigInteger)


class PasscodeRow(Base):
    """The passcode hash; there is at most one row, with id 1. Never exported."""

    __tablename__ = "passcode"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    salt: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[bytes] = mapped_column(LargeBinary)
    n: Mapped[int] = mapped_column(Integer)
    r: Mapped[int] = mapped_column(Integer)
    p: Mapped[int] = mapped_column(Integer)
    set_ms: Mapped[int] = mapped_column(BigInteger)


class MetaRow(Base):
    """Facts about this database, such as the device id."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
