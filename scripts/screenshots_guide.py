"""Render the guide window offscreen in every language into docs/screenshots/.

Run from the repository: `.venv/bin/python scripts/screenshots_guide.py [article-id]`.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wellbeing_app.core import languages  # noqa: E402
from wellbeing_app.guide import load_guide  # noqa: E402
from wellbeing_app.i18n import set_language  # noqa: E402
from wellbeing_app.ui.guide_window import GuideWindow  # noqa: E402
from wellbeing_app.ui.qt import QtWidgets  # noqa: E402

SIZE = (1000, 700)
#: A fixed day, so the tip of the day in the pictures does not change from run to run.
DAY = date(2026, 10, 10)


def main(argv: list[str]) -> int:
    article_id = argv[1] if len(argv) > 1 else "managing-anger"
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv[:1])
    guide = load_guide(ROOT / "resources" / "guide")
    for problem in guide.problems:
        print(f"guide: {problem}", file=sys.stderr)
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for language in languages.codes():
        set_language(language)
        window = GuideWindow(guide, language, today=DAY)
        window.resize(*SIZE)
        window.show()
        window.show_article(article_id)
        app.processEvents()
        path = out / f"guide-{language}.png"
        if not window.grab().save(str(path)):
            print(f"could not save {path}", file=sys.stderr)
            return 1
        print(path.relative_to(ROOT))
        window.close()
        window.deleteLater()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
