"""The editors of values about apps: the always-allowed list and the limits per app."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from wellbeing_app.core.errors import SettingError
from wellbeing_app.core.model import AppRef
from wellbeing_app.core.settings import AppLimits, Settings, SettingSpec
from wellbeing_app.i18n import _
from wellbeing_app.ui.qt import Qt, QtCore, QtWidgets
from wellbeing_app.ui.settings.editors import Refused, SettingEditor, unit_suffix
from wellbeing_app.ui.settings.rows import RowsEditor, remove_button
from wellbeing_app.ui.widgets import flush_layout

if TYPE_CHECKING:
    from wellbeing_app.service import Service


def apps_seen(service: Service, days: int = 30) -> list[AppRef]:
    """The apps recorded in the last `days` days, most used first: what the app lists offer."""
    last = service.today()
    totals: dict[AppRef, float] = {}
    for usage in service.usage_by_day_app(last - timedelta(days=days - 1), last):
        totals[usage.app] = totals.get(usage.app, 0.0) + usage.seconds
    return [app for app, _seconds in sorted(totals.items(), key=lambda item: -item[1]) if not app.is_self]


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
