"""The tray icon: today's share of the cap at a glance, a tooltip, the menu, and notifications.

Where no system tray exists (some Wayland desktops), `StatusWindow` stands in: a small window
with the same facts and actions, and notifications go through freedesktop's D-Bus service.
"""

from __future__ import annotations

import functools
import math

from wellbeing_app.core.model import Decision, Verdict
from wellbeing_app.i18n import _, ngettext
from wellbeing_app.notify import send_notification
from wellbeing_app.ui.qt import Qt, QtCore, QtGui, QtWidgets
from wellbeing_app.ui.widgets import ring_icon

#: Pause choices in the tray menu, in minutes.
PAUSE_CHOICES = (15, 60, 180)


def summary(decision: Decision) -> tuple[str, str]:
    """The usage line and the break line, e.g. ("32 of 60 min today", "break in 12 min")."""
    used = math.floor(decision.used_seconds / 60 + 1e-9)
    if decision.cap_seconds is None:
        usage = _("{used} min today (no cap)").format(used=used)
    else:
        usage = _("{used} of {cap} min today").format(used=used, cap=round(decision.cap_seconds / 60))
    if decision.verdict is Verdict.BREAK:
        pause = _("break now")
    elif decision.next_break_in_seconds is None:
        pause = _("no breaks scheduled")
    else:
        pause = _("break in {minutes} min").format(
            minutes=math.ceil(decision.next_break_in_seconds / 60 - 1e-9)
        )
    return usage, pause


def used_fraction(decision: Decision) -> float | None:
    if decision.cap_seconds is None or decision.cap_seconds <= 0:
        return None
    return min(1.0, decision.used_seconds / decision.cap_seconds)


class _Actions(QtCore.QObject):
    """The menu both the tray and the status window offer."""

    open_dashboard = QtCore.Signal()
    open_guide = QtCore.Signal()
    take_break = QtCore.Signal()
    open_settings = QtCore.Signal()
    pause_requested = QtCore.Signal(int)
    quit_requested = QtCore.Signal()

    def build_menu(self, menu: QtWidgets.QMenu) -> tuple[QtGui.QAction, QtGui.QAction]:
        usage = menu.addAction("")
        usage.setEnabled(False)
        pause_line = menu.addAction("")
        pause_line.setEnabled(False)
        menu.addSeparator()
        menu.addAction(_("Open dashboard"), self.open_dashboard.emit)
        menu.addAction(_("Guide && tips"), self.open_guide.emit)
        menu.addAction(_("Take a break now"), self.take_break.emit)
        menu.addSeparator()
        menu.addAction(_("Settings…"), self.open_settings.emit)
        pause_menu = menu.addMenu(_("Pause tracking"))
        for minutes in PAUSE_CHOICES:
            text = (
                _("For {minutes} minutes").format(minutes=minutes)
                if minutes < 60
                else ngettext("For {hours} hour", "For {hours} hours", minutes // 60).format(
                    hours=minutes // 60
                )
            )
            pause_menu.addAction(text, functools.partial(self.pause_requested.emit, minutes))
        menu.addSeparator()
        menu.addAction(_("Quit Wellbeing"), self.quit_requested.emit)
        return usage, pause_line


class Tray(_Actions):
    """The system tray icon. `update(decision)` after every tick; `notify(title, text)`."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QtWidgets.QSystemTrayIcon(self)
        self.menu = QtWidgets.QMenu()
        self.menu.setObjectName("tray-menu")
        self._usage_action, self._pause_action = self.build_menu(self.menu)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self._last_key: tuple[object, ...] | None = None
        self.icon.setIcon(QtGui.QIcon(ring_icon(None, 64)))
        self.icon.setToolTip(_("Wellbeing"))

    @staticmethod
    def available() -> bool:
        return QtWidgets.QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def update(self, decision: Decision) -> None:
        usage, pause = summary(decision)
        fraction = used_fraction(decision)
        key = (usage, pause, None if fraction is None else round(fraction * 48))
        if key == self._last_key:
            return
        self._last_key = key
        self._usage_action.setText(usage)
        self._pause_action.setText(pause.capitalize())
        self.icon.setToolTip(f"{usage} · {pause}")
        self.icon.setIcon(QtGui.QIcon(ring_icon(fraction, 64)))

    def say(self, words: str) -> None:
        """Show `words` instead of today's figures (until the next `update`)."""
        self._last_key = None
        self._usage_action.setText(words)
        self._pause_action.setText("")
        self.icon.setToolTip(words)
        self.icon.setIcon(QtGui.QIcon(ring_icon(None, 64)))

    def tooltip(self) -> str:
        return self.icon.toolTip()

    def _activated(self, reason: QtWidgets.QSystemTrayIcon.ActivationReason) -> None:
        if reason is QtWidgets.QSystemTrayIcon.ActivationReason.Trigger:
            self.open_dashboard.emit()

    def notify(self, title: str, text: str) -> None:
        if self.icon.isVisible() and QtWidgets.QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, text, QtGui.QIcon(ring_icon(None, 64)), 8000)
        else:
            desktop_notify(title, text)


def desktop_notify(title: str, text: str) -> bool:
    """A freedesktop notification over the session bus; False when no service answers."""
    return send_notification(title, text)


class StatusWindow(QtWidgets.QWidget):
    """Stands in for the tray where there is none: the same facts and actions in a small window."""

    def __init__(self, actions: _Actions) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("status-window")
        self.setWindowTitle(_("Wellbeing"))
        # It appears at login beside what the person is doing: it does not take the focus, and
        # its fixed size makes tiling compositors (sway) float it instead of giving it a tile.
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setSizeConstraint(QtWidgets.QLayout.SizeConstraint.SetFixedSize)
        self.usage = QtWidgets.QLabel()
        self.usage.setObjectName("status-usage")
        self.pause = QtWidgets.QLabel()
        self.pause.setObjectName("status-break")
        note = QtWidgets.QLabel(
            _("This desktop has no system tray: Wellbeing keeps running and enforcing from this window.")
        )
        note.setWordWrap(True)
        note.setMinimumWidth(360)
        layout.addWidget(self.usage)
        layout.addWidget(self.pause)
        layout.addWidget(note)
        buttons = QtWidgets.QHBoxLayout()
        for text, signal in (
            (_("Dashboard"), actions.open_dashboard),
            (_("Guide && tips"), actions.open_guide),
            (_("Settings…"), actions.open_settings),
            (_("Quit"), actions.quit_requested),
        ):
            button = QtWidgets.QPushButton(text)
            button.setAccessibleName(text.replace("&&", "&"))
            button.clicked.connect(signal.emit)
            buttons.addWidget(button)
        layout.addLayout(buttons)

    def update(self, decision: Decision) -> None:  # type: ignore[override]
        usage, pause = summary(decision)
        self.usage.setText(usage)
        self.pause.setText(pause.capitalize())

    def say(self, words: str) -> None:
        """Show `words` instead of today's figures (until the next `update`)."""
        self.usage.setText(words)
        self.pause.setText("")

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        event.ignore()
        self.showMinimized()
