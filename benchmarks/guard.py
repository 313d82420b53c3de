"""The guard's figures, as root: `python -m benchmarks.guard [--quick]`.

CPU and memory (USS) of `wellbeing-app service run` with one protected session ticking (the child's
own Xvfb and openbox, logind stood in by dbusmock), `status` through the guard with two years
of records in the account, and the memory of the agent (the tray app in the protected account). Needs root, a user `wbkid` (made by the guard's tests) and the test
packages (Xvfb, openbox, xterm, xdotool, python3-dbusmock).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from benchmarks.run import fill, report
from tests.childuser import CHILD
from tests.guard.agentproc import agent_said, installed_code, start_agent, wait_for_connection
from tests.guard.desktop import ChildDesktop, child_desktop
from tests.guard.guardproc import GuardPlaces, guard_places, running_guard
from tests.guard.logind_mock import LogindMock
from tests.tracker.linux_desktop import require, stop
from wellbeing_app.guard.account import Account
from wellbeing_app.link.client import LinkClient


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="120 days of records and 20 s of CPU, not 730 and 60"
    )
    args = parser.parse_args()
    days, seconds = (120, 20.0) if args.quick else (730, 60.0)
    account = Account.named(CHILD)
    print("| what | figure | how |\n| --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        base.chmod(0o755)  # the protected list is in it: the child's tray app reads it to start as the agent
        (base / "bus").mkdir()
        logind = LogindMock.start(base / "bus")
        try:
            with (
                child_desktop(account.home) as desktop,
                guard_places(base, logind.address, [CHILD]) as places,
            ):
                _, window = desktop.app("alphaterm")
                desktop.activate(window)
                logind.add_session(
                    "c1", uid=account.uid, user=CHILD, type="x11", display=desktop.display,
                    leader=desktop.processes[0].pid,
                )  # fmt: skip
                data = places.state_dir / "accounts" / CHILD
                data.mkdir(parents=True, mode=0o700)
                places.state_dir.chmod(0o700)
                began = time.perf_counter()
                fill(data, days)
                filled = time.perf_counter() - began
                with running_guard(places) as guard:
                    process = psutil.Process(guard.pid)
                    time.sleep(3.0)  # past the start: the figures are of the guard at rest, ticking
                    cpu_before = sum(process.cpu_times()[:2])
                    time.sleep(seconds)
                    cpu = sum(process.cpu_times()[:2]) - cpu_before
                    uss = process.memory_full_info().uss
                    rss = process.memory_info().rss
                    report("guard CPU, one session ticking", f"{cpu / seconds * 100:.2f} % of a core",
                           f"`service run` as root, 1 Hz ticks on the child's Xvfb, over {seconds:.0f} s")  # fmt: skip
                    report("guard memory, one session ticking", f"USS {uss / 2**20:.1f} MiB (RSS {rss / 2**20:.1f} MiB)",
                           "psutil memory_full_info after the run above")  # fmt: skip
                    calls = []
                    with LinkClient(places.socket) as client:
                        for _ in range(20):
                            began = time.perf_counter()
                            client.call("status", user=CHILD)
                            calls.append(time.perf_counter() - began)
                    report("`status` over the guard's socket (the call)", f"median {statistics.median(calls) * 1000:.1f} ms",
                           f"{days} days of records in the account ({960 * days} spans, filled in {filled:.0f} s)")  # fmt: skip
                    whole = []
                    for _ in range(7):
                        began = time.perf_counter()
                        done = places.cli(
                            "--user", CHILD, "--state-dir", str(places.state_dir), "status", "--json"
                        )
                        whole.append(time.perf_counter() - began)
                        if done.returncode != 0:
                            sys.exit(done.stderr)
                    report("`sudo wellbeing-app --user NAME status` (whole process)",
                           f"median {statistics.median(whole) * 1000:.0f} ms", "answered by the running guard")  # fmt: skip
                    report_agent(desktop, places)
                offline = []
                for _ in range(5):
                    began = time.perf_counter()
                    subprocess.run(
                        [sys.executable, "-m", "wellbeing_app", "--user", CHILD, "--state-dir", str(places.state_dir),
                         "status", "--json"], env=places.env(), check=True, capture_output=True,
                    )  # fmt: skip
                    offline.append(time.perf_counter() - began)
                report("`--user NAME status` with no guard running (whole process)",
                       f"median {statistics.median(offline) * 1000:.0f} ms", "opens the account's database")  # fmt: skip
        finally:
            logind.stop()


def report_agent(desktop: ChildDesktop, places: GuardPlaces) -> None:
    """The agent's memory: the tray app as the child starts it in the protected account, with a
    system tray on the child's display, once it has settled."""
    desktop.start(require("trayer"), "--edge", "top", "--align", "right", "--widthtype", "pixel",
                  "--width", "120", "--height", "24", "--SetDockType", "true")  # fmt: skip
    with installed_code():
        agent = start_agent(desktop, places)
        wait_for_connection(agent)
        time.sleep(15.0)  # past the start: the guide's tips loaded, the first pushes answered
        if agent.poll() is not None:
            sys.exit(f"the agent ended: {agent_said(agent)}")
        process = psutil.Process(agent.pid)
        if any("_sqlite3" in mapped.path for mapped in process.memory_maps()):
            sys.exit(
                "the tray app ran in personal mode (it loaded sqlite3): the child could not read the protected list"
            )
        uss = process.memory_full_info().uss
        rss = process.memory_info().rss
        stop(agent)
    report("the agent's memory (the tray app in a protected account)", f"USS {uss / 2**20:.1f} MiB (RSS {rss / 2**20:.1f} MiB)",
           "started as the child on its display with a tray (trayer), 15 s after it reached the guard")  # fmt: skip


if __name__ == "__main__":
    main()
