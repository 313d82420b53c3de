"""Programs where the person can write are known by their path, and never pass for an allowed app
or the desktop, whatever they are called."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.childuser import CHILD, as_child
from tests.tracker.linux_desktop import private_xvfb, require, start_openbox, stop, wait_until, xdotool
from wellbeing_app.core.model import SELF_APP, AppRef
from wellbeing_app.core.policy import is_exempt
from wellbeing_app.tracker.common import executable_key, process_name, user_can_change, window_foreground
from wellbeing_app.tracker.x11 import DesktopIndex, X11Foreground

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX owners and modes")

CHILD_UID = 4321


def test_a_program_of_the_system_is_known_by_its_file_name() -> None:
    sleep = os.path.realpath(shutil.which("sleep") or "/bin/sleep")
    assert not user_can_change(sleep, uid=CHILD_UID, groups=frozenset({CHILD_UID}))
    assert executable_key(sleep) == os.path.basename(sleep)


def test_a_folder_of_the_person_makes_every_program_under_it_theirs(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a folder to another user needs root")
    home = tmp_path / "home"
    (home / "games").mkdir(parents=True)
    program = home / "games" / "libreoffice"
    program.write_bytes(b"")
    os.chown(home, CHILD_UID, CHILD_UID)
    # The file and the folder right above it are root's, but the folder above that is the child's.
    assert user_can_change(str(program), uid=CHILD_UID, groups=frozenset({CHILD_UID}))


def test_a_folder_everyone_can_write_counts_as_the_persons_own(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    program = shared / "trayer"
    program.write_bytes(b"")
    assert user_can_change(str(program), uid=0, groups=frozenset({0}))
    assert executable_key(str(program)) == str(program)


@pytest.fixture
def copy_running_in_a_writable_folder(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """`sleep` copied to a folder anyone can write, under the name of an always-allowed app."""
    folder = tmp_path / "bin"
    folder.mkdir()
    folder.chmod(0o777)
    program = folder / "libreoffice"
    shutil.copy(shutil.which("sleep") or "/bin/sleep", program)
    process = subprocess.Popen([str(program), "60"])
    try:
        yield program, process.pid
    finally:
        process.kill()
        process.wait(timeout=5)


def test_a_running_copy_is_known_by_its_path_and_shown_with_it(
    copy_running_in_a_writable_folder: tuple[Path, int],
) -> None:
    program, pid = copy_running_in_a_writable_folder
    assert process_name(pid) == str(program)
    found = window_foreground(pid, "libreoffice", None, with_title=False, own_pid=os.getpid())
    assert found.app == AppRef(str(program), f"libreoffice ({program})")
    assert not is_exempt(found.app, ["libreoffice"])


@pytest.mark.parametrize("name", ["libreoffice", "trayer", "gnome-shell", "explorer.exe", "wellbeing-app"])
def test_a_program_known_by_path_is_never_allowed_or_the_desktop(name: str) -> None:
    copied = AppRef(f"/home/child/{name}", name)
    assert not is_exempt(copied, [name])
    assert not copied.is_self
    # The real one, known by its file name, is; a name alone never makes an app this one.
    assert is_exempt(AppRef(name, name), ["libreoffice"]) is (name != "wellbeing-app")


def test_only_a_probe_that_checked_the_process_id_reports_this_app() -> None:
    assert (
        window_foreground(os.getpid(), "python3", None, with_title=False, own_pid=os.getpid()).app == SELF_APP
    )
    other = window_foreground(1, "wellbeing-app", None, with_title=False, own_pid=os.getpid()).app
    assert other is not None
    assert not other.is_self
    assert not AppRef("wellbeing-app", "Wellbeing").is_self


# --- a real second Unix user on a real X server ---------------------------------------------

#: Run by the child: what the X11 probe, running as the child, makes of the window in front.
CHILD_PROBE = """
import json, select, sys, time
from wellbeing_app.core.policy import is_exempt
from wellbeing_app.tracker.x11 import DesktopIndex, X11Foreground
probe = X11Foreground(sys.argv[1], desktop_index=DesktopIndex([], languages=[]))
deadline = time.monotonic() + 10
app = probe.foreground(with_title=False).app
while (app is None or not app.executable.endswith(sys.argv[2])) and time.monotonic() < deadline:
    select.select([probe.change_fd()], [], [], 0.5)  # woken when the active window changes
    probe.drain_changes()
    app = probe.foreground(with_title=False).app
print(json.dumps({"executable": app.executable, "name": app.name,
                  "exempt": is_exempt(app, ["libreoffice"])}))
"""


@pytest.mark.x11
@pytest.mark.parametrize("borrowed", ["libreoffice", "trayer"])
def test_a_copy_in_the_childs_home_is_known_by_its_path_to_the_app_running_as_the_child(
    child: Path, child_packages: Path, borrowed: str
) -> None:
    if not Path("/usr/bin/python3").exists() or sys.version_info[:2] != (3, 11):
        pytest.skip("the child runs the probe on the system Python 3.11 with this checkout's packages")
    program = child / borrowed
    shutil.copy(require("xterm"), program)
    shutil.chown(program, CHILD, CHILD)
    with private_xvfb("-ac") as (display, _xvfb):
        openbox = start_openbox(display)
        game = as_child(child, display, str(program), "-e", "cat", stdin=subprocess.DEVNULL)
        try:
            window = xdotool(display, "search", "--sync", "--onlyvisible", "--pid", str(game.pid)).split()[-1]
            xdotool(display, "windowactivate", "--sync", window)
            probe = as_child(
                child, display, "/usr/bin/python3", "-c", CHILD_PROBE, display, borrowed,
                packages=child_packages, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            out, err = probe.communicate(timeout=30)
            assert probe.returncode == 0, err.decode()
        finally:
            stop(game)
            stop(openbox)
    seen = json.loads(out)
    assert seen == {"executable": str(program), "name": f"XTerm ({program})", "exempt": False}


@pytest.mark.x11
def test_a_system_program_calling_its_window_libreoffice_is_still_itself() -> None:
    """`xterm -class libreoffice`: the window says "libreoffice", the program is xterm."""
    with private_xvfb() as (display, _xvfb):
        openbox = start_openbox(display)
        xterm = subprocess.Popen(
            [require("xterm"), "-class", "libreoffice", "-name", "libreoffice", "-e", "cat"],
            env={**os.environ, "DISPLAY": display},
            stdin=subprocess.DEVNULL,
        )
        probe = X11Foreground(display, desktop_index=DesktopIndex([], languages=[]))
        try:
            window = xdotool(display, "search", "--sync", "--onlyvisible", "--pid", str(xterm.pid)).split()[
                -1
            ]
            xdotool(display, "windowactivate", "--sync", window)
            app = wait_until(lambda: probe.foreground(with_title=False).app, what="the window in front")
        finally:
            probe.close()
            stop(xterm)
            stop(openbox)
    assert app.name == "libreoffice"  # what the window says, shown as it is
    assert app.executable == os.path.basename(os.path.realpath(require("xterm")))
    assert not is_exempt(app, ["libreoffice"])
