"""How many passcode guesses the lockout lets through, and how fast the stored hash can be guessed offline.

    .venv/bin/python scripts/reliability/passcode_figures.py

Online: `Service.verify_passcode` on a real database with a fake clock, a wrong passcode typed once a
second and tried again the moment each lockout ends. Offline: one scrypt derivation with the stored
cost parameters, timed on this machine, times the number of possible passcodes — what someone who can
read the database file could do with the hash.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.reliability.test_passcode import guesses_allowed  # noqa: E402
from wellbeing_app.core import passcode  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, nargs="*", default=[1, 7, 30, 365])
    args = parser.parse_args()

    print("| time the guesser has | guesses checked |")
    print("|---|---|")
    print(f"| 1 hour | {guesses_allowed(1)} |", flush=True)
    for days in args.days:
        print(f"| {days} day{'s' if days > 1 else ''} | {guesses_allowed(24 * days)} |", flush=True)

    stored = passcode.hash_passcode("2468", secrets.token_bytes(16))
    timings = []
    for _ in range(20):
        began = time.perf_counter()
        passcode.matches("1357", stored)
        timings.append(time.perf_counter() - began)
    each = statistics.median(timings)
    print()
    print(f"one scrypt check (N={stored.n}, r={stored.r}, p={stored.p}) on one core: {each * 1000:.1f} ms")
    print("| passcode | possibilities | all tried offline, one core |")
    print("|---|---|---|")
    for what, count in [
        ("4 digits", 10**4),
        ("6 digits", 10**6),
        ("8 digits", 10**8),
        ("12 digits", 10**12),
        ("6 lower-case letters", 26**6),
        ("3 common words (of 7776)", 7776**3),
    ]:
        seconds = count * each
        print(f"| {what} | {count:.0e} | {describe(seconds)} |")
    return 0


def describe(seconds: float) -> str:
    for unit, size in (("years", 365 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:.0f} s"


if __name__ == "__main__":
    sys.exit(main())
