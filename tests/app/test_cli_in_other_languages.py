"""The command line in Russian and Kazakh: what `status` and `report` print, on a real data dir."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from wellbeing_app import i18n

from .conftest import Cli


@pytest.fixture(autouse=True)
def _english_again_afterwards() -> Iterator[None]:
    yield
    i18n.set_language("en")


def _downtime_around_now(cli: Cli) -> str:
    """Downtime from an hour ago to an hour from now, every day; returns when it ends (HH:MM)."""
    now = datetime.now().astimezone()
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    assert cli("config", "set", "downtime", f"mon-sun {start:%H:%M}-{end:%H:%M}").code == 0
    return f"{end:%H:%M}"


def test_status_in_kazakh_says_until_when_without_a_second_pair_of_brackets(cli: Cli) -> None:
    ends = _downtime_around_now(cli)
    assert cli("config", "set", "language", "kk").code == 0
    status = cli("status").out
    line = next(line for line in status.splitlines() if "бұғатталған" in line)
    assert line == f"Есептелетін қолданбалар: бұғатталған сағат {ends} болғанша (тыныштық уақыты)"


def test_status_in_russian_says_until_when(cli: Cli) -> None:
    ends = _downtime_around_now(cli)
    assert cli("config", "set", "language", "ru").code == 0
    line = next(line for line in cli("status").out.splitlines() if "заблокированы" in line)
    assert line == f"Засчитываемые приложения: заблокированы до {ends} (время отдыха от экрана)"


@pytest.mark.parametrize(
    ("language", "days", "expected"),
    [
        ("ru", "1", "За последний 1 день использование не записано."),
        ("ru", "2", "За последние 2 дня использование не записано."),
        ("ru", "5", "За последние 5 дней использование не записано."),
        ("ru", "21", "За последний 21 день использование не записано."),
        ("kk", "21", "Соңғы 21 күнде пайдалану жазылмаған."),
        ("en", "1", "No usage recorded in the last 1 day."),
        ("en", "21", "No usage recorded in the last 21 days."),
    ],
)
def test_an_empty_report_counts_its_days_in_the_language(
    cli: Cli, language: str, days: str, expected: str
) -> None:
    assert cli("config", "set", "language", language).code == 0
    assert cli("report", "--days", days).out == expected + "\n"
