"""Start at login: the XDG autostart entry is written, read back and removed."""

from __future__ import annotations

import plistlib
import sys
from pathlib import Path

from wellbeing_app import autostart


def test_the_autostart_entry_starts_this_installation_with_its_data_dir(tmp_path: Path) -> None:
    entry = tmp_path / "autostart" / "wellbeing-app.desktop"
    command = autostart.current_command(Path("/home/kid/My Data"))
    autostart.set_enabled(True, command, path=entry)
    assert autostart.is_enabled(path=entry)
    text = entry.read_text()
    assert "[Desktop Entry]" in text
    assert "Type=Application" in text
    assert autostart.command_of_entry(text) == [
        sys.executable,
        "-I",
        "-m",
        "wellbeing_app",
        "--data-dir",
        "/home/kid/My Data",
        "run",
    ]
    autostart.set_enabled(False, command, path=entry)
    assert not autostart.is_enabled(path=entry)


def test_the_entry_goes_to_the_xdg_config_folder(tmp_path: Path) -> None:
    path = autostart.autostart_path(tmp_path, {"XDG_CONFIG_HOME": str(tmp_path / "cfg")})
    if sys.platform.startswith("linux"):
        assert path == tmp_path / "cfg" / "autostart" / "wellbeing-app.desktop"


def test_macos_and_windows_entries_hold_the_same_command() -> None:
    command = ["/usr/bin/python3", "-m", "wellbeing_app", "run"]
    agent = plistlib.loads(autostart.launch_agent(command))
    assert agent == {"Label": "org.wellbeing.app", "ProgramArguments": command, "RunAtLoad": True}
    assert autostart.windows_command(
        ["C:\\Program Files\\Python\\python.exe", "-m", "wellbeing_app", "run"]
    ) == ('"C:\\Program Files\\Python\\python.exe" -m wellbeing_app run')
