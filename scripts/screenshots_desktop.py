"""Screenshots of the tray menu and of each overlay, in each language, on a real X server.

Run on an X display with a window manager and a tray, e.g.
`Xvfb :55 -screen 0 1280x800x24 -s 0 & DISPLAY=:55 openbox & DISPLAY=:55 trayer --edge top --align right
--widthtype pixel --width 120 --height 24 & DISPLAY=:55 QT_QPA_PLATFORM=xcb python scripts/screenshots_desktop.py`.
Writes docs/screenshots/overlay-<kind>-<lang>.png and tray-menu-<lang>.png.
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wellbeing_app.core import languages  # noqa: E402
from wellbeing_app.core.model import AppRef, BlockReason, Decision, Verdict  # noqa: E402
from wellbeing_app.guide.loader import load_guide  # noqa: E402
from wellbeing_app.guide.tips import TipPicker  # noqa: E402
from wellbeing_app.i18n import resources_dir, set_language  # noqa: E402
from wellbeing_app.ui.overlay import Overlay  # noqa: E402
from wellbeing_app.ui.qt import QtCore, QtWidgets  # noqa: E402
from wellbeing_app.ui.tray import Tray  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def wait(app: QtWidgets.QApplication, ms: int) -> None:
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(ms, loop.quit)
    loop.exec()


def grab(app: QtWidgets.QApplication, name: str) -> None:
    wait(app, 600)
    app.primaryScreen().grabWindow(0).save(str(OUT / name))
    print(OUT / name)


def main() -> None:
    app = QtWidgets.QApplication(sys.argv[:1])
    guide = load_guide(resources_dir() / "guide")
    now = datetime.now(UTC)
    local = now.astimezone()
    decisions = {
        "break": Decision(Verdict.BREAK, until=now + timedelta(minutes=4, seconds=32), postpones_left=1),
        "limit": Decision(
            Verdict.BLOCK, BlockReason.CAP, until=(local + timedelta(days=1)).replace(hour=4, minute=0)
        ),
        "downtime": Decision(
            Verdict.BLOCK, BlockReason.DOWNTIME, until=(local + timedelta(days=1)).replace(hour=7, minute=0)
        ),
        "app-limit": Decision(
            Verdict.BLOCK,
            BlockReason.APP_LIMIT,
            until=(local + timedelta(days=1)).replace(hour=4, minute=0),
            app=AppRef("supertux2", "SuperTux"),
        ),
    }
    for language in languages.codes():
        set_language(language)
        tips = TipPicker(guide.tips(language), random.Random(3))
        for kind, decision in decisions.items():
            if kind == "app-limit" and language != languages.SOURCE_LANGUAGE:
                continue
            tip = tips.pick([])
            overlay = Overlay(
                now=lambda: datetime.now(UTC),
                verify=lambda _p, _w: None,
                passcode_set=lambda: True,
                render_article=lambda article_id, lang=language: guide.render_markdown(
                    guide.article(article_id, lang)  # type: ignore[arg-type]
                ),
            )
            overlay.show_decision(decision, cap_minutes=60, tip=(tip.text, tip.related) if tip else None)
            grab(app, f"overlay-{kind}-{language}.png")
            if kind == "break" and language == languages.SOURCE_LANGUAGE:
                overlay.content.read_more.click()
                grab(app, "overlay-read-more-en.png")
            overlay.hide()
            overlay.deleteLater()
        tray = Tray()
        tray.show()
        tray.update(
            Decision(Verdict.ALLOW, used_seconds=32 * 60, cap_seconds=60 * 60, next_break_in_seconds=12 * 60)
        )
        wait(app, 500)
        geometry = tray.icon.geometry()
        tray.menu.popup(geometry.bottomLeft() - QtCore.QPoint(180, -4))
        grab(app, f"tray-menu-{language}.png")
        tray.menu.hide()
        tray.hide()
        tray.deleteLater()
    with tempfile.TemporaryDirectory():
        pass


if __name__ == "__main__":
    main()
