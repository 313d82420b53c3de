"""`service install` as root: a copy of the app in a fresh virtual environment, put where only root
can write (installed) or where another account can change something (refused, with the path and
who). The other account is `nobody`; the unit goes into a temporary folder, never to systemd."""

from __future__ import annotations

import io
import os
import shutil
import stat
import struct
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

import wellbeing_app
from wellbeing_app.guard.install import AGENT_ENTRY, UNIT_NAME, InstallError, install, unit_text

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="installs as root, as `sudo` would")

SYSTEM_PYTHON = Path("/usr/bin/python3")
NOBODY = 65534
PACKAGE = Path(wellbeing_app.__file__).parent


@pytest.fixture
def root_folder(tmp_path: Path) -> Path:
    """A folder only root can write, that other accounts can read (like /opt)."""
    folder = tmp_path / "opt"
    folder.mkdir(mode=0o755)
    return folder


def make_installation(folder: Path) -> Path:
    """A virtual environment with a copy of the app in it; returns its python."""
    venv = folder / "wellbeing-app"
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv)], check=True)
    (site,) = venv.glob("lib/python3*/site-packages")
    shutil.copytree(PACKAGE, site / "wellbeing_app", ignore=shutil.ignore_patterns("__pycache__"))
    return venv / "bin" / "python"


def site_packages(python: Path) -> Path:
    (site,) = python.parent.parent.glob("lib/python3*/site-packages")
    return site


@pytest.fixture
def units(tmp_path: Path) -> Path:
    folder = tmp_path / "units"
    folder.mkdir(mode=0o755)
    return folder


def test_a_root_owned_installation_gets_its_unit(root_folder: Path, units: Path) -> None:
    python = make_installation(root_folder)
    out = io.StringIO()

    unit = install(python=python, unit_dir=units, enable=False, out=out)

    assert unit == units / UNIT_NAME
    text = unit.read_text()
    assert f"ExecStart={python} -I -m wellbeing_app service run\n" in text
    for line in ("ProtectSystem=strict", "StateDirectoryMode=0700", "NoNewPrivileges=yes", "Restart=always"):
        assert f"\n{line}\n" in text
    info = unit.stat()
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o644)
    assert f"Wrote {unit}" in out.getvalue()
    assert "Not enabled" in out.getvalue()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_reads_the_unit_without_a_complaint(root_folder: Path, units: Path) -> None:
    unit = install(python=make_installation(root_folder), unit_dir=units, enable=False, out=io.StringIO())
    checked = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False, timeout=60
    )
    assert (checked.returncode, checked.stderr) == (0, "")


def chown_to_nobody(path: Path) -> None:
    os.chown(path, NOBODY, NOBODY, follow_symlinks=False)


def package_of_the_child(site: Path) -> Path:
    chown_to_nobody(site / "wellbeing_app")
    return site / "wellbeing_app"


def module_anyone_can_write(site: Path) -> Path:
    (site / "wellbeing_app/cli.py").chmod(0o666)
    return site / "wellbeing_app/cli.py"


def folder_of_a_group(site: Path) -> Path:
    folder = site / "wellbeing_app/core"
    os.chown(folder, 0, 100)
    folder.chmod(0o775)
    return folder


def file_in_an_access_list(site: Path) -> Path:
    path = site / "wellbeing_app/guard/escalation.py"
    entries = [
        (0x01, 6, 0xFFFFFFFF),
        (0x02, 6, NOBODY),
        (0x04, 4, 0xFFFFFFFF),
        (0x10, 6, 0xFFFFFFFF),
        (0x20, 4, 0xFFFFFFFF),
    ]
    os.setxattr(
        path,
        "system.posix_acl_access",
        struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries),
    )
    return path


def link_to_the_childs_module(site: Path) -> Path:
    home = site.parents[4] / "home-of-nobody"
    home.mkdir()
    (home / "helper.py").write_text("VALUE = 1\n")
    chown_to_nobody(home)
    (site / "helper.py").symlink_to(home / "helper.py")
    return home


#: How each way of letting another account in is made (returning the path that must be named), and who.
BREACHES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "package owned by the child": (package_of_the_child, "its owner, the account nobody (uid 65534)"),
    "a module anyone can write": (module_anyone_can_write, "every account (mode 0666)"),
    "a folder of a group": (folder_of_a_group, "the group users (gid 100) (mode 0775)"),
    "a file in an access list": (
        file_in_an_access_list,
        "the account nobody (uid 65534), through an access list",
    ),
    "a link to the child's files": (link_to_the_childs_module, "its owner, the account nobody (uid 65534)"),
}


@pytest.mark.parametrize("breach", list(BREACHES))
def test_code_another_account_can_change_is_refused_with_the_path_and_who(
    root_folder: Path, units: Path, breach: str
) -> None:
    python = make_installation(root_folder)
    make, who = BREACHES[breach]
    path = make(site_packages(python))

    with pytest.raises(InstallError) as refused:
        install(python=python, unit_dir=units, enable=False, out=io.StringIO())

    words = str(refused.value)
    assert words.startswith("refused: the guard would run as root code that other accounts can change")
    assert f"  {path}: {who}" in words
    assert "sudo python3 -m venv /opt/wellbeing-app" in words
    assert list(units.iterdir()) == []


def test_a_checkout_in_the_childs_home_is_refused_at_its_top(tmp_path: Path, units: Path) -> None:
    home = tmp_path / "home-of-nobody"
    home.mkdir()
    python = make_installation(home)
    subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(home)], check=True)

    with pytest.raises(InstallError) as refused:
        install(python=python, unit_dir=units, enable=False, out=io.StringIO())

    lines = str(refused.value).splitlines()
    assert lines[1] == f"  {home}: its owner, the account nobody (uid 65534)"  # the top first
    assert "… and " in str(refused.value)  # every file is the child's: the rest is counted


def test_the_childs_pth_file_is_refused_before_the_interpreter_ever_runs_it(
    root_folder: Path, units: Path, tmp_path: Path
) -> None:
    python = make_installation(root_folder)
    witness = tmp_path / "ran-as-root"
    pth = site_packages(python) / "zz-child.pth"
    pth.write_text(f"import pathlib; pathlib.Path({str(witness)!r}).write_text('yes')\n")
    chown_to_nobody(pth)

    with pytest.raises(InstallError, match=rf"{pth}: its owner, the account nobody"):
        install(python=python, unit_dir=units, enable=False, out=io.StringIO())
    assert not witness.exists()


def test_an_interpreter_without_the_app_is_refused_in_words(root_folder: Path, units: Path) -> None:
    venv = root_folder / "empty"
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv)], check=True)
    with pytest.raises(InstallError, match=r"cannot import wellbeing_app: install Wellbeing into it first"):
        install(python=venv / "bin" / "python", unit_dir=units, enable=False, out=io.StringIO())


def test_a_unit_folder_others_can_write_is_refused(root_folder: Path, tmp_path: Path) -> None:
    python = make_installation(root_folder)
    open_units = tmp_path / "open-units"
    open_units.mkdir()
    open_units.chmod(0o777)
    with pytest.raises(
        InstallError, match=rf"others could change the unit in {open_units} \({open_units}: every"
    ):
        install(python=python, unit_dir=open_units, enable=False, out=io.StringIO())


def test_only_root_may_install() -> None:
    with pytest.raises(InstallError, match=r"run it as root \(sudo\)"):
        install(
            python=SYSTEM_PYTHON, unit_dir=Path("/nonexistent"), enable=False, out=io.StringIO(), euid=1000
        )


def test_enabling_asks_systemd_to_reload_then_enable_and_start(root_folder: Path, units: Path) -> None:
    asked: list[Sequence[str]] = []

    def systemctl(argv: Sequence[str]) -> int:
        asked.append(list(argv))
        return 0

    out = io.StringIO()
    install(python=make_installation(root_folder), unit_dir=units, out=out, run=systemctl)

    assert asked == [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", UNIT_NAME]]
    assert f"Enabled and started {UNIT_NAME}" in out.getvalue()


def test_a_failed_systemctl_is_reported_with_where_the_unit_is(root_folder: Path, units: Path) -> None:
    with pytest.raises(
        InstallError, match=rf"`systemctl daemon-reload` failed \(exit status 1\); the unit is at {units}"
    ):
        install(python=make_installation(root_folder), unit_dir=units, out=io.StringIO(), run=lambda argv: 1)


def test_a_path_the_unit_cannot_hold_is_refused() -> None:
    with pytest.raises(InstallError, match="has a space or one of"):
        unit_text(
            Path("/opt/my apps/bin/python"), template="ExecStart=@PYTHON@ -I -m wellbeing_app service run\n"
        )


def test_the_agent_starts_at_every_login_from_the_same_installation(root_folder: Path, units: Path) -> None:
    python = make_installation(root_folder)
    autostart = units / "autostart"
    autostart.mkdir(mode=0o755)
    out = io.StringIO()

    install(python=python, unit_dir=units, enable=False, out=out, autostart_dir=autostart)

    entry = autostart / AGENT_ENTRY
    lines = entry.read_text().splitlines()
    assert lines[0] == "[Desktop Entry]"
    assert f"Exec={python} -I -m wellbeing_app run --if-protected" in lines
    info = entry.stat()
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o644)
    assert f"Wrote {entry}" in out.getvalue()


def test_run_if_protected_ends_at_once_in_an_account_that_is_not(tmp_path: Path) -> None:
    listing = tmp_path / "protected"
    listing.write_text("someone-else\n")
    env = {
        **os.environ,
        "WELLBEING_PROTECTED_LIST": str(listing),
        "WELLBEING_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("DISPLAY", None)
    done = subprocess.run(
        [sys.executable, "-m", "wellbeing_app", "run", "--if-protected"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert not (tmp_path / "data").exists()  # no personal app was started: nothing was made


def test_the_command_installs_and_refuses_as_a_program(root_folder: Path, units: Path) -> None:
    python = make_installation(root_folder)
    command = [sys.executable, "-m", "wellbeing_app.guard.install", "--unit-dir", str(units), "--no-enable"]
    command += ["--autostart-dir", str(units)]

    done = subprocess.run([*command, "--python", str(python)], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert (units / UNIT_NAME).is_file()
    assert (units / AGENT_ENTRY).is_file()

    (site_packages(python) / "wellbeing_app" / "cli.py").chmod(0o666)
    refused = subprocess.run([*command, "--python", str(python)], capture_output=True, text=True, check=False)
    assert refused.returncode == 1
    assert refused.stderr.startswith("wellbeing-app: refused: the guard would run as root code")
