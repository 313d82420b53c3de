"""The child's X11 desktop for the guard's tests: their own Xvfb (their cookie), openbox and xterms
started as them, windows switched by xdotool as them; root reaches the display only with the cookie."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.childuser import CHILD, as_child, child_xvfb
from tests.tracker.linux_desktop import require, stop, wait_until
from wellbeing_app.guard.sessions import parse_xauthority
from wellbeing_app.tracker.base import TrackerError
from wellbeing_app.tracker.x11 import open_display_with_auth


def _wm_running(desktop: ChildDesktop) -> bool:
    """Whether a window manager set _NET_SUPPORTING_WM_CHECK, asked with the child's cookie."""
    entry = parse_xauthority(desktop.xauthority.read_bytes())[0]
    try:
        display = open_display_with_auth(desktop.display, entry.name, entry.data)
    except TrackerError:
        return False
    try:
        atom = display.intern_atom("_NET_SUPPORTING_WM_CHECK")
        return display.screen().root.get_full_property(atom, 0) is not None
    finally:
        display.close()


@dataclass
class ChildDesktop:
    home: Path
    display: str
    xauthority: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, *command: str) -> subprocess.Popen[bytes]:
        process = as_child(
            self.home, self.display, *command, xauthority=self.xauthority,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def xdotool(self, *args: str) -> str:
        process = as_child(
            self.home, self.display, require("xdotool"), *args, xauthority=self.xauthority,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        out, err = process.communicate(timeout=30)
        if process.returncode != 0:
            raise AssertionError(f"xdotool {' '.join(args)} failed: {err.decode()}")
        return out.decode()

    def app(self, name: str) -> tuple[subprocess.Popen[bytes], int]:
        """An xterm copied to the child's home as `name` (a distinct program), started as the
        child; (process, window id)."""
        program = self.home / name
        if not program.exists():
            shutil.copy(require("xterm"), program)
            shutil.chown(program, CHILD, CHILD)
        process = self.start(str(program), "-e", "cat")
        window = int(self.xdotool("search", "--sync", "--onlyvisible", "--pid", str(process.pid)).split()[-1])
        return process, window

    def activate(self, window: int) -> None:
        self.xdotool("windowactivate", "--sync", str(window))

    def close(self) -> None:
        for process in reversed(self.processes):
            stop(process)


@contextmanager
def child_desktop(home: Path, cookie_name: str = ".Xauthority") -> Iterator[ChildDesktop]:
    """The child's display with openbox running on it as the child (started with XAUTHORITY set,
    as a display manager starts a session: the guard finds the cookie through it)."""
    with child_xvfb(home, cookie_name) as (display, xauthority):
        desktop = ChildDesktop(home, display, xauthority)
        try:
            desktop.start(require("openbox"), "--sm-disable")
            wait_until(lambda: _wm_running(desktop), what=f"openbox on {display}")
            yield desktop
        finally:
            desktop.close()
