"""SystemClock: an elapsed counter that never goes back, and the local zone read from the system."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wellbeing_app.tracker.clock import (
    SystemClock,
    detect_zone,
    load_zone,
    offset_name,
    zone_key_from_path,
    zone_key_from_timezone_file,
    zone_key_from_tz,
)


def test_elapsed_never_goes_backwards() -> None:
    clock = SystemClock(env={})
    last = clock.elapsed()
    for _ in range(100_000):
        now = clock.elapsed()
        assert now >= last
        last = now


def test_elapsed_counts_through_suspend_where_the_platform_can() -> None:
    clock = SystemClock(env={})
    if hasattr(time, "CLOCK_BOOTTIME"):
        assert clock.elapsed_source == "CLOCK_BOOTTIME"
        # Boot time is ahead of the monotonic clock by the time spent suspended (never behind).
        assert clock.elapsed() >= time.monotonic() - 0.001


def test_wall_is_aware_utc() -> None:
    assert SystemClock(env={}).wall().tzinfo is UTC


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/usr/share/zoneinfo/Asia/Almaty", "Asia/Almaty"),
        ("../usr/share/zoneinfo/Europe/Moscow", "Europe/Moscow"),
        ("/usr/share/zoneinfo/posix/Asia/Qostanay", "Asia/Qostanay"),
        ("/usr/share/zoneinfo/right/America/New_York", "America/New_York"),
        ("/var/db/timezone/zoneinfo/Europe/Berlin", "Europe/Berlin"),  # macOS
        ("/usr/share/zoneinfo/UTC", "UTC"),
        ("/etc/some/file", None),
        ("/usr/share/zoneinfo/", None),
    ],
)
def test_zone_key_from_a_localtime_link(path: str, key: str | None) -> None:
    assert zone_key_from_path(path) == key


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("Europe/Moscow", "Europe/Moscow"),
        (":Europe/Moscow", "Europe/Moscow"),
        (":/usr/share/zoneinfo/Asia/Almaty", "Asia/Almaty"),
        ("UTC0", "UTC0"),  # names no zone; load_zone then refuses it
        ("EST5EDT,M3.2.0,M11.1.0", None),
        ("<+05>-5", None),
        ("", None),
        (":", None),
    ],
)
def test_zone_key_from_tz(value: str, key: str | None) -> None:
    assert zone_key_from_tz(value) == key


def test_zone_key_from_a_debian_timezone_file() -> None:
    assert zone_key_from_timezone_file("# set by the installer\n\nAsia/Almaty\n") == "Asia/Almaty"
    assert zone_key_from_timezone_file("\n# nothing\n") is None


@pytest.mark.parametrize("key", ["Nowhere/City", "../../etc/passwd", "/etc/localtime", "", "UTC0", "Europe"])
def test_bad_zone_keys_load_no_zone(key: str) -> None:
    assert load_zone(key) is None


@given(st.text(max_size=40))
def test_no_tz_value_makes_the_parsers_raise(value: str) -> None:
    key = zone_key_from_tz(value)
    if key is not None:
        load_zone(key)
    zone_key_from_path(value)


def _link(tmp_path: Path, target: str) -> Path:
    link = tmp_path / "localtime"
    os.symlink(target, link)
    return link


def test_zone_from_tz_wins(tmp_path: Path) -> None:
    guess = detect_zone(
        {"TZ": ":Europe/Moscow"}, localtime=_link(tmp_path, "/usr/share/zoneinfo/Asia/Almaty")
    )
    assert guess.name == "Europe/Moscow"
    assert guess.zone == ZoneInfo("Europe/Moscow")
    assert guess.source == "TZ"


def test_zone_from_the_localtime_link(tmp_path: Path) -> None:
    guess = detect_zone({}, localtime=_link(tmp_path, "/usr/share/zoneinfo/Asia/Almaty"))
    assert guess.zone == ZoneInfo("Asia/Almaty")
    assert guess.name == "Asia/Almaty"


def test_zone_from_the_timezone_file_when_localtime_is_a_copy(tmp_path: Path) -> None:
    copy = tmp_path / "localtime"
    copy.write_bytes(b"TZif")
    timezone = tmp_path / "timezone"
    timezone.write_text("America/New_York\n")
    guess = detect_zone({}, localtime=copy, timezone_file=timezone)
    assert guess.zone == ZoneInfo("America/New_York")
    assert guess.source == str(timezone)


def test_zone_falls_back_to_a_fixed_offset(tmp_path: Path) -> None:
    guess = detect_zone({}, localtime=tmp_path / "missing", timezone_file=tmp_path / "missing too")
    assert guess.source == "fixed offset"
    assert guess.name.startswith("UTC")
    assert guess.zone.utcoffset(None) is not None


def test_a_tz_naming_no_zone_gives_the_offset_the_c_library_uses(tmp_path: Path) -> None:
    guess = detect_zone({"TZ": "Nowhere/City"}, localtime=_link(tmp_path, "/usr/share/zoneinfo/Asia/Almaty"))
    assert guess.source == "TZ='Nowhere/City' (fixed offset)"


def test_offset_names() -> None:
    assert offset_name(timedelta(hours=5)) == "UTC+05:00"
    assert offset_name(timedelta(hours=-3, minutes=-30)) == "UTC-03:30"
    assert offset_name(None) == "UTC+00:00"


def test_the_clock_follows_a_change_of_the_localtime_link(tmp_path: Path) -> None:
    link = _link(tmp_path, "/usr/share/zoneinfo/Asia/Almaty")
    clock = SystemClock(env={}, localtime=link)
    assert clock.zone() == ZoneInfo("Asia/Almaty")
    assert clock.zone_name() == "Asia/Almaty"
    link.unlink()
    os.symlink("/usr/share/zoneinfo/Europe/Moscow", link)
    assert clock.zone_name() == "Europe/Moscow"
    assert clock.zone() == ZoneInfo("Europe/Moscow")


def _kernel_folder(folder: Path, *, uptime: float, boot: float) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "uptime").write_text(f"{uptime:.2f} 0.00\n")
    (folder / "stat").write_text(f"cpu  1 2 3\nbtime {int(boot)}\nprocesses 9\n")
    return folder


@pytest.mark.skipif(not hasattr(time, "CLOCK_BOOTTIME"), reason="Linux's CLOCK_BOOTTIME")
def test_the_kernels_time_is_used_when_the_time_given_is_a_day_off(tmp_path: Path) -> None:
    uptime = time.clock_gettime(time.CLOCK_BOOTTIME)
    real_now = time.time()
    # The kernel says it is a day earlier than this process is told (as under faketime -f +1d).
    folder = _kernel_folder(tmp_path / "proc", uptime=uptime, boot=real_now - uptime - 86400)
    clock = SystemClock({"TZ": "UTC"}, proc=folder)
    assert abs((clock.wall() - datetime.now(UTC)).total_seconds() + 86400) < 3
    assert (
        clock.kernel_disagreement
        == "the time it was given was 24 h 0 min ahead of the kernel's; the kernel's is used"
    )


@pytest.mark.skipif(not hasattr(time, "CLOCK_BOOTTIME"), reason="Linux's CLOCK_BOOTTIME")
def test_the_time_given_is_kept_when_it_agrees_with_the_kernel() -> None:
    clock = SystemClock({"TZ": "UTC"})  # the real /proc
    assert abs((clock.wall() - datetime.now(UTC)).total_seconds()) < 1
    assert clock.kernel_disagreement is None
