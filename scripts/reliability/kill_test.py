"""Kill `wellbeing-app track` with SIGKILL at random moments, many times, and measure what each kill costs.

    .venv/bin/python scripts/reliability/kill_test.py --runs 200

A private Xvfb with openbox and an xterm in front; the mouse moves every couple of seconds so the
person counts as present the whole time. Each run starts `python -m wellbeing_app track` on the same
data dir, waits until it tracks, lets it run a random 0.5-6 s and kills it with SIGKILL. After each
kill:

- `PRAGMA integrity_check` of the database says ok (read-only, before anything else touches it);
- the next start works: the next run reaches "tracking" (and the last one is stopped cleanly);
- the usage lost by the kill = (seconds the killed run tracked while present) - (seconds of usage the
  database holds for it once the next start has taken in its journal); the database is what `status`,
  `report` and `export` read, and at the end the export is checked against it;
- exactly one TRACKING_GAP event was recorded for the kill.

Truth is measured from the moment the run's new journal appears (the tracker writes it right after
start-up, just before its first sample) to the moment of the kill; the poll interval (5 ms) makes the
truth, and so the loss, read up to ~5 ms low.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.tracker.linux_desktop import (  # noqa: E402  (the repository root is put on the path first)
    activate,
    private_xvfb,
    start_openbox,
    start_xterm,
    stop,
    xdotool,
)

DATABASE = "wellbeing.sqlite3"
JOURNAL = "live-journal.json"
#: The aim: a kill loses at most the journal interval.
AIM_SECONDS = 2.0


@dataclass
class Run:
    number: int
    tracked_seconds: float  # truth: from "tracking" to the kill
    recorded_seconds: float = float("nan")
    gaps_recorded: int = -1
    integrity: str = ""

    @property
    def lost_seconds(self) -> float:
        return self.tracked_seconds - self.recorded_seconds


def database_figures(data_dir: Path) -> tuple[float, int]:
    """(seconds of usage in all spans, number of TRACKING_GAP events), read-only."""
    path = data_dir / DATABASE
    if not path.exists():
        return 0.0, 0
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        span_ms = connection.execute(
            "SELECT COALESCE(SUM(end_ms - start_ms), 0) FROM usage_spans"
        ).fetchone()[0]
        gaps = connection.execute("SELECT COUNT(*) FROM events WHERE kind = 'tracking_gap'").fetchone()[0]
    finally:
        connection.close()
    return span_ms / 1000, int(gaps)


def integrity(data_dir: Path) -> str:
    path = data_dir / DATABASE
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        return "; ".join(str(row[0]) for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()


def journal_text(data_dir: Path) -> str | None:
    try:
        return (data_dir / JOURNAL).read_text(encoding="utf-8").rstrip()
    except (OSError, UnicodeDecodeError):
        return None


class Tracker:
    """One `python -m wellbeing_app track` process on the display."""

    def __init__(self, display: str, data_dir: Path, seconds: float | None = None) -> None:
        env = {**os.environ, "DISPLAY": display, "WELLBEING_DATA_DIR": str(data_dir)}
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no session bus: media and lock probes say "unknown"
        self.data_dir = data_dir
        before = journal_text(data_dir)
        command = [sys.executable, "-m", "wellbeing_app", "track"]
        if seconds is not None:
            command += ["--seconds", str(seconds)]
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

        def tracking() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the tracker exited with {self.process.returncode}: {self.stderr()}")
            text = journal_text(data_dir)
            return bool(text) and text != before and '"clean":false' in (text or "")

        # A new journal (not the one the killed run left) means this run has started tracking.
        deadline = time.monotonic() + 30
        while not tracking():
            if time.monotonic() > deadline:
                raise AssertionError(f"the tracker did not start tracking within 30 s: {self.stderr()}")
            time.sleep(0.005)
        self.started = time.monotonic()

    def stderr(self) -> str:
        if self.process.stderr is None:
            return ""
        return self.process.stderr.read().decode(errors="replace")[-2000:]

    def kill(self) -> float:
        killed = time.monotonic()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        if self.process.stderr is not None:
            self.process.stderr.close()
        return killed - self.started


def keep_present(display: str, stop_moving: threading.Event, every: float) -> None:
    """Absolute moves to new spots reset the X idle counter (a move by 0 would not)."""
    spots = [(100, 100), (140, 120)]
    index = 0
    while not stop_moving.wait(every):
        index = 1 - index
        xdotool(display, "mousemove", *(str(v) for v in spots[index]))


def export_seconds(display: str, data_dir: Path) -> float:
    env = {**os.environ, "DISPLAY": display, "WELLBEING_DATA_DIR": str(data_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "wellbeing_app", "export", "--format", "json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return sum(
        (datetime.fromisoformat(span["end"]) - datetime.fromisoformat(span["start"])).total_seconds()
        for span in json.loads(out)["spans"]
    )


def summary(runs: list[Run], final_ok: bool, export_matches: bool) -> tuple[str, bool]:
    losses = [run.lost_seconds for run in runs]
    bad_integrity = [run.number for run in runs if run.integrity != "ok"]
    bad_gaps = [run.number for run in runs if run.gaps_recorded != 1]
    over_aim = [run for run in runs if run.lost_seconds > AIM_SECONDS]
    rows = [
        ("kills", f"{len(runs)}"),
        ("integrity_check ok after the kill", f"{len(runs) - len(bad_integrity)} of {len(runs)}"),
        ("the next start worked", f"{len(runs)} of {len(runs)}" + ("" if final_ok else " (the last clean stop FAILED)")),
        ("TRACKING_GAP events recorded (one per kill)", f"{sum(max(0, r.gaps_recorded) for r in runs)}"
         + ("" if not bad_gaps else f" — runs with != 1: {bad_gaps[:10]}")),
        ("time tracked before the kills", f"{sum(r.tracked_seconds for r in runs):.1f} s"),
        ("usage lost per kill: median", f"{statistics.median(losses):.3f} s"),
        ("usage lost per kill: mean", f"{statistics.fmean(losses):.3f} s"),
        ("usage lost per kill: worst", f"{max(losses):.3f} s"),
        ("usage lost per kill: least", f"{min(losses):.3f} s"),
        (f"kills that lost more than {AIM_SECONDS:g} s (the aim)", f"{len(over_aim)}"),
        ("export total equals the database total", "yes" if export_matches else "NO"),
    ]  # fmt: skip
    width = max(len(what) for what, _ in rows)
    lines = [f"| {'what'.ljust(width)} | figure |", f"|{'-' * (width + 2)}|--------|"]
    lines += [f"| {what.ljust(width)} | {figure} |" for what, figure in rows]
    passed = not bad_integrity and not bad_gaps and not over_aim and final_ok and export_matches
    return "\n".join(lines), passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="how many kills (default 200)")
    parser.add_argument("--min-delay", type=float, default=0.5, help="seconds after tracking began, at least")
    parser.add_argument("--max-delay", type=float, default=6.0, help="seconds after tracking began, at most")
    parser.add_argument("--seed", type=int, help="random seed (default: a fresh one, printed)")
    parser.add_argument("--data-dir", type=Path, help="data dir to use (default: a fresh temporary one)")
    parser.add_argument("--json", type=Path, help="also write every run's figures to this file")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"kill_test: {args.runs} runs, delays {args.min_delay}-{args.max_delay} s, seed {seed}", flush=True)

    with tempfile.TemporaryDirectory(prefix="wellbeing-kill-") as scratch:
        data_dir = args.data_dir or Path(scratch) / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        runs: list[Run] = []
        with private_xvfb() as (display, _server):
            openbox = start_openbox(display)
            xterm, window = start_xterm(
                display, Path(shutil.which("xterm") or "xterm"), title="homework", geometry="80x20+10+10"
            )
            stop_moving = threading.Event()
            mover = threading.Thread(target=keep_present, args=(display, stop_moving, 2.0), daemon=True)
            try:
                activate(display, window)
                xdotool(display, "mousemove", "120", "110")
                mover.start()
                previous: Run | None = None
                recorded_before, gaps_before = database_figures(data_dir)
                final_ok = False
                for number in range(1, args.runs + 2):
                    last = number == args.runs + 1
                    # The last start only takes in the last kill's journal, and stops cleanly.
                    tracker = Tracker(display, data_dir, seconds=1.0 if last else None)
                    recorded, gaps = database_figures(data_dir)
                    if previous is not None:
                        previous.recorded_seconds = recorded - recorded_before
                        previous.gaps_recorded = gaps - gaps_before
                        runs.append(previous)
                        print(
                            f"run {previous.number:4d}: tracked {previous.tracked_seconds:6.3f} s, "
                            f"recorded {previous.recorded_seconds:6.3f} s, lost {previous.lost_seconds:6.3f} s, "
                            f"gaps {previous.gaps_recorded}, integrity {previous.integrity}",
                            flush=True,
                        )
                    recorded_before, gaps_before = recorded, gaps
                    if last:
                        tracker.process.wait(timeout=30)
                        final_ok = tracker.process.returncode == 0
                        if not final_ok:
                            print(f"the last, clean run failed: {tracker.stderr()}", file=sys.stderr)
                        break
                    time.sleep(rng.uniform(args.min_delay, args.max_delay))  # the random moment of the kill
                    tracked = tracker.kill()
                    previous = Run(number, tracked, integrity=integrity(data_dir))
                database_total, _gaps = database_figures(data_dir)
                export_total = export_seconds(display, data_dir)
                export_matches = abs(export_total - database_total) < 0.01
            finally:
                stop_moving.set()
                mover.join(timeout=5)
                stop(xterm)
                stop(openbox)
        table, passed = summary(runs, final_ok, export_matches)
        print()
        print(table)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "seed": seed,
                        "runs": [
                            {
                                "run": r.number,
                                "tracked_s": round(r.tracked_seconds, 4),
                                "recorded_s": round(r.recorded_seconds, 4),
                                "lost_s": round(r.lost_seconds, 4),
                                "gaps": r.gaps_recorded,
                                "integrity": r.integrity,
                            }
                            for r in runs
                        ],
                    },
                    indent=1,
                )
            )
    print("\nPASS" if passed else "\nFAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
