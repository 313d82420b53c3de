"""The protected-mode agent as the child starts it: from code where an installation puts it (a
folder root alone may write), on the system's Python, as the child on the child's display.
Used by the guard's tests and by `benchmarks.guard`."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

from tests.childuser import CHILD, as_child
from tests.guard.desktop import ChildDesktop
from tests.guard.guardproc import GuardPlaces
from tests.tracker.linux_desktop import wait_until

#: This checkout and its environment's packages: root's, which the child can read but not change.
#: The environment's own Python lies under root's home, which the child cannot enter: the agent
#: runs on the system's Python (the same minor version) with these on its path.
CHECKOUT = Path(__file__).resolve().parents[2]
PACKAGES = Path(psutil.__file__).resolve().parents[1]


#: Where the agent's code is run from (see `installed_code`).
INSTALLED: dict[str, Path] = {}


@contextlib.contextmanager
def installed_code() -> Iterator[None]:
    """The package and the venv's packages where an installation puts them, for the agent the
    child runs: under a folder root alone may write. A checkout under /tmp (a CI clone), which
    everyone may write, would be refused by the guard as the agent's code — and a folder made by
    `mktemp -d` is not even readable by the child. Hard links where the filesystem allows: no copy."""
    folder = Path(tempfile.mkdtemp(prefix="wellbeing-agent-", dir="/var/lib"))
    folder.chmod(0o755)
    (folder / "app").mkdir(mode=0o755)
    for source, target in (
        (PACKAGES, folder / "site"),
        (CHECKOUT / "wellbeing_app", folder / "app" / "wellbeing_app"),
        (CHECKOUT / "resources", folder / "app" / "resources"),
    ):
        linked = subprocess.run(["cp", "-al", str(source), str(target)], capture_output=True, check=False)
        if linked.returncode != 0:  # another filesystem: a copy
            shutil.rmtree(target, ignore_errors=True)
            subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    subprocess.run(["chmod", "-R", "a+rX,go-w", str(folder)], check=True)
    # The agent's runtime folder (its one-agent lock): this run's own, as a login's
    # $XDG_RUNTIME_DIR is, so that two runs as the same child (parallel test suites, a benchmark)
    # do not find each other's agent running.
    runtime = folder / "run"
    runtime.mkdir(mode=0o700)
    shutil.chown(runtime, CHILD, CHILD)
    INSTALLED.update(app=folder / "app", site=folder / "site", runtime=runtime)
    try:
        yield
    finally:
        INSTALLED.clear()
        shutil.rmtree(folder)


def agent_command(places: GuardPlaces, *, options: str = "-s", **env: str) -> list[str]:
    """The tray app as the child runs it (`python3 -s -m wellbeing_app run`), with extra `env`."""
    variables = {
        "PYTHONPATH": f"{INSTALLED['app']}:{INSTALLED['site']}",
        "WELLBEING_GUARD_SOCKET": str(places.socket),
        "WELLBEING_PROTECTED_LIST": str(places.protected_list),
        "XDG_RUNTIME_DIR": str(INSTALLED["runtime"]),
        "QT_QPA_PLATFORM": "xcb",
        "LANG": "C.UTF-8",
        **env,
    }
    return [
        "/usr/bin/env", *(f"{k}={v}" for k, v in variables.items()),
        "/usr/bin/python3", *([options] if options else []), "-m", "wellbeing_app", "run",
    ]  # fmt: skip


#: What each agent wrote to stderr (by pid), for the message of a test that fails.
AGENT_LOGS: dict[int, Any] = {}


def start_agent(desktop: ChildDesktop, places: GuardPlaces, **how: Any) -> subprocess.Popen[bytes]:
    log = tempfile.TemporaryFile()  # noqa: SIM115 (kept open for the agent's life)
    process = as_child(
        desktop.home, desktop.display, *agent_command(places, **how), xauthority=desktop.xauthority,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    AGENT_LOGS[process.pid] = log
    desktop.processes.append(process)
    return process


def wait_for_connection(agent: subprocess.Popen[bytes]) -> None:
    """Until the agent is connected to a Unix socket (the guard's), or has ended."""

    def connected() -> bool:
        try:
            return agent.poll() is not None or bool(psutil.Process(agent.pid).net_connections("unix"))
        except psutil.Error:
            return True

    wait_until(connected, timeout=30, what="the agent to reach the guard")


def agent_said(process: subprocess.Popen[bytes]) -> str:
    """The end of what the agent wrote to stderr, for the message of a test that fails."""
    log = AGENT_LOGS.get(process.pid)
    if log is None:
        return ""
    log.seek(0)
    said: bytes = log.read()
    return said.decode(errors="replace")[-3000:]
