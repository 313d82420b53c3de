"""Whole simulated days: exact totals, the events a parent reads, and what the person sees."""

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from wellbeing_app.core.model import AppRef, BlockReason, EventKind, Verdict
from wellbeing_app.core.settings import Settings
from wellbeing_app.core.simulation import Simulation

from .conftest import ALMATY, BROWSER, GAME, VIDEO, at, simulate

BERLIN = ZoneInfo("Europe/Berlin")
DUBAI = ZoneInfo("Asia/Dubai")
HOMEWORK = AppRef("geogebra", "GeoGebra")
BREAK_KINDS = {
    EventKind.BREAK_NOTICE,
    EventKind.BREAK_STARTED,
    EventKind.BREAK_TAKEN,
    EventKind.BREAK_NATURAL,
    EventKind.BREAK_POSTPONED,
    EventKind.BREAK_SKIPPED,
}


def hhmm(moment: datetime, zone: ZoneInfo = ALMATY) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def timeline(sim: Simulation, kinds: set[EventKind], zone: ZoneInfo = ALMATY) -> list[tuple[str, str]]:
    return [(e.kind.value, hhmm(e.at, zone)) for e in sim.events if e.kind in kinds]


def warnings(sim: Simulation, zone: ZoneInfo = ALMATY) -> list[tuple[int, str]]:
    return [(e.payload.minutes_left, hhmm(e.at, zone)) for e in sim.events_of(EventKind.WARNING)]


def blocks(sim: Simulation, zone: ZoneInfo = ALMATY) -> list[tuple[str, str, str, datetime]]:
    return [
        (e.payload.reason.value, e.payload.app, hhmm(e.at, zone), e.payload.until)
        for e in sim.events_of(EventKind.BLOCK)
    ]


def no_breaks(**changes: object) -> Settings:
    return Settings().replace(break_every_minutes=None, **changes)


# --- (a) a teenager's school day ------------------------------------------------------------------


def test_a_teenagers_school_day_in_almaty() -> None:
    """Wednesday 2026-11-25, after school. Cap 90 min, a 5-minute break after 30 minutes of
    use (one postpone), homework in GeoGebra always allowed, school-night downtime from 21:00.

    The natural break after the laptop slept records the 40 minutes the lid was closed (the
    4 idle minutes before it are not added: the tracker cannot tell when the lid was closed).
    """
    settings = Settings().replace(
        daily_cap_minutes=90,
        break_every_minutes=30,
        break_length_minutes=5,
        postpones_allowed=1,
        always_allowed=("geogebra",),
        downtime=Settings.parse_text("downtime", "sun-thu 21:00-07:00"),
    )
    sim = simulate(settings, "2026-11-25 14:00")
    sim.use(BROWSER, 20)  # 14:20
    sim.use(HOMEWORK, 10)  # 14:30: 30 minutes of session → the break
    assert sim.decision.verdict is Verdict.BREAK
    assert sim.decision.until == at("2026-11-25 14:35")
    sim.use(BROWSER, 5)  # the overlay is in front: nothing counts
    assert sim.decision.verdict is Verdict.ALLOW
    sim.use(GAME, 15)  # 14:50
    sim.idle(2)  # reading: under the idle threshold, it counts
    sim.use(GAME, 8)  # 15:00
    sim.idle(4)  # gone: taken back to 15:00
    assert sim.minutes_by_app() == {"firefox": 20.0, "geogebra": 10.0, "supertux2": 25.0}
    sim.sleep(40)  # the lid closes at 15:04 and opens at 15:44
    assert sim.engine.breaks.session_seconds == 0  # the sleep was a natural break
    sim.watch(VIDEO, 30)  # 16:14: a video, no keys pressed; the session reaches 30 minutes
    assert sim.decision.verdict is Verdict.BREAK
    assert sim.decision.postpones_left == 1
    sim.postpone()
    assert sim.decision.verdict is Verdict.ALLOW
    sim.watch(VIDEO, 5)  # 16:19: the postponed break
    assert sim.decision.verdict is Verdict.BREAK
    assert sim.decision.postpones_left == 0
    assert sim.decision.until == at("2026-11-25 16:24")
    sim.idle(5)  # 16:24
    sim.use(GAME, 10)  # 16:34: the cap
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.decision.reason is BlockReason.CAP
    # The day ends at 04:00, but school-night downtime runs until 07:00: that is when it lifts.
    assert sim.decision.until == at("2026-11-26 07:00")
    sim.use(GAME, 1)  # still blocked; the overlay is in front
    sim.use(HOMEWORK, 15)  # 16:50: homework still works
    assert sim.decision.verdict is Verdict.ALLOW
    assert sim.engine.decision_for(GAME).verdict is Verdict.BLOCK

    assert sim.minutes_by_app() == {"firefox": 20.0, "geogebra": 25.0, "supertux2": 35.0, "vlc": 35.0}
    assert sim.decision.used_seconds == 90 * 60
    assert timeline(sim, BREAK_KINDS) == [
        ("break_notice", "14:29"),
        ("break_started", "14:30"),
        ("break_taken", "14:35"),
        ("break_natural", "15:44"),
        ("break_notice", "16:13"),
        ("break_started", "16:14"),
        ("break_postponed", "16:14"),
        ("break_notice", "16:18"),
        ("break_started", "16:19"),
        ("break_taken", "16:24"),
    ]
    natural = sim.events_of(EventKind.BREAK_NATURAL)[0]
    assert natural.payload.to_json() == {"away_seconds": 40 * 60}
    started = sim.events_of(EventKind.BREAK_STARTED)
    assert [e.payload.ends_at for e in started] == [
        at("2026-11-25 14:35"),
        at("2026-11-25 16:19"),
        at("2026-11-25 16:24"),
    ]
    assert [e.payload.to_json() for e in sim.events_of(EventKind.SUSPEND)] == [{"seconds": 40 * 60}]
    assert [hhmm(e.at) for e in sim.events_of(EventKind.SUSPEND)] == ["15:44"]
    assert warnings(sim) == [(10, "16:19"), (5, "16:29"), (1, "16:33")]
    assert blocks(sim) == [("cap", "supertux2", "16:34", at("2026-11-26 07:00"))]
    assert {e.day for e in sim.events} == {date(2026, 11, 25)}


# --- (b) midnight and the 04:00 day start -------------------------------------------------------------


def test_use_across_midnight_belongs_to_the_evening_and_four_oclock_opens_a_fresh_cap() -> None:
    """Friday's cap (60) still applies at 03:50 on Saturday; Saturday's (120) from 04:00."""
    settings = no_breaks(daily_cap_minutes=60, weekday_caps=Settings.parse_text("weekday_caps", "sat=120"))
    sim = simulate(settings, "2026-11-27 23:40")  # a Friday
    sim.use(GAME, 40)  # until 00:20 Saturday
    sim.sleep(190)  # 03:30
    sim.use(GAME, 19)
    assert sim.decision.verdict is Verdict.WARN
    assert sim.decision.minutes_left == 1
    sim.use(GAME, 1)  # 03:50: Friday's 60 minutes are used
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.decision.cap_seconds == 60 * 60
    assert sim.decision.until == at("2026-11-28 04:00")
    sim.use(GAME, 10)  # the overlay, until 04:00
    assert sim.decision.verdict is Verdict.ALLOW
    assert sim.decision.cap_seconds == 120 * 60
    sim.use(GAME, 30)  # 04:30

    assert sim.minutes_by_app(date(2026, 11, 27)) == {"supertux2": 60.0}
    assert sim.minutes_by_app(date(2026, 11, 28)) == {"supertux2": 30.0}
    assert sim.decision.used_seconds == 30 * 60
    assert sim.decision.minutes_left == 90
    spans = sorted(sim.spans.values(), key=lambda s: s.start)
    # One span runs through midnight in one piece; none runs through 04:00.
    assert [(hhmm(s.start), hhmm(s.end), s.day) for s in spans] == [
        ("23:40", "00:20", date(2026, 11, 27)),
        ("03:30", "03:50", date(2026, 11, 27)),
        ("04:00", "04:30", date(2026, 11, 28)),
    ]
    assert blocks(sim) == [("cap", "supertux2", "03:50", at("2026-11-28 04:00"))]
    assert warnings(sim) == [(10, "03:40"), (5, "03:45"), (1, "03:49")]


# --- (c) daylight saving time in Berlin ------------------------------------------------------------


def test_spring_forward_in_berlin_during_use() -> None:
    """2026-03-29: 02:00 CET becomes 03:00 CEST. An hour of play from 01:30 CET ends at 03:30
    CEST and belongs to Saturday; the cap lifts at 04:00 CEST, 30 real minutes later."""
    sim = Simulation(no_breaks(daily_cap_minutes=60), datetime(2026, 3, 29, 0, 30, tzinfo=UTC), BERLIN)
    assert sim.now().strftime("%H:%M %Z") == "01:30 CET"
    sim.use(GAME, 60)
    assert sim.now().strftime("%H:%M %Z") == "03:30 CEST"
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.decision.until == datetime(2026, 3, 29, 4, 0, tzinfo=BERLIN)  # = 02:00 UTC
    assert sim.decision.until == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)
    minutes = sim.until(lambda d: d.verdict is Verdict.ALLOW, app=GAME)
    assert minutes == 30
    sim.use(GAME, 10)
    assert sim.minutes_by_app(date(2026, 3, 28)) == {"supertux2": 60.0}
    assert sim.minutes_by_app(date(2026, 3, 29)) == {"supertux2": 10.0}
    saturday = [s for s in sim.spans.values() if s.day == date(2026, 3, 28)]
    assert [(s.start.astimezone(BERLIN).strftime("%H:%M %Z"), s.utc_offset) for s in saturday] == [
        ("01:30 CET", timedelta(hours=1))
    ]
    sunday = [s for s in sim.spans.values() if s.day == date(2026, 3, 29)]
    assert [(s.start.astimezone(BERLIN).strftime("%H:%M %Z"), s.utc_offset) for s in sunday] == [
        ("04:00 CEST", timedelta(hours=2))
    ]
    assert [(b[0], b[3].astimezone(BERLIN).strftime("%Y-%m-%d %H:%M %Z")) for b in blocks(sim, BERLIN)] == [
        ("cap", "2026-03-29 04:00 CEST")
    ]


def test_fall_back_in_berlin_during_use() -> None:
    """2026-10-25: 03:00 CEST becomes 02:00 CET. Saturday's cap is 120 minutes; two hours of play
    from 01:30 CEST end at the second 02:30 (CET); the day, 25 hours long, ends at 04:00 CET,
    90 real minutes later."""
    settings = no_breaks(daily_cap_minutes=60, weekday_caps=Settings.parse_text("weekday_caps", "sat=120"))
    sim = Simulation(settings, datetime(2026, 10, 24, 23, 30, tzinfo=UTC), BERLIN)
    assert sim.now().strftime("%H:%M %Z") == "01:30 CEST"
    sim.use(GAME, 110)
    assert warnings(sim, BERLIN) == [(10, "02:20")]
    assert sim.now().strftime("%H:%M %Z") == "02:20 CET"
    sim.use(GAME, 10)
    assert sim.now().strftime("%H:%M %Z") == "02:30 CET"
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.decision.until == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)  # 04:00 CET
    assert sim.decision.until.astimezone(BERLIN).strftime("%H:%M %Z") == "04:00 CET"
    assert sim.until(lambda d: d.verdict is Verdict.ALLOW, app=GAME) == 90
    sim.use(GAME, 10)
    assert sim.minutes_by_app(date(2026, 10, 24)) == {"supertux2": 120.0}
    assert sim.minutes_by_app(date(2026, 10, 25)) == {"supertux2": 10.0}
    assert sim.decision.cap_seconds == 60 * 60  # Sunday: the daily cap
    assert [
        (w, hhmm(e.at, BERLIN)) for w, e in zip([10, 5, 1], sim.events_of(EventKind.WARNING), strict=True)
    ] == [
        (10, "02:20"),
        (5, "02:25"),
        (1, "02:29"),
    ]
    # Two 02:25s that night: the warning came at the second one.
    assert sim.events_of(EventKind.WARNING)[1].at == datetime(2026, 10, 25, 1, 25, tzinfo=UTC)


def test_saturday_night_downtime_over_both_berlin_clock_changes() -> None:
    """Downtime "sat 23:00-08:00" lifts at 08:00 local time on Sunday, summer or winter time."""
    settings = no_breaks(daily_cap_minutes=None, downtime=Settings.parse_text("downtime", "sat 23:00-08:00"))
    spring = Simulation(settings, datetime(2026, 3, 28, 21, 55, tzinfo=UTC), BERLIN)  # 22:55 CET
    spring.use(GAME, 5)
    assert spring.decision.reason is BlockReason.DOWNTIME
    assert spring.decision.until == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 CEST: 8 h later
    autumn = Simulation(settings, datetime(2026, 10, 24, 20, 55, tzinfo=UTC), BERLIN)  # 22:55 CEST
    autumn.use(GAME, 5)
    assert autumn.decision.until == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)  # 08:00 CET: 10 h later
    autumn.sleep(9 * 60 + 50)  # 07:50 CET
    autumn.use(GAME, 1)
    assert autumn.decision.reason is BlockReason.DOWNTIME
    assert autumn.until(lambda d: d.verdict is Verdict.ALLOW, app=GAME) == 9


# --- (d) the wall clock moved during use -------------------------------------------------------------


def test_moving_the_wall_clock_loses_nothing_counts_nothing_twice_and_opens_no_day() -> None:
    sim = simulate(no_breaks(daily_cap_minutes=60), "2026-11-24 10:00")
    moves = [timedelta(hours=1), timedelta(hours=-1), timedelta(days=1), timedelta(days=-1)]
    sim.use(GAME, 10)
    for move in moves:
        sim.move_wall_clock(move)
        sim.use(GAME, 10)
    assert sim.minutes_by_app() == {"supertux2": 50.0}
    spans = sorted(sim.spans.values(), key=lambda s: s.start)
    # One stretch of play: positions follow the elapsed counter, not the moved clock.
    assert (spans[0].start, spans[-1].end) == (at("2026-11-24 10:00"), at("2026-11-24 10:50"))
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert {s.day for s in spans} == {date(2026, 11, 24)}
    jumps = sim.events_of(EventKind.CLOCK_JUMP)
    assert [e.payload.seconds for e in jumps] == [3600, -3600, 86400, -86400]
    assert [hhmm(e.at) for e in jumps] == ["10:10", "10:20", "10:30", "10:40"]

    # At the cap, a clock moved a day forward brings no fresh cap, and the block lifts at the
    # real 04:00, not at the moved clock's.
    sim.use(GAME, 10)
    assert sim.decision.verdict is Verdict.BLOCK
    sim.move_wall_clock(timedelta(days=1, hours=1))
    sim.use(GAME, 1)
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.decision.until == at("2026-11-25 04:00")
    assert sim.minutes_by_app() == {"supertux2": 60.0}
    assert sim.events_of(EventKind.CLOCK_JUMP)[-1].payload.seconds == 90000
    assert sim.events_of(EventKind.CLOCK_JUMP)[-1].payload.wall.isoformat() == "2026-11-25T07:00:01+00:00"


def test_a_clock_moved_back_an_hour_at_the_cap_does_not_reopen_the_hour() -> None:
    sim = simulate(no_breaks(daily_cap_minutes=40), "2026-11-24 10:00")
    sim.use(GAME, 40)
    sim.move_wall_clock(timedelta(hours=-1))
    sim.use(GAME, 30)
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.minutes_by_app() == {"supertux2": 40.0}
    assert [e.payload.seconds for e in sim.events_of(EventKind.CLOCK_JUMP)] == [-3600]


# --- (e) a time-zone change ------------------------------------------------------------------------------


def test_a_zone_change_mid_day_is_recorded_and_the_day_continues() -> None:
    """Almaty (UTC+5) to Dubai (UTC+4) at 14:30: the change is recorded at once, the time used
    stays used, and the new zone counts from the end of the current day: the block lifts at 04:00
    Almaty time (03:00 in Dubai); from then on days follow Dubai. (So that a zone far to the east
    cannot open tomorrow's cap early.)"""
    sim = simulate(no_breaks(daily_cap_minutes=60), "2026-11-24 14:00")
    sim.use(GAME, 30)
    sim.clock.set_zone(DUBAI)
    sim.use(GAME, 1)
    changes = sim.events_of(EventKind.ZONE_CHANGED)
    assert [(e.payload.to_json(), hhmm(e.at, DUBAI)) for e in changes] == [
        ({"old": "Asia/Almaty", "new": "Asia/Dubai"}, "13:30")
    ]
    assert sim.decision.used_seconds == 31 * 60
    sim.use(GAME, 29)
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.decision.until == datetime(2026, 11, 25, 4, 0, tzinfo=ALMATY)
    assert sim.minutes_by_app(date(2026, 11, 24)) == {"supertux2": 60.0}
    # Spans of the day keep the offset of the zone the day is counted in.
    sim.use(BROWSER, 1)
    assert sim.decision.verdict is Verdict.BLOCK
    spans = sorted(sim.spans.values(), key=lambda s: s.start)
    assert [(s.app.executable, s.utc_offset) for s in spans] == [("supertux2", timedelta(hours=5))]
    sim.grant(minutes=15)
    sim.use(BROWSER, 1)
    spans = sorted(sim.spans.values(), key=lambda s: s.start)
    assert [(s.app.executable, s.utc_offset) for s in spans] == [
        ("supertux2", timedelta(hours=5)),
        ("firefox", timedelta(hours=5)),
    ]


def test_a_zone_moved_west_over_the_day_start_gives_no_time_back() -> None:
    """Almaty 04:30 on Wednesday is 00:30 on Tuesday night in Berlin. The day in progress
    (Wednesday) goes on with what is left of its cap; the new zone counts only once that day is
    over (Almaty's Thursday 04:00 = Berlin's Thursday 00:00, still Wednesday by Berlin's 04:00 day
    start), so no day is opened twice and no time comes back: the next fresh cap is at Thursday
    04:00 in Berlin."""
    sim = simulate(no_breaks(daily_cap_minutes=60), "2026-11-24 22:00")
    sim.use(GAME, 60)  # Tuesday's cap, at 23:00
    sim.sleep(5 * 60)  # 04:00 Wednesday
    sim.use(GAME, 30)
    assert sim.decision.minutes_left == 30
    sim.clock.set_zone(BERLIN)
    sim.use(GAME, 1)
    assert sim.engine.day == date(2026, 11, 25)
    assert sim.decision.minutes_left == 29
    assert sim.until(lambda d: d.verdict is Verdict.BLOCK, app=GAME) == 29
    assert sim.until(lambda d: d.verdict is Verdict.ALLOW, app=GAME, limit_minutes=30 * 60) == 27 * 60
    assert sim.now().astimezone(BERLIN) == datetime(2026, 11, 26, 4, 0, tzinfo=BERLIN)
    assert sim.engine.day == date(2026, 11, 26)
    assert sim.minutes_by_app(date(2026, 11, 25)) == {"supertux2": 60.0}
    assert [e.payload.new for e in sim.events_of(EventKind.ZONE_CHANGED)] == ["Europe/Berlin"]


# --- (f) weekday caps and app limits ---------------------------------------------------------------------


def weekend_settings() -> Settings:
    return no_breaks(
        daily_cap_minutes=60,
        weekday_caps=Settings.parse_text("weekday_caps", "sat=120,sun=120"),
        app_limits=Settings.parse_text("app_limits", "supertux2=30"),
    )


def test_saturday_has_its_own_cap_and_the_game_its_own_limit() -> None:
    sim = simulate(weekend_settings(), "2026-11-28 10:00")  # Saturday
    sim.use(GAME, 30)
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.decision.reason is BlockReason.APP_LIMIT
    assert sim.decision.until == at("2026-11-29 04:00")
    assert sim.decision.minutes_left == 90
    sim.use(BROWSER, 89)  # other counted apps still work, up to Saturday's cap
    assert sim.decision.verdict is Verdict.WARN
    sim.use(BROWSER, 1)  # 12:00
    assert sim.decision.reason is BlockReason.CAP
    assert sim.minutes_by_app() == {"firefox": 90.0, "supertux2": 30.0}
    assert blocks(sim) == [
        ("app_limit", "supertux2", "10:30", at("2026-11-29 04:00")),
        ("cap", "firefox", "12:00", at("2026-11-29 04:00")),
    ]
    assert warnings(sim) == [(10, "11:50"), (5, "11:55"), (1, "11:59")]
    assert sim.engine.decision_for(GAME).reason is BlockReason.APP_LIMIT


def test_monday_has_the_daily_cap() -> None:
    sim = simulate(weekend_settings(), "2026-11-30 10:00")  # Monday
    sim.use(BROWSER, 20)
    sim.use(GAME, 30)
    assert sim.decision.reason is BlockReason.APP_LIMIT
    sim.use(BROWSER, 10)
    assert sim.decision.reason is BlockReason.CAP
    assert sim.decision.cap_seconds == 60 * 60
    assert sim.minutes_by_app() == {"firefox": 30.0, "supertux2": 30.0}
    assert blocks(sim) == [
        ("app_limit", "supertux2", "10:50", at("2026-12-01 04:00")),
        ("cap", "firefox", "11:00", at("2026-12-01 04:00")),
    ]
    assert warnings(sim) == [(10, "10:50"), (5, "10:55"), (1, "10:59")]


# --- (g) downtime across midnight and from Sunday into Monday -----------------------------------------


def downtime_settings() -> Settings:
    return no_breaks(
        daily_cap_minutes=60,
        always_allowed=("geogebra",),
        downtime=Settings.parse_text("downtime", "sun-thu 21:00-07:00; sat 23:00-08:00"),
    )


def test_sunday_night_downtime_lasts_until_monday_morning() -> None:
    sim = simulate(downtime_settings(), "2026-11-29 20:50")  # Sunday
    sim.use(GAME, 10)
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.decision.reason is BlockReason.DOWNTIME
    assert sim.decision.until == at("2026-11-30 07:00")
    sim.use(HOMEWORK, 5)
    assert sim.decision.verdict is Verdict.ALLOW
    sim.sleep(9 * 60 + 45)  # 06:50 on Monday: the window that began on Sunday still runs
    sim.use(GAME, 1)
    assert sim.decision.reason is BlockReason.DOWNTIME
    assert sim.decision.until == at("2026-11-30 07:00")
    assert sim.until(lambda d: d.verdict is Verdict.ALLOW, app=GAME) == 9
    sim.use(GAME, 10)
    assert sim.minutes_by_app(date(2026, 11, 29)) == {"geogebra": 5.0, "supertux2": 10.0}
    assert sim.minutes_by_app(date(2026, 11, 30)) == {"supertux2": 10.0}
    # Each time the game is opened into the block, the block is recorded again.
    assert blocks(sim) == [
        ("downtime", "supertux2", "21:00", at("2026-11-30 07:00")),
        ("downtime", "supertux2", "06:50", at("2026-11-30 07:00")),
    ]


def test_saturday_night_downtime_crosses_midnight() -> None:
    sim = simulate(downtime_settings(), "2026-11-28 22:55")  # Saturday
    sim.use(GAME, 5)
    assert sim.decision.reason is BlockReason.DOWNTIME
    assert sim.decision.until == at("2026-11-29 08:00")
    sim.sleep(60)  # 00:00 Sunday
    sim.use(GAME, 1)
    assert sim.decision.until == at("2026-11-29 08:00")


def test_a_cap_reached_before_downtime_lifts_when_downtime_ends() -> None:
    """The cap alone would lift at 04:00 Monday; downtime then runs until 07:00, so the block
    says 07:00. At 21:00 the reason becomes downtime (a new block record)."""
    sim = simulate(downtime_settings(), "2026-11-29 19:30")  # Sunday
    sim.use(GAME, 60)
    assert sim.decision.reason is BlockReason.CAP
    assert sim.decision.until == at("2026-11-30 07:00")
    sim.use(GAME, 31)  # 21:01
    assert sim.decision.reason is BlockReason.DOWNTIME
    assert blocks(sim) == [
        ("cap", "supertux2", "20:30", at("2026-11-30 07:00")),
        ("downtime", "supertux2", "21:00", at("2026-11-30 07:00")),
    ]
    assert sim.minutes_by_app() == {"supertux2": 60.0}


# --- (h) pause -----------------------------------------------------------------------------------------


def test_a_pause_counts_nothing_and_blocks_nothing_then_tracking_resumes() -> None:
    settings = Settings().replace(daily_cap_minutes=60, break_every_minutes=55, break_length_minutes=5)
    sim = simulate(settings, "2026-11-24 14:00")
    sim.use(GAME, 50)
    pause = sim.engine.pause(30)
    sim.events.append(pause)
    assert (pause.kind, pause.payload.to_json(), hhmm(pause.at)) == (
        EventKind.TRACKING_PAUSED,
        {"minutes": 30},
        "14:50",
    )
    sim.use(GAME, 30)  # 15:20: the pause runs out
    assert sim.minutes_by_app() == {"supertux2": 50.0}
    assert sim.engine.breaks.session_seconds == 50 * 60
    assert timeline(sim, BREAK_KINDS | {EventKind.BLOCK}) == []
    sim.use(GAME, 5)  # 15:25: 55 minutes of session → the break
    assert sim.decision.verdict is Verdict.BREAK
    sim.use(GAME, 5)  # the break
    sim.use(GAME, 5)  # 15:35: the cap
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.minutes_by_app() == {"supertux2": 60.0}
    assert timeline(sim, BREAK_KINDS | {EventKind.BLOCK}) == [
        ("break_notice", "15:24"),
        ("break_started", "15:25"),
        ("break_taken", "15:30"),
        ("block", "15:35"),
    ]
    assert warnings(sim) == [(10, "14:50"), (5, "15:25"), (1, "15:34")]


def test_a_pause_at_the_cap_lifts_the_block_until_it_ends_or_is_ended() -> None:
    sim = simulate(no_breaks(daily_cap_minutes=40), "2026-11-24 14:00")
    sim.use(GAME, 40)
    assert sim.decision.verdict is Verdict.BLOCK
    sim.events.append(sim.engine.pause(60))
    sim.use(GAME, 10)
    assert sim.decision.verdict is Verdict.ALLOW
    sim.engine.resume()
    sim.use(GAME, 1)
    assert sim.decision.verdict is Verdict.BLOCK
    assert sim.minutes_by_app() == {"supertux2": 40.0}


def test_a_cap_that_would_be_reached_at_the_day_start_is_not_reached() -> None:
    """An hour of play from 03:00 with a 60-minute cap: the hour ends as the new day begins, so
    the last minute's warning comes but no block; the events are filed under Friday."""
    sim = simulate(no_breaks(daily_cap_minutes=60), "2026-11-28 03:00")  # Friday's day until 04:00
    sim.use(GAME, 60)
    assert warnings(sim) == [(10, "03:50"), (5, "03:55"), (1, "03:59")]
    assert {e.day for e in sim.events_of(EventKind.WARNING)} == {date(2026, 11, 27)}
    assert sim.events_of(EventKind.BLOCK) == []
    assert sim.decision.verdict is Verdict.ALLOW
    assert sim.minutes_by_app(date(2026, 11, 27)) == {"supertux2": 60.0}
    assert sim.minutes_by_app(date(2026, 11, 28)) == {}
