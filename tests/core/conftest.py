"""Shared settings and apps of the worked examples in DESIGN.md."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from wellbeing_app.core.model import AppRef
from wellbeing_app.core.settings import Settings
from wellbeing_app.core.simulation import Simulation

ALMATY = ZoneInfo("Asia/Almaty")
BROWSER = AppRef("firefox", "Firefox")
GAME = AppRef("supertux2", "SuperTux")
OFFICE = AppRef("libreoffice", "LibreOffice")
CALCULATOR = AppRef("calculator", "Calculator")
VIDEO = AppRef("vlc", "VLC media player")


def example_settings() -> Settings:
    """The settings of every worked example in DESIGN.md."""
    return Settings().replace(
        daily_cap_minutes=60,
        break_every_minutes=30,
        break_length_minutes=5,
        postpones_allowed=1,
        idle_threshold_seconds=180,
        day_starts_at=time(4, 0),
        downtime=Settings.parse_text("downtime", "sun-thu 21:00-07:00"),
        always_allowed=("calculator", "libreoffice"),
    )


@pytest.fixture
def settings() -> Settings:
    return example_settings()


def at(text: str, zone: ZoneInfo = ALMATY) -> datetime:
    """'2026-11-24 09:00' as an aware local time."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def simulate(settings: Settings, start: str, zone: ZoneInfo = ALMATY) -> Simulation:
    return Simulation(settings, at(start, zone), zone)
