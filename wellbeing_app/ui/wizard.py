"""The first-run wizard: who uses the computer, the daily cap, breaks, a passcode and bedtime."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING, Any

from wellbeing_app.core.errors import PasscodeError, SettingError, StorageError
from wellbeing_app.core.record import record
from wellbeing_app.core.settings import DowntimeWindow, IntRange, Settings, Weekday
from wellbeing_app.i18n import _, localize
from wellbeing_app.service import ServiceError
from wellbeing_app.ui.passcode_dialog import (
    NewPasscodeFields,
    PasscodeDialog,
    message_label,
    sentence,
    show_message,
)
from wellbeing_app.ui.qt import QtCore, QtWidgets
from wellbeing_app.ui.settings.editors import IntRangeEditor, unit_suffix

if TYPE_CHECKING:
    from wellbeing_app.service import Service

#: Bedtime on school nights: from Sunday to Thursday, 21:00 until 07:00 the next morning.
SCHOOL_NIGHTS = DowntimeWindow(
    frozenset({Weekday.SUN, Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU}), time(21, 0), time(7, 0)
)


@record
class BreakPreset:
    every_minutes: int
    length_minutes: int

    def label(self) -> str:
        return _("Every {every} min, a {length}-minute break").format(
            every=self.every_minutes, length=self.length_minutes
        )


BREAK_PRESETS = (BreakPreset(30, 5), BreakPreset(45, 10))


def _radio(text: str, name: str, parent: QtWidgets.QWidget) -> QtWidgets.QRadioButton:
    button = QtWidgets.QRadioButton(text, parent)
    button.setAccessibleName(name)
    return button


def _wrapped(text: str, parent: QtWidgets.QWidget) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text, parent)
    label.setWordWrap(True)
    return label


class WhoPage(QtWidgets.QWizardPage):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("Who uses this computer?"))
        self.setSubTitle(_("Wellbeing helps keep screen time in balance. You can change everything later."))
        self.me = _radio(_("Me: I want to keep my own screen time in check"), _("Me"), self)
        self.child = _radio(_("My child: I am a parent setting this up for them"), _("My child"), self)
        self.me.setChecked(True)
        self.registerField("child", self.child)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.me)
        layout.addWidget(self.child)
        layout.addStretch(1)


class CapPage(QtWidgets.QWizardPage):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("How much screen time a day?"))
        self.setSubTitle(
            _(
                "Counted apps are blocked when the day's time is used up, until the next day starts. "
                "Warnings come 10, 5 and 1 minute before."
            )
        )
        key = "daily_cap_minutes"
        self.cap = IntRangeEditor(key, Settings.spec(key), [], self)
        self.cap.set_value(Settings.default(key))
        if self.cap.off is not None:
            self.cap.off.setText(_("No daily cap"))
        label = _wrapped(_("Daily cap:"), self)
        label.setBuddy(self.cap.focus_widget())
        cap_type = Settings.spec(key).type
        assert isinstance(cap_type, IntRange)
        hint = _wrapped(
            _(
                "From {minimum} to {maximum} minutes, in steps of {step}. Apps you mark as always "
                "allowed (homework, calls) never count."
            ).format(minimum=cap_type.minimum, maximum=cap_type.maximum, step=cap_type.step),
            self,
        )
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.cap)
        layout.addWidget(hint)
        layout.addStretch(1)

    def cap_minutes(self) -> int | None:
        value = self.cap.json_value()
        return None if value is None else int(value)


class BreaksPage(QtWidgets.QWizardPage):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("Breaks"))
        self.setSubTitle(
            _("After a stretch of continuous use the screen asks for a short break. Time away counts as one.")
        )
        self.group = QtWidgets.QButtonGroup(self)
        self.presets = []
        layout = QtWidgets.QVBoxLayout(self)
        for preset in BREAK_PRESETS:
            button = _radio(preset.label(), preset.label(), self)
            self.presets.append(button)
            self.group.addButton(button)
            layout.addWidget(button)
        self.presets[0].setChecked(True)
        self.custom = _radio(_("Custom:"), _("Custom break schedule"), self)
        self.group.addButton(self.custom)
        every_type, length_type = (
            Settings.spec("break_every_minutes").type,
            Settings.spec("break_length_minutes").type,
        )
        assert isinstance(every_type, IntRange)
        assert isinstance(length_type, IntRange)
        self.every = QtWidgets.QSpinBox(self)
        self.every.setRange(every_type.minimum, every_type.maximum)
        self.every.setSingleStep(every_type.step)
        self.every.setValue(40)
        self.every.setSuffix(unit_suffix("minutes"))
        self.every.setAccessibleName(_("A break every"))
        self.length = QtWidgets.QSpinBox(self)
        self.length.setRange(length_type.minimum, length_type.maximum)
        self.length.setValue(5)
        self.length.setSuffix(unit_suffix("minutes"))
        self.length.setAccessibleName(_("Break length"))
        custom_row = QtWidgets.QHBoxLayout()
        custom_row.addWidget(self.custom)
        every_label = QtWidgets.QLabel(_("every"), self)
        every_label.setBuddy(self.every)
        custom_row.addWidget(every_label)
        custom_row.addWidget(self.every)
        length_label = QtWidgets.QLabel(_("a break of"), self)
        length_label.setBuddy(self.length)
        custom_row.addWidget(length_label)
        custom_row.addWidget(self.length)
        custom_row.addStretch(1)
        layout.addLayout(custom_row)
        self.none = _radio(_("No scheduled breaks"), _("No scheduled breaks"), self)
        self.group.addButton(self.none)
        layout.addWidget(self.none)
        layout.addStretch(1)
        self.custom.toggled.connect(self._custom_toggled)
        self._custom_toggled(False)

    def _custom_toggled(self, on: bool) -> None:
        self.every.setEnabled(on)
        self.length.setEnabled(on)

    def schedule(self) -> tuple[int | None, int]:
        """(break every, break length) in minutes; every is None for no breaks."""
        for button, preset in zip(self.presets, BREAK_PRESETS, strict=True):
            if button.isChecked():
                return preset.every_minutes, preset.length_minutes
        if self.none.isChecked():
            return None, Settings.default("break_length_minutes")
        return self.every.value(), self.length.value()


class LockPage(QtWidgets.QWizardPage):
    """A passcode (a parent's, required for a child) and bedtime on school nights."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.explain = _wrapped("", self)
        self.fields = NewPasscodeFields(self, optional=True)
        self.fields.validity_changed.connect(lambda _valid: self.completeChanged.emit())
        self.downtime = QtWidgets.QCheckBox(
            _("Downtime on school nights: Sunday to Thursday, 21:00 to 07:00"), self
        )
        self.downtime.setAccessibleName(_("Downtime on school nights"))
        downtime_note = _wrapped(_("In downtime, counted apps are blocked, like a bedtime."), self)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addWidget(self.fields)
        layout.addSpacing(self.fontMetrics().height())
        layout.addWidget(self.downtime)
        layout.addWidget(downtime_note)
        layout.addStretch(1)

    def initializePage(self) -> None:
        child = bool(self.field("child"))
        self.fields.set_optional(not child)
        self.downtime.setChecked(child)
        if child:
            self.setTitle(_("A parent's passcode"))
            self.setSubTitle(_("Needed for a child, so that the limits stay as you set them."))
            self.explain.setText(
                _(
                    "With the passcode you can change settings, grant more time or skip a break; "
                    "without it, none of these can be done. Keep it to yourself."
                )
            )
        else:
            self.setTitle(_("A passcode (optional)"))
            self.setSubTitle(_("A passcode helps you keep to your own limits: leave it empty to go without."))
            self.explain.setText(
                _("With a passcode set, changing settings, skipping a break or quitting needs it.")
            )

    def isComplete(self) -> bool:
        return self.fields.is_valid()


class FinishPage(QtWidgets.QWizardPage):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("Ready"))
        self.setSubTitle(_("Wellbeing lives in the tray. Its icon fills as the day's time is used."))
        self.summary = _wrapped("", self)
        self.summary.setAccessibleName(_("Summary"))
        self.start_at_login = QtWidgets.QCheckBox(_("Start Wellbeing when I log in"), self)
        self.start_at_login.setAccessibleName(_("Start Wellbeing when I log in"))
        self.start_at_login.setChecked(bool(Settings.default("start_at_login")))
        self.message = message_label(self, name=_("Why setting up did not finish"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addSpacing(self.fontMetrics().height())
        layout.addWidget(self.start_at_login)
        layout.addWidget(self.message)
        layout.addStretch(1)


class FirstRunWizard(QtWidgets.QWizard):
    """Asks what is needed to start and stores it when finished; Cancel stores nothing.

    Finishing stores the settings first (no passcode is set yet, so none is needed), then the
    passcode when one was given, then marks the data dir configured. `configured` carries the
    new `Settings`.
    """

    configured = QtCore.Signal(object)

    def __init__(self, service: Service, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self.setWindowTitle(_("Welcome to Wellbeing"))
        self.setAccessibleName(_("Setting up Wellbeing"))
        self.setOption(QtWidgets.QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.who_page = WhoPage(self)
        self.cap_page = CapPage(self)
        self.breaks_page = BreaksPage(self)
        self.lock_page = LockPage(self)
        self.finish_page = FinishPage(self)
        for page in (self.who_page, self.cap_page, self.breaks_page, self.lock_page, self.finish_page):
            self.addPage(page)
        self.currentIdChanged.connect(self._page_shown)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 96, metrics.height() * 30)

    def is_for_child(self) -> bool:
        return self.who_page.child.isChecked()

    def changes(self) -> dict[str, Any]:
        every, length = self.breaks_page.schedule()
        return {
            "daily_cap_minutes": self.cap_page.cap_minutes(),
            "break_every_minutes": every,
            "break_length_minutes": length,
            "downtime": (SCHOOL_NIGHTS,) if self.lock_page.downtime.isChecked() else (),
            "start_at_login": self.finish_page.start_at_login.isChecked(),
        }

    def summary(self) -> str:
        cap = self.cap_page.cap_minutes()
        every, length = self.breaks_page.schedule()
        lines = [
            _("Daily cap: {cap} minutes").format(cap=cap) if cap is not None else _("Daily cap: none"),
            _("Breaks: every {every} minutes, {length} minutes long").format(every=every, length=length)
            if every is not None
            else _("Breaks: none scheduled"),
            _("Passcode: set") if self.lock_page.fields.passcode() else _("Passcode: none"),
            _("Downtime: school nights, 21:00 to 07:00")
            if self.lock_page.downtime.isChecked()
            else _("Downtime: none"),
        ]
        return "\n".join("• " + line for line in lines)

    def _page_shown(self, _page_id: int) -> None:
        if self.currentPage() is self.finish_page:
            self.finish_page.summary.setText(self.summary())

    def accept(self) -> None:
        service = self._service
        current: str | None = None
        try:
            if service.passcode_is_set():
                # Set up again on a locked data dir: the existing passcode is needed.
                current = PasscodeDialog.ask(service, "change settings", self)
                if current is None:
                    return
            settings = service.change_settings(self.changes(), passcode=current or None)
            new = self.lock_page.fields.passcode()
            if new:
                service.set_passcode(new, current=current or None)
            service.mark_configured()
        except (PasscodeError, SettingError, ServiceError, StorageError) as error:
            show_message(
                self.finish_page.message,
                _("Setting up did not finish: {reason}").format(reason=sentence(localize(error))),
            )
            return
        self.configured.emit(settings)
        super().accept()
