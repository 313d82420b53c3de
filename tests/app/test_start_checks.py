"""How the app is started (the autostart entry, Python's isolated mode, the environment) and the
other display servers of the account: what is put right, and what is recorded."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tracker.linux_desktop import private_xvfb
from wellbeing_app import autostart, surroundings

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG autostart, X11 sockets")


@linux_only
@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda text: text.replace("Type=Application\n", "Type=Application\nHidden=true\n"), "Hidden=true"),
        (lambda text: text.replace("Exec=", "Exec=faketime -f +1d "), "Exec=faketime -f +1d"),
        (lambda text: text.replace("Exec=", "Exec=env LD_PRELOAD=/home/kid/hook.so "), "LD_PRELOAD"),
        (lambda text: text.replace("Exec=", "Exec=env PYTHONPATH=/home/kid/site "), "PYTHONPATH"),
    ],
)
def test_a_changed_entry_is_put_right_and_says_what_was_changed(
    tmp_path: Path, edit: object, named: str
) -> None:
    entry = tmp_path / "autostart" / "wellbeing-app.desktop"
    command = autostart.current_command(tmp_path / "data")
    autostart.set_enabled(True, command, path=entry)
    assert autostart.put_right(command, path=entry) is None  # as written: nothing to say
    entry.write_text(edit(entry.read_text()), encoding="utf-8")  # type: ignore[operator]

    wrong = autostart.put_right(command, path=entry)

    assert wrong is not None
    assert named in wrong
    assert entry.read_text() == autostart.desktop_entry(command)


@linux_only
def test_the_entry_follows_the_data_dir_of_the_latest_start(tmp_path: Path) -> None:
    entry = tmp_path / "autostart" / "wellbeing-app.desktop"
    first = autostart.current_command(tmp_path / "first")
    autostart.set_enabled(True, first, path=entry)
    later = autostart.current_command(tmp_path / "later")
    wrong = autostart.put_right(later, path=entry)
    assert wrong is not None
    assert str(tmp_path / "first") in wrong
    assert autostart.command_of_entry(entry.read_text()) == later


@pytest.fixture
def planted_sitecustomize(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A folder with a sitecustomize.py that leaves a mark, and an environment that puts it first."""
    folder = tmp_path / "site"
    folder.mkdir()
    mark = tmp_path / "it-ran"
    (folder / "sitecustomize.py").write_text(f"open({str(mark)!r}, 'w').close()\n", encoding="utf-8")
    return {**os.environ, "PYTHONPATH": str(folder)}, mark


def test_the_entry_starts_python_isolated_so_a_planted_sitecustomize_never_runs(
    tmp_path: Path, planted_sitecustomize: tuple[dict[str, str], Path]
) -> None:
    env, mark = planted_sitecustomize
    command = autostart.current_command(tmp_path / "data")
    assert command[1] == "-I"
    started = subprocess.run(
        [*command[:-1], "--version"], env=env, capture_output=True, text=True, check=True
    )
    assert started.stdout.strip()
    assert not mark.exists()
    # The same start without -I runs it: the flag is what keeps it out.
    subprocess.run([command[0], *command[2:-1], "--version"], env=env, capture_output=True, check=True)
    assert mark.exists()


FOREIGN_START = (
    "import sys, os\n"
    "from wellbeing_app import surroundings\n"
    "print('\\n'.join(surroundings.foreign_start(os.environ, sys.modules, surroundings.install_roots())))\n"
)


def test_a_start_with_ld_preload_faketime_or_a_foreign_sitecustomize_is_named(
    planted_sitecustomize: tuple[dict[str, str], Path],
) -> None:
    env, _mark = planted_sitecustomize
    env = {**env, "FAKETIME": "+1d", "LD_PRELOAD": "libnothing-such.so"}
    found = subprocess.run(
        [sys.executable, "-c", FOREIGN_START], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert found[0] == "LD_PRELOAD=libnothing-such.so"
    assert found[1] == "FAKETIME=+1d"
    assert found[2].startswith("sitecustomize from ")
    assert env["PYTHONPATH"] in found[2]
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FAKETIME", "LD_PRELOAD")}
    quiet = subprocess.run(
        [sys.executable, "-I", "-c", FOREIGN_START], env=clean, capture_output=True, text=True
    )
    assert quiet.stdout.strip() == ""


@linux_only
def test_a_second_x_server_of_the_account_is_noticed() -> None:
    own = os.environ.get("DISPLAY", ":0")
    with private_xvfb() as (second, _process):
        found = surroundings.other_displays(os.getuid(), [own])
        assert second in found
        assert surroundings._x11_name(own) not in found
    assert second not in surroundings.other_displays(os.getuid(), [own])


@linux_only
def test_a_second_wayland_socket_of_the_account_is_noticed(tmp_path: Path) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir()
    listening = []
    for name in ("wayland-0", "wayland-1"):
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(runtime / name))
        listening.append(server)
    (runtime / "wayland-1.lock").write_text("")
    try:
        found = surroundings.other_displays(
            os.getuid(), ["", "wayland-0"], x11_sockets=tmp_path / "none", runtime_dir=runtime
        )
        assert found == ["wayland-1"]
        # Sockets of another user are not this account's displays.
        assert surroundings.other_displays(os.getuid() + 1, ["", "wayland-0"], runtime_dir=runtime) == []
    finally:
        for server in listening:
            server.close()
