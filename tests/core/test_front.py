"""Which app a decision is about while the overlay, or nothing, is in front."""

from wellbeing_app.core.model import SELF_APP, Sample, Verdict
from wellbeing_app.core.settings import Settings

from .conftest import GAME, simulate

OVERLAY = SELF_APP


def blocked_sim():
    sim = simulate(Settings().replace(daily_cap_minutes=40, break_every_minutes=None), "2026-11-24 10:00")
    sim.use(GAME, 40)
    assert sim.decision.verdict is Verdict.BLOCK
    return sim


def tick(sim, app, seconds: float = 0.5):
    sim.clock.advance(seconds)
    return sim.engine.tick(Sample(sim.clock.elapsed(), sim.clock.wall(), app, idle_seconds=0.0)).decision


def test_the_window_manager_clearing_the_active_window_in_passing_does_not_lift_a_block() -> None:
    sim = blocked_sim()
    assert tick(sim, None).verdict is Verdict.BLOCK
    assert tick(sim, OVERLAY).verdict is Verdict.BLOCK
    assert tick(sim, None, 1.0).verdict is Verdict.BLOCK


def test_nothing_in_front_for_two_seconds_is_nothing_to_block() -> None:
    sim = blocked_sim()
    tick(sim, None)
    assert tick(sim, None, 2.0).verdict is Verdict.ALLOW


def test_back_to_desktop_lifts_the_overlay_at_once_and_the_app_brings_it_back() -> None:
    sim = blocked_sim()
    sim.engine.forget_front()
    assert tick(sim, None).verdict is Verdict.ALLOW
    assert tick(sim, GAME).verdict is Verdict.BLOCK
