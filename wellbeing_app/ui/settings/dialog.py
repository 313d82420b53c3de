"""The settings dialog: every setting of the schema on its page, OK storing what changed in one go."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from wellbeing_app.core.errors import PasscodeError, SettingError, StorageError
from wellbeing_app.core.model import AppRef
from wellbeing_app.core.settings import Settings
from wellbeing_app.i18n import _, localize
from wellbeing_app.service import ServiceError
from wellbeing_app.ui.passcode_dialog import PasscodeDialog, message_label, sentence, show_message
from wellbeing_app.ui.qt import QtCore, QtWidgets
from wellbeing_app.ui.settings.editors import SettingEditor
from wellbeing_app.ui.settings.fields import SettingField
from wellbeing_app.ui.settings.pages import SettingsPages
from wellbeing_app.ui.settings.sections import DataSection, PasscodeSection

if TYPE_CHECKING:
    from wellbeing_app.service import Service


class SettingsDialog(QtWidgets.QDialog):
    """Every setting of the schema, a tab per group, plus the passcode and your data.

    OK stores what changed in one go; when a guarded setting changed and a passcode is set, the
    passcode is asked once first. A refusal is shown and nothing is changed. `applied` carries
    the new `Settings` after they were stored.
    """

    applied = QtCore.Signal(object)

    def __init__(
        self, service: Service, apps_seen: Sequence[AppRef], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self.setWindowTitle(_("Wellbeing settings"))
        self.setAccessibleName(_("Wellbeing settings"))
        self.fields: dict[str, SettingField] = {}
        self.tabs = SettingsPages(self)
        for key, spec in Settings.specs().items():
            page = self.tabs.page(spec.group)
            field = SettingField(key, spec, apps_seen, self)
            field.validity_changed.connect(self._update_ok)
            field.editor.resized.connect(self._fit_pages)
            page.addWidget(field)
            self.fields[key] = field
        self.passcode_section = PasscodeSection(service, self)
        self.tabs.page("passcode", _("Passcode")).addWidget(self.passcode_section)
        self.data_section = DataSection(service, self)
        self.tabs.page("privacy").addWidget(self.data_section)
        self.tabs.finish()

        self.message = message_label(self, name=_("Why nothing was changed"))
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel,
            self,
        )
        self.ok_button = self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setAccessibleName(_("Save the settings"))
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Cancel).setAccessibleName(
            _("Close without saving")
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.load(service.settings)
        self._fit_pages()
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 92, metrics.height() * 38)

    def _fit_pages(self) -> None:
        self.tabs.fit(self.fields.values())

    def show_group(self, group: str) -> None:
        """Bring a group's tab to the front."""
        self.tabs.show_group(group)

    def editor(self, key: str) -> SettingEditor:
        return self.fields[key].editor

    def load(self, settings: Settings) -> None:
        for key, field in self.fields.items():
            field.set_value(getattr(settings, key))
        self._update_ok()

    def problems(self) -> dict[str, str]:
        return {key: field.problem() for key, field in self.fields.items() if field.problem()}

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(not self.problems())

    def changes(self) -> dict[str, Any]:
        """The settings whose value differs from the stored one (typed values)."""
        stored = self._service.settings.to_json()
        result = {}
        for key, field in self.fields.items():
            value = field.value()
            if field.spec.type.to_json(value) != stored[key]:
                result[key] = value
        return result

    def accept(self) -> None:
        if self.problems():
            self._update_ok()
            return
        changes = self.changes()
        if not changes:
            super().accept()
            return
        passcode: str | None = None
        guarded = any(Settings.spec(key).guarded for key in changes)
        if guarded and self._service.passcode_is_set():
            passcode = PasscodeDialog.ask(self._service, "change settings", self)
            if passcode is None:
                show_message(
                    self.message, _("Nothing was changed: the passcode is needed to change these settings.")
                )
                return
        try:
            new = self._service.change_settings(changes, passcode=passcode or None)
        except (PasscodeError, SettingError, ServiceError, StorageError) as error:
            show_message(
                self.message, _("Nothing was changed: {reason}").format(reason=sentence(localize(error)))
            )
            return
        show_message(self.message, "")
        self.applied.emit(new)
        super().accept()
