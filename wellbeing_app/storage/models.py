"""The database schema as SQLAlchemy Core tables; the migrations in `migrations/` must build exactly this.

The one source of the schema: `sqlite_schema` repeats it for SQLite without SQLAlchemy, and a test
checks that the two agree.

Portable types only: instants are BIGINT milliseconds since the epoch (UTC), local days
INTEGER yyyymmdd, JSON is kept as TEXT, uids as bytes (`Uid`). The same tables serve SQLite and
PostgreSQL.

Sizes matter: a year of use is some 350,000 spans. So a span row names its device, person and
app by small integer keys, keeps its uid in 16 bytes, and `usage_spans` is clustered on
(start_ms, uid) (WITHOUT ROWID on SQLite), which makes the time index the table itself. Per-day
totals (`usage_totals`) are kept by triggers that the migration creates, not by this code.

Core tables rather than ORM classes: nothing here needs the ORM, and importing it and mapping the
classes took a fifth of the time of a quick command such as `status`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

from .convert import uid_from_db, uid_to_db
from .limits import ID_LENGTH

#: Constraint and index names are spelled out so that migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Uid(TypeDecorator[str]):
    """A uid: a string for Python, bytes in the database (16 for the usual uuid4().hex; see `uid_to_db`)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        return None if value is None else uid_to_db(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else uid_from_db(bytes(value))


metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _required(name: str, kind: Any, *args: Any, **kwargs: Any) -> Column[Any]:
    return Column(name, kind, *args, nullable=False, **kwargs)


#: A device that writes records; `uid` is the device id the store shows (`Store.device_id`).
devices_table = Table(
    "devices",
    metadata,
    _required("id", Integer, primary_key=True),
    _required("uid", String(ID_LENGTH), unique=True),
)

#: A person whose use is recorded; `uid` is the person id the store shows (`Store.person_id`).
people_table = Table(
    "people",
    metadata,
    _required("id", Integer, primary_key=True),
    _required("uid", String(ID_LENGTH), unique=True),
)

#: An application seen in use; `name` is the latest display name seen for it.
apps_table = Table(
    "apps",
    metadata,
    _required("id", Integer, primary_key=True),
    _required("executable", Text, unique=True),
    _required("name", Text),
    _required("first_seen_ms", BigInteger),
)

#: One `UsageSpan`, replaced by `uid` while it grows. Rows are kept in (start_ms, uid) order:
#: reading a stretch of time, or a day (see DAY_REACH_MS), reads neighbouring rows. Every change
#: is followed by the triggers that keep `usage_totals`.
spans_table = Table(
    "usage_spans",
    metadata,
    _required("start_ms", BigInteger, primary_key=True),
    _required("uid", Uid(), primary_key=True, unique=True),
    _required("device_id", Integer, ForeignKey("devices.id")),
    _required("person_id", Integer, ForeignKey("people.id")),
    _required("app_id", Integer, ForeignKey("apps.id")),
    _required("end_ms", BigInteger),
    _required("utc_offset_s", Integer),
    _required("day", Integer),
    Column("title", Text, nullable=True),
    sqlite_with_rowid=False,
)

#: Milliseconds and number of the spans of one person, day, app and device. Written only by the
#: database's own triggers on `usage_spans` (see the migration), in the same transaction as the
#: span change, so it always equals the sum over the spans, whoever writes. A row goes away with
#: its last span.
totals_table = Table(
    "usage_totals",
    metadata,
    _required("person_id", Integer, primary_key=True),
    _required("day", Integer, primary_key=True),
    _required("app_id", Integer, primary_key=True),
    _required("device_id", Integer, primary_key=True),
    _required("total_ms", BigInteger),
    _required("spans", Integer),
    sqlite_with_rowid=False,
)

#: One `Event`; `data` is a JSON object.
events_table = Table(
    "events",
    metadata,
    _required("id", Integer, primary_key=True),
    _required("uid", Uid(), unique=True),
    _required("device_id", Integer, ForeignKey("devices.id")),
    _required("person_id", Integer, ForeignKey("people.id")),
    _required("kind", Text),
    _required("at_ms", BigInteger),
    _required("utc_offset_s", Integer),
    _required("day", Integer, index=True),
    _required("data", Text),
    Index("ix_events_kind_at_ms", "kind", "at_ms"),
)

#: One setting; `value` is JSON.
settings_table = Table(
    "settings",
    metadata,
    _required("key", String(128), primary_key=True),
    _required("value", Text),
    _required("updated_ms", BigInteger),
)

#: The passcode hash; there is at most one row, with id 1. Never exported.
passcode_table = Table(
    "passcode",
    metadata,
    _required("id", Integer, primary_key=True, autoincrement=False),
    _required("salt", LargeBinary),
    _required("digest", LargeBinary),
    _required("n", Integer),
    _required("r", Integer),
    _required("p", Integer),
    _required("set_ms", BigInteger),
    CheckConstraint("id = 1", name="single_row"),
)

#: Facts about this database, such as the device id.
meta_table = Table(
    "meta",
    metadata,
    _required("key", String(64), primary_key=True),
    _required("value", Text),
)
