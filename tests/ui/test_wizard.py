"""The first-run wizard over a real data dir: the paths for a child and for oneself, and Cancel."""

from __future__ import annotations

from datetime import time

from pytestqt.qtbot import QtBot

from tests.ui.conftest import press, reopen, type_text
from wellbeing_app.core.settings import DowntimeWindow, Settings, Weekday
from wellbeing_app.service import Service
from wellbeing_app.ui.qt import Qt, QtWidgets
from wellbeing_app.ui.wizard import FirstRunWizard

NEXT = QtWidgets.QWizard.WizardButton.NextButton
FINISH = QtWidgets.QWizard.WizardButton.FinishButton


def open_wizard(qtbot: QtBot, service: Service) -> FirstRunWizard:
    wizard = FirstRunWizard(service)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_the_my_child_path_stores_cap_breaks_passcode_downtime_and_marks_configured(
    qtbot: QtBot, service: Service
) -> None:
    assert not service.configured
    wizard = open_wizard(qtbot, service)
    assert wizard.currentPage() is wizard.who_page
    wizard.who_page.child.click()
    wizard.button(NEXT).click()

    assert wizard.currentPage() is wizard.cap_page
    cap = wizard.cap_page.cap
    assert cap.spin.value() == 60
    assert cap.slider is not None
    assert cap.off is not None
    assert cap.off.text() == "No daily cap"
    cap.slider.setFocus()
    for _ in range(3):
        press(qtbot, cap.slider, Qt.Key.Key_Left)  # 60 → 45
    assert cap.spin.text() == "45 min"
    wizard.button(NEXT).click()

    assert wizard.currentPage() is wizard.breaks_page
    assert [b.text() for b in wizard.breaks_page.presets] == [
        "Every 30 min, a 5-minute break",
        "Every 45 min, a 10-minute break",
    ]
    wizard.breaks_page.presets[1].click()
    wizard.button(NEXT).click()

    page = wizard.lock_page
    assert wizard.currentPage() is page
    assert page.title() == "A parent's passcode"
    assert page.downtime.isChecked()  # school nights are proposed for a child
    assert not wizard.button(NEXT).isEnabled()  # a child's set-up needs a passcode
    type_text(qtbot, page.fields.first, "2468")
    assert not wizard.button(NEXT).isEnabled()
    type_text(qtbot, page.fields.second, "2468")
    assert wizard.button(NEXT).isEnabled()
    wizard.button(NEXT).click()

    assert wizard.currentPage() is wizard.finish_page
    assert wizard.finish_page.summary.text().splitlines() == [
        "• Daily cap: 45 minutes",
        "• Breaks: every 45 minutes, 10 minutes long",
        "• Passcode: set",
        "• Downtime: school nights, 21:00 to 07:00",
    ]
    with qtbot.waitSignal(wizard.configured):
        wizard.button(FINISH).click()

    stored = reopen(service)
    assert stored.configured
    settings = stored.settings
    assert settings.daily_cap_minutes == 45
    assert (settings.break_every_minutes, settings.break_length_minutes) == (45, 10)
    assert settings.downtime == (
        DowntimeWindow(
            frozenset({Weekday.SUN, Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU}), time(21), time(7)
        ),
    )
    assert settings.start_at_login is True
    assert stored.passcode_is_set()
    stored.verify_passcode("2468", purpose="check")


def test_for_oneself_the_passcode_is_optional(qtbot: QtBot, service: Service) -> None:
    wizard = open_wizard(qtbot, service)
    wizard.button(NEXT).click()  # "me" is the default
    assert wizard.cap_page.cap.off is not None
    wizard.cap_page.cap.off.click()  # no cap
    wizard.button(NEXT).click()
    wizard.breaks_page.custom.click()
    assert wizard.breaks_page.every.isEnabled()
    wizard.breaks_page.every.setValue(50)
    wizard.breaks_page.length.setValue(7)
    wizard.button(NEXT).click()
    assert wizard.lock_page.title() == "A passcode (optional)"
    assert not wizard.lock_page.downtime.isChecked()
    assert wizard.button(NEXT).isEnabled()
    wizard.button(NEXT).click()
    wizard.finish_page.start_at_login.click()
    wizard.button(FINISH).click()

    stored = reopen(service)
    assert stored.configured
    assert not stored.passcode_is_set()
    settings = stored.settings
    assert settings.daily_cap_minutes is None
    assert (settings.break_every_minutes, settings.break_length_minutes) == (50, 7)
    assert settings.downtime == ()
    assert settings.start_at_login is False


def test_a_bad_optional_passcode_holds_the_wizard_until_it_is_fixed_or_cleared(
    qtbot: QtBot, service: Service
) -> None:
    wizard = open_wizard(qtbot, service)
    for _ in range(3):
        wizard.button(NEXT).click()
    page = wizard.lock_page
    type_text(qtbot, page.fields.first, "12")
    assert not wizard.button(NEXT).isEnabled()
    assert page.fields.message.text().startswith("A passcode of 2 digits is not allowed")
    page.fields.first.clear()
    assert wizard.button(NEXT).isEnabled()


def test_cancel_leaves_everything_unconfigured(qtbot: QtBot, service: Service) -> None:
    wizard = open_wizard(qtbot, service)
    wizard.who_page.child.click()
    wizard.button(NEXT).click()
    assert wizard.cap_page.cap.slider is not None
    wizard.cap_page.cap.slider.setValue(100)
    wizard.button(NEXT).click()
    wizard.button(NEXT).click()
    type_text(qtbot, wizard.lock_page.fields.first, "2468")
    type_text(qtbot, wizard.lock_page.fields.second, "2468")
    wizard.button(QtWidgets.QWizard.WizardButton.CancelButton).click()
    assert not wizard.isVisible()
    stored = reopen(service)
    assert not stored.configured
    assert not stored.passcode_is_set()
    assert stored.settings == Settings()
