"""The guard watches a child's Wayland session as root: sway's own socket in the child's runtime dir
names the app in front; where no compositor can be asked, active session time counts as the unknown
app and logind's IdleHint stops it."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.childuser import CHILD
from tests.tracker.linux_desktop import require, wait_until
from tests.wayland.compositors import focused_app_id, stop_group
from wellbeing_app.guard.account import Account
from wellbeing_app.guard.sessions import SessionState, SessionWatch
from wellbeing_app.tracker.clock import SystemClock
from wellbeing_app.tracker.sampler import Sampler


def _state(uid: int, **changes: object) -> SessionState:
    values: dict[str, object] = {
        "session_id": "w1", "uid": uid, "kind": "wayland", "display": "", "leader": 0,
        "active": True, "idle": False, "locked": False,
    }  # fmt: skip
    values.update(changes)
    return SessionState(**values)  # type: ignore[arg-type]


@contextlib.contextmanager
def childs_sway(account: Account) -> Iterator[tuple[Path, dict[str, str]]]:
    """sway run by the child, its sockets in a runtime dir of the child's; (runtime dir, clients' env)."""
    top = Path(tempfile.mkdtemp(prefix="wellbeing-guard-sway-"))
    top.chmod(0o755)
    runtime = top / "run"
    runtime.mkdir(mode=0o700)
    os.chown(runtime, account.uid, account.gid)
    config = top / "config"
    config.write_text("output HEADLESS-1 resolution 1024x768 position 0 0\nxwayland disable\n")
    config.chmod(0o644)
    env = {
        "HOME": str(account.home), "PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(runtime),
        "WLR_BACKENDS": "headless", "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman",
    }  # fmt: skip
    setpriv = ["setpriv", f"--reuid={account.uid}", f"--regid={account.gid}", "--init-groups"]
    log = (top / "sway.log").open("wb")
    sway = subprocess.Popen([*setpriv, require("sway"), "-c", str(config)], env=env, stdout=log, stderr=log,
                            start_new_session=True)  # fmt: skip
    apps: list[subprocess.Popen[bytes]] = []
    try:
        wait_until(lambda: sway.poll() is not None or (runtime / "wayland-1").exists(), what="sway's display")
        assert sway.poll() is None, (top / "sway.log").read_text()[-2000:]
        swaysock = wait_until(lambda: next(runtime.glob("sway-ipc.*.sock"), None), what="sway's IPC socket")
        clients = {**env, "WAYLAND_DISPLAY": "wayland-1", "SWAYSOCK": str(swaysock)}
        clients["setpriv"] = " ".join(setpriv)
        yield runtime, clients
    finally:
        for app in apps:
            stop_group(app)
        stop_group(sway)
        log.close()
        shutil.rmtree(top, ignore_errors=True)


def _tree(env: dict[str, str]) -> dict[str, object]:
    setpriv = env["setpriv"].split()
    out = subprocess.run([*setpriv, "env", "-i", *(f"{k}={v}" for k, v in env.items() if k != "setpriv"),
                          require("swaymsg"), "-t", "get_tree"], capture_output=True, check=True).stdout  # fmt: skip
    return dict(json.loads(out))


def _as_child(env: dict[str, str], *command: str) -> subprocess.Popen[bytes]:
    setpriv = env["setpriv"].split()
    variables = [f"{k}={v}" for k, v in env.items() if k != "setpriv"]
    return subprocess.Popen([*setpriv, "env", "-i", *variables, *command], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


@pytest.mark.wayland
def test_the_guard_asks_the_childs_sway_which_app_is_in_front(child: Path) -> None:
    account = Account.named(CHILD)
    with childs_sway(account) as (runtime, env):
        started = []
        for name in ("alphafoot", "betafoot"):
            program = child / name
            shutil.copy(require("foot"), program)
            shutil.chown(program, CHILD, CHILD)
            started.append(_as_child(env, str(program), "--app-id", name, "sleep", "600"))
        try:
            wait_until(lambda: "betafoot" in json.dumps(_tree(env)), what="the windows")
            watch = SessionWatch(
                account, _state(account.uid), is_agent=lambda pid: False, runtime_dir=runtime
            )
            try:
                assert watch.probes.foreground.backend == "sway"
                sampler = Sampler(watch.probes, SystemClock())
                for name in ("alphafoot", "betafoot"):
                    subprocess.run([*env["setpriv"].split(), "env", "-i",
                                    *(f"{k}={v}" for k, v in env.items() if k != "setpriv"),
                                    require("swaymsg"), f"[app_id={name}] focus"], capture_output=True, check=True)  # fmt: skip
                    wait_until(lambda n=name: focused_app_id(_tree(env)) == n, what=f"{name} focused")
                    app = sampler.sample(with_title=False).app
                    assert app is not None
                    assert app.executable == str(child / name)  # the child's copy: known by its path
            finally:
                watch.close()
        finally:
            for process in started:
                stop_group(process)


def test_where_no_compositor_answers_active_time_counts_as_the_unknown_app(
    tmp_path: Path, child: Path
) -> None:
    account = Account.named(CHILD)
    watch = SessionWatch(account, _state(account.uid), is_agent=lambda pid: False, runtime_dir=tmp_path)
    clock = SystemClock()
    try:
        sampler = Sampler(watch.probes, clock)
        sample = sampler.sample(with_title=False)
        assert sample.app is not None
        assert sample.app.executable == "unknown"
        assert (sample.idle_seconds, sample.locked) == (0.0, False)
        watch.update(_state(account.uid, idle=True))
        assert sampler.sample(with_title=False).idle_seconds is not None
        watch.update(_state(account.uid, locked=True))
        assert sampler.sample(with_title=False).locked
    finally:
        watch.close()


def test_a_socket_of_the_childs_own_making_is_not_taken_for_sway(child: Path) -> None:
    """The runtime dir is the child's: a program of theirs listening as `sway-ipc.UID.N.sock`
    could say that an allowed app is in front. Only the system's sway is asked."""
    account = Account.named(CHILD)
    top = Path(tempfile.mkdtemp(prefix="wellbeing-guard-run-"))
    top.chmod(0o755)
    runtime = top / "run"
    runtime.mkdir()
    os.chown(runtime, account.uid, account.gid)
    fake = runtime / f"sway-ipc.{account.uid}.1.sock"
    listener = subprocess.Popen(
        ["setpriv", f"--reuid={account.uid}", f"--regid={account.gid}", "--init-groups",
         "/usr/bin/python3", "-c",
         "import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); "
         "print('ready', flush=True); time.sleep(60)", str(fake)],
        stdout=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        assert listener.stdout is not None
        assert listener.stdout.readline().strip() == b"ready"
        watch = SessionWatch(account, _state(account.uid), is_agent=lambda pid: False, runtime_dir=runtime)
        try:
            assert watch.probes.foreground.backend == "none"
            assert "not by the system's sway" in watch.probes.foreground.status().detail
            sample = Sampler(watch.probes, SystemClock()).sample(with_title=False)
            assert sample.app is not None
            assert sample.app.executable == "unknown"
        finally:
            watch.close()
    finally:
        stop_group(listener)
        assert listener.stdout is not None
        listener.stdout.close()
        shutil.rmtree(top, ignore_errors=True)


def test_the_guard_reaches_the_childs_session_bus_as_the_child(child: Path) -> None:
    """KWin and GNOME are asked on the child's session bus, which lets in only the child: the guard
    connects with the child's effective ids (and is root again after)."""
    account = Account.named(CHILD)
    top = Path(tempfile.mkdtemp(prefix="wellbeing-guard-run-"))
    top.chmod(0o755)
    runtime = top / "run"
    runtime.mkdir(mode=0o700)
    os.chown(runtime, account.uid, account.gid)
    bus = subprocess.Popen(
        ["setpriv", f"--reuid={account.uid}", f"--regid={account.gid}", "--init-groups",
         "dbus-daemon", "--session", f"--address=unix:path={runtime / 'bus'}", "--nofork", "--print-address"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        assert bus.stdout is not None
        assert bus.stdout.readline().startswith(b"unix:path=")
        from wellbeing_app.tracker.base import TrackerError
        from wellbeing_app.tracker.common import SessionBus

        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore", ResourceWarning
            )  # jeepney leaves its refused socket to the collector
            with pytest.raises(TrackerError, match="cannot reach"):  # root itself is not let in
                SessionBus(f"unix:path={runtime / 'bus'}")
            gc.collect()
        watch = SessionWatch(account, _state(account.uid), is_agent=lambda pid: False, runtime_dir=runtime)
        try:
            assert (os.geteuid(), os.getegid()) == (0, 0)
            # No KWin on that bus; GNOME's probe connected (it says what it lacks when asked).
            assert watch.probes.foreground.backend == "gnome-window-calls"
            sample = Sampler(watch.probes, SystemClock()).sample(with_title=False)
            assert sample.app is not None
            assert sample.app.executable == "unknown"
        finally:
            watch.close()
    finally:
        stop_group(bus)
        if bus.stdout is not None:
            bus.stdout.close()
        shutil.rmtree(top, ignore_errors=True)
