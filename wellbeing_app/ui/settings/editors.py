"""The editors of single values, one per value type: a number, a switch, a choice, a time of day.

Each shows a typed value and gives back its JSON form, which the schema then checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any, ClassVar

from wellbeing_app.core import languages
from wellbeing_app.core.model import AppRef
from wellbeing_app.core.settings import Choice, IntRange, SettingSpec, TimeOfDay
from wellbeing_app.i18n import _
from wellbeing_app.ui.qt import Qt, QtCore, QtWidgets
from wellbeing_app.ui.widgets import flush_layout


class Refused(Exception):
    """An editor's own reason, in words, why what it holds cannot be a value."""


class SettingEditor(QtWidgets.QWidget):
    """Edits one setting. `changed` fires on every edit; `json_value()` may raise Refused."""

    changed = QtCore.Signal()
    #: Rows were added or removed: the editor's size changed.
    resized = QtCore.Signal()
    #: Whether the editor shows the description itself (a checkbox's text), so no title is needed.
    shows_description: ClassVar[bool] = False

    def __init__(
        self, key: str, spec: SettingSpec, apps: Sequence[AppRef], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.key = key
        self.spec = spec
        self.apps = list(apps)
        self.description = _(spec.description)
        self.setAccessibleName(self.description)

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def json_value(self) -> Any:
        raise NotImplementedError

    def focus_widget(self) -> QtWidgets.QWidget:
        """The control a title label's mnemonic jumps to."""
        return self


def unit_suffix(unit: str) -> str:
    return {"minutes": _(" min"), "seconds": _(" s")}.get(unit, "")


def language_name(code: str) -> str:
    """Each language in its own language, so that anyone can find theirs."""
    if code == languages.SYSTEM:
        return _("System")
    language = languages.find(code)
    return language.native_name if language is not None else code


class IntRangeEditor(SettingEditor):
    """A spin box; with a slider beside it when the UI offers steps; an "Off" box when allowed."""

    def __init__(
        self, key: str, spec: SettingSpec, apps: Sequence[AppRef], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(key, spec, apps, parent)
        assert isinstance(spec.type, IntRange)
        self.type: IntRange = spec.type
        layout = flush_layout(self)
        self.spin = QtWidgets.QSpinBox(self)
        self.spin.setRange(self.type.minimum, self.type.maximum)
        self.spin.setSingleStep(self.type.step)
        self.spin.setSuffix(unit_suffix(self.type.unit))
        self.spin.setAccessibleName(self.description)
        self.slider: QtWidgets.QSlider | None = None
        if self.type.step > 1:
            self.slider = QtWidgets.QSlider(Qt.Orientation.Horizontal, self)
            self.slider.setRange(self.type.minimum, self.type.maximum)
            self.slider.setSingleStep(self.type.step)
            self.slider.setPageStep(self.type.step * 2)
            self.slider.setTickInterval(
                self.type.step * (2 if self.type.maximum - self.type.minimum > 40 else 1)
            )
            self.slider.setTickPosition(QtWidgets.QSlider.TickPosition.TicksBelow)
            self.slider.setAccessibleName(_("{setting} (slider)").format(setting=self.description))
            self.slider.valueChanged.connect(self._slid)
            layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self.off: QtWidgets.QCheckBox | None = None
        if self.type.can_be_off:
            self.off = QtWidgets.QCheckBox(_("Off"), self)
            self.off.setAccessibleName(_("{setting}: off").format(setting=self.description))
            self.off.toggled.connect(self._off_toggled)
            layout.addWidget(self.off)
        if self.slider is None:
            layout.addStretch(1)
        self.spin.valueChanged.connect(self._spun)

    def focus_widget(self) -> QtWidgets.QWidget:
        return self.slider or self.spin

    def _snap(self, value: int) -> int:
        steps = round((value - self.type.minimum) / self.type.step)
        return min(self.type.maximum, self.type.minimum + steps * self.type.step)

    def _slid(self, value: int) -> None:
        assert self.slider is not None
        snapped = self._snap(value)
        if snapped != value:
            self.slider.setValue(snapped)
            return
        self.spin.setValue(value)

    def _spun(self, value: int) -> None:
        if self.slider is not None:
            self.slider.blockSignals(True)
            self.slider.setValue(value)
            self.slider.blockSignals(False)
        self.changed.emit()

    def _off_toggled(self, off: bool) -> None:
        self.spin.setEnabled(not off)
        if self.slider is not None:
            self.slider.setEnabled(not off)
        self.changed.emit()

    def set_value(self, value: int | None) -> None:
        if self.off is not None:
            self.off.setChecked(value is None)
        if value is not None:
            self.spin.setValue(value)
        elif self.type.minimum <= 60 <= self.type.maximum:
            self.spin.setValue(60)  # where the controls stand if "Off" is unticked again

    def json_value(self) -> Any:
        if self.off is not None and self.off.isChecked():
            return None
        return self.spin.value()


class BooleanEditor(SettingEditor):
    shows_description = True

    def __init__(
        self, key: str, spec: SettingSpec, apps: Sequence[AppRef], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(key, spec, apps, parent)
        layout = flush_layout(self)
        self.box = QtWidgets.QCheckBox(self.description, self)
        self.box.setAccessibleName(self.description)
        self.box.toggled.connect(self.changed)
        layout.addWidget(self.box)
        layout.addStretch(1)

    def focus_widget(self) -> QtWidgets.QWidget:
        return self.box

    def set_value(self, value: bool) -> None:
        self.box.setChecked(bool(value))

    def json_value(self) -> Any:
        return self.box.isChecked()


class ChoiceEditor(SettingEditor):
    def __init__(
        self, key: str, spec: SettingSpec, apps: Sequence[AppRef], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(key, spec, apps, parent)
        assert isinstance(spec.type, Choice)
        layout = flush_layout(self)
        self.combo = QtWidgets.QComboBox(self)
        self.combo.setAccessibleName(self.description)
        for choice in spec.type.choices:
            text = language_name(choice) if spec.type.choices == languages.setting_choices() else _(choice)
            self.combo.addItem(text, choice)
        self.combo.currentIndexChanged.connect(self.changed)
        layout.addWidget(self.combo)
        layout.addStretch(1)

    def focus_widget(self) -> QtWidgets.QWidget:
        return self.combo

    def set_value(self, value: str) -> None:
        index = self.combo.findData(value)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def json_value(self) -> Any:
        return self.combo.currentData()


def qtime(value: time) -> QtCore.QTime:
    return QtCore.QTime(value.hour, value.minute)


def time_text(value: QtCore.QTime) -> str:
    return f"{value.hour():02d}:{value.minute():02d}"


def time_edit(parent: QtWidgets.QWidget, name: str) -> QtWidgets.QTimeEdit:
    edit = QtWidgets.QTimeEdit(parent)
    edit.setDisplayFormat("HH:mm")
    edit.setAccessibleName(name)
    edit.setKeyboardTracking(True)
    return edit


class TimeOfDayEditor(SettingEditor):
    def __init__(
        self, key: str, spec: SettingSpec, apps: Sequence[AppRef], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(key, spec, apps, parent)
        assert isinstance(spec.type, TimeOfDay)
        layout = flush_layout(self)
        self.edit = time_edit(self, self.description)
        self.edit.setTimeRange(qtime(spec.type.earliest), qtime(spec.type.latest))
        self.edit.timeChanged.connect(self.changed)
        layout.addWidget(self.edit)
        layout.addStretch(1)

    def focus_widget(self) -> QtWidgets.QWidget:
        return self.edit

    def set_value(self, value: time) -> None:
        self.edit.setTime(qtime(value))

    def json_value(self) -> Any:
        return time_text(self.edit.time())
