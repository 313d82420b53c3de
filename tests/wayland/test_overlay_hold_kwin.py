"""The overlay holds on KWin: the app's KWin script keeps it above, full screen, active and
un-minimised; every way past it tried with a KWin script of the test's own is undone, judged by
another script's report of KWin's state, and recorded for the parent.

The real tray app runs as a process on Qt's Wayland platform, at its cap from the start.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.tracker.linux_desktop import wait_until
from tests.wayland.compositors import Compositor, headless_kwin, overlay_records, tray_app
from tests.xcb.conftest import prepare_data
from wellbeing_app.core.events import OverlayHiddenPayload

pytestmark = [pytest.mark.wayland, pytest.mark.slow]

PANE_TITLE = "Wellbeing break and limit screen"
BACK_WITHIN = 1.0
TIMES_BACK: dict[str, float] = {}

_STATE = """\
var list = workspace.clientList();
var windows = [];
for (var i = 0; i < list.length; i++) {
    var c = list[i];
    windows.push({app: String(c.resourceClass), caption: String(c.caption), pid: Number(c.pid),
                  active: c === workspace.activeClient, keepAbove: c.keepAbove,
                  fullScreen: c.fullScreen, minimized: c.minimized, onAllDesktops: c.onAllDesktops});
}
print("wellbeing-test: " + JSON.stringify(windows));
"""

_ON = """\
var list = workspace.clientList();
for (var i = 0; i < list.length; i++) {
    var c = list[i];
    if (%s) { %s; }
}
"""


@pytest.fixture(scope="module")
def kwin() -> Iterator[Compositor]:
    with headless_kwin() as compositor:
        compositor.start_app("betaapp")
        yield compositor


def kwin_state(compositor: Compositor) -> list[dict[str, Any]]:
    """KWin's own view of every window, from a KWin script's report."""
    assert compositor.kwin_script is not None
    (report,) = compositor.kwin_script(_STATE)
    windows: list[dict[str, Any]] = json.loads(report)
    return windows


def overlay_holds(compositor: Compositor, pid: int) -> bool:
    windows = kwin_state(compositor)
    panes = [w for w in windows if w["pid"] == pid and w["caption"] == PANE_TITLE]
    others_above = [w for w in windows if w not in panes and w["keepAbove"]]
    return (
        bool(panes)
        and all(
            w["active"] and w["keepAbove"] and w["fullScreen"] and w["onAllDesktops"] and not w["minimized"]
            for w in panes
        )
        and not others_above
    )


@pytest.fixture(scope="module")
def blocked(kwin: Compositor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    data = tmp_path_factory.mktemp("blocked")
    prepare_data(data, remaining_seconds=0).close()
    kwin.focus("betaapp")
    with tray_app(kwin, data) as app:
        wait_until(lambda: overlay_holds(kwin, app.pid), timeout=30, what="the overlay held by KWin")
        yield app.pid, data
        assert app.poll() is None, (data / "app.log").read_text()


def _pane(pid: int) -> str:
    return f"Number(c.pid) === {pid} && String(c.caption) === {json.dumps(PANE_TITLE)}"


WAYS = {
    "another window activated": ('String(c.resourceClass) === "betaapp"', "workspace.activeClient = c"),
    "the overlay minimised": (None, "c.minimized = true"),
    "the overlay out of full screen": (None, "c.fullScreen = false"),
    "the overlay sent to another desktop": (None, "workspace.desktops = 2; c.desktop = 2"),
    "another desktop shown": ("i === 0", "workspace.desktops = 2; workspace.currentDesktop = 2"),
    "another window kept above and activated": (
        'String(c.resourceClass) === "betaapp"',
        "c.keepAbove = true; workspace.activeClient = c",
    ),
}


@pytest.mark.parametrize("way", list(WAYS))
def test_each_way_past_the_overlay_on_kwin_is_undone(
    kwin: Compositor, blocked: tuple[int, Path], way: str
) -> None:
    assert kwin.kwin_script is not None
    pid, _data = blocked
    which, action = WAYS[way]
    wait_until(lambda: overlay_holds(kwin, pid), what="the overlay held before")
    began = time.monotonic()
    kwin.kwin_script(_ON % (which or _pane(pid), action))
    wait_until(lambda: overlay_holds(kwin, pid), timeout=5, what=f"the overlay back after {way}")
    TIMES_BACK[way] = time.monotonic() - began
    assert TIMES_BACK[way] < BACK_WITHIN, TIMES_BACK


def test_the_ways_past_it_are_recorded_for_the_parent(blocked: tuple[int, Path]) -> None:
    _pid, data = blocked
    expected = {"focus", "minimised", "fullscreen", "kept-above", "workspace"}
    found = wait_until(
        lambda: expected <= (ways := {p.how for p in overlay_records(data)}) and ways,
        timeout=150,
        what="the records",
    )
    assert found == expected
    assert all(isinstance(p, OverlayHiddenPayload) and p.then == "" for p in overlay_records(data))
    print("seconds until the overlay was back on KWin:", {way: round(t, 3) for way, t in TIMES_BACK.items()})
