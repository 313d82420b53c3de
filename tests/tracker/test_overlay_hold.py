"""What the app tells sway to put the overlay back, worked out from sway's tree (pure), and the
KWin script's words; the holds themselves run on the real compositors in tests/wayland."""

from __future__ import annotations

from typing import Any

import pytest

from wellbeing_app.tracker.overlay_hold import (
    FOCUS,
    FULLSCREEN,
    WORKSPACE,
    KWinHold,
    NoHold,
    SwayHold,
    choose_hold,
    kwin_hold_script,
    sway_repairs,
)

PID = 4242
TITLE = "Wellbeing break and limit screen"


def window(
    con: int,
    *,
    pid: int = PID,
    name: str = TITLE,
    focused: bool = False,
    fullscreen: int = 0,
    visible: bool = True,
    kind: str = "con",
) -> dict[str, Any]:
    return {
        "id": con,
        "type": kind,
        "pid": pid,
        "name": name,
        "focused": focused,
        "fullscreen_mode": fullscreen,
        "visible": visible,
        "nodes": [],
        "floating_nodes": [],
    }


def tree(*workspaces: tuple[str, list[dict[str, Any]]], scratch: list[dict[str, Any]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {
        "id": 1,
        "type": "root",
        "nodes": [
            {
                "id": 2,
                "type": "output",
                "name": "__i3",
                "nodes": [
                    {
                        "id": 3,
                        "type": "workspace",
                        "name": "__i3_scratch",
                        "nodes": [],
                        "floating_nodes": list(scratch),
                    }
                ],
            },
            {
                "id": 4,
                "type": "output",
                "name": "HEADLESS-1",
                "nodes": [
                    {"id": 10 + i, "type": "workspace", "name": name, "nodes": nodes, "floating_nodes": []}
                    for i, (name, nodes) in enumerate(workspaces)
                ],
            },
        ],
    }


def test_an_overlay_in_front_needs_nothing() -> None:
    held = tree(("1", [window(20, focused=True, fullscreen=1), window(21, pid=99, name="game")]))
    outputs: dict[int, str] = {}
    assert sway_repairs(held, pid=PID, title=TITLE, outputs=outputs) == ([], [], 1)
    assert outputs == {20: "HEADLESS-1"}


def test_another_window_focused_brings_the_focus_and_full_screen_back() -> None:
    taken = tree(("1", [window(20), window(21, pid=99, name="game", focused=True)]))
    commands, ways, count = sway_repairs(taken, pid=PID, title=TITLE, outputs={})
    assert commands == ["[con_id=20] fullscreen enable", "[con_id=20] focus"]
    assert (ways, count) == ([FOCUS], 1)


def test_full_screen_taken_away_while_focused() -> None:
    taken = tree(("1", [window(20, focused=True)]))
    assert sway_repairs(taken, pid=PID, title=TITLE, outputs={})[:2] == (
        ["[con_id=20] fullscreen enable"],
        [FULLSCREEN],
    )


def test_the_scratchpad_sends_it_back_to_the_output_it_was_seen_on() -> None:
    taken = tree(
        ("1", [window(21, pid=99, name="game", focused=True)]),
        scratch=[window(20, visible=False, kind="floating_con", fullscreen=1)],
    )
    commands, ways, _count = sway_repairs(taken, pid=PID, title=TITLE, outputs={20: "HEADLESS-1"})
    assert commands == [
        '[con_id=20] move container to output "HEADLESS-1"',
        "[con_id=20] fullscreen enable",
        "[con_id=20] focus",
    ]
    assert ways == [WORKSPACE, FOCUS]


def test_another_window_of_the_app_is_not_the_overlay() -> None:
    status_focused = tree(("1", [window(20, fullscreen=1), window(22, name="Wellbeing", focused=True)]))
    commands, ways, count = sway_repairs(status_focused, pid=PID, title=TITLE, outputs={})
    assert (commands, ways, count) == (["[con_id=20] focus"], [FOCUS], 1)


def test_no_overlay_window_yet() -> None:
    assert sway_repairs(tree(("1", [])), pid=PID, title=TITLE, outputs={}) == ([], [], 0)


def test_the_kwin_script_names_the_process_and_the_title_as_data() -> None:
    script = kwin_hold_script(PID, 'a "quoted" title', ":1.42")
    assert f'var pid = {PID}, title = "a \\"quoted\\" title", service = ":1.42";' in script
    assert "keepAbove = true" in script


@pytest.mark.parametrize(
    ("environ", "kind"),
    [
        ({"SWAYSOCK": "/run/sway.sock", "XDG_CURRENT_DESKTOP": "sway"}, SwayHold),
        ({"XDG_CURRENT_DESKTOP": "KDE"}, KWinHold),
        ({"XDG_CURRENT_DESKTOP": "ubuntu:GNOME"}, NoHold),
        ({}, NoHold),
    ],
)
def test_the_hold_is_chosen_by_the_session(environ: dict[str, str], kind: type) -> None:
    assert isinstance(choose_hold(environ), kind)


def test_a_sway_hold_without_sway_says_why_and_raises_nothing() -> None:
    hold = SwayHold("/nonexistent/sway.sock")
    hold.begin(TITLE)
    assert hold.failed is not None
    assert "cannot reach sway's socket /nonexistent/sway.sock" in hold.failed
    assert hold.check() == []
    assert hold.change_fd() is None
