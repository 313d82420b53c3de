"""Every op of the socket's vocabulary against a real service on a real SQLite file, through a
real socket: what it answers, what it changes, and that a refused request changes nothing."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.link.running import Running
from wellbeing_app import __version__
from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.events import GrantPayload
from wellbeing_app.core.model import AppRef, EventKind, Sample, Verdict
from wellbeing_app.link import codec
from wellbeing_app.link.client import LinkClient
from wellbeing_app.link.handler import ServiceHandler
from wellbeing_app.link.protocol import LinkError
from wellbeing_app.link.server import LinkServer
from wellbeing_app.service import Service

ALMATY = ZoneInfo("Asia/Almaty")
GAME = AppRef("supertux2", "SuperTux")
PASSCODE = "4812"


class Linked:
    """A service, its handler and server, and a client to ask."""

    def __init__(
        self, service: Service, handler: ServiceHandler, running: Running, client: LinkClient
    ) -> None:
        self.service, self.handler, self.running, self.client = service, handler, running, client

    def call(self, op: str, **args: Any) -> Any:
        return self.client.call(op, **args)

    def refused(self, kind: str, op: str, **args: Any) -> str:
        """The words of the refusal of `op`; fails unless it is refused with `kind`."""
        with pytest.raises(LinkError) as caught:
            self.client.call(op, **args)
        assert caught.value.kind == kind, caught.value.message
        return caught.value.message

    def use(self, seconds: int) -> None:
        clock = self.service.clock
        assert isinstance(clock, FakeClock)
        self.service.tick(Sample(clock.elapsed(), clock.wall(), GAME, idle_seconds=0.0))
        for _ in range(seconds):
            clock.advance(1)
            self.service.tick(Sample(clock.elapsed(), clock.wall(), GAME, idle_seconds=0.0))

    def records(self) -> tuple[dict[str, Any], int, str | None]:
        """What a refused request must leave as it was: settings, number of events, lockout."""
        lockout = self.service.lockout_until()
        return (
            self.service.settings.to_json(),
            len(self.service.events(30)),
            lockout and lockout.isoformat(),
        )


@pytest.fixture
def linked(tmp_path: Path) -> Iterator[Linked]:
    yield from _linked(tmp_path, mode="personal")


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[Linked]:
    yield from _linked(tmp_path, mode="guard")


def _linked(tmp_path: Path, *, mode: str) -> Iterator[Linked]:
    clock = FakeClock(datetime(2026, 11, 25, 10, 0, tzinfo=ALMATY), ALMATY)
    service = Service.open(tmp_path / mode, clock=clock)
    shown: list[bool] = []
    # the tests run as root: here nobody manages the account, as for a child's own connection
    handler = ServiceHandler(
        service, mode=mode, user="kid", on_show=lambda: shown.append(True), manager=lambda peer: False
    )
    handler.shown = shown  # type: ignore[attr-defined]
    folder = Path(tempfile.mkdtemp(prefix="wb-ops-"))
    server = LinkServer(folder / "s", handler, allow=lambda peer: peer.uid == os.getuid())
    with Running(server) as running, LinkClient(server.path, timeout=10) as client:
        service.start_tracking()
        yield Linked(service, handler, running, client)
    service.close()
    shutil.rmtree(folder)


def test_hello_says_the_mode_the_account_and_the_version(linked: Linked, guarded: Linked) -> None:
    assert linked.call("hello") == {"mode": "personal", "user": "kid", "version": __version__}
    assert guarded.call("hello")["mode"] == "guard"


def test_status_and_watch_say_what_the_service_says_and_a_watcher_gets_ticks(linked: Linked) -> None:
    linked.use(90)
    assert codec.status_from(linked.call("status")) == linked.service.status()
    answer = linked.call("watch")
    assert codec.status_from(answer["status"]).used_seconds == 90
    assert answer["passcode_set"] is False
    clock = linked.service.clock
    result = linked.service.tick(Sample(clock.elapsed(), clock.wall(), GAME, idle_seconds=0.0))
    assert linked.running.push(codec.tick_message(result, linked.service.status())) == 1
    pushes: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while not pushes and time.monotonic() < deadline:
        linked.client.call("hello")  # reading a reply also takes in what was pushed before it
        pushes = linked.client.pushes()
    tick, status = codec.tick_from(pushes[0])
    assert tick.decision == result.decision
    assert status.used_seconds == 90


def test_settings_change_with_the_passcode_and_a_bad_value_names_the_setting(linked: Linked) -> None:
    answer = linked.call(
        "change-settings", changes={"daily_cap_minutes": 45, "always_allowed": ["calculator"]}
    )
    assert answer["settings"]["daily_cap_minutes"] == 45
    assert linked.service.settings.always_allowed == ("calculator",)
    linked.call("passcode-set", new=PASSCODE)
    before = linked.records()
    words = linked.refused("passcode", "change-settings", changes={"daily_cap_minutes": 90})
    assert words == "the passcode is needed to change settings"
    words = linked.refused(
        "bad-request", "change-settings", changes={"daily_cap_minutes": 500}, passcode=PASSCODE
    )
    assert words.startswith(
        "daily_cap_minutes: 500 is not allowed; use a whole number of minutes from 40 to 120"
    )
    words = linked.refused("bad-request", "change-settings", changes={"bedtime": "21:00"}, passcode=PASSCODE)
    assert words.startswith("bedtime: 'bedtime' is not allowed; use a setting name")
    words = linked.refused("bad-request", "change-settings", changes={}, passcode=PASSCODE)
    assert words.startswith("changes: {} is not allowed")
    assert linked.records()[0] == before[0]  # nothing changed by a refused request
    linked.call("change-settings", changes={"daily_cap_minutes": 90}, passcode=PASSCODE)
    assert linked.service.settings.daily_cap_minutes == 90
    assert linked.call("change-settings", changes={"language": "kk"})["settings"]["language"] == "kk"


def test_the_passcode_is_set_checked_locked_out_and_cleared_with_todays_words(linked: Linked) -> None:
    assert linked.call("passcode-set", new=PASSCODE)["passcode_set"] is True
    assert linked.call("verify-passcode", passcode=PASSCODE, purpose="grant more time") is None
    assert (
        linked.refused("passcode", "verify-passcode", passcode="0000", purpose="grant more time")
        == "wrong passcode"
    )
    for _ in range(3):
        linked.refused("passcode", "verify-passcode", passcode="0000", purpose="skip a break")
    words = linked.refused("passcode", "verify-passcode", passcode="0000", purpose="skip a break")
    assert words.startswith("wrong passcode; entry is locked until")
    lockout = linked.call("lockout")
    assert lockout["passcode_set"] is True
    assert datetime.fromisoformat(lockout["until"]) > linked.service.now()
    # locked out: the right passcode is refused too, as it is today
    assert linked.refused("passcode", "passcode-clear", current=PASSCODE).startswith(
        "too many wrong passcodes"
    )
    assert linked.refused(
        "bad-request", "verify-passcode", passcode=PASSCODE, purpose="own the house"
    ).startswith("purpose: 'own the house' is not allowed; use one of")
    linked.service.clock.advance(61)  # type: ignore[attr-defined]
    assert linked.call("passcode-clear", current=PASSCODE)["passcode_set"] is False
    assert [e.kind for e in linked.service.events(1, [EventKind.PASSCODE_FAILED])] == [
        EventKind.PASSCODE_FAILED
    ] * 5


def test_breaks_are_taken_postponed_and_skipped_through_the_socket(linked: Linked) -> None:
    linked.call("change-settings", changes={"break_every_minutes": 10, "postpones_allowed": 1})
    linked.use(10 * 60)
    assert linked.service.status().decision.verdict is Verdict.BREAK
    event = codec.event_from(linked.call("postpone"))
    assert event.kind is EventKind.BREAK_POSTPONED
    words = linked.refused("refused", "postpone")
    assert "postpone" in words
    linked.call("passcode-set", new=PASSCODE)
    assert codec.event_from(linked.call("take-break")).kind is EventKind.BREAK_STARTED
    assert linked.refused("passcode", "skip-break") == "the passcode is needed to skip a break"
    assert codec.event_from(linked.call("skip-break", passcode=PASSCODE)).kind is EventKind.BREAK_SKIPPED


def test_more_time_pause_and_resume_need_what_they_need_today(linked: Linked) -> None:
    linked.call("change-settings", changes={"daily_cap_minutes": 40, "break_every_minutes": None})
    linked.call("passcode-set", new=PASSCODE)
    linked.use(40 * 60 + 1)
    assert linked.service.status().decision.verdict is Verdict.BLOCK
    before = linked.records()
    assert linked.refused("bad-request", "grant", minutes="lots", passcode=PASSCODE) == (
        "minutes: 'lots' is not allowed; use a whole number from 1 to 1440"
    )
    assert linked.refused("bad-request", "grant", minutes=15, passcode=PASSCODE, by="root").startswith(
        "by: 'root' is not allowed; use only the fields of this op"
    )
    assert linked.refused("passcode", "grant", minutes=15, passcode="0000") == "wrong passcode"
    assert linked.records()[0] == before[0]
    event = codec.event_from(linked.call("grant", minutes=15, passcode=PASSCODE))
    assert isinstance(event.payload, GrantPayload)
    assert event.payload.minutes == 15
    assert linked.service.status().decision.verdict is not Verdict.BLOCK
    free = codec.event_from(linked.call("grant", minutes=30, free=True, passcode=PASSCODE))
    assert isinstance(free.payload, GrantPayload)
    assert free.payload.until is not None
    assert linked.refused("passcode", "pause", minutes=10) == "the passcode is needed to pause tracking"
    assert (
        codec.event_from(linked.call("pause", minutes=10, passcode=PASSCODE)).kind
        is EventKind.TRACKING_PAUSED
    )
    assert linked.call("resume") is None


def test_records_come_in_pages_that_add_up_to_what_the_service_holds(linked: Linked) -> None:
    linked.use(120)
    service = linked.service
    for number in range(400):  # many events: more than one page
        linked.call("change-settings", changes={"daily_cap_minutes": 40 + 5 * (number % 2)})

    def all_pages(op: str, **args: Any) -> list[Any]:
        items: list[Any] = []
        start: int | None = 0
        pages = 0
        while start is not None:
            answer = linked.call(op, start=start, **args)
            items += answer["items"]
            start = answer["next"]
            pages += 1
        return items if op != "events" or pages > 1 else pytest.fail("the events fit one page")

    assert [codec.usage_from(r) for r in all_pages("report", days=7)] == service.report(7)
    assert [codec.event_from(e) for e in all_pages("events", days=7)] == service.events(7)
    kinds = all_pages("events", days=7, kinds=["setting_changed"])
    assert {e["kind"] for e in kinds} == {"setting_changed"}
    first, last = date(2026, 11, 20), date(2026, 11, 25)
    assert [
        codec.usage_from(r) for r in all_pages("usage", first=first.isoformat(), last=last.isoformat())
    ] == (service.usage_by_day_app(first, last))
    assert linked.refused("bad-request", "usage", first="2026-11-25", last="2026-11-20").startswith(
        "last: '2026-11-20' is not allowed; use a day on or after first (2026-11-25)"
    )
    assert linked.refused("bad-request", "report", days=0).startswith("days: 0 is not allowed")
    text = ""
    start: int | None = 0
    while start is not None:
        answer = linked.call("export", format="json", start=start)
        text += answer["text"]
        start = answer["next"]
    exported = json.loads(text)
    assert len(exported["events"]) == len(service.events(3660))
    assert (
        linked.refused("bad-request", "export", format="xml")
        == "format: 'xml' is not allowed; use csv or json"
    )


def test_delete_all_needs_the_passcode_and_then_empties_the_records(linked: Linked) -> None:
    linked.use(60)
    linked.call("passcode-set", new=PASSCODE)
    assert linked.refused("passcode", "delete-all") == "the passcode is needed to delete all records"
    assert linked.service.report(1)
    assert linked.call("delete-all", passcode=PASSCODE) is None
    assert linked.service.report(1) == []


def test_show_reaches_the_personal_app_only(linked: Linked, guarded: Linked) -> None:
    assert linked.call("show") is None
    assert linked.handler.shown == [True]  # type: ignore[attr-defined]
    guarded.handler.on_show = None
    assert guarded.refused("unknown-op", "show").startswith("op: 'show' is not known; use one of")


def test_an_unknown_op_or_a_request_of_the_wrong_shape_changes_nothing(linked: Linked) -> None:
    before = linked.records()
    assert linked.refused("unknown-op", "format-disk").startswith(
        "op: 'format-disk' is not known; use one of"
    )
    assert linked.refused("bad-request", "pause", minutes=[10]).startswith("minutes: [10] is not allowed")
    assert linked.refused("bad-request", "skip-break", passcode=1234).startswith(
        "passcode: 1234 is not allowed; use a text"
    )
    assert linked.refused("bad-request", "passcode-set", new="x" * 5000).startswith("new: 'xxx")
    assert linked.refused("bad-request", "change-settings", changes="daily_cap_minutes=120").startswith(
        "changes: 'daily_cap_minutes=120' is not allowed; use a JSON object"
    )
    assert linked.records() == before


def test_in_guard_mode_the_child_cannot_be_first_to_set_a_passcode(guarded: Linked) -> None:
    before = guarded.records()
    words = guarded.refused("refused", "passcode-set", new=PASSCODE)
    assert words.startswith("no passcode is set for this account: the parent sets one first")
    guarded.refused("refused", "change-settings", changes={"daily_cap_minutes": 120})
    guarded.refused("refused", "delete-all")
    assert guarded.records() == before
    assert guarded.call("status")["tracking"] is True
    guarded.service.set_passcode(PASSCODE)  # as the parent does, through root's own command
    assert guarded.refused("passcode", "change-settings", changes={"daily_cap_minutes": 120}) == (
        "the passcode is needed to change settings"
    )
    guarded.call("change-settings", changes={"daily_cap_minutes": 120}, passcode=PASSCODE)
    assert guarded.service.settings.daily_cap_minutes == 120


def test_garbage_and_a_10_mb_line_on_the_services_socket_change_nothing(linked: Linked) -> None:
    before = linked.records()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(linked.running.server.path))
        sock.sendall(b'{"id": 1, "op": "delete-all"\n')  # cut short: not JSON
        assert b'"error":"bad-request"' in sock.recv(65536)
        sock.sendall(b'\xff\xfe{"op": "grant", "minutes": 60}\n')
        assert b'"error":"bad-request"' in sock.recv(65536)
        # the server closes the connection before the line ends
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(b'{"id": 2, "op": "change-settings", "changes": {"daily_cap_minutes": 120}, "pad": "'
                         + b"x" * (10 * 1024 * 1024) + b'"}\n')  # fmt: skip
    assert linked.records() == before
    assert linked.call("hello")["mode"] == "personal"  # the service goes on answering others
