"""The rows of docs/getting-around.md tried again in protected mode: the child, a real second Unix
user on an Xvfb of their own (openbox, the "game" and the real agent started as them), against the
real guard running as root, logind stood in by dbusmock. Each test does one class of trick as the
child and looks at what the guard counts and records and at what logind was asked (GetCalls).

One desktop, one logind stand-in and one guard serve the whole module (the guard's tests start
processes; CI time counts); each test begins with no block standing and logind's calls cleared."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.childuser import CHILD, as_child, run_as_child
from tests.guard.agentproc import (
    CHECKOUT,
    INSTALLED,
    agent_said,
    installed_code,
    start_agent,
    wait_for_connection,
)
from tests.guard.desktop import ChildDesktop, child_desktop
from tests.guard.guardproc import GuardPlaces, guard_places, running_guard, seconds_of
from tests.guard.logind_mock import LogindMock, mock_available
from tests.tracker.linux_desktop import require, stop, wait_until
from wellbeing_app.guard.account import Account

pytestmark = [pytest.mark.x11, pytest.mark.slow]

SESSION = "c1"


@pytest.fixture(scope="module")
def logind(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LogindMock]:
    reason = mock_available()
    if reason is not None:
        pytest.fail(f"the logind mock cannot run here: {reason}")
    mock = LogindMock.start(tmp_path_factory.mktemp("bus"))
    mock.screen_locker(True)
    yield mock
    mock.stop()


@pytest.fixture(scope="module")
def desktop(child: Path) -> Iterator[ChildDesktop]:
    # A cookie of this module's own: other test runs on this computer use the same child.
    cookie = f".Xauthority-rows-{os.getpid()}"
    try:
        with child_desktop(child, cookie) as running:
            yield running
    finally:
        (child / cookie).unlink(missing_ok=True)


@pytest.fixture(scope="module")
def places(
    tmp_path_factory: pytest.TempPathFactory, logind: LogindMock, desktop: ChildDesktop
) -> Iterator[GuardPlaces]:
    account = Account.named(CHILD)
    logind.add_session(
        SESSION, uid=account.uid, user=CHILD, type="x11", display=desktop.display,
        leader=desktop.processes[0].pid,  # openbox, started with the child's XAUTHORITY
    )  # fmt: skip
    with guard_places(tmp_path_factory.mktemp("guard"), logind.address, [CHILD]) as made:
        # The agent, as the child, must read the list (pytest's folders are root's alone): beside
        # the socket, in a folder anyone can enter, as /etc/wellbeing-app is.
        listing = made.socket.parent / "protected"
        shutil.copy(made.protected_list, listing)
        listing.chmod(0o644)
        yield dataclasses.replace(made, protected_list=listing)


@pytest.fixture(scope="module")
def guard(places: GuardPlaces) -> Iterator[subprocess.Popen[bytes]]:
    _set(places, always_allowed="xterm, libreoffice", protected_lock_limit="0")
    with running_guard(places) as process:
        yield process


@pytest.fixture(scope="module")
def allowed(desktop: ChildDesktop) -> int:
    """The window of the system's xterm, an always-allowed app: in front while a test gets ready."""
    process = desktop.start(require("xterm"), "-e", "cat")
    return int(desktop.xdotool("search", "--sync", "--onlyvisible", "--pid", str(process.pid)).split()[-1])


@pytest.fixture
def fresh(
    guard: subprocess.Popen[bytes],
    places: GuardPlaces,
    logind: LogindMock,
    desktop: ChildDesktop,
    allowed: int,
) -> Iterator[None]:
    """No block standing, the session unlocked, logind's calls cleared, an always-allowed app in
    front; the same afterwards."""
    if _status(places)["decision"]["verdict"] == "block":  # the previous test's teardown failed
        _unblock(places, logind)
    logind.set_session(SESSION, LockedHint=False)
    desktop.activate(allowed)
    logind.clear_calls()
    yield
    _unblock(places, logind)
    assert guard.poll() is None, "the guard ended"


def _set(places: GuardPlaces, **settings: str) -> None:
    for key, value in settings.items():
        done = places.cli("--user", CHILD, "--state-dir", str(places.state_dir), "config", "set", key, value)
        assert done.returncode == 0, done.stderr


def _unblock(places: GuardPlaces, logind: LogindMock) -> None:
    """No downtime, and the session unlocked once the guard knows (unlocked during a block, with a
    counted app in front, it would be locked again at once)."""
    _set(places, downtime="")
    wait_until(lambda: _status(places)["decision"]["verdict"] != "block", what="the block lifted")
    logind.set_session(SESSION, LockedHint=False)


def _block(places: GuardPlaces) -> None:
    """Downtime from a minute ago for an hour, set by root: a block that stands now."""
    now = datetime.now().astimezone()
    start, end = now - timedelta(minutes=1), now + timedelta(hours=1)
    _set(places, downtime=f"mon-sun {start:%H:%M}-{end:%H:%M}")
    wait_until(lambda: _status(places)["decision"]["verdict"] == "block", what="the block")


def _status(places: GuardPlaces) -> dict[str, Any]:
    return dict(places.ask("status", user=CHILD))


def _events(places: GuardPlaces, kind: str) -> list[dict[str, Any]]:
    exported = places.cli("--user", CHILD, "--state-dir", str(places.state_dir), "export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    return [e for e in json.loads(exported.stdout)["events"] if e["kind"] == kind]


def _locked_within(logind: LogindMock, seconds: float) -> float:
    """Seconds until logind was asked to lock the session; fails after `seconds`."""
    began = time.monotonic()
    wait_until(lambda: logind.manager_calls("LockSession"), timeout=seconds, what="LockSession")
    assert logind.manager_calls("LockSession")[0] == (SESSION,)
    return time.monotonic() - began


# --- the agent, as the child starts it ------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def installed() -> Iterator[None]:
    with installed_code():
        yield


def _block_screens(desktop: ChildDesktop, agent: subprocess.Popen[bytes]) -> list[int]:
    """The agent's visible windows that cover the whole screen (800×600): its block screen."""
    found = as_child(
        desktop.home, desktop.display, require("xdotool"), "search", "--onlyvisible", "--pid", str(agent.pid),
        xauthority=desktop.xauthority, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    out, _ = found.communicate(timeout=30)
    screens = []
    for window in out.split():
        shape = desktop.xdotool("getwindowgeometry", "--shell", window.decode())
        if "WIDTH=800\n" in shape and "HEIGHT=600\n" in shape:
            screens.append(int(window))
    return screens


def _block_screen_over(
    game: int, desktop: ChildDesktop, places: GuardPlaces, agent: subprocess.Popen[bytes]
) -> None:
    """A block begins, the game comes to the front, and the agent raises its block screen over it."""
    wait_for_connection(agent)
    _block(places)
    desktop.activate(game)
    _wait_for_block_screen(desktop, agent)


def _wait_for_block_screen(desktop: ChildDesktop, agent: subprocess.Popen[bytes]) -> None:
    try:
        wait_until(
            lambda: agent.poll() is not None or _block_screens(desktop, agent), timeout=30,
            what="the agent's block screen",
        )  # fmt: skip
    except AssertionError:
        windows = as_child(
            desktop.home, desktop.display, require("xdotool"), "search", "--pid", str(agent.pid),
            xauthority=desktop.xauthority, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        ).communicate(timeout=30)[0].decode().split()  # fmt: skip
        shapes = [desktop.xdotool("getwindowgeometry", w) for w in windows]
        _end(agent)
        raise AssertionError(f"no block screen ({shapes}); the agent said: {agent_said(agent)}") from None
    if agent.poll() is not None:
        raise AssertionError(f"the agent ended ({agent.returncode}): {agent_said(agent)}")


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGCONT)
    stop(process)


# --- the tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("trick", ["killed", "stopped", "replaced"])
def test_the_agent_killed_stopped_or_replaced_in_a_block_gets_the_session_locked(
    trick: str, fresh: None, places: GuardPlaces, desktop: ChildDesktop, logind: LogindMock, allowed: int
) -> None:
    _game, game = desktop.app("alphaterm")
    desktop.activate(allowed)
    agent = start_agent(desktop, places)
    try:
        _block_screen_over(game, desktop, places, agent)
        assert logind.manager_calls("LockSession") == []
        pid = str(agent.pid)  # setpriv and env exec into the agent: one pid
        if trick == "killed":
            assert run_as_child(desktop.home, "kill", "-KILL", pid).returncode == 0
        elif trick == "stopped":
            assert run_as_child(desktop.home, "kill", "-STOP", pid).returncode == 0
        else:  # a program of the child's own that answers as the agent would, and shows nothing
            assert run_as_child(desktop.home, "kill", "-KILL", pid).returncode == 0
            stand_in = desktop.home / "python3"
            shutil.copy("/usr/bin/python3", stand_in)
            shutil.chown(stand_in, CHILD, CHILD)
            desktop.start(
                "/usr/bin/env", f"PYTHONPATH={CHECKOUT}", str(stand_in), "-c", WATCHER,
                str(places.socket),
            )  # fmt: skip
        desktop.activate(game)
        took = _locked_within(logind, 15)
        assert took < 10.0
    finally:
        _end(agent)
    (locked, *_) = _events(places, "session_locked")[-1:]
    assert locked["data"]["reason"] == "overlay_down"  # "the limit screen was not up"


#: A stand-in agent of the child's: it watches the guard as the agent does and never shows anything.
WATCHER = """
import sys, time
from wellbeing_app.link.client import LinkClient
client = LinkClient(sys.argv[1])
client.call("hello")
client.watch()
while True:
    client.pushes()
    time.sleep(0.2)
"""


LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")


@pytest.mark.parametrize("start", ["faketime, TZ and LD_PRELOAD", "sitecustomize"])
def test_an_agent_started_with_something_of_the_childs_changes_nothing_the_guard_counts(
    start: str, fresh: None, places: GuardPlaces, desktop: ChildDesktop, logind: LogindMock, allowed: int
) -> None:
    """The agent started under libfaketime a day ahead in another zone, or with a `sitecustomize.py`
    of the child's on its path: the guard's day and count stay the kernel's, and the agent is not
    taken for the agent (its block screen does not hold the block): the session is locked."""
    if start == "sitecustomize":
        site = desktop.home / "site"
        site.mkdir(exist_ok=True)
        # Planted by the child; whatever it does, it runs inside the agent.
        (site / "sitecustomize.py").write_text("import os\nos.environ['WELLBEING_HACKED'] = '1'\n")
        shutil.chown(site, CHILD, CHILD)
        shutil.chown(site / "sitecustomize.py", CHILD, CHILD)
        how: dict[str, str] = {"PYTHONPATH": f"{site}:{INSTALLED['app']}:{INSTALLED['site']}"}
    else:
        if not LIBFAKETIME.exists():
            pytest.skip(f"{LIBFAKETIME} is missing: apt-get install faketime")
        how = {"LD_PRELOAD": str(LIBFAKETIME), "FAKETIME": "+1d", "TZ": "Etc/GMT+12"}
    day_before = _status(places)["day"]
    _game, game = desktop.app("deltaterm")
    desktop.activate(allowed)
    agent = start_agent(desktop, places, **how)
    try:
        _block_screen_over(game, desktop, places, agent)
        took = _locked_within(logind, 15)
        assert took < 10.0
        assert _status(places)["day"] == day_before  # no day ahead, no day back
    finally:
        _end(agent)
    locked = _events(places, "session_locked")[-1]
    assert locked["data"]["reason"] == "overlay_down"


def test_the_childs_own_data_deleted_or_rolled_back_changes_nothing_the_guard_counts(
    fresh: None, places: GuardPlaces, desktop: ChildDesktop
) -> None:
    _game, game = desktop.app("betaterm")
    desktop.activate(game)
    wait_until(lambda: seconds_of(_status(places), "betaterm") >= 2.0, what="the game counted")
    personal = desktop.home / ".local" / "share" / "wellbeing-app"
    trick = (
        f"mkdir -p {personal} && cp -r {personal} {personal}.copy && rm -rf {personal} && "
        f"mv {personal}.copy {personal} && touch -d yesterday {personal}/*; "
        f"cp {places.state_dir}/accounts/{CHILD}/wellbeing.sqlite3 /tmp/ 2>&1; "
        f"ls {places.state_dir} 2>&1"
    )
    counted = seconds_of(_status(places), "betaterm")
    began = time.monotonic()
    done = run_as_child(desktop.home, "/bin/sh", "-c", trick)
    assert done.stdout.lower().count("permission denied") == 2, done.stdout  # the guard's records
    wait_until(lambda: time.monotonic() - began >= 2.0, what="2 s of play")
    real = time.monotonic() - began
    now = seconds_of(_status(places), "betaterm")
    assert now - counted == pytest.approx(real, abs=1.5)


@pytest.mark.parametrize("name", ["libreoffice", "trayer"])
def test_a_game_copied_to_an_allowed_apps_name_is_counted_and_locked_out_in_a_block(
    name: str, fresh: None, places: GuardPlaces, desktop: ChildDesktop, logind: LogindMock
) -> None:
    _copy, game = desktop.app(name)  # `cp /usr/bin/xterm ~/libreoffice`, started by the child
    desktop.activate(game)
    path = str(desktop.home / name)
    wait_until(lambda: seconds_of(_status(places), path) >= 1.0, what=f"{path} counted")
    _block(places)
    desktop.activate(game)
    assert _locked_within(logind, 15) < 10.0


def test_a_second_x_server_of_the_child_is_recorded(
    fresh: None, places: GuardPlaces, desktop: ChildDesktop
) -> None:
    with child_second_xvfb(desktop) as display:
        wait_until(
            lambda: any(e["data"].get("display") == display for e in _events(places, "other_display")),
            timeout=20,
            what=f"a record of {display}",
        )
    assert not any(e["data"].get("display") == desktop.display for e in _events(places, "other_display"))


@contextlib.contextmanager
def child_second_xvfb(desktop: ChildDesktop) -> Iterator[str]:
    """`Xvfb :N` started by the child (its socket in /tmp/.X11-unix is the child's)."""
    number = next(n for n in range(400, 600) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    display = f":{number}"
    xvfb = as_child(
        desktop.home, "", require("Xvfb"), display, "-nolisten", "tcp", "-screen", "0", "320x200x24",
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), what=f"the child's Xvfb {display}")
        assert Path(f"/tmp/.X11-unix/X{number}").stat().st_uid == Account.named(CHILD).uid
        yield display
    finally:
        stop(xvfb)


def test_the_block_screen_holds_and_taken_out_of_view_again_and_again(
    fresh: None, places: GuardPlaces, desktop: ChildDesktop, logind: LogindMock, allowed: int
) -> None:
    """The live agent's block screen over the game holds: the guard sees the agent's window in
    front and never locks. Then a loop of the child's hides it as fast as it can and brings the game
    back each time; the agent puts it back within a second each time. The game's time in front
    adds up across the gaps (they drain it only slowly), so the session is locked."""
    _game, game = desktop.app("gammaterm")
    desktop.activate(allowed)
    agent = start_agent(desktop, places)
    loop = None
    try:
        _block_screen_over(game, desktop, places, agent)
        held_from = time.monotonic()
        wait_until(lambda: time.monotonic() - held_from > 7.0, timeout=15, what="past the grace")
        assert logind.manager_calls("LockSession") == []
        xdotool = require("xdotool")
        loop = desktop.start(
            "/bin/sh", "-c",
            f"while :; do for w in $({xdotool} search --onlyvisible --pid {agent.pid}); do "
            f"{xdotool} windowunmap $w; done; {xdotool} windowactivate {game}; done",
        )  # fmt: skip
        _locked_within(logind, 15)  # the game's seconds in front add up across the loop's gaps
        assert agent.poll() is None  # the agent ran all along
    finally:
        if loop is not None:
            stop(loop)
        _end(agent)
    locked = _events(places, "session_locked")[-1]
    assert locked["data"]["reason"] == "app_in_front"  # "a counted app stayed in front"


def test_the_child_cannot_move_the_clock(fresh: None, places: GuardPlaces, desktop: ChildDesktop) -> None:
    day = _status(places)["day"]
    moved = run_as_child(desktop.home, "date", "--set", "+1 day")
    assert moved.returncode != 0
    assert "not permitted" in moved.stderr.lower()
    assert _status(places)["day"] == day
