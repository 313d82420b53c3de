"""Asking for the passcode (with the lockout countdown), and choosing a new one."""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

from wellbeing_app.core import passcode as passcodes
from wellbeing_app.core.errors import PasscodeError
from wellbeing_app.i18n import _, localize
from wellbeing_app.ui.qt import Qt, QtCore, QtGui, QtWidgets
from wellbeing_app.ui.widgets import alert_colour

if TYPE_CHECKING:
    from wellbeing_app.service import Service

#: How often the lockout countdown is redrawn.
COUNTDOWN_MS = 1000


def format_countdown(seconds: float) -> str:
    """'0:42', '2:00', '1:02:03' — rounded up, so it never shows 0:00 while still locked."""
    whole = max(0, math.ceil(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def message_label(parent: QtWidgets.QWidget | None = None, *, name: str) -> QtWidgets.QLabel:
    """A label for refusals and errors: wraps, can be selected, read out by screen readers."""
    label = QtWidgets.QLabel(parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    palette = label.palette()
    palette.setColor(QtGui.QPalette.ColorRole.WindowText, alert_colour(palette))
    label.setPalette(palette)
    label.setVisible(False)
    return label


def sentence(text: str) -> str:
    """A core message ("wrong passcode; …") as a sentence: capital first letter, full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def show_message(label: QtWidgets.QLabel, text: str) -> None:
    label.setText(text)
    label.setAccessibleDescription(text)
    label.setVisible(bool(text))


def ok_cancel(
    dialog: QtWidgets.QDialog, ok_name: str
) -> tuple[QtWidgets.QDialogButtonBox, QtWidgets.QPushButton]:
    """OK and Cancel wired to the dialog, with names a screen reader can say; (buttons, OK)."""
    buttons = QtWidgets.QDialogButtonBox(
        QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel,
        dialog,
    )
    ok = buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
    ok.setAccessibleName(ok_name)
    buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Cancel).setAccessibleName(_("Cancel"))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok


class PasscodeDialog(QtWidgets.QDialog):
    """Asks for the passcode and checks it with the service.

    `exec()` returns Accepted only once the right passcode was entered; `passcode()` then gives
    it back so the caller can pass it on. While entry is locked out after wrong tries, the field
    is disabled and a countdown says when to try again.
    """

    def __init__(self, service: Service, purpose: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._purpose = purpose
        self._accepted_passcode: str | None = None
        self.setWindowTitle(_("Passcode"))
        self.setAccessibleName(_("Enter the passcode"))

        self.prompt = QtWidgets.QLabel(
            _("The passcode is needed to {purpose}.").format(purpose=_(purpose)), self
        )
        self.prompt.setWordWrap(True)
        self.field = QtWidgets.QLineEdit(self)
        self.field.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.field.setAccessibleName(_("Passcode"))
        self.field.setPlaceholderText(_("Passcode"))
        self.field.setMaxLength(passcodes.MAX_PHRASE + 8)
        self.prompt.setBuddy(self.field)
        self.message = message_label(self, name=_("Passcode message"))
        self.countdown = QtWidgets.QLabel(self)
        self.countdown.setAccessibleName(_("Lockout countdown"))
        self.countdown.setVisible(False)

        self.buttons, self.ok_button = ok_cancel(self, _("Check the passcode"))

        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.field)
        layout.addWidget(self.message)
        layout.addWidget(self.countdown)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

        self._timer = QtCore.QTimer(self)
        self._timer.setObjectName("passcode-lockout-countdown")
        self._timer.setInterval(COUNTDOWN_MS)
        self._timer.timeout.connect(self._tick)
        self._locked_until: datetime | None = None
        self._check_lockout()

    # --- what the caller reads ---------------------------------------------------------------

    def passcode(self) -> str:
        """The passcode that was accepted ("" until then)."""
        return self._accepted_passcode or ""

    def is_locked_out(self) -> bool:
        return self._locked_until is not None

    @classmethod
    def ask(cls, service: Service, purpose: str, parent: QtWidgets.QWidget | None = None) -> str | None:
        """The passcode when it was entered right; "" when none is set (nothing to ask); None
        when the person cancelled."""
        if not service.passcode_is_set():
            return ""
        dialog = cls(service, purpose, parent)
        try:
            if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted:
                return dialog.passcode()
            return None
        finally:
            dialog.deleteLater()

    # --- checking --------------------------------------------------------------------------------

    def accept(self) -> None:
        if self._check_lockout():
            return
        text = self.field.text()
        if not text.strip():
            show_message(self.message, _("Enter the passcode."))
            self.field.setFocus()
            return
        try:
            self._service.verify_passcode(text, purpose=self._purpose)
        except PasscodeError:
            self.field.clear()
            if not self._check_lockout():
                show_message(self.message, _("Wrong passcode"))
                self.field.setFocus()
            return
        self._accepted_passcode = text
        self._timer.stop()
        super().accept()

    def reject(self) -> None:
        self._timer.stop()
        super().reject()

    def _check_lockout(self) -> bool:
        """Show the countdown and disable entry while locked out; returns whether locked."""
        self._locked_until = self._service.lockout_until()
        locked = self._locked_until is not None
        self.field.setEnabled(not locked)
        self.ok_button.setEnabled(not locked)
        self.countdown.setVisible(locked)
        if locked:
            self.field.clear()
            show_message(self.message, _("Too many wrong passcodes."))
            self._show_countdown()
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()
        return locked

    def _show_countdown(self) -> None:
        if self._locked_until is None:
            return
        left = (self._locked_until - self._service.clock.wall()).total_seconds()
        text = _("Try again in {time}").format(time=format_countdown(left))
        self.countdown.setText(text)
        self.countdown.setAccessibleDescription(text)

    def _tick(self) -> None:
        was_locked = self._locked_until is not None
        if not self._check_lockout() and was_locked:
            show_message(self.message, _("You can try again now."))
            self.field.setFocus()


class NewPasscodeFields(QtWidgets.QWidget):
    """Two masked fields for a new passcode, saying in place why it is not acceptable yet.

    `validity_changed(bool)` fires when the entry turns acceptable or not. With `optional`
    set, leaving both fields empty is acceptable too (no passcode).
    """

    validity_changed = QtCore.Signal(bool)

    def __init__(self, parent: QtWidgets.QWidget | None = None, *, optional: bool = False) -> None:
        super().__init__(parent)
        self._optional = optional
        self._valid = False
        self.first = QtWidgets.QLineEdit(self)
        self.first.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.first.setAccessibleName(_("New passcode"))
        self.second = QtWidgets.QLineEdit(self)
        self.second.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.second.setAccessibleName(_("Repeat the new passcode"))
        self.hint = QtWidgets.QLabel(
            _("{min_digits} to {max_digits} digits, or a phrase of at least {min_phrase} characters.").format(
                min_digits=passcodes.MIN_DIGITS,
                max_digits=passcodes.MAX_DIGITS,
                min_phrase=passcodes.MIN_PHRASE,
            ),
            self,
        )
        self.hint.setWordWrap(True)
        self.message = message_label(self, name=_("New passcode message"))

        grid = QtWidgets.QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        first_label = QtWidgets.QLabel(_("New passcode:"), self)
        first_label.setBuddy(self.first)
        second_label = QtWidgets.QLabel(_("Repeat it:"), self)
        second_label.setBuddy(self.second)
        grid.addWidget(first_label, 0, 0)
        grid.addWidget(self.first, 0, 1)
        grid.addWidget(second_label, 1, 0)
        grid.addWidget(self.second, 1, 1)
        grid.setColumnStretch(1, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addWidget(self.hint)
        layout.addWidget(self.message)
        self.first.textChanged.connect(self._check)
        self.second.textChanged.connect(self._check)
        self._check()

    def set_optional(self, optional: bool) -> None:
        self._optional = optional
        self._check()

    def is_valid(self) -> bool:
        return self._valid

    def passcode(self) -> str | None:
        """The new passcode when it is acceptable and repeated right; None otherwise (or empty)."""
        if not self._valid or not self.first.text().strip():
            return None
        return self.first.text().strip()

    def problem(self) -> str:
        """Why the entry is not acceptable ("" when it is)."""
        first, second = self.first.text(), self.second.text()
        if not first.strip() and not second.strip():
            return "" if self._optional else _("Choose a passcode.")
        try:
            passcodes.validate(first)
        except PasscodeError as error:
            return sentence(localize(error))
        if first.strip() != second.strip():
            return _("The two entries are not the same.") if second else _("Repeat the passcode.")
        return ""

    def _check(self) -> None:
        problem = self.problem()
        # Say nothing while both fields are still empty: there is nothing to correct yet.
        quiet = not self.first.text() and not self.second.text()
        show_message(self.message, "" if quiet else problem)
        valid = problem == ""
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)


class NewPasscodeDialog(QtWidgets.QDialog):
    """Choosing a new passcode: OK is enabled once both entries are acceptable and the same."""

    def __init__(self, parent: QtWidgets.QWidget | None = None, *, title: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title or _("New passcode"))
        self.fields = NewPasscodeFields(self)
        note = QtWidgets.QLabel(
            _(
                "With a passcode set, changing settings, granting time, skipping breaks, "
                "pausing tracking and quitting all need it."
            ),
            self,
        )
        note.setWordWrap(True)
        self.buttons, self.ok_button = ok_cancel(self, _("Save the new passcode"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.fields)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 50)
        self.fields.validity_changed.connect(self.ok_button.setEnabled)
        self.ok_button.setEnabled(self.fields.is_valid())

    def passcode(self) -> str | None:
        return self.fields.passcode()

    def accept(self) -> None:
        if self.fields.passcode() is not None:
            super().accept()

    @classmethod
    def ask(cls, parent: QtWidgets.QWidget | None = None, *, title: str | None = None) -> str | None:
        dialog = cls(parent, title=title)
        try:
            if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted:
                return dialog.passcode()
            return None
        finally:
            dialog.deleteLater()
