"""The guard watches a child's X11 session itself, as root, with the child's own X cookie: the app
the child brings to the front is the one counted; the cookie is read only from the child's own file."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.childuser import CHILD, as_child
from tests.guard.desktop import child_desktop
from tests.tracker.linux_desktop import stop, wait_until
from wellbeing_app.core.model import SELF_APP
from wellbeing_app.guard.account import Account
from wellbeing_app.guard.errors import GuardError
from wellbeing_app.guard.sessions import (
    SessionState,
    SessionWatch,
    account_cookie,
    agent_process_problem,
    parse_xauthority,
    pick_cookie,
)
from wellbeing_app.tracker.clock import SystemClock
from wellbeing_app.tracker.sampler import Sampler

pytestmark = pytest.mark.x11


def _state(display: str, **changes: object) -> SessionState:
    values: dict[str, object] = {
        "session_id": "c1", "uid": 0, "kind": "x11", "display": display, "leader": 0,
        "active": True, "idle": False, "locked": False,
    }  # fmt: skip
    values.update(changes)
    return SessionState(**values)  # type: ignore[arg-type]


def test_the_guard_sees_the_childs_window_switches_with_the_childs_cookie(child: Path) -> None:
    account = Account.named(CHILD)
    assert "XAUTHORITY" not in os.environ or Path(os.environ["XAUTHORITY"]) != child / ".Xauthority"
    with child_desktop(child) as desktop:
        _alpha, alpha = desktop.app("alphaterm")
        beta_process, beta = desktop.app("betaterm")
        agents: set[int] = set()
        watch = SessionWatch(
            account, _state(desktop.display, uid=account.uid), is_agent=lambda pid: pid in agents
        )
        try:
            assert watch.reason is None
            sampler = Sampler(watch.probes, SystemClock())
            for window, name in ((alpha, "alphaterm"), (beta, "betaterm"), (alpha, "alphaterm")):
                desktop.activate(window)
                app = wait_until(
                    lambda name=name: (
                        (s := sampler.sample(with_title=False)).app
                        and s.app.executable.endswith(name)
                        and s.app
                    ),
                    what=f"{name} in front",
                )
                # A program in the child's home is known by its path, never as an allowed xterm.
                assert app.executable == str(child / name)
            # A window of the agent (told by pid, as the guard's socket knows it) is this app's own.
            desktop.activate(beta)
            agents.add(beta_process.pid)
            assert wait_until(
                lambda: sampler.sample(with_title=False).app == SELF_APP, what="the agent's window"
            )
            # Idle time comes from the child's X server; logind says locked or switched away.
            assert sampler.sample(with_title=False).idle_seconds is not None
            watch.update(_state(desktop.display, uid=account.uid, active=False))
            assert sampler.sample(with_title=False).locked
        finally:
            watch.close()


def test_without_the_childs_cookie_the_session_counts_as_an_unknown_app(child: Path) -> None:
    account = Account.named(CHILD)
    with child_desktop(child) as desktop:
        real = desktop.xauthority.read_bytes()
        desktop.xauthority.unlink()
        os.symlink("/etc/shadow", desktop.xauthority)  # the child points their cookie at a secret
        try:
            with pytest.raises(GuardError, match="cannot open"):
                account_cookie(account, desktop.display, 0)
            watch = SessionWatch(
                account, _state(desktop.display, uid=account.uid), is_agent=lambda pid: False
            )
            try:
                assert watch.reason is not None
                sample = Sampler(watch.probes, SystemClock()).sample(with_title=False)
                assert sample.app is not None
                assert sample.app.executable == "unknown"
                assert sample.idle_seconds == 0.0  # logind: active, not idle: the time counts
            finally:
                watch.close()
        finally:
            desktop.xauthority.unlink()
            desktop.xauthority.write_bytes(real)


def test_a_cookie_for_another_display_is_not_used() -> None:
    entries = parse_xauthority(
        b"\x01\x00" + b"\x00\x04host" + b"\x00\x011" + b"\x00\x12MIT-MAGIC-COOKIE-1" + b"\x00\x02ab"
    )
    assert pick_cookie(entries, ":1", b"host") == (b"MIT-MAGIC-COOKIE-1", b"ab")
    with pytest.raises(GuardError, match="no MIT-MAGIC-COOKIE-1 for display :2"):
        pick_cookie(entries, ":2", b"host")
    with pytest.raises(GuardError, match="ends inside an entry"):
        parse_xauthority(b"\x01\x00\x00\x09host")


@pytest.fixture
def installed(child_packages: Path) -> Iterator[Path]:
    """The packages where an installation puts them: a folder root alone may write, under folders
    root alone may write (not under /tmp, which everyone may write)."""
    folder = Path(tempfile.mkdtemp(prefix="wellbeing-installed-", dir="/run"))
    folder.chmod(0o755)
    shutil.copytree(child_packages, folder, dirs_exist_ok=True)
    yield folder
    shutil.rmtree(folder)


def test_only_wellbeing_app_from_code_the_child_cannot_change_passes_for_the_agent(
    child: Path, installed: Path
) -> None:
    account = Account.named(CHILD)
    child_packages = installed
    theirs = child / "theirs"
    theirs.mkdir(exist_ok=True)
    shutil.chown(theirs, CHILD, CHILD)
    hold = ["-c", "import time; time.sleep(30)"]
    started = {
        "agent": as_child(child, "", "/usr/bin/python3", "-m", "wellbeing_app", "--passcode-stdin", "passcode", "set",
                          packages=child_packages, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL),
        "game": as_child(child, "", "sleep", "30"),
        "posing": as_child(child, "", "/usr/bin/python3", *hold, "wellbeing_app", packages=child_packages),
        "their path": as_child(child, "", "/usr/bin/python3", "-m", "wellbeing_app", "--passcode-stdin", "passcode",
                               "set", packages=theirs, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL),
    }  # fmt: skip
    try:
        for process in started.values():  # setpriv and env exec the program in the same process
            wait_until(
                lambda p=process: os.path.basename(psutil.Process(p.pid).exe()) not in ("setpriv", "env"),
                what="the program to start",
            )
        problems = {name: agent_process_problem(process.pid, account) for name, process in started.items()}
    finally:
        for process in started.values():
            stop(process)
    assert problems["agent"] is None
    assert "not wellbeing_app" in (problems["game"] or "")
    assert "not wellbeing_app" in (problems["posing"] or "")
    assert f"its PYTHONPATH names {theirs}, which {CHILD} can change" in (problems["their path"] or "")


def test_a_session_that_says_it_is_locked_while_the_child_types_is_not_believed(
    child: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any program of the child's may set logind's LockedHint on its own session; the guard
    believes it only after a few seconds without input on the X server it watches itself."""
    from wellbeing_app.guard import sessions

    monkeypatch.setattr(sessions, "LOCK_BELIEVED_AFTER_IDLE_SECONDS", 1.0)
    account = Account.named(CHILD)
    with child_desktop(child) as desktop:
        _game, game = desktop.app("gameterm")
        desktop.activate(game)
        watch = SessionWatch(
            account, _state(desktop.display, uid=account.uid, locked=True), is_agent=lambda pid: False
        )
        try:
            assert watch.reason is None
            desktop.xdotool("mousemove", "10", "10", "mousemove", "20", "20")
            assert watch.locked() is False  # input just now: in use, whatever the hint says
            desktop.xdotool("mousemove", "30", "30")
            sample = Sampler(watch.probes, SystemClock()).sample(with_title=False)
            assert not sample.locked  # so its time counts
            assert wait_until(watch.locked, timeout=10)  # untouched for a second: believed
            watch.update(_state(desktop.display, uid=account.uid, locked=False))
            assert watch.locked() is False
            watch.update(_state(desktop.display, uid=account.uid, locked=False, active=False))
            assert watch.locked() is True  # switched away on the seat: logind's word, not the child's
        finally:
            watch.close()
