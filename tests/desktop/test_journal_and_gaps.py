"""The live journal and the gap record against a real `wellbeing-app track` on a real X server:
the journal redirected to /dev/null, the tracker killed with SIGKILL, the journal edited."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.desktop.test_track_e2e import run_tracker, stop_tracker
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
def game(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """An Xvfb of its own with openbox and one xterm copy called `game` in front."""
    program = tmp_path_factory.mktemp("apps") / "game"
    shutil.copy(shutil.which("xterm") or "xterm", program)
    with private_xvfb() as (display, _server):
        openbox = start_openbox(display)
        process, window = start_xterm(display, program, title="game", geometry="60x10+20+40")
        try:
            yield display, window
        finally:
            stop(process)
            stop(openbox)


def play(display: str, seconds: float) -> None:
    """Input every half second for `seconds` (real use: time has to pass)."""
    until = time.monotonic() + seconds
    step = 0
    while time.monotonic() < until:
        step += 1
        xdotool(display, "mousemove", str(100 + step % 50), "100")
        time.sleep(0.5)


def records(data_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "WELLBEING_DATA_DIR": str(data_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "wellbeing_app", "export", "--format", "json"],
        env=env,
        capture_output=True,
        check=True,
    ).stdout
    return dict(json.loads(out))


def game_seconds(exported: dict[str, Any]) -> float:
    return seconds_of(exported, "game")


def kinds(exported: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in exported["events"] if e["kind"] == kind]


def restart_tracker(display: str, data_dir: Path) -> subprocess.Popen[bytes]:
    """Start the tracker again after a kill, once it has written a journal of its own."""
    journal = data_dir / "live-journal.json"
    killed = journal.read_text()
    process = subprocess.Popen(
        [sys.executable, "-m", "wellbeing_app", "track"],
        env={**os.environ, "DISPLAY": display, "WELLBEING_DATA_DIR": str(data_dir)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_until(lambda: journal.read_text() != killed, what="the tracker to start again")
    return process


def text_of(journal: Path) -> str:
    """The journal's text; empty for a moment while the tracker moves a refused one aside."""
    try:
        return journal.read_text()
    except FileNotFoundError:
        return ""


def redirect_to_dev_null(journal: Path) -> None:
    """`ln -sf /dev/null live-journal.json`, done atomically as ln does."""
    link = journal.with_name("link-in-the-making")
    os.symlink("/dev/null", link)
    os.replace(link, journal)


def test_a_journal_redirected_to_dev_null_is_refused_and_a_kill_still_leaves_the_play_and_a_gap(
    game: tuple[str, int], tmp_path: Path
) -> None:
    display, window = game
    journal = tmp_path / "live-journal.json"
    tmp_path.mkdir(exist_ok=True)
    redirect_to_dev_null(journal)  # before the start
    activate(display, window)
    tracker = run_tracker(display, tmp_path)  # waits until a real journal says it is tracking
    try:
        began = time.monotonic()
        play(display, 3)
        redirect_to_dev_null(journal)  # again while it runs
        wait_until(
            lambda: not journal.is_symlink() and '"clean":false' in text_of(journal), what="a new journal"
        )
        play(display, 3)
        played = time.monotonic() - began
    finally:
        tracker.send_signal(signal.SIGKILL)
        tracker.communicate(timeout=10)
    assert journal.is_file()
    assert not journal.is_symlink()
    moved = sorted(p for p in tmp_path.iterdir() if p.name.startswith("live-journal.json.refused-"))
    assert [os.readlink(p) for p in moved] == ["/dev/null", "/dev/null"]
    restarted = restart_tracker(display, tmp_path)
    stop_tracker(restarted)
    exported = records(tmp_path)
    # At most the 2 s between journal writes is lost to the kill (the tracker samples once a second).
    assert game_seconds(exported) >= played - 3
    refused = kinds(exported, "file_refused")
    assert [(e["data"]["file"], e["data"]["why"]) for e in refused] == [
        ("journal", "it is a symbolic link to /dev/null")
    ] * 2
    assert len(kinds(exported, "tracking_gap")) == 1


def test_clean_true_edited_into_the_journal_after_a_kill_does_not_hide_it(
    game: tuple[str, int], tmp_path: Path
) -> None:
    display, window = game
    activate(display, window)
    tracker = run_tracker(display, tmp_path)
    play(display, 3)
    tracker.send_signal(signal.SIGKILL)
    tracker.communicate(timeout=10)
    journal = tmp_path / "live-journal.json"
    journal.write_text(journal.read_text().replace('"clean":false', '"clean":true'))
    restarted = restart_tracker(display, tmp_path)
    stop_tracker(restarted)
    gaps = kinds(records(tmp_path), "tracking_gap")
    assert len(gaps) == 1


def seconds_of(exported: dict[str, Any], app: str) -> float:
    return sum(
        (datetime.fromisoformat(s["end"]) - datetime.fromisoformat(s["start"])).total_seconds()
        for s in exported["spans"]
        if os.path.basename(s["app"]) == app
    )


def test_a_tracker_stopped_and_continued_in_a_loop_still_counts_the_play_and_records_it(
    game: tuple[str, int], tmp_path: Path
) -> None:
    """`while :; do kill -STOP $PID; sleep 55; kill -CONT $PID; sleep 1; done`, shortened."""
    display, window = game
    activate(display, window)
    tracker = run_tracker(display, tmp_path)
    stopped_for = 13.0
    try:
        began = time.monotonic()
        play(display, 2)
        for _ in range(2):
            tracker.send_signal(signal.SIGSTOP)
            play(display, stopped_for)  # the game is played while the tracker is frozen
            tracker.send_signal(signal.SIGCONT)
            play(display, 1.5)
        played = time.monotonic() - began
    finally:
        tracker.send_signal(signal.SIGCONT)
        stop_tracker(tracker)
    exported = records(tmp_path)
    unknown = seconds_of(exported, "unknown")
    assert unknown >= 2 * (stopped_for - 1.5)
    assert unknown + seconds_of(exported, "game") >= played - 3
    unwatched = kinds(exported, "unwatched")
    assert len(unwatched) == 2
    assert all(e["data"]["seconds"] >= stopped_for - 1.5 for e in unwatched)
    assert kinds(exported, "suspend") == []


def track_in_zone(display: str, data_dir: Path, zone: str, seconds: float) -> None:
    """A real `track` run under `TZ=zone`, with the game played, stopped cleanly."""
    journal = data_dir / "live-journal.json"
    before = text_of(journal)
    process = subprocess.Popen(
        [sys.executable, "-m", "wellbeing_app", "track"],
        env={**os.environ, "DISPLAY": display, "WELLBEING_DATA_DIR": str(data_dir), "TZ": zone},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: text_of(journal) not in (before, ""), what="the tracker to start")
        play(display, seconds)
    finally:
        stop_tracker(process)


def test_a_start_under_a_zone_a_day_back_opens_no_fresh_day_and_is_recorded(
    game: tuple[str, int], tmp_path: Path
) -> None:
    display, window = game
    activate(display, window)
    track_in_zone(display, tmp_path, "Etc/GMT-14", 2)  # UTC+14
    track_in_zone(display, tmp_path, "Etc/GMT+12", 2)  # UTC-12: always the day before there
    exported = records(tmp_path)
    days = {s["day"] for s in exported["spans"]}
    assert len(days) == 1  # the second run's play is filed under the day that was running
    [changed] = kinds(exported, "zone_changed")
    assert changed["data"] == {"old": "Etc/GMT-14", "new": "Etc/GMT+12"}


LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")


@pytest.mark.skipif(not LIBFAKETIME.exists(), reason="needs libfaketime (Debian package faketime)")
def test_a_start_under_faketime_a_day_ahead_uses_the_kernels_time_and_is_recorded(
    game: tuple[str, int], tmp_path: Path
) -> None:
    display, window = game
    activate(display, window)
    track_in_zone(display, tmp_path, "UTC", 2)
    journal = tmp_path / "live-journal.json"
    before = text_of(journal)
    process = subprocess.Popen(
        [sys.executable, "-m", "wellbeing_app", "track"],  # as `faketime -f +1d` starts it
        env={
            **os.environ,
            "DISPLAY": display,
            "WELLBEING_DATA_DIR": str(tmp_path),
            "TZ": "UTC",
            "LD_PRELOAD": str(LIBFAKETIME),
            "FAKETIME": "+1d",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: text_of(journal) not in (before, ""), what="the tracker to start")
        play(display, 2)
    finally:
        stop_tracker(process)
    exported = records(tmp_path)
    assert len({s["day"] for s in exported["spans"]}) == 1  # no fresh day, nothing filed in the future
    today = datetime.now(UTC).date()
    assert all(datetime.fromisoformat(s["end"]).date() <= today for s in exported["spans"])
    details = [e["data"]["detail"] for e in kinds(exported, "start_changed")]
    assert "the time it was given was 24 h 0 min ahead of the kernel's; the kernel's is used" in details
