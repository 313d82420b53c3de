"""Whole-process times of commands run alternately, for before/after comparisons on a busy
machine: `python -m benchmarks.alternate [--runs N] COMMAND...`.

Each command is a shell command line, run N times (default 21), one after the other in turn, so
that a change of load on the machine falls on all of them alike. Prints the median, the first
quartile and the fastest run of each, in milliseconds. Example, the code of two checkouts:

    python -m benchmarks.alternate 'cd ../old && python -m wellbeing_app status' \\
        'cd ../new && python -m wellbeing_app status'
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (default 21)")
    parser.add_argument("commands", nargs="+", metavar="COMMAND")
    args = parser.parse_args()
    times: dict[str, list[float]] = {command: [] for command in args.commands}
    for _ in range(args.runs):
        for command in args.commands:
            began = time.perf_counter()
            done = subprocess.run(
                command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
            )
            times[command].append((time.perf_counter() - began) * 1000)
            if done.returncode != 0:
                raise SystemExit(
                    f"{command!r} failed ({done.returncode}): {done.stderr.decode(errors='replace')}"
                )
    print("| command | median | first quartile | fastest |\n| --- | --- | --- | --- |")
    for command, measured in times.items():
        ordered = sorted(measured)
        print(
            f"| `{command}` | {statistics.median(ordered):.0f} ms | {ordered[len(ordered) // 4]:.0f} ms "
            f"| {ordered[0]:.0f} ms |"
        )


if __name__ == "__main__":
    main()
