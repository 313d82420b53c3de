"""Screenshots of the dashboard, the settings, the first-run wizard and the passcode lockout.

Builds each window offscreen over a throw-away data dir filled with a realistic week, and saves
PNGs under docs/screenshots/. Run: `.venv/bin/python scripts/screenshots_ui.py [--dark] [--scale 2]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wellbeing_app.core.clock import FakeClock  # noqa: E402
from wellbeing_app.core.days import day_of  # noqa: E402
from wellbeing_app.core.events import payload_from_json  # noqa: E402
from wellbeing_app.core.model import AppRef, Event, EventKind, UsageSpan  # noqa: E402
from wellbeing_app.core.settings import DowntimeWindow, Weekday  # noqa: E402
from wellbeing_app.service import Service  # noqa: E402
from wellbeing_app.storage import open_store  # noqa: E402

ZONE = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 11, 25, 16, 30, tzinfo=ZONE)  # a Wednesday afternoon
FIREFOX = AppRef("firefox", "Firefox")
GAME = AppRef("supertux2", "SuperTux")
OFFICE = AppRef("libreoffice", "LibreOffice Writer")
VIDEO = AppRef("vlc", "VLC media player")
CHAT = AppRef("telegram-desktop", "Telegram")
MINECRAFT = AppRef("minecraft-launcher", "Minecraft Launcher")

#: Minutes per app on each of the last seven days, oldest first (today last).
WEEK = [
    {FIREFOX: 22, GAME: 28, OFFICE: 35, CHAT: 6},
    {FIREFOX: 18, GAME: 25, VIDEO: 14, OFFICE: 20},
    {FIREFOX: 30, MINECRAFT: 45, CHAT: 9},
    {FIREFOX: 22, GAME: 30, VIDEO: 36, OFFICE: 30},
    {FIREFOX: 25, MINECRAFT: 20, VIDEO: 10, CHAT: 5},
    {FIREFOX: 30, GAME: 30, VIDEO: 15},
    {FIREFOX: 14, GAME: 17, OFFICE: 25, VIDEO: 9, CHAT: 4},
]


def fill(service: Service) -> None:
    """Settings of a family, a week of use and the events a parent would read."""
    service.change_settings(
        {
            "daily_cap_minutes": 60,
            "weekday_caps": {Weekday.SAT: 90, Weekday.SUN: 90},
            "always_allowed": ("libreoffice",),
            "app_limits": {"supertux2": 30},
            "downtime": (
                DowntimeWindow(
                    frozenset({Weekday.SUN, Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU}),
                    time(21, 0),
                    time(7, 0),
                ),
                DowntimeWindow(frozenset({Weekday.FRI, Weekday.SAT}), time(23, 0), time(8, 0)),
            ),
        }
    )
    settings = service.settings
    spans: list[UsageSpan] = []
    events: list[Event] = []
    number = 0

    def uid(prefix: str) -> str:
        nonlocal number
        number += 1
        return f"{prefix}-{number}"

    def event(kind: EventKind, at: datetime, **data: object) -> None:
        events.append(
            Event(uid("event"), at, day_of(at, ZONE, settings.day_starts_at), payload_from_json(kind, data))
        )

    for back, usage in enumerate(reversed(WEEK)):
        day_start = (NOW - timedelta(days=back)).replace(hour=15, minute=0) - timedelta(hours=6)
        cursor = day_start
        for app, minutes in usage.items():
            if back == 0 and cursor + timedelta(minutes=minutes) > NOW:
                minutes = max(1, int((NOW - cursor).total_seconds() // 60) - 1)
            end = cursor + timedelta(minutes=minutes)
            offset = cursor.utcoffset() or timedelta(0)
            spans.append(UsageSpan(uid("span"), app, cursor, end, day_of(cursor, ZONE, time(4)), offset))
            cursor = end + timedelta(minutes=7)
        event(EventKind.TRACKING_STARTED, day_start - timedelta(minutes=2))
        event(EventKind.BREAK_STARTED, day_start + timedelta(minutes=30), forced=True, minutes=5)
        event(EventKind.BREAK_TAKEN, day_start + timedelta(minutes=35), forced=True)
        event(EventKind.BREAK_NATURAL, day_start + timedelta(minutes=75), away_seconds=420)
        if back in (0, 2, 5):
            event(EventKind.BREAK_POSTPONED, day_start + timedelta(minutes=95), minutes=5, postpones_left=0)
        if back in (1, 4):
            event(EventKind.BREAK_SKIPPED, day_start + timedelta(minutes=100))
    yesterday = NOW - timedelta(days=1)
    event(EventKind.WARNING, yesterday.replace(hour=19, minute=50), minutes_left=10)
    event(
        EventKind.BLOCK,
        yesterday.replace(hour=20, minute=0),
        reason="cap",
        until=(NOW.replace(hour=4, minute=0)).isoformat(),
        app=None,
    )
    event(EventKind.PASSCODE_FAILED, yesterday.replace(hour=20, minute=3), purpose="grant more time")
    event(EventKind.PASSCODE_OK, yesterday.replace(hour=20, minute=5), purpose="grant more time")
    event(EventKind.GRANT, yesterday.replace(hour=20, minute=5), minutes=15, by="parent")
    event(
        EventKind.BLOCK,
        yesterday.replace(hour=21, minute=0),
        reason="downtime",
        until=NOW.replace(hour=7, minute=0).isoformat(),
        app=None,
    )
    event(EventKind.CLOCK_JUMP, (NOW - timedelta(days=3)).replace(hour=18, minute=12), seconds=86400)
    event(
        EventKind.TRACKING_GAP,
        (NOW - timedelta(days=2)).replace(hour=17, minute=40),
        seconds=720,
        same_boot=True,
    )
    event(EventKind.WARNING, NOW.replace(hour=16, minute=12), minutes_left=10)
    event(EventKind.PASSCODE_FAILED, NOW.replace(hour=16, minute=20), purpose="change settings")
    with open_store(service.data_dir).store as store:  # the records of past days, as if tracked then
        store.upsert_spans(spans)
        store.add_events(events)


def dark_palette(qt_gui: object) -> object:
    from wellbeing_app.ui.qt import QtGui

    palette = QtGui.QPalette()
    role = QtGui.QPalette.ColorRole
    for name, colour in {
        role.Window: "#2b2b2e",
        role.WindowText: "#e6e6e6",
        role.Base: "#1f1f22",
        role.AlternateBase: "#2a2a2e",
        role.Text: "#e6e6e6",
        role.Button: "#35353a",
        role.ButtonText: "#e6e6e6",
        role.Highlight: "#3d7bd9",
        role.HighlightedText: "#ffffff",
        role.ToolTipBase: "#35353a",
        role.ToolTipText: "#e6e6e6",
        role.Mid: "#6a6a70",
        role.Light: "#5a5a60",
        role.Midlight: "#46464c",
        role.Dark: "#18181b",
        role.Shadow: "#000000",
        role.PlaceholderText: "#9a9aa0",
    }.items():
        palette.setColor(name, QtGui.QColor(colour))
    palette.setColor(QtGui.QPalette.ColorGroup.Disabled, role.WindowText, QtGui.QColor("#808086"))
    palette.setColor(QtGui.QPalette.ColorGroup.Disabled, role.Text, QtGui.QColor("#808086"))
    palette.setColor(QtGui.QPalette.ColorGroup.Disabled, role.ButtonText, QtGui.QColor("#808086"))
    return palette


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dark", action="store_true", help="use a dark palette (files end in -dark)")
    parser.add_argument("--scale", type=float, default=1.0, help="device pixel ratio, e.g. 2 for high DPI")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)

    from wellbeing_app.ui.dashboard import Dashboard
    from wellbeing_app.ui.passcode_dialog import PasscodeDialog
    from wellbeing_app.ui.qt import QtGui, QtWidgets
    from wellbeing_app.ui.settings_dialog import SettingsDialog, apps_seen
    from wellbeing_app.ui.widgets import ring_icon
    from wellbeing_app.ui.wizard import FirstRunWizard

    app = QtWidgets.QApplication(sys.argv[:1])
    if args.dark:
        app.setPalette(dark_palette(QtGui))  # type: ignore[arg-type]
    suffix = "-dark" if args.dark else ""
    if args.scale != 1.0:
        suffix += f"@{args.scale:g}x"
    args.out.mkdir(parents=True, exist_ok=True)

    def save(widget: QtWidgets.QWidget, name: str) -> None:
        widget.show()
        for _ in range(3):
            app.processEvents()
        path = args.out / f"{name}{suffix}.png"
        widget.grab().save(str(path))
        print(path)

    with tempfile.TemporaryDirectory() as folder:
        clock = FakeClock(NOW, ZONE)
        service = Service.open(Path(folder), clock=clock)
        fill(service)

        dashboard = Dashboard(service)
        save(dashboard, "dashboard")

        service.set_passcode("2468")
        settings = SettingsDialog(service, apps_seen(service))
        metrics = settings.fontMetrics()
        settings.resize(metrics.averageCharWidth() * 100, metrics.height() * 70)
        save(settings, "settings")
        settings.show_group("breaks")
        save(settings, "settings-breaks")
        settings.show_group("privacy")
        save(settings, "settings-privacy")
        settings.show_group("passcode")
        save(settings, "settings-passcode")
        settings.close()

        wizard = FirstRunWizard(Service.open(Path(folder) / "fresh", clock=clock))
        wizard.who_page.child.setChecked(True)
        save(wizard, "wizard-who")
        wizard.next()
        assert wizard.cap_page.cap.slider is not None
        wizard.cap_page.cap.slider.setValue(75)
        save(wizard, "wizard")
        wizard.next()
        save(wizard, "wizard-breaks")
        wizard.next()
        wizard.lock_page.fields.first.setText("24")
        save(wizard, "wizard-passcode")
        wizard.close()

        dialog = PasscodeDialog(service, "grant more time")
        for _ in range(5):
            dialog.field.setText("1111")
            dialog.accept()
        clock.advance(18)
        dialog._tick()
        save(dialog, "passcode")
        dialog.close()

        service.close()
        if args.dark:
            return 0
        # The tray icon does not follow the palette: it is shown on light, dark and coloured panels.
        icons = QtGui.QPixmap(8 * 34, 3 * 34)
        icons.fill(QtGui.QColor(0, 0, 0, 0))
        painter = QtGui.QPainter(icons)
        for row, background in enumerate(("#f3f3f3", "#2d2d2d", "#3b6ea5")):
            painter.fillRect(0, row * 34, icons.width(), 34, QtGui.QColor(background))
            for column, (fraction, left) in enumerate(
                [(None, None), (0.0, 60.0), (0.3, 42.0), (0.55, 27.0), (0.8, 12.0), (0.9, 6.0), (1.0, 0.0)]
            ):
                size = 16 if column % 2 else 22
                painter.drawPixmap(
                    6 + column * 34, row * 34 + (34 - size) // 2, ring_icon(fraction, size, minutes_left=left)
                )
        painter.end()
        path = args.out / f"tray-icons{suffix}.png"
        icons.save(str(path))
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
