"""The README's table of settings is the one the settings schema writes, and the script keeps it so."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import settings_table as script  # noqa: E402

from wellbeing_app.core.settings import Settings, ValueType  # noqa: E402
from wellbeing_app.core.settings_table import BEGIN, END, TableError, kind_of, settings_table, with_table  # noqa: E402


def rows() -> dict[str, list[str]]:
    """The table's cells by key."""
    table = {}
    for line in settings_table().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        table[cells[0].strip("`")] = cells[1:]
    return table


def test_the_readme_holds_the_table_the_schema_writes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_table(readme, settings_table()) == readme, "run python scripts/settings_table.py --write"


def test_every_setting_has_a_row_with_what_the_schema_declares() -> None:
    table = rows()
    assert list(table) == list(Settings.specs())
    assert table["daily_cap_minutes"] == [
        "number of minutes",
        "`60`",
        'a whole number of minutes from 40 to 120, or "off"',
        "Screen time allowed each day in counted apps",
        "needed",
    ]
    assert table["day_starts_at"][1:3] == ["`04:00`", "a time of day as HH:MM from 00:00 to 12:00"]
    assert table["language"][-1] == "not needed"  # anyone may change the language


def test_the_script_finds_a_table_out_of_date_and_writes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nSettings:\n\n{BEGIN}\n| key | default |\n| `old` | 1 |\n{END}\n\nMore.\n")

    assert script.main(["--check", "--readme", str(readme)]) == 1
    assert "differs from the schema; run python scripts/settings_table.py --write" in capsys.readouterr().err

    assert script.main(["--write", "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert text == f"# Title\n\nSettings:\n\n{BEGIN}\n{settings_table()}{END}\n\nMore.\n"
    assert script.main(["--check", "--readme", str(readme)]) == 0


def test_a_readme_without_its_marker_lines_is_refused_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n{END}\n")
    assert script.main(["--write", "--readme", str(readme)]) == 2
    assert f"must hold the line {BEGIN!r} once" in capsys.readouterr().err
    assert readme.read_text() == f"# Title\n{END}\n"
    with pytest.raises(TableError, match="comes before"):
        with_table(f"{END}\n{BEGIN}\n", "| table |\n")


def test_a_new_value_type_must_be_named_for_the_table() -> None:
    @dataclass(frozen=True)
    class Colour(ValueType[str]):
        def from_json(self, value: Any) -> str:
            return str(value)

    with pytest.raises(TableError, match="Colour has no name for the settings table; add one to kind_of"):
        kind_of(Colour())
