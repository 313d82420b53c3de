"""The foreground app, idle time and screen lock on Windows, through the Win32 API with ctypes.

What has been run where: only the pure parts (the idle tick arithmetic, the version-resource
parser, picking the app inside a UWP frame, naming apps) on Linux, under pytest. The ctypes
calls themselves have never run on Windows here.
"""

from __future__ import annotations

import ctypes
import ntpath
import os
import struct
import sys
from collections.abc import Iterable
from ctypes import wintypes
from typing import Any

import psutil

from wellbeing_app.core.model import AppRef
from wellbeing_app.core.record import record
from wellbeing_app.tracker.base import Foreground, ProbeStatus, TrackerError
from wellbeing_app.tracker.common import SELF_APP as SELF_APP
from wellbeing_app.tracker.common import PolledForeground, ReasonedIdle, ReasonedLock, is_own_process

#: The process that draws the frames of UWP (Store) apps; the app itself is a child window.
UWP_FRAME_HOST = "applicationframehost.exe"
#: GetTickCount is a 32-bit millisecond counter: it wraps after 2**32 ms, about 49.7 days.
TICK_WRAP = 0x1_0000_0000
DESKTOP_SWITCHDESKTOP = 0x0100
#: String tables tried after the ones the resource lists: US English in Unicode, Windows-1252, neutral.
_USUAL_TABLES = ("040904b0", "040904e4", "04090000")


# --- pure parts --------------------------------------------------------------------------------


def idle_ms(tick_now: int, last_input: int) -> int:
    """Milliseconds since the last input, from GetTickCount and LASTINPUTINFO.dwTime.

    Both are 32-bit counters that wrap together about every 49.7 days; the unsigned
    difference stays right across the wrap.
    """
    return (tick_now - last_input) & 0xFFFFFFFF


@record
class VersionBlock:
    """One block of a VS_VERSIONINFO resource: a key, a raw value, the blocks inside it."""

    key: str
    value: bytes
    children: tuple[VersionBlock, ...]


def _aligned(offset: int) -> int:
    return (offset + 3) & ~3


def parse_version_resource(blob: bytes) -> VersionBlock:
    """The tree of blocks of a version resource, as GetFileVersionInfoW returns it.

    Each block is wLength, wValueLength, wType, a NUL-terminated UTF-16 key, padding to 32
    bits, the value, then child blocks each at a 32-bit boundary; wLength leaves out the
    block's own trailing padding. The String blocks of a StringTable take their value to the
    end of the block whatever wValueLength says (resource compilers disagree on whether it
    counts bytes or characters). Raises ValueError on a truncated or inconsistent resource.
    """
    return _parse_block(blob, 0, len(blob), ())


def _parse_block(blob: bytes, start: int, limit: int, ancestors: tuple[str, ...]) -> VersionBlock:
    if start + 6 > limit:
        raise ValueError(f"a version block at {start} needs 6 bytes, only {limit - start} are left")
    length, value_length, kind = struct.unpack_from("<HHH", blob, start)
    end = start + length
    if length < 6 or end > limit:
        raise ValueError(f"the version block at {start} claims {length} bytes, beyond its parent")
    key_end = start + 6
    while key_end + 1 < end and blob[key_end : key_end + 2] != b"\0\0":
        key_end += 2
    if key_end + 1 >= end:
        raise ValueError(f"the key of the version block at {start} has no end")
    key = blob[start + 6 : key_end].decode("utf-16-le", "replace")
    value_start = min(_aligned(key_end + 2), end)
    if len(ancestors) == 3 and ancestors[1] == "StringFileInfo":
        return VersionBlock(key, blob[value_start:end], ())
    value_end = min(value_start + (value_length * 2 if kind == 1 else value_length), end)
    children = []
    child = _aligned(value_end)
    while child + 6 <= end:
        block = _parse_block(blob, child, end, (*ancestors, key))
        children.append(block)
        child = _aligned(child + struct.unpack_from("<H", blob, child)[0])
    return VersionBlock(key, blob[value_start:value_end], tuple(children))


def _utf16_text(raw: bytes) -> str:
    text = raw[: len(raw) - len(raw) % 2].decode("utf-16-le", "replace")
    return text.split("\0", 1)[0].strip()


def version_strings(root: VersionBlock) -> dict[str, dict[str, str]]:
    """The string tables of a parsed version resource: {"040904b0": {"FileDescription": ...}}.

    Table keys are lowercased, as resources spell them either way.
    """
    tables: dict[str, dict[str, str]] = {}
    for info in root.children:
        if info.key == "StringFileInfo":
            for table in info.children:
                strings = tables.setdefault(table.key.lower(), {})
                strings.update((string.key, _utf16_text(string.value)) for string in table.children)
    return tables


def version_translations(root: VersionBlock) -> list[str]:
    """The string tables the resource says it has (VarFileInfo\\Translation), as "040904b0"."""
    found = []
    for info in root.children:
        if info.key != "VarFileInfo":
            continue
        for var in info.children:
            if var.key != "Translation":
                continue
            for offset in range(0, len(var.value) - 3, 4):
                language, codepage = struct.unpack_from("<HH", var.value, offset)
                found.append(f"{language:04x}{codepage:04x}")
    return found


def file_description(blob: bytes) -> str | None:
    """The FileDescription (else ProductName) of a version resource, or None.

    Tables are tried in the order the resource lists them, then US English, then any.
    """
    try:
        root = parse_version_resource(blob)
    except ValueError:
        return None
    if root.key != "VS_VERSION_INFO":
        return None
    tables = version_strings(root)
    order = [*version_translations(root), *_USUAL_TABLES, *tables]
    for field in ("FileDescription", "ProductName"):
        for table in order:
            text = tables.get(table, {}).get(field)
            if text:
                return text
    return None


def pick_hosted_pid(host_pid: int, child_pids: Iterable[int]) -> int | None:
    """The pid of the UWP app inside an ApplicationFrameHost window: the first child of another pid."""
    for pid in child_pids:
        if pid and pid != host_pid:
            return pid
    return None


def executable_name(image: str) -> str:
    """ "C:\\Program Files\\Mozilla Firefox\\firefox.exe" or "Firefox.EXE" → "firefox".

    Windows file names ignore case, so the name is folded to lower case; ".exe" is dropped so
    that the same program has the same name as on Linux and macOS.
    """
    base = ntpath.basename(image).strip()
    stem, extension = os.path.splitext(base)
    return (stem if extension.lower() == ".exe" else base).lower()


def app_for_process(pid: int, image: str | None, description: str | None, *, own_pid: int) -> AppRef | None:
    """The app of process `pid` with image path or name `image` and its FileDescription."""
    if is_own_process(pid, own_pid):
        return SELF_APP
    if not image:
        return None
    executable = executable_name(image)
    if not executable:
        return None
    stem = os.path.splitext(ntpath.basename(image).strip())[0] or executable
    return AppRef(executable, description or stem)


# --- the Win32 API -----------------------------------------------------------------------------


class LASTINPUTINFO(ctypes.Structure):
    _fields_ = (("cbSize", wintypes.UINT), ("dwTime", wintypes.DWORD))


class _Win32:
    """The few functions of user32, kernel32 and version.dll that the probes call."""

    def __init__(self) -> None:
        loader = getattr(ctypes, "WinDLL", None)
        callback_type = getattr(ctypes, "WINFUNCTYPE", None)
        if sys.platform != "win32" or loader is None or callback_type is None:
            raise TrackerError("the Windows probes run only on Windows")
        try:
            self.user32: Any = loader("user32", use_last_error=True)
            self.kernel32: Any = loader("kernel32", use_last_error=True)
            self.version: Any = loader("version", use_last_error=True)
        except OSError as error:
            raise TrackerError(f"cannot load the Win32 libraries: {error}") from error
        self.enum_callback: Any = callback_type(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)
        u, k, v = self.user32, self.kernel32, self.version
        u.GetForegroundWindow.argtypes = ()
        u.GetForegroundWindow.restype = wintypes.HWND
        u.GetWindowThreadProcessId.argtypes = (wintypes.HWND, ctypes.POINTER(wintypes.DWORD))
        u.GetWindowThreadProcessId.restype = wintypes.DWORD
        u.GetWindowTextLengthW.argtypes = (wintypes.HWND,)
        u.GetWindowTextLengthW.restype = ctypes.c_int
        u.GetWindowTextW.argtypes = (wintypes.HWND, wintypes.LPWSTR, ctypes.c_int)
        u.GetWindowTextW.restype = ctypes.c_int
        u.EnumChildWindows.argtypes = (wintypes.HWND, self.enum_callback, wintypes.LPARAM)
        u.EnumChildWindows.restype = wintypes.BOOL
        u.GetLastInputInfo.argtypes = (ctypes.POINTER(LASTINPUTINFO),)
        u.GetLastInputInfo.restype = wintypes.BOOL
        u.OpenInputDesktop.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
        u.OpenInputDesktop.restype = wintypes.HANDLE
        u.SwitchDesktop.argtypes = (wintypes.HANDLE,)
        u.SwitchDesktop.restype = wintypes.BOOL
        u.CloseDesktop.argtypes = (wintypes.HANDLE,)
        u.CloseDesktop.restype = wintypes.BOOL
        k.GetTickCount.argtypes = ()
        k.GetTickCount.restype = wintypes.DWORD
        v.GetFileVersionInfoSizeW.argtypes = (wintypes.LPCWSTR, ctypes.POINTER(wintypes.DWORD))
        v.GetFileVersionInfoSizeW.restype = wintypes.DWORD
        v.GetFileVersionInfoW.argtypes = (wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, wintypes.LPVOID)
        v.GetFileVersionInfoW.restype = wintypes.BOOL

    def foreground_window(self) -> int:
        return int(self.user32.GetForegroundWindow() or 0)

    def window_pid(self, hwnd: int) -> int:
        pid = wintypes.DWORD(0)
        self.user32.GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
        return int(pid.value)

    def window_title(self, hwnd: int) -> str:
        length = int(self.user32.GetWindowTextLengthW(hwnd))
        if length <= 0:
            return ""
        buffer = ctypes.create_unicode_buffer(length + 1)
        self.user32.GetWindowTextW(hwnd, buffer, length + 1)
        return str(buffer.value)

    def child_windows(self, hwnd: int) -> list[int]:
        children: list[int] = []

        def collect(child: int, _: int) -> bool:
            children.append(int(child or 0))
            return True

        self.user32.EnumChildWindows(hwnd, self.enum_callback(collect), 0)
        return children

    def last_input_tick(self) -> int | None:
        info = LASTINPUTINFO()
        info.cbSize = ctypes.sizeof(LASTINPUTINFO)
        if not self.user32.GetLastInputInfo(ctypes.byref(info)):
            return None
        return int(info.dwTime)

    def tick_count(self) -> int:
        return int(self.kernel32.GetTickCount())

    def input_desktop_is_ours(self) -> bool:
        """False while the secure desktop (lock screen, Ctrl+Alt+Del, UAC prompt) has the input."""
        desktop = self.user32.OpenInputDesktop(0, False, DESKTOP_SWITCHDESKTOP)
        if not desktop:
            return False
        try:
            return bool(self.user32.SwitchDesktop(desktop))
        finally:
            self.user32.CloseDesktop(desktop)

    def version_blob(self, path: str) -> bytes | None:
        ignored = wintypes.DWORD(0)
        size = int(self.version.GetFileVersionInfoSizeW(path, ctypes.byref(ignored)))
        if size <= 0:
            return None
        buffer = ctypes.create_string_buffer(size)
        if not self.version.GetFileVersionInfoW(path, 0, size, buffer):
            return None
        return bytes(buffer.raw)


def _process_image(pid: int) -> tuple[str | None, str | None]:
    """(image name, full exe path) of a process; each None when Windows will not say."""
    try:
        process = psutil.Process(pid)
        name = str(process.name()) or None
    except (psutil.Error, OSError):
        return None, None
    try:
        path = str(process.exe()) or None
    except (psutil.Error, OSError):
        path = None
    return name, path


class WindowsForeground(PolledForeground):
    """The app of the foreground window; polled (no WinEvent hook, which needs a message loop)."""

    backend = "windows"

    def __init__(self, win32: _Win32, *, own_pid: int | None = None) -> None:
        self._win32 = win32
        self._own_pid = os.getpid() if own_pid is None else own_pid
        self._descriptions: dict[str, str | None] = {}
        self._reason: str | None = None

    def _description(self, path: str | None) -> str | None:
        if path is None:
            return None
        if path not in self._descriptions:
            try:
                blob = self._win32.version_blob(path)
            except OSError:
                blob = None
            self._descriptions[path] = file_description(blob) if blob else None
        return self._descriptions[path]

    def foreground(self, *, with_title: bool) -> Foreground:
        try:
            found = self._foreground(with_title)
        except (OSError, ValueError, ctypes.ArgumentError) as error:
            found = Foreground(app=None, reason=f"the Win32 calls failed: {error}")
        self._reason = found.reason
        return found

    def _foreground(self, with_title: bool) -> Foreground:
        hwnd = self._win32.foreground_window()
        if not hwnd:
            return Foreground(
                app=None,
                reason="no window is in front (the input is switching desktops)",
                nothing_in_front=True,
            )
        pid = self._win32.window_pid(hwnd)
        title = self._win32.window_title(hwnd) if with_title else None
        if not pid:
            return Foreground(app=None, title=title, reason="the foreground window has no process id")
        name, path = _process_image(pid)
        if name is not None and name.lower() == UWP_FRAME_HOST:
            hosted = pick_hosted_pid(
                pid, (self._win32.window_pid(c) for c in self._win32.child_windows(hwnd))
            )
            if hosted is not None:
                pid = hosted
                name, path = _process_image(pid)
        app = app_for_process(pid, path or name, self._description(path), own_pid=self._own_pid)
        if app is None:
            return Foreground(app=None, pid=pid, title=title, reason=f"process {pid} cannot be looked at")
        return Foreground(app=app, pid=pid, title=title)

    def status(self) -> ProbeStatus:
        found = self.foreground(with_title=False)
        if found.app is not None:
            detail = f"focused: {found.app.executable} ({found.app.name}, pid {found.pid}); polled"
            return ProbeStatus("foreground", self.backend, True, detail)
        works = self._reason is not None and not self._reason.startswith("the Win32 calls failed")
        return ProbeStatus("foreground", self.backend, works, found.reason or "unknown")

    def close(self) -> None:
        self._descriptions.clear()


class WindowsIdle(ReasonedIdle):
    """Idle time from GetLastInputInfo: the last input of this session, any app."""

    backend = "windows"

    def __init__(self, win32: _Win32) -> None:
        self._win32 = win32
        self._reason: str | None = None

    def idle_seconds(self) -> float | None:
        try:
            last_input = self._win32.last_input_tick()
            if last_input is None:
                self._reason = "GetLastInputInfo failed"
                return None
            self._reason = None
            return idle_ms(self._win32.tick_count(), last_input) / 1000.0
        except (OSError, ValueError, ctypes.ArgumentError) as error:
            self._reason = f"the Win32 calls failed: {error}"
            return None


class WindowsLock(ReasonedLock):
    """Locked when this session does not own the input desktop (OpenInputDesktop/SwitchDesktop).

    A UAC prompt or the Ctrl+Alt+Del screen also count as locked while they are shown.
    """

    backend = "windows"

    def __init__(self, win32: _Win32) -> None:
        self._win32 = win32
        self._reason: str | None = None

    def locked(self) -> bool | None:
        try:
            self._reason = None
            return not self._win32.input_desktop_is_ours()
        except (OSError, ValueError, ctypes.ArgumentError) as error:
            self._reason = f"the Win32 calls failed: {error}"
            return None


def open_windows(*, own_pid: int | None = None) -> tuple[WindowsForeground, WindowsIdle]:
    """The foreground and idle probes of this Windows session; TrackerError elsewhere."""
    win32 = _Win32()
    return WindowsForeground(win32, own_pid=own_pid), WindowsIdle(win32)


def open_windows_lock() -> WindowsLock:
    """The lock probe of this Windows session; TrackerError elsewhere."""
    return WindowsLock(_Win32())
