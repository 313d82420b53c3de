"""The composition root of the tray app: builds the pieces, wires them and runs the Qt loop."""

from __future__ import annotations

import argparse
import contextlib
import logging
import random
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wellbeing_app import autostart, surroundings
from wellbeing_app.core import languages
from wellbeing_app.core.blocks import BLOCKS, overlay_kind, preview_kinds
from wellbeing_app.core.errors import CoreError, PasscodeError
from wellbeing_app.core.events import OverlayHiddenPayload, StartChangedPayload
from wellbeing_app.core.model import AppRef, Decision, Verdict
from wellbeing_app.core.text import N_, Text
from wellbeing_app.i18n import _, localize, ngettext, resources_dir, set_language
from wellbeing_app.notify import never_autolaunch_a_bus
from wellbeing_app.paths import resolve_data_dir

if TYPE_CHECKING:  # imported when needed: the tray icon shows before the database layer is loaded
    from wellbeing_app.core.engine import TickResult
    from wellbeing_app.guide.content import Guide
    from wellbeing_app.guide.tips import TipPicker
    from wellbeing_app.service import Service
    from wellbeing_app.tracker.base import ProbeSet
    from wellbeing_app.ui.controller import TickRelay
    from wellbeing_app.ui.instance import SingleInstance
    from wellbeing_app.ui.overlay import Overlay
    from wellbeing_app.ui.tray import Tray

log = logging.getLogger(__name__)


class TrayApp:
    """Owns the windows and wires the controller's signals to them and the service's actions.

    Only the tray icon and the loop are built at start. The overlay, the guide (every article of
    every language) and the windows are built the first time they are needed — a block, a break,
    a menu click — which keeps the app small while it sits in the tray (see docs/performance.md).
    """

    def __init__(
        self,
        service: Service,
        qt_app: object,
        *,
        data_dir_given: Path | None,
        tray: Tray | None = None,
        controller: TickRelay | None = None,
    ) -> None:
        from wellbeing_app.ui.tray import StatusWindow, Tray

        self.service = service
        self.qt_app = qt_app
        self.dashboard: Any = None
        self.guide_window: Any = None
        self.data_dir_given = data_dir_given
        self._guide: Guide | None = None
        self._tips: TipPicker | None = None
        self._overlay: Overlay | None = None
        self._use_language()
        self._tips_shown: dict[date, list[str]] = {}
        # The ticks: the local loop on this session's probes, or (protected mode) the guard's.
        self.probes: ProbeSet | None = None
        if controller is None:
            from wellbeing_app.tracker.choose import choose_probes
            from wellbeing_app.ui.controller import Controller

            self.probes = choose_probes()
            controller = Controller(service, self.probes)
        self.controller = controller
        from wellbeing_app.ui.qt import QtCore, QtGui

        self._signs = surroundings.Signs()
        self._display_timer = QtCore.QTimer()
        self._display_timer.setObjectName("other displays")
        self._display_timer.setInterval(round(surroundings.DISPLAY_CHECK_SECONDS * 1000))
        self._display_timer.timeout.connect(self.check_displays)
        from wellbeing_app.tracker.windowctl import OverlayWatch

        # On X11 the X server is asked whether the overlay is really in view (Qt cannot tell
        # when another client unmaps, destroys, moves or covers it); elsewhere nothing is asked.
        on_x11 = QtGui.QGuiApplication.platformName() == "xcb"
        self._overlay_watch = OverlayWatch(enabled=on_x11)
        # On Wayland the compositor is asked to keep it in front (sway's IPC, a KWin script);
        # where that fails or nothing can (GNOME Shell) the session is locked.
        self._on_wayland = QtGui.QGuiApplication.platformName().startswith("wayland")
        self.tray = tray or Tray()
        self.status_window: StatusWindow | None = None
        self._wire()

    # --- built when first needed --------------------------------------------------------------------

    @property
    def guide(self) -> Guide:
        """Every article and tip of every language: read at the first break, block or guide window."""
        if self._guide is None:
            from wellbeing_app.guide.loader import load_guide

            self._guide = load_guide(resources_dir() / "guide")
            for problem in self._guide.problems:
                log.warning("guide: %s", problem)
        return self._guide

    @property
    def tips(self) -> TipPicker:
        """The break tips in the language in use."""
        if self._tips is None:
            from wellbeing_app.guide.tips import TipPicker

            self._tips = TipPicker(self.guide.tips(self.language), random.Random())
        return self._tips

    @property
    def overlay(self) -> Overlay:
        """The block and break overlay, built (hidden) at the first block or break."""
        if self._overlay is None:
            from wellbeing_app.ui.overlay import Overlay

            service = self.service
            overlay = Overlay(
                now=service.now,
                verify=lambda passcode, purpose: service.verify_passcode(passcode, purpose=purpose),
                passcode_set=service.passcode_is_set,
                render_article=self._article_markdown,
                watch=self._overlay_watch if self._overlay_watch.available() else None,
                **self._wayland_hold(),
            )
            overlay.set_lockout(service.lockout_until)
            overlay.postpone_requested.connect(lambda: self._act(service.postpone_break))
            overlay.skip_requested.connect(lambda passcode: self._act(lambda: service.skip_break(passcode)))
            overlay.grant_requested.connect(self._grant)
            overlay.back_to_desktop_requested.connect(self._back_to_desktop)
            overlay.taken_out_of_view.connect(lambda how: service.record_sign(OverlayHiddenPayload(how)))
            overlay.fell_back.connect(
                lambda how, locked, why: service.record_sign(
                    OverlayHiddenPayload(how, then="locked" if locked else "not held", why=why)
                )
            )
            self._overlay = overlay
        return self._overlay

    def _wayland_hold(self) -> dict[str, Any]:
        if not self._on_wayland:
            return {}
        from wellbeing_app.tracker.overlay_hold import SessionLocker, choose_hold

        return {"hold": choose_hold(), "locker": SessionLocker()}

    # --- wiring ---------------------------------------------------------------------------------

    def _wire(self) -> None:
        c, t = self.controller, self.tray
        c.ticked.connect(lambda result: self._update_status(result.decision))
        c.overlay_changed.connect(self._show_overlay)
        c.warning.connect(self._warn)
        c.break_soon.connect(
            lambda: t.notify(
                _("A break in a minute"), _("Finish what you are doing: a short break is coming.")
            )
        )
        c.notice.connect(lambda text: t.notify(_("Wellbeing"), text))
        t.open_dashboard.connect(self.open_dashboard)
        t.open_guide.connect(self.open_guide)
        t.take_break.connect(self.take_break)
        t.open_settings.connect(self.open_settings)
        t.pause_requested.connect(self.pause)
        t.quit_requested.connect(self.quit)

    def start(self) -> None:
        if self.tray.available():
            self.tray.show()
        else:
            from wellbeing_app.ui.tray import StatusWindow

            self.status_window = StatusWindow(self.tray)
            if self._on_wayland:
                from wellbeing_app.tracker.overlay_hold import sway_leave_focus

                sway_leave_focus(self.status_window.windowTitle())
            self.status_window.show()
        self._sync_autostart()
        self._check_start()
        self.controller.start()
        self.check_displays()
        self._display_timer.start()

    def stop(self, *, how: str = "quit") -> None:
        self._display_timer.stop()
        self.controller.stop(how=how)
        if self._overlay is not None:
            self._overlay.hide()
        self._overlay_watch.close()
        self.tray.hide()
        if self.probes is not None:
            self.probes.close()

    def say(self, words: str) -> None:
        """Put `words` where today's figures go (the agent without its guard)."""
        self.tray.say(words)
        if self.status_window is not None:
            self.status_window.say(words)

    # --- reacting ----------------------------------------------------------------------------------

    def _update_status(self, decision: Decision) -> None:
        self.tray.update(decision)
        if self.status_window is not None:
            self.status_window.update(decision)
        if self.dashboard is not None and self.dashboard.isVisible():
            self.dashboard.refresh()

    def _warn(self, minutes: int) -> None:
        text = {
            10: _("10 minutes of screen time left today."),
            5: _("5 minutes of screen time left today."),
            1: _("1 minute left: save your work."),
        }.get(
            minutes,
            ngettext("{minutes} minute left today.", "{minutes} minutes left today.", minutes).format(
                minutes=minutes
            ),
        )
        self.tray.notify(_("Screen time"), text)

    def _show_overlay(self, decision: Decision) -> None:
        if decision.verdict in (Verdict.BREAK, Verdict.BLOCK):
            cap = self.service.cap_seconds_today()
            self.overlay.show_decision(
                decision, cap_minutes=None if cap is None else round(cap / 60), tip=self._next_tip()
            )
        elif self._overlay is not None:
            self._overlay.hide()

    def _next_tip(self) -> tuple[str, str | None] | None:
        today = self.service.today()
        shown = self._tips_shown.setdefault(today, [])
        tip = self.tips.pick(shown)
        if tip is None:
            return None
        shown.append(tip.id)
        return tip.text, tip.related

    def _article_markdown(self, article_id: str) -> str | None:
        article = self.guide.article(article_id, self.language)
        return None if article is None else self.guide.render_markdown(article)

    # --- actions ---------------------------------------------------------------------------------

    def _act(self, action: object) -> None:
        try:
            action()  # type: ignore[operator]
        except CoreError as error:  # ServiceError, PasscodeError, BreakError…
            self.tray.notify(_("Wellbeing"), localize(error))
        self.controller.refresh()

    def _grant(self, minutes: int, passcode: str) -> None:
        decision = self.controller.decision
        kind = None if decision is None else overlay_kind(decision)
        if kind is not None and kind.grants_free_time:
            until = self.service.now() + timedelta(minutes=minutes)
            self._act(lambda: self.service.grant(until=until, passcode=passcode))
        else:
            self._act(lambda: self.service.grant(minutes=minutes, passcode=passcode))

    def _back_to_desktop(self) -> None:
        from wellbeing_app.tracker.windowctl import minimise_process_windows

        front = self.controller.front
        if front is not None and front.pid is not None:
            count, why = minimise_process_windows(front.pid)
            if not count:
                log.info("back to desktop: %s", why)
        else:
            log.info("back to desktop: no app in front to minimise")
        self.overlay.hide()
        self.controller.front = None
        self.service.forget_front()
        self.controller.tick()

    def _passcode(self, purpose: str) -> str | None:
        """The passcode for a guarded action: "" when none is set, None when the person cancels."""
        from wellbeing_app.ui.passcode_dialog import PasscodeDialog

        return PasscodeDialog.ask(self.service, purpose)

    def take_break(self) -> None:
        self._act(self.service.take_break_now)

    def pause(self, minutes: int) -> None:
        passcode = self._passcode(N_("pause tracking"))
        if passcode is None:
            return
        self._act(lambda: self.service.pause(minutes, passcode=passcode))

    def quit(self) -> None:
        passcode = self._passcode(N_("quit Wellbeing"))
        if passcode is None:
            return
        from wellbeing_app.ui.qt import QtWidgets

        QtWidgets.QApplication.quit()

    def open_dashboard(self) -> None:
        from wellbeing_app.ui.dashboard import Dashboard

        if self.dashboard is None:
            self.dashboard = Dashboard(self.service)
        self.dashboard.refresh()
        self._bring_up(self.dashboard)

    def open_guide(self) -> None:
        from wellbeing_app.ui.guide_window import GuideWindow

        if self.guide_window is None:
            self.guide_window = GuideWindow(self.guide, self.language, self.tips)
        self._bring_up(self.guide_window)

    def open_settings(self) -> None:
        from wellbeing_app.ui.settings_dialog import SettingsDialog

        seen = [usage.app for usage in self.service.report(30)]
        apps = list(dict.fromkeys(seen))
        dialog = SettingsDialog(self.service, apps)
        dialog.exec()
        self._use_language()
        self._sync_autostart()
        self.controller.refresh()

    def _use_language(self) -> None:
        """Follow the language setting: the interface (Qt's own buttons too), the guide and the tips."""
        self.language = set_language(self.service.settings.language)
        self._qt_translator = _load_qt_translations(
            self.qt_app, self.language, getattr(self, "_qt_translator", None)
        )
        self._tips = None  # picked again from the guide in the new language when next needed
        if self.guide_window is not None:
            self.guide_window.deleteLater()
            self.guide_window = None

    def _bring_up(self, window: object) -> None:
        window.show()  # type: ignore[attr-defined]
        window.raise_()  # type: ignore[attr-defined]
        window.activateWindow()  # type: ignore[attr-defined]

    def _sync_autostart(self) -> None:
        """Make the start-at-login entry what the setting says; a changed entry is put right and
        recorded (it is read at every start: an edited Exec or Hidden=true does not last)."""
        command = autostart.current_command(self.data_dir_given)
        try:
            if self.service.settings.start_at_login:
                wrong = autostart.put_right(command)
                if wrong is not None:
                    self.service.record_sign(StartChangedPayload("autostart", wrong))
            elif autostart.is_enabled():
                autostart.set_enabled(False, command)
        except OSError as error:
            log.warning("cannot change start at login: %s", error)

    def _check_start(self) -> None:
        for sign in self._signs.of_start():
            self.service.record_sign(sign)

    def check_displays(self) -> None:
        """Record each display server of this account other than this one, once."""
        for display in self._signs.new_displays():
            self.service.record_sign(display)

    def first_run(self) -> bool:
        """Run the wizard on the first start of a data dir; False when the person cancels it."""
        if self.service.configured:
            return True
        from wellbeing_app.ui.wizard import FirstRunWizard

        wizard = FirstRunWizard(self.service)
        accepted = bool(wizard.exec())
        if accepted:
            self._use_language()
        return accepted


def _load_qt_translations(qt_app: Any, language: str, old: Any) -> Any:
    """Qt's own texts (OK, Cancel, Next…) in the language in use, from the catalogs Qt ships.
    Returns the translator in use (keep it), replacing `old`."""
    from wellbeing_app.ui.qt import QtCore

    if old is not None:
        qt_app.removeTranslator(old)
    translator = QtCore.QTranslator(qt_app)
    folder = QtCore.QLibraryInfo.path(QtCore.QLibraryInfo.LibraryPath.TranslationsPath)
    if language != languages.SOURCE_LANGUAGE and translator.load(f"qtbase_{language}", folder):
        qt_app.installTranslator(translator)
        return translator
    return None


def main(args: argparse.Namespace) -> int:
    from wellbeing_app.link.paths import is_protected
    from wellbeing_app.ui.instance import SingleInstance

    if is_protected():  # the guard holds this account's data: the tray app is its agent, never personal
        return agent_main(args)
    if getattr(args, "if_protected", False):  # the login entry for every account: not this one
        return 0
    data_dir = resolve_data_dir(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    qt_app = _qt_application()
    instance = SingleInstance(data_dir)
    if not instance.acquire():
        if instance.send("show"):
            return 0
        sys.stderr.write(
            _("wellbeing-app: another Wellbeing holds {path}; it does not answer").format(path=data_dir)
            + "\n"
        )
        return 2
    # The icon first (Qt only), then the database and the rest, which take a moment to load.
    from wellbeing_app.ui.tray import Tray

    tray = Tray()
    if tray.available():
        tray.show()
    from wellbeing_app.service import Service, ServiceError

    try:
        service = Service.open(data_dir)
    except ServiceError as error:
        sys.stderr.write(f"wellbeing-app: {localize(error)}\n")
        return 2
    app = TrayApp(service, qt_app, data_dir_given=Path(args.data_dir) if args.data_dir else None, tray=tray)
    instance.message_received.connect(lambda _message: app.open_dashboard())
    _serve(instance, app)
    if not app.first_run():
        service.close()
        instance.release()
        return 0
    try:
        app.start()
    except ServiceError as error:  # another tracker (`wellbeing-app track`) runs on this data dir
        sys.stderr.write(f"wellbeing-app: {localize(error)}\n")
        app.tray.hide()
        service.close()
        instance.release()
        return 2
    return _run_until_quit(qt_app, app, service, release=instance.release)


def _qt_application() -> Any:
    """The QApplication of the tray app (personal or agent), with no session bus autolaunched."""
    from wellbeing_app.ui.qt import QtCore, QtWidgets

    never_autolaunch_a_bus()  # before Qt looks for a session bus
    QtCore.QCoreApplication.setApplicationName("Wellbeing")
    QtCore.QCoreApplication.setOrganizationName("wellbeing-app")
    qt_app = QtWidgets.QApplication(sys.argv[:1])
    qt_app.setQuitOnLastWindowClosed(False)
    qt_app.setDesktopFileName("wellbeing-app")
    return qt_app


def _run_until_quit(qt_app: Any, app: TrayApp, service: Any, *, release: Callable[[], object]) -> int:
    """Qt's loop until quit or a signal; then stop cleanly (spans written, the stop recorded)."""
    stopped_by_signal = _quit_on_signals(qt_app)
    _give_back_start_memory(qt_app)
    try:
        code = qt_app.exec()
    finally:
        app.stop(how="signal" if stopped_by_signal() else "quit")
        service.close()
        release()
    return int(code)


def agent_main(args: argparse.Namespace) -> int:
    """`wellbeing-app run` in a protected account."""
    from wellbeing_app.link.paths import guard_socket, private_runtime_dir
    from wellbeing_app.link.remote import GUARD_NOT_RUNNING, RemoteService
    from wellbeing_app.ui.agent import GuardController
    from wellbeing_app.ui.qt import QtCore
    from wellbeing_app.ui.tray import Tray

    qt_app = _qt_application()
    lock = QtCore.QLockFile(str(private_runtime_dir() / "agent.lock"))
    lock.setStaleLockTime(0)
    if not lock.tryLock(100):
        sys.stderr.write(_("wellbeing-app: Wellbeing already runs in this account") + "\n")
        return 0
    tray = Tray()
    if tray.available():
        tray.show()
    service = RemoteService(guard_socket())
    controller = GuardController(service)
    app = TrayApp(service, qt_app, data_dir_given=None, tray=tray, controller=controller)  # type: ignore[arg-type]
    controller.lost.connect(lambda _why: app.say(_(GUARD_NOT_RUNNING)))
    app.start()
    return _run_until_quit(qt_app, app, service, release=lock.unlock)


#: How often freed memory is handed back to the system while the app runs.
TRIM_EVERY_SECONDS = 600


def _give_back_start_memory(qt_app: Any) -> None:
    """Once started, drop what loading left behind and hand freed memory back to the system:
    PySide6 reads the source of every module that imports it (it looks for `__feature__`
    imports) into `linecache`, ~0.7 MiB kept for nothing; and glibc keeps freed heap pages, which
    count as the app's own (issue 14)."""
    import ctypes
    import linecache

    from wellbeing_app.ui.qt import QtCore

    trim = None
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None)  # the symbols of the process itself: glibc's among them
        trim = getattr(libc, "malloc_trim", None)

    def give_back() -> None:
        linecache.clearcache()
        if trim is not None:
            trim(0)

    # Soon after the start, and now and then after (a dashboard opened and closed leaves some too).
    QtCore.QTimer.singleShot(2000, qt_app, give_back)
    timer = QtCore.QTimer(qt_app)
    timer.setObjectName("give back freed memory")
    timer.setInterval(TRIM_EVERY_SECONDS * 1000)
    timer.timeout.connect(give_back)
    timer.start()


def _serve(instance: SingleInstance, app: TrayApp) -> None:
    """The app's socket answers with the service (`status` asks it first) and pushes every tick
    to those who watch."""
    from wellbeing_app.link.codec import tick_message
    from wellbeing_app.link.handler import ServiceHandler

    service = app.service
    instance.serve(ServiceHandler(service, mode="personal", on_show=instance.show).handle)

    def push(result: TickResult) -> None:
        if instance.watched():
            instance.push(tick_message(result, service.status()))

    app.controller.ticked.connect(push)


def _quit_on_signals(qt_app: Any) -> Any:
    """SIGTERM (a log-out, a shut-down, `kill`), SIGINT and SIGHUP stop the app cleanly: the Qt loop
    is woken through a socket the C signal handler writes to. Returns a function that says
    whether a signal stopped it."""
    import signal
    import socket

    from wellbeing_app.ui.qt import QtCore

    receiver, sender = socket.socketpair()
    receiver.setblocking(False)
    sender.setblocking(False)
    signal.set_wakeup_fd(sender.fileno())
    caught: list[int] = []
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, lambda signum, _frame: caught.append(signum))
    notifier = QtCore.QSocketNotifier(receiver.fileno(), QtCore.QSocketNotifier.Type.Read, qt_app)

    def woken() -> None:
        with contextlib.suppress(BlockingIOError):
            receiver.recv(64)
        if caught:
            # exit(), not quit(): quit() first asks every window to close, and the overlay's
            # panes refuse, which would cancel the quit (a log-out would end in SIGKILL).
            qt_app.exit(0)

    notifier.activated.connect(woken)
    qt_app.setProperty("wellbeing-signal-socket", (receiver, sender))  # kept alive with the app
    return lambda: bool(caught)


def preview_decision(kind: str, now: datetime) -> Decision:
    """The sample decision `preview` shows for `kind` (a name of `preview_kinds()`); `now` local.
    A block that lasts the day lifts at 04:00 tomorrow, any other at 07:00 tomorrow."""
    reason = preview_kinds()[kind]
    if reason is None:
        return Decision(Verdict.BREAK, until=now + timedelta(minutes=5), postpones_left=1)
    hour = 4 if BLOCKS[reason].lasts_the_day else 7
    until = (now + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return Decision(Verdict.BLOCK, reason, until=until, app=AppRef("game", "Game"))


def preview(kind: str) -> int:
    """Show one overlay with sample data for a parent to see; Escape closes it."""
    from datetime import UTC

    from wellbeing_app.guide.loader import load_guide
    from wellbeing_app.guide.tips import TipPicker
    from wellbeing_app.ui.overlay import Overlay
    from wellbeing_app.ui.qt import QtWidgets

    never_autolaunch_a_bus()
    qt_app = QtWidgets.QApplication(sys.argv[:1])
    language = set_language("system")
    guide = load_guide(resources_dir() / "guide")
    tip = TipPicker(guide.tips(language), random.Random()).pick([])
    now = datetime.now(UTC)

    def refuse(_passcode: str, _purpose: str) -> None:
        raise PasscodeError(Text(N_("this is a preview: nothing is granted")))

    overlay = Overlay(
        now=lambda: datetime.now(UTC),
        verify=refuse,
        passcode_set=lambda: True,
        render_article=lambda article_id: (
            guide.render_markdown(a) if (a := guide.article(article_id, language)) else None
        ),
        escape_closes=True,
    )
    overlay.closed.connect(qt_app.quit)
    decision = preview_decision(kind, now.astimezone())
    overlay.show_decision(decision, cap_minutes=60, tip=(tip.text, tip.related) if tip else None)
    return int(qt_app.exec())
