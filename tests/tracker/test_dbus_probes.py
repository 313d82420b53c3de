"""The MPRIS media probe and the lock probe against a private D-Bus session bus."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.tracker.linux_desktop import (
    DBusFailure,
    FakeMprisPlayer,
    FakeScreenSaver,
    FakeService,
    private_session_bus,
    wait_until,
)
from wellbeing_app.tracker.lock import LinuxLock
from wellbeing_app.tracker.mpris import BusUnavailable, MprisMedia, bus_address

pytestmark = pytest.mark.dbus

NO_BUS = "unix:path=/nonexistent/wellbeing-test-bus"


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[str]:
    with private_session_bus(tmp_path) as address:
        yield address


@pytest.fixture
def media(bus: str) -> Iterator[MprisMedia]:
    probe = MprisMedia(bus)
    yield probe
    probe.close()


def test_media_follows_the_playback_status_of_a_player(bus: str, media: MprisMedia) -> None:
    assert media.playing() is False
    assert media.status().detail == "no MPRIS media player is running"

    with FakeMprisPlayer(bus, status="Playing") as player:
        # The player list is read again after NameOwnerChanged, not only every 10 s.
        wait_until(lambda: media.playing() is True, what="the probe to see the player")
        assert media.status().detail == "testplayer Playing"
        player.playback_status = "Paused"
        assert media.playing() is False
        player.playback_status = "Playing"
        assert media.playing() is True
        player.playback_status = "Stopped"
        assert media.playing() is False
        assert media.status().works
    wait_until(lambda: media.status().detail == "no MPRIS media player is running", what="the player to go")
    assert media.playing() is False


def test_media_is_playing_when_any_of_several_players_plays(bus: str, media: MprisMedia) -> None:
    with (
        FakeMprisPlayer(bus, "quiet", status="Paused"),
        FakeMprisPlayer(bus, "loud", status="Stopped") as loud,
    ):
        wait_until(lambda: media.status().detail == "loud Stopped, quiet Paused", what="both players")
        assert media.playing() is False
        loud.playback_status = "Playing"
        assert media.playing() is True


def test_a_hung_player_slows_one_tick_only(bus: str) -> None:
    now = [0.0]
    probe = MprisMedia(bus, timeout=0.1, monotonic=lambda: now[0])
    try:
        with FakeMprisPlayer(bus, "hung", status="Playing") as player:
            wait_until(lambda: probe.playing() is True, what="the player")
            player.answer_after = 0.5
            started = time.monotonic()
            assert probe.playing() is False  # no answer in time: not known to play
            assert probe.playing() is False
            assert time.monotonic() - started < 0.4  # the second call did not wait for it
            player.answer_after = 0.0

            def refreshed_and_playing() -> bool:
                now[0] += 10.0  # each refresh of the player list asks it again
                return probe.playing() is True

            wait_until(refreshed_and_playing, what="the player to answer again")
    finally:
        probe.close()


def test_media_without_a_bus_is_unknown_with_a_reason() -> None:
    probe = MprisMedia(NO_BUS)
    try:
        assert probe.playing() is None
        status = probe.status()
        assert not status.works
        assert status.detail.startswith("cannot connect to the session bus")
        assert status.hint is not None
    finally:
        probe.close()


def test_a_lost_bus_is_unknown_until_it_can_be_reached_again(tmp_path: Path) -> None:
    now = [0.0]
    with private_session_bus(tmp_path) as address:
        probe = MprisMedia(address, retry_seconds=10.0, monotonic=lambda: now[0])
        assert probe.playing() is False
    try:
        now[0] += 11.0  # past the periodic refresh: the probe asks the dead bus again
        assert probe.playing() is None
        status = probe.status()
        assert not status.works
        assert "session bus" in status.detail
    finally:
        probe.close()


def test_the_session_bus_address_comes_from_the_environment(tmp_path: Path) -> None:
    assert bus_address("SESSION", {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}) == "unix:path=/x"
    (tmp_path / "bus").touch()
    assert bus_address("SESSION", {"XDG_RUNTIME_DIR": str(tmp_path)}) == f"unix:path={tmp_path}/bus"
    with pytest.raises(BusUnavailable, match="DBUS_SESSION_BUS_ADDRESS is not set"):
        bus_address("SESSION", {})
    assert bus_address("SYSTEM", {}) == "unix:path=/var/run/dbus/system_bus_socket"


def test_lock_follows_the_screensaver_when_logind_is_out_of_reach(bus: str) -> None:
    probe = LinuxLock(system_bus=NO_BUS, session_bus=bus, env={})
    try:
        with FakeScreenSaver(bus, active=False) as saver:
            assert probe.locked() is False
            saver.active = True
            assert probe.locked() is True
            status = probe.status()
            assert status.works
            assert status.detail.startswith("logind: unknown (cannot connect to the system bus")
            assert status.detail.endswith("org.freedesktop.ScreenSaver: active")
            saver.active = False
            assert probe.locked() is False
    finally:
        probe.close()


def test_lock_finds_a_screensaver_on_the_short_path(bus: str) -> None:
    probe = LinuxLock(system_bus=NO_BUS, session_bus=bus, env={})
    try:
        with FakeScreenSaver(bus, path="/ScreenSaver", active=True):
            assert probe.locked() is True
    finally:
        probe.close()


def test_lock_with_neither_source_is_unknown_and_says_why(bus: str) -> None:
    now = [0.0]
    probe = LinuxLock(system_bus=NO_BUS, session_bus=bus, env={}, monotonic=lambda: now[0])
    try:
        assert probe.locked() is None
        status = probe.status()
        assert not status.works
        assert "logind: unknown (cannot connect to the system bus" in status.detail
        assert "no screen saver answers GetActive" in status.detail
        assert status.hint is not None
        assert "logind" in status.hint

        # A screen saver that starts later is found at the next retry, not on every tick.
        with FakeScreenSaver(bus, active=True):
            assert probe.locked() is None
            now[0] += 31.0
            assert probe.locked() is True
    finally:
        probe.close()


class FakeLogind(FakeService):
    """logind's Manager and one Session, on a bus that plays the system bus."""

    SESSION_PATH = "/org/freedesktop/login1/session/_37"

    def __init__(self, address: str) -> None:
        self.locked_hint = False
        self.asked: list[tuple[str, object]] = []
        super().__init__(
            address,
            "org.freedesktop.login1",
            {
                ("org.freedesktop.login1.Manager", "GetSessionByPID"): self._by_pid,
                ("org.freedesktop.login1.Manager", "GetSession"): self._by_id,
                ("org.freedesktop.DBus.Properties", "Get"): self._get,
            },
        )

    def _by_pid(self, message: Any) -> tuple[str, tuple[Any, ...]]:
        self.asked.append(("pid", message.body[0]))
        raise DBusFailure(
            "org.freedesktop.login1.NoSessionForPID", "PID does not belong to any known session"
        )

    def _by_id(self, message: Any) -> tuple[str, tuple[Any, ...]]:
        self.asked.append(("id", message.body[0]))
        if message.body[0] != "7":
            raise DBusFailure("org.freedesktop.login1.NoSuchSession", "no such session")
        return "o", (self.SESSION_PATH,)

    def _get(self, message: Any) -> tuple[str, tuple[Any, ...]]:
        if tuple(message.body) != ("org.freedesktop.login1.Session", "LockedHint"):
            raise DBusFailure("org.freedesktop.DBus.Error.UnknownProperty", "no such property")
        return "v", (("b", self.locked_hint),)


def test_lock_asks_logind_for_the_session_of_this_process(tmp_path: Path, bus: str) -> None:
    system_folder = tmp_path / "system"
    system_folder.mkdir()
    with private_session_bus(system_folder) as system_bus, FakeLogind(system_bus) as logind:
        probe = LinuxLock(system_bus=system_bus, session_bus=bus, env={"XDG_SESSION_ID": "7"})
        try:
            assert probe.locked() is False
            # Not started from inside a session (as under a service manager): by XDG_SESSION_ID.
            assert logind.asked == [("pid", os.getpid()), ("id", "7")]
            logind.locked_hint = True
            assert probe.locked() is True
            status = probe.status()
            assert status.works
            assert status.detail.startswith("logind: locked; ScreenSaver: unknown (no screen saver answers")
        finally:
            probe.close()
