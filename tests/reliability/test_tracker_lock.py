"""One tracker per data dir, held by a lock the kernel drops when the process dies, however it dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from wellbeing_app.core.model import EventKind
from wellbeing_app.service import Service, ServiceError

ROOT = Path(__file__).resolve().parents[2]
TRACKER = """
import sys
from pathlib import Path
from wellbeing_app.service import Service
service = Service.open(Path(sys.argv[1]))
service.start_tracking()
print("tracking", flush=True)
sys.stdin.read()  # until killed
"""


@pytest.fixture
def other_tracker(data_dir: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", TRACKER, str(data_dir)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "tracking\n"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


def test_a_second_tracker_on_the_same_data_dir_is_refused_and_status_says_one_runs(
    data_dir: Path, other_tracker: subprocess.Popen[str]
) -> None:
    service = Service.open(data_dir)
    assert service.tracker_running()
    assert service.status().tracking
    with pytest.raises(ServiceError, match="another tracker is already running"):
        service.start_tracking()
    service.close()


def test_a_tracker_killed_a_moment_ago_lets_the_next_one_start_at_once_and_leaves_a_gap_record(
    data_dir: Path, other_tracker: subprocess.Popen[str]
) -> None:
    other_tracker.send_signal(signal.SIGKILL)
    other_tracker.wait(timeout=10)

    service = Service.open(data_dir)
    assert not service.tracker_running()
    service.start_tracking()  # within milliseconds of the kill
    assert len(service.events(1, [EventKind.TRACKING_GAP])) == 1
    service.close()
