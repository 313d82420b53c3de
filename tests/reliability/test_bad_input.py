"""Bad input everywhere: every setting malformed or out of range on the command line, malformed import
files, fuzzed settings text and import files, a malformed guide file. Each is refused in words that
name what was wrong and where, and nothing changes."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.app.conftest import Cli
from wellbeing_app.cli import main
from wellbeing_app.core.errors import SettingError
from wellbeing_app.core.model import EventKind
from wellbeing_app.core.settings import Settings
from wellbeing_app.guide.loader import load_guide
from wellbeing_app.service import Service
from wellbeing_app.storage import ImportResult, StorageError
from wellbeing_app.storage.opening import DATABASE_FILE

ROOT = Path(__file__).resolve().parents[2]

# For every setting, values a person might type that are out of range or malformed.
BAD_VALUES: dict[str, list[str]] = {
    "daily_cap_minutes": ["39", "121", "0", "-60", "sixty", "60.5", "1e2", "60 s", "60 hours", "9" * 400],
    "weekday_caps": ["sat=30", "sat=121", "funday=60", "sat", "{bad json", '{"sat": 500}', "[60]"],
    "always_allowed": ["a/b", "bin\\game", "[1, 2]", '["x"', "x" * 300, "tab\there"],
    "app_limits": ["game=2", "game=721", "game=abc", "game", "=30", '{"game": true}', "game=30,"],
    "downtime": [
        "mon 25:00-07:00",
        "funday 21:00-07:00",
        "mon 21:00-21:00",
        "21:00-07:00",
        "weeknights 9pm",
        '[{"days": ["mon"]}]',
    ],
    "protected_lock_limit": ["-1", "11", "off", "three", "2.5", "3 min"],
    "break_every_minutes": ["9", "121", "ten", "-5", "30 s"],
    "break_length_minutes": ["0", "31", "off", "five"],
    "postpones_allowed": ["-1", "4", "many", "off"],
    "idle_threshold_seconds": ["29", "1801", "3 min", "off", "180.0"],
    "day_starts_at": ["12:01", "13:00", "25:00", "4", "noon", "04:60", "-04:00"],
    "store_window_titles": ["maybe", "2", "enabled?"],
    "start_at_login": ["sometimes", "yes please"],
    "language": ["xx", "english", "EN-us", ""],
}


def test_every_setting_is_covered() -> None:
    assert set(BAD_VALUES) == set(Settings.specs())


def settings_rows(data_dir: Path) -> dict[str, str]:
    path = data_dir / DATABASE_FILE
    if not path.exists():
        return {}
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return dict(connection.execute("SELECT key, value FROM settings").fetchall())
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("key", "given"),
    [(key, given) for key, values in BAD_VALUES.items() for given in values],
)
def test_a_bad_setting_is_refused_in_one_line_naming_the_key_the_value_and_what_is_allowed(
    cli: Cli, key: str, given: str
) -> None:
    assert cli("config", "set", "language", "en").code == 0
    before = cli("config", "show", "--json").out

    result = cli("config", "set", "--", key, given, stdin="")  # `--`: a value may begin with "-"

    allowed = str(Settings.spec(key).type.allowed)
    assert result.code == 2
    shown = repr(given) if len(given) <= 80 else f"{given[:60]!r}… ({len(given)} characters)"
    assert result.err == f"wellbeing-app: {key}: {shown} is not allowed; use {allowed}\n"
    assert cli("config", "show", "--json").out == before


def test_a_very_long_value_is_shown_cut_short_with_its_length(cli: Cli) -> None:
    result = cli("config", "set", "always_allowed", "a/" * 2500, stdin="")
    assert result.code == 2
    assert result.err == (
        f"wellbeing-app: always_allowed: {'a/' * 30!r}… (5000 characters) is not allowed; use "
        f"{Settings.spec('always_allowed').type.allowed}\n"
    )


def test_a_bad_setting_is_refused_before_the_passcode_is_asked_so_a_typo_costs_no_try(cli: Cli) -> None:
    assert cli("passcode", "set", stdin="1357\n").code == 0
    refused = cli("config", "set", "daily_cap_minutes", "200", stdin="0000\n")
    assert refused.code == 2
    assert "daily_cap_minutes: '200' is not allowed" in refused.err
    service = Service.open(cli.data_dir)
    try:
        assert service.events(2, [EventKind.PASSCODE_FAILED, EventKind.PASSCODE_OK]) == []
    finally:
        service.close()


def test_an_unknown_setting_is_refused_naming_the_settings_there_are(cli: Cli) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli("config", "set", "daily_cap", "60")
    assert exit_info.value.code == 2
    err = cli.capsys.readouterr().err
    assert "invalid choice: 'daily_cap'" in err
    assert "'daily_cap_minutes'" in err


# --- fuzzing the settings text, through the command line ------------------------------------------


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "data"


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(list(args), stdin=io.StringIO(""), stdout=out)
    return code, out.getvalue(), err.getvalue()


SETTING_TEXT = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"[+-]?\d{1,4}( ?(min|minutes|s|seconds|m|h))?", fullmatch=True),
    st.from_regex(r"\d{1,2}:\d{1,2}", fullmatch=True),
    st.from_regex(r"(mon|tue|sat|sun|daily|funday)(-\w{3})? \d{1,2}:\d{2}-\d{1,2}:\d{2}", fullmatch=True),
    st.from_regex(r"\w{1,8}=\w{0,4}(,\w{1,8}=\w{0,4})?", fullmatch=True),
    st.sampled_from(["on", "off", "none", "[]", "{}", "[[[[]]]]", '{"sat": null}', "null", "true"]),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(sorted(Settings.specs())), text=SETTING_TEXT)
def test_fuzzed_setting_text_through_the_command_line_is_taken_or_refused_in_one_line(
    fuzz_dir: Path, key: str, text: str
) -> None:
    before = settings_rows(fuzz_dir)
    code, out, err = run_cli("--data-dir", str(fuzz_dir), "config", "set", "--", key, text)
    try:
        expected = Settings.spec(key).type.to_json(Settings.parse_text(key, text))
    except SettingError:
        assert code == 2
        assert err.startswith(f"wellbeing-app: {key}: ")
        assert err.count("\n") == 1
        assert settings_rows(fuzz_dir) == before
        return
    assert code == 0, err
    assert out.startswith(f"{key} = ")
    shown = json.loads(run_cli("--data-dir", str(fuzz_dir), "config", "show", "--json")[1])
    assert shown[key] == expected


@settings(max_examples=400, deadline=None)
@given(key=st.sampled_from(sorted(Settings.specs())), text=SETTING_TEXT)
def test_the_settings_parser_raises_nothing_but_a_setting_error_and_round_trips(key: str, text: str) -> None:
    try:
        value = Settings.parse_text(key, text)
    except SettingError as error:
        refused: SettingError | None = error
    else:
        refused = None
    if refused is not None:
        assert refused.key == key
        return
    assert Settings.parse_text(key, Settings().replace(**{key: value}).text_of(key)) == value


# --- malformed import files -----------------------------------------------------------------------

GOOD_CSV = """start,end,app,name
2026-11-25T09:00:00+01:00,2026-11-25T09:30:00+01:00,firefox,Firefox
"""

MALFORMED: list[tuple[str, bytes, str]] = [
    # (file name, content, what the one-line error must say)
    ("bad-header.csv", b"when,until,program\n2026-11-25T10:00:00+01:00,2026-11-25T10:10:00+01:00,x\n",
     "line 1 (the header): found \"when,until,program\""),
    ("bad-time.csv", b"start,end,app\n2026-11-25T10:00:00+01:00,2026-11-25T10:10:00+01:00,x\n"
     b"2026-13-45T10:00:00+01:00,2026-11-25T10:10:00+01:00,x\n", 'line 3, column "start": found "2026-13-45T10:00:00+01:00"'),
    ("no-offset.csv", b"start,end,app\n2026-11-25T10:00:00,2026-11-25T10:10:00+01:00,x\n",
     'line 2, column "start": found "2026-11-25T10:00:00", which has no UTC offset'),
    ("end-before-start.csv", b"start,end,app\n2026-11-25T10:00:00+01:00,2026-11-25T09:00:00+01:00,x\n",
     'line 2, column "end": found 2026-11-25T09:00:00+01:00, which is not after the start'),
    ("huge-span.csv", b"start,end,app\n2026-11-25T10:00:00+01:00,2027-11-25T10:00:00+01:00,x\n",
     'line 2, column "end": found 2027-11-25T10:00:00+01:00, 8760.0 hours after the start'),
    ("year-9999.csv", b"start,end,app\n9999-12-31T22:00:00-12:00,9999-12-31T23:00:00-12:00,x\n",
     'line 2, column "start": found "9999-12-31T22:00:00-12:00", in the year 9999'),
    ("year-1.csv", b"start,end,app\n0001-01-01T00:00:00+14:00,0001-01-01T01:00:00+14:00,x\n",
     'line 2, column "start": found "0001-01-01T00:00:00+14:00", in the year 1'),
    ("huge-field.csv", b"start,end,app\n2026-11-25T10:00:00+01:00,2026-11-25T10:10:00+01:00," + b"g" * 200_000 + b"\n",
     "line 2: found malformed CSV (field larger than field limit"),
    ("short-row.csv", b"start,end,app\n2026-11-25T10:00:00+01:00,2026-11-25T10:10:00+01:00\n",
     "line 2: found 2 values; expected 3, one for each column"),
    ("latin1.csv", "start,end,app\n2026-11-25T10:00:00+01:00,2026-11-25T10:10:00+01:00,café\n".encode("latin-1"),
     "line 2: found bytes that are not UTF-8 text"),
    ("empty.csv", b"", "line 1: found an empty file"),
    ("blank.json", b"  \n\n", "line 1: found an empty file"),
    ("list.json", b"[1, 2, 3]", 'at $: found [1, 2, 3]; expected an object with "format": "wellbeing-export"'),
    ("other.json", b'{"name": "not an export"}', 'at $.format: found nothing; expected "wellbeing-export"'),
    ("newer.json", b'{"format": "wellbeing-export", "version": 2, "spans": []}',
     "at $.version: found 2; expected 1: the file was written by a newer Wellbeing"),
    ("nan-version.json", b'{"format": "wellbeing-export", "version": NaN, "spans": []}',
     "at $.version: found nan; expected 1"),
    ("spans-object.json", b'{"format": "wellbeing-export", "version": 1, "spans": {}}',
     "at $.spans: found {}; expected a list of spans"),
    ("span-number.json", b'{"format": "wellbeing-export", "version": 1, "spans": [1]}',
     "at $.spans[0]: found 1; expected an object"),
    ("bad-kind.json", b'{"format": "wellbeing-export", "version": 1, "spans": [], "events": '
     b'[{"kind": "hack", "at": "2026-11-25T10:00:00+01:00"}]}', 'at $.events[0].kind: found "hack"'),
    ("truncated.json", b'{"format": "wellbeing-export", "version": 1, "spans": [',
     "line 1, column 56: found text that is not valid JSON"),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "the JSON document: found JSON that cannot be read (maximum recursion"),
    ("long-number.json", b'{"format": "wellbeing-export", "version": 1' + b"0" * 5000 + b"}",
     "the JSON document: found JSON that cannot be read (Exceeds the limit (4300 digits)"),
]  # fmt: skip


def export_text(cli: Cli) -> str:
    """The whole record as exported, without the line that says when it was exported."""
    exported = cli("export", "--format", "json").out
    return "\n".join(line for line in exported.splitlines() if '"exported_at"' not in line)


@pytest.mark.parametrize(("name", "content", "message"), MALFORMED, ids=[case[0] for case in MALFORMED])
def test_a_malformed_import_file_is_refused_in_one_line_naming_where_and_changes_nothing(
    cli: Cli, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV)
    assert cli("import", str(good)).code == 0
    before = export_text(cli)
    path = tmp_path / name
    path.write_bytes(content)

    result = cli("import", str(path))

    assert result.code == 2
    assert result.err.count("\n") == 1, result.err
    assert result.err.startswith(f"wellbeing-app: cannot import {path}: ")
    assert message in result.err
    assert export_text(cli) == before


def test_import_never_touches_settings_or_the_passcode(cli: Cli, tmp_path: Path) -> None:
    """An export holds no settings and no passcode; a file that adds them is refused or ignored."""
    assert cli("config", "set", "daily_cap_minutes", "45").code == 0
    assert cli("passcode", "set", stdin="1357\n").code == 0
    forged = tmp_path / "forged.json"
    forged.write_text(
        json.dumps(
            {
                "format": "wellbeing-export",
                "version": 1,
                "settings": {"daily_cap_minutes": 120},
                "passcode": None,
                "spans": [],
                "events": [
                    {"kind": "passcode_changed", "at": "2026-11-25T10:00:00+01:00", "data": {"set": False}}
                ],
            }
        )
    )
    assert cli("import", str(forged), stdin="1357\n").code == 0
    assert json.loads(cli("config", "show", "--json").out)["daily_cap_minutes"] == 45
    locked = cli("config", "set", "daily_cap_minutes", "120", stdin="0000\n")
    assert locked.code == 2
    assert "wrong passcode" in locked.err


# --- fuzzing import -----------------------------------------------------------------------------

TIMES = st.one_of(
    st.datetimes(
        min_value=datetime(1960, 1, 1),
        max_value=datetime(2300, 1, 1),
        timezones=st.sampled_from([timezone(timedelta(hours=h)) for h in (-12, 0, 5, 14)]),
    ).map(lambda moment: moment.isoformat()),
    st.text(max_size=30),
)
CELL = st.one_of(
    TIMES, st.text(max_size=12), st.sampled_from(["", '"', '""', ",", "\n", "span", "event", "warning"])
)
CSV_FILE = st.builds(
    lambda header, rows: "\n".join([header] + [",".join(cells) for cells in rows]),
    st.sampled_from(
        [
            "start,end,app",
            "start,end,app,name,day",
            "record,uid,start,end,app,name,day,kind,data,title",
            "start;end;app",
            "when,what",
            "",
        ]
    ),
    st.lists(st.lists(CELL, min_size=0, max_size=11), max_size=5),
)
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TIMES, st.text(max_size=10)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
SPAN_RECORD = st.fixed_dictionaries(
    {},
    optional={
        "uid": st.one_of(st.text(max_size=70), JSON_VALUE),
        "start": TIMES,
        "end": TIMES,
        "app": st.one_of(st.text(max_size=10), JSON_VALUE),
        "name": st.one_of(st.text(max_size=10), JSON_VALUE),
        "day": st.one_of(st.dates().map(str), JSON_VALUE),
        "title": JSON_VALUE,
    },
)
EVENT_RECORD = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.one_of(st.sampled_from(["warning", "grant", "block", "nope"]), JSON_VALUE),
        "at": TIMES,
        "day": st.one_of(st.dates().map(str), JSON_VALUE),
        "data": JSON_VALUE,
    },
)
JSON_FILE = st.one_of(
    JSON_VALUE.map(lambda value: json.dumps(value, allow_nan=True)),
    st.fixed_dictionaries(
        {"format": st.just("wellbeing-export"), "version": st.sampled_from([1, 1, 1, 2, "1", None])},
        optional={
            "spans": st.one_of(st.lists(SPAN_RECORD, max_size=4), JSON_VALUE),
            "events": st.one_of(st.lists(EVENT_RECORD, max_size=4), JSON_VALUE),
            "apps": JSON_VALUE,
        },
    ).map(lambda value: json.dumps(value, allow_nan=True)),
)
IMPORT_FILE = st.one_of(
    st.binary(max_size=300).map(lambda data: (".csv", data)),
    CSV_FILE.map(lambda text: (".csv", text.encode("utf-8", "surrogatepass"))),
    JSON_FILE.map(lambda text: (".json", text.encode("utf-8", "surrogatepass"))),
)


@pytest.fixture(scope="module")
def import_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    service = Service.open(tmp_path_factory.mktemp("import-fuzz") / "data")
    yield service
    service.close()


def record_fingerprint(data_dir: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    connection = sqlite3.connect(f"{(data_dir / DATABASE_FILE).as_uri()}?mode=ro", uri=True)
    try:
        spans = connection.execute("SELECT * FROM usage_spans ORDER BY start_ms").fetchall()
        events = connection.execute("SELECT uid, kind, at_ms, data FROM events ORDER BY uid").fetchall()
    finally:
        connection.close()
    return spans, [event for event in events if event[1] != "data_imported"]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=IMPORT_FILE)
def test_fuzzed_import_files_give_a_result_or_a_storage_error_and_an_error_changes_nothing(
    import_service: Service, file: tuple[str, bytes]
) -> None:
    suffix, content = file
    before = record_fingerprint(import_service.data_dir)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"offered{suffix}"
        path.write_bytes(content)
        refused: StorageError | None = None
        try:
            result = import_service.import_file(path)
        except StorageError as error:
            refused = error
    if refused is not None:
        assert str(path) in str(refused)
        assert record_fingerprint(import_service.data_dir) == before
        return
    assert isinstance(result, ImportResult)


# --- a malformed guide file ---------------------------------------------------------------------


def test_a_guide_article_with_a_broken_header_is_reported_with_file_and_line_and_the_rest_load(
    tmp_path: Path,
) -> None:
    guide_root = tmp_path / "guide"
    shutil.copytree(ROOT / "resources" / "guide", guide_root)
    intact = load_guide(guide_root)
    article = guide_root / "en" / "coping-with-stress.md"
    lines = article.read_text(encoding="utf-8").splitlines(keepends=True)
    category = next(index for index, line in enumerate(lines) if line.startswith("category:"))
    lines[category] = "category: [not, a, category\n"
    article.write_text("".join(lines), encoding="utf-8")

    guide = load_guide(guide_root)

    new_problems = [problem for problem in guide.problems if problem not in intact.problems]
    about_it = [problem for problem in new_problems if problem.path == article]
    assert about_it, new_problems
    assert about_it[0].line == category + 1
    assert f"{article}:{category + 1}:" in str(about_it[0])
    english = {a.id: a for a in guide.articles("en")}
    assert english["coping-with-stress"].language != "en"  # left out: another language stands in
    assert english["coping-with-stress"].path != article
    for article_id, shown in english.items():
        if article_id != "coping-with-stress":
            assert shown == intact.require_article(article_id, "en")
    for language in ("ru", "kk"):
        assert guide.articles(language) == intact.articles(language)
