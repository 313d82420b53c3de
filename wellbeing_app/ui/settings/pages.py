"""The pages of the settings dialog: a scrolling tab per group of settings."""

from __future__ import annotations

from collections.abc import Iterable

from wellbeing_app.i18n import _
from wellbeing_app.ui.qt import Qt, QtWidgets
from wellbeing_app.ui.settings.fields import SettingField


def group_title(group: str) -> str:
    titles = {
        "limits": _("Limits"),
        "breaks": _("Breaks"),
        "tracking": _("Tracking"),
        "privacy": _("Privacy"),
        "general": _("General"),
    }
    return titles.get(group, group.replace("_", " ").capitalize())


class SettingsPages(QtWidgets.QTabWidget):
    """A scrolling page per group, as tabs, each as wide as the widest row of any page."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Groups of settings"))
        self._layouts: dict[str, QtWidgets.QVBoxLayout] = {}

    def page(self, group: str, title: str | None = None) -> QtWidgets.QVBoxLayout:
        """The layout of a group's page; the page is added as a tab the first time it is asked for."""
        if group not in self._layouts:
            scroll = QtWidgets.QScrollArea(self)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            content = QtWidgets.QWidget(scroll)
            content.setObjectName(f"settings-page-{group}")
            layout = QtWidgets.QVBoxLayout(content)
            layout.setSpacing(self.fontMetrics().height())
            scroll.setWidget(content)
            index = self.addTab(scroll, title or group_title(group))
            self.setTabToolTip(index, title or group_title(group))
            self._layouts[group] = layout
        return self._layouts[group]

    def finish(self) -> None:
        """Keep what each page holds at its top."""
        for layout in self._layouts.values():
            layout.addStretch(1)

    def fit(self, fields: Iterable[SettingField]) -> None:
        """Make the pages as wide as their widest row, so that nothing is cut off at the right."""
        for field in fields:
            # Rows added before the dialog is first shown do not reach the cached size hints.
            field.editor.updateGeometry()
            field_layout = field.layout()
            if field_layout is not None:
                field_layout.invalidate()
            field.updateGeometry()
        widest = 0
        for index in range(self.count()):
            scroll = self.widget(index)
            if isinstance(scroll, QtWidgets.QScrollArea) and scroll.widget() is not None:
                content = scroll.widget()
                assert content is not None
                content_layout = content.layout()
                if content_layout is not None:
                    content_layout.invalidate()
                bar = scroll.verticalScrollBar().sizeHint().width()
                widest = max(widest, content.minimumSizeHint().width() + bar)
        for index in range(self.count()):
            page = self.widget(index)
            if page is not None:
                page.setMinimumWidth(widest)

    def show_group(self, group: str) -> None:
        """Bring a group's tab to the front."""
        titles = [self.tabText(i) for i in range(self.count())]
        title = _("Passcode") if group == "passcode" else group_title(group)
        if title in titles:
            self.setCurrentIndex(titles.index(title))
