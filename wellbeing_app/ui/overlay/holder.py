"""What keeps the overlay on top: a full-screen pane on every screen, the keyboard held, and the
panes raised again when they are covered, minimised or deactivated.

The primary screen's pane holds the content (`content.py`); the other screens' panes show its
title. Nothing here knows what the overlay says.
"""

from __future__ import annotations

from collections.abc import Callable

from wellbeing_app.i18n import _
from wellbeing_app.ui.qt import Qt, QtCore, QtGui, QtWidgets


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
        self.setWindowTitle(_("Wellbeing"))
        self.setAccessibleName(_("Wellbeing break and limit screen"))
        self.primary = primary
        self.may_close = False
        self.on_deactivated: Callable[[], None] | None = None
        self._on_escape = on_escape
        self._screen = screen
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
    and `escape_closes` (for `preview` only: a real overlay ignores Escape).
    """

    ticked = QtCore.Signal()
    screens_changed = QtCore.Signal()
    escape_pressed = QtCore.Signal()

    def __init__(self, *, escape_closes: bool = False, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._escape_closes = escape_closes
        self.panes: list[Pane] = []
        self.holding = False
        self._content: QtWidgets.QWidget | None = None
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
        if not self.panes:
            self._build_panes(content, mirror)
        for pane in self.panes:
            if not pane.isVisible():
                pane.place()
        self._grab()
        self._keep_on_top.start()

    def set_mirror_text(self, text: str) -> None:
        for pane in self.panes:
            for mirror in pane.findChildren(QtWidgets.QLabel, "overlay-mirror"):
                mirror.setText(text)

    def release(self) -> None:
        self.holding = False
        self._keep_on_top.stop()
        grabber = QtWidgets.QWidget.keyboardGrabber()
        if grabber is not None:
            grabber.releaseKeyboard()
        for pane in self.panes:
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
        hidden = any(pane.isMinimized() or not pane.isVisible() for pane in self.panes)
        primary = self._primary()
        if hidden or (primary is not None and not primary.isActiveWindow()):
            self._raise_all()
