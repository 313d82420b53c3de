"""Settings as one schema: defaults, refusals a person can act on, fuzzed input; the passcode."""

import json
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellbeing_app.core.errors import PasscodeError, SettingError
from wellbeing_app.core.passcode import (
    MAX_LOCKOUT,
    Attempt,
    hash_passcode,
    lockout_until,
    matches,
    validate,
)
from wellbeing_app.core.settings import DowntimeWindow, Settings, Weekday

KEYS = list(Settings.specs())
SALT = bytes(range(16))
OTHER_SALT = bytes(range(1, 17))


# --- defaults ---------------------------------------------------------------------------------------


def test_every_setting_is_declared_with_a_description_and_an_allowed_range() -> None:
    assert KEYS == [
        "daily_cap_minutes",
        "weekday_caps",
        "always_allowed",
        "app_limits",
        "downtime",
        "protected_lock_limit",
        "break_every_minutes",
        "break_length_minutes",
        "postpones_allowed",
        "idle_threshold_seconds",
        "day_starts_at",
        "store_window_titles",
        "start_at_login",
        "language",
    ]
    for key, spec in Settings.specs().items():
        assert spec.description, key
        assert spec.type.allowed, key
    assert not Settings.spec("language").guarded
    assert Settings.spec("daily_cap_minutes").guarded


@pytest.mark.parametrize("key", KEYS)
def test_every_default_passes_its_own_validation(key: str) -> None:
    default = Settings.default(key)
    stored = json.loads(json.dumps(Settings.specs()[key].type.to_json(default)))
    assert Settings.check_json(key, stored) == default
    assert Settings.parse_text(key, Settings().text_of(key)) == default


def test_the_defaults_are_those_of_the_design() -> None:
    defaults = Settings()
    assert defaults.daily_cap_minutes == 60
    assert defaults.idle_threshold_seconds == 180
    assert defaults.day_starts_at == time(4, 0)
    assert defaults.store_window_titles is False
    assert Settings.from_json(defaults.to_json()) == defaults


# --- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "text", "allowed"),
    [
        ("daily_cap_minutes", "39", ["40", "120", "off"]),
        ("daily_cap_minutes", "121", ["40", "120"]),
        ("daily_cap_minutes", "abc", ["40", "120"]),
        ("daily_cap_minutes", "60.5", ["whole number"]),
        ("daily_cap_minutes", "60 seconds", ["minutes"]),
        ("weekday_caps", "sat=39", ["40", "120"]),
        ("weekday_caps", "sat", ["day=minutes"]),
        ("weekday_caps", "funday=60", ["day=minutes"]),
        ("always_allowed", "tools/calculator", ["executable names"]),
        ("always_allowed", "[1, 2]", ["executable names"]),
        ("app_limits", "game=4", ["5", "720"]),
        ("app_limits", "game=721", ["5", "720"]),
        ("app_limits", "game", ["executable=minutes"]),
        ("downtime", "mon 21:00", ["HH:MM-HH:MM"]),
        ("downtime", "mon 21:00-21:00", ["HH:MM-HH:MM"]),
        ("downtime", "mon 21:00-25:00", ["HH:MM-HH:MM"]),
        ("downtime", "funday 21:00-07:00", ["DAYS"]),
        ("break_every_minutes", "9", ["10", "120", "off"]),
        ("break_every_minutes", "121", ["10", "120"]),
        ("break_length_minutes", "0", ["1", "30"]),
        ("break_length_minutes", "31", ["1", "30"]),
        ("break_length_minutes", "off", ["1", "30"]),
        ("postpones_allowed", "4", ["0", "3"]),
        ("postpones_allowed", "-1", ["0", "3"]),
        ("idle_threshold_seconds", "29", ["30", "1800"]),
        ("idle_threshold_seconds", "1801", ["30", "1800"]),
        ("idle_threshold_seconds", "30 min", ["seconds"]),
        ("day_starts_at", "abc", ["HH:MM", "00:00", "12:00"]),
        ("day_starts_at", "25:00", ["HH:MM", "00:00", "12:00"]),
        ("day_starts_at", "12:01", ["00:00", "12:00"]),
        ("day_starts_at", "4", ["HH:MM"]),
        ("store_window_titles", "maybe", ['"on" or "off"']),
        ("language", "fr", ["en", "ru", "kk"]),
    ],
)
def test_a_refused_value_says_which_setting_what_was_given_and_what_is_allowed(
    key: str, text: str, allowed: list[str]
) -> None:
    with pytest.raises(SettingError) as refused:
        Settings.parse_text(key, text)
    message = str(refused.value)
    assert message.startswith(f"{key}: ")
    assert repr(text) in message
    for words in allowed:
        assert words in message
    assert (refused.value.key, refused.value.given) == (key, text)


def test_units_given_in_the_wrong_unit_are_refused_not_misread() -> None:
    """Before the fix "30 min" for the idle threshold was read as 30 seconds, and "60 s" for
    the cap as 60 minutes: the unit was dropped whatever it was."""
    assert Settings.parse_text("daily_cap_minutes", "45 min") == 45
    assert Settings.parse_text("daily_cap_minutes", "45m") == 45
    assert Settings.parse_text("idle_threshold_seconds", "300 s") == 300
    assert Settings.parse_text("idle_threshold_seconds", "300 seconds") == 300
    for key, text in [("idle_threshold_seconds", "30 min"), ("daily_cap_minutes", "60 s")]:
        with pytest.raises(SettingError, match="is not allowed"):
            Settings.parse_text(key, text)


def test_an_unknown_setting_is_named_with_the_known_ones() -> None:
    with pytest.raises(SettingError, match="daily_cap") as refused:
        Settings.parse_text("daily_cap", "60")
    assert "daily_cap_minutes" in str(refused.value)


def test_readable_forms_are_understood() -> None:
    assert Settings.parse_text("daily_cap_minutes", "off") is None
    assert Settings.parse_text("weekday_caps", "mon-fri=60; sat,sun=120") == {
        **dict.fromkeys([Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI], 60),
        Weekday.SAT: 120,
        Weekday.SUN: 120,
    }
    assert Settings.parse_text("weekday_caps", "sat=120,sun=off") == {Weekday.SAT: 120, Weekday.SUN: None}
    assert Settings.parse_text("downtime", "sun-thu 21:00-07:00; fri,sat 23:00–08:00") == (
        DowntimeWindow(
            frozenset({Weekday.SUN, Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU}),
            time(21, 0),
            time(7, 0),
        ),
        DowntimeWindow(frozenset({Weekday.FRI, Weekday.SAT}), time(23, 0), time(8, 0)),
    )
    assert Settings.parse_text("always_allowed", "calculator, libreoffice,calculator") == (
        "calculator",
        "libreoffice",
    )
    assert Settings.parse_text("app_limits", "game=30, video=45") == {"game": 30, "video": 45}
    assert Settings.parse_text("day_starts_at", "24:00") == time(0, 0)
    assert Settings.parse_text("store_window_titles", "Yes") is True


def test_replace_checks_every_change_and_changes_nothing_when_one_is_refused() -> None:
    before = Settings()
    with pytest.raises(SettingError, match="break_length_minutes"):
        before.replace(daily_cap_minutes=90, break_length_minutes=45)
    assert before.daily_cap_minutes == 60
    assert before.replace(daily_cap_minutes=90).daily_cap_minutes == 90


def test_stored_settings_with_bad_values_are_reported_and_the_defaults_used() -> None:
    stored = {
        "daily_cap_minutes": 500,
        "break_every_minutes": 20,
        "language": "fr",
        "day_starts_at": "04:00:00",
        "weekday_caps": {"sat": 120, "sun": "lots"},
        "no_such_setting": True,
        "idle_threshold_seconds": 240.0,
        "store_window_titles": "true",
    }
    reported: list[SettingError] = []
    loaded = Settings.from_json(stored, on_error=reported.append)
    assert sorted(e.key for e in reported) == [
        "daily_cap_minutes",
        "day_starts_at",
        "language",
        "no_such_setting",
        "store_window_titles",
        "weekday_caps",
    ]
    assert next(e for e in reported if e.key == "daily_cap_minutes").given == 500
    assert "500" in str(next(e for e in reported if e.key == "daily_cap_minutes"))
    assert loaded == Settings().replace(break_every_minutes=20, idle_threshold_seconds=240)
    with pytest.raises(SettingError, match="daily_cap_minutes: 500"):
        Settings.from_json(stored)


# --- fuzzing ----------------------------------------------------------------------------------------

TOKENS = [
    "0", "4", "04", "5", "30", "40", "60", "120", "121", "720", "1800", "-", "–", ":", "=", ",", ";",
    " ", "mon", "sat", "sun-thu", "daily", "weekends", "off", "none", "on", "min", "s", "21:00",
    "07:00", "24:00", "[", "]", "{", "}", '"', "game", "1e9", "null", "true", "en", "٤",
]  # fmt: skip
texts = st.one_of(st.text(max_size=40), st.lists(st.sampled_from(TOKENS), max_size=12).map("".join))


def _value_or_refusal(check, key: str, given: object) -> object:
    try:
        return check(key, given)
    except SettingError as refused:
        return refused


def _round_trips(key: str, value: object) -> None:
    spec = Settings.specs()[key]
    stored = json.loads(json.dumps(spec.type.to_json(value)))
    assert Settings.check_json(key, stored) == value
    # And it is a value the rest of the app can hold.
    assert getattr(Settings().replace(**{key: value}), key) == value


@given(key=st.sampled_from(KEYS), text=texts)
@settings(max_examples=400, deadline=None)
def test_any_text_is_either_a_value_that_round_trips_or_a_setting_error(key: str, text: str) -> None:
    value = _value_or_refusal(Settings.parse_text, key, text)
    if isinstance(value, SettingError):
        assert (value.key, value.given) == (key, text)
        return
    _round_trips(key, value)


@given(key=st.sampled_from(KEYS), value=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=10,
))  # fmt: skip
@settings(max_examples=400, deadline=None)
def test_any_stored_json_is_either_a_value_that_round_trips_or_a_setting_error(
    key: str, value: object
) -> None:
    checked = _value_or_refusal(Settings.check_json, key, value)
    if isinstance(checked, SettingError):
        assert checked.key == key
        return
    _round_trips(key, checked)


@pytest.mark.parametrize("key", ["always_allowed", "app_limits", "weekday_caps", "downtime"])
@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_deeply_nested_json_is_refused_like_any_bad_value(key: str, opening: str) -> None:
    """Before the fix this raised RecursionError out of the command line."""
    with pytest.raises(SettingError):
        Settings.parse_text(key, opening * 100_000)


# --- the passcode -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("1234", "1234"),
        ("123456789012", "123456789012"),
        ("  2468  ", "2468"),
        ("blue whale", "blue whale"),
        ("sixsix", "sixsix"),
        ("x" * 128, "x" * 128),
        ("пароль-7", "пароль-7"),
    ],
)
def test_passcodes_of_4_to_12_digits_or_phrases_of_6_to_128_characters_are_accepted(
    given: str, kept: str
) -> None:
    assert validate(given) == kept


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("123", "3 digits"),
        ("1234567890123", "13 digits"),
        ("abcde", "5 characters"),
        ("x" * 129, "129 characters"),
        ("", "0 characters"),
        ("١٢٣٤", "4 characters"),  # Arabic-Indic digits are a (short) phrase, not digits
    ],
)
def test_other_passcodes_are_refused_saying_what_is_allowed(given: str, says: str) -> None:
    with pytest.raises(PasscodeError) as refused:
        validate(given)
    assert says in str(refused.value)
    assert "4 to 12 digits" in str(refused.value)


def test_the_hash_matches_the_right_passcode_only() -> None:
    stored = hash_passcode("4826", SALT)
    assert stored.digest != b"4826"
    assert len(stored.digest) == 32
    assert matches("4826", stored)
    assert matches(" 4826 ", stored)
    assert not matches("4827", stored)
    assert not matches("", stored)
    resalted = hash_passcode("4826", OTHER_SALT)
    assert resalted.digest != stored.digest
    assert matches("4826", resalted)


def test_hashing_needs_a_real_salt_and_a_valid_passcode() -> None:
    with pytest.raises(ValueError, match="16 random bytes"):
        hash_passcode("4826", b"short")
    with pytest.raises(PasscodeError):
        hash_passcode("12", SALT)


T0 = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def wrong(minutes: float) -> Attempt:
    return Attempt(T0 + timedelta(minutes=minutes), ok=False)


def right(minutes: float) -> Attempt:
    return Attempt(T0 + timedelta(minutes=minutes), ok=True)


def test_the_fifth_wrong_try_locks_for_a_minute_then_2_4_8_minutes() -> None:
    attempts = [wrong(0), wrong(0.1), wrong(0.2), wrong(0.3)]
    assert lockout_until(attempts) is None
    attempts.append(wrong(0.5))
    assert lockout_until(attempts) == T0 + timedelta(minutes=1.5)
    attempts.append(wrong(1.5))  # the next try, when the lockout has passed
    assert lockout_until(attempts) == T0 + timedelta(minutes=3.5)
    attempts.append(wrong(3.5))
    assert lockout_until(attempts) == T0 + timedelta(minutes=7.5)
    attempts.append(wrong(7.5))
    assert lockout_until(attempts) == T0 + timedelta(minutes=15.5)
    # A right try resets the count: four more wrong tries are free again.
    attempts.append(right(15.5))
    assert lockout_until(attempts) is None
    attempts += [wrong(16), wrong(16.1), wrong(16.2), wrong(16.3)]
    assert lockout_until(attempts) is None
    attempts.append(wrong(16.4))
    assert lockout_until(attempts) == T0 + timedelta(minutes=17.4)


def test_the_lockout_never_exceeds_a_day() -> None:
    attempts = [wrong(n * 2000) for n in range(40)]
    assert lockout_until(attempts) == attempts[-1].at + MAX_LOCKOUT


@given(st.lists(st.tuples(st.integers(0, 10_000), st.booleans()), max_size=30))
def test_entry_is_locked_only_after_five_wrong_tries_since_the_last_right_one(tries) -> None:
    attempts = [Attempt(T0 + timedelta(seconds=s), ok) for s, ok in tries]
    ordered = sorted(attempts, key=lambda a: a.at)
    since_right = 0
    for attempt in ordered:
        since_right = 0 if attempt.ok else since_right + 1
    locked = lockout_until(attempts)
    if since_right < 5:
        assert locked is None
    else:
        last_wrong = ordered[-1].at
        assert locked == last_wrong + min(timedelta(minutes=2 ** (since_right - 5)), MAX_LOCKOUT)
