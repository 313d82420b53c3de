"""The tray's words, and the window that stands in where there is no system tray."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from wellbeing_app.core.model import Decision, Verdict
from wellbeing_app.ui.qt import QtWidgets
from wellbeing_app.ui.tray import StatusWindow, Tray, summary, used_fraction


def test_the_tooltip_says_how_much_is_used_and_when_the_next_break_comes() -> None:
    decision = Decision(
        Verdict.ALLOW, used_seconds=32 * 60 + 40, cap_seconds=3600, next_break_in_seconds=11 * 60 + 5
    )
    assert summary(decision) == ("32 of 60 min today", "break in 12 min")
    assert used_fraction(decision) == (32 * 60 + 40) / 3600
    no_cap = Decision(Verdict.ALLOW, used_seconds=600, cap_seconds=None, next_break_in_seconds=None)
    assert summary(no_cap) == ("10 min today (no cap)", "no breaks scheduled")
    assert used_fraction(no_cap) is None


def test_the_tray_menu_shows_the_day_and_every_action(qtbot: QtBot) -> None:
    tray = Tray()
    tray.update(Decision(Verdict.ALLOW, used_seconds=5 * 60, cap_seconds=3600, next_break_in_seconds=300))
    texts = [action.text() for action in tray.menu.actions() if action.text()]
    assert texts[:2] == ["5 of 60 min today", "Break in 5 min"]
    assert texts[2:] == [
        "Open dashboard",
        "Guide && tips",
        "Take a break now",
        "Settings…",
        "Pause tracking",
        "Quit Wellbeing",
    ]
    assert tray.tooltip() == "5 of 60 min today · break in 5 min"


def test_without_a_tray_a_window_offers_the_same(qtbot: QtBot) -> None:
    actions = Tray()
    window = StatusWindow(actions)
    qtbot.addWidget(window)
    window.update(Decision(Verdict.BREAK, used_seconds=20 * 60, cap_seconds=40 * 60))
    assert window.usage.text() == "20 of 40 min today"
    assert window.pause.text() == "Break now"
    buttons = {button.accessibleName(): button for button in window.findChildren(QtWidgets.QPushButton)}
    assert list(buttons) == ["Dashboard", "Guide & tips", "Settings…", "Quit"]
    with qtbot.waitSignal(actions.open_dashboard):
        buttons["Dashboard"].click()
