"""The settings dialog over a real data dir: generated from the schema, refusals in place, the passcode."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.conftest import click, press, reopen, type_text, when_modal_opens
from wellbeing_app.core.model import AppRef, EventKind
from wellbeing_app.core.settings import DowntimeWindow, Settings, Weekday
from wellbeing_app.service import Service
from wellbeing_app.ui.passcode_dialog import NewPasscodeDialog, PasscodeDialog
from wellbeing_app.ui.qt import Qt, QtWidgets
from wellbeing_app.ui.settings.app_editors import AppLimitsEditor, AppListEditor, apps_seen
from wellbeing_app.ui.settings.dialog import SettingsDialog
from wellbeing_app.ui.settings.editors import BooleanEditor, ChoiceEditor, IntRangeEditor
from wellbeing_app.ui.settings.pages import group_title
from wellbeing_app.ui.settings.week_editors import DowntimeEditor, WeekdayCapsEditor

SEEN = [
    AppRef("firefox", "Firefox"),
    AppRef("supertux2", "SuperTux"),
    AppRef("libreoffice", "LibreOffice Writer"),
]
PASSCODE = "2468"


def open_dialog(qtbot: QtBot, service: Service) -> SettingsDialog:
    dialog = SettingsDialog(service, SEEN)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    return dialog


def tab_of(dialog: SettingsDialog, key: str) -> str:
    field = dialog.fields[key]
    for index in range(dialog.tabs.count()):
        page = dialog.tabs.widget(index)
        if page is not None and page.isAncestorOf(field):
            return dialog.tabs.tabText(index)
    raise AssertionError(f"{key} is on no tab")


def test_every_setting_of_the_schema_is_shown_on_its_groups_tab(qtbot: QtBot, service: Service) -> None:
    dialog = open_dialog(qtbot, service)
    specs = Settings.specs()
    assert set(dialog.fields) == set(specs)
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs == ["Limits", "Breaks", "Tracking", "Privacy", "General", "Passcode"]
    for key, spec in specs.items():
        field = dialog.fields[key]
        assert tab_of(dialog, key) == group_title(spec.group)
        if isinstance(field.editor, BooleanEditor):
            assert field.editor.box.text() == spec.description
        else:
            assert field.title.text() == spec.description
            assert field.title.isVisibleTo(field)
        assert spec.description in field.toolTip()
        assert not field.problem_label.isVisible()
    assert dialog.ok_button.isEnabled()


def test_each_kind_of_value_gets_its_own_editor(qtbot: QtBot, service: Service) -> None:
    dialog = open_dialog(qtbot, service)
    cap = dialog.editor("daily_cap_minutes")
    assert isinstance(cap, IntRangeEditor)
    assert cap.slider is not None
    assert (cap.slider.minimum(), cap.slider.maximum(), cap.slider.singleStep()) == (40, 120, 5)
    assert cap.off is not None
    assert cap.off.text() == "Off"
    assert isinstance(dialog.editor("postpones_allowed"), IntRangeEditor)
    assert dialog.editor("postpones_allowed").slider is None  # type: ignore[attr-defined]
    assert isinstance(dialog.editor("weekday_caps"), WeekdayCapsEditor)
    assert isinstance(dialog.editor("downtime"), DowntimeEditor)
    assert isinstance(dialog.editor("app_limits"), AppLimitsEditor)
    assert isinstance(dialog.editor("always_allowed"), AppListEditor)
    language = dialog.editor("language")
    assert isinstance(language, ChoiceEditor)
    assert [language.combo.itemText(i) for i in range(language.combo.count())] == [
        "System",
        "English",
        "Русский",
        "Қазақша",
    ]
    assert isinstance(dialog.editor("start_at_login"), BooleanEditor)


def test_every_control_has_an_accessible_name(qtbot: QtBot, service: Service) -> None:
    service.change_settings(
        {
            "downtime": (DowntimeWindow(frozenset({Weekday.MON}), time(21), time(7)),),
            "app_limits": {"supertux2": 30},
        }
    )
    dialog = open_dialog(qtbot, service)
    controls = (
        QtWidgets.QAbstractButton,
        QtWidgets.QAbstractSpinBox,
        QtWidgets.QAbstractSlider,
        QtWidgets.QComboBox,
        QtWidgets.QLineEdit,
        QtWidgets.QAbstractItemView,
    )
    unnamed = [
        f"{type(w).__name__} {w.text() if hasattr(w, 'text') else ''}"
        for w in dialog.findChildren(QtWidgets.QWidget)
        if isinstance(w, controls)
        and not w.accessibleName()
        and w.focusPolicy() != Qt.FocusPolicy.NoFocus
        # combo boxes' pop-up lists are windows of their own, named by the combo box
        and w.window() is dialog
        # the line edit inside a spin box or combo box is named through its owner
        and not isinstance(w.parent(), QtWidgets.QAbstractSpinBox | QtWidgets.QComboBox)
        and not isinstance(w, QtWidgets.QTabBar | QtWidgets.QScrollBar)
    ]
    assert unnamed == []


def test_moving_the_cap_slider_to_90_and_ok_stores_90(qtbot: QtBot, service: Service) -> None:
    dialog = open_dialog(qtbot, service)
    cap = dialog.editor("daily_cap_minutes")
    assert isinstance(cap, IntRangeEditor)
    assert cap.slider is not None
    cap.slider.setFocus()
    for _ in range(6):  # 60 → 90 in 5-minute steps
        press(qtbot, cap.slider, Qt.Key.Key_Right)
    assert cap.spin.value() == 90
    assert cap.spin.text() == "90 min"
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    assert reopen(service).settings.daily_cap_minutes == 90
    changes = service.events(1, [EventKind.SETTING_CHANGED])
    assert [(e.payload.key, e.payload.old, e.payload.new) for e in changes] == [("daily_cap_minutes", 60, 90)]


def test_a_dragged_slider_snaps_to_5_minute_steps(qtbot: QtBot, service: Service) -> None:
    dialog = open_dialog(qtbot, service)
    cap = dialog.editor("daily_cap_minutes")
    assert isinstance(cap, IntRangeEditor)
    assert cap.slider is not None
    cap.slider.setValue(83)
    assert cap.slider.value() == 85
    assert cap.spin.value() == 85


def test_turning_the_cap_off_stores_no_cap(qtbot: QtBot, service: Service) -> None:
    dialog = open_dialog(qtbot, service)
    cap = dialog.editor("daily_cap_minutes")
    assert isinstance(cap, IntRangeEditor)
    assert cap.off is not None
    cap.off.click()
    assert not cap.spin.isEnabled()
    dialog.ok_button.click()
    assert reopen(service).settings.daily_cap_minutes is None


def test_a_downtime_that_starts_and_ends_at_once_is_refused_in_place(qtbot: QtBot, service: Service) -> None:
    dialog = open_dialog(qtbot, service)
    dialog.show_group("limits")
    downtime = dialog.editor("downtime")
    assert isinstance(downtime, DowntimeEditor)
    click(qtbot, downtime.add_button)
    row = downtime.rows[0]
    qtbot.waitUntil(row.end.isVisible)  # a widget added to a shown layout is shown by the event loop
    assert [d for d in row.checked_days()] == [
        Weekday.MON,
        Weekday.TUE,
        Weekday.WED,
        Weekday.THU,
        Weekday.SUN,
    ]
    assert dialog.ok_button.isEnabled()
    row.end.setFocus(Qt.FocusReason.TabFocusReason)  # tabbing in selects the hour, as for a person
    type_text(qtbot, row.end, "2100")
    assert row.end.time().toString("HH:mm") == "21:00"
    problem = dialog.fields["downtime"].problem_label
    assert problem.isVisible()
    assert problem.text() == "Window 1: it starts and ends at 21:00; give it a length."
    assert not dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert reopen(service).settings.downtime == ()

    row.start.setFocus(Qt.FocusReason.BacktabFocusReason)
    row.end.setFocus(Qt.FocusReason.TabFocusReason)
    type_text(qtbot, row.end, "0730")
    assert row.end.time().toString("HH:mm") == "07:30"
    assert not problem.isVisible()
    assert dialog.ok_button.isEnabled()


def test_a_downtime_window_needs_a_day(qtbot: QtBot, service: Service) -> None:
    dialog = open_dialog(qtbot, service)
    downtime = dialog.editor("downtime")
    assert isinstance(downtime, DowntimeEditor)
    row = downtime.add_row()
    for box in row.days.values():
        box.setChecked(False)
    assert dialog.fields["downtime"].problem() == "Window 1: choose at least one day."
    assert not dialog.ok_button.isEnabled()
    row.days[Weekday.FRI].click()
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert reopen(service).settings.downtime == (DowntimeWindow(frozenset({Weekday.FRI}), time(21), time(7)),)


def test_downtime_rows_can_be_removed(qtbot: QtBot, service: Service) -> None:
    service.change_settings(
        {"downtime": Settings.parse_text("downtime", "sun-thu 21:00-07:00; fri,sat 23:00-08:00")}
    )
    dialog = open_dialog(qtbot, service)
    downtime = dialog.editor("downtime")
    assert isinstance(downtime, DowntimeEditor)
    assert len(downtime.rows) == 2
    assert downtime.rows[1].next_day.text() == "next day"
    assert downtime.rows[1].start.accessibleName() == "Window 2 starts at"
    downtime.rows[0].remove_button.click()
    assert downtime.rows[0].start.accessibleName() == "Window 1 starts at"
    dialog.ok_button.click()
    assert reopen(service).settings.text_of("downtime") == "fri,sat 23:00-08:00"


def test_apps_seen_can_be_ticked_and_others_added_by_name(qtbot: QtBot, service: Service) -> None:
    dialog = open_dialog(qtbot, service)
    apps = dialog.editor("always_allowed")
    assert isinstance(apps, AppListEditor)
    labels = [apps.list.item(i).text() for i in range(apps.list.count())]
    assert labels == ["Firefox (firefox)", "SuperTux (supertux2)", "LibreOffice Writer (libreoffice)"]
    apps.list.item(2).setCheckState(Qt.CheckState.Checked)
    type_text(qtbot, apps.name, "zoom/../x")
    press(qtbot, apps.name, Qt.Key.Key_Return)
    problem = dialog.fields["always_allowed"].problem_label
    assert problem.isVisible()
    assert "cannot be an app name" in problem.text()
    assert not dialog.ok_button.isEnabled()
    apps.name.clear()
    type_text(qtbot, apps.name, "gnome-calculator")
    press(qtbot, apps.name, Qt.Key.Key_Return)
    assert not problem.isVisible()
    dialog.ok_button.click()
    assert reopen(service).settings.always_allowed == ("libreoffice", "gnome-calculator")


def test_app_limits_and_weekday_caps_are_stored(qtbot: QtBot, service: Service) -> None:
    dialog = open_dialog(qtbot, service)
    limits = dialog.editor("app_limits")
    assert isinstance(limits, AppLimitsEditor)
    row = limits.add_row()
    assert dialog.fields["app_limits"].problem() == "Limit 1: name the app."
    assert not dialog.ok_button.isEnabled()
    row.app.setCurrentIndex(1)
    row.minutes.setValue(45)
    caps = dialog.editor("weekday_caps")
    assert isinstance(caps, WeekdayCapsEditor)
    assert not caps.minutes[Weekday.SAT].isEnabled()
    caps.modes[Weekday.SAT].setCurrentIndex(WeekdayCapsEditor.MINUTES)
    assert caps.minutes[Weekday.SAT].isEnabled()
    caps.minutes[Weekday.SAT].setValue(120)
    caps.modes[Weekday.SUN].setCurrentIndex(WeekdayCapsEditor.OFF)
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    stored = reopen(service).settings
    assert stored.app_limits == {"supertux2": 45}
    assert stored.weekday_caps == {Weekday.SAT: 120, Weekday.SUN: None}


def test_with_a_passcode_ok_asks_for_it_and_a_wrong_one_changes_nothing(
    qtbot: QtBot, service: Service
) -> None:
    service.set_passcode(PASSCODE)
    dialog = open_dialog(qtbot, service)
    cap = dialog.editor("daily_cap_minutes")
    assert isinstance(cap, IntRangeEditor)
    cap.spin.setValue(120)
    seen: list[str] = []

    def wrong_then_give_up(widget: QtWidgets.QWidget) -> None:
        assert isinstance(widget, PasscodeDialog)
        type_text(qtbot, widget.field, "1111")
        widget.ok_button.click()
        seen.append(widget.message.text())
        widget.reject()

    ran = when_modal_opens(PasscodeDialog, wrong_then_give_up)
    dialog.ok_button.click()
    assert ran == [True]
    assert seen == ["Wrong passcode"]
    assert dialog.isVisible()
    assert dialog.message.text() == "Nothing was changed: the passcode is needed to change these settings."
    assert reopen(service).settings.daily_cap_minutes == 60
    assert service.events(1, [EventKind.SETTING_CHANGED]) == []


def test_with_a_passcode_the_right_one_is_asked_once_and_stores(qtbot: QtBot, service: Service) -> None:
    service.set_passcode(PASSCODE)
    dialog = open_dialog(qtbot, service)
    cap = dialog.editor("daily_cap_minutes")
    breaks = dialog.editor("break_every_minutes")
    assert isinstance(cap, IntRangeEditor)
    assert isinstance(breaks, IntRangeEditor)
    cap.spin.setValue(45)
    breaks.spin.setValue(40)
    asked: list[bool] = []

    def right(widget: QtWidgets.QWidget) -> None:
        assert isinstance(widget, PasscodeDialog)
        asked.append(True)
        type_text(qtbot, widget.field, PASSCODE)
        widget.ok_button.click()

    when_modal_opens(PasscodeDialog, right)
    with qtbot.waitSignal(dialog.applied) as applied:
        dialog.ok_button.click()
    assert asked == [True]
    assert applied.args[0].daily_cap_minutes == 45
    stored = reopen(service).settings
    assert (stored.daily_cap_minutes, stored.break_every_minutes) == (45, 40)


def test_the_language_is_not_guarded_and_needs_no_passcode(qtbot: QtBot, service: Service) -> None:
    service.set_passcode(PASSCODE)
    dialog = open_dialog(qtbot, service)
    language = dialog.editor("language")
    assert isinstance(language, ChoiceEditor)
    language.combo.setCurrentIndex(language.combo.findData("kk"))
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()  # no passcode dialog opens: the test would hang otherwise
    assert reopen(service).settings.language == "kk"


def test_ok_without_changes_just_closes(qtbot: QtBot, service: Service) -> None:
    service.set_passcode(PASSCODE)
    dialog = open_dialog(qtbot, service)
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    assert service.events(1, [EventKind.SETTING_CHANGED, EventKind.PASSCODE_OK]) == []


def test_start_at_login_is_stored(qtbot: QtBot, service: Service) -> None:
    dialog = open_dialog(qtbot, service)
    login = dialog.editor("start_at_login")
    assert isinstance(login, BooleanEditor)
    assert login.box.isChecked()
    login.box.click()
    dialog.ok_button.click()
    assert reopen(service).settings.start_at_login is False


def test_a_passcode_is_set_changed_and_removed_from_the_passcode_tab(qtbot: QtBot, service: Service) -> None:
    dialog = open_dialog(qtbot, service)
    dialog.show_group("passcode")
    section = dialog.passcode_section
    assert section.set_button.isVisible()
    assert not section.remove_button.isVisible()

    def new_passcode(text: str) -> None:
        def act(widget: QtWidgets.QWidget) -> None:
            assert isinstance(widget, NewPasscodeDialog)
            type_text(qtbot, widget.fields.first, text)
            type_text(qtbot, widget.fields.second, text)
            widget.ok_button.click()

        when_modal_opens(NewPasscodeDialog, act)

    def current(text: str) -> None:
        def act(widget: QtWidgets.QWidget) -> None:
            assert isinstance(widget, PasscodeDialog)
            type_text(qtbot, widget.field, text)
            widget.ok_button.click()

        when_modal_opens(PasscodeDialog, act)

    new_passcode(PASSCODE)
    section.set_button.click()
    assert section.message.text() == "The passcode is set."
    assert service.passcode_is_set()
    assert section.change_button.isVisible()
    assert not section.set_button.isVisible()

    current(PASSCODE)
    new_passcode("97531")
    section.change_button.click()
    assert section.message.text() == "The passcode is changed."
    service.verify_passcode("97531", purpose="check")

    current("97531")
    section.remove_button.click()
    assert not service.passcode_is_set()
    assert section.set_button.isVisible()


def test_export_writes_the_records_where_chosen(
    qtbot: QtBot, service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = open_dialog(qtbot, service)
    target = tmp_path / "records.json"
    monkeypatch.setattr(dialog.data_section, "choose_export_path", lambda: (target, "json"))
    dialog.data_section.export_button.click()
    assert dialog.data_section.result.text() == f"Saved to {target}"
    assert json.loads(target.read_text())["format"]


def test_delete_all_asks_first_then_the_passcode(
    qtbot: QtBot, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.set_passcode(PASSCODE)
    dialog = open_dialog(qtbot, service)
    section = dialog.data_section
    monkeypatch.setattr(section, "confirm_delete", lambda: False)
    section.delete_button.click()
    assert service.events(7, [EventKind.PASSCODE_CHANGED]) != []

    monkeypatch.setattr(section, "confirm_delete", lambda: True)

    def right(widget: QtWidgets.QWidget) -> None:
        assert isinstance(widget, PasscodeDialog)
        assert widget.prompt.text() == "The passcode is needed to delete all records."
        type_text(qtbot, widget.field, PASSCODE)
        widget.ok_button.click()

    when_modal_opens(PasscodeDialog, right)
    with qtbot.waitSignal(section.data_deleted):
        section.delete_button.click()
    assert section.result.text() == "All your records were deleted."
    assert [e.kind for e in service.events(7)] == [EventKind.DATA_DELETED]


def test_apps_seen_are_the_recorded_apps_most_used_first(service: Service) -> None:
    from tests.ui.test_dashboard import import_usage

    import_usage(service, [("firefox", "Firefox", 10), ("supertux2", "SuperTux", 40)])
    assert apps_seen(service) == [AppRef("supertux2", "SuperTux"), AppRef("firefox", "Firefox")]
