"""`report` shows a program that lies where the person can write with its path, once."""

from __future__ import annotations

import json
from pathlib import Path

from tests.app.conftest import Cli


def test_report_names_a_copied_program_by_its_path(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "copy.csv"
    source.write_text(
        "start,end,app,name\n"
        "2026-11-25T10:00:00+05:00,2026-11-25T10:20:00+05:00,/home/kid/libreoffice,XTerm (/home/kid/libreoffice)\n"
        "2026-11-25T11:00:00+05:00,2026-11-25T11:10:00+05:00,firefox,Firefox\n"
    )
    assert cli("import", str(source)).code == 0
    lines = [line.strip() for line in cli("report", "--days", "3650").out.splitlines()]
    assert "20.0  XTerm (/home/kid/libreoffice)" in lines
    assert "10.0  Firefox (firefox)" in lines
    rows = json.loads(cli("report", "--days", "3650", "--json").out)
    assert {(r["app"], r["name"]) for r in rows} == {
        ("/home/kid/libreoffice", "XTerm (/home/kid/libreoffice)"),
        ("firefox", "Firefox"),
    }
