"""The parts of the settings dialog that are actions rather than settings: the passcode, your data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from wellbeing_app.core.errors import PasscodeError, StorageError
from wellbeing_app.i18n import _, localize
from wellbeing_app.service import ServiceError
from wellbeing_app.ui.passcode_dialog import (
    NewPasscodeDialog,
    PasscodeDialog,
    message_label,
    sentence,
    show_message,
)
from wellbeing_app.ui.qt import Qt, QtCore, QtWidgets

if TYPE_CHECKING:
    from wellbeing_app.service import Service


class PasscodeSection(QtWidgets.QGroupBox):
    """Set, change or remove the passcode; each takes effect at once."""

    passcode_changed = QtCore.Signal()

    def __init__(self, service: Service, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(_("Passcode"), parent)
        self._service = service
        self.state = QtWidgets.QLabel(self)
        self.state.setWordWrap(True)
        self.state.setAccessibleName(_("Passcode state"))
        self.set_button = QtWidgets.QPushButton(_("Set a passcode…"), self)
        self.set_button.setAccessibleName(_("Set a passcode"))
        self.change_button = QtWidgets.QPushButton(_("Change the passcode…"), self)
        self.change_button.setAccessibleName(_("Change the passcode"))
        self.remove_button = QtWidgets.QPushButton(_("Remove the passcode…"), self)
        self.remove_button.setAccessibleName(_("Remove the passcode"))
        self.message = message_label(self, name=_("Passcode section message"))
        self.set_button.clicked.connect(self.set_passcode)
        self.change_button.clicked.connect(self.change_passcode)
        self.remove_button.clicked.connect(self.remove_passcode)
        buttons = QtWidgets.QHBoxLayout()
        for button in (self.set_button, self.change_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        is_set = self._service.passcode_is_set()
        if is_set:
            self.state.setText(
                _(
                    "A passcode is set. Changing settings, granting time, skipping breaks, "
                    "pausing tracking and quitting need it."
                )
            )
        else:
            self.state.setText(_("No passcode is set: anyone at this computer can change the settings."))
        self.state.setAccessibleDescription(self.state.text())
        self.set_button.setVisible(not is_set)
        self.change_button.setVisible(is_set)
        self.remove_button.setVisible(is_set)

    def _done(self, text: str) -> None:
        show_message(self.message, text)
        self.refresh()
        self.passcode_changed.emit()

    def set_passcode(self) -> None:
        new = NewPasscodeDialog.ask(self, title=_("Set a passcode"))
        if new is None:
            return
        try:
            self._service.set_passcode(new)
        except (PasscodeError, ServiceError, StorageError) as error:
            show_message(self.message, sentence(localize(error)))
            return
        self._done(_("The passcode is set."))

    def change_passcode(self) -> None:
        current = PasscodeDialog.ask(self._service, "change the passcode", self)
        if current is None:
            return
        new = NewPasscodeDialog.ask(self, title=_("Change the passcode"))
        if new is None:
            return
        try:
            self._service.set_passcode(new, current=current)
        except (PasscodeError, ServiceError, StorageError) as error:
            show_message(self.message, sentence(localize(error)))
            return
        self._done(_("The passcode is changed."))

    def remove_passcode(self) -> None:
        current = PasscodeDialog.ask(self._service, "remove the passcode", self)
        if current is None:
            return
        try:
            self._service.clear_passcode(current=current)
        except (PasscodeError, ServiceError, StorageError) as error:
            show_message(self.message, sentence(localize(error)))
            return
        self._done(_("The passcode is removed: the settings are no longer locked."))


class DataSection(QtWidgets.QGroupBox):
    """Export the records, or delete them all."""

    data_deleted = QtCore.Signal()

    def __init__(self, service: Service, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(_("Your data"), parent)
        self._service = service
        about = QtWidgets.QLabel(
            _(
                "Everything Wellbeing records stays on this computer. You can save a copy "
                "(CSV or JSON) or delete it all; settings and the passcode are kept."
            ),
            self,
        )
        about.setWordWrap(True)
        self.export_button = QtWidgets.QPushButton(_("Export…"), self)
        self.export_button.setAccessibleName(_("Export your records to a file"))
        self.delete_button = QtWidgets.QPushButton(_("Delete all my data…"), self)
        self.delete_button.setAccessibleName(_("Delete all my data"))
        self.result = QtWidgets.QLabel(self)
        self.result.setWordWrap(True)
        self.result.setAccessibleName(_("Result"))
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setVisible(False)
        self.export_button.clicked.connect(self.export)
        self.delete_button.clicked.connect(self.delete_all)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(buttons)
        layout.addWidget(self.result)

    def _say(self, text: str) -> None:
        self.result.setText(text)
        self.result.setAccessibleDescription(text)
        self.result.setVisible(bool(text))

    def choose_export_path(self) -> tuple[Path, str] | None:
        """Where to export and in which format ("csv" or "json"); None when cancelled."""
        csv_filter, json_filter = _("CSV table (*.csv)"), _("JSON (*.json)")
        name, chosen = QtWidgets.QFileDialog.getSaveFileName(
            self,
            _("Export your records"),
            str(Path.home() / "wellbeing-records.csv"),
            f"{csv_filter};;{json_filter}",
        )
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() in (".csv", ".json"):
            return path, path.suffix.lower()[1:]
        fmt = "json" if chosen == json_filter else "csv"
        return path.with_suffix("." + fmt), fmt

    def export(self) -> None:
        choice = self.choose_export_path()
        if choice is None:
            return
        path, fmt = choice
        try:
            with path.open("w", encoding="utf-8", newline="") as fp:
                self._service.export(fmt, fp)
        except OSError as error:
            self._say(_("Cannot write {path}: {error}").format(path=path, error=error.strerror or error))
            return
        except (ServiceError, StorageError) as error:
            self._say(sentence(localize(error)))
            return
        self._say(_("Saved to {path}").format(path=path))

    def confirm_delete(self) -> bool:
        answer = QtWidgets.QMessageBox.warning(
            self,
            _("Delete all my data"),
            _(
                "Delete every record of use, breaks and events on this computer? "
                "This cannot be undone. Settings and the passcode are kept."
            ),
            QtWidgets.QMessageBox.StandardButton.Yes | QtWidgets.QMessageBox.StandardButton.Cancel,
            QtWidgets.QMessageBox.StandardButton.Cancel,
        )
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def delete_all(self) -> None:
        if not self.confirm_delete():
            return
        passcode = PasscodeDialog.ask(self._service, "delete all records", self)
        if passcode is None:
            self._say(_("Nothing was deleted."))
            return
        try:
            self._service.delete_all(passcode=passcode or None)
        except (PasscodeError, ServiceError, StorageError) as error:
            self._say(_("Nothing was deleted: {reason}").format(reason=sentence(localize(error))))
            return
        self._say(_("All your records were deleted."))
        self.data_deleted.emit()
