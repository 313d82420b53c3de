"""Fixtures of the guard's tests: logind stood in by python3-dbusmock on a private system bus."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.guard.logind_mock import LogindMock, mock_available


@pytest.fixture(scope="session")
def _logind_mock_runs() -> None:
    reason = mock_available()
    if reason is not None:
        pytest.fail(f"the logind mock cannot run here: {reason}")


@pytest.fixture
def logind_mock(_logind_mock_runs: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LogindMock]:
    """A fresh logind stand-in on its own system bus, with no sessions yet."""
    # A short folder: a Unix socket's path may be at most 107 bytes.
    mock = LogindMock.start(tmp_path_factory.mktemp("bus"))
    yield mock
    mock.stop()


@pytest.fixture
def logind_bus(logind_mock: LogindMock) -> str:
    """The address of a private system bus on which the logind stand-in runs."""
    return logind_mock.address
