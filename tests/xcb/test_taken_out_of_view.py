"""Taking the overlay out of view from another program (issue 10, class 3): unmapping its window,
destroying it, moving it into another window, or covering it with a window the window manager
does not manage. Each is done from a client of its own on the real X server; the overlay must
be back on top with the keyboard within a second, on every screen, and the parent must read it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from Xlib import X
from Xlib import display as xdisplay

from tests.tracker.linux_desktop import xdotool
from tests.xcb.conftest import Launch, active_window
from wellbeing_app.app import TrayApp
from wellbeing_app.core.events import OverlayHiddenPayload
from wellbeing_app.core.model import EventKind
from wellbeing_app.ui.dashboard import describe_event
from wellbeing_app.ui.qt import QtWidgets

pytestmark = [pytest.mark.x11]


@pytest.fixture
def blocked(launch: Launch, qtbot: QtBot) -> TrayApp:
    app = launch(remaining_seconds=1)
    qtbot.waitUntil(lambda: app.overlay.visible, timeout=8000)
    return app


@pytest.fixture
def other_client(desktop: str) -> Iterator[Any]:
    """A connection of another program (the child's tool), closed after the test."""
    dpy = xdisplay.Display(desktop)
    yield dpy
    dpy.close()


def viewable(dpy: Any, window_id: int) -> bool:
    try:
        return bool(
            dpy.create_resource_object("window", window_id).get_attributes().map_state == X.IsViewable
        )
    except Exception:  # destroyed
        return False


def top_level(dpy: Any, window_id: int) -> int:
    current = window_id
    while True:
        tree = dpy.create_resource_object("window", current).query_tree()
        if tree.parent.id == tree.root.id:
            return current
        current = int(tree.parent.id)


def keyboard_held_by_someone(dpy: Any) -> bool:
    """Another client (the overlay) holds the keyboard when this one cannot grab it."""
    root = dpy.screen().root
    status = root.grab_keyboard(False, X.GrabModeAsync, X.GrabModeAsync, X.CurrentTime)
    if status == X.GrabSuccess:
        dpy.ungrab_keyboard(X.CurrentTime)
        dpy.sync()
    return bool(status == X.AlreadyGrabbed)


def back_on_top(desktop: str, dpy: Any, app: TrayApp, above: int | None = None) -> bool:
    """Every pane viewable, the primary one active with the keyboard, and (when given) stacked
    above the window `above`."""
    panes = app.overlay.panes
    if not panes or not all(viewable(dpy, int(p.winId())) for p in panes):
        return False
    primary = next(p for p in panes if p.primary)
    if active_window(desktop) != int(primary.winId()) or not keyboard_held_by_someone(dpy):
        return False
    if above is not None:
        children = [int(c.id) for c in dpy.screen().root.query_tree().children]
        own = top_level(dpy, int(primary.winId()))
        if above in children and children.index(above) > children.index(own):
            return False
    return True


def unmap(desktop: str, dpy: Any, window_id: int) -> int | None:
    xdotool(desktop, "windowunmap", str(window_id))
    return None


def destroy(_desktop: str, dpy: Any, window_id: int) -> int | None:
    dpy.create_resource_object("window", window_id).destroy()
    dpy.sync()
    return None


def move_into_another_window(_desktop: str, dpy: Any, window_id: int) -> int | None:
    screen = dpy.screen()
    hiding_place = screen.root.create_window(0, 0, 10, 10, 0, screen.root_depth)  # never mapped
    dpy.create_resource_object("window", window_id).reparent(hiding_place, 0, 0)
    dpy.sync()
    return None


def cover_with_an_unmanaged_window(_desktop: str, dpy: Any, _window_id: int) -> int | None:
    screen = dpy.screen()
    cover = screen.root.create_window(
        0,
        0,
        screen.width_in_pixels,
        screen.height_in_pixels,
        0,
        screen.root_depth,
        override_redirect=True,
        background_pixel=screen.black_pixel,
    )
    cover.map()
    dpy.sync()
    return int(cover.id)


WAYS: dict[str, Callable[[str, Any, int], int | None]] = {
    "unmapped": unmap,
    "destroyed": destroy,
    "moved": move_into_another_window,
    "covered": cover_with_an_unmanaged_window,
}

WORDS = {
    "unmapped": "hid it",
    "destroyed": "destroyed its window",
    "moved": "moved it into another window",
    "covered": "covered it with a window of its own",
}


@pytest.mark.parametrize("how", list(WAYS))
def test_the_overlay_taken_out_of_view_is_back_on_top_with_the_keyboard_and_recorded(
    desktop: str, blocked: TrayApp, other_client: Any, qtbot: QtBot, how: str
) -> None:
    qtbot.waitUntil(lambda: back_on_top(desktop, other_client, blocked), timeout=5000)
    primary = next(p for p in blocked.overlay.panes if p.primary)
    qtbot.wait(1200)  # the keep-on-top check has seen the pane in view at least once

    taken_at = time.monotonic()
    cover = WAYS[how](desktop, other_client, int(primary.winId()))
    qtbot.waitUntil(lambda: back_on_top(desktop, other_client, blocked, above=cover), timeout=5000)
    took = time.monotonic() - taken_at
    print(f"{how}: back on top with the keyboard in {took:.2f} s")
    assert took < 2.5  # the check runs every second; the brief asks for 1 s on an idle machine

    records = blocked.service.events(1, [EventKind.OVERLAY_HIDDEN])
    assert [e.payload for e in records] == [OverlayHiddenPayload(how)]
    assert describe_event(records[0]) == (
        f"Another program tried to take the limit screen out of view ({WORDS[how]}); it was put back on top"
    )


def test_every_screen_is_covered_again_when_the_second_screens_pane_is_unmapped(
    desktop: str, two_monitors: None, blocked: TrayApp, other_client: Any, qtbot: QtBot
) -> None:
    qtbot.waitUntil(lambda: back_on_top(desktop, other_client, blocked), timeout=5000)
    assert len(blocked.overlay.panes) == 2
    qtbot.wait(1200)
    secondary = next(p for p in blocked.overlay.panes if not p.primary)
    xdotool(desktop, "windowunmap", str(int(secondary.winId())))
    qtbot.waitUntil(lambda: not viewable(other_client, int(secondary.winId())), timeout=3000)
    qtbot.waitUntil(lambda: back_on_top(desktop, other_client, blocked), timeout=5000)
    for screen in QtWidgets.QApplication.screens():
        assert any(p.geometry().contains(screen.geometry()) for p in blocked.overlay.panes), screen.name()
    assert [e.payload for e in blocked.service.events(1, [EventKind.OVERLAY_HIDDEN])] == [
        OverlayHiddenPayload("unmapped")
    ]


def test_a_small_unmanaged_popup_is_put_under_it_without_a_record(
    desktop: str, blocked: TrayApp, other_client: Any, qtbot: QtBot
) -> None:
    qtbot.waitUntil(lambda: back_on_top(desktop, other_client, blocked), timeout=5000)
    qtbot.wait(1200)
    screen = other_client.screen()
    popup = screen.root.create_window(  # the size of a notification
        screen.width_in_pixels - 320, 20, 300, 90, 0, screen.root_depth, override_redirect=True
    )
    popup.map()
    other_client.sync()
    qtbot.waitUntil(lambda: back_on_top(desktop, other_client, blocked, above=int(popup.id)), timeout=5000)
    assert blocked.service.events(1, [EventKind.OVERLAY_HIDDEN]) == []
