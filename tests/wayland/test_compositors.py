"""The tracker on real Wayland compositors, headless: sway 1.7, KWin 5.27 and GNOME Shell 43.

Each compositor is started once per module, driven with its own tools (swaymsg and wtype on
sway; KWin scripts over D-Bus and KWin's idle protocol on KWin; Mutter's RemoteDesktop on
GNOME), and the tracker (`wellbeing-app track`) runs against it as it would in that session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.desktop.test_track_e2e import start_track, stop_tracker
from tests.tracker.linux_desktop import wait_until
from tests.wayland.compositors import Compositor, headless_gnome, headless_kwin, headless_sway
from wellbeing_app.tracker.base import ProbeSet
from wellbeing_app.tracker.choose import choose_probes

pytestmark = [pytest.mark.wayland, pytest.mark.slow]

IDLE_THRESHOLD = 30  # the smallest the settings allow
#: How far a span may be from the driven schedule: one tick of the tracker (1 s), plus the
#: step of the idle notification (1 s) where idle time is taken back.
TOLERANCE = 1.5


@pytest.fixture(scope="module")
def sway() -> Iterator[Compositor]:
    with headless_sway() as compositor:
        yield compositor


@pytest.fixture(scope="module")
def kwin() -> Iterator[Compositor]:
    with headless_kwin() as compositor:
        yield compositor


@pytest.fixture(scope="module")
def gnome() -> Iterator[Compositor]:
    with headless_gnome() as compositor:
        yield compositor


@pytest.fixture
def compositor(request: pytest.FixtureRequest) -> Compositor:
    chosen: Compositor = request.getfixturevalue(request.param)
    return chosen


# --- the tracker as a process -------------------------------------------------------------------


def _cli(data_dir: Path, *arguments: str) -> str:
    env = {**os.environ, "WELLBEING_DATA_DIR": str(data_dir)}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    return subprocess.run(
        [sys.executable, "-m", "wellbeing_app", *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _start_tracker(compositor: Compositor, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**compositor.env, "WELLBEING_DATA_DIR": str(data_dir)}
    return start_track(env, data_dir, ("idle_threshold_seconds", str(IDLE_THRESHOLD)))


def _status(data_dir: Path) -> dict[str, object]:
    status: dict[str, object] = json.loads(_cli(data_dir, "status", "--json"))
    return status


def _seconds_by_app(data_dir: Path) -> dict[str, float]:
    """Seconds by the program's file name. The test's apps are copies in a temporary folder,
    where anyone can write: the tracker knows such a program by its full path (checked here)."""
    totals: dict[str, float] = {}
    for span in json.loads(_cli(data_dir, "export", "--format", "json"))["spans"]:
        seconds = (
            datetime.fromisoformat(span["end"]) - datetime.fromisoformat(span["start"])
        ).total_seconds()
        app = span["app"]
        if app != "unknown":
            assert app.startswith(tempfile.gettempdir() + "/"), app
            app = Path(app).name
        totals[app] = totals.get(app, 0.0) + seconds
    return totals


def _wait_for_idle_taken_back(data_dir: Path, last_input: float) -> None:
    wait_until(
        lambda: time.monotonic() - last_input > IDLE_THRESHOLD + 3,
        timeout=IDLE_THRESHOLD + 10,
        what="the idle threshold to pass",
    )


# --- idle ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("compositor", ["sway", "kwin", "gnome"], indirect=True)
def test_idle_time_grows_untouched_and_drops_at_a_key(
    compositor: Compositor, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in compositor.env.items():  # as in the session: the D-Bus probes read it
        monkeypatch.setenv(key, value)
    probes: ProbeSet = choose_probes(compositor.env, platform="linux")
    try:
        expected = {"sway": "org_kde_kwin_idle", "kwin": "ext-idle-notify-v1", "gnome": "gnome"}
        assert probes.idle.backend == expected[compositor.name]
        compositor.poke()
        untouched = time.monotonic()
        idle = wait_until(
            lambda: (seconds := probes.idle.idle_seconds()) is not None and seconds >= 2.0 and seconds,
            what="two idle seconds",
        )
        # The probe's idle time follows the clock since the last input, within its 1 s step.
        assert idle == pytest.approx(time.monotonic() - untouched, abs=1.2)
        compositor.poke()
        wait_until(
            lambda: probes.idle.idle_seconds() == pytest.approx(0.0, abs=0.5), what="idle time back at 0"
        )
    finally:
        probes.close()


# --- tracking against a driven schedule ---------------------------------------------------------


@pytest.mark.parametrize("compositor", ["sway", "kwin"], indirect=True)
def test_time_goes_to_the_app_in_front_and_idle_is_taken_back(compositor: Compositor, tmp_path: Path) -> None:
    for app in ("alphaapp", "betaapp"):
        compositor.start_app(app)
    compositor.focus("alphaapp")
    tracker = _start_tracker(compositor, tmp_path)
    try:
        compositor.poke()
        began = time.monotonic()
        time.sleep(6)  # real use of the app in front: time has to pass
        compositor.focus("betaapp")
        switched = time.monotonic()
        compositor.poke()
        time.sleep(4)
        compositor.poke()
        last_input = time.monotonic()
        _wait_for_idle_taken_back(tmp_path, last_input)
        wait_until(
            lambda: float(_status(tmp_path)["used_minutes"]) * 60 < last_input - began + 2, what="take-back"
        )
    finally:
        stop_tracker(tracker)
    totals = _seconds_by_app(tmp_path)
    assert set(totals) == {"alphaapp", "betaapp"}
    assert totals["alphaapp"] == pytest.approx(switched - began, abs=TOLERANCE)
    assert totals["betaapp"] == pytest.approx(last_input - switched, abs=TOLERANCE)


def test_gnome_without_window_calls_counts_use_as_the_unknown_app(gnome: Compositor, tmp_path: Path) -> None:
    tracker = _start_tracker(gnome, tmp_path)
    try:
        gnome.poke()
        began = time.monotonic()
        time.sleep(8)  # real use: time has to pass
        gnome.poke()
        last_input = time.monotonic()
        counted = wait_until(lambda: float(_status(tmp_path)["used_minutes"]) * 60 >= 8, what="8 s counted")
        assert counted
        _wait_for_idle_taken_back(tmp_path, last_input)
    finally:
        stop_tracker(tracker)
    totals = _seconds_by_app(tmp_path)
    assert set(totals) == {"unknown"}
    assert totals["unknown"] == pytest.approx(last_input - began, abs=TOLERANCE)


def test_gnome_cap_comes_when_no_app_can_be_named(gnome: Compositor, tmp_path: Path) -> None:
    _cli(tmp_path, "config", "set", "daily_cap_minutes", "40")
    _cli(tmp_path, "config", "set", "break_every_minutes", "off")
    local = datetime.now().astimezone()
    if local.hour == 4 and local.minute < 45:  # keep the imported use inside one day
        _cli(tmp_path, "config", "set", "day_starts_at", "00:00")
    end = local - timedelta(seconds=2)
    history = tmp_path / "history.csv"
    begin = end - timedelta(minutes=40) + timedelta(seconds=8)
    history.write_text(f"start,end,app,name\n{begin.isoformat()},{end.isoformat()},supergame,Super Game\n")
    _cli(tmp_path, "import", str(history))
    assert _status(tmp_path)["decision"] != "block"
    tracker = _start_tracker(gnome, tmp_path)
    try:
        gnome.poke()
        status = wait_until(
            lambda: (status := _status(tmp_path))["decision"] == "block" and status,
            timeout=30,
            what="the cap",
        )
        gnome.poke()
    finally:
        stop_tracker(tracker)
    assert status["reason"] == "cap"
    assert "unknown" in {app["app"] for app in status["apps"]}  # type: ignore[attr-defined]
