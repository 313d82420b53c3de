"""New settings reach every part of the engine in one call, from the next tick on."""

from wellbeing_app.core.model import EventKind, Verdict
from wellbeing_app.core.settings import Settings

from .conftest import BROWSER, simulate


def test_new_settings_reach_the_breaks_and_the_accounting(settings: Settings) -> None:
    sim = simulate(settings, "2026-11-24 09:00")
    sim.use(BROWSER, 20)
    sim.engine.configure(
        settings.replace(break_every_minutes=45, break_length_minutes=10, idle_threshold_seconds=60)
    )
    sim.use(BROWSER, 1)
    assert sim.decision.next_break_in_seconds == 24 * 60  # the session goes on towards 45 minutes

    # Idle for two minutes: past the new 60-second threshold, so taken back to the last input.
    sim.idle(2)
    assert sim.minutes_by_app() == {"firefox": 21.0}

    minutes = sim.until(lambda decision: decision.verdict is Verdict.BREAK, app=BROWSER)
    assert minutes == 24
    assert sim.events_of(EventKind.BREAK_STARTED)[0].payload.minutes == 10


def test_breaks_turned_on_later_count_the_session_so_far() -> None:
    sim = simulate(Settings(break_every_minutes=None), "2026-11-24 09:00")
    sim.use(BROWSER, 20)
    sim.engine.configure(Settings(break_every_minutes=15))
    sim.use(BROWSER, 1)
    assert sim.decision.verdict is Verdict.BREAK  # 21 minutes of use are past the new 15
