"""Create every table (devices, people, apps, usage spans and their totals, events, settings,
passcode, meta) and the triggers that keep the usage totals.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TOTAL_KEY = ("person_id", "day", "app_id", "device_id")

# The totals follow every change of usage_spans in the same transaction, whoever makes it (several
# processes or devices may write). An insert adds its span, a delete takes it away (the row goes
# with its last span), an update does both unless the key stays, when it adds the difference
# (the usual case: an open span growing). An upsert that updates fires only the update trigger.
# INSERT OR REPLACE would not fire the delete trigger: the store never uses it.
_SQLITE_SAME_KEY = " AND ".join(f"OLD.{column} = NEW.{column}" for column in _TOTAL_KEY)
_SQLITE_OLD_KEY = " AND ".join(f"{column} = OLD.{column}" for column in _TOTAL_KEY)
_SQLITE_ADD_NEW = f"""
    INSERT INTO usage_totals ({", ".join(_TOTAL_KEY)}, total_ms, spans)
    VALUES (NEW.person_id, NEW.day, NEW.app_id, NEW.device_id, NEW.end_ms - NEW.start_ms, 1)
    ON CONFLICT ({", ".join(_TOTAL_KEY)})
    DO UPDATE SET total_ms = total_ms + excluded.total_ms, spans = spans + 1;"""
_SQLITE_TAKE_OLD = f"""
    UPDATE usage_totals SET total_ms = total_ms - (OLD.end_ms - OLD.start_ms), spans = spans - 1
    WHERE {_SQLITE_OLD_KEY};
    DELETE FROM usage_totals WHERE {_SQLITE_OLD_KEY} AND spans = 0;"""
SQLITE_TRIGGERS = {
    "usage_totals_after_insert": f"AFTER INSERT ON usage_spans BEGIN {_SQLITE_ADD_NEW}\nEND",
    "usage_totals_after_delete": f"AFTER DELETE ON usage_spans BEGIN {_SQLITE_TAKE_OLD}\nEND",
    "usage_totals_after_update_in_place": f"""AFTER UPDATE ON usage_spans WHEN {_SQLITE_SAME_KEY} BEGIN
    UPDATE usage_totals
    SET total_ms = total_ms + (NEW.end_ms - NEW.start_ms) - (OLD.end_ms - OLD.start_ms)
    WHERE {_SQLITE_OLD_KEY};
END""",
    "usage_totals_after_update_moved": f"""AFTER UPDATE ON usage_spans WHEN NOT ({_SQLITE_SAME_KEY}) BEGIN
    {_SQLITE_TAKE_OLD}
    {_SQLITE_ADD_NEW}
END""",
}

# The same for PostgreSQL, as one trigger function. INSERT … ON CONFLICT DO UPDATE and row locks
# keep it exact with concurrent writers at READ COMMITTED; and as device_id is part of the key,
# two devices never wait for each other's totals. The storage tests run on a real PostgreSQL server
# (tests/storage/backends.py starts one).
_PG_OLD_KEY = " AND ".join(f"{column} = OLD.{column}" for column in _TOTAL_KEY)
POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION usage_totals_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF ({", ".join(f"OLD.{c}" for c in _TOTAL_KEY)}) = ({", ".join(f"NEW.{c}" for c in _TOTAL_KEY)}) THEN
            UPDATE usage_totals
            SET total_ms = total_ms + (NEW.end_ms - NEW.start_ms) - (OLD.end_ms - OLD.start_ms)
            WHERE {_PG_OLD_KEY};
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE usage_totals
        SET total_ms = total_ms - (OLD.end_ms - OLD.start_ms), spans = spans - 1
        WHERE {_PG_OLD_KEY};
        DELETE FROM usage_totals WHERE {_PG_OLD_KEY} AND spans = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO usage_totals ({", ".join(_TOTAL_KEY)}, total_ms, spans)
        VALUES (NEW.person_id, NEW.day, NEW.app_id, NEW.device_id, NEW.end_ms - NEW.start_ms, 1)
        ON CONFLICT ({", ".join(_TOTAL_KEY)}) DO UPDATE
        SET total_ms = usage_totals.total_ms + EXCLUDED.total_ms, spans = usage_totals.spans + 1;
    END IF;
    RETURN NULL;
END
$$"""
POSTGRESQL_TRIGGER = (
    "CREATE TRIGGER usage_totals_follow AFTER INSERT OR UPDATE OR DELETE ON usage_spans "
    "FOR EACH ROW EXECUTE FUNCTION usage_totals_follow()"
)


def _create_triggers() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    elif dialect == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        raise NotImplementedError(
            f"the usage totals are kept by triggers written for SQLite and PostgreSQL, not for {dialect}"
        )


def _drop_triggers() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS usage_totals_follow ON usage_spans")
        op.execute("DROP FUNCTION IF EXISTS usage_totals_follow()")


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("uid", name=op.f("uq_devices_uid")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("uid", name=op.f("uq_people_uid")),
    )
    op.create_table(
        "apps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("executable", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("first_seen_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apps")),
        sa.UniqueConstraint("executable", name=op.f("uq_apps_executable")),
    )
    op.create_table(
        "usage_spans",
        sa.Column("start_ms", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.LargeBinary(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("end_ms", sa.BigInteger(), nullable=False),
        sa.Column("utc_offset_s", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name=op.f("fk_usage_spans_app_id_apps")),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_usage_spans_device_id_devices")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_usage_spans_person_id_people")),
        sa.PrimaryKeyConstraint("start_ms", "uid", name=op.f("pk_usage_spans")),
        sa.UniqueConstraint("uid", name=op.f("uq_usage_spans_uid")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "usage_totals",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("total_ms", sa.BigInteger(), nullable=False),
        sa.Column("spans", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*_TOTAL_KEY, name=op.f("pk_usage_totals")),
        sqlite_with_rowid=False,
    )
    _create_triggers()
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.LargeBinary(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("utc_offset_s", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_events_device_id_devices")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_events_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("uid", name=op.f("uq_events_uid")),
    )
    op.create_index(op.f("ix_events_day"), "events", ["day"])
    op.create_index("ix_events_kind_at_ms", "events", ["kind", "at_ms"])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "passcode",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.LargeBinary(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("r", sa.Integer(), nullable=False),
        sa.Column("p", sa.Integer(), nullable=False),
        sa.Column("set_ms", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_passcode_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passcode")),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )


def downgrade() -> None:
    op.drop_table("meta")
    op.drop_table("passcode")
    op.drop_table("settings")
    op.drop_index("ix_events_kind_at_ms", table_name="events")
    op.drop_index(op.f("ix_events_day"), table_name="events")
    op.drop_table("events")
    _drop_triggers()
    op.drop_table("usage_totals")
    op.drop_table("usage_spans")
    op.drop_table("apps")
    op.drop_table("people")
    op.drop_table("devices")
