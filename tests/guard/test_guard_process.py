"""The guard as root in its own process, a real child account on its own X server, logind stood in
by dbusmock: the count follows the child's switches and survives a restart; the child cannot kill,
stop, trace or read the guard; root's --user commands work; hostile messages change nothing."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import psutil
import pytest

from tests.childuser import CHILD, run_as_child
from tests.guard.desktop import ChildDesktop, child_desktop
from tests.guard.guardproc import (
    GuardPlaces,
    ask_as_child,
    guard_places,
    running_guard,
    seconds_of,
    start_guard,
    stop_guard,
)
from tests.guard.logind_mock import LogindMock
from tests.link.running import read_line
from tests.tracker.linux_desktop import require, wait_until
from wellbeing_app.guard.account import Account
from wellbeing_app.link.protocol import LinkError

pytestmark = [pytest.mark.x11, pytest.mark.slow]


@pytest.fixture
def desktop(child: Path) -> Iterator[ChildDesktop]:
    with child_desktop(child) as running:
        yield running


@pytest.fixture
def places(tmp_path: Path, logind_mock: LogindMock, desktop: ChildDesktop) -> Iterator[GuardPlaces]:
    account = Account.named(CHILD)
    leader = desktop.processes[0].pid  # openbox, started with the child's XAUTHORITY
    logind_mock.add_session(
        "c1", uid=account.uid, user=CHILD, type="x11", display=desktop.display, leader=leader
    )
    with guard_places(tmp_path, logind_mock.address, [CHILD]) as made:
        yield made


def _counted(places: GuardPlaces, name: str) -> float:
    return seconds_of(places.ask("status", user=CHILD), name)


def test_the_guard_counts_the_childs_switches_and_a_restart_loses_at_most_2_s(
    places: GuardPlaces, desktop: ChildDesktop
) -> None:
    _a, alpha = desktop.app("alphaterm")
    _b, beta = desktop.app("betaterm")
    guard = start_guard(places)
    try:
        for window, name, seconds in ((alpha, "alphaterm", 3.0), (beta, "betaterm", 2.0)):
            before = _counted(places, name)
            desktop.activate(window)
            began = time.monotonic()
            wait_until(
                lambda n=name, b=before, s=seconds: _counted(places, n) - b >= s,
                what=f"{seconds} s of {name}",
            )
            real = time.monotonic() - began
            assert _counted(places, name) - before == pytest.approx(real, abs=1.0)
        # A restart, while the child keeps using betaterm.
        counted_before = _counted(places, "betaterm")
        stopped_at = time.monotonic()
        stop_guard(guard, signal.SIGINT)
        desktop.xdotool("mousemove", "200", "200")  # the child is there while the guard is down
        stopped = places.cli(
            "--user", CHILD, "--state-dir", str(places.state_dir), "export", "--format", "json"
        )
        events = json.loads(stopped.stdout)["events"]
        assert events[-1]["kind"] == "tracking_stopped"  # a clean stop: everything written
        assert events[-1]["data"] == {"how": "signal"}
        guard = start_guard(places)
        desktop.xdotool("mousemove", "300", "300")
        wait_until(lambda: _counted(places, "betaterm") > counted_before, what="the count to go on")
        counted_after = _counted(places, "betaterm")
        asked_at = time.monotonic()
        lost = (counted_before + (asked_at - stopped_at)) - counted_after
        assert lost <= 2.0, f"{lost:.2f} s lost in the restart"
    finally:
        stop_guard(guard)


PTRACE = """
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
result = libc.ptrace(16, int(sys.argv[1]), None, None)  # PTRACE_ATTACH
print(result, ctypes.get_errno())
"""


def test_the_child_cannot_kill_stop_trace_or_read_the_guard(places: GuardPlaces, child: Path) -> None:
    with running_guard(places) as guard:
        pid = str(guard.pid)
        for signal_name in ("TERM", "KILL", "STOP"):
            done = run_as_child(child, "kill", f"-{signal_name}", pid)
            assert done.returncode != 0
            assert "not permitted" in done.stderr.lower()
        traced = run_as_child(child, "/usr/bin/python3", "-c", PTRACE, pid)
        assert traced.stdout.split() == ["-1", "1"]  # EPERM
        memory = run_as_child(child, "/bin/dd", f"if=/proc/{pid}/mem", "bs=1", "count=1", "skip=4096")
        assert memory.returncode != 0
        assert "permission denied" in memory.stderr.lower()
        # The state dir: root's alone; the child can neither list nor enter it.
        info = places.state_dir.stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o700)
        listing = run_as_child(child, "ls", str(places.state_dir / "accounts" / CHILD))
        assert listing.returncode != 0
        assert "permission denied" in listing.stderr.lower()
        # Still there, not stopped, and answering.
        assert psutil.Process(guard.pid).status() != psutil.STATUS_STOPPED
        assert places.ask("hello", user=CHILD)["user"] == CHILD


def test_roots_user_commands_act_on_the_protected_account_without_a_passcode(places: GuardPlaces) -> None:
    state = str(places.state_dir)
    with running_guard(places):
        set_passcode = places.cli(
            "--user", CHILD, "--state-dir", state, "--passcode-stdin", "passcode", "set", stdin="4711\n"
        )
        assert set_passcode.returncode == 0, set_passcode.stderr
        changed = places.cli(
            "--user", CHILD, "--state-dir", state, "config", "set", "daily_cap_minutes", "45"
        )
        assert changed.returncode == 0, changed.stderr
        assert changed.stdout.strip() == "daily_cap_minutes = 45"
        wait_until(
            lambda: places.ask("status", user=CHILD)["cap_minutes"] == 45,
            what="the guard to take the new cap",
        )
        status = places.cli("--user", CHILD, "--state-dir", state, "status", "--json")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["cap_minutes"] == 45
        assert json.loads(status.stdout)["tracking"] is True  # the running guard answered
        report = places.cli("--user", CHILD, "--state-dir", state, "export", "--format", "json")
        events = json.loads(report.stdout)["events"]
        by_root = [e for e in events if e["kind"] == "passcode_ok" and e["data"].get("by") == "root"]
        assert by_root, "root's change of a locked setting is recorded as root's"
    # Without the guard, status opens the account's records itself.
    offline = places.cli("--user", CHILD, "--state-dir", state, "status", "--json")
    assert offline.returncode == 0, offline.stderr
    assert json.loads(offline.stdout)["cap_minutes"] == 45
    # Refused with words: an account that is not protected, and anyone but root.
    other = places.cli("--user", "nobody", "--state-dir", state, "status")
    assert other.returncode == 2
    assert "nobody is not a protected account" in other.stderr


def _answers_hello(places: GuardPlaces) -> bool:
    try:
        return bool(places.ask("hello", user=CHILD)["user"] == CHILD)
    except LinkError:
        return False


def test_hostile_messages_get_an_error_and_change_nothing(places: GuardPlaces, child: Path) -> None:
    with running_guard(places) as guard:
        before = places.ask("status", user=CHILD)
        # Another account, not protected: refused in words.
        nobody = subprocess.run(
            ["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", "/usr/bin/python3", "-c",
             "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]);"
             "s.sendall(b'{\"id\":1,\"op\":\"status\"}\\n'); print(s.recv(4096).decode())", str(places.socket)],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert '"not-protected"' in nobody.stdout, nobody.stderr
        # Garbage, then a line of 10 MB.
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(places.socket))
            sock.sendall(b"\xff\xfe{not json\n")
            assert read_line(sock)["error"] == "bad-request"
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(places.socket))
            sock.settimeout(30)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # closed once too long
                sock.sendall(b"x" * (10 * 1024 * 1024))
            reply = read_line(sock)
            assert reply["error"] == "too-long"
        # A thousand connections at once: those beyond the limit are refused in words; once they
        # are gone, the guard answers as before.
        crowd: list[socket.socket] = []
        try:
            for _ in range(1000):
                sock = socket.socket(socket.AF_UNIX)
                try:
                    sock.connect(str(places.socket))
                except OSError:  # the kernel's queue is full until the guard accepts
                    sock.close()
                    continue
                crowd.append(sock)
            # Refused in words, or the kernel's queue is full: an error either way.
            with pytest.raises(LinkError, match=r"connections at once|nothing answers"):
                places.ask("hello", user=CHILD)
        finally:
            for sock in crowd:
                sock.close()
        wait_until(lambda: _answers_hello(places), what="the guard to answer again")
        after = places.ask("status", user=CHILD)
        assert after["cap_minutes"] == before["cap_minutes"]
        assert guard.poll() is None


def _protected_here(places: GuardPlaces) -> bool:
    try:
        places.ask("hello", user=CHILD)
    except LinkError as error:
        if error.kind != "not-protected":
            raise
        return False
    return True


def test_the_running_guard_follows_the_protected_list(places: GuardPlaces) -> None:
    places.protected_list.write_text("")
    with running_guard(places):
        assert not _protected_here(places)
        places.protected_list.write_text(f"{CHILD}\n")  # what `service protect` writes
        wait_until(lambda: _protected_here(places), what="the guard to take the account in")
        assert places.ask("status", user=CHILD)["tracking"] is True
        places.protected_list.write_text("")  # `service release`
        wait_until(lambda: not _protected_here(places), what="the guard to let the account go")


def _block_now(places: GuardPlaces, *, lock_limit: int) -> None:
    """Downtime from a minute ago for an hour (a block that stands now), set by root; xterm allowed."""
    now = datetime.now().astimezone()
    start, end = now - timedelta(minutes=1), now + timedelta(hours=1)
    state = str(places.state_dir)
    for key, value in (
        ("downtime", f"mon-sun {start:%H:%M}-{end:%H:%M}"),
        ("always_allowed", "xterm"),
        ("protected_lock_limit", str(lock_limit)),
    ):
        done = places.cli("--user", CHILD, "--state-dir", state, "config", "set", key, value)
        assert done.returncode == 0, done.stderr


def test_with_no_agent_a_counted_app_in_a_block_locks_the_session_again_and_then_ends_it(
    places: GuardPlaces, desktop: ChildDesktop, logind_mock: LogindMock
) -> None:
    logind_mock.screen_locker(True)
    _block_now(places, lock_limit=2)
    allowed = desktop.start(require("xterm"), "-e", "cat")  # the system's xterm: always allowed
    allowed_window = int(
        desktop.xdotool("search", "--sync", "--onlyvisible", "--pid", str(allowed.pid)).split()[-1]
    )
    _game, game = desktop.app("alphaterm")
    with running_guard(places):
        # An always-allowed app in front through the block: never locked out.
        desktop.activate(allowed_window)
        seen_at = time.monotonic()
        wait_until(
            lambda: places.ask("status", user=CHILD)["decision"]["verdict"] == "block", what="the block"
        )
        wait_until(
            lambda: time.monotonic() - seen_at > 7.0, timeout=15, what="past the grace"
        )  # no event to wait on
        assert logind_mock.manager_calls("LockSession") == []
        # The game in front, no agent to raise the block screen: locked within a few seconds.
        desktop.activate(game)
        began = time.monotonic()
        wait_until(lambda: logind_mock.manager_calls("LockSession"), timeout=15, what="LockSession")
        assert time.monotonic() - began < 8.0
        assert logind_mock.manager_calls("LockSession") == [("c1",)]
        # Unlocked while the block stands, the game still in front: locked again, then ended.
        logind_mock.set_session("c1", LockedHint=False)
        wait_until(
            lambda: len(logind_mock.manager_calls("LockSession")) == 2, timeout=15, what="a second lock"
        )
        logind_mock.set_session("c1", LockedHint=False)
        wait_until(lambda: logind_mock.manager_calls("TerminateSession"), timeout=15, what="TerminateSession")
        assert logind_mock.manager_calls("TerminateSession") == [("c1",)]
    exported = places.cli("--user", CHILD, "--state-dir", str(places.state_dir), "export", "--format", "json")
    steps = [
        (e["kind"], e["data"])
        for e in json.loads(exported.stdout)["events"]
        if e["kind"].startswith("session_")
    ]
    assert [kind for kind, _ in steps] == ["session_locked", "session_locked", "session_ended"]
    assert steps[0][1]["reason"] == "overlay_down"  # no live agent: the block screen was not up


def test_the_child_changes_settings_over_the_socket_only_with_the_passcode(
    places: GuardPlaces, child: Path, child_packages: Path
) -> None:
    state = str(places.state_dir)
    with running_guard(places):
        # No passcode yet: the child cannot lock the parent out by setting one first.
        (first,) = ask_as_child(child, child_packages, places.socket, [{"op": "passcode-set", "new": "1234"}])
        assert first["error"] == "refused"
        done = places.cli(
            "--user", CHILD, "--state-dir", state, "--passcode-stdin", "passcode", "set", stdin="4711\n"
        )
        assert done.returncode == 0, done.stderr
        change = {"op": "change-settings", "changes": {"daily_cap_minutes": 120}}
        without, wrong, other_account, right = ask_as_child(
            child, child_packages, places.socket,
            [change, {**change, "passcode": "0000"}, {**change, "passcode": "4711", "user": "root"},
             {**change, "passcode": "4711"}],
        )  # fmt: skip
        assert without["error"] == "passcode"
        assert wrong["error"] == "passcode"
        assert other_account["error"] == "refused"
        assert "ok" in right, right
        assert places.ask("settings", user=CHILD)["settings"]["daily_cap_minutes"] == 120
