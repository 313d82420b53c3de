"""The guide window: sections, search, links between articles, the help button, no web links followed."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import random
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from wellbeing_app.guide import Category, Guide, TipPicker, load_guide
from wellbeing_app.ui.guide_window import GuideWindow
from wellbeing_app.ui.qt import Qt, QtCore, QtGui, QtWidgets

GUIDE_ROOT = Path(__file__).resolve().parents[2] / "resources" / "guide"
DAY = date(2026, 10, 10)


@pytest.fixture(scope="module")
def guide() -> Guide:
    loaded = load_guide(GUIDE_ROOT)
    assert loaded.problems == ()
    return loaded


def open_window(qtbot: QtBot, guide: Guide, language: str = "en", **kwargs: object) -> GuideWindow:
    window = GuideWindow(guide, language, today=DAY, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    return window


def click_item(qtbot: QtBot, item_list: QtWidgets.QListWidget, text: str) -> None:
    matches = item_list.findItems(text, Qt.MatchFlag.MatchExactly)
    assert len(matches) == 1, f"{text!r} is not listed once"
    item_list.scrollToItem(matches[0])
    rect = item_list.visualItemRect(matches[0])
    qtbot.mouseClick(item_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def type_text(widget: QtWidgets.QWidget, text: str) -> None:
    """Type `text` key by key; unlike QTest.keyClicks this works for Cyrillic letters too."""
    for character in text:
        for kind in (QtCore.QEvent.Type.KeyPress, QtCore.QEvent.Type.KeyRelease):
            event = QtGui.QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, character)
            QtWidgets.QApplication.sendEvent(widget, event)


def anchor_point(reader: QtWidgets.QTextBrowser, href: str) -> QtCore.QPoint:
    """Scroll the first link to `href` into view; the point in the viewport to click it."""
    block = reader.document().begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = QtGui.QTextCursor(reader.document())
                cursor.setPosition(fragment.position() + fragment.length() // 2)
                reader.setTextCursor(cursor)
                reader.ensureCursorVisible()
                point = reader.cursorRect(cursor).center()
                assert reader.anchorAt(point) == href
                return point
            fragments += 1
        block = block.next()
    raise AssertionError(f"no link to {href!r} in the article")


def click_link(qtbot: QtBot, window: GuideWindow, href: str) -> None:
    point = anchor_point(window.reader, href)
    qtbot.mouseClick(window.reader.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_it_opens_on_the_first_article_of_the_first_section(qtbot: QtBot, guide: Guide) -> None:
    window = open_window(qtbot, guide)
    first = guide.articles("en")[0]
    assert window.current_article_id == first.id
    assert window.reader.toPlainText().startswith(first.title)
    assert window.category_list.currentItem().text() == "A healthy mind"


def test_clicking_a_section_lists_its_articles(qtbot: QtBot, guide: Guide) -> None:
    window = open_window(qtbot, guide)
    click_item(qtbot, window.category_list, "Life online")
    expected = [article.id for article in guide.in_category(Category.ONLINE_LIFE, "en")]
    assert window.article_ids_listed() == expected
    assert sorted(expected) == ["bullying-and-cyberbullying", "healthy-screen-habits", "sleep-and-screens"]
    click_item(qtbot, window.article_list, "Sleep and screens")
    assert window.current_article_id == "sleep-and-screens"
    assert window.reader.toPlainText().startswith("Sleep and screens")


def test_typing_in_search_filters_the_articles(qtbot: QtBot, guide: Guide) -> None:
    window = open_window(qtbot, guide)
    qtbot.keyClicks(window.search_field, "anger")
    listed = window.article_ids_listed()
    assert listed[0] == "managing-anger"
    assert listed == [article.id for article in guide.search("anger", "en")]
    assert window.articles_label.text() == "Search results"
    assert window.category_list.currentItem() is None
    qtbot.keyClicks(window.search_field, " zzzz")
    assert window.article_ids_listed() == []
    assert window.article_list.item(0).text() == "No article matches."
    # Escape clears the search and the section comes back.
    qtbot.keyClick(window.search_field, Qt.Key.Key_Escape)
    assert window.search_field.text() == ""
    assert window.article_ids_listed()[0] == guide.articles("en")[0].id


def test_enter_in_search_opens_the_best_match(qtbot: QtBot, guide: Guide) -> None:
    window = open_window(qtbot, guide, "kk")
    type_text(window.search_field, "ашу")
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert window.current_article_id == "managing-anger"
    assert window.reader.toPlainText().startswith("Ашуды басқару")
    # The results stay listed while one of them is read.
    assert window.search_field.text() == "ашу"
    assert window.article_list.currentItem().text() == "Ашуды басқару"


def test_ctrl_f_focuses_search(qtbot: QtBot, guide: Guide) -> None:
    window = open_window(qtbot, guide)
    window.activateWindow()
    window.reader.setFocus()
    qtbot.waitUntil(window.reader.hasFocus)
    qtbot.keyClick(window.reader, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search_field.hasFocus)


def test_clicking_an_internal_link_opens_the_other_article(qtbot: QtBot, guide: Guide) -> None:
    window = open_window(qtbot, guide)
    window.show_article("managing-anger")
    with qtbot.waitSignal(window.article_shown) as shown:
        click_link(qtbot, window, "guide:naming-emotions")
    assert shown.args == ["naming-emotions"]
    assert window.current_article_id == "naming-emotions"
    assert window.reader.toPlainText().startswith(guide.require_article("naming-emotions", "en").title)
    assert window.article_list.currentItem().text() == guide.require_article("naming-emotions", "en").title


def test_the_help_button_opens_where_to_get_help_with_the_numbers(qtbot: QtBot, guide: Guide) -> None:
    window = open_window(qtbot, guide)
    assert window.help_button.text() == "Where to get help"
    qtbot.mouseClick(window.help_button, Qt.MouseButton.LeftButton)
    assert window.current_article_id == "where-to-get-help"
    text = window.reader.toPlainText()
    assert "Kazakhstan" in text
    assert "150 — National Helpline for Children and Youth" in text
    assert "111 — " in text
    assert text.index("Kazakhstan") < text.index("Russia")


@pytest.mark.parametrize(
    ("language", "button", "kazakhstan"),
    [("ru", "Куда обратиться за помощью", "Казахстан"), ("kk", "Көмекті қайдан алуға болады", "Қазақстан")],
)
def test_the_help_button_in_other_languages(
    qtbot: QtBot, guide: Guide, language: str, button: str, kazakhstan: str
) -> None:
    window = open_window(qtbot, guide, language)
    assert window.help_button.text() == guide.require_article("where-to-get-help", language).title
    assert window.help_button.text() == button
    qtbot.mouseClick(window.help_button, Qt.MouseButton.LeftButton)
    text = window.reader.toPlainText()
    assert kazakhstan in text
    assert "150 — " in text


@pytest.fixture
def guide_with_web_link(tmp_path: Path) -> Guide:
    root = tmp_path / "guide"
    shutil.copytree(GUIDE_ROOT, root)
    path = root / "en" / "managing-anger.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\nMore on [a website](https://example.org/anger).\n", encoding="utf-8")
    return load_guide(root)


class UrlCatcher(QtCore.QObject):
    """Stands in for the browser: Qt hands it every URL that QDesktopServices would open."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @QtCore.Slot(QtCore.QUrl)
    def open_url(self, url: QtCore.QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def url_catcher() -> Iterator[UrlCatcher]:
    catcher = UrlCatcher()
    for scheme in ("http", "https", "file", "guide"):
        QtGui.QDesktopServices.setUrlHandler(scheme, catcher, "open_url")  # type: ignore[arg-type]  # str at run time
    yield catcher
    for scheme in ("http", "https", "file", "guide"):
        QtGui.QDesktopServices.unsetUrlHandler(scheme)


def test_no_web_link_is_followed(qtbot: QtBot, guide_with_web_link: Guide, url_catcher: UrlCatcher) -> None:
    window = open_window(qtbot, guide_with_web_link)
    window.show_article("managing-anger")
    before = window.reader.toPlainText()
    with qtbot.waitSignal(window.reader.anchorClicked) as clicked:
        click_link(qtbot, window, "https://example.org/anger")
    assert clicked.args[0].toString() == "https://example.org/anger"
    assert url_catcher.opened == []
    assert window.reader.source().isEmpty()
    assert window.current_article_id == "managing-anger"
    assert window.reader.toPlainText() == before
    assert window.status_text == "Links to websites are not opened here: https://example.org/anger"
    assert window.reader.toolTip() == "https://example.org/anger"


def test_show_article_for_the_overlay_and_an_unknown_id(qtbot: QtBot, guide: Guide) -> None:
    window = open_window(qtbot, guide, "ru")
    assert window.show_article("coping-with-stress")
    assert window.reader.toPlainText().startswith("Как справляться со стрессом")
    assert window.category_list.currentItem().text() == "Эмоции"
    assert not window.show_article("no-such-article")
    assert window.current_article_id == "coping-with-stress"
    assert "no-such-article" in window.status_text


def test_the_tip_of_the_day_and_read_more(qtbot: QtBot, guide: Guide) -> None:
    picker = TipPicker(guide.tips("en"), random.Random(5))
    tip = picker.tip_of_the_day(DAY)
    assert tip is not None
    assert tip.related is not None
    window = open_window(qtbot, guide, tip_picker=picker)
    assert window.tip_label.text() == tip.text
    qtbot.mouseClick(window.read_more_button, Qt.MouseButton.LeftButton)
    assert window.current_article_id == tip.related


def test_every_control_has_an_accessible_name(qtbot: QtBot, guide: Guide) -> None:
    window = open_window(qtbot, guide)
    controls = [
        *window.findChildren(QtWidgets.QLineEdit),
        *window.findChildren(QtWidgets.QAbstractItemView),
        *window.findChildren(QtWidgets.QTextBrowser),
        *window.findChildren(QtWidgets.QPushButton),
    ]
    assert len(controls) >= 6
    assert [control for control in controls if not control.accessibleName()] == []


def test_tab_goes_from_search_to_sections_articles_and_reader(qtbot: QtBot, guide: Guide) -> None:
    window = open_window(qtbot, guide)
    window.activateWindow()
    window.focus_search()
    qtbot.waitUntil(window.search_field.hasFocus)
    visited: list[QtWidgets.QWidget | None] = []
    for _ in range(3):
        qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QtWidgets.QApplication.focusWidget())
    assert visited == [window.category_list, window.article_list, window.reader]
