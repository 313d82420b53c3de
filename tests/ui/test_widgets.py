"""The painted widgets: what the ring says and its colour, the bars, the week chart, the tray icon."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pytestqt.qtbot import QtBot

from wellbeing_app.ui.qt import QtGui
from wellbeing_app.ui.widgets import (
    GOOD,
    OVER,
    WARN,
    AppBar,
    AppBars,
    DayBar,
    UsageRing,
    WeekChart,
    format_minutes,
    ring_icon,
)


def test_the_ring_says_used_of_cap_and_turns_amber_then_red(qtbot: QtBot) -> None:
    ring = UsageRing()
    qtbot.addWidget(ring)
    ring.set_usage(32.7, 60)
    assert ring.text() == "32 / 60 min"
    assert ring.subtitle() == "28 min left"
    assert ring.tone() == GOOD
    assert ring.accessibleDescription() == "32 of 60 minutes used today"
    ring.set_usage(51, 60)
    assert ring.tone() == WARN
    ring.set_usage(60, 60)
    assert ring.tone() == OVER
    assert ring.subtitle() == "time is up"


def test_the_ring_is_grey_without_a_cap(qtbot: QtBot) -> None:
    ring = UsageRing()
    qtbot.addWidget(ring)
    ring.set_usage(75, None)
    assert ring.text() == "75 min"
    assert ring.subtitle() == "no cap"
    assert ring.tone() == ring.palette().color(QtGui.QPalette.ColorRole.Mid)


@pytest.mark.parametrize(("window", "text"), [("#f0f0f0", "#101010"), ("#2b2b2e", "#e6e6e6")])
def test_the_ring_follows_the_palette_light_or_dark(qtbot: QtBot, window: str, text: str) -> None:
    ring = UsageRing()
    qtbot.addWidget(ring)
    palette = ring.palette()
    palette.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor(window))
    palette.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor(text))
    ring.setPalette(palette)
    ring.setAutoFillBackground(True)
    ring.resize(160, 160)
    ring.set_usage(30, 60)
    image = ring.grab().toImage()
    centre = [image.pixelColor(x, y) for x in range(45, 115) for y in range(60, 100)]
    background = QtGui.QColor(window)
    ink = QtGui.QColor(text)
    assert image.pixelColor(80, 80 + 30).name() == background.name()  # inside the ring, no painted backdrop
    assert any(abs(c.lightness() - ink.lightness()) < 40 for c in centre)  # the words, in the text colour


def test_bars_show_every_app_with_its_minutes_and_sum_the_rest(qtbot: QtBot) -> None:
    bars = AppBars(most=3)
    qtbot.addWidget(bars)
    assert bars.accessibleDescription() == "No use recorded yet today"
    bars.set_usage(
        [
            AppBar("Firefox", 14.2),
            AppBar("SuperTux", 75),
            AppBar("LibreOffice Writer", 25, counted=False),
            AppBar("Telegram", 4),
            AppBar("VLC media player", 9),
        ]
    )
    assert bars.row_texts() == [
        "SuperTux: 1 h 15 min",
        "LibreOffice Writer: 25 min (not counted)",
        "Other apps: 27 min",
    ]
    assert bars.sizeHint().height() > 3 * bars.fontMetrics().height()


def test_the_week_chart_labels_days_and_today(qtbot: QtBot) -> None:
    chart = WeekChart()
    qtbot.addWidget(chart)
    today = date(2026, 11, 25)  # a Wednesday
    days = [DayBar(today - timedelta(days=6 - i), 10.0 * i, 60, is_today=i == 6) for i in range(7)]
    chart.set_days(days)
    assert [chart.label_of(d) for d in chart.days()] == ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Today"]
    assert chart.accessibleDescription().endswith("Today: 1 h 00 min of 60")
    chart.resize(400, 200)
    assert not chart.grab().isNull()


def test_minutes_are_written_as_people_read_them() -> None:
    assert format_minutes(0) == "0 min"
    assert format_minutes(59.9) == "59 min"
    assert format_minutes(65) == "1 h 05 min"


@pytest.mark.parametrize("size", [16, 22, 24])
@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_the_tray_icon_is_crisp_at_small_sizes_and_high_dpi(qtbot: QtBot, size: int, ratio: float) -> None:
    icon = ring_icon(0.5, size, device_pixel_ratio=ratio)
    assert icon.deviceIndependentSize().width() == pytest.approx(size)
    assert icon.width() == round(size * ratio)
    image = icon.toImage()
    corner = image.pixelColor(0, 0)
    assert corner.alpha() == 0  # round, with nothing painted in the corners


def _ring_colours(fraction: float | None, minutes_left: float | None = None) -> set[str]:
    image = ring_icon(fraction, 24, minutes_left=minutes_left).toImage()
    return {
        image.pixelColor(x, y).name()
        for x in range(24)
        for y in range(24)
        if image.pixelColor(x, y).alpha() == 255
    }


def test_the_tray_icon_fills_green_amber_then_red() -> None:
    # the right half of a ring at 40 % is filled, the left half is not
    half = ring_icon(0.4, 24).toImage()
    right, left = half.pixelColor(16, 9), half.pixelColor(7, 16)
    assert right.green() > right.red()
    assert left.lightness() < 80  # the dark disc
    full = ring_icon(1.0, 24).toImage().pixelColor(12, 12)
    assert full.red() > 150
    assert full.green() < 120
    amber = ring_icon(0.9, 24, minutes_left=6).toImage().pixelColor(14, 8)
    assert amber.red() > 180
    assert amber.green() > 120
    assert amber.blue() < 80


def test_the_tray_icon_has_a_light_rim_and_a_dark_disc_for_any_panel() -> None:
    image = ring_icon(None, 24).toImage()
    rim = image.pixelColor(12, 0)
    disc = image.pixelColor(12, 5)
    assert rim.lightness() > 180
    assert disc.lightness() < 80
