"""The guide reader: sections and articles on the left, search, the article on the right, a tip on top.

Nothing here goes to the network: `guide:` links open another article in the window, any other
link is only shown (in the status line and the tooltip), never opened.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from wellbeing_app.guide import HELP_ARTICLE_ID, Article, Category, Guide, TipPicker
from wellbeing_app.guide.model import label
from wellbeing_app.i18n import _
from wellbeing_app.ui.qt import Qt, QtCore, QtGui, QtWidgets

#: The reading column is at most this many characters ("ch", the width of "0") wide.
MAX_LINE_CHARACTERS = 70
#: Line height of the article's text, in per cent of the font's.
LINE_HEIGHT_PERCENT = 145
#: Article text is this much larger than the window's font.
READING_FONT_SCALE = 1.1
ARTICLE_ID_ROLE = Qt.ItemDataRole.UserRole
_PARAGRAPH = 0
_LIST_ITEM = -1
#: Space above and below each kind of block (heading levels 1–3, paragraph, list item), in lines.
_SPACING: dict[int, tuple[float, float]] = {
    1: (0.0, 0.6),
    2: (1.2, 0.3),
    3: (0.8, 0.3),
    _PARAGRAPH: (0.0, 0.6),
    _LIST_ITEM: (0.0, 0.1),
}
GUIDE_SCHEME = "guide"


class ArticleView(QtWidgets.QTextBrowser):
    """Shows one article as Markdown in a readable column; loads nothing, opens no link."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * READING_FONT_SCALE)
        self.setFont(font)
        self.document().setDocumentMargin(24)

    def loadResource(self, kind: int, name: QtCore.QUrl | str) -> Any:
        # Articles have no images; refusing every resource keeps files and the network out.
        return None

    def show_markdown(self, markdown: str) -> None:
        features = (
            QtGui.QTextDocument.MarkdownFeature.MarkdownDialectGitHub
            | QtGui.QTextDocument.MarkdownFeature.MarkdownNoHTML
        )
        document = self.document()
        document.setMarkdown(markdown, features)
        document.setDefaultFont(self.font())
        self._apply_typography()
        self._fit_column()
        self.verticalScrollBar().setValue(0)

    def _apply_typography(self) -> None:
        """Comfortable line height and paragraph spacing; headings set apart from the text above."""
        spacing = QtGui.QFontMetricsF(self.font()).height()
        formats = {
            kind: _block_format(top * spacing, bottom * spacing) for kind, (top, bottom) in _SPACING.items()
        }
        document = self.document()
        block = document.begin()
        while block.isValid():
            block_format = block.blockFormat()
            level = block_format.headingLevel()
            following = block.next()
            list_index = block_format.objectIndex()  # a list item points at its list; -1 otherwise
            if level:
                kind = min(level, 3)
            elif (
                list_index >= 0
                and following.isValid()
                and following.blockFormat().objectIndex() == list_index
            ):
                kind = _LIST_ITEM
            else:
                kind = _PARAGRAPH  # a paragraph, or the last item of a list: space before what follows
            QtGui.QTextCursor(block).mergeBlockFormat(formats[kind])
            block = following

    def _fit_column(self) -> None:
        """Centre a column no wider than MAX_LINE_CHARACTERS in the view."""
        character = QtGui.QFontMetricsF(self.font()).horizontalAdvance("0")
        column = MAX_LINE_CHARACTERS * character
        available = self.viewport().width() - 2 * self.document().documentMargin()
        side = max(0.0, (available - column) / 2)
        root = self.document().rootFrame()
        frame_format = root.frameFormat()
        if abs(frame_format.leftMargin() - side) > 0.5:
            frame_format.setLeftMargin(side)
            frame_format.setRightMargin(side)
            root.setFrameFormat(frame_format)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_column()


class GuideWindow(QtWidgets.QWidget):
    """The guide in one window. `tip_picker` chooses the tip of the day (all tips of `language` by default)."""

    #: The id of the article now shown.
    article_shown = QtCore.Signal(str)

    def __init__(
        self,
        guide: Guide,
        language: str,
        tip_picker: TipPicker | None = None,
        parent: QtWidgets.QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.guide = guide
        self.language = language
        self._current_id: str | None = None
        self._category: Category | None = None
        picker = tip_picker if tip_picker is not None else _default_picker(guide, language)
        # The caller passes the app's day (it starts at day_starts_at); the calendar day otherwise.
        self._tip = picker.tip_of_the_day(today or datetime.now().astimezone().date())

        self.setWindowTitle(_("Wellbeing guide"))
        self.setObjectName("guide-window")
        self.resize(1000, 700)
        self._build()
        self._fill_categories()
        articles = guide.articles(language)
        if articles:
            self.show_article(articles[0].id)

    # --- building --------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.setSpacing(10)
        layout.addLayout(self._build_top())

        self.search_field = QtWidgets.QLineEdit()
        self.search_field.setPlaceholderText(_("Search the guide (Ctrl+F)"))
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setAccessibleName(_("Search the guide"))
        self.search_field.setAccessibleDescription(_("The article list shows the matches as you type."))
        self.search_field.textChanged.connect(self._search)
        self.search_field.returnPressed.connect(self._open_first_result)
        self.search_field.installEventFilter(self)

        self.category_list = QtWidgets.QListWidget()
        self.category_list.setAccessibleName(_("Sections"))
        self.category_list.setSizeAdjustPolicy(
            QtWidgets.QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents
        )
        self.category_list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.category_list.itemClicked.connect(self._category_chosen)
        self.category_list.currentRowChanged.connect(self._category_row_changed)

        self.article_list = QtWidgets.QListWidget()
        self.article_list.setAccessibleName(_("Articles"))
        self.article_list.setWordWrap(True)
        self.article_list.currentItemChanged.connect(self._article_item_changed)
        self.article_list.itemClicked.connect(self._article_item_chosen)
        self.article_list.itemActivated.connect(self._article_item_chosen)

        self.categories_label = _section_label(_("&Sections"), self.category_list)
        self.articles_label = _section_label(_("&Articles"), self.article_list)

        left = QtWidgets.QWidget()
        left_layout = QtWidgets.QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search_field)
        left_layout.addSpacing(4)
        left_layout.addWidget(self.categories_label)
        left_layout.addWidget(self.category_list)
        left_layout.addSpacing(4)
        left_layout.addWidget(self.articles_label)
        left_layout.addWidget(self.article_list, 1)

        for item_list in (self.category_list, self.article_list):
            item_list.setStyleSheet("QListWidget::item { padding: 3px 6px; }")

        self.reader = ArticleView()
        self.reader.setAccessibleName(_("Article"))
        self.reader.anchorClicked.connect(self._link_clicked)
        self.reader.highlighted.connect(self._link_hovered)

        self.splitter = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.reader)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 700])
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)

        self.status_label = QtWidgets.QLabel()
        self.status_label.setAccessibleName(_("Status"))
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setForegroundRole(QtGui.QPalette.ColorRole.PlaceholderText)
        layout.addWidget(self.status_label)

        find = QtGui.QShortcut(QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)

        for first, second in (
            (self.search_field, self.category_list),
            (self.category_list, self.article_list),
            (self.article_list, self.reader),
            (self.reader, self.read_more_button),
            (self.read_more_button, self.help_button),
        ):
            QtWidgets.QWidget.setTabOrder(first, second)

    def _build_top(self) -> QtWidgets.QHBoxLayout:
        top = QtWidgets.QHBoxLayout()
        top.setSpacing(12)

        self.tip_box = QtWidgets.QFrame()
        self.tip_box.setObjectName("guide-tip")
        self.tip_box.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.tip_box.setBackgroundRole(QtGui.QPalette.ColorRole.AlternateBase)
        self.tip_box.setAutoFillBackground(True)
        self.tip_box.setAccessibleName(_("Tip of the day"))
        tip_layout = QtWidgets.QVBoxLayout(self.tip_box)
        tip_layout.setContentsMargins(12, 8, 12, 8)
        tip_layout.setSpacing(2)
        self.tip_title = QtWidgets.QLabel(_("Tip of the day"))
        title_font = self.tip_title.font()
        title_font.setBold(True)
        self.tip_title.setFont(title_font)
        self.tip_label = QtWidgets.QLabel(self._tip.text if self._tip else _("No tips are available."))
        self.tip_label.setWordWrap(True)
        self.tip_label.setAccessibleName(_("Tip of the day"))
        self.tip_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tip_row = QtWidgets.QHBoxLayout()
        tip_row.addWidget(self.tip_label, 1)
        self.read_more_button = QtWidgets.QPushButton(_("Read more"))
        self.read_more_button.setAccessibleName(_("Read more about the tip of the day"))
        related = self._tip.related if self._tip else None
        related_article = self.guide.article(related, self.language) if related else None
        if related_article is not None:
            self.read_more_button.setToolTip(related_article.title)
            self.read_more_button.clicked.connect(lambda: self.show_article(related_article.id))
        else:
            self.read_more_button.setVisible(False)
        tip_row.addWidget(self.read_more_button, 0, Qt.AlignmentFlag.AlignBottom)
        tip_layout.addWidget(self.tip_title)
        tip_layout.addLayout(tip_row)
        top.addWidget(self.tip_box, 1)

        help_article = self.guide.article(HELP_ARTICLE_ID, self.language)
        # The button carries the help page's own title, so it reads the same as the page it opens.
        help_text = help_article.title if help_article is not None else _("Where to get help")
        self.help_button = QtWidgets.QPushButton(help_text)
        self.help_button.setObjectName("guide-help")
        self.help_button.setAccessibleName(help_text)
        self.help_button.setAccessibleDescription(_("Phone numbers and people who can help, now or soon."))
        self.help_button.setToolTip(_("Phone numbers and people who can help, now or soon."))
        self.help_button.setIcon(
            self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MessageBoxInformation)
        )
        help_font = self.help_button.font()
        help_font.setBold(True)
        self.help_button.setFont(help_font)
        self.help_button.setEnabled(help_article is not None)
        self.help_button.clicked.connect(self.show_help)
        # As tall as the tip box beside it: the one thing that must never be missed.
        self.help_button.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Preferred
        )
        top.addWidget(self.help_button)
        return top

    def _fill_categories(self) -> None:
        for category in self.guide.categories(self.language):
            item = QtWidgets.QListWidgetItem(category.display_title(self.language))
            item.setData(ARTICLE_ID_ROLE, category.value)
            self.category_list.addItem(item)
        rows = self.category_list.count()
        if rows:
            height = sum(self.category_list.sizeHintForRow(row) for row in range(rows))
            self.category_list.setFixedHeight(height + 2 * self.category_list.frameWidth() + 2)

    # --- what the window shows -------------------------------------------------------------------

    @property
    def current_article_id(self) -> str | None:
        return self._current_id

    def article_ids_listed(self) -> list[str]:
        """The ids in the article list, top to bottom."""
        return [
            str(item.data(ARTICLE_ID_ROLE))
            for row in range(self.article_list.count())
            if (item := self.article_list.item(row)) is not None and item.data(ARTICLE_ID_ROLE)
        ]

    def show_article(self, article_id: str) -> bool:
        """Show the article (for the break overlay's "read more" too); False if there is no such article."""
        article = self.guide.article(article_id, self.language)
        if article is None:
            self._set_status(_("There is no article “{id}” in the guide.").format(id=article_id))
            return False
        self._current_id = article.id
        self.reader.show_markdown(self.guide.render_markdown(article))
        self.reader.setAccessibleDescription(article.title)
        if not self.search_field.text().strip() or article.id not in self.article_ids_listed():
            self._clear_search()
            self._list_category(article.category)
        self._select_listed(article.id)
        self._set_status("")
        self.article_shown.emit(article.id)
        return True

    def show_help(self) -> None:
        """Show where to get help."""
        self.show_article(HELP_ARTICLE_ID)

    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    # --- lists -----------------------------------------------------------------------------------

    def _list_category(self, category: Category) -> None:
        self._category = category
        with _signals_blocked(self.category_list):
            for row in range(self.category_list.count()):
                item = self.category_list.item(row)
                if item is not None and item.data(ARTICLE_ID_ROLE) == category.value:
                    self.category_list.setCurrentRow(row)
        self.articles_label.setText(_("&Articles"))
        self._fill_articles(self.guide.in_category(category, self.language))

    def _fill_articles(self, articles: list[Article]) -> None:
        with _signals_blocked(self.article_list):
            self.article_list.clear()
            for article in articles:
                item = QtWidgets.QListWidgetItem(article.title)
                item.setData(ARTICLE_ID_ROLE, article.id)
                minutes = label("minutes", article.language, minutes=article.reading_minutes)
                item.setToolTip(f"{article.summary} ({minutes})")
                item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, article.summary)
                self.article_list.addItem(item)
            if not articles:
                empty = QtWidgets.QListWidgetItem(_("No article matches."))
                empty.setFlags(Qt.ItemFlag.NoItemFlags)
                self.article_list.addItem(empty)
            if self._current_id is not None:
                self._select_listed(self._current_id)

    def _select_listed(self, article_id: str) -> None:
        with _signals_blocked(self.article_list):
            self.article_list.clearSelection()
            self.article_list.setCurrentRow(-1)
            for row in range(self.article_list.count()):
                item = self.article_list.item(row)
                if item is not None and item.data(ARTICLE_ID_ROLE) == article_id:
                    self.article_list.setCurrentRow(row)
                    self.article_list.scrollToItem(item)

    def _category_chosen(self, item: QtWidgets.QListWidgetItem) -> None:
        self._clear_search()
        self._list_category(Category(item.data(ARTICLE_ID_ROLE)))

    def _category_row_changed(self, row: int) -> None:
        item = self.category_list.item(row)
        if item is not None:
            self._category_chosen(item)

    def _article_item_changed(
        self, current: QtWidgets.QListWidgetItem | None, _previous: QtWidgets.QListWidgetItem | None
    ) -> None:
        if current is not None:
            self._article_item_chosen(current)

    def _article_item_chosen(self, item: QtWidgets.QListWidgetItem) -> None:
        article_id = item.data(ARTICLE_ID_ROLE)
        if article_id and article_id != self._current_id:
            self.show_article(str(article_id))

    # --- search ----------------------------------------------------------------------------------

    def _search(self, text: str) -> None:
        if not text.strip():
            if self._category is not None:
                self._list_category(self._category)
            return
        with _signals_blocked(self.category_list):
            self.category_list.clearSelection()
            self.category_list.setCurrentRow(-1)
        self.articles_label.setText(_("Search results"))
        results = self.guide.search(text, self.language)
        self._fill_articles(results)

    def _clear_search(self) -> None:
        with _signals_blocked(self.search_field):
            self.search_field.clear()

    def _open_first_result(self) -> None:
        listed = self.article_ids_listed()
        if listed:
            self.show_article(listed[0])
            self.article_list.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if (
            watched is self.search_field
            and event.type() == QtCore.QEvent.Type.KeyPress
            and isinstance(event, QtGui.QKeyEvent)
        ):
            if event.key() == Qt.Key.Key_Escape and self.search_field.text():
                self.search_field.clear()
                return True
            if event.key() == Qt.Key.Key_Down and self.article_list.count():
                self.article_list.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return super().eventFilter(watched, event)

    # --- links -----------------------------------------------------------------------------------

    def _link_clicked(self, url: QtCore.QUrl) -> None:
        if url.scheme() == GUIDE_SCHEME:
            self.show_article(url.path())
            return
        # Never open it: this app sends nothing over the network. Saying where it leads is enough.
        text = url.toDisplayString()
        self._set_status(_("Links to websites are not opened here: {url}").format(url=text))
        self.reader.setToolTip(text)

    def _link_hovered(self, url: QtCore.QUrl) -> None:
        if url.isEmpty():
            self.reader.setToolTip("")
            self._set_status("")
            return
        if url.scheme() == GUIDE_SCHEME:
            article = self.guide.article(url.path(), self.language)
            text = article.title if article is not None else url.path()
        else:
            text = url.toDisplayString()
        self.reader.setToolTip(text)
        self._set_status(text)

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.setAccessibleDescription(text)

    @property
    def status_text(self) -> str:
        return self.status_label.text()


def _block_format(top: float, bottom: float) -> QtGui.QTextBlockFormat:
    block_format = QtGui.QTextBlockFormat()
    block_format.setLineHeight(
        LINE_HEIGHT_PERCENT, QtGui.QTextBlockFormat.LineHeightTypes.ProportionalHeight.value
    )
    block_format.setTopMargin(top)
    block_format.setBottomMargin(bottom)
    return block_format


@contextmanager
def _signals_blocked(widget: QtCore.QObject) -> Iterator[None]:
    """Change a widget without its signals firing (the window updates itself in one go)."""
    was_blocked = widget.blockSignals(True)
    try:
        yield
    finally:
        widget.blockSignals(was_blocked)


def _section_label(text: str, buddy: QtWidgets.QWidget) -> QtWidgets.QLabel:
    section = QtWidgets.QLabel(text)
    section.setBuddy(buddy)
    font = section.font()
    font.setBold(True)
    section.setFont(font)
    return section


def _default_picker(guide: Guide, language: str) -> TipPicker:
    # Only the tip of the day is used here, which does not draw on the random source.
    return TipPicker(guide.tips(language), random.Random(0))
