"""On sway (no tray here) the status window that stands in for the tray floats small and leaves
the focus where it was; and where sway's IPC cannot be reached the overlay is not held, which is
recorded with what was tried to lock the session.

The real tray app runs as a process on Qt's Wayland platform.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tracker.linux_desktop import wait_until
from tests.wayland.compositors import Compositor, focused_app_id, headless_sway, overlay_records, tray_app
from tests.wayland.test_overlay_hold_sway import sway_tree, windows
from tests.xcb.conftest import prepare_data

pytestmark = [pytest.mark.wayland, pytest.mark.slow]


@pytest.fixture(scope="module")
def sway() -> Iterator[Compositor]:
    with headless_sway() as compositor:
        compositor.start_app("betaapp")
        yield compositor


def test_the_status_window_floats_small_and_leaves_the_focus_alone(sway: Compositor, tmp_path: Path) -> None:
    prepare_data(tmp_path, remaining_seconds=30 * 60).close()
    sway.focus("betaapp")
    with tray_app(sway, tmp_path) as app:
        status = wait_until(
            lambda: next((n for n, _ws in windows(sway_tree(sway)) if n.get("pid") == app.pid), None),
            timeout=30,
            what="the status window in sway's tree",
        )
        tree = sway_tree(sway)
        assert app.poll() is None, (tmp_path / "app.log").read_text()
    assert status["name"] == "Wellbeing"
    assert status["type"] == "floating_con"
    assert status["focused"] is False
    assert focused_app_id(tree) == "betaapp"
    assert status["rect"]["width"] <= 1280 / 2
    assert status["rect"]["height"] <= 800 / 2


def test_without_sways_socket_the_overlay_is_not_held_and_that_is_recorded(
    sway: Compositor, tmp_path: Path
) -> None:
    prepare_data(tmp_path, remaining_seconds=0).close()
    with tray_app(sway, tmp_path, SWAYSOCK=str(tmp_path / "no-such-socket")) as app:
        (record,) = wait_until(lambda: overlay_records(tmp_path), timeout=150, what="the record")
        assert app.poll() is None
    assert (record.how, record.then) == ("unheld", "not held")
    assert "cannot reach sway's socket" in record.why
