"""Fixtures for the storage tests: real SQLite files under tmp_path, and a real PostgreSQL server.

The `store` fixture runs its tests on every backend in `backends.BACKENDS` (as aw-core's
`param_datastore_objects` does). Tests about SQLite itself ask for
``@pytest.mark.parametrize("store", ["sqlite", "sqlite-sqlalchemy"], indirect=True)``.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from wellbeing_app.storage import Store, open_store

from . import backends
from .backends import BACKENDS, fresh_database


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[str]:
    with backends.postgresql_server() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[Store]:
    with fresh_database(request, request.param, data_dir) as url:
        result = open_store(data_dir, url=url)
        assert result.notice is None
        yield result.store
        result.store.close()


def _writable(folder: Path) -> bool:
    probe = folder / "probe"
    try:
        probe.write_text("x")
    except OSError:
        return False
    probe.unlink()
    return True


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody can write into: chmod does it for users; root needs the immutable attribute."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    chattr = shutil.which("chattr")
    immutable = False
    if _writable(folder):
        if chattr is None or subprocess.run([chattr, "+i", str(folder)], check=False).returncode != 0:
            folder.chmod(0o755)
            pytest.skip("cannot make a folder read-only here (root, and chattr +i is not allowed)")
        immutable = True
    yield folder
    if immutable and chattr is not None:
        subprocess.run([chattr, "-i", str(folder)], check=True)
    folder.chmod(0o755)
