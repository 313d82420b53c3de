"""The Windows probes' pure parts, and their logic over a stand-in for the Win32 calls.

Nothing here calls Windows: the ctypes layer (`_Win32`) is replaced by `FakeWin32`. The
version resources are built by `resource()` below, which was checked to rebuild byte for byte
the resource of a real Windows executable (pip's vendored distlib launcher `t64.exe`);
`test_parser_reads_a_real_executable` repeats that check where the file is installed.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wellbeing_app.core.model import SELF_APP, AppRef
from wellbeing_app.tracker import windows
from wellbeing_app.tracker.base import Foreground, TrackerError

OWN_PID = 4000

# --- idle time across the 49.7-day wrap ---------------------------------------------------------


@pytest.mark.parametrize(
    ("tick_now", "last_input", "idle"),
    [
        (5_000, 3_000, 2_000),
        (3_000, 3_000, 0),
        (100, 0xFFFF_FF00, 356),  # the counter wrapped between the input and now
        (0, 0xFFFF_FFFF, 1),
        (0xFFFF_FFFF, 0, 0xFFFF_FFFF),
        (2_000, 0, 2_000),
    ],
)
def test_idle_ms(tick_now: int, last_input: int, idle: int) -> None:
    assert windows.idle_ms(tick_now, last_input) == idle


@given(st.integers(0, 0xFFFF_FFFF), st.integers(0, 0xFFFF_FFFF))
def test_idle_ms_is_the_time_since_the_input_whatever_the_wrap(last_input: int, elapsed: int) -> None:
    assert windows.idle_ms((last_input + elapsed) % windows.TICK_WRAP, last_input) == elapsed


# --- version resources -------------------------------------------------------------------------


def _pad(data: bytearray) -> None:
    data.extend(b"\0" * (-len(data) % 4))


def block(
    key: str,
    value: bytes = b"",
    *,
    text: bool,
    children: tuple[bytes, ...] = (),
    value_length: int | None = None,
) -> bytes:
    """One VS_VERSIONINFO block: wLength, wValueLength, wType, key, padding, value, children."""
    data = bytearray(6) + (key + "\0").encode("utf-16-le")
    _pad(data)
    data += value
    for child in children:
        _pad(data)
        data += child
    if value_length is None:
        value_length = len(value) // 2 if text else len(value)
    struct.pack_into("<HHH", data, 0, len(data), value_length, 1 if text else 0)
    return bytes(data)


def string(key: str, text: str, *, length_in_bytes: bool = False) -> bytes:
    value = (text + "\0").encode("utf-16-le")
    return block(key, value, text=True, value_length=len(value) if length_in_bytes else None)


FIXED_FILE_INFO = struct.pack(
    "<13I", 0xFEEF04BD, 0x00010000, 0x0001_0078, 0x0000_0000, 0x0001_0078, 0, 0x3F, 0, 0x40004, 1, 0, 0, 0
)


def resource(
    tables: Mapping[str, Mapping[str, str]],
    translations: list[tuple[int, int]],
    *,
    length_in_bytes: bool = False,
) -> bytes:
    """A whole version resource as GetFileVersionInfoW hands it over (without its spare tail)."""
    string_file_info = block(
        "StringFileInfo",
        text=True,
        children=tuple(
            block(
                name,
                text=True,
                children=tuple(
                    string(key, value, length_in_bytes=length_in_bytes) for key, value in strings.items()
                ),
            )
            for name, strings in tables.items()
        ),
    )
    translation = b"".join(struct.pack("<HH", language, codepage) for language, codepage in translations)
    var_file_info = block("VarFileInfo", text=True, children=(block("Translation", translation, text=False),))
    return block("VS_VERSION_INFO", FIXED_FILE_INFO, text=False, children=(string_file_info, var_file_info))


FIREFOX = {
    "CompanyName": "Mozilla Corporation",
    "FileDescription": "Firefox",
    "FileVersion": "128.0.3",
    "InternalName": "Firefox",
    "LegalCopyright": "©Firefox and Mozilla Developers; available under the MPL 2 license.",
    "OriginalFilename": "firefox.exe",
    "ProductName": "Firefox",
    "ProductVersion": "128.0.3",
}


def test_parse_version_resource_reads_the_tree() -> None:
    root = windows.parse_version_resource(resource({"040904b0": FIREFOX}, [(0x0409, 0x04B0)]))
    assert root.key == "VS_VERSION_INFO"
    assert root.value == FIXED_FILE_INFO
    assert [child.key for child in root.children] == ["StringFileInfo", "VarFileInfo"]
    assert windows.version_strings(root) == {"040904b0": FIREFOX}
    assert windows.version_translations(root) == ["040904b0"]


def test_file_description_prefers_the_listed_table() -> None:
    german = {**FIREFOX, "FileDescription": "Rechner"}
    blob = resource({"040904b0": {"FileDescription": "Calculator"}, "040704b0": german}, [(0x0407, 0x04B0)])
    assert windows.file_description(blob) == "Rechner"


def test_file_description_when_the_listed_table_is_missing() -> None:
    # Seen in real launchers: Translation says 0409, the only table is 0809.
    blob = resource({"080904b0": {"FileDescription": "Simple Launcher Executable"}}, [(0x0409, 0x04B0)])
    assert windows.file_description(blob) == "Simple Launcher Executable"


def test_file_description_reads_upper_case_table_names_and_byte_counted_strings() -> None:
    blob = resource(
        {"040904B0": {"FileDescription": "Visual Studio Code"}}, [(0x0409, 0x04B0)], length_in_bytes=True
    )
    assert windows.file_description(blob) == "Visual Studio Code"


def test_file_description_falls_back_to_the_product_name() -> None:
    blob = resource({"040904b0": {"FileDescription": "  ", "ProductName": "Steam"}}, [(0x0409, 0x04B0)])
    assert windows.file_description(blob) == "Steam"


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        b"\x10\x00",
        resource({"040904b0": FIREFOX}, [(0x0409, 0x04B0)])[:200],  # truncated
        b"\xff\xff" + resource({"040904b0": FIREFOX}, [(0x0409, 0x04B0)])[2:],  # wLength beyond the data
        resource({"040904b0": {"CompanyName": "x"}}, []),  # no description at all
        block("NOT_VERSION_INFO", b"", text=False),
        block("VS_VERSION_INFO", b"\0" * 52, text=False),  # no string tables
        bytes(range(256)) * 4,
    ],
)
def test_file_description_of_something_unreadable_is_none(blob: bytes) -> None:
    assert windows.file_description(blob) is None


def test_parse_version_resource_refuses_a_truncated_resource() -> None:
    with pytest.raises(ValueError, match="beyond its parent"):
        windows.parse_version_resource(resource({"040904b0": FIREFOX}, [])[:300])


def _pe_version_resource(data: bytes) -> bytes:
    """The RT_VERSION resource of a PE file: enough of the format to read one launcher."""
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    sections, optional_size = (
        struct.unpack_from("<H", data, pe + 6)[0],
        struct.unpack_from("<H", data, pe + 20)[0],
    )
    optional = pe + 24
    directories = optional + (96 if struct.unpack_from("<H", data, optional)[0] == 0x10B else 112)
    resource_rva = struct.unpack_from("<I", data, directories + 2 * 8)[0]

    def offset_of(rva: int) -> int:
        for index in range(sections):
            header = optional + optional_size + 40 * index
            virtual_size, address, raw_size, raw_pointer = struct.unpack_from("<IIII", data, header + 8)
            if address <= rva < address + max(virtual_size, raw_size):
                return int(rva - address + raw_pointer)
        raise AssertionError(f"rva {rva:#x} is in no section")

    base = offset_of(resource_rva)

    def first_entry(directory: int, wanted: int | None = None) -> int:
        named, ids = struct.unpack_from("<HH", data, directory + 12)
        for index in range(named + ids):
            name, target = struct.unpack_from("<II", data, directory + 16 + 8 * index)
            if wanted is None or name == wanted:
                return int(target & 0x7FFFFFFF)
        raise AssertionError("no such resource")

    language = base + first_entry(base + first_entry(base + first_entry(base, 16)))
    rva, size = struct.unpack_from("<II", data, language)
    start = offset_of(rva)
    return data[start : start + size]


def test_parser_reads_a_real_executable() -> None:
    import pip

    launcher = Path(pip.__file__).parent / "_vendor" / "distlib" / "t64.exe"
    if not launcher.exists():
        pytest.skip("this pip ships no distlib launcher")
    blob = _pe_version_resource(launcher.read_bytes())
    root = windows.parse_version_resource(blob)
    tables = windows.version_strings(root)
    assert windows.file_description(blob) == "Simple Launcher Executable"
    assert tables["080904b0"]["OriginalFilename"] == "t64.exe"
    translations = [(int(t[:4], 16), int(t[4:], 16)) for t in windows.version_translations(root)]
    rebuilt = resource(tables, translations)
    assert rebuilt[:0x28] + blob[0x28:0x5C] + rebuilt[0x5C:] == blob  # our builder writes the real layout


# --- naming apps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "executable"),
    [
        ("C:\\Program Files\\Mozilla Firefox\\firefox.exe", "firefox"),
        ("C:\\Users\\ana\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe", "code"),
        ("Notepad.EXE", "notepad"),
        ("C:\\Windows\\System32\\svchost", "svchost"),
        ("python3.11.exe", "python3.11"),
    ],
)
def test_executable_name(image: str, executable: str) -> None:
    assert windows.executable_name(image) == executable


def test_app_for_process() -> None:
    code = "C:\\Users\\ana\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe"
    assert windows.app_for_process(7, code, "Visual Studio Code", own_pid=OWN_PID) == AppRef(
        "code", "Visual Studio Code"
    )
    assert windows.app_for_process(7, code, None, own_pid=OWN_PID) == AppRef("code", "Code")
    assert windows.app_for_process(OWN_PID, "pythonw.exe", "Python", own_pid=OWN_PID) == SELF_APP
    assert windows.app_for_process(7, None, None, own_pid=OWN_PID) is None
    assert windows.app_for_process(7, "", "x", own_pid=OWN_PID) is None


@pytest.mark.parametrize(
    ("children", "hosted"),
    [
        ([500, 500, 7788, 9000], 7788),
        ([500, 0, 7788], 7788),
        ([500, 500], None),
        ([], None),
    ],
)
def test_pick_hosted_pid(children: list[int], hosted: int | None) -> None:
    assert windows.pick_hosted_pid(500, children) == hosted


# --- the probes over a stand-in for Win32 ------------------------------------------------------


class FakeWin32:
    """What `_Win32` answers, as plain data; counts the title reads."""

    def __init__(self) -> None:
        self.window = 0x10A2
        self.pids = {0x10A2: 1201, 0x20B4: 500, 0x20B5: 500, 0x20B6: 7788}
        self.children = {0x20B4: [0x20B5, 0x20B6]}
        self.titles = {0x10A2: "Wellbeing — Mozilla Firefox", 0x20B4: "Calculator"}
        self.blobs = {
            "C:\\Program Files\\Mozilla Firefox\\firefox.exe": resource(
                {"040904b0": FIREFOX}, [(0x0409, 0x04B0)]
            )
        }
        self.title_reads = 0
        self.version_reads = 0
        self.tick = 1_000
        self.last_input: int | None = 400
        self.ours = True
        self.broken = False

    def foreground_window(self) -> int:
        if self.broken:
            raise OSError("access denied")
        return self.window

    def window_pid(self, hwnd: int) -> int:
        return self.pids.get(hwnd, 0)

    def window_title(self, hwnd: int) -> str:
        self.title_reads += 1
        return self.titles.get(hwnd, "")

    def child_windows(self, hwnd: int) -> list[int]:
        return self.children.get(hwnd, [])

    def version_blob(self, path: str) -> bytes | None:
        self.version_reads += 1
        return self.blobs.get(path)

    def last_input_tick(self) -> int | None:
        return self.last_input

    def tick_count(self) -> int:
        return self.tick

    def input_desktop_is_ours(self) -> bool:
        if self.broken:
            raise OSError("access denied")
        return self.ours


PROCESSES = {
    1201: ("firefox.exe", "C:\\Program Files\\Mozilla Firefox\\firefox.exe"),
    500: ("ApplicationFrameHost.exe", "C:\\Windows\\System32\\ApplicationFrameHost.exe"),
    7788: ("CalculatorApp.exe", None),  # a Store app: its path may be hidden from us
}


@pytest.fixture
def win32(monkeypatch: pytest.MonkeyPatch) -> FakeWin32:
    monkeypatch.setattr(windows, "_process_image", lambda pid: PROCESSES.get(pid, (None, None)))
    return FakeWin32()


def _probe(win32: FakeWin32, own_pid: int = OWN_PID) -> windows.WindowsForeground:
    return windows.WindowsForeground(cast(Any, win32), own_pid=own_pid)


def test_foreground_names_the_app_from_its_version_info(win32: FakeWin32) -> None:
    probe = _probe(win32)
    assert probe.foreground(with_title=False) == Foreground(AppRef("firefox", "Firefox"), pid=1201)
    assert win32.title_reads == 0
    assert probe.foreground(with_title=True).title == "Wellbeing — Mozilla Firefox"
    assert win32.title_reads == 1
    assert win32.version_reads == 1  # read once per executable
    status = probe.status()
    assert status.works
    assert "firefox (Firefox, pid 1201)" in status.detail


def test_foreground_of_a_uwp_frame_is_the_app_inside(win32: FakeWin32) -> None:
    win32.window = 0x20B4
    found = _probe(win32).foreground(with_title=True)
    assert found == Foreground(AppRef("calculatorapp", "CalculatorApp"), pid=7788, title="Calculator")


def test_foreground_of_a_uwp_frame_without_its_app_is_the_frame_host(win32: FakeWin32) -> None:
    win32.window = 0x20B4
    win32.children = {}
    found = _probe(win32).foreground(with_title=False)
    assert found.app == AppRef("applicationframehost", "ApplicationFrameHost")


def test_foreground_of_own_window_is_this_app(win32: FakeWin32) -> None:
    assert _probe(win32, own_pid=1201).foreground(with_title=False).app == SELF_APP


def test_no_foreground_window_is_unknown_with_a_reason(win32: FakeWin32) -> None:
    win32.window = 0
    probe = _probe(win32)
    found = probe.foreground(with_title=True)
    assert found.app is None
    assert found.reason is not None
    assert "no window is in front" in found.reason
    assert probe.status().works


def test_a_process_that_cannot_be_seen_is_unknown_with_a_reason(win32: FakeWin32) -> None:
    win32.pids[0x10A2] = 4242
    found = _probe(win32).foreground(with_title=False)
    assert found == Foreground(app=None, pid=4242, reason="process 4242 cannot be looked at")


def test_failing_win32_calls_are_unknown_not_an_exception(win32: FakeWin32) -> None:
    win32.broken = True
    probe = _probe(win32)
    found = probe.foreground(with_title=False)
    assert found.app is None
    assert found.reason == "the Win32 calls failed: access denied"
    assert not probe.status().works


def test_idle_probe_handles_the_tick_wrap(win32: FakeWin32) -> None:
    idle = windows.WindowsIdle(cast(Any, win32))
    assert idle.idle_seconds() == 0.6
    win32.tick, win32.last_input = 1_000, 0xFFFF_FC18  # input 2 s before the counter wrapped
    assert idle.idle_seconds() == 2.0
    win32.last_input = None
    assert idle.idle_seconds() is None
    status = idle.status()
    assert not status.works
    assert status.detail == "GetLastInputInfo failed"


def test_lock_probe(win32: FakeWin32) -> None:
    lock = windows.WindowsLock(cast(Any, win32))
    assert lock.locked() is False
    win32.ours = False
    assert lock.locked() is True
    assert lock.status().detail == "locked"
    win32.broken = True
    assert lock.locked() is None
    assert not lock.status().works


def test_the_windows_probes_are_not_built_elsewhere() -> None:
    with pytest.raises(TrackerError, match="only on Windows"):
        windows.open_windows()
    with pytest.raises(TrackerError, match="only on Windows"):
        windows.open_windows_lock()
