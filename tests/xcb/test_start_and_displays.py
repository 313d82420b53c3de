"""The real app started the way a child might change it, and a second display: what the parent reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.tracker.linux_desktop import private_xvfb
from tests.xcb.conftest import Launch
from wellbeing_app import autostart
from wellbeing_app.core.events import OtherDisplayPayload
from wellbeing_app.core.model import EventKind
from wellbeing_app.service import Service
from wellbeing_app.ui.dashboard import describe_event

pytestmark = [pytest.mark.x11]


def test_a_changed_start_is_put_right_and_recorded_in_words(
    desktop: str, tmp_path: Path, qtbot: QtBot
) -> None:
    data = tmp_path / "data"
    config = tmp_path / "config"
    env = {**os.environ, "WELLBEING_DATA_DIR": str(data), "XDG_CONFIG_HOME": str(config)}
    subprocess.run(
        [sys.executable, "-m", "wellbeing_app", "config", "set", "start_at_login", "on"], env=env, check=True
    )
    # The child's version of the entry: hidden, and run under faketime with another data dir.
    entry = config / "autostart" / "wellbeing-app.desktop"
    entry.parent.mkdir(parents=True)
    entry.write_text(
        "[Desktop Entry]\nType=Application\nName=Wellbeing\nHidden=true\n"
        f"Exec=faketime -f +1d {sys.executable} -m wellbeing_app --data-dir {tmp_path / 'fresh'} run\n",
        encoding="utf-8",
    )
    planted = tmp_path / "site"
    planted.mkdir()
    (planted / "sitecustomize.py").write_text("", encoding="utf-8")
    started = {
        **env,
        "DISPLAY": desktop,
        "QT_QPA_PLATFORM": "xcb",
        "FAKETIME": "+1d",
        "PYTHONPATH": str(planted),
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "wellbeing_app", "--data-dir", str(data), "run"],
        env=started,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def recorded() -> list[str]:
        service = Service.open(data)
        try:
            return [describe_event(e) for e in service.events(1, [EventKind.START_CHANGED])]
        finally:
            service.close()

    try:
        journal = data / "live-journal.json"
        qtbot.waitUntil(lambda: journal.exists() and '"clean":false' in journal.read_text(), timeout=20000)
        lines = recorded()
    finally:
        app.terminate()
        app.wait(timeout=20)

    assert autostart.command_of_entry(entry.read_text()) == autostart.current_command(data)
    assert len(lines) == 2
    changed = next(line for line in lines if line.startswith("The entry that starts Wellbeing at login"))
    assert "Hidden=true" in changed
    assert "faketime -f +1d" in changed
    assert changed.endswith("; it was put right")
    environment = next(line for line in lines if line.startswith("Wellbeing was started with"))
    assert "FAKETIME=+1d" in environment
    assert f"sitecustomize from {planted}" in environment


def test_a_second_x_server_is_recorded_once_in_words(launch: Launch, qtbot: QtBot) -> None:
    app = launch(remaining_seconds=20 * 60)
    with private_xvfb() as (second, _process):
        app.check_displays()
        app.check_displays()  # still there: not recorded again
    records = [
        e
        for e in app.service.events(1, [EventKind.OTHER_DISPLAY])
        if isinstance(e.payload, OtherDisplayPayload) and e.payload.display == second
    ]
    assert len(records) == 1
    assert describe_event(records[0]) == (
        f"Another display was started in this account ({second}); Wellbeing does not see what runs on it"
    )
