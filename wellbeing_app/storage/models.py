"""The database schema as typed ORM models; the migrations in `migrations/` must build exactly this.

Portable types only: instants are BIGINT milliseconds since the epoch (UTC), local days
INTEGER yyyymmdd, JSON is kept as TEXT. The same models serve SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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
#: then starts at most this long before it, which keeps range queries on the start_ms index.
MAX_SPAN_MS = 48 * 3600 * 1000


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AppRow(Base):
    """An application seen in use; `name` is the latest display name seen for it."""

    __tablename__ = "apps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    executable: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    first_seen_ms: Mapped[int] = mapped_column(BigInteger)


class SpanRow(Base):
    """One `UsageSpan`, replaced by `uid` while it grows."""

    __tablename__ = "usage_spans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(UID_LENGTH), unique=True)
    device_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    person_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    app_id: Mapped[int] = mapped_column(Integer, ForeignKey("apps.id"))
    start_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    utc_offset_s: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str | None] = mapped_column(Text)


class EventRow(Base):
    """One `Event`; `data` is a JSON object."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_kind_at_ms", "kind", "at_ms"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(UID_LENGTH), unique=True)
    device_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    person_id: Mapped[str] = mapped_column(String(ID_LENGTH))
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
