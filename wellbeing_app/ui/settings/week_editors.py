"""The editors of values about the week: a cap per weekday and downtime windows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any

from wellbeing_app.core.model import AppRef
from wellbeing_app.core.settings import DowntimeWindow, SettingSpec, Weekday, WeekdayCaps
from wellbeing_app.i18n import _
from wellbeing_app.ui.qt import QtCore, QtWidgets
from wellbeing_app.ui.settings.editors import Refused, SettingEditor, qtime, time_edit, time_text, unit_suffix
from wellbeing_app.ui.settings.rows import RowsEditor, remove_button
from wellbeing_app.ui.widgets import flush_layout, weekday_name


def day_name(day: Weekday) -> str:
    return weekday_name(day.value)


def weekday_abbreviation(day: Weekday) -> str:
    names = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
    return names[day.value]


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
        self.start.setTime(qtime(window.start))
        self.end.setTime(qtime(window.end))
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
            "start": time_text(self.start.time()),
            "end": time_text(self.end.time()),
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
