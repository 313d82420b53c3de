"""The guard as root in a process of its own, on a private state dir, socket, protected list and
system bus (logind's stand-in), for the tests that show what the child can and cannot do to it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.childuser import as_child
from tests.tracker.linux_desktop import stop, wait_until
from wellbeing_app.link.client import LinkClient
from wellbeing_app.link.protocol import LinkError


@dataclass
class GuardPlaces:
    state_dir: Path
    socket: Path
    protected_list: Path
    bus: str

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "WELLBEING_GUARD_SOCKET": str(self.socket),
            "WELLBEING_PROTECTED_LIST": str(self.protected_list),
            "DBUS_SYSTEM_BUS_ADDRESS": self.bus,
        }

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """`wellbeing-app ARGS` as root, on these places."""
        return subprocess.run(
            [sys.executable, "-m", "wellbeing_app", *args], env=self.env(), input=stdin,
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    def ask(self, op: str, **args: Any) -> Any:
        with LinkClient(self.socket) as client:
            return client.call(op, **args)


@contextmanager
def guard_places(tmp_path: Path, bus: str, accounts: list[str]) -> Iterator[GuardPlaces]:
    """A folder anyone can enter (like /run) holding the socket and the state dir (which the guard
    makes root's alone), and the protected list."""
    run = Path(tempfile.mkdtemp(prefix="wellbeing-guard-run-"))
    run.chmod(0o755)
    listing = tmp_path / "protected"
    listing.write_text("".join(f"{name}\n" for name in accounts))
    try:
        yield GuardPlaces(run / "state", run / "socket", listing, bus)
    finally:
        shutil.rmtree(run, ignore_errors=True)


#: Run by the child (the system Python with this checkout's packages): requests on the guard's
#: socket, one answer each ({"ok": result} or {"error": kind, "message": words}).
CHILD_CLIENT = """
import json, sys
from wellbeing_app.link.client import LinkClient
from wellbeing_app.link.protocol import LinkError
client = LinkClient(sys.argv[1])
answers = []
for request in json.loads(sys.argv[2]):
    op = request.pop("op")
    try:
        answers.append({"ok": client.call(op, **request)})
    except LinkError as error:
        answers.append({"error": error.kind, "message": error.message})
print(json.dumps(answers))
"""


def ask_as_child(
    home: Path, packages: Path, socket_path: Path, requests: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The child's own requests on the guard's socket, from a process of the child's."""
    process = as_child(
        home, "", "/usr/bin/python3", "-c", CHILD_CLIENT, str(socket_path), json.dumps(requests),
        packages=packages, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()
    return list(json.loads(out))


def _answers(places: GuardPlaces) -> bool:
    try:
        places.ask("hello")
    except LinkError:
        return False
    return True


def start_guard(places: GuardPlaces) -> subprocess.Popen[bytes]:
    """`wellbeing-app service run` as root; returns once its socket answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "wellbeing_app", "service", "run",
         "--state-dir", str(places.state_dir), "--socket", str(places.socket)],
        env=places.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_until(
            lambda: process.poll() is not None or _answers(places), timeout=30, what="the guard's socket"
        )
    except BaseException:
        stop(process)
        raise
    if process.poll() is not None:
        raise AssertionError(
            f"the guard ended at start: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return process


def stop_guard(process: subprocess.Popen[bytes], how: signal.Signals = signal.SIGTERM) -> str:
    """SIGTERM (as systemd stops it) or SIGINT; what it wrote to stderr. Fails unless it ends cleanly."""
    process.send_signal(how)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    return err.decode()


@contextmanager
def running_guard(places: GuardPlaces) -> Iterator[subprocess.Popen[bytes]]:
    process = start_guard(places)
    try:
        yield process
    finally:
        if process.poll() is None:
            stop_guard(process)
        stop(process)


def seconds_of(status: dict[str, Any], name: str) -> float:
    """Seconds counted today for the program whose path or name ends with `name`."""
    return sum(
        float(item["seconds"]) for item in status["by_app"] if str(item["app"]["executable"]).endswith(name)
    )


def monotonic() -> float:
    return time.monotonic()
