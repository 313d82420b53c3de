"""The backends every storage test runs on, and a throwaway PostgreSQL server for them.

- ``sqlite``: the SQLite file through the standard library's sqlite3 (what the app uses);
- ``sqlite-sqlalchemy``: the same file named by a URL, so through SQLAlchemy;
- ``postgresql``: a fresh database per test on a PostgreSQL server. WELLBEING_TEST_POSTGRESQL_URL
  names one (such as ``postgresql+psycopg://postgres@/postgres?host=/tmp/pg``); otherwise, as root,
  a cluster is made for the test session with Debian's PostgreSQL (`scripts/test` installs it),
  run as the ``postgres`` user on a Unix socket in a temporary folder, and removed afterwards.
  Only when neither is possible is this leg skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from wellbeing_app.storage import Store
from wellbeing_app.storage.opening import DATABASE_FILE

BACKENDS = ["sqlite", "sqlite-sqlalchemy", "postgresql"]
POSTGRESQL_URL = os.environ.get("WELLBEING_TEST_POSTGRESQL_URL")
_SERVER_USER = "postgres"


def _postgresql_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def _as_server_user(*command: str | Path) -> list[str]:
    return ["runuser", "-u", _SERVER_USER, "--", *map(str, command)]


@contextmanager
def postgresql_server() -> Iterator[str]:
    """The URL of a PostgreSQL server to make test databases on (see the module's docstring)."""
    if POSTGRESQL_URL:
        yield POSTGRESQL_URL
        return
    binaries = _postgresql_bin()
    if os.geteuid() != 0:
        pytest.skip(
            "no PostgreSQL: not root (to run one as 'postgres') and WELLBEING_TEST_POSTGRESQL_URL is unset"
        )
    if binaries is None:
        pytest.skip("no PostgreSQL: /usr/lib/postgresql/*/bin/initdb is missing (apt-get install postgresql)")
    if shutil.which("runuser") is None:
        pytest.skip("no PostgreSQL: runuser is missing, so the server cannot run as 'postgres'")
    folder = Path(tempfile.mkdtemp(prefix="wellbeing-postgresql-"))
    folder.chmod(0o755)
    shutil.chown(folder, _SERVER_USER)
    data, socket_dir = folder / "data", folder / "socket"
    subprocess.run(_as_server_user("mkdir", socket_dir), check=True, capture_output=True)
    try:
        subprocess.run(
            _as_server_user(binaries / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"),
            check=True,
            capture_output=True,
        )
        options = f"-k {socket_dir} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        subprocess.run(
            _as_server_user(
                binaries / "pg_ctl", "-D", data, "-o", options, "-l", folder / "log", "-w", "start"
            ),
            check=True,
            capture_output=True,
        )
        try:
            yield f"postgresql+psycopg://postgres@/postgres?host={socket_dir}"
        finally:
            subprocess.run(
                _as_server_user(binaries / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"),
                check=False,
                capture_output=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def fresh_database(request: pytest.FixtureRequest, backend: str, folder: Path) -> Iterator[str | None]:
    """The URL of an empty database of that backend (None: the SQLite file in `folder`, the default)."""
    if backend == "sqlite":
        yield None
        return
    if backend == "sqlite-sqlalchemy":
        yield f"sqlite:///{folder / DATABASE_FILE}"
        return
    from sqlalchemy import create_engine, make_url

    server = make_url(request.getfixturevalue("postgresql_server"))
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


def query(store: Store, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of a query run on the store's own database (to look at what it wrote)."""
    with store._database.reading() as session:
        return [tuple(row) for row in session.rows(sql, params)]


def traced(store: Store) -> list[str]:
    """A list that fills with the text of every statement the store runs from now on."""
    statements: list[str] = []
    store._database.trace(statements.append)
    return statements


def on_connect(store: Store, hook: Callable[[Any], None]) -> None:
    store._database.on_connect(hook)
