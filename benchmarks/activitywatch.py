"""Side by side with ActivityWatch: the same Xvfb, the same window switches and mouse moves.

`python -m benchmarks.run compare` measures Wellbeing's tray app and `track`;
`--with-activitywatch` adds aw-server with aw-watcher-window and aw-watcher-afk, installed from
PyPI into a virtual environment of their own under the cache folder (never into this project's,
never committed). Each subject runs alone on a fresh Xvfb through one scripted session: two apps
(copies of xterm) switched every few seconds, the mouse moved between switches. The figures: CPU,
unique and resident memory (the three processes added up for ActivityWatch), disk writes
(write_bytes - cancelled_write_bytes of /proc/PID/io), and the seconds counted per app against
the seconds each was really in front.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

AW_PACKAGES = ("aw-server", "aw-watcher-window", "aw-watcher-afk")
APPS = ("alphaterm", "betaterm")


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "wellbeing-benchmarks"


class NotInstallable(Exception):
    """ActivityWatch's packages could not be installed here; the message says which and why."""


def activitywatch_venv() -> Path:
    """A virtual environment with ActivityWatch's server and watchers, made once under the cache."""
    venv = cache_dir() / "activitywatch-venv"
    stamp = venv / ".installed"
    if stamp.exists():
        return venv
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    missing = []
    for package in AW_PACKAGES:
        done = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", package],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            missing.append(
                f"{package} ({done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'failed'})"
            )
    if missing:
        raise NotInstallable("cannot install from PyPI: " + "; ".join(missing))
    stamp.touch()
    return venv


@dataclass
class Figures:
    cpu_percent: float
    uss_mib: float
    rss_mib: float
    disk_kib_per_min: float
    seconds_off_per_switch: float


def _io(pid: int) -> int:
    fields = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    return int(fields["write_bytes"]) - int(fields["cancelled_write_bytes"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _two_apps(display: str, folder: Path) -> Iterator[list[str]]:
    env = {**os.environ, "DISPLAY": display}
    terms, windows = [], []
    for name in APPS:
        program = folder / name
        shutil.copy(shutil.which("xterm") or "xterm", program)
        terms.append(subprocess.Popen([str(program), "-T", name, "-e", "cat"], env=env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--pid", str(terms[-1].pid)],
                               env=env, capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
        windows.append(found.stdout.split()[-1])
    try:
        yield windows
    finally:
        for term in terms:
            term.terminate()
            term.wait(timeout=10)


def _session(display: str, windows: list[str], switches: int, dwell: float) -> dict[str, float]:
    """Switch between the two apps `switches` times, `dwell` seconds each, moving the mouse; the truth."""
    env = {**os.environ, "DISPLAY": display}
    truth = dict.fromkeys(APPS, 0.0)
    subprocess.run(["xdotool", "windowactivate", "--sync", windows[0]], env=env, check=True, timeout=20)
    mark, current = time.monotonic(), 0
    for index in range(switches):
        for step in range(int(dwell)):
            subprocess.run(
                ["xdotool", "mousemove", str(100 + 40 * step), str(200 + index % 7)], env=env, check=False
            )
            time.sleep(dwell / int(dwell))
        current_next = 1 - current
        subprocess.run(
            ["xdotool", "windowactivate", "--sync", windows[current_next]], env=env, check=True, timeout=20
        )
        now = time.monotonic()
        truth[APPS[current]] += now - mark
        mark, current = now, current_next
    time.sleep(dwell)
    truth[APPS[current]] += time.monotonic() - mark
    return truth


def _measure(
    pids: list[int], run_session: Callable[[], dict[str, float]]
) -> tuple[Figures, dict[str, float], tuple[datetime, datetime]]:
    """Run the session while measuring the processes; also the truth, and when the session was."""
    import psutil

    handles = [psutil.Process(pid) for pid in pids]
    cpu0 = sum(sum(h.cpu_times()[:2]) for h in handles)
    io0 = sum(_io(pid) for pid in pids)
    began, began_at = time.monotonic(), datetime.now(UTC)
    truth = run_session()
    spent, ended_at = time.monotonic() - began, datetime.now(UTC)
    cpu1 = sum(sum(h.cpu_times()[:2]) for h in handles)
    io1 = sum(_io(pid) for pid in pids)
    memory = [h.memory_full_info() for h in handles]
    figures = Figures(
        cpu_percent=(cpu1 - cpu0) / spent * 100,
        uss_mib=sum(m.uss for m in memory) / 2**20,
        rss_mib=sum(m.rss for m in memory) / 2**20,
        disk_kib_per_min=(io1 - io0) / spent * 60 / 1024,
        seconds_off_per_switch=0.0,
    )
    return figures, truth, (began_at, ended_at)


def _clipped(start: datetime, end: datetime, window: tuple[datetime, datetime]) -> float:
    """Seconds of [start, end) inside the session (what was counted before or after it is not judged)."""
    return max(0.0, (min(end, window[1]) - max(start, window[0])).total_seconds())


def run_wellbeing(command: str, display: str, switches: int, dwell: float) -> Figures:
    from benchmarks.run import tracking_process

    with tempfile.TemporaryDirectory() as folder:
        with _two_apps(display, Path(folder)) as windows:
            data = Path(folder) / "data"
            with tracking_process(command, display, str(data)) as pid:
                time.sleep(3)
                figures, truth, window = _measure([pid], lambda: _session(display, windows, switches, dwell))
            env = {**os.environ, "WELLBEING_DATA_DIR": str(data)}
            exported = subprocess.run([sys.executable, "-m", "wellbeing_app", "export", "--format", "json"], env=env,
                                      capture_output=True, check=True).stdout  # fmt: skip
        measured = dict.fromkeys(APPS, 0.0)
        for span in json.loads(exported)["spans"]:
            # The two apps are copies in a temporary folder: a program where the person can write
            # is recorded by its full path (a renamed game is not another app), so match the name.
            app = Path(span["app"]).name
            if app in measured:
                start, end = datetime.fromisoformat(span["start"]), datetime.fromisoformat(span["end"])
                measured[app] += _clipped(start, end, window)
    figures.seconds_off_per_switch = sum(abs(measured[a] - truth[a]) for a in APPS) / switches
    return figures


def run_activitywatch(display: str, switches: int, dwell: float) -> Figures:
    venv = activitywatch_venv()
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
        env.update(DISPLAY=display, HOME=str(home), XDG_DATA_HOME=str(home / "data"),
                   XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"))  # fmt: skip
        (home / "config" / "activitywatch" / "aw-client").mkdir(parents=True)
        (home / "config" / "activitywatch" / "aw-client" / "aw-client-testing.toml").write_text(
            f'[server-testing]\nhostname = "127.0.0.1"\nport = "{port}"\n'
        )
        binaries = venv / "bin"
        server = subprocess.Popen([str(binaries / "aw-server"), "--testing", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        watchers: list[subprocess.Popen[bytes]] = []
        try:
            _wait_for(f"http://127.0.0.1:{port}/api/0/info")
            with _two_apps(display, home) as windows:
                for watcher in ("aw-watcher-window", "aw-watcher-afk"):
                    watchers.append(subprocess.Popen([str(binaries / watcher), "--testing"], env=env,
                                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
                time.sleep(5)
                pids = [server.pid, *(w.pid for w in watchers)]
                figures, truth, window = _measure(pids, lambda: _session(display, windows, switches, dwell))
                time.sleep(2)
                measured = _activitywatch_seconds(port, window)
        finally:
            for process in (*watchers, server):
                process.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=10)
    figures.seconds_off_per_switch = sum(abs(measured.get(a, 0.0) - truth[a]) for a in APPS) / switches
    return figures


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2):
            return
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")


def _activitywatch_seconds(port: int, window: tuple[datetime, datetime]) -> dict[str, float]:
    """Seconds per window title in aw-watcher-window's bucket (xterm copies differ by title)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/0/buckets/") as answer:
        buckets = json.load(answer)
    name = next(bucket for bucket in buckets if bucket.startswith("aw-watcher-window"))
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/0/buckets/{name}/events?limit=-1") as answer:
        events = json.load(answer)
    seconds: dict[str, float] = {}
    for event in events:
        title = event["data"].get("title", "")
        start = datetime.fromisoformat(event["timestamp"])
        counted = _clipped(start, start + timedelta(seconds=float(event["duration"])), window)
        seconds[title] = seconds.get(title, 0.0) + counted
    return seconds
