"""A real desktop for the tray app: openbox and a system tray (trayer) on pytest-xvfb's Xvfb."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from Xlib import display as xdisplay

from tests.tracker.linux_desktop import require, start_openbox, stop, wait_until, xdotool


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("QT_QPA_PLATFORM") == "xcb":
        return
    skip = pytest.mark.skip(reason="needs QT_QPA_PLATFORM=xcb: scripts/test runs these in their own session")
    for item in items:
        if "tests/xcb/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(skip)


def tray_owned(display_name: str) -> bool:
    dpy = xdisplay.Display(display_name)
    try:
        return bool(dpy.get_selection_owner(dpy.intern_atom("_NET_SYSTEM_TRAY_S0")))
    finally:
        dpy.close()


@pytest.fixture(scope="session")
def desktop() -> Iterator[str]:
    """openbox and trayer on the session's X server; yields the DISPLAY name."""
    display_name = os.environ["DISPLAY"]
    openbox = start_openbox(display_name)
    trayer = subprocess.Popen(
        [require("trayer"), "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "120",
         "--height", "24"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until(lambda: tray_owned(display_name), what="trayer to own _NET_SYSTEM_TRAY_S0")
        yield display_name
    finally:
        stop(trayer)
        stop(openbox)


@pytest.fixture
def game(desktop: str, tmp_path: Path) -> Iterator[int]:
    """A real counted app in front: a copy of xterm called `supergame`."""
    program = tmp_path / "supergame"
    shutil.copy(require("xterm"), program)
    process = subprocess.Popen(
        [str(program), "-geometry", "60x10+40+60", "-e", "cat"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    window = int(xdotool(desktop, "search", "--sync", "--onlyvisible", "--pid", str(process.pid)).split()[-1])
    xdotool(desktop, "windowactivate", "--sync", str(window))
    xdotool(desktop, "mousemove", "200", "200")  # input now: the person is there
    yield window
    stop(process)
