"""Naming applications from their .desktop files, as the X11 probe does."""

from __future__ import annotations

from pathlib import Path

import pytest

from wellbeing_app.tracker.x11 import (
    DesktopEntry,
    DesktopIndex,
    application_dirs,
    exec_program,
    locale_languages,
    parse_desktop_entry,
)


def _write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[Desktop Entry]\nType=Application\n" + text)


@pytest.mark.parametrize(
    ("line", "program"),
    [
        ("firefox %u", "firefox"),
        ("/usr/bin/libreoffice --calc %U", "libreoffice"),
        ("env GDK_BACKEND=x11 /opt/app/bin/tool --flag", "tool"),
        ('"/opt/My App/run" %f', "run"),
        ("%u", None),
        ("", None),
        ('broken "quote', "broken"),
    ],
)
def test_exec_program(line: str, program: str | None) -> None:
    assert exec_program(line) == program


@pytest.mark.parametrize(
    ("env", "languages"),
    [
        ({"LANG": "ru_RU.UTF-8"}, ["ru_RU", "ru"]),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "kk_KZ.UTF-8"}, ["kk_KZ", "kk"]),
        ({"LC_ALL": "sr_RS.UTF-8@latin", "LANG": "ru_RU"}, ["sr_RS@latin", "sr_RS", "sr@latin", "sr"]),
        ({"LANG": "C.UTF-8"}, []),
        ({}, []),
    ],
)
def test_locale_languages(env: dict[str, str], languages: list[str]) -> None:
    assert locale_languages(env) == languages


def test_parse_takes_the_localized_name_and_skips_what_is_no_application() -> None:
    text = "[Desktop Entry]\nType=Application\nName=Files\nName[ru]=Файлы\nExec=nautilus --new-window\n"
    assert parse_desktop_entry(text, "org.gnome.Nautilus", ["ru_RU", "ru"]) == DesktopEntry(
        "org.gnome.Nautilus", "Файлы", "nautilus", None
    )
    assert parse_desktop_entry(text, "x", []) == DesktopEntry("x", "Files", "nautilus", None)
    assert parse_desktop_entry("[Desktop Entry]\nType=Link\nName=Site\nURL=x\n", "x") is None
    assert parse_desktop_entry("[Desktop Entry]\nName=Gone\nHidden=true\n", "x") is None
    assert parse_desktop_entry("no section at all", "x") is None
    assert parse_desktop_entry("[Desktop Entry]\nExec=nameless\n", "x") is None


def test_index_matches_wm_class_then_program_then_file_name(tmp_path: Path) -> None:
    _write(
        tmp_path, "code.desktop", "Name=Visual Studio Code\nExec=/usr/share/code/code\nStartupWMClass=Code\n"
    )
    _write(tmp_path, "vlc.desktop", "Name=VLC media player\nExec=/usr/bin/vlc --started-from-file %U\n")
    _write(tmp_path, "org.gnome.Calculator.desktop", "Name=Calculator\nExec=gnome-calculator\n")
    _write(tmp_path, "kde/okular.desktop", "Name=Okular\nExec=okular %U\n")
    index = DesktopIndex([tmp_path], languages=[])
    assert index.name_for("electron", ("code", "Code")) == "Visual Studio Code"
    assert index.name_for("vlc", ("vlc", "Vlc")) == "VLC media player"
    assert index.name_for("python3", ("calculator", "Calculator")) == "Calculator"  # by the file name
    assert index.name_for("okular", None) == "Okular"
    assert index.name_for("unknown", ("unknown", "Unknown")) is None
    assert {e.desktop_id for e in index.entries()} == {"code", "vlc", "org.gnome.Calculator", "kde-okular"}


def test_an_earlier_data_dir_overrides_a_later_one(tmp_path: Path) -> None:
    home, system = tmp_path / "home", tmp_path / "system"
    _write(home, "vlc.desktop", "Name=My VLC\nExec=vlc\n")
    _write(system, "vlc.desktop", "Name=VLC media player\nExec=vlc\n")
    assert DesktopIndex([home, system], languages=[]).name_for("vlc", None) == "My VLC"


def test_a_shown_entry_wins_over_a_hidden_helper(tmp_path: Path) -> None:
    _write(tmp_path, "a-handler.desktop", "Name=URL handler\nExec=firefox --handle %u\nNoDisplay=true\n")
    _write(tmp_path, "firefox.desktop", "Name=Firefox\nExec=firefox %u\n")
    assert DesktopIndex([tmp_path], languages=[]).name_for("firefox", None) == "Firefox"


def test_application_dirs_follow_xdg() -> None:
    env = {"HOME": "/home/ann", "XDG_DATA_DIRS": "/usr/share:/var/lib/flatpak/exports/share"}
    assert application_dirs(env) == [
        Path("/home/ann/.local/share/applications"),
        Path("/usr/share/applications"),
        Path("/var/lib/flatpak/exports/share/applications"),
    ]
