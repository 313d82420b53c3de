"""The passcode dialog on a real data dir: wrong, right, locked out with a live countdown; new passcodes."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.conftest import press, type_text, when_modal_opens
from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.model import EventKind
from wellbeing_app.service import Service
from wellbeing_app.ui.passcode_dialog import (
    NewPasscodeDialog,
    NewPasscodeFields,
    PasscodeDialog,
    format_countdown,
)
from wellbeing_app.ui.qt import Qt, QtWidgets

PASSCODE = "2468"


@pytest.fixture
def locked(service: Service) -> Service:
    service.set_passcode(PASSCODE)
    return service


def enter(qtbot: QtBot, dialog: PasscodeDialog, text: str) -> None:
    dialog.field.clear()
    type_text(qtbot, dialog.field, text)
    press(qtbot, dialog.field, Qt.Key.Key_Return)


def test_nothing_is_asked_when_no_passcode_is_set(service: Service) -> None:
    assert PasscodeDialog.ask(service, "change settings") == ""


def test_a_wrong_passcode_is_refused_in_words_and_the_dialog_stays(qtbot: QtBot, locked: Service) -> None:
    dialog = PasscodeDialog(locked, "change settings")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.prompt.text() == "The passcode is needed to change settings."
    assert dialog.field.echoMode() is QtWidgets.QLineEdit.EchoMode.Password
    enter(qtbot, dialog, "1357")
    assert dialog.isVisible()
    assert dialog.message.isVisible()
    assert dialog.message.text() == "Wrong passcode"
    assert dialog.field.text() == ""
    assert dialog.passcode() == ""
    assert [e.payload.purpose for e in locked.events(1, [EventKind.PASSCODE_FAILED])] == ["change settings"]


def test_the_right_passcode_is_accepted_and_given_back(qtbot: QtBot, locked: Service) -> None:
    dialog = PasscodeDialog(locked, "grant more time")
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.accepted):
        enter(qtbot, dialog, PASSCODE)
    assert dialog.result() == QtWidgets.QDialog.DialogCode.Accepted
    assert dialog.passcode() == PASSCODE


def test_ask_returns_the_passcode_or_none_when_cancelled(qtbot: QtBot, locked: Service) -> None:
    def right(widget: QtWidgets.QWidget) -> None:
        assert isinstance(widget, PasscodeDialog)
        type_text(qtbot, widget.field, PASSCODE)
        widget.ok_button.click()

    ran = when_modal_opens(PasscodeDialog, right)
    assert PasscodeDialog.ask(locked, "change settings") == PASSCODE
    assert ran == [True]

    def cancel(widget: QtWidgets.QWidget) -> None:
        widget.close()

    ran = when_modal_opens(PasscodeDialog, cancel)
    assert PasscodeDialog.ask(locked, "change settings") is None
    assert ran == [True]


def test_five_wrong_passcodes_lock_entry_with_a_live_countdown(
    qtbot: QtBot, locked: Service, clock: FakeClock
) -> None:
    dialog = PasscodeDialog(locked, "change settings")
    qtbot.addWidget(dialog)
    dialog.show()
    for _ in range(4):
        enter(qtbot, dialog, "0000")
        assert dialog.message.text() == "Wrong passcode"
    assert not dialog.countdown.isVisible()
    enter(qtbot, dialog, "0000")
    assert dialog.message.text() == "Too many wrong passcodes."
    assert dialog.countdown.isVisible()
    assert dialog.countdown.text() == "Try again in 1:00"
    assert not dialog.field.isEnabled()
    assert not dialog.ok_button.isEnabled()
    assert dialog.isVisible()

    clock.advance(18)
    qtbot.waitUntil(lambda: dialog.countdown.text() == "Try again in 0:42", timeout=3000)
    assert not dialog.field.isEnabled()

    clock.advance(43)
    qtbot.waitUntil(dialog.field.isEnabled, timeout=3000)
    assert not dialog.countdown.isVisible()
    assert dialog.ok_button.isEnabled()
    assert dialog.message.text() == "You can try again now."
    with qtbot.waitSignal(dialog.accepted):
        enter(qtbot, dialog, PASSCODE)


def test_a_dialog_opened_during_a_lockout_starts_locked(
    qtbot: QtBot, locked: Service, clock: FakeClock
) -> None:
    for _ in range(5):
        with pytest.raises(Exception, match="passcode"):
            locked.verify_passcode("0000", purpose="grant more time")
    clock.advance(30)
    dialog = PasscodeDialog(locked, "grant more time")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.is_locked_out()
    assert dialog.countdown.text() == "Try again in 0:30"
    assert not dialog.field.isEnabled()


def test_countdowns_are_minutes_and_seconds() -> None:
    assert format_countdown(42) == "0:42"
    assert format_countdown(41.2) == "0:42"
    assert format_countdown(120) == "2:00"
    assert format_countdown(3723) == "1:02:03"
    assert format_countdown(-3) == "0:00"


def test_a_new_passcode_is_explained_in_place_until_it_is_acceptable(qtbot: QtBot) -> None:
    fields = NewPasscodeFields()
    qtbot.addWidget(fields)
    fields.show()
    assert not fields.is_valid()
    assert not fields.message.isVisible()  # nothing typed, nothing to correct yet
    type_text(qtbot, fields.first, "12")
    assert fields.message.text() == (
        "A passcode of 2 digits is not allowed; use 4 to 12 digits, or a phrase of at least 6 characters."
    )
    type_text(qtbot, fields.first, "34")
    assert fields.message.text() == "Repeat the passcode."
    type_text(qtbot, fields.second, "1243")
    assert fields.message.text() == "The two entries are not the same."
    assert fields.passcode() is None
    fields.second.clear()
    with qtbot.waitSignal(fields.validity_changed) as signal:
        type_text(qtbot, fields.second, "1234")
    assert signal.args == [True]
    assert not fields.message.isVisible()
    assert fields.passcode() == "1234"


def test_an_optional_new_passcode_may_be_left_empty(qtbot: QtBot) -> None:
    fields = NewPasscodeFields(optional=True)
    qtbot.addWidget(fields)
    assert fields.is_valid()
    assert fields.passcode() is None


def test_the_new_passcode_dialog_enables_ok_only_for_an_acceptable_passcode(qtbot: QtBot) -> None:
    dialog = NewPasscodeDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok_button.isEnabled()
    type_text(qtbot, dialog.fields.first, "a long phrase")
    type_text(qtbot, dialog.fields.second, "a long phrase")
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    assert dialog.passcode() == "a long phrase"
