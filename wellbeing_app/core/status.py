"""Today at a glance: what `status`, the tray and the agent show."""

from __future__ import annotations

from dataclasses import field
from datetime import date

from wellbeing_app.core.model import AppRef, Decision

from .record import record


@record
class Status:
    """Today at a glance, as `status` and the tray show it."""

    day: date
    used_seconds: float
    cap_minutes: int | None  # the cap for today with grants included, None when off
    decision: Decision
    next_break_in_seconds: float | None
    tracking: bool  # whether a tracker (the tray app or `track`) is running now
    by_app: list[tuple[AppRef, float]] = field(default_factory=list)

    @property
    def used_minutes(self) -> float:
        return self.used_seconds / 60

    @property
    def remaining_minutes(self) -> float | None:
        if self.cap_minutes is None:
            return None
        return max(0.0, self.cap_minutes - self.used_seconds / 60)
