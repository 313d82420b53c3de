"""One setting in the dialog: the editor its value type asks for, its title and why a value is refused."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from wellbeing_app.core.errors import SettingError
from wellbeing_app.core.model import AppRef
from wellbeing_app.core.settings import (
    AppLimits,
    AppList,
    Boolean,
    Choice,
    Downtime,
    IntRange,
    Settings,
    SettingSpec,
    TimeOfDay,
    ValueType,
    WeekdayCaps,
)
from wellbeing_app.i18n import _, localize
from wellbeing_app.ui.passcode_dialog import message_label, show_message
from wellbeing_app.ui.qt import QtCore, QtWidgets
from wellbeing_app.ui.settings.app_editors import AppLimitsEditor, AppListEditor
from wellbeing_app.ui.settings.editors import (
    BooleanEditor,
    ChoiceEditor,
    IntRangeEditor,
    Refused,
    SettingEditor,
    TimeOfDayEditor,
)
from wellbeing_app.ui.settings.week_editors import DowntimeEditor, WeekdayCapsEditor
from wellbeing_app.ui.widgets import flush_layout

#: Which editor edits which value type; looked up along the type's classes.
EDITORS: dict[type[ValueType[Any]], Callable[..., SettingEditor]] = {
    IntRange: IntRangeEditor,
    Boolean: BooleanEditor,
    Choice: ChoiceEditor,
    TimeOfDay: TimeOfDayEditor,
    AppList: AppListEditor,
    AppLimits: AppLimitsEditor,
    WeekdayCaps: WeekdayCapsEditor,
    Downtime: DowntimeEditor,
}


def editor_for(
    key: str, spec: SettingSpec, apps: Sequence[AppRef], parent: QtWidgets.QWidget | None = None
) -> SettingEditor:
    for kind in type(spec.type).__mro__:
        if kind in EDITORS:
            return EDITORS[kind](key, spec, apps, parent)
    raise TypeError(f"no editor for the setting {key} of type {type(spec.type).__name__}")


class SettingField(QtWidgets.QWidget):
    """One setting: its description as the title, its editor, and why its value is refused."""

    validity_changed = QtCore.Signal()

    def __init__(
        self, key: str, spec: SettingSpec, apps: Sequence[AppRef], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.key = key
        self.spec = spec
        self.editor = editor_for(key, spec, apps, self)
        self.title = QtWidgets.QLabel(_(spec.description), self)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setBuddy(self.editor.focus_widget())
        self.title.setVisible(not self.editor.shows_description)
        allowed = localize(spec.type.allowed_text())
        tip = _(spec.description) + (
            "\n" + _("Allowed: {allowed}").format(allowed=allowed) if allowed else ""
        )
        if spec.guarded:
            tip += "\n" + _("Needs the passcode to change when one is set.")
        self.setToolTip(tip)
        self.title.setToolTip(tip)
        self.problem_label = message_label(
            self, name=_("Problem with: {setting}").format(setting=_(spec.description))
        )
        layout = flush_layout(self, vertical=True)
        layout.addWidget(self.title)
        layout.addWidget(self.editor)
        layout.addWidget(self.problem_label)
        self._problem = ""
        self.editor.changed.connect(self.check)

    def set_value(self, value: Any) -> None:
        self.editor.set_value(value)
        self.check()

    def problem(self) -> str:
        return self._problem

    def value(self) -> Any:
        """The typed value; raises SettingError or Refused."""
        return Settings.check_json(self.key, self.editor.json_value())

    def check(self) -> None:
        try:
            self.value()
        except Refused as refusal:
            problem = str(refusal)
        except SettingError as error:
            problem = _("Not allowed: {allowed}.").format(allowed=localize(error.allowed_text))
        else:
            problem = ""
        show_message(self.problem_label, problem)
        if problem != self._problem:
            self._problem = problem
            self.validity_changed.emit()
