"""Which application is in front and how long the person has been idle, in an X11 session."""

from __future__ import annotations

import contextlib
import gc
import os
import shlex
import socket
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from configparser import ConfigParser
from configparser import Error as ConfigError
from pathlib import Path
from typing import Any

import psutil
from Xlib import X, Xatom
from Xlib import display as xdisplay
from Xlib import error as xerror
from Xlib.ext import res as xres
from Xlib.support import connect as xconnect

from wellbeing_app.core.model import SELF_APP, SELF_EXECUTABLE, AppRef
from wellbeing_app.core.record import record
from wellbeing_app.tracker.base import Foreground, ProbeStatus, TrackerError
from wellbeing_app.tracker.common import executable_key, is_own_process, labelled

__all__ = ["SELF_APP"]

#: A lost X connection is tried again at most this often.
RETRY_SECONDS = 5.0

#: Windows remembered (pid, app); old entries go first when there are more.
_CACHE_LIMIT = 512

_WM_HINT = "start a window manager that sets _NET_ACTIVE_WINDOW (EWMH), e.g. openbox, xfwm4, kwin or mutter"
_DISPLAY_HINT = "run the app inside an X11 session, with DISPLAY set to a running X server"

# Errors that mean "this window is gone": it was destroyed between two requests.
_WINDOW_GONE = (xerror.BadWindow, xerror.BadDrawable)
# Errors that mean "the X connection is gone": the server died or the socket broke.
_CONNECTION_LOST = (xerror.ConnectionClosedError, OSError)


# --------------------------------------------------------------------------------------------
# Desktop entries: the names people know applications by.
# --------------------------------------------------------------------------------------------


@record
class DesktopEntry:
    """What a `.desktop` file says about one application, as far as naming goes."""

    desktop_id: str  # file name without ".desktop", sub-folders joined with "-"
    name: str
    program: str | None  # basename of the program in Exec (or TryExec)
    wm_class: str | None  # StartupWMClass
    no_display: bool = False


def locale_languages(env: Mapping[str, str]) -> list[str]:
    """The `Name[...]` keys to try, best first, for the locale in `env` (LC_ALL, LC_MESSAGES, LANG).

    >>> locale_languages({"LANG": "ru_RU.UTF-8"})
    ['ru_RU', 'ru']
    """
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(key, "")
        if value:
            break
    else:
        return []
    if value in ("C", "POSIX") or value.startswith(("C.", "POSIX.")):
        return []
    value, _, modifier = value.partition("@")
    value = value.partition(".")[0]
    lang, _, country = value.partition("_")
    found: list[str] = []
    if country and modifier:
        found.append(f"{lang}_{country}@{modifier}")
    if country:
        found.append(f"{lang}_{country}")
    if modifier:
        found.append(f"{lang}@{modifier}")
    found.append(lang)
    return found


def exec_program(exec_line: str) -> str | None:
    """The basename of the program an `Exec=` line starts, skipping `env` and `VAR=value`.

    >>> exec_program("env GDK_BACKEND=x11 /usr/bin/firefox-esr %u")
    'firefox-esr'
    """
    try:
        words = shlex.split(exec_line)
    except ValueError:
        words = exec_line.split()
    for word in words:
        if word == "env" or (("=" in word) and not word.startswith(("/", "%"))):
            continue
        if word.startswith("%"):
            return None
        return os.path.basename(word) or None
    return None


def parse_desktop_entry(text: str, desktop_id: str, languages: Sequence[str] = ()) -> DesktopEntry | None:
    """Read a `.desktop` file's text; None unless it is a shown application with a name."""
    parser = ConfigParser(interpolation=None, strict=False, delimiters=("=",), comment_prefixes=("#",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    try:
        parser.read_string(text)
    except ConfigError:
        return None
    if not parser.has_section("Desktop Entry"):
        return None
    section = parser["Desktop Entry"]
    if section.get("Type", "Application").strip() != "Application":
        return None
    if section.get("Hidden", "false").strip().lower() == "true":
        return None
    name = next((section[f"Name[{lang}]"] for lang in languages if f"Name[{lang}]" in section), None)
    name = (name or section.get("Name") or "").strip()
    if not name:
        return None
    program = exec_program(section.get("Exec", "")) or exec_program(section.get("TryExec", ""))
    wm_class = section.get("StartupWMClass", "").strip() or None
    no_display = section.get("NoDisplay", "false").strip().lower() == "true"
    return DesktopEntry(desktop_id, name, program, wm_class, no_display)


def application_dirs(env: Mapping[str, str]) -> list[Path]:
    """`applications/` under the XDG data dirs, most important first."""
    home = env.get("XDG_DATA_HOME") or os.path.join(env.get("HOME", os.path.expanduser("~")), ".local/share")
    data_dirs = env.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    dirs = [home, *data_dirs.split(":")]
    return [Path(d) / "applications" for d in dirs if d]


class DesktopIndex:
    """The installed `.desktop` files, read once on first use, to name applications."""

    def __init__(self, dirs: Sequence[Path] | None = None, languages: Sequence[str] | None = None) -> None:
        self._dirs = list(dirs) if dirs is not None else application_dirs(os.environ)
        self._languages = list(languages) if languages is not None else locale_languages(os.environ)
        self._entries: list[DesktopEntry] | None = None
        self._by_wm_class: dict[str, DesktopEntry] = {}
        self._by_program: dict[str, DesktopEntry] = {}
        self._by_id: dict[str, DesktopEntry] = {}

    def entries(self) -> list[DesktopEntry]:
        if self._entries is None:
            self._load()
        assert self._entries is not None
        return self._entries

    def name_for(self, executable: str | None, wm_class: tuple[str, str] | None) -> str | None:
        """The display name of an app: by StartupWMClass, else by Exec program, else by file name."""
        self.entries()
        if wm_class is not None:
            for part in (wm_class[1], wm_class[0]):
                entry = self._by_wm_class.get(part.lower())
                if entry is not None:
                    return entry.name
        if executable:
            entry = self._by_program.get(executable)
            if entry is not None:
                return entry.name
        if wm_class is not None:
            for part in (wm_class[1], wm_class[0]):
                entry = self._by_id.get(part.lower())
                if entry is not None:
                    return entry.name
        return None

    def _files(self) -> Iterator[tuple[str, Path]]:
        for folder in self._dirs:
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*.desktop")):
                relative = path.relative_to(folder).with_suffix("")
                yield "-".join(relative.parts), path

    def _load(self) -> None:
        seen: set[str] = set()
        entries: list[DesktopEntry] = []
        for desktop_id, path in self._files():
            if desktop_id in seen:  # an earlier data dir overrides a later one
                continue
            seen.add(desktop_id)
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            entry = parse_desktop_entry(text, desktop_id, self._languages)
            if entry is not None:
                entries.append(entry)
        # Shown entries win over NoDisplay ones (helpers, handlers) for the same key.
        for entry in sorted(entries, key=lambda e: e.no_display, reverse=True):
            if entry.wm_class:
                self._by_wm_class[entry.wm_class.lower()] = entry
            if entry.program:
                self._by_program[entry.program] = entry
            self._by_id[entry.desktop_id.lower()] = entry
            self._by_id.setdefault(entry.desktop_id.rsplit(".", 1)[-1].lower(), entry)
        self._entries = entries


# --------------------------------------------------------------------------------------------
# X connections
# --------------------------------------------------------------------------------------------


def open_display(name: str | None) -> Any:
    """An Xlib Display, or TrackerError saying why there is none."""
    if not name and not os.environ.get("DISPLAY"):
        raise TrackerError("no X display: DISPLAY is not set")
    # When it cannot connect, python-xlib drops its half-made sockets without closing them;
    # they are collected here, where their ResourceWarning means nothing.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return xdisplay.Display(name)
        except xerror.DisplayNameError:
            reason = f"bad X display name {name or os.environ.get('DISPLAY')!r}"
        except (xerror.DisplayError, *_CONNECTION_LOST) as exc:
            reason = f"cannot connect to the X server: {exc}"
        gc.collect()
    raise TrackerError(reason)


def open_display_with_auth(name: str, auth_name: bytes, auth_data: bytes) -> Any:
    """An Xlib Display on `name` authorised with the cookie given, not with the one this process's
    environment points at: the guard, as root, opens each child's display with that child's cookie.

    python-xlib takes its cookie from `$XAUTHORITY` inside the connection setup and offers no
    argument for it, so its lookup is replaced for the length of this one call (every probe runs
    on one thread; nothing else connects meanwhile).
    """
    saved = xconnect.get_auth
    xconnect.get_auth = lambda *_args: (auth_name, auth_data)
    try:
        return open_display(name)
    finally:
        xconnect.get_auth = saved


def _close_quietly(display: Any) -> None:
    if display is None:
        return
    with contextlib.suppress(Exception):  # the connection is being thrown away anyway
        display.close()


def _pending(display: Any) -> Iterator[Any]:
    """The events already received on `display`, read without blocking."""
    while display.pending_events():
        yield display.next_event()


@record
class _WindowInfo:
    pid: int | None
    app: AppRef | None
    reason: str | None = None


def _first_label(host: str) -> str:
    return host.split(".", 1)[0].lower()


@record
class Watched:
    """Whose session a probe watches, when that is not this process's own: the guard, as root,
    watching a child's display. Programs are known by path where `uid` (or one of `groups`) can
    write; no window is this process's (the guard shows none: the agent's are told by the guard)."""

    uid: int
    groups: frozenset[int]


def _process_app(pid: int, watched: Watched | None = None) -> tuple[str, bool] | None:
    """(executable, is_self) of a local process, or None if it cannot be read."""
    if watched is None and is_own_process(pid, os.getpid()):
        return SELF_EXECUTABLE, True
    try:
        process = psutil.Process(pid)
        try:
            exe = process.exe()
        except (psutil.AccessDenied, psutil.ZombieProcess):
            exe = ""
        if not exe:
            name = process.name()
        elif watched is not None:
            name = executable_key(exe, uid=watched.uid, groups=watched.groups)
        else:
            name = executable_key(exe)
    except (psutil.NoSuchProcess, psutil.AccessDenied, OSError):
        return None
    return (name, False) if name else None


class X11Foreground:
    """The active window's application, from EWMH `_NET_ACTIVE_WINDOW`.

    Two X connections: one for queries, and one that only listens for property changes of the
    root window, so that its fd becomes readable exactly when the active window (or the window
    manager) changes. `_NET_ACTIVE_WINDOW` is read again only after such a change, and a
    window's pid and app are cached by window id (the query connection listens for the
    window's DestroyNotify, so that a reused id is never taken for the old app): a tick with
    nothing new costs no X round trip unless the title is asked for.
    Not thread-safe: create and call it on one thread.
    """

    backend = "x11"

    def __init__(
        self,
        display_name: str | None = None,
        *,
        desktop_index: DesktopIndex | None = None,
        retry_seconds: float = RETRY_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
        connect: Callable[[str | None], Any] = open_display,
        watched: Watched | None = None,
    ) -> None:
        self._display_name = display_name
        self._open = connect
        self._watched = watched
        self._desktop = desktop_index if desktop_index is not None else DesktopIndex()
        self._retry_seconds = retry_seconds
        self._monotonic = monotonic
        self._query: Any = None
        self._watch: Any = None
        self._connection_error: str | None = None
        self._next_try = 0.0
        self._cache: dict[int, _WindowInfo] = {}
        self._wm_window: int | None = None
        self._wm_supports_active = False
        self._active: int | None = None
        self._active_stale = True
        self._wm_stale = True
        self._changed = False
        self._hostname = _first_label(socket.gethostname())
        self._connect()
        if self._query is None:
            raise TrackerError(self._connection_error or "cannot connect to the X server")

    # -- the protocol --------------------------------------------------------------------

    def foreground(self, *, with_title: bool) -> Foreground:
        return self._foreground(with_title)

    def change_fd(self) -> int | None:
        """The listening connection's fd. It changes after a lost connection is reopened."""
        if self._watch is None:
            return None
        return int(self._watch.fileno())

    def drain_changes(self) -> bool:
        """Read the pending root-window events without blocking; True if the active window
        changed (or the connection was lost, which the caller should treat as a change)."""
        if self._watch is None:
            changed, self._changed = self._changed, False
            return changed
        try:
            self._pump()
        except _CONNECTION_LOST as exc:
            self._lose_connection(exc)
            return True
        changed, self._changed = self._changed, False
        return changed

    def status(self) -> ProbeStatus:
        seen = self.foreground(with_title=False)
        if self._query is None:
            return ProbeStatus(
                "foreground", self.backend, False, seen.reason or "no X connection", _DISPLAY_HINT
            )
        if self._wm_window is None or not self._wm_supports_active:
            return ProbeStatus(
                "foreground", self.backend, False, seen.reason or "no window manager", _WM_HINT
            )
        if seen.app is None:
            return ProbeStatus("foreground", self.backend, True, seen.reason or "nothing in front")
        pid = f"pid {seen.pid}" if seen.pid is not None else "pid unknown"
        return ProbeStatus(
            "foreground", self.backend, True, f"{seen.app.name} — {seen.app.executable} ({pid})"
        )

    def close(self) -> None:
        _close_quietly(self._query)
        _close_quietly(self._watch)
        self._query = self._watch = None
        self._connection_error = "closed"
        self._next_try = float("inf")

    # -- connection ----------------------------------------------------------------------

    def _connect(self) -> None:
        query = watch = None
        try:
            query = self._open(self._display_name)
            watch = self._open(self._display_name)
            atoms = {
                name: int(query.intern_atom(name))
                for name in (
                    "_NET_ACTIVE_WINDOW",
                    "_NET_SUPPORTING_WM_CHECK",
                    "_NET_SUPPORTED",
                    "_NET_WM_PID",
                    "_NET_WM_NAME",
                    "UTF8_STRING",
                )
            }
            watch.screen().root.change_attributes(event_mask=X.PropertyChangeMask)
            watch.flush()
            has_xres = bool(query.has_extension(xres.extname))
        except TrackerError as exc:
            _close_quietly(query)
            _close_quietly(watch)
            self._connection_error = str(exc)
            self._next_try = self._monotonic() + self._retry_seconds
            return
        except (*_CONNECTION_LOST, xerror.XError) as exc:
            _close_quietly(query)
            _close_quietly(watch)
            self._connection_error = f"lost the X connection while setting up: {exc}"
            self._next_try = self._monotonic() + self._retry_seconds
            return
        self._query, self._watch = query, watch
        self._root = query.screen().root
        self._atoms = atoms
        self._has_xres = has_xres
        self._catch = xerror.CatchError(xerror.BadWindow, xerror.BadAccess)
        self._connection_error = None
        self._cache.clear()
        self._wm_window = None
        self._wm_stale = True
        self._active_stale = True
        self._changed = True

    def _lose_connection(self, exc: BaseException) -> None:
        _close_quietly(self._query)
        _close_quietly(self._watch)
        self._query = self._watch = None
        self._connection_error = (
            f"lost the X connection ({exc or type(exc).__name__}); retrying every {self._retry_seconds:g} s"
        )
        self._next_try = self._monotonic() + self._retry_seconds
        self._wm_window = None
        self._changed = True

    # -- the query -----------------------------------------------------------------------

    def _foreground(self, with_title: bool) -> Foreground:
        if self._query is None:
            if self._monotonic() >= self._next_try:
                self._connect()
            if self._query is None:
                return Foreground(None, reason=self._connection_error, nothing_in_front=True)
        window = 0
        try:
            self._pump()
            if self._wm_stale:
                self._refresh_wm()
            if self._wm_window is None:
                return Foreground(None, reason="no window manager is running (no _NET_SUPPORTING_WM_CHECK)")
            if self._active_stale:
                # Read again only after a PropertyNotify said it changed: no round trip per tick.
                self._active = self._active_window()
                self._active_stale = False
            active = self._active
            if active is None and not self._wm_supports_active:
                return Foreground(None, reason="the window manager does not set _NET_ACTIVE_WINDOW")
            if active is None:  # supported, but nothing was ever focused yet
                active = 0
            window = active
            if window == 0:
                return Foreground(None, reason="no window is active", nothing_in_front=True)
            info = self._cache.get(window)
            if info is None:
                info = self._identify(window)
                if len(self._cache) >= _CACHE_LIMIT:
                    del self._cache[next(iter(self._cache))]
                self._cache[window] = info
            title = self._title(window) if with_title else None
        except _WINDOW_GONE:
            self._cache.pop(window, None)
            self._active_stale = True
            return Foreground(None, reason=f"the active window 0x{window:x} went away", nothing_in_front=True)
        except _CONNECTION_LOST as exc:
            self._lose_connection(exc)
            return Foreground(None, reason=self._connection_error, nothing_in_front=True)
        except xerror.XError as exc:
            self._cache.pop(window, None)
            return Foreground(
                None, reason=f"X error while reading window 0x{window:x}: {exc}", nothing_in_front=True
            )
        if info.app is None:
            return Foreground(None, pid=info.pid, title=title, reason=info.reason)
        return Foreground(info.app, pid=info.pid, title=title)

    def _pump(self) -> None:
        """Handle the events both connections have received, without blocking."""
        active = self._atoms["_NET_ACTIVE_WINDOW"]
        wm_atoms = (self._atoms["_NET_SUPPORTING_WM_CHECK"], self._atoms["_NET_SUPPORTED"])
        for event in _pending(self._watch):
            if event.type == X.PropertyNotify:
                if event.atom == active:
                    self._changed = True
                    self._active_stale = True
                elif event.atom in wm_atoms:
                    self._wm_stale = True
                    self._active_stale = True
                    self._changed = True
        for event in _pending(self._query):
            if event.type == X.DestroyNotify:
                gone = int(event.window.id)
                self._cache.pop(gone, None)
                if gone == self._wm_window:
                    self._wm_window = None
                    self._wm_stale = True
                    self._changed = True

    def _window_property(self, window: Any, atom: int, kind: int) -> int | None:
        prop = window.get_property(atom, kind, 0, 1)
        if prop is None or prop.format != 32 or not prop.value:
            return None
        return int(prop.value[0])

    def _refresh_wm(self) -> None:
        """Find the window manager's check window and learn when it is destroyed."""
        check = self._atoms["_NET_SUPPORTING_WM_CHECK"]
        self._wm_stale = False
        self._wm_window = None
        self._active_stale = True
        wm = self._window_property(self._root, check, Xatom.WINDOW)
        if not wm:
            return
        wm_window = self._query.create_resource_object("window", wm)
        wm_window.change_attributes(event_mask=X.StructureNotifyMask, onerror=self._catch)
        try:
            # A live window manager's check window points at itself; a stale one is gone.
            if self._window_property(wm_window, check, Xatom.WINDOW) != wm:
                return
        except _WINDOW_GONE:
            return
        self._wm_window = wm
        supported = self._root.get_full_property(self._atoms["_NET_SUPPORTED"], Xatom.ATOM)
        values = supported.value if supported is not None and supported.format == 32 else ()
        self._wm_supports_active = self._atoms["_NET_ACTIVE_WINDOW"] in {int(v) for v in values}

    def _active_window(self) -> int | None:
        prop = self._root.get_property(self._atoms["_NET_ACTIVE_WINDOW"], Xatom.WINDOW, 0, 1)
        if prop is None or prop.format != 32:
            return None
        return int(prop.value[0]) if prop.value else 0

    def _identify(self, window_id: int) -> _WindowInfo:
        window = self._query.create_resource_object("window", window_id)
        # Listen for its destruction first, so that no later reuse of the id can be missed.
        window.change_attributes(event_mask=X.StructureNotifyMask, onerror=self._catch)
        pid = self._window_property(window, self._atoms["_NET_WM_PID"], Xatom.CARDINAL)
        if pid is not None:
            machine = window.get_full_text_property(Xatom.WM_CLIENT_MACHINE, X.AnyPropertyType)
            if (
                isinstance(machine, str)
                and machine
                and _first_label(machine) not in (self._hostname, "localhost")
            ):
                pid = None  # the pid of another computer's process
        if self._has_xres:
            # The X server's own word wins where it has one: a sandboxed app (Flatpak, a
            # container) writes its pid as seen inside its pid namespace into _NET_WM_PID.
            pid = self._xres_pid(window_id) or pid
        raw_class = window.get_wm_class()
        wm_class = (str(raw_class[0]), str(raw_class[1])) if raw_class else None
        process = _process_app(pid, self._watched) if pid is not None else None
        if process is not None and process[1]:
            return _WindowInfo(pid, SELF_APP)
        executable = (
            process[0] if process is not None else (wm_class[0] if wm_class and wm_class[0] else None)
        )
        if executable is None:
            reason = f"window 0x{window_id:x} has no pid and no WM_CLASS"
            if pid is not None:
                reason = f"cannot read process {pid} of window 0x{window_id:x}"
            return _WindowInfo(pid, None, reason)
        name = self._desktop.name_for(os.path.basename(executable), wm_class)
        if name is None:
            name = wm_class[1] if wm_class and wm_class[1] else os.path.basename(executable)
        return _WindowInfo(pid, AppRef(executable, labelled(name, executable)))

    def _xres_pid(self, window_id: int) -> int | None:
        reply = self._query.res_query_client_ids([{"client": window_id, "mask": xres.LocalClientPIDMask}])
        for client in reply.ids:
            if client.spec.mask & xres.LocalClientPIDMask and client.value:
                return int(client.value[0])
        return None

    def _title(self, window_id: int) -> str | None:
        window = self._query.create_resource_object("window", window_id)
        prop = window.get_full_property(self._atoms["_NET_WM_NAME"], self._atoms["UTF8_STRING"])
        if prop is not None and prop.format == 8 and prop.value:
            return _text(prop.value, "utf-8")
        value = window.get_full_text_property(Xatom.WM_NAME, X.AnyPropertyType)
        if not value:
            return None
        return _text(value, "latin-1")


def _text(value: object, encoding: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode(encoding, errors="replace")
    return str(value)


class X11Idle:
    """Seconds since the last input, from the MIT-SCREEN-SAVER extension. One thread only."""

    backend = "x11"

    def __init__(
        self,
        display_name: str | None = None,
        *,
        retry_seconds: float = RETRY_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
        connect: Callable[[str | None], Any] = open_display,
    ) -> None:
        self._display_name = display_name
        self._open = connect
        self._retry_seconds = retry_seconds
        self._monotonic = monotonic
        self._display: Any = None
        self._root: Any = None
        self._has_extension = False
        self._error: str | None = None
        self._next_try = 0.0
        self._connect()
        if self._display is None:
            raise TrackerError(self._error or "cannot connect to the X server")

    def idle_seconds(self) -> float | None:
        if self._display is None:
            if self._monotonic() < self._next_try:
                return None
            self._connect()
            if self._display is None:
                return None
        if not self._has_extension:
            return None
        try:
            return float(self._root.screensaver_query_info().idle) / 1000.0
        except _CONNECTION_LOST as exc:
            self._lose_connection(exc)
            return None
        except xerror.XError as exc:
            self._error = f"the screen saver query failed: {exc}"
            return None

    def status(self) -> ProbeStatus:
        idle = self.idle_seconds()
        if idle is not None:
            return ProbeStatus("idle", self.backend, True, f"idle {idle:.1f} s")
        if self._display is None:
            return ProbeStatus("idle", self.backend, False, self._error or "no X connection", _DISPLAY_HINT)
        hint = None
        if not self._has_extension:
            hint = "use an X server with the MIT-SCREEN-SAVER extension (Xorg and Xvfb have it)"
        return ProbeStatus("idle", self.backend, False, self._error or "idle time unknown", hint)

    def close(self) -> None:
        _close_quietly(self._display)
        self._display = None
        self._error = "closed"
        self._next_try = float("inf")

    def _connect(self) -> None:
        try:
            display = self._open(self._display_name)
        except TrackerError as exc:
            self._error = str(exc)
            self._next_try = self._monotonic() + self._retry_seconds
            return
        self._display = display
        self._root = display.screen().root
        self._has_extension = bool(display.has_extension("MIT-SCREEN-SAVER"))
        self._error = None if self._has_extension else "the X server has no MIT-SCREEN-SAVER extension"

    def _lose_connection(self, exc: BaseException) -> None:
        _close_quietly(self._display)
        self._display = None
        self._error = (
            f"lost the X connection ({exc or type(exc).__name__}); retrying every {self._retry_seconds:g} s"
        )
        self._next_try = self._monotonic() + self._retry_seconds


def open_x11(display: str | None = None) -> tuple[X11Foreground, X11Idle]:
    """The X11 foreground and idle probes on `display` (default: $DISPLAY).

    Raises TrackerError, saying why, when no X server can be reached.
    """
    foreground = X11Foreground(display)
    try:
        idle = X11Idle(display)
    except TrackerError:
        foreground.close()
        raise
    return foreground, idle
