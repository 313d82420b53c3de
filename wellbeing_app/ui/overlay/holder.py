"""What keeps the overlay on top: a full-screen pane on every screen, the keyboard held, and the
panes raised again when they are covered, minimised or deactivated.

The primary screen's pane holds the content (`content.py`); the other screens' panes show its
title. Nothing here knows what the overlay says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from wellbeing_app.i18n import _
from wellbeing_app.ui.qt import Qt, QtCore, QtGui, QtWidgets


class WindowWatch(Protocol):
    """What the window system says about a pane beyond what Qt sees (`tracker.windowctl.OverlayWatch`
    on X11, given by the app): `trouble` names what took the window out of view or None.
    "covered": another program's window is above it (it is lowered; an attempt); "overlapped": a
    small one is (a notification popup: lowered, not an attempt); anything else means the window
    is lost and is made anew."""

    def trouble(self, window_id: int) -> str | None: ...

    def raise_above(self, window_id: int) -> None: ...

    def forget(self, window_id: int) -> None: ...


class CompositorHold(Protocol):
    """What keeps the panes in front on a Wayland compositor (`tracker.overlay_hold`, given by the
    app): `begin(title)` when the panes are shown (they are the windows of this process with that
    title), `check()` puts back what was taken and names how it was taken ("focus",
    "fullscreen", "workspace", "minimised", "kept-above"), `change_fd()` becomes readable when the
    compositor may have changed something, `end()` when the overlay goes. `failed` says in words
    why it no longer holds, or is None."""

    compositor: str
    failed: str | None

    def begin(self, title: str) -> None: ...

    def check(self) -> list[str]: ...

    def change_fd(self) -> int | None: ...

    def end(self) -> None: ...


#: Locks the session: (whether it locked, what locked it or why nothing did, in words).
Locker = Callable[[], tuple[bool, str]]

#: Ticks a pane may look out of view before it was ever seen in view (the window manager maps
#: it a moment after Qt shows it).
_PATIENCE_TICKS = 3
#: Ticks the overlay may be out of front on Wayland (a hold that did not put it back, or no hold
#: at all) before the session is locked, and ticks between two locks while it stays out.
LOCK_AFTER_TICKS = 3
LOCK_AGAIN_TICKS = 30
#: What `fell_back` names as the way when the hold itself stopped working.
UNHELD = "unheld"


class Pane(QtWidgets.QWidget):
    """One screen's full-screen window. It refuses to close and swallows Escape."""

    def __init__(
        self, screen: QtGui.QScreen, primary: bool, on_escape: Callable[[], None] | None = None
    ) -> None:
        super().__init__(
            None,
            Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint,
        )
        self.setObjectName("overlay-primary" if primary else "overlay-secondary")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        # The title tells a compositor's hold which windows of this process are the overlay's.
        self.setWindowTitle(_("Wellbeing break and limit screen"))
        self.setAccessibleName(_("Wellbeing break and limit screen"))
        self.primary = primary
        self.may_close = False
        self.on_deactivated: Callable[[], None] | None = None
        self._on_escape = on_escape
        self._screen = screen
        self.seen_in_view = False
        self.troubled_ticks = 0
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor("#1d2a33"))
        palette.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor("#f2f5f7"))
        self.setPalette(palette)

    def place(self) -> None:
        self.setScreen(self._screen)
        self.setGeometry(self._screen.geometry())
        self.showFullScreen()
        self.raise_()
        self.activateWindow()

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            if self._on_escape is not None:
                self._on_escape()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        if self.may_close:
            event.accept()
        else:
            event.ignore()

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        deactivated = event.type() == QtCore.QEvent.Type.ActivationChange and not self.isActiveWindow()
        minimised = event.type() == QtCore.QEvent.Type.WindowStateChange and self.isMinimized()
        if (deactivated or minimised) and self.on_deactivated is not None:
            self.on_deactivated()


class Holder(QtCore.QObject):
    """Holds a content widget on top of every screen from `hold` until `release`.

    Signals: `ticked()` once a second while holding, before the panes are checked (the content
    updates its countdown); `screens_changed()` when a screen comes or goes while holding (the
    owner shows the content again on the new panes); `escape_pressed()` when Escape is pressed
    and `escape_closes` (for `preview` only: a real overlay ignores Escape);
    `taken_out_of_view(how)` once per hold and way when `watch` found a pane unmapped,
    destroyed, moved or covered by another client, or the compositor's `hold` found it taken
    (the pane is back on top by then).

    On Wayland (`hold` given) the primary pane must be the active window: when it has not been
    for `LOCK_AFTER_TICKS` seconds (no hold, as on GNOME, or one that did not put it back) or the
    hold failed, the session is locked with `locker`, again every `LOCK_AGAIN_TICKS` while it
    stays out, and `fell_back(how, locked, words)` is emitted once per hold and outcome.
    """

    ticked = QtCore.Signal()
    screens_changed = QtCore.Signal()
    escape_pressed = QtCore.Signal()
    taken_out_of_view = QtCore.Signal(str)
    fell_back = QtCore.Signal(str, bool, str)

    def __init__(
        self,
        *,
        escape_closes: bool = False,
        watch: WindowWatch | None = None,
        hold: CompositorHold | None = None,
        locker: Locker | None = None,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._escape_closes = escape_closes
        self._watch = watch
        self._hold = hold
        self._locker = locker
        self._hold_begun = False
        self._hold_notifier: QtCore.QSocketNotifier | None = None
        self._out_of_front_ticks = 0
        self._last_way = ""
        self._fallbacks_seen: set[bool] = set()
        self._ways_seen: set[str] = set()
        self.panes: list[Pane] = []
        self.holding = False
        self._content: QtWidgets.QWidget | None = None
        self._mirror_text = ""
        self._keep_on_top = QtCore.QTimer(self)
        self._keep_on_top.setObjectName("overlay-keep-on-top")
        self._keep_on_top.setInterval(1000)
        self._keep_on_top.timeout.connect(self._tick)
        app = QtWidgets.QApplication.instance()
        if isinstance(app, QtWidgets.QApplication):
            app.screenAdded.connect(self._screens_changed)
            app.screenRemoved.connect(self._screens_changed)
            app.focusChanged.connect(self._focus_changed)

    @property
    def visible(self) -> bool:
        return any(p.isVisible() for p in self.panes)

    def hold(self, content: QtWidgets.QWidget, mirror: str) -> None:
        """Put `content` on the primary screen (and `mirror`, its title, on the others), on top,
        with the keyboard; already held, raise what is not showing."""
        self.holding = True
        self._content = content
        self._mirror_text = mirror
        if not self.panes:
            self._build_panes(content, mirror)
        for pane in self.panes:
            if not pane.isVisible():
                pane.place()
        self._grab()
        self._keep_on_top.start()
        if self._hold is not None and not self._hold_begun:
            self._hold_begun = True
            primary = self._primary()
            self._hold.begin(primary.windowTitle() if primary is not None else "")
            self._listen_to_hold()

    def set_mirror_text(self, text: str) -> None:
        self._mirror_text = text
        for pane in self.panes:
            for mirror in pane.findChildren(QtWidgets.QLabel, "overlay-mirror"):
                mirror.setText(text)

    def release(self) -> None:
        self.holding = False
        self._ways_seen.clear()
        self._fallbacks_seen.clear()
        self._out_of_front_ticks = 0
        self._last_way = ""
        self._keep_on_top.stop()
        if self._hold is not None and self._hold_begun:
            self._hold_begun = False
            self._stop_listening()
            self._hold.end()
        self._drop_panes()

    def _drop_panes(self) -> None:
        grabber = QtWidgets.QWidget.keyboardGrabber()
        if grabber is not None:
            grabber.releaseKeyboard()
        for pane in self.panes:
            if self._watch is not None:
                self._watch.forget(int(pane.winId()))
            pane.may_close = True
            pane.close()
            pane.deleteLater()
        self.panes = []
        if self._content is not None:
            self._content.setParent(None)

    def _build_panes(self, content: QtWidgets.QWidget, mirror_text: str) -> None:
        screens = QtGui.QGuiApplication.screens()
        primary = QtGui.QGuiApplication.primaryScreen()
        for screen in screens:
            pane = Pane(
                screen,
                primary=screen is primary,
                on_escape=self.escape_pressed.emit if self._escape_closes else None,
            )
            layout = QtWidgets.QVBoxLayout(pane)
            layout.setContentsMargins(48, 48, 48, 48)
            if pane.primary:
                # The content gets the pane's whole height (wrapped text needs it) and a
                # readable width in the middle.
                row = QtWidgets.QHBoxLayout()
                row.addStretch(1)
                row.addWidget(content, 4)
                row.addStretch(1)
                layout.addLayout(row)
            else:
                mirror = QtWidgets.QLabel(mirror_text)
                mirror.setObjectName("overlay-mirror")
                mirror.setAlignment(Qt.AlignmentFlag.AlignCenter)
                font = mirror.font()
                font.setPointSizeF(font.pointSizeF() * 2)
                mirror.setFont(font)
                layout.addWidget(mirror)
            pane.on_deactivated = self._reassert
            self.panes.append(pane)

    def _screens_changed(self, *_args: object) -> None:
        if self.holding:
            self.screens_changed.emit()

    # --- staying on top ----------------------------------------------------------------------------

    def _primary(self) -> Pane | None:
        return next((p for p in self.panes if p.primary), None)

    def _grab(self) -> None:
        """Raise the primary pane and hold the keyboard (an X grab: Alt+Tab and other windows'
        shortcuts do not get through). The grab sits on the focused control, so typing and Tab
        work inside the overlay."""
        primary = self._primary()
        if primary is not None:
            primary.raise_()
            primary.activateWindow()
            focused = primary.focusWidget()
            (focused if focused is not None and primary.isAncestorOf(focused) else primary).grabKeyboard()

    def _focus_changed(self, _old: QtWidgets.QWidget | None, new: QtWidgets.QWidget | None) -> None:
        primary = self._primary()
        if self.holding and primary is not None and new is not None and primary.isAncestorOf(new):
            new.grabKeyboard()

    def _reassert(self) -> None:
        if self.holding:
            QtCore.QTimer.singleShot(0, self._raise_all)

    def _raise_all(self) -> None:
        for pane in self.panes:
            if pane.isMinimized() or not pane.isVisible():
                pane.place()
            pane.raise_()
        self._grab()

    def _tick(self) -> None:
        self.ticked.emit()
        if self._hold is not None and self.holding:
            self._check_hold()
            self._lock_if_out_of_front()
        if self._watch_panes():
            return
        hidden = any(pane.isMinimized() or not pane.isVisible() for pane in self.panes)
        primary = self._primary()
        if hidden or (primary is not None and not primary.isActiveWindow()):
            self._raise_all()

    def _watch_panes(self) -> bool:
        """Ask the window system whether each pane is really in view; put back what is not.
        True when the panes were made anew."""
        if self._watch is None or not self.holding:
            return False
        lost: list[str] = []
        for pane in self.panes:
            if not pane.isVisible() or pane.isMinimized():
                continue  # Qt sees this itself: the pane is shown again below
            window_id = int(pane.winId())
            how = self._watch.trouble(window_id)
            if how is None:
                pane.seen_in_view = True
                pane.troubled_ticks = 0
                continue
            pane.troubled_ticks += 1
            if not pane.seen_in_view and pane.troubled_ticks < _PATIENCE_TICKS:
                continue  # not yet mapped by the window manager, most likely
            if how == "overlapped":
                self._watch.raise_above(window_id)
                continue
            self._taken(how)
            if how == "covered":
                self._watch.raise_above(window_id)
                pane.raise_()
            else:
                lost.append(how)
        if lost and self._content is not None:
            # A pane's window is unmapped, destroyed or inside another window: every pane is
            # made anew (new windows, mapped by the window manager), the content moved over.
            content, mirror = self._content, self._mirror_text
            self._drop_panes()
            self._content = content
            self._build_panes(content, mirror)
            for pane in self.panes:
                pane.place()
            self._grab()
            return True
        return False

    def _taken(self, how: str) -> None:
        if how not in self._ways_seen:
            self._ways_seen.add(how)
            self.taken_out_of_view.emit(how)

    # --- on Wayland: the compositor's hold, and locking where it does not hold ---------------------

    def _listen_to_hold(self) -> None:
        fd = self._hold.change_fd() if self._hold is not None else None
        if self._hold_notifier is not None and fd == int(self._hold_notifier.socket()):
            return
        self._stop_listening()
        if fd is not None:
            notifier = QtCore.QSocketNotifier(fd, QtCore.QSocketNotifier.Type.Read, self)
            notifier.activated.connect(self._check_hold)
            self._hold_notifier = notifier

    def _stop_listening(self) -> None:
        if self._hold_notifier is not None:
            self._hold_notifier.setEnabled(False)
            self._hold_notifier.deleteLater()
            self._hold_notifier = None

    def _check_hold(self, *_args: object) -> None:
        """Let the compositor's hold put back what was taken (at once when it signals, and every
        tick) and record each way once per hold."""
        if self._hold is None or not self.holding or self._hold.failed is not None:
            self._stop_listening()
            return
        for how in self._hold.check():
            self._last_way = how
            self._taken(how)
        if self._hold.failed is None:
            self._listen_to_hold()
        else:
            self._stop_listening()

    def _in_front(self) -> bool:
        primary = self._primary()
        return primary is not None and primary.isActiveWindow() and not primary.isMinimized()

    def _lock_if_out_of_front(self) -> None:
        assert self._hold is not None
        failed = self._hold.failed
        if failed is None and self._in_front():
            self._out_of_front_ticks = 0
            return
        self._out_of_front_ticks += 1
        due = self._out_of_front_ticks - LOCK_AFTER_TICKS
        if due < 0 or due % LOCK_AGAIN_TICKS != 0:
            return
        how = UNHELD if failed is not None else (self._last_way or "focus")
        if self._locker is None:
            locked, words = False, "nothing can lock the session here"
        else:
            locked, words = self._locker()
        if failed is not None:
            words = f"{failed}; {words}"
        if locked not in self._fallbacks_seen:
            self._fallbacks_seen.add(locked)
            self.fell_back.emit(how, locked, words)
