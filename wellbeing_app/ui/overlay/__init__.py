"""The overlay for a break, a used cap, downtime or an app limit: full-screen, on top, on every screen.

It says why and until when and offers only the actions its kind allows. Nothing is ever closed
or killed: "Back to desktop" minimises the blocked app. Two parts: `content.py` (what it shows
and the clicks) and `holder.py` (keeping it on top of every screen, with the keyboard).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from wellbeing_app.core.blocks import overlay_kind
from wellbeing_app.core.model import Decision
from wellbeing_app.ui.overlay.content import GRANT_CHOICES, STYLE, OverlayContent, headline
from wellbeing_app.ui.overlay.holder import CompositorHold, Holder, Locker, Pane, WindowWatch
from wellbeing_app.ui.qt import QtCore

__all__ = ["GRANT_CHOICES", "STYLE", "Overlay", "OverlayContent", "headline"]


class Overlay(QtCore.QObject):
    """Shows a decision's overlay (its `content`) on top of every screen, and hides it.

    Signals: `postpone_requested()`, `skip_requested(passcode)`, `grant_requested(minutes,
    passcode)`, `back_to_desktop_requested()` (from the content); `closed()` when Escape closed a
    preview. The passcode is checked first (inline: no dialog can sit above the overlay) with
    `verify`, which raises PasscodeError when wrong. `taken_out_of_view(how)` when another program
    took the overlay out of view and it was put back (see `Holder`; only with a `watch` or a
    `hold`); `fell_back(how, locked, words)` when on Wayland it could not be kept in front and the
    session was locked (`locked`) or could not be.
    """

    postpone_requested = QtCore.Signal()
    skip_requested = QtCore.Signal(str)
    grant_requested = QtCore.Signal(int, str)
    back_to_desktop_requested = QtCore.Signal()
    closed = QtCore.Signal()
    taken_out_of_view = QtCore.Signal(str)
    fell_back = QtCore.Signal(str, bool, str)

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        verify: Callable[[str, str], None],
        passcode_set: Callable[[], bool],
        render_article: Callable[[str], str | None] | None = None,
        escape_closes: bool = False,
        watch: WindowWatch | None = None,
        hold: CompositorHold | None = None,
        locker: Locker | None = None,
        parent: QtCore.QObject | None = None,
    ) -> None:
        """`escape_closes` is for `preview` only: a real overlay ignores Escape. `watch` asks the
        window system whether the panes are really in view (X11); `hold` keeps them in front on a
        Wayland compositor, and `locker` locks the session where that fails."""
        super().__init__(parent)
        self.holder = Holder(escape_closes=escape_closes, watch=watch, hold=hold, locker=locker, parent=self)
        self.holder.taken_out_of_view.connect(self.taken_out_of_view)
        self.holder.fell_back.connect(self.fell_back)
        self.content = OverlayContent(
            now=now, verify=verify, passcode_set=passcode_set, render_article=render_article
        )
        self.content.postpone_requested.connect(self.postpone_requested)
        self.content.skip_requested.connect(self.skip_requested)
        self.content.grant_requested.connect(self.grant_requested)
        self.content.back_to_desktop_requested.connect(self.back_to_desktop_requested)
        self.holder.ticked.connect(self._tick)
        self.holder.screens_changed.connect(self._screens_changed)
        self.holder.escape_pressed.connect(self._escape)

    @property
    def visible(self) -> bool:
        return self.holder.visible

    @property
    def panes(self) -> list[Pane]:
        return self.holder.panes

    @property
    def decision(self) -> Decision | None:
        return self.content.decision

    def show_decision(
        self, decision: Decision, *, cap_minutes: int | None, tip: tuple[str, str | None] | None
    ) -> None:
        """Show (or update) the overlay for a BREAK or BLOCK decision; hide it for anything else.
        `tip` is (text, related article id)."""
        if overlay_kind(decision) is None:
            self.hide()
            return
        self.content.present(decision, cap_minutes=cap_minutes, tip=tip)
        self.holder.set_mirror_text(self.content.mirror_text)
        self.holder.hold(self.content, self.content.title.text())

    def hide(self) -> None:
        self.content.clear()
        self.holder.release()

    def set_lockout(self, until: Callable[[], datetime | None]) -> None:
        self.content.set_lockout(until)

    def _tick(self) -> None:
        self.content.update_texts()
        self.holder.set_mirror_text(self.content.mirror_text)

    def _screens_changed(self) -> None:
        decision, cap_minutes, tip = self.content.decision, self.content.cap_minutes, self.content.tip
        if decision is not None:
            self.hide()
            self.show_decision(decision, cap_minutes=cap_minutes, tip=tip)

    def _escape(self) -> None:
        self.hide()
        self.closed.emit()
