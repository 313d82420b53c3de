"""The guard's logind client against logind's stand-in (python3-dbusmock) on a private system bus."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.guard.logind_mock import LogindMock, session_path
from wellbeing_app.guard.logind import Logind, LogindError, SessionInfo, system_bus_address


@pytest.fixture
def logind(logind_bus: str) -> Iterator[Logind]:
    with Logind.connect(logind_bus) as client:
        yield client


def test_sessions_are_read_as_logind_has_them(logind_mock: LogindMock, logind: Logind) -> None:
    logind_mock.add_session(
        "c2",
        uid=1001,
        user="kid",
        type="x11",
        display=":7",
        idle=True,
        idle_since_usec=1_700_000_000_000_000,
        locked=True,
        leader=4242,
    )
    logind_mock.add_session("3", uid=1000, user="parent", seat="seat1", active=False, type="wayland")
    logind_mock.add_session("4", uid=1001, user="kid", type="tty", remote=True, class_="background")

    sessions = {session.id: session for session in logind.sessions()}

    assert sessions == {
        "c2": SessionInfo(
            id="c2",
            uid=1001,
            user="kid",
            type="x11",
            display=":7",
            active=True,
            idle=True,
            idle_since_usec=1_700_000_000_000_000,
            locked=True,
            remote=False,
            state="active",
            leader=4242,
            class_="user",
            path=session_path("c2"),
        ),
        "3": SessionInfo(
            id="3",
            uid=1000,
            user="parent",
            type="wayland",
            display="",
            active=False,
            idle=False,
            idle_since_usec=0,
            locked=False,
            remote=False,
            state="online",
            leader=1,
            class_="user",
            path=session_path("3"),
        ),
        "4": SessionInfo(
            id="4",
            uid=1001,
            user="kid",
            type="tty",
            display="",
            active=True,
            idle=False,
            idle_since_usec=0,
            locked=False,
            remote=True,
            state="active",
            leader=1,
            class_="background",
            path=session_path("4"),
        ),
    }
    assert [sessions[name].graphical for name in ("c2", "3", "4")] == [True, True, False]


def test_a_change_in_logind_shows_at_the_next_read(logind_mock: LogindMock, logind: Logind) -> None:
    logind_mock.add_session("5", uid=1001, user="kid")
    assert logind.session("5").locked is False

    logind_mock.set_session("5", LockedHint=True, IdleHint=True)

    assert (logind.session("5").locked, logind.session("5").idle) == (True, True)


def test_no_sessions_is_an_empty_list(logind: Logind) -> None:
    assert logind.sessions() == []


def test_lock_unlock_and_terminate_reach_logind(logind_mock: LogindMock, logind: Logind) -> None:
    logind_mock.add_session("c2", uid=1001, user="kid")

    logind.lock("c2")
    logind.unlock("c2")
    logind.terminate("c2")

    calls = [(call.method, call.args) for call in logind_mock.calls()]
    assert calls == [("LockSession", ("c2",)), ("UnlockSession", ("c2",)), ("TerminateSession", ("c2",))]
    assert logind.sessions() == []  # like logind, the stand-in ends the session


def test_a_screen_locker_sets_the_locked_hint_after_a_lock(logind_mock: LogindMock, logind: Logind) -> None:
    logind_mock.add_session("c2", uid=1001, user="kid")
    logind.lock("c2")
    assert logind.session("c2").locked is False  # no locker in the session: nothing locks

    logind_mock.screen_locker(True)
    logind.lock("c2")
    assert logind.session("c2").locked is True
    logind.unlock("c2")
    assert logind.session("c2").locked is False


def test_an_unknown_session_is_refused_with_its_id(logind_mock: LogindMock, logind: Logind) -> None:
    with pytest.raises(LogindError, match=r"refused to lock session '9'.*NoSuchSession.*system bus at unix:"):
        logind.lock("9")


@pytest.mark.parametrize("session_id", ["", "self", "auto", " "])
def test_the_callers_own_session_is_never_asked_for(
    logind_mock: LogindMock, logind: Logind, session_id: str
) -> None:
    with pytest.raises(LogindError, match="caller's own session"):
        logind.terminate(session_id)
    assert logind_mock.calls() == []


def test_a_missing_bus_is_named(tmp_path: Path) -> None:
    address = f"unix:path={tmp_path}/no_bus_here"
    with pytest.raises(LogindError, match=f"cannot connect to the system bus at {address}"):
        Logind.connect(address)


def test_a_bus_without_logind_is_named(logind_mock: LogindMock) -> None:
    logind_mock.stop_logind()
    with (
        Logind.connect(logind_mock.address) as logind,
        pytest.raises(
            LogindError,
            match=rf"logind \(org.freedesktop.login1\) is not running on the system bus at {re.escape(logind_mock.address)}",
        ),
    ):
        logind.sessions()


def test_a_socket_that_speaks_no_dbus_is_an_error_not_a_hang(tmp_path: Path) -> None:
    path = tmp_path / "mute"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        listener.listen()
        with pytest.raises(LogindError, match=f"cannot connect to the system bus at unix:path={path}"):
            Logind.connect(f"unix:path={path}", timeout=0.2)


def test_a_lost_bus_fails_the_call_and_the_next_call_connects_again(
    logind_mock: LogindMock, logind: Logind
) -> None:
    logind_mock.add_session("c2", uid=1001, user="kid")
    logind._connection.close()  # type: ignore[union-attr]  # the bus went away under us

    with pytest.raises(LogindError, match="lost the system bus when asked to list the sessions"):
        logind.sessions()
    assert [session.id for session in logind.sessions()] == ["c2"]


def test_the_address_comes_from_the_environment() -> None:
    assert system_bus_address({"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/x"}) == "unix:path=/x"
    assert system_bus_address({}) == "unix:path=/var/run/dbus/system_bus_socket"
