"""The settings dialog, generated from the settings schema: one editor per value type, a tab per group.

Each setting is declared once in `core.settings`; this module only knows how to edit each kind
of value. What is allowed is decided by the schema (`Settings.check_json`), and a refusal is
shown next to the field with OK disabled until it is put right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import time, timedelta
from pathlib import Path
from typing import Any, ClassVar

from wellbeing_app.core import languages
from wellbeing_app.core.errors import PasscodeError, SettingError
from wellbeing_app.core.model import AppRef
from wellbeing_app.core.settings import (
    AppLimits,
    AppList,
    Boolean,
    Choice,
    Downtime,
    DowntimeWindow,
    IntRange,
    Settings,
    SettingSpec,
    TimeOfDay,
    ValueType,
    Weekday,
    WeekdayCaps,
)
from wellbeing_app.i18n import _, localize
from wellbeing_app.service import Service, ServiceError
from wellbeing_app.storage import StorageError
from wellbeing_app.ui.passcode_dialog import (
    NewPasscodeDialog,
    PasscodeDialog,
    message_label,
    sentence,
    show_message,
)
from wellbeing_app.ui.qt import Qt, QtCore, QtWidgets
from wellbeing_app.ui.widgets import flush_layout, weekday_name


def group_title(group: str) -> str:
    titles = {
        "limits": _("Limits"),
        "breaks": _("Breaks"),
        "tracking": _("Tracking"),
        "privacy": _("Privacy"),
        "general": _("General"),
    }
    return titles.get(group, group.replace("_", " ").capitalize())


def language_name(code: str) -> str:
    """Each language in its own language, so that anyone can find theirs."""
    if code == languages.SYSTEM:
        return _("System")
    language = languages.find(code)
    return language.native_name if language is not None else code


def day_name(day: Weekday) -> str:
    return weekday_name(day.value)


def weekday_abbreviation(day: Weekday) -> str:
    names = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
    return names[day.value]


def unit_suffix(unit: str) -> str:
    return {"minutes": _(" min"), "seconds": _(" s")}.get(unit, "")


def apps_seen(service: Service, days: int = 30) -> list[AppRef]:
    """The apps recorded in the last `days` days, most used first: what the app lists offer."""
    last = service.today()
    totals: dict[AppRef, float] = {}
    for usage in service.usage_by_day_app(last - timedelta(days=days - 1), last):
        totals[usage.app] = totals.get(usage.app, 0.0) + usage.seconds
    return [app for app, _seconds in sorted(totals.items(), key=lambda item: -item[1]) if not app.is_self]


class Refused(Exception):
    """An editor's own reason, in words, why what it holds cannot be a value."""


# ---------------------------------------------------------------------------------------------
# Editors: one per value type. Each shows a typed value and gives back its JSON form, which the
# schema then checks.


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


def _qtime(value: time) -> QtCore.QTime:
    return QtCore.QTime(value.hour, value.minute)


def _text_of(value: QtCore.QTime) -> str:
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
        self.edit.setTimeRange(_qtime(spec.type.earliest), _qtime(spec.type.latest))
        self.edit.timeChanged.connect(self.changed)
        layout.addWidget(self.edit)
        layout.addStretch(1)

    def focus_widget(self) -> QtWidgets.QWidget:
        return self.edit

    def set_value(self, value: time) -> None:
        self.edit.setTime(_qtime(value))

    def json_value(self) -> Any:
        return _text_of(self.edit.time())


def app_label(app: AppRef) -> str:
    return app.executable if app.name == app.executable else f"{app.name} ({app.executable})"


class AppListEditor(SettingEditor):
    """The apps seen, each with a box to tick; apps not seen yet can be added by name."""

    def __init__(
        self, key: str, spec: SettingSpec, apps: Sequence[AppRef], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(key, spec, apps, parent)
        self.list = QtWidgets.QListWidget(self)
        self.list.setAccessibleName(self.description)
        self.list.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)
        self.list.itemChanged.connect(lambda _item: self.changed.emit())
        self.name = QtWidgets.QLineEdit(self)
        self.name.setPlaceholderText(_("executable name, e.g. calculator"))
        self.name.setAccessibleName(_("Add an app by its executable name"))
        self.add = QtWidgets.QPushButton(_("Add"), self)
        self.add.setAccessibleName(_("Add this app to the list"))
        self.add.clicked.connect(self._add_typed)
        self.name.returnPressed.connect(self._add_typed)
        self.name.textChanged.connect(self._typed)
        self._problem = ""
        row = QtWidgets.QHBoxLayout()
        add_label = QtWidgets.QLabel(_("Add by name:"), self)
        add_label.setBuddy(self.name)
        row.addWidget(add_label)
        row.addWidget(self.name, 1)
        row.addWidget(self.add)
        layout = flush_layout(self, vertical=True)
        layout.addWidget(self.list)
        layout.addLayout(row)

    def focus_widget(self) -> QtWidgets.QWidget:
        return self.list

    def _item(self, executable: str) -> QtWidgets.QListWidgetItem | None:
        for index in range(self.list.count()):
            item = self.list.item(index)
            if item.data(Qt.ItemDataRole.UserRole) == executable:
                return item
        return None

    def _append(self, executable: str, label: str, checked: bool) -> QtWidgets.QListWidgetItem:
        item = QtWidgets.QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, executable)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.list.addItem(item)
        return item

    def set_value(self, value: Sequence[str]) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        known = {app.executable: app for app in self.apps}
        for executable in value:
            self._append(executable, app_label(known.get(executable, AppRef(executable, executable))), True)
        for app in self.apps:
            if app.executable not in value:
                self._append(app.executable, app_label(app), False)
        self.list.blockSignals(False)
        self._fit_height()
        self.changed.emit()

    def _fit_height(self) -> None:
        """Tall enough for every app up to ten rows; it scrolls beyond that."""
        rows = min(10, max(3, self.list.count()))
        row = self.list.sizeHintForRow(0) if self.list.count() else self.fontMetrics().height() + 4
        self.list.setFixedHeight(rows * row + 2 * self.list.frameWidth() + 4)
        self.resized.emit()

    def _typed(self) -> None:
        if self._problem:
            self._problem = ""
            self.changed.emit()

    def _add_typed(self) -> None:
        text = self.name.text().strip()
        if not text:
            return
        try:
            Settings.check_json(self.key, [text])
        except SettingError:
            self._problem = _(
                "{name!r} cannot be an app name: use the executable name, without / or \\."
            ).format(name=text)
            self.changed.emit()
            return
        item = self._item(text) or self._append(text, text, True)
        item.setCheckState(Qt.CheckState.Checked)
        self._fit_height()
        self.list.setCurrentItem(item)
        self.name.clear()

    def checked(self) -> list[str]:
        return [
            str(self.list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def json_value(self) -> Any:
        if self._problem:
            raise Refused(self._problem)
        return self.checked()


def remove_button(parent: QtWidgets.QWidget) -> QtWidgets.QToolButton:
    button = QtWidgets.QToolButton(parent)
    button.setText(_("Remove"))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


class AppLimitRow(QtWidgets.QWidget):
    changed = QtCore.Signal()
    remove = QtCore.Signal(object)

    def __init__(
        self, apps: Sequence[AppRef], kind: AppLimits, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        layout = flush_layout(self)
        self.app = QtWidgets.QComboBox(self)
        self.app.setEditable(True)
        self.app.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        for app in apps:
            self.app.addItem(app_label(app), app.executable)
        self.app.setCurrentIndex(-1)
        self.app.setEditText("")
        line = self.app.lineEdit()
        if line is not None:
            line.setPlaceholderText(_("executable name"))
        self.app.editTextChanged.connect(self.changed)
        self.minutes = QtWidgets.QSpinBox(self)
        self.minutes.setRange(kind.minimum, kind.maximum)
        self.minutes.setSingleStep(5)
        self.minutes.setValue(max(kind.minimum, 30))
        self.minutes.setSuffix(unit_suffix("minutes"))
        self.minutes.valueChanged.connect(self.changed)
        self.remove_button = remove_button(self)
        self.remove_button.clicked.connect(lambda: self.remove.emit(self))
        layout.addWidget(self.app, 3)
        layout.addWidget(self.minutes, 1)
        layout.addWidget(self.remove_button)

    def executable(self) -> str:
        text = self.app.currentText().strip()
        index = self.app.findText(text)
        if index >= 0:
            return str(self.app.itemData(index))
        return text

    def set(self, executable: str, minutes: int) -> None:
        index = self.app.findData(executable)
        if index >= 0:
            self.app.setCurrentIndex(index)
        else:
            self.app.setEditText(executable)
        self.minutes.setValue(minutes)

    def name_controls(self, number: int) -> None:
        self.app.setAccessibleName(_("App of limit {number}").format(number=number))
        self.minutes.setAccessibleName(_("Minutes a day for limit {number}").format(number=number))
        self.remove_button.setAccessibleName(_("Remove limit {number}").format(number=number))


class RowsEditor(SettingEditor):
    """A list of rows of controls with "Add" below, for app limits and downtime windows."""

    def __init__(
        self, key: str, spec: SettingSpec, apps: Sequence[AppRef], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(key, spec, apps, parent)
        self.rows: list[Any] = []
        self.rows_layout = QtWidgets.QVBoxLayout()
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.empty = QtWidgets.QLabel(self.empty_text(), self)
        self.add_button = QtWidgets.QPushButton(self.add_text(), self)
        self.add_button.setAccessibleName(self.add_text())
        self.add_button.clicked.connect(self.add_row)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout = flush_layout(self, vertical=True)
        header = self.header()
        if header is not None:
            layout.addWidget(header)
        layout.addLayout(self.rows_layout)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)

    def add_text(self) -> str:
        raise NotImplementedError

    def header(self) -> QtWidgets.QWidget | None:
        return None

    def empty_text(self) -> str:
        return ""

    def focus_widget(self) -> QtWidgets.QWidget:
        return self.add_button

    def new_row(self) -> Any:
        raise NotImplementedError

    def add_row(self) -> Any:
        row = self.new_row()
        row.changed.connect(self.changed)
        row.remove.connect(self.remove_row)
        self.rows.append(row)
        self.rows_layout.addWidget(row)
        self._renumber()
        self.resized.emit()
        self.changed.emit()
        return row

    def remove_row(self, row: Any) -> None:
        if row in self.rows:
            index = self.rows.index(row)
            self.rows.remove(row)
            self.rows_layout.removeWidget(row)
            row.deleteLater()
            self._renumber()
            self.resized.emit()
            following = self.rows[min(index, len(self.rows) - 1)] if self.rows else None
            (following.remove_button if following is not None else self.add_button).setFocus()
            self.changed.emit()

    def clear_rows(self) -> None:
        for row in list(self.rows):
            self.rows_layout.removeWidget(row)
            row.deleteLater()
        self.rows.clear()
        self._renumber()

    def _renumber(self) -> None:
        for number, row in enumerate(self.rows, 1):
            row.name_controls(number)
        self.empty.setVisible(not self.rows)


class AppLimitsEditor(RowsEditor):
    """A table of app and minutes a day."""

    def add_text(self) -> str:
        return _("Add an app limit")

    def header(self) -> QtWidgets.QWidget | None:
        header = QtWidgets.QWidget(self)
        row = QtWidgets.QHBoxLayout(header)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QtWidgets.QLabel(_("App"), header), 3)
        row.addWidget(QtWidgets.QLabel(_("Minutes a day"), header), 1)
        row.addSpacing(self.fontMetrics().horizontalAdvance(_("Remove")) + 16)
        self._header = header
        return header

    def empty_text(self) -> str:
        return _("No app has its own limit.")

    def _renumber(self) -> None:
        super()._renumber()
        self._header.setVisible(bool(self.rows))

    def new_row(self) -> AppLimitRow:
        assert isinstance(self.spec.type, AppLimits)
        return AppLimitRow(self.apps, self.spec.type, self)

    def set_value(self, value: dict[str, int]) -> None:
        self.clear_rows()
        for executable, minutes in value.items():
            self.add_row().set(executable, minutes)
        self.changed.emit()

    def json_value(self) -> Any:
        result: dict[str, int] = {}
        for number, row in enumerate(self.rows, 1):
            name = row.executable()
            if not name:
                raise Refused(_("Limit {number}: name the app.").format(number=number))
            if name in result:
                raise Refused(_("{name} has two limits; keep one.").format(name=name))
            result[name] = row.minutes.value()
        return result


class WeekdayCapsEditor(SettingEditor):
    """Seven rows: each day follows the daily cap, has its own minutes, or has no cap."""

    SAME, MINUTES, OFF = 0, 1, 2

    def __init__(
        self, key: str, spec: SettingSpec, apps: Sequence[AppRef], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(key, spec, apps, parent)
        assert isinstance(spec.type, WeekdayCaps)
        cap = spec.type.cap
        grid = QtWidgets.QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.modes: dict[Weekday, QtWidgets.QComboBox] = {}
        self.minutes: dict[Weekday, QtWidgets.QSpinBox] = {}
        for row, day in enumerate(Weekday):
            label = QtWidgets.QLabel(day_name(day), self)
            mode = QtWidgets.QComboBox(self)
            mode.addItems([_("Same as daily cap"), _("Its own cap"), _("No cap")])
            mode.setAccessibleName(_("Cap on {day}").format(day=day_name(day)))
            label.setBuddy(mode)
            minutes = QtWidgets.QSpinBox(self)
            minutes.setRange(cap.minimum, cap.maximum)
            minutes.setSingleStep(cap.step)
            minutes.setValue(90 if day in (Weekday.SAT, Weekday.SUN) else 60)
            minutes.setSuffix(unit_suffix(cap.unit))
            minutes.setAccessibleName(_("Minutes on {day}").format(day=day_name(day)))
            minutes.setEnabled(False)
            mode.currentIndexChanged.connect(lambda index, box=minutes: box.setEnabled(index == self.MINUTES))
            mode.currentIndexChanged.connect(self.changed)
            minutes.valueChanged.connect(self.changed)
            grid.addWidget(label, row, 0)
            grid.addWidget(mode, row, 1)
            grid.addWidget(minutes, row, 2)
            self.modes[day], self.minutes[day] = mode, minutes
        grid.setColumnStretch(3, 1)

    def focus_widget(self) -> QtWidgets.QWidget:
        return self.modes[Weekday.MON]

    def set_value(self, value: dict[Weekday, int | None]) -> None:
        for day in Weekday:
            if day not in value:
                self.modes[day].setCurrentIndex(self.SAME)
            elif value[day] is None:
                self.modes[day].setCurrentIndex(self.OFF)
            else:
                self.modes[day].setCurrentIndex(self.MINUTES)
                self.minutes[day].setValue(int(value[day] or 0))

    def json_value(self) -> Any:
        result: dict[str, int | None] = {}
        for day in Weekday:
            mode = self.modes[day].currentIndex()
            if mode == self.MINUTES:
                result[day.short] = self.minutes[day].value()
            elif mode == self.OFF:
                result[day.short] = None
        return result


class DowntimeRow(QtWidgets.QWidget):
    """One weekly window: the days it starts on, its start and its end."""

    changed = QtCore.Signal()
    remove = QtCore.Signal(object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        layout = flush_layout(self)
        layout.setSpacing(self.fontMetrics().averageCharWidth())
        self.days: dict[Weekday, QtWidgets.QCheckBox] = {}
        for day in Weekday:
            box = QtWidgets.QCheckBox(weekday_abbreviation(day), self)
            box.toggled.connect(self.changed)
            self.days[day] = box
            layout.addWidget(box)
        layout.addSpacing(self.fontMetrics().averageCharWidth() * 2)
        self.start = time_edit(self, "")
        self.end = time_edit(self, "")
        self.until = QtWidgets.QLabel(_("to"), self)
        self.next_day = QtWidgets.QLabel(self)
        self.start.timeChanged.connect(self._times_changed)
        self.end.timeChanged.connect(self._times_changed)
        layout.addWidget(self.start)
        layout.addWidget(self.until)
        layout.addWidget(self.end)
        layout.addWidget(self.next_day)
        layout.addStretch(1)
        self.remove_button = remove_button(self)
        self.remove_button.clicked.connect(lambda: self.remove.emit(self))
        layout.addWidget(self.remove_button)
        self.set(DowntimeWindow(frozenset(Weekday(i) for i in (6, 0, 1, 2, 3)), time(21, 0), time(7, 0)))

    def name_controls(self, number: int) -> None:
        for day, box in self.days.items():
            box.setAccessibleName(_("Window {number}: {day}").format(number=number, day=day_name(day)))
        self.start.setAccessibleName(_("Window {number} starts at").format(number=number))
        self.end.setAccessibleName(_("Window {number} ends at").format(number=number))
        self.remove_button.setAccessibleName(_("Remove window {number}").format(number=number))

    def set(self, window: DowntimeWindow) -> None:
        for day, box in self.days.items():
            box.setChecked(day in window.days)
        self.start.setTime(_qtime(window.start))
        self.end.setTime(_qtime(window.end))
        self._times_changed()

    def _times_changed(self) -> None:
        ends_next_day = self.end.time() < self.start.time()
        self.next_day.setText(_("next day") if ends_next_day else "")
        self.changed.emit()

    def checked_days(self) -> list[Weekday]:
        return [day for day, box in self.days.items() if box.isChecked()]

    def json_value(self) -> dict[str, Any]:
        return {
            "days": [day.short for day in self.checked_days()],
            "start": _text_of(self.start.time()),
            "end": _text_of(self.end.time()),
        }


class DowntimeEditor(RowsEditor):
    """Weekly windows: rows of (days Mon..Sun, start, end), with add and remove."""

    def add_text(self) -> str:
        return _("Add a downtime window")

    def empty_text(self) -> str:
        return _("No downtime: apps are never blocked by the hour.")

    def new_row(self) -> DowntimeRow:
        return DowntimeRow(self)

    def set_value(self, value: Sequence[DowntimeWindow]) -> None:
        self.clear_rows()
        for window in value:
            self.add_row().set(window)
        self.changed.emit()

    def json_value(self) -> Any:
        windows = []
        for number, row in enumerate(self.rows, 1):
            window = row.json_value()
            if not window["days"]:
                raise Refused(_("Window {number}: choose at least one day.").format(number=number))
            if window["start"] == window["end"]:
                raise Refused(
                    _("Window {number}: it starts and ends at {time}; give it a length.").format(
                        number=number, time=window["start"]
                    )
                )
            windows.append(window)
        return windows


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


# ---------------------------------------------------------------------------------------------
# The sections that are actions rather than settings.


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


# ---------------------------------------------------------------------------------------------


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
        self.tabs = QtWidgets.QTabWidget(self)
        self.tabs.setAccessibleName(_("Groups of settings"))
        self._pages: dict[str, QtWidgets.QVBoxLayout] = {}
        for key, spec in Settings.specs().items():
            page = self._page(spec.group)
            field = SettingField(key, spec, apps_seen, self)
            field.validity_changed.connect(self._update_ok)
            field.editor.resized.connect(self._fit_pages)
            page.addWidget(field)
            self.fields[key] = field
        self.passcode_section = PasscodeSection(service, self)
        self._page("passcode", _("Passcode")).addWidget(self.passcode_section)
        self.data_section = DataSection(service, self)
        self._page("privacy").addWidget(self.data_section)
        for layout in self._pages.values():
            layout.addStretch(1)

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

    def _page(self, group: str, title: str | None = None) -> QtWidgets.QVBoxLayout:
        if group not in self._pages:
            scroll = QtWidgets.QScrollArea(self.tabs)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            content = QtWidgets.QWidget(scroll)
            content.setObjectName(f"settings-page-{group}")
            layout = QtWidgets.QVBoxLayout(content)
            layout.setSpacing(self.fontMetrics().height())
            scroll.setWidget(content)
            index = self.tabs.addTab(scroll, title or group_title(group))
            self.tabs.setTabToolTip(index, title or group_title(group))
            self._pages[group] = layout
        return self._pages[group]

    def _fit_pages(self) -> None:
        """Make the pages as wide as their widest row, so that nothing is cut off at the right."""
        for field in self.fields.values():
            # Rows added before the dialog is first shown do not reach the cached size hints.
            field.editor.updateGeometry()
            field_layout = field.layout()
            if field_layout is not None:
                field_layout.invalidate()
            field.updateGeometry()
        widest = 0
        for index in range(self.tabs.count()):
            scroll = self.tabs.widget(index)
            if isinstance(scroll, QtWidgets.QScrollArea) and scroll.widget() is not None:
                content = scroll.widget()
                assert content is not None
                content_layout = content.layout()
                if content_layout is not None:
                    content_layout.invalidate()
                bar = scroll.verticalScrollBar().sizeHint().width()
                widest = max(widest, content.minimumSizeHint().width() + bar)
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None:
                page.setMinimumWidth(widest)

    def show_group(self, group: str) -> None:
        """Bring a group's tab to the front."""
        titles = [self.tabs.tabText(i) for i in range(self.tabs.count())]
        title = _("Passcode") if group == "passcode" else group_title(group)
        if title in titles:
            self.tabs.setCurrentIndex(titles.index(title))

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
