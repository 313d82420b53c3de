"""An editor made of rows of controls with "Add" below and "Remove" on each row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wellbeing_app.core.model import AppRef
from wellbeing_app.core.settings import SettingSpec
from wellbeing_app.i18n import _
from wellbeing_app.ui.qt import Qt, QtWidgets
from wellbeing_app.ui.settings.editors import SettingEditor
from wellbeing_app.ui.widgets import flush_layout


def remove_button(parent: QtWidgets.QWidget) -> QtWidgets.QToolButton:
    button = QtWidgets.QToolButton(parent)
    button.setText(_("Remove"))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


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
