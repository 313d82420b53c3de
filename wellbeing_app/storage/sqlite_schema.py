"""The newest schema as SQLite statements, for making a fresh database without SQLAlchemy or alembic.

The SQLAlchemy Core tables in `models.py`, built by the migrations, stay the one source of the
schema: `tests/storage/test_store_schema.py` makes a database both ways and fails when the
tables, indexes or triggers here differ from theirs in anything but white space. A new revision
changes this file too (the test says how).
"""

from __future__ import annotations

#: The revision these statements build; opening checks it against the newest migration.
REVISION = "0001"

_TOTAL_KEY = "person_id, day, app_id, device_id"
_OLD_KEY = "person_id = OLD.person_id AND day = OLD.day AND app_id = OLD.app_id AND device_id = OLD.device_id"
_SAME_KEY = (
    "OLD.person_id = NEW.person_id AND OLD.day = NEW.day AND OLD.app_id = NEW.app_id "
    "AND OLD.device_id = NEW.device_id"
)
_ADD_NEW = f"""
    INSERT INTO usage_totals ({_TOTAL_KEY}, total_ms, spans)
    VALUES (NEW.person_id, NEW.day, NEW.app_id, NEW.device_id, NEW.end_ms - NEW.start_ms, 1)
    ON CONFLICT ({_TOTAL_KEY})
    DO UPDATE SET total_ms = total_ms + excluded.total_ms, spans = spans + 1;"""
_TAKE_OLD = f"""
    UPDATE usage_totals SET total_ms = total_ms - (OLD.end_ms - OLD.start_ms), spans = spans - 1
    WHERE {_OLD_KEY};
    DELETE FROM usage_totals WHERE {_OLD_KEY} AND spans = 0;"""

STATEMENTS = (
    """CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))""",
    """CREATE TABLE devices (
    id INTEGER NOT NULL,
    uid VARCHAR(64) NOT NULL,
    CONSTRAINT pk_devices PRIMARY KEY (id),
    CONSTRAINT uq_devices_uid UNIQUE (uid))""",
    """CREATE TABLE people (
    id INTEGER NOT NULL,
    uid VARCHAR(64) NOT NULL,
    CONSTRAINT pk_people PRIMARY KEY (id),
    CONSTRAINT uq_people_uid UNIQUE (uid))""",
    """CREATE TABLE apps (
    id INTEGER NOT NULL,
    executable TEXT NOT NULL,
    name TEXT NOT NULL,
    first_seen_ms BIGINT NOT NULL,
    CONSTRAINT pk_apps PRIMARY KEY (id),
    CONSTRAINT uq_apps_executable UNIQUE (executable))""",
    """CREATE TABLE usage_spans (
    start_ms BIGINT NOT NULL,
    uid BLOB NOT NULL,
    device_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    app_id INTEGER NOT NULL,
    end_ms BIGINT NOT NULL,
    utc_offset_s INTEGER NOT NULL,
    day INTEGER NOT NULL,
    title TEXT,
    CONSTRAINT pk_usage_spans PRIMARY KEY (start_ms, uid),
    CONSTRAINT fk_usage_spans_app_id_apps FOREIGN KEY(app_id) REFERENCES apps (id),
    CONSTRAINT fk_usage_spans_device_id_devices FOREIGN KEY(device_id) REFERENCES devices (id),
    CONSTRAINT fk_usage_spans_person_id_people FOREIGN KEY(person_id) REFERENCES people (id),
    CONSTRAINT uq_usage_spans_uid UNIQUE (uid))
    WITHOUT ROWID""",
    f"""CREATE TABLE usage_totals (
    person_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    app_id INTEGER NOT NULL,
    device_id INTEGER NOT NULL,
    total_ms BIGINT NOT NULL,
    spans INTEGER NOT NULL,
    CONSTRAINT pk_usage_totals PRIMARY KEY ({_TOTAL_KEY}))
    WITHOUT ROWID""",
    f"CREATE TRIGGER usage_totals_after_insert AFTER INSERT ON usage_spans BEGIN {_ADD_NEW}\nEND",
    f"CREATE TRIGGER usage_totals_after_delete AFTER DELETE ON usage_spans BEGIN {_TAKE_OLD}\nEND",
    f"""CREATE TRIGGER usage_totals_after_update_in_place AFTER UPDATE ON usage_spans
    WHEN {_SAME_KEY} BEGIN
    UPDATE usage_totals
    SET total_ms = total_ms + (NEW.end_ms - NEW.start_ms) - (OLD.end_ms - OLD.start_ms)
    WHERE {_OLD_KEY};
END""",
    f"""CREATE TRIGGER usage_totals_after_update_moved AFTER UPDATE ON usage_spans
    WHEN NOT ({_SAME_KEY}) BEGIN {_TAKE_OLD} {_ADD_NEW}
END""",
    """CREATE TABLE events (
    id INTEGER NOT NULL,
    uid BLOB NOT NULL,
    device_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    utc_offset_s INTEGER NOT NULL,
    day INTEGER NOT NULL,
    data TEXT NOT NULL,
    CONSTRAINT pk_events PRIMARY KEY (id),
    CONSTRAINT fk_events_device_id_devices FOREIGN KEY(device_id) REFERENCES devices (id),
    CONSTRAINT fk_events_person_id_people FOREIGN KEY(person_id) REFERENCES people (id),
    CONSTRAINT uq_events_uid UNIQUE (uid))""",
    "CREATE INDEX ix_events_day ON events (day)",
    "CREATE INDEX ix_events_kind_at_ms ON events (kind, at_ms)",
    """CREATE TABLE settings (
    "key" VARCHAR(128) NOT NULL,
    value TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    CONSTRAINT pk_settings PRIMARY KEY ("key"))""",
    """CREATE TABLE passcode (
    id INTEGER NOT NULL,
    salt BLOB NOT NULL,
    digest BLOB NOT NULL,
    n INTEGER NOT NULL,
    r INTEGER NOT NULL,
    p INTEGER NOT NULL,
    set_ms BIGINT NOT NULL,
    CONSTRAINT pk_passcode PRIMARY KEY (id),
    CONSTRAINT ck_passcode_single_row CHECK (id = 1))""",
    """CREATE TABLE meta (
    "key" VARCHAR(64) NOT NULL,
    value TEXT NOT NULL,
    CONSTRAINT pk_meta PRIMARY KEY ("key"))""",
)

STAMP = "INSERT INTO alembic_version (version_num) VALUES (:revision)"

#: The tables of this revision (without alembic's), for the check that a file stamped with it has them.
TABLES = (
    "devices",
    "people",
    "apps",
    "usage_spans",
    "usage_totals",
    "events",
    "settings",
    "passcode",
    "meta",
)
