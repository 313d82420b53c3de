"""`wellbeing-app track` on a real X server: real windows switched by xdotool, real idle time."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.tracker.linux_desktop import (
    activate,
    private_xvfb,
    start_openbox,
    start_xterm,
    stop,
    wait_until,
    xdotool,
)

pytestmark = [pytest.mark.x11, pytest.mark.slow]


@pytest.fixture(scope="module")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    """An Xvfb of its own with openbox and two differently named copies of xterm."""
    folder = tmp_path_factory.mktemp("apps")
    programs = {}
    for name in ("alphaterm", "betaterm"):
        programs[name] = folder / name
        shutil.copy(shutil.which("xterm") or "xterm", programs[name])
    with private_xvfb() as (display, _server):
        openbox = start_openbox(display)
        started = []
        windows = {}
        try:
            for index, (name, program) in enumerate(programs.items()):
                process, window = start_xterm(
                    display, program, title=name, geometry=f"60x10+{20 + 300 * index}+40"
                )
                started.append(process)
                windows[name] = window
            yield display, windows
        finally:
            for process in started:
                stop(process)
            stop(openbox)


def run_tracker(display: str, data_dir: Path, *settings: tuple[str, str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DISPLAY": display, "WELLBEING_DATA_DIR": str(data_dir)}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    return start_track(env, data_dir, *settings)


def start_track(env: dict[str, str], data_dir: Path, *settings: tuple[str, str]) -> subprocess.Popen[bytes]:
    """`wellbeing-app track` as a real process in `env`, once it has written its first journal."""
    for key, value in settings:
        subprocess.run(
            [sys.executable, "-m", "wellbeing_app", "config", "set", key, value], env=env, check=True
        )
    process = subprocess.Popen(
        [sys.executable, "-m", "wellbeing_app", "track"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    journal = data_dir / "live-journal.json"
    wait_until(
        lambda: journal.exists() and '"clean":false' in journal.read_text(),
        timeout=30,
        what="the tracker to start",
    )
    return process


def stop_tracker(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err.decode()


def seconds_by_app(data_dir: Path) -> dict[str, float]:
    env = {**os.environ, "WELLBEING_DATA_DIR": str(data_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "wellbeing_app", "export", "--format", "json"],
        env=env,
        capture_output=True,
        check=True,
    ).stdout
    totals: dict[str, float] = {}
    for span in json.loads(out)["spans"]:
        seconds = (
            datetime.fromisoformat(span["end"]) - datetime.fromisoformat(span["start"])
        ).total_seconds()
        # The test's programs lie in the temporary folder: they are known by their full path.
        app = os.path.basename(span["app"])
        totals[app] = totals.get(app, 0.0) + seconds
    return totals


def test_time_goes_to_the_window_in_front(desktop: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    display, windows = desktop
    activate(display, windows["alphaterm"])
    tracker = run_tracker(display, tmp_path)
    try:
        activate(display, windows["alphaterm"])
        began = time.monotonic()
        xdotool(display, "mousemove", "100", "100")
        time.sleep(4)  # real use of the app in front: time has to pass
        activate(display, windows["betaterm"])
        switched = time.monotonic()
        xdotool(display, "mousemove", "400", "100")
        time.sleep(3)
        activate(display, windows["alphaterm"])
        back = time.monotonic()
        xdotool(display, "mousemove", "120", "120")
        time.sleep(2)
    finally:
        stop_tracker(tracker)
    ended = time.monotonic()
    totals = seconds_by_app(tmp_path)
    alpha_truth = (switched - began) + (ended - back)
    beta_truth = back - switched
    assert set(totals) == {"alphaterm", "betaterm"}
    assert totals["alphaterm"] == pytest.approx(alpha_truth, abs=1.0)
    assert totals["betaterm"] == pytest.approx(beta_truth, abs=0.5)


def test_idle_time_is_taken_back_to_the_last_input(
    desktop: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    display, windows = desktop
    activate(display, windows["betaterm"])
    xdotool(display, "mousemove", "300", "200")
    tracker = run_tracker(display, tmp_path, ("idle_threshold_seconds", "30"))
    try:
        xdotool(display, "mousemove", "310", "210")
        last_input = time.monotonic()
        status_env = {**os.environ, "WELLBEING_DATA_DIR": str(tmp_path)}

        def counted() -> float:
            out = subprocess.run(
                [sys.executable, "-m", "wellbeing_app", "status", "--json"],
                env=status_env,
                capture_output=True,
                check=True,
            ).stdout
            return float(json.loads(out)["used_minutes"]) * 60

        # While idle stays under the threshold the time counts; once it passes, it is taken back.
        wait_until(lambda: counted() >= 20, timeout=40, what="20 s to be counted")
        wait_until(lambda: time.monotonic() - last_input > 33, timeout=40, what="the idle threshold to pass")
        wait_until(lambda: counted() < 5, timeout=10, what="the idle stretch to be taken back")
    finally:
        stop_tracker(tracker)
    assert seconds_by_app(tmp_path).get("betaterm", 0.0) == pytest.approx(0.0, abs=3.0)
