"""The command line as a person or a script uses it, on a real data dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import Cli

CSV_DAY = """start,end,app,name
2026-11-25T09:00:00+05:00,2026-11-25T09:30:00+05:00,firefox,Firefox
2026-11-25T10:00:00+05:00,2026-11-25T10:12:00+05:00,supertux2,SuperTux
2026-11-24T18:00:00+05:00,2026-11-24T19:00:00+05:00,firefox,Firefox
"""


def test_status_json_of_a_fresh_data_dir(cli: Cli) -> None:
    result = cli("status", "--json")
    assert result.code == 0
    status = json.loads(result.out)
    assert status["used_minutes"] == 0
    assert status["cap_minutes"] == 60
    assert status["remaining_minutes"] == 60
    assert status["decision"] == "allow"
    assert status["next_break_in_minutes"] == 30
    assert status["tracking"] is False


def test_a_cap_out_of_range_is_refused_with_what_is_allowed_and_nothing_changes(cli: Cli) -> None:
    for given in ("39", "121", "sixty", "60.5"):
        result = cli("config", "set", "daily_cap_minutes", given)
        assert result.code == 2
        assert result.err.count("\n") == 1
        assert f"'{given}' is not allowed" in result.err
        assert "from 40 to 120" in result.err
    assert json.loads(cli("config", "show", "--json").out)["daily_cap_minutes"] == 60


def test_config_show_json_is_one_object_with_null_for_off(cli: Cli) -> None:
    assert cli("config", "set", "daily_cap_minutes", "off").code == 0
    assert cli("config", "set", "downtime", "sun-thu 21:00-07:00").code == 0
    shown = json.loads(cli("config", "show", "--json").out)
    assert shown["daily_cap_minutes"] is None
    assert shown["downtime"] == [
        {"days": ["mon", "tue", "wed", "thu", "sun"], "start": "21:00", "end": "07:00"}
    ]
    assert shown["day_starts_at"] == "04:00"
    assert json.loads(cli("status", "--json").out)["cap_minutes"] is None


def test_a_malformed_schedule_says_what_the_format_is(cli: Cli) -> None:
    result = cli("config", "set", "downtime", "weeknights 9pm")
    assert result.code == 2
    assert "DAYS HH:MM-HH:MM" in result.err


def test_locked_settings_need_the_passcode(cli: Cli) -> None:
    assert cli("passcode", "set", stdin="2468\n").code == 0
    refused = cli("config", "set", "daily_cap_minutes", "90", stdin="1111\n")
    assert refused.code == 2
    assert "wrong passcode" in refused.err
    accepted = cli("config", "set", "daily_cap_minutes", "90", stdin="2468\n")
    assert accepted.code == 0
    assert accepted.out == "daily_cap_minutes = 90\n"
    # the language is not guarded: a child may read the app in their own language
    assert cli("config", "set", "language", "kk").code == 0


def test_five_wrong_passcodes_lock_entry_even_for_the_right_one(cli: Cli) -> None:
    cli("passcode", "set", stdin="2468\n")
    for _ in range(4):
        assert "wrong passcode" in cli("config", "set", "daily_cap_minutes", "90", stdin="0000\n").err
    fifth = cli("config", "set", "daily_cap_minutes", "90", stdin="0000\n")
    assert "locked until" in fifth.err
    right = cli("config", "set", "daily_cap_minutes", "90", stdin="2468\n")
    assert right.code == 2
    assert "try again after" in right.err
    assert json.loads(cli("config", "show", "--json").out)["daily_cap_minutes"] == 60


def test_a_passcode_that_is_too_short_is_refused(cli: Cli) -> None:
    result = cli("passcode", "set", stdin="12\n")
    assert result.code == 2
    assert "4 to 12 digits" in result.err


def test_without_a_terminal_or_stdin_a_locked_setting_says_how_to_give_the_passcode(cli: Cli) -> None:
    cli("passcode", "set", stdin="2468\n")
    result = cli("config", "set", "daily_cap_minutes", "90")
    assert result.code == 2
    assert "--passcode-stdin" in result.err


def test_import_then_report_and_status(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "day.csv"
    source.write_text(CSV_DAY)
    imported = cli("import", str(source))
    assert imported.code == 0, imported.err
    assert "Imported 3 usage spans" in imported.out
    report = json.loads(cli("report", "--days", "3650", "--json").out)
    assert {(r["date"], r["app"], r["minutes"]) for r in report} == {
        ("2026-11-25", "firefox", 30.0),
        ("2026-11-25", "supertux2", 12.0),
        ("2026-11-24", "firefox", 60.0),
    }
    again = cli("import", str(source))
    assert "Imported 0 usage spans (3 already there)" in again.out


def test_export_delete_import_gives_the_same_report(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "day.csv"
    source.write_text(CSV_DAY)
    cli("import", str(source))
    before = cli("report", "--days", "3650", "--json").out
    for fmt in ("json", "csv"):
        exported = tmp_path / f"all.{fmt}"
        assert cli("export", "--format", fmt, "--output", str(exported)).code == 0
        assert cli("delete-data").code == 2  # needs --yes
        assert cli("delete-data", "--yes").code == 0
        assert json.loads(cli("report", "--days", "3650", "--json").out) == []
        assert cli("import", str(exported)).code == 0
        assert cli("report", "--days", "3650", "--json").out == before


def test_a_malformed_import_names_the_line_and_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV_DAY + "yesterday,2026-11-25T11:00:00+05:00,firefox,Firefox\n")
    result = cli("import", str(bad))
    assert result.code == 2
    assert "line 5" in result.err
    assert json.loads(cli("report", "--days", "3650", "--json").out) == []


def test_report_csv_has_a_header(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "day.csv"
    source.write_text(CSV_DAY)
    cli("import", str(source))
    lines = cli("report", "--days", "3650", "--csv").out.splitlines()
    assert lines[0] == "date,app,name,minutes"
    assert len(lines) == 4


def test_the_installed_command_runs_as_a_module(tmp_path: Path) -> None:
    env = dict(os.environ, WELLBEING_DATA_DIR=str(tmp_path / "env-data"))
    done = subprocess.run(
        [sys.executable, "-m", "wellbeing_app", "status", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["cap_minutes"] == 60
    assert (tmp_path / "env-data" / "wellbeing.sqlite3").is_file()
    refused = subprocess.run(
        [sys.executable, "-m", "wellbeing_app", "config", "set", "break_length_minutes", "31"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "wellbeing-app: break_length_minutes: '31' is not allowed; use a whole number of minutes from 1 to 30"
    )


def test_guide_list_and_show_in_each_language(cli: Cli) -> None:
    listing = json.loads(cli("guide", "list", "--lang", "kk", "--json").out)
    assert len(listing) == 14
    assert {a["language"] for a in listing} == {"kk"}
    help_page = cli("guide", "show", "where-to-get-help", "--lang", "ru")
    assert help_page.code == 0
    assert "150" in help_page.out
    assert "8-800-2000-122" in help_page.out
    assert "<!-- helplines -->" not in help_page.out


def test_guide_search_finds_the_anger_article_in_kazakh(cli: Cli) -> None:
    found = json.loads(cli("guide", "search", "ашу", "--lang", "kk", "--json").out)
    assert found[0]["id"] == "managing-anger"


def test_an_unknown_article_says_what_ids_exist(cli: Cli) -> None:
    result = cli("guide", "show", "no-such-article")
    assert result.code == 2
    assert "where-to-get-help" in result.err
