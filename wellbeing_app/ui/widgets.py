"""Small painted widgets: today's usage ring, time per app, the last seven days, and the tray icon."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from wellbeing_app.core.record import record
from wellbeing_app.i18n import _
from wellbeing_app.ui.qt import Qt, QtCore, QtGui, QtWidgets

#: Minutes left under the cap from which the ring turns amber.
WARN_MINUTES = 10

# Mid-luminance tones that read on light and dark palettes alike; backgrounds and text always
# come from the palette.
GOOD = QtGui.QColor("#3c9a5f")
WARN = QtGui.QColor("#e39b1b")
OVER = QtGui.QColor("#d9453d")


def format_minutes(minutes: float) -> str:
    """'45 min', '1 h 05 min' — whole minutes, rounded down."""
    whole = max(0, math.floor(minutes + 1e-9))
    if whole < 60:
        return _("{minutes} min").format(minutes=whole)
    return _("{hours} h {minutes:02d} min").format(hours=whole // 60, minutes=whole % 60)


def tone_for(used_minutes: float, cap_minutes: float | None, palette: QtGui.QPalette) -> QtGui.QColor:
    """Grey without a cap, amber in the last ten minutes, red at the cap, green before."""
    if cap_minutes is None:
        return palette.color(QtGui.QPalette.ColorRole.Mid)
    if used_minutes >= cap_minutes:
        return QtGui.QColor(OVER)
    if cap_minutes - used_minutes <= WARN_MINUTES:
        return QtGui.QColor(WARN)
    return QtGui.QColor(GOOD)


def is_dark(palette: QtGui.QPalette) -> bool:
    return palette.color(QtGui.QPalette.ColorRole.Window).lightness() < 128


def alert_colour(palette: QtGui.QPalette) -> QtGui.QColor:
    """Red text for refusals, dark on light palettes and light on dark ones."""
    return QtGui.QColor("#ff8a80") if is_dark(palette) else QtGui.QColor("#b3261e")


def _track_colour(palette: QtGui.QPalette) -> QtGui.QColor:
    """The unfilled part of rings and bars: the text colour, faint, so it shows on any background."""
    colour = palette.color(QtGui.QPalette.ColorRole.WindowText)
    colour.setAlphaF(0.14)
    return colour


def _faint_text(palette: QtGui.QPalette) -> QtGui.QColor:
    colour = palette.color(QtGui.QPalette.ColorRole.WindowText)
    colour.setAlphaF(0.65)
    return colour


def _fit_font(
    base: QtGui.QFont, text: str, width: float, largest_px: int, smallest_px: int = 7
) -> QtGui.QFont:
    """The largest pixel size (down to a floor) at which `text` fits `width`."""
    font = QtGui.QFont(base)
    size = max(smallest_px, largest_px)
    while size > smallest_px:
        font.setPixelSize(size)
        if QtGui.QFontMetricsF(font).horizontalAdvance(text) <= width:
            return font
        size -= 1
    font.setPixelSize(smallest_px)
    return font


class UsageRing(QtWidgets.QWidget):
    """Share of today's cap used, as a ring with "32 / 60 min" in the middle."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._used = 0.0
        self._cap: int | None = None
        self.setAccessibleName(_("Screen time today"))
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Preferred)
        self._describe()

    def set_usage(self, used_minutes: float, cap_minutes: int | None) -> None:
        self._used, self._cap = max(0.0, used_minutes), cap_minutes
        self._describe()
        self.update()

    def used_minutes(self) -> float:
        return self._used

    def cap_minutes(self) -> int | None:
        return self._cap

    def text(self) -> str:
        """The words in the middle of the ring."""
        used = math.floor(self._used + 1e-9)
        if self._cap is None:
            return _("{used} min").format(used=used)
        return _("{used} / {cap} min").format(used=used, cap=self._cap)

    def subtitle(self) -> str:
        if self._cap is None:
            return _("no cap")
        if self._used >= self._cap:
            return _("time is up")
        return _("{left} min left").format(left=math.ceil(self._cap - self._used - 1e-9))

    def tone(self) -> QtGui.QColor:
        return tone_for(self._used, self._cap, self.palette())

    def _describe(self) -> None:
        if self._cap is None:
            text = _("{used} minutes used today; no daily cap").format(used=math.floor(self._used))
        else:
            text = _("{used} of {cap} minutes used today").format(used=math.floor(self._used), cap=self._cap)
        self.setAccessibleDescription(text)
        self.setToolTip(text)

    def sizeHint(self) -> QtCore.QSize:
        side = self.fontMetrics().height() * 9
        return QtCore.QSize(side, side)

    def minimumSizeHint(self) -> QtCore.QSize:
        side = self.fontMetrics().height() * 6
        return QtCore.QSize(side, side)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        side = min(self.width(), self.height())
        thickness = max(4.0, side * 0.09)
        box = QtCore.QRectF(0, 0, side - thickness, side - thickness)
        box.moveCenter(QtCore.QRectF(self.rect()).center())
        pen = QtGui.QPen(_track_colour(palette), thickness)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(pen)
        painter.drawEllipse(box)
        if self._cap:
            fraction = min(1.0, self._used / self._cap)
            if fraction > 0:
                pen.setColor(self.tone())
                pen.setCapStyle(Qt.PenCapStyle.RoundCap if fraction < 1 else Qt.PenCapStyle.FlatCap)
                painter.setPen(pen)
                painter.drawArc(box, 90 * 16, -round(fraction * 360 * 16))
        inner = side - 2.6 * thickness
        main = _fit_font(self.font(), self.text(), inner * 0.8, round(side * 0.15))
        sub = _fit_font(self.font(), self.subtitle(), inner * 0.75, round(side * 0.085))
        main_height = QtGui.QFontMetricsF(main).height()
        sub_height = QtGui.QFontMetricsF(sub).height()
        centre = box.center()
        top = centre.y() - (main_height + sub_height) / 2
        painter.setPen(palette.color(QtGui.QPalette.ColorRole.WindowText))
        painter.setFont(main)
        painter.drawText(
            QtCore.QRectF(centre.x() - inner / 2, top, inner, main_height),
            int(Qt.AlignmentFlag.AlignCenter),
            self.text(),
        )
        painter.setPen(_faint_text(palette))
        painter.setFont(sub)
        painter.drawText(
            QtCore.QRectF(centre.x() - inner / 2, top + main_height, inner, sub_height),
            int(Qt.AlignmentFlag.AlignCenter),
            self.subtitle(),
        )
        painter.end()


@record
class AppBar:
    """One application's row: its name, its minutes, whether they count toward the cap."""

    name: str
    minutes: float
    counted: bool = True


class AppBars(QtWidgets.QWidget):
    """Time per app as horizontal bars, with the app's name on the left and minutes on the right."""

    def __init__(self, parent: QtWidgets.QWidget | None = None, *, most: int = 8) -> None:
        super().__init__(parent)
        self._bars: list[AppBar] = []
        self._most = most
        self.setAccessibleName(_("Time per app"))
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)
        self._describe()

    def set_usage(self, bars: Sequence[AppBar]) -> None:
        """The apps to show, most used first; past `most` rows the rest are summed as "Other"."""
        ordered = sorted((b for b in bars if b.minutes >= 0.5), key=lambda b: -b.minutes)
        if len(ordered) > self._most:
            rest = ordered[self._most - 1 :]
            ordered = [
                *ordered[: self._most - 1],
                AppBar(_("Other apps"), sum(b.minutes for b in rest), any(b.counted for b in rest)),
            ]
        if ordered != self._bars:
            self._bars = ordered
            self._describe()
            self.updateGeometry()
            self.update()

    def bars(self) -> list[AppBar]:
        return list(self._bars)

    def row_texts(self) -> list[str]:
        """What each row says, as a screen reader reads it."""
        rows = []
        for bar in self._bars:
            text = f"{bar.name}: {format_minutes(bar.minutes)}"
            if not bar.counted:
                text += " " + _("(not counted)")
            rows.append(text)
        return rows

    def _describe(self) -> None:
        text = "; ".join(self.row_texts()) if self._bars else self.empty_text()
        self.setAccessibleDescription(text)

    @staticmethod
    def empty_text() -> str:
        return _("No use recorded yet today")

    def _row_height(self) -> int:
        return round(self.fontMetrics().height() * 1.7)

    def sizeHint(self) -> QtCore.QSize:
        rows = max(1, len(self._bars))
        return QtCore.QSize(self.fontMetrics().averageCharWidth() * 50, rows * self._row_height() + 4)

    def minimumSizeHint(self) -> QtCore.QSize:
        rows = max(1, len(self._bars))
        return QtCore.QSize(self.fontMetrics().averageCharWidth() * 30, rows * self._row_height() + 4)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        metrics = self.fontMetrics()
        text_colour = palette.color(QtGui.QPalette.ColorRole.WindowText)
        if not self._bars:
            painter.setPen(_faint_text(palette))
            painter.drawText(
                self.rect(),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                self.empty_text(),
            )
            painter.end()
            return
        row = self._row_height()
        gap = metrics.averageCharWidth()
        widest_name = max(metrics.horizontalAdvance(b.name) for b in self._bars)
        name_width = min(widest_name, round(self.width() * 0.35))
        minutes_width = max(metrics.horizontalAdvance(format_minutes(b.minutes)) for b in self._bars)
        bar_left = name_width + gap
        bar_space = max(10, self.width() - bar_left - gap - minutes_width - 2)
        longest = max(b.minutes for b in self._bars) or 1.0
        bar_height = max(4.0, metrics.height() * 0.7)
        for index, bar in enumerate(self._bars):
            top = index * row + 2
            middle = top + row / 2
            painter.setPen(text_colour)
            name = metrics.elidedText(bar.name, Qt.TextElideMode.ElideRight, name_width)
            painter.drawText(
                QtCore.QRectF(0, top, name_width, row),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                name,
            )
            track = QtCore.QRectF(bar_left, middle - bar_height / 2, bar_space, bar_height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_track_colour(palette))
            painter.drawRoundedRect(track, bar_height / 2, bar_height / 2)
            filled = QtCore.QRectF(track)
            filled.setWidth(max(bar_height, bar_space * bar.minutes / longest))
            painter.setBrush(
                QtGui.QColor(GOOD) if bar.counted else palette.color(QtGui.QPalette.ColorRole.Mid)
            )
            painter.drawRoundedRect(filled, bar_height / 2, bar_height / 2)
            painter.setPen(text_colour)
            painter.drawText(
                QtCore.QRectF(self.width() - minutes_width - 2, top, minutes_width, row),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                format_minutes(bar.minutes),
            )
        painter.end()


@record
class DayBar:
    """One day of the week chart: counted minutes and that day's cap (None: no cap)."""

    day: date
    minutes: float
    cap_minutes: int | None
    is_today: bool = False


def weekday_name(weekday: int) -> str:
    """Monday … Sunday, numbered like `date.weekday()`."""
    names = (
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    )
    return names[weekday]


def flush_layout(widget: QtWidgets.QWidget, *, vertical: bool = False) -> QtWidgets.QBoxLayout:
    """A row (or column) that fills `widget` edge to edge, for controls that sit inside a form."""
    layout: QtWidgets.QBoxLayout = (
        QtWidgets.QVBoxLayout(widget) if vertical else QtWidgets.QHBoxLayout(widget)
    )
    layout.setContentsMargins(0, 0, 0, 0)
    return layout


def weekday_short(day: date) -> str:
    names = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
    return names[day.weekday()]


class WeekChart(QtWidgets.QWidget):
    """The last seven days: a bar per day, each day's cap as a dashed line, the day below."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._days: list[DayBar] = []
        self.setAccessibleName(_("Screen time in the last 7 days"))
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Preferred)
        self._describe()

    def set_days(self, days: Sequence[DayBar]) -> None:
        if list(days) != self._days:
            self._days = list(days)
            self._describe()
            self.update()

    def days(self) -> list[DayBar]:
        return list(self._days)

    def label_of(self, bar: DayBar) -> str:
        return _("Today") if bar.is_today else weekday_short(bar.day)

    def _describe(self) -> None:
        parts = []
        for bar in self._days:
            part = f"{self.label_of(bar)}: {format_minutes(bar.minutes)}"
            if bar.cap_minutes is not None:
                part += " " + _("of {cap}").format(cap=bar.cap_minutes)
            parts.append(part)
        self.setAccessibleDescription("; ".join(parts) if parts else _("No days to show"))

    def sizeHint(self) -> QtCore.QSize:
        height = self.fontMetrics().height()
        return QtCore.QSize(height * 26, height * 11)

    def minimumSizeHint(self) -> QtCore.QSize:
        height = self.fontMetrics().height()
        return QtCore.QSize(height * 16, height * 8)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_colour = palette.color(QtGui.QPalette.ColorRole.WindowText)
        small = QtGui.QFont(self.font())
        small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.85))
        metrics = QtGui.QFontMetricsF(small)
        painter.setFont(small)
        line = metrics.height()
        plot = QtCore.QRectF(0, line * 1.3, self.width(), self.height() - line * 2.8)
        if not self._days or plot.height() <= 4:
            painter.end()
            return
        caps = [b.cap_minutes for b in self._days if b.cap_minutes is not None]
        scale = max([60.0, *(b.minutes for b in self._days), *caps]) * 1.08
        slot = plot.width() / len(self._days)
        bar_width = min(slot * 0.55, line * 3)

        def y_of(minutes: float) -> float:
            return plot.bottom() - plot.height() * min(minutes, scale) / scale

        baseline = QtGui.QPen(_track_colour(palette), 1)
        painter.setPen(baseline)
        painter.drawLine(
            QtCore.QPointF(plot.left(), plot.bottom()), QtCore.QPointF(plot.right(), plot.bottom())
        )
        # The cap first, under the bars: a dashed segment across each day's slot, so that equal
        # caps join into one line.
        cap_pen = QtGui.QPen(_faint_text(palette), max(1.0, line / 10), Qt.PenStyle.DashLine)
        painter.setPen(cap_pen)
        for index, bar in enumerate(self._days):
            if bar.cap_minutes is not None:
                y = y_of(bar.cap_minutes)
                painter.drawLine(
                    QtCore.QPointF(plot.left() + slot * index, y),
                    QtCore.QPointF(plot.left() + slot * (index + 1), y),
                )
        if caps:
            legend = _("daily cap")
            text_width = metrics.horizontalAdvance(legend)
            sample = line * 1.6
            right = plot.right()
            painter.drawLine(
                QtCore.QPointF(right - text_width - sample - line * 0.4, line * 0.6),
                QtCore.QPointF(right - text_width - line * 0.4, line * 0.6),
            )
            painter.setPen(_faint_text(palette))
            painter.drawText(
                QtCore.QRectF(right - text_width, 0, text_width, line * 1.2),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                legend,
            )
        window = palette.color(QtGui.QPalette.ColorRole.Window)
        for index, bar in enumerate(self._days):
            centre = plot.left() + slot * (index + 0.5)
            top = y_of(bar.minutes)
            if bar.minutes > 0:
                over = bar.cap_minutes is not None and bar.minutes >= bar.cap_minutes
                painter.setPen(Qt.PenStyle.NoPen)
                colour = QtGui.QColor(OVER if over else GOOD)
                if not bar.is_today:
                    colour.setAlphaF(0.8)
                painter.setBrush(colour)
                rect = QtCore.QRectF(centre - bar_width / 2, top, bar_width, plot.bottom() - top)
                radius = min(bar_width / 4, rect.height() / 2)
                painter.drawRoundedRect(rect, radius, radius)
            value = str(math.floor(bar.minutes + 1e-9))
            value_width = metrics.horizontalAdvance(value) + line * 0.4
            value_box = QtCore.QRectF(centre - value_width / 2, top - line * 1.15, value_width, line)
            # A patch of the window's own colour keeps the number clear of the dashed cap line.
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(window)
            painter.drawRoundedRect(value_box, line / 4, line / 4)
            painter.setPen(text_colour)
            painter.drawText(value_box, int(Qt.AlignmentFlag.AlignCenter), value)
            label_font = QtGui.QFont(small)
            label_font.setBold(bar.is_today)
            painter.setFont(label_font)
            painter.drawText(
                QtCore.QRectF(centre - slot / 2, plot.bottom() + line * 0.3, slot, line * 1.2),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                self.label_of(bar),
            )
            painter.setFont(small)
        painter.end()


def ring_icon(
    used_fraction: float | None,
    size: int,
    *,
    minutes_left: float | None = None,
    device_pixel_ratio: float = 1.0,
) -> QtGui.QPixmap:
    """A tray icon: a dark disc with a light rim that fills clockwise like a pie.

    `used_fraction` is the share of today's cap used (None: no cap, a grey disc). The pie turns
    amber when `minutes_left` is 10 or less (or, without it, past 85 %) and red at the cap. The
    rim and the disc contrast with each other, so the icon reads on light and dark panels.
    """
    ratio = max(1.0, device_pixel_ratio)
    pixels = max(1, round(size * ratio))
    pixmap = QtGui.QPixmap(pixels, pixels)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(pixmap)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    rim = max(1.0, pixels / 14)
    disc = QtCore.QRectF(rim / 2, rim / 2, pixels - rim, pixels - rim)
    painter.setPen(QtGui.QPen(QtGui.QColor(250, 250, 250, 235), rim))
    painter.setBrush(QtGui.QColor(48, 48, 52, 235))
    painter.drawEllipse(disc)
    if used_fraction is None:
        tone = QtGui.QColor(150, 150, 150)
        fraction = 0.0
    else:
        fraction = min(1.0, max(0.0, used_fraction))
        if fraction >= 1.0:
            tone = QtGui.QColor(OVER)
        elif (minutes_left is not None and minutes_left <= WARN_MINUTES) or (
            minutes_left is None and fraction >= 0.85
        ):
            tone = QtGui.QColor(WARN)
        else:
            tone = QtGui.QColor(GOOD).lighter(115)
    pie = disc.adjusted(rim, rim, -rim, -rim)
    painter.setPen(Qt.PenStyle.NoPen)
    if used_fraction is None:
        painter.setBrush(tone)
        centre = pie.center()
        dot = pie.width() * 0.3
        painter.drawEllipse(centre, dot, dot)
    elif fraction >= 1.0:
        painter.setBrush(tone)
        painter.drawEllipse(pie)
    elif fraction > 0:
        painter.setBrush(tone)
        painter.drawPie(pie, 90 * 16, -max(16 * 8, round(fraction * 360 * 16)))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap
