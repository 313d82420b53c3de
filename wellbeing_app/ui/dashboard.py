"""The dashboard: today at a glance, the last seven days, breaks, and what happened, in words."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, assert_never

from wellbeing_app.core.blocks import block_kind
from wellbeing_app.core.errors import SettingError, StorageError
from wellbeing_app.core.events import (
    BlockPayload,
    BreakNaturalPayload,
    BreakNoticePayload,
    BreakPostponedPayload,
    BreakSkippedPayload,
    BreakStartedPayload,
    BreakTakenPayload,
    ClockJumpPayload,
    DataDeletedPayload,
    DataImportedPayload,
    FileRefusedPayload,
    GrantPayload,
    OtherDisplayPayload,
    OverlayHiddenPayload,
    PasscodeChangedPayload,
    PasscodeFailedPayload,
    PasscodeLockedOutPayload,
    PasscodeOkPayload,
    RecordsRestoredPayload,
    SessionEndedPayload,
    SessionLockedPayload,
    SettingChangedPayload,
    StartChangedPayload,
    SuspendPayload,
    TrackingGapPayload,
    TrackingPausedPayload,
    TrackingStartedPayload,
    TrackingStoppedPayload,
    UnreadablePayload,
    UnwatchedPayload,
    WarningPayload,
    ZoneChangedPayload,
)
from wellbeing_app.core.model import AppRef, Event, EventKind, LockReason, Verdict
from wellbeing_app.core.policy import is_exempt
from wellbeing_app.core.settings import Settings, Weekday
from wellbeing_app.i18n import _, localize, ngettext
from wellbeing_app.service import ServiceError, Status
from wellbeing_app.ui.passcode_dialog import message_label, sentence, show_message
from wellbeing_app.ui.qt import Qt, QtWidgets
from wellbeing_app.ui.widgets import (
    AppBar,
    AppBars,
    DayBar,
    UsageRing,
    WeekChart,
    format_minutes,
    weekday_name,
)

if TYPE_CHECKING:
    from wellbeing_app.service import Service

#: The break events counted in the dashboard's table, in its order.
BREAK_KINDS = (
    EventKind.BREAK_TAKEN,
    EventKind.BREAK_NATURAL,
    EventKind.BREAK_POSTPONED,
    EventKind.BREAK_SKIPPED,
)


def format_duration(seconds: float) -> str:
    """'45 s', '12 min', '2 h 5 min', '1 day', '3 days 2 h' — rounded to the minute past a minute."""
    if abs(seconds) < 60:
        whole = round(abs(seconds))
        return ngettext("{n} second", "{n} seconds", whole).format(n=whole)
    minutes = round(abs(seconds) / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("{n} day", "{n} days", days).format(n=days))
    if hours:
        parts.append(_("{n} h").format(n=hours))
    if minutes and not days:
        parts.append(_("{n} min").format(n=minutes))
    return " ".join(parts)


def _until(until: datetime | None, at: datetime) -> str:
    """'until 07:00', or 'until 07:00 the next day' when it is not the same calendar day."""
    if until is None:
        return ""
    local = until.astimezone(at.tzinfo)
    if local.date() == at.date():
        return _("until {time}").format(time=f"{local:%H:%M}")
    if local.date() == at.date() + timedelta(days=1):
        return _("until {time} the next day").format(time=f"{local:%H:%M}")
    return _("until {day} {time}").format(day=f"{local:%d.%m}", time=f"{local:%H:%M}")


def _setting_text(key: str, value: Any) -> str:
    try:
        spec = Settings.spec(key)
        return str(spec.type.to_text(Settings.check_json(key, value)))
    except SettingError:
        return str(value)


def _purpose(purpose: str | None) -> str:
    return _(purpose) if purpose else ""


def describe_event(event: Event) -> str:
    """One plain sentence for a parent about what happened (without the time)."""
    match event.payload:
        case WarningPayload(minutes_left=left):
            return ngettext(
                "Warned: {n} minute of screen time left", "Warned: {n} minutes of screen time left", left
            ).format(n=left)
        case BreakNoticePayload():
            return _("Told that a break is coming")
        case BreakStartedPayload(forced=forced, minutes=length):
            minutes = round(length)
            if forced is False:
                return _("A break was started early, by choice")
            if minutes:
                return ngettext("A {n}-minute break began", "A {n}-minute break began", minutes).format(
                    n=minutes
                )
            return _("A break began")
        case BreakTakenPayload():
            return _("Break taken")
        case BreakNaturalPayload(away_seconds=away):
            if away:
                return _("Natural break: away for {duration}").format(duration=format_duration(away))
            return _("Natural break")
        case BreakPostponedPayload(minutes=minutes):
            return ngettext("Break put off by {n} minute", "Break put off by {n} minutes", minutes).format(
                n=minutes
            )
        case BreakSkippedPayload():
            return _("Break skipped")
        case BlockPayload(reason=reason, until=until_time, app=app):
            until = _until(until_time, event.at)
            text = _(block_kind(reason).record or "").format(app=app or _("an app"))
            return f"{text} {until}" if until else text
        case GrantPayload(minutes=minutes, until=until_time):
            if minutes is not None:
                return ngettext("{n} more minute granted", "{n} more minutes granted", minutes).format(
                    n=minutes
                )
            until = _until(until_time, event.at)
            return _("Free time granted {until}").format(until=until) if until else _("More time granted")
        case PasscodeOkPayload(purpose=purpose):
            return (
                _("The passcode was entered to {purpose}").format(purpose=_purpose(purpose))
                if purpose
                else _("The passcode was entered")
            )
        case PasscodeFailedPayload(purpose=purpose):
            return (
                _("A wrong passcode was entered (trying to {purpose})").format(purpose=_purpose(purpose))
                if purpose
                else _("A wrong passcode was entered")
            )
        case PasscodeLockedOutPayload(until=until_time):
            until = _until(until_time, event.at)
            text = _("Too many wrong passcodes: entry locked")
            return f"{text} {until}" if until else text
        case PasscodeChangedPayload(set=is_set):
            return _("A passcode was set") if is_set else _("The passcode was removed")
        case SettingChangedPayload(key=key, old=old, new=new):
            try:
                name = _(Settings.spec(key).description)
            except SettingError:
                name = key
            return _("Setting changed: {setting}: {old} → {new}").format(
                setting=name, old=_setting_text(key, old), new=_setting_text(key, new)
            )
        case ClockJumpPayload(seconds=seconds):
            if seconds >= 0:
                return _("Clock moved forward by {duration}").format(duration=format_duration(seconds))
            return _("Clock moved back by {duration}").format(duration=format_duration(seconds))
        case ZoneChangedPayload(old=old, new=new):
            return _("Time zone changed from {old} to {new}").format(old=old or "?", new=new or "?")
        case SuspendPayload(seconds=seconds):
            return _("The computer slept for {duration}").format(duration=format_duration(seconds))
        case UnwatchedPayload(seconds=seconds):
            return _("Wellbeing could not watch for {duration} while the computer was in use").format(
                duration=format_duration(seconds)
            )
        case TrackingStartedPayload():
            return _("Wellbeing started")
        case TrackingStoppedPayload(how=how):
            if how == "signal":
                return _("Wellbeing was stopped from outside (a log-out, a shut-down, or a kill command)")
            return _("Wellbeing was closed")
        case TrackingGapPayload(seconds=seconds, same_boot=same_boot):
            duration = format_duration(seconds)
            if same_boot is False:
                return _("Wellbeing was not running for {duration} (the computer was restarted)").format(
                    duration=duration
                )
            return _("Wellbeing was not running for {duration} (closed or killed)").format(duration=duration)
        case TrackingPausedPayload(minutes=minutes):
            return _("Tracking paused for {duration}").format(duration=format_duration(minutes * 60))
        case DataDeletedPayload():
            return _("All records were deleted")
        case DataImportedPayload(spans=spans, events=events):
            return _("Records imported: {spans} stretches of use, {events} events").format(
                spans=spans, events=events
            )
        case RecordsRestoredPayload():
            return _("The records file was deleted while Wellbeing was running; it was written back")
        case StartChangedPayload(what="environment", detail=detail):
            return _("Wellbeing was started with something that can change what it sees: {detail}").format(
                detail=detail or "?"
            )
        case StartChangedPayload(detail=detail):
            return _(
                "The entry that starts Wellbeing at login had been changed ({detail}); it was put right"
            ).format(detail=detail or "?")
        case OtherDisplayPayload(display=display):
            return _(
                "Another display was started in this account ({display}); Wellbeing does not see what runs on it"
            ).format(display=display or "?")
        case OverlayHiddenPayload(how=how, then=then, why=why):
            way = {
                "unmapped": _("hid it"),
                "destroyed": _("destroyed its window"),
                "moved": _("moved it into another window"),
                "covered": _("covered it with a window of its own"),
                "focus": _("took the keyboard from it"),
                "fullscreen": _("took it out of full screen"),
                "workspace": _("moved it to another workspace"),
                "minimised": _("minimised it"),
                "kept-above": _("set another window to stay above it"),
                "unheld": _("cut what keeps it in front"),
            }.get(how, how or "?")
            if then == "locked":
                return _(
                    "Another program took the limit screen out of view ({way}) and it could not be put "
                    "back on this desktop: the session was locked ({why})"
                ).format(way=way, why=why or "?")
            if then:
                return _(
                    "Another program took the limit screen out of view ({way}) and it could not be put "
                    "back on this desktop; the session could not be locked either ({why})"
                ).format(way=way, why=why or "?")
            return _(
                "Another program tried to take the limit screen out of view ({way}); it was put back on top"
            ).format(way=way)
        case SessionLockedPayload(reason=reason, count=count, limit=limit, error=error):
            why = _lock_reason(reason)
            if error:
                return _(
                    "Wellbeing tried to lock the session because {why}, but it did not lock: {error}"
                ).format(why=why, error=error)
            if limit and count:
                return _(
                    "The session was locked because {why} (lock {count} of {limit} before it is ended)"
                ).format(why=why, count=count, limit=limit)
            return _("The session was locked because {why}").format(why=why)
        case SessionEndedPayload(locks=locks, error=error):
            if error:
                return ngettext(
                    "Wellbeing tried to end the session after {n} lock, but it did not end: {error}",
                    "Wellbeing tried to end the session after {n} locks, but it did not end: {error}",
                    locks,
                ).format(n=locks, error=error)
            return ngettext(
                "The session was ended: {n} lock did not keep the counted apps away",
                "The session was ended: {n} locks did not keep the counted apps away",
                locks,
            ).format(n=locks)
        case FileRefusedPayload(file="database", why=why):
            return _(
                "The records file had been replaced by something else ({why}); it was moved aside and a new one begun"
            ).format(why=why or "?")
        case FileRefusedPayload(why=why):
            return _(
                "The file of the last few seconds' records had been replaced ({why}); it was moved aside and a new one begun"
            ).format(why=why or "?")
        case UnreadablePayload():
            return _("Something happened: {kind}").format(kind=event.kind.value)
        case unknown:
            assert_never(unknown)


def _lock_reason(reason: LockReason | None) -> str:
    match reason:
        case LockReason.OVERLAY_DOWN:
            return _("the limit screen was not up")
        case LockReason.APP_IN_FRONT:
            return _("a counted app stayed in front")
        case LockReason.UNLOCKED:
            return _("it was unlocked while the limit stood")
        case LockReason.NOT_LOCKED:
            return _("the last lock did not take")
        case None:
            return _("a limit stood")
        case unknown:
            assert_never(unknown)


def local_event(event: Event, zone: tzinfo | None) -> Event:
    """The event with its time in the local zone (records made by the service are in UTC)."""
    return event if zone is None else replace(event, at=event.at.astimezone(zone))


def event_line(event: Event, zone: tzinfo | None = None) -> str:
    """'14:05 · 15 more minutes granted', at the local time of `zone` (else the event's own)."""
    local = local_event(event, zone)
    return f"{local.at:%H:%M} · {describe_event(local)}"


def day_heading(day: date, today: date) -> str:
    if day == today:
        return _("Today")
    if day == today - timedelta(days=1):
        return _("Yesterday")
    return f"{weekday_name(day.weekday())} {day:%d.%m}"


def _heading(text: str, parent: QtWidgets.QWidget) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


class Dashboard(QtWidgets.QWidget):
    """Today's ring, time per app, the last seven days, breaks and the record, for a parent.

    Reads only; `refresh()` re-reads the service (the app calls it every few seconds while the
    window is visible).
    """

    def __init__(self, service: Service, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self._service = service
        self._events_key: tuple[int, str | None, date | None] = (-1, None, None)
        self.setWindowTitle(_("Wellbeing — Dashboard"))
        self.setAccessibleName(_("Wellbeing dashboard"))

        self.ring = UsageRing(self)
        self.headline = _heading("", self)
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName(_("Today"))
        self.details = QtWidgets.QLabel(self)
        self.details.setWordWrap(True)
        self.details.setAccessibleName(_("Today in detail"))
        self.bars = AppBars(self)
        self.week = WeekChart(self)
        self.problem = message_label(self, name=_("Problem reading the records"))

        self.breaks = QtWidgets.QTableWidget(len(BREAK_KINDS), 2, self)
        self.breaks.setAccessibleName(_("Breaks today and this week"))
        self.breaks.setHorizontalHeaderLabels([_("Today"), _("Last 7 days")])
        self.breaks.setVerticalHeaderLabels(
            [_("Taken"), _("Natural (time away)"), _("Put off"), _("Skipped")]
        )
        self.breaks.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.breaks.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.breaks.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.breaks.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.breaks.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.breaks.verticalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.breaks.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)
        self.breaks.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.events = QtWidgets.QListWidget(self)
        self.events.setAccessibleName(_("What happened in the last 7 days, newest first"))
        self.events.setWordWrap(True)
        self.events.setAlternatingRowColors(True)
        self.events.setUniformItemSizes(False)

        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.ring)
        words = QtWidgets.QVBoxLayout()
        words.addStretch(1)
        words.addWidget(self.headline)
        words.addWidget(self.details)
        words.addStretch(1)
        top.addLayout(words, 1)

        left = QtWidgets.QVBoxLayout()
        left.addLayout(top)
        apps_heading = _heading(_("Time per app today"), self)
        left.addWidget(apps_heading)
        left.addWidget(self.bars)
        self.bars_note = QtWidgets.QLabel(
            _("Grey bars: always allowed apps, which do not count toward the cap."), self
        )
        self.bars_note.setWordWrap(True)
        left.addWidget(self.bars_note)
        left.addWidget(_heading(_("Breaks"), self))
        left.addWidget(self.breaks)
        left.addStretch(1)

        right = QtWidgets.QVBoxLayout()
        right.addWidget(_heading(_("The last 7 days"), self))
        right.addWidget(self.week)
        events_heading = _heading(_("What happened"), self)
        events_heading.setBuddy(self.events)
        right.addWidget(events_heading)
        right.addWidget(self.events, 1)

        columns = QtWidgets.QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addSpacing(self.fontMetrics().height())
        columns.addLayout(right, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addLayout(columns, 1)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 170, metrics.height() * 42)
        self.refresh()

    # --- reading --------------------------------------------------------------------------------

    def refresh(self) -> None:
        try:
            status = self._service.status()
            self._show_today(status)
            self._show_week(status)
            self._show_events(status.day)
        except (StorageError, ServiceError) as error:
            show_message(
                self.problem,
                _("The records cannot be read: {reason}").format(reason=sentence(localize(error))),
            )
            return
        show_message(self.problem, "")

    def _counted(self, app: AppRef, settings: Settings) -> bool:
        # The engine's own rule: a copy named like an allowed app, the desktop or this app counts.
        return not is_exempt(app, settings.always_allowed)

    def _show_today(self, status: Status) -> None:
        settings = self._service.settings
        self.ring.set_usage(status.used_minutes, status.cap_minutes)
        if status.cap_minutes is None:
            headline = _("{used} used today; no daily cap").format(used=format_minutes(status.used_minutes))
        else:
            headline = _("{used} of {cap} min used today").format(
                used=math.floor(status.used_minutes + 1e-9), cap=status.cap_minutes
            )
        self.headline.setText(headline)
        lines = []
        decision = status.decision
        until = f"{decision.until.astimezone(self._service.clock.zone()):%H:%M}" if decision.until else ""
        if decision.verdict is Verdict.BLOCK:
            blocked = block_kind(decision.reason).status if decision.reason else None
            text = _(blocked) if blocked else _("Blocked")
            lines.append(_("{reason}, until {time}").format(reason=text, time=until) if until else text)
        elif decision.verdict is Verdict.BREAK:
            lines.append(_("On a break until {time}").format(time=until) if until else _("On a break"))
        elif status.remaining_minutes is not None:
            lines.append(_("{left} left").format(left=format_minutes(status.remaining_minutes)))
        if status.next_break_in_seconds is not None and decision.verdict is not Verdict.BREAK:
            lines.append(
                _("Next break in {time}").format(
                    time=format_minutes(max(0.0, status.next_break_in_seconds) / 60)
                )
            )
        if not status.tracking:
            lines.append(_("Wellbeing is not tracking right now."))
        self.details.setText("\n".join(lines))
        self.details.setAccessibleDescription(" ".join(lines))
        bars = [
            AppBar(app.name, seconds / 60, self._counted(app, settings))
            for app, seconds in status.by_app
            if not app.is_self
        ]
        self.bars.set_usage(bars)
        self.bars_note.setVisible(any(not bar.counted for bar in self.bars.bars()))

    def _show_week(self, status: Status) -> None:
        settings = self._service.settings
        today = status.day
        first = today - timedelta(days=6)
        minutes: dict[date, float] = {first + timedelta(days=i): 0.0 for i in range(7)}
        for usage in self._service.usage_by_day_app(first, today - timedelta(days=1)):
            if self._counted(usage.app, settings):
                minutes[usage.day] = minutes.get(usage.day, 0.0) + usage.seconds / 60
        minutes[today] = status.used_minutes
        bars = []
        for day, used in sorted(minutes.items()):
            cap = status.cap_minutes if day == today else settings.cap_for(Weekday(day.weekday()))
            bars.append(DayBar(day, used, cap, is_today=day == today))
        self.week.set_days(bars)

    def _show_events(self, today: date) -> None:
        events = self._service.events(7)
        key = (len(events), events[-1].uid if events else None, today)
        if key == self._events_key:
            return
        self._events_key = key
        self._show_break_counts(events, today)
        self.events.clear()
        if not events:
            empty = QtWidgets.QListWidgetItem(_("Nothing recorded in the last 7 days."))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.events.addItem(empty)
            return
        shown_day: date | None = None
        zone = self._service.clock.zone()
        for event in reversed(events):
            if event.day != shown_day:
                shown_day = event.day
                heading = QtWidgets.QListWidgetItem(day_heading(event.day, today))
                font = heading.font()
                font.setBold(True)
                heading.setFont(font)
                heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.events.addItem(heading)
            local = local_event(event, zone)
            item = QtWidgets.QListWidgetItem(event_line(local))
            item.setToolTip(f"{local.at:%Y-%m-%d %H:%M:%S} · {describe_event(local)}")
            self.events.addItem(item)
        self.events.setCurrentRow(-1)

    def _show_break_counts(self, events: Sequence[Event], today: date) -> None:
        for row, kind in enumerate(BREAK_KINDS):
            of_kind = [e for e in events if e.kind is kind]
            counts = (sum(1 for e in of_kind if e.day == today), len(of_kind))
            for column, count in enumerate(counts):
                item = QtWidgets.QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.breaks.setItem(row, column, item)
        height = self.breaks.horizontalHeader().height() + 2 * self.breaks.frameWidth()
        height += sum(self.breaks.rowHeight(row) for row in range(self.breaks.rowCount()))
        self.breaks.setFixedHeight(height)

    def event_texts(self) -> list[str]:
        """The lines of the event list as shown, day headings included."""
        return [self.events.item(i).text() for i in range(self.events.count())]

    def break_counts(self) -> dict[EventKind, tuple[int, int]]:
        """(today, last 7 days) for each kind of break, as the table shows them."""
        result = {}
        for row, kind in enumerate(BREAK_KINDS):
            today, week = (self.breaks.item(row, column) for column in range(2))
            result[kind] = (int(today.text()) if today else 0, int(week.text()) if week else 0)
        return result
