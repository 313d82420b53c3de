"""The worked examples of DESIGN.md, exactly, over simulated time."""

from datetime import date, timedelta

import pytest

from wellbeing_app.core.breaks import BreakError
from wellbeing_app.core.model import SELF_APP, BlockReason, EventKind, Verdict
from wellbeing_app.core.settings import Settings

from .conftest import ALMATY, BROWSER, CALCULATOR, GAME, OFFICE, VIDEO, at, simulate


def minutes_since(sim, start: str) -> float:
    return (sim.now() - at(start)).total_seconds() / 60


def test_session_time_is_active_time_since_the_last_break(settings: Settings) -> None:
    # Example 1. The 2 minutes away are a locked screen: under the idle threshold an untouched
    # computer still counts as in use.
    sim = simulate(settings, "2026-11-24 09:00")
    sim.use(BROWSER, 20)
    sim.lock(2)
    sim.use(BROWSER, 8)
    assert sim.events_of(EventKind.BREAK_NOTICE) == []
    sim.use(BROWSER, 2)  # 09:32
    notices = sim.events_of(EventKind.BREAK_NOTICE)
    assert [e.at.astimezone(ALMATY).strftime("%H:%M") for e in notices] == ["09:31"]
    assert sim.decision.verdict is Verdict.BREAK
    assert sim.decision.until == at("2026-11-24 09:37")
    sim.use(BROWSER, 5)  # the overlay is in front; the break runs out at 09:37
    assert sim.decision.verdict is not Verdict.BREAK
    assert [e.kind for e in sim.events if e.kind.value.startswith("break")] == [
        EventKind.BREAK_NOTICE,
        EventKind.BREAK_STARTED,
        EventKind.BREAK_TAKEN,
    ]
    assert sim.minutes_by_app() == {"firefox": 30.0}


def test_a_natural_break_resets_the_session(settings: Settings) -> None:
    # Example 2.
    sim = simulate(settings, "2026-11-24 09:00")
    sim.use(BROWSER, 25)
    sim.lock(6)  # away 09:25-09:31
    assert sim.engine.breaks.session_seconds == 0
    assert sim.events_of(EventKind.BREAK_NATURAL)[0].payload.away_seconds >= 300
    sim.use(BROWSER, 29)
    assert sim.decision.verdict is not Verdict.BREAK
    assert sim.events_of(EventKind.BREAK_STARTED) == []
    sim.use(BROWSER, 1)
    assert sim.decision.verdict is Verdict.BREAK


def test_idle_is_taken_back_to_the_last_input(settings: Settings) -> None:
    # Example 3: last input 10:00:00; found idle at 10:03:00; the span ends at 10:00:00.
    sim = simulate(settings, "2026-11-24 09:50")
    sim.use(BROWSER, 10)
    sim.idle(3)
    spans = sorted(sim.spans.values(), key=lambda s: s.start)
    assert spans[-1].end == at("2026-11-24 10:00")
    assert sim.minutes_by_app() == {"firefox": 10.0}
    sim.idle(10)
    assert sim.minutes_by_app() == {"firefox": 10.0}


def test_a_video_playing_counts_although_no_key_is_pressed(settings: Settings) -> None:
    sim = simulate(settings, "2026-11-24 09:50")
    sim.use(VIDEO, 10)
    sim.watch(VIDEO, 15)
    # the break came at 30 minutes of session; the overlay took 5 of the 25 minutes
    assert sim.minutes_by_app() == {"vlc": 25.0}
    sim.idle(4)  # the video ended at 10:15 and nobody touched anything: nothing after counts
    assert sim.minutes_by_app() == {"vlc": 25.0}


def test_postpone_once_then_no_postpone_is_offered(settings: Settings) -> None:
    # Example 4.
    sim = simulate(settings.replace(daily_cap_minutes=None), "2026-11-24 09:00")
    sim.use(BROWSER, 30)
    assert sim.decision.verdict is Verdict.BREAK
    assert sim.decision.postpones_left == 1
    sim.postpone()
    sim.use(BROWSER, 4)
    assert sim.decision.verdict is not Verdict.BREAK
    sim.use(BROWSER, 1)
    assert sim.decision.verdict is Verdict.BREAK
    assert sim.decision.postpones_left == 0
    with pytest.raises(BreakError, match="cannot be postponed"):
        sim.postpone()
    sim.use(BROWSER, 5)  # break taken: the allowance is back for the next break
    sim.use(BROWSER, 30)
    assert sim.decision.verdict is Verdict.BREAK
    assert sim.decision.postpones_left == 1


def test_the_cap_counts_only_counted_apps_but_breaks_count_all_screen_time(settings: Settings) -> None:
    # Example 5: 20 min of libreoffice (always allowed) and 40 min of a game → 40 of 60 used.
    sim = simulate(settings, "2026-11-24 14:00")
    sim.use(OFFICE, 20)
    sim.use(GAME, 10)
    assert sim.decision.verdict is Verdict.BREAK  # the session saw 30 minutes of all use
    sim.use(GAME, 5)
    sim.use(GAME, 30)
    assert sim.minutes_by_app() == {"libreoffice": 20.0, "supertux2": 40.0}
    assert sim.decision.used_seconds == 40 * 60
    assert sim.decision.minutes_left == 20
    assert sim.events_of(EventKind.BREAK_TAKEN)


def test_warnings_at_10_5_and_1_minute_left_then_blocked_until_the_day_starts() -> None:
    settings = Settings().replace(
        daily_cap_minutes=60, break_every_minutes=None, always_allowed=("calculator", "libreoffice")
    )
    sim = simulate(settings, "2026-11-24 14:00")
    sim.keep_results = True
    sim.use(GAME, 49)
    assert [e.payload.minutes_left for e in sim.events_of(EventKind.WARNING)] == []
    sim.use(GAME, 1)
    assert [e.payload.minutes_left for e in sim.events_of(EventKind.WARNING)] == [10]
    assert sim.decision.verdict is Verdict.WARN
    sim.use(GAME, 5)
    sim.use(GAME, 4)
    warnings = sim.events_of(EventKind.WARNING)
    assert [(w.payload.minutes_left, w.at.astimezone(ALMATY).strftime("%H:%M")) for w in warnings] == [
        (10, "14:50"),
        (5, "14:55"),
        (1, "14:59"),
    ]
    sim.use(GAME, 1)
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.decision.reason is BlockReason.CAP
    assert sim.decision.until == at("2026-11-25 04:00")
    assert [e.payload.reason for e in sim.events_of(EventKind.BLOCK)] == [BlockReason.CAP]
    # the calculator and libreoffice still work; the game stays blocked
    sim.use(CALCULATOR, 10)
    assert sim.decision.verdict is Verdict.ALLOW
    sim.use(OFFICE, 10)
    assert sim.decision.verdict is Verdict.ALLOW
    sim.use(GAME, 1)
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.minutes_by_app()["supertux2"] == 60.0


def test_more_time_lets_counted_apps_work_for_exactly_the_grant() -> None:
    # Example 6.
    settings = Settings().replace(daily_cap_minutes=60, break_every_minutes=None)
    sim = simulate(settings, "2026-11-24 14:00")
    sim.use(GAME, 60)
    assert sim.decision.verdict is Verdict.BLOCK
    grant = sim.grant(minutes=15)
    assert grant.kind is EventKind.GRANT
    assert grant.payload.to_json() == {
        "uid": grant.payload.uid,
        "by": "parent",
        "day": "2026-11-24",
        "minutes": 15,
    }
    minutes = sim.until(lambda d: d.verdict is Verdict.BLOCK, app=GAME)
    assert minutes == 15.0
    assert sim.minutes_by_app()["supertux2"] == 75.0


def test_downtime_blocks_counted_apps_until_morning_whatever_the_cap(settings: Settings) -> None:
    # Example 7: a Tuesday at 21:00 → blocked until 07:00 Wednesday.
    sim = simulate(settings, "2026-11-24 20:55")
    assert date(2026, 11, 24).strftime("%A") == "Tuesday"
    sim.use(GAME, 5)
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.decision.reason is BlockReason.DOWNTIME
    assert sim.decision.until == at("2026-11-25 07:00")
    sim.use(OFFICE, 1)
    assert sim.decision.verdict is Verdict.ALLOW
    grant = sim.grant(until=at("2026-11-24 21:30"))
    assert grant.payload.until.isoformat() == "2026-11-24T21:30:00+05:00"
    sim.use(GAME, 1)
    assert sim.decision.verdict is not Verdict.BLOCK
    sim.use(GAME, 29)
    assert sim.decision.verdict is Verdict.BLOCK


def test_friday_night_is_not_a_school_night(settings: Settings) -> None:
    sim = simulate(settings, "2026-11-27 21:30")
    sim.use(GAME, 1)
    assert sim.decision.verdict is Verdict.ALLOW


def test_the_day_starts_at_four(settings: Settings) -> None:
    # Example 8 (no downtime on a Friday night; no breaks to keep the arithmetic plain).
    plain = settings.replace(break_every_minutes=None, daily_cap_minutes=None)
    sim = simulate(plain, "2026-11-27 23:30")
    sim.use(BROWSER, 60)
    assert sim.minutes_by_app(date(2026, 11, 27)) == {"firefox": 60.0}
    sim = simulate(plain, "2026-11-28 03:50")
    sim.use(BROWSER, 20)
    assert sim.minutes_by_app(date(2026, 11, 27)) == {"firefox": 10.0}
    assert sim.minutes_by_app(date(2026, 11, 28)) == {"firefox": 10.0}
    assert all(
        span.end <= at("2026-11-28 04:00") or span.start >= at("2026-11-28 04:00")
        for span in sim.spans.values()
    )


def test_a_new_day_brings_a_fresh_cap() -> None:
    settings = Settings().replace(daily_cap_minutes=40, break_every_minutes=None)
    sim = simulate(settings, "2026-11-28 03:00")
    sim.use(GAME, 40)
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.decision.until == at("2026-11-28 04:00")
    sim.use(GAME, 20)  # the overlay is in front until 04:00
    sim.use(GAME, 1)
    assert sim.decision.verdict is Verdict.ALLOW
    assert sim.decision.used_seconds == pytest.approx(60, abs=1)


def test_sleeping_through_a_break_satisfies_it_and_sleep_counts_nowhere(settings: Settings) -> None:
    # Example 9: a break begins at 14:00; the lid closes 14:01 and opens 14:20.
    sim = simulate(settings, "2026-11-24 13:30")
    sim.use(BROWSER, 30)
    assert sim.decision.verdict is Verdict.BREAK
    assert sim.decision.until == at("2026-11-24 14:05")
    sim.idle(1)
    sim.sleep(19)
    assert sim.decision.verdict is not Verdict.BREAK
    assert sim.events_of(EventKind.BREAK_TAKEN)
    assert sim.events_of(EventKind.SUSPEND)[0].payload.to_json() == {"seconds": 19 * 60}
    assert sim.minutes_by_app() == {"firefox": 30.0}


def test_the_desktop_and_this_app_are_never_blocked(settings: Settings) -> None:
    # Example 10.
    from wellbeing_app.core.model import AppRef

    sim = simulate(settings.replace(daily_cap_minutes=40, break_every_minutes=None), "2026-11-24 10:00")
    sim.use(GAME, 40)
    assert sim.decision.verdict is Verdict.BLOCK
    for shell in ("gnome-shell", "plasmashell", "xfce4-session-logout", "explorer.exe", "loginwindow"):
        assert sim.engine.decision_for(AppRef(shell, shell)).verdict is Verdict.ALLOW, shell
    assert sim.engine.decision_for(SELF_APP).verdict is Verdict.ALLOW
    assert sim.engine.decision_for(None).verdict is Verdict.ALLOW
    # A game copied to a file named like this app is still a game: only a probe that checked
    # the process id reports this app.
    assert sim.engine.decision_for(AppRef("wellbeing-app", "Wellbeing")).verdict is Verdict.BLOCK


def test_moving_the_clock_a_day_forward_does_not_open_a_new_day() -> None:
    settings = Settings().replace(daily_cap_minutes=40, break_every_minutes=None)
    sim = simulate(settings, "2026-11-24 10:00")
    sim.use(GAME, 40)
    assert sim.decision.verdict is Verdict.BLOCK
    sim.move_wall_clock(timedelta(days=1))
    sim.use(GAME, 1)
    assert sim.decision.verdict is Verdict.BLOCK
    assert [e.payload.seconds for e in sim.events_of(EventKind.CLOCK_JUMP)] == [86400]
    sim.move_wall_clock(timedelta(days=-1, hours=-1))
    sim.use(GAME, 1)
    assert sim.decision.verdict is Verdict.BLOCK
    assert [e.payload.seconds for e in sim.events_of(EventKind.CLOCK_JUMP)] == [86400, -90000]
    assert sim.minutes_by_app() == {"supertux2": 40.0}
