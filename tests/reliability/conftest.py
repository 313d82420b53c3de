"""Shared by the fault tests: a fake clock, a person who uses the computer, the real command line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.app.conftest import Cli
from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.engine import TickResult
from wellbeing_app.core.model import AppRef, Sample
from wellbeing_app.service import Service

BERLIN = ZoneInfo("Europe/Berlin")
ALMATY = ZoneInfo("Asia/Almaty")
GAME = AppRef("supertux2", "SuperTux")
EDITOR = AppRef("libreoffice", "LibreOffice")


class Person:
    """Uses an app with input at every second, fed to the service the way the tracker does it."""

    def __init__(self, service: Service, clock: FakeClock) -> None:
        self.service, self.clock = service, clock
        self.last: TickResult | None = None

    def tick(self, app: AppRef | None = GAME, idle: float = 0.0) -> TickResult:
        sample = Sample(
            self.clock.elapsed(), self.clock.wall(), app, idle_seconds=idle, awake=self.clock.awake()
        )
        self.last = self.service.tick(sample)
        return self.last

    def use(self, app: AppRef, seconds: int, *, step: int = 1) -> TickResult:
        """`seconds` of use, sampled at the switch to the app and then every `step` seconds."""
        result = self.tick(app)
        for _ in range(seconds // step):
            self.clock.advance(step)
            result = self.tick(app)
        return result


def tracking(data_dir: Path, clock: FakeClock, **settings: object) -> tuple[Service, Person]:
    """A service on `data_dir` with `settings` changed, tracking, and a person at the computer."""
    service = Service.open(data_dir, clock=clock)
    if settings:
        service.change_settings(settings)
    service.start_tracking()
    return service, Person(service, clock)


def clock_at(
    year: int, month: int, day: int, hour: int, minute: int = 0, zone: ZoneInfo = BERLIN
) -> FakeClock:
    # Started in UTC: FakeClock adds elapsed seconds to its start, and on a datetime in a zone with DST
    # that addition is wall-clock arithmetic (01:30 CEST + 4 h would be 05:30 CET, not 04:30).
    return FakeClock(datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC), zone)


@pytest.fixture
def clock() -> FakeClock:
    """A Wednesday morning in Berlin."""
    return clock_at(2026, 11, 25, 10)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def service(data_dir: Path, clock: FakeClock) -> Iterator[Service]:
    opened = Service.open(data_dir, clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def cli(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(data_dir, capsys)
