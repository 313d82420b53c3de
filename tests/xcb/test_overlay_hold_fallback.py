"""The overlay's holder on Wayland: the ways a compositor's hold reports are recorded once each,
and where the hold fails the session is locked and that is said once (the holder on Xvfb; the real
compositors are in tests/wayland)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from wellbeing_app.ui.overlay.holder import Holder
from wellbeing_app.ui.qt import QtWidgets


class ScriptedHold:
    """A stand-in for a compositor's hold: reports `ways` at the first check, or fails."""

    compositor = "test"

    def __init__(self, *, ways: list[str] | None = None, fails: str | None = None) -> None:
        self.failed: str | None = None
        self._ways = list(ways or [])
        self._fails = fails
        self.titles: list[str] = []
        self.ended = 0

    def begin(self, title: str) -> None:
        self.titles.append(title)
        self.failed = self._fails

    def check(self) -> list[str]:
        ways, self._ways = self._ways, []
        return ways

    def change_fd(self) -> int | None:
        return None

    def end(self) -> None:
        self.ended += 1


def test_a_failed_hold_locks_the_session_and_says_so_once(qtbot: QtBot) -> None:
    hold = ScriptedHold(fails="cannot reach sway's socket /nowhere")
    locks: list[int] = []

    def locker() -> tuple[bool, str]:
        locks.append(1)
        return True, "logind LockSession c1"

    holder = Holder(hold=hold, locker=locker)
    content = QtWidgets.QLabel("blocked")
    with qtbot.waitSignal(holder.fell_back, timeout=10_000) as fell:
        holder.hold(content, "blocked")
        for pane in holder.panes:
            qtbot.addWidget(pane)
    assert fell.args == ["unheld", True, "cannot reach sway's socket /nowhere; logind LockSession c1"]
    assert hold.titles == ["Wellbeing break and limit screen"]
    assert locks == [1]
    holder.release()
    assert hold.ended == 1


def test_each_way_the_hold_put_back_is_recorded_once(qtbot: QtBot) -> None:
    hold = ScriptedHold(ways=["focus", "fullscreen", "focus"])
    holder = Holder(hold=hold, locker=lambda: (False, "nothing"))
    taken: list[str] = []
    holder.taken_out_of_view.connect(taken.append)
    holder.hold(QtWidgets.QLabel("blocked"), "blocked")
    for pane in holder.panes:
        qtbot.addWidget(pane)
    qtbot.waitUntil(lambda: taken == ["focus", "fullscreen"], timeout=5_000)
    holder.release()
