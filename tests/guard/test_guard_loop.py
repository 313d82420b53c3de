"""The guard's loop as root on a real child account: its count follows the child's real window
switches on the child's own X server, its socket answers each uid for its own account only, and
hostile messages change nothing."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.childuser import CHILD
from tests.guard.desktop import ChildDesktop, child_desktop
from tests.guard.guardproc import ask_as_child
from wellbeing_app.guard.account import Account
from wellbeing_app.guard.loop import Guard
from wellbeing_app.guard.sessions import SessionState
from wellbeing_app.link import paths

pytestmark = pytest.mark.x11


class FixedSessions:
    """The sessions logind would list, fixed by the test."""

    def __init__(self, sessions: list[SessionState]) -> None:
        self.list = sessions

    def sessions(self) -> list[SessionState]:
        return list(self.list)

    def fileno(self) -> int | None:
        return None

    def process(self) -> bool:
        return False

    def close(self) -> None:
        pass


@pytest.fixture
def protected(tmp_path: Path, child: Path, monkeypatch: pytest.MonkeyPatch) -> Account:
    listing = tmp_path / "protected"
    listing.write_text(f"{CHILD}\n")
    monkeypatch.setenv(paths.PROTECTED_LIST_ENV, str(listing))
    return Account.named(CHILD)


@pytest.fixture
def desktop(child: Path) -> Iterator[ChildDesktop]:
    with child_desktop(child) as running:
        yield running


@pytest.fixture
def run_dir() -> Iterator[Path]:
    """Where the socket goes: a folder root owns that everyone may enter (like /run/wellbeing-app),
    not under pytest's temporary folders, which only root may enter."""
    folder = Path(tempfile.mkdtemp(prefix="wellbeing-guard-run-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _guard(tmp_path: Path, run: Path, account: Account, desktop: ChildDesktop) -> Guard:
    session = SessionState(
        "c1", account.uid, "x11", desktop.display, 0, active=True, idle=False, locked=False
    )
    return Guard(
        tmp_path / "state", run / "socket", FixedSessions([session]), protected=lambda: {account.name}
    )


def _run_for(guard: Guard, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        guard.step()


def test_the_guards_count_follows_the_childs_window_switches(
    tmp_path: Path, run_dir: Path, protected: Account, desktop: ChildDesktop
) -> None:
    _a, alpha = desktop.app("alphaterm")
    _b, beta = desktop.app("betaterm")
    guard = _guard(tmp_path, run_dir, protected, desktop)
    held = {"alphaterm": 0.0, "betaterm": 0.0}
    try:
        guard.start()
        plan = [
            (alpha, "alphaterm", 3.0),
            (beta, "betaterm", 2.0),
            (alpha, "alphaterm", 2.0),
            (beta, "betaterm", 1.0),
        ]
        for window, name, seconds in plan:
            desktop.activate(window)  # the switch happens while xdotool runs (a few ms)
            began = time.monotonic()
            _run_for(guard, seconds)
            held[name] += time.monotonic() - began
        status = guard.accounts[protected.uid].service.status()
    finally:
        guard.close()
    counted = {app.executable.rsplit("/", 1)[-1]: seconds for app, seconds in status.by_app}
    assert counted["alphaterm"] == pytest.approx(held["alphaterm"], abs=1.0)
    assert counted["betaterm"] == pytest.approx(held["betaterm"], abs=1.0)
    assert status.tracking


def test_each_uid_gets_its_own_account_and_root_names_one(
    tmp_path: Path,
    run_dir: Path,
    protected: Account,
    desktop: ChildDesktop,
    child: Path,
    child_packages: Path,
) -> None:
    guard = _guard(tmp_path, run_dir, protected, desktop)
    try:
        guard.start()
        socket_path = guard.server.path
        assert oct(socket_path.stat().st_mode & 0o777) == "0o666"
        pending: list[list[dict[str, object]]] = []

        def ask() -> None:
            pending.append(
                ask_as_child(
                    child,
                    child_packages,
                    socket_path,
                    [{"op": "hello"}, {"op": "status"}, {"op": "status", "user": "root"}],
                )
            )

        asker = threading.Thread(target=ask)
        asker.start()
        while asker.is_alive():
            guard.step()
        asker.join()
        hello, status, other = pending[0]
        assert hello["ok"]["user"] == CHILD  # type: ignore[index]
        assert "used_seconds" in status["ok"]  # type: ignore[operator]
        assert other["error"] == "refused"
    finally:
        guard.close()


def test_a_display_not_open_at_log_in_is_tried_again(
    tmp_path: Path, run_dir: Path, protected: Account, desktop: ChildDesktop
) -> None:
    """A log-in may start the session before its X cookie is written: the guard counts the time as
    the unknown app meanwhile, and watches the display once the cookie is there."""
    cookie = desktop.xauthority.read_bytes()
    desktop.xauthority.unlink()
    later = [0.0]
    session = SessionState(
        "c1", protected.uid, "x11", desktop.display, 0, active=True, idle=False, locked=False
    )
    guard = Guard(
        tmp_path / "state", run_dir / "socket", FixedSessions([session]), protected=lambda: {protected.name},
        monotonic=lambda: time.monotonic() + later[0],
    )  # fmt: skip
    try:
        guard.start()
        watched = guard.accounts[protected.uid]
        assert watched.probes.foreground.backend == "none"
        desktop.xauthority.write_bytes(cookie)
        shutil.chown(desktop.xauthority, CHILD, CHILD)
        later[0] = 60.0  # the next look at the list and the sessions is due
        guard.step()
        assert watched.probes.foreground.backend == "x11"
    finally:
        guard.close()
