"""The backends the storage tests run on: SQLite always, PostgreSQL when there is a server.

WELLBEING_TEST_POSTGRESQL_URL names a server on which a fresh database may be made for each test,
such as ``postgresql+psycopg://postgres@/postgres?host=/tmp/pg`` (psycopg must be installed).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

POSTGRESQL_URL = os.environ.get("WELLBEING_TEST_POSTGRESQL_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRESQL_URL else [])]


@contextmanager
def fresh_database(backend: str) -> Iterator[str | None]:
    """The URL of an empty database of that backend (None: the SQLite file in the data dir)."""
    if backend == "sqlite" or POSTGRESQL_URL is None:
        yield None
        return
    from sqlalchemy import create_engine, make_url

    server = make_url(POSTGRESQL_URL)
    name = f"wellbeing_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
