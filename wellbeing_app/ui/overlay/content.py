"""What the overlay shows: why and until when, a countdown, a tip, the actions, the passcode entry.

It shows a tip from the guide with the article to read right there (nothing may sit above the
overlay), and offers only the actions its kind allows (`core/blocks.py`). The passcode is
entered inline for the same reason. `holder.py` keeps it on top of every screen.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime

from wellbeing_app.core.blocks import OverlayAction, overlay_kind
from wellbeing_app.core.errors import PasscodeError
from wellbeing_app.core.model import Decision
from wellbeing_app.core.text import N_
from wellbeing_app.i18n import _, localize
from wellbeing_app.ui.qt import Qt, QtCore, QtWidgets

#: Minutes a parent can grant with one click.
GRANT_CHOICES = (15, 30, 60)

#: The overlay is always dark and calm, whatever the desktop's theme: it is a pause, not a page.
STYLE = """
#overlay-content { color: #f2f5f7; }
#overlay-content QLabel { color: #f2f5f7; }
#overlay-subtitle { color: #c9d4db; }
#overlay-tip { background: #253642; border-radius: 14px; border: none; }
#overlay-content QPushButton {
    background: #2f4250; color: #f2f5f7; border: 1px solid #4a6272; border-radius: 8px;
    padding: 10px 20px; min-width: 120px;
}
#overlay-content QPushButton:hover, #overlay-content QPushButton:focus { background: #3b5566; border-color: #5cc39a; }
#overlay-content QPushButton#overlay-read-more {
    background: transparent; border: none; color: #7fd6b0; text-decoration: underline; min-width: 0;
}
#overlay-content QLineEdit {
    background: #f2f5f7; color: #1d2a33; border-radius: 6px; padding: 8px; min-width: 260px;
}
#overlay-content QTextBrowser { background: #f7f9fa; color: #1d2a33; border-radius: 10px; padding: 12px; }
#overlay-passcode-message { color: #ffcf7a; }
"""


def _clock_text(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


def _left_text(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


def headline(decision: Decision, cap_minutes: int | None, now: datetime) -> tuple[str, str]:
    """The title and the line under it, in words a person reads at a glance."""
    kind = overlay_kind(decision)
    if kind is None:
        return "", ""
    name = decision.app.name if decision.app else _("this app")
    title = _(kind.title).format(minutes=cap_minutes or 0, app=name)
    until = decision.until
    if until is None:
        return title, ""
    same_day = until.astimezone().date() == now.astimezone().date()
    line = _(kind.until_today if same_day else kind.until_later).format(time=_clock_text(until))
    return title, line


class _Pages(QtWidgets.QWidget):
    """Pages of which one shows; unlike QStackedWidget it takes the size of the page shown
    (wrapped text keeps its height)."""

    def __init__(self) -> None:
        super().__init__()
        self._layout = QtWidgets.QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._pages: list[QtWidgets.QWidget] = []
        self._current = 0

    def addWidget(self, page: QtWidgets.QWidget) -> None:
        self._pages.append(page)
        self._layout.addWidget(page)
        page.setVisible(len(self._pages) - 1 == self._current)

    def setCurrentIndex(self, index: int) -> None:
        self._current = index
        for position, page in enumerate(self._pages):
            page.setVisible(position == index)

    def currentIndex(self) -> int:
        return self._current


class OverlayContent(QtWidgets.QWidget):
    """The content of the overlay's main pane; it turns clicks into requests.

    Signals: `postpone_requested()`, `skip_requested(passcode)`, `grant_requested(minutes,
    passcode)`, `back_to_desktop_requested()`. The passcode is checked here first with `verify`,
    which raises PasscodeError when wrong.
    """

    postpone_requested = QtCore.Signal()
    skip_requested = QtCore.Signal(str)
    grant_requested = QtCore.Signal(int, str)
    back_to_desktop_requested = QtCore.Signal()

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        verify: Callable[[str, str], None],
        passcode_set: Callable[[], bool],
        render_article: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self._now = now
        self._verify = verify
        self._passcode_set = passcode_set
        self._render_article = render_article
        self.decision: Decision | None = None
        self.cap_minutes: int | None = None
        self.tip: tuple[str, str | None] | None = None
        self.mirror_text = ""
        self.setObjectName("overlay-content")
        self.setMinimumWidth(560)
        self.setMaximumWidth(760)
        self.setStyleSheet(STYLE)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setSpacing(18)
        layout.addStretch(1)
        self.title = QtWidgets.QLabel()
        self.title.setObjectName("overlay-title")
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 2.4)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = QtWidgets.QLabel()
        self.subtitle.setObjectName("overlay-subtitle")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        sub_font = self.subtitle.font()
        sub_font.setPointSizeF(sub_font.pointSizeF() * 1.4)
        self.subtitle.setFont(sub_font)
        self.countdown = QtWidgets.QLabel()
        self.countdown.setObjectName("overlay-countdown")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        count_font = self.countdown.font()
        count_font.setPointSizeF(count_font.pointSizeF() * 4)
        self.countdown.setFont(count_font)
        self.countdown.setAccessibleName(_("Time left"))
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.countdown)

        self.pages = _Pages()
        layout.addWidget(self.pages)
        self.pages.addWidget(self._build_main_page())
        self.pages.addWidget(self._build_passcode_page())
        self.pages.addWidget(self._build_grant_page())
        self.pages.addWidget(self._build_reader_page())
        self.pages.setCurrentIndex(0)
        layout.addStretch(1)
        self._lockout_timer = QtCore.QTimer(self)
        self._lockout_timer.setInterval(1000)
        self._lockout_timer.timeout.connect(self._update_lockout)

    def _button(self, text: str, name: str, handler: Callable[[], None]) -> QtWidgets.QPushButton:
        button = QtWidgets.QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setMinimumHeight(40)
        button.clicked.connect(handler)
        return button

    def _build_main_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(page)
        self.tip_box = QtWidgets.QFrame()
        self.tip_box.setObjectName("overlay-tip")
        self.tip_box.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        tip_layout = QtWidgets.QVBoxLayout(self.tip_box)
        tip_layout.setContentsMargins(28, 22, 28, 14)
        self.tip_label = QtWidgets.QLabel()
        self.tip_label.setObjectName("overlay-tip-text")
        self.tip_label.setWordWrap(True)
        self.tip_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tip_label.setAccessibleName(_("Tip"))
        tip_font = self.tip_label.font()
        tip_font.setPointSizeF(tip_font.pointSizeF() * 1.25)
        self.tip_label.setFont(tip_font)
        self.read_more = self._button(_("Read more"), "overlay-read-more", self._open_article)
        self.read_more.setFlat(True)
        tip_layout.addWidget(self.tip_label)
        tip_layout.addWidget(self.read_more, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.tip_box)

        actions = QtWidgets.QHBoxLayout()
        actions.addStretch()
        self.postpone_button = self._button(
            _("Postpone 5 min"), "overlay-postpone", self.postpone_requested.emit
        )
        self.skip_button = self._button(_("Skip break"), "overlay-skip", lambda: self._ask_passcode("skip"))
        self.more_button = self._button(
            _("Ask for more time"), "overlay-more-time", lambda: self._ask_passcode("grant")
        )
        self.desktop_button = self._button(
            _("Back to desktop"), "overlay-desktop", self.back_to_desktop_requested.emit
        )
        self.action_buttons = {
            OverlayAction.POSTPONE: self.postpone_button,
            OverlayAction.SKIP: self.skip_button,
            OverlayAction.MORE_TIME: self.more_button,
            OverlayAction.BACK_TO_DESKTOP: self.desktop_button,
        }
        for button in self.action_buttons.values():
            actions.addWidget(button)
        actions.addStretch()
        layout.addLayout(actions)
        return page

    def _build_passcode_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(page)
        self.passcode_prompt = QtWidgets.QLabel()
        self.passcode_prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.passcode_field = QtWidgets.QLineEdit()
        self.passcode_field.setObjectName("overlay-passcode")
        self.passcode_field.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.passcode_field.setAccessibleName(_("Parent's passcode"))
        self.passcode_field.setPlaceholderText(_("Parent's passcode"))
        self.passcode_field.setMaximumWidth(320)
        self.passcode_field.returnPressed.connect(self._passcode_entered)
        self.passcode_message = QtWidgets.QLabel()
        self.passcode_message.setObjectName("overlay-passcode-message")
        self.passcode_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QtWidgets.QHBoxLayout()
        row.addStretch()
        row.addWidget(self._button(_("Cancel"), "overlay-passcode-cancel", self._back_to_main))
        self.passcode_ok = self._button(_("OK"), "overlay-passcode-ok", self._passcode_entered)
        row.addWidget(self.passcode_ok)
        row.addStretch()
        layout.addWidget(self.passcode_prompt)
        layout.addWidget(self.passcode_field, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.passcode_message)
        layout.addLayout(row)
        return page

    def _build_grant_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(page)
        label = QtWidgets.QLabel(_("How much more time?"))
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(label)
        row = QtWidgets.QHBoxLayout()
        row.addStretch()
        self.grant_buttons: dict[int, QtWidgets.QPushButton] = {}
        for minutes in GRANT_CHOICES:
            button = self._button(
                _("+{minutes} min").format(minutes=minutes),
                f"overlay-grant-{minutes}",
                functools.partial(self._grant, minutes),
            )
            self.grant_buttons[minutes] = button
            row.addWidget(button)
        row.addWidget(self._button(_("Cancel"), "overlay-grant-cancel", self._back_to_main))
        row.addStretch()
        layout.addLayout(row)
        return page

    def _build_reader_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(page)
        self.reader = QtWidgets.QTextBrowser()
        self.reader.setObjectName("overlay-reader")
        self.reader.setOpenLinks(False)
        self.reader.setAccessibleName(_("Article"))
        self.reader.setMinimumHeight(360)
        layout.addWidget(self.reader)
        layout.addWidget(
            self._button(_("Back"), "overlay-reader-back", self._back_to_main),
            0,
            Qt.AlignmentFlag.AlignCenter,
        )
        return page

    # --- showing ----------------------------------------------------------------------------------

    def present(
        self, decision: Decision, *, cap_minutes: int | None, tip: tuple[str, str | None] | None
    ) -> None:
        """Show (or update) a BREAK or BLOCK decision; a different kind starts on the main page
        with `tip`, (text, related article id)."""
        fresh = self.decision is None or (self.decision.verdict, self.decision.reason) != (
            decision.verdict,
            decision.reason,
        )
        self.decision = decision
        self.cap_minutes = cap_minutes
        if fresh:
            self.tip = tip
            self.pages.setCurrentIndex(0)
        self.update_texts()

    def clear(self) -> None:
        self.decision = None
        self._lockout_timer.stop()

    def update_texts(self) -> None:
        decision = self.decision
        if decision is None:
            return
        now = self._now()
        title, line = headline(decision, self.cap_minutes, now)
        self.title.setText(title)
        self.subtitle.setText(line)
        self.mirror_text = f"{title}\n{line}"
        kind = overlay_kind(decision)
        if kind is None:
            return
        if kind.countdown and decision.until is not None:
            self.countdown.setText(_left_text((decision.until - now).total_seconds()))
            self.countdown.show()
        else:
            self.countdown.hide()
        if self.tip:
            self.tip_label.setText(self.tip[0])
            self.tip_box.show()
            self.read_more.setVisible(bool(self.tip[1]) and self._render_article is not None)
        else:
            self.tip_box.hide()
        for action, button in self.action_buttons.items():
            button.setVisible(kind.offers(action, decision))

    # --- actions ------------------------------------------------------------------------------------

    def _back_to_main(self) -> None:
        self._lockout_timer.stop()
        self.pages.setCurrentIndex(0)

    def _ask_passcode(self, purpose: str) -> None:
        self._purpose = purpose
        if not self._passcode_set():
            self._passcode_accepted("")
            return
        prompts = {
            "skip": _("A parent's passcode is needed to skip this break."),
            "grant": _("A parent can give more time with the passcode."),
        }
        self.passcode_prompt.setText(prompts[purpose])
        self.passcode_field.clear()
        self.passcode_message.clear()
        self.pages.setCurrentIndex(1)
        self.passcode_field.setFocus()
        self._update_lockout()

    def _passcode_entered(self) -> None:
        passcode = self.passcode_field.text()
        purpose = N_("skip a break") if self._purpose == "skip" else N_("grant more time")
        try:
            self._verify(passcode, purpose)
        except PasscodeError as error:
            self.passcode_field.clear()
            self.passcode_message.setText(localize(error))
            self._update_lockout()
            return
        self._passcode_accepted(passcode)

    def _passcode_accepted(self, passcode: str) -> None:
        self._passcode = passcode
        if self._purpose == "skip":
            self.pages.setCurrentIndex(0)
            self.skip_requested.emit(passcode)
        else:
            self.pages.setCurrentIndex(2)

    def _grant(self, minutes: int) -> None:
        self.pages.setCurrentIndex(0)
        self.grant_requested.emit(minutes, getattr(self, "_passcode", ""))

    def set_lockout(self, until: Callable[[], datetime | None]) -> None:
        self._lockout = until

    def _update_lockout(self) -> None:
        lockout = getattr(self, "_lockout", None)
        until = lockout() if lockout is not None else None
        locked = until is not None
        self.passcode_field.setEnabled(not locked)
        self.passcode_ok.setEnabled(not locked)
        if locked and until is not None:
            left = (until - self._now()).total_seconds()
            self.passcode_message.setText(
                _("Too many wrong tries. Try again in {left}").format(left=_left_text(left))
            )
            self._lockout_timer.start()
        else:
            self._lockout_timer.stop()

    def _open_article(self) -> None:
        if not self.tip or not self.tip[1] or self._render_article is None:
            return
        markdown = self._render_article(self.tip[1])
        if markdown is None:
            return
        self.reader.setMarkdown(markdown)
        self.pages.setCurrentIndex(3)
