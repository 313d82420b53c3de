"""`sudo wellbeing-app service install`: writes the guard's hardened systemd unit and starts it,
but only when every file the guard would run as root can be changed by root alone.

A guard run from a checkout in the child's home, or from a virtual environment a user can write,
would run as root whatever that user puts there: the install refuses, naming each path and who
could change it. What is checked, from `/` down: the interpreter (the path given and the file it
links to), the virtual environment it belongs to (every file, .pth files included), the standard
library, and every folder on its import path with everything in it (the package, its
dependencies, the resources). A path counts as changeable by others when it is owned by an
account other than root, writable by a group other than root's (or by root's group while it has
members), writable by everyone, or given write access in a POSIX ACL. A sticky folder such as
/tmp is fine on the way to a path (others cannot move root's entries in it), never as a folder
the code is read from (others could add files to it).
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from wellbeing_app.core.record import record

UNIT_NAME = "wellbeing-app-guard.service"
DEFAULT_UNIT_DIR = Path("/etc/systemd/system")
#: Where every account's desktop session looks for programs to start at login (XDG autostart).
DEFAULT_AUTOSTART_DIR = Path("/etc/xdg/autostart")
#: The agent's entry there: the tray app, started in every graphical login, staying only in
#: protected accounts (`run --if-protected` ends at once elsewhere).
AGENT_ENTRY = "wellbeing-app-agent.desktop"
#: The unit as shipped, with @PYTHON@ for the interpreter.
UNIT_TEMPLATE = "systemd/wellbeing-app-guard.service"
#: How many paths a refusal lists (the rest are counted).
SHOWN = 12

_ACL_XATTR = "system.posix_acl_access"
_ACL_USER, _ACL_GROUP, _ACL_WRITE = 0x02, 0x08, 0x02
_CODE_SEARCH_FOLDERS = ("site-packages", "dist-packages")


class InstallError(Exception):
    """The unit was not installed; the message says why and what to do."""


@record
class Changeable:
    """A path that an account other than root could change, and who."""

    path: Path
    who: str

    def __str__(self) -> str:
        return f"{self.path}: {self.who}"


def who_else_can_change(path: Path, *, passing_through: bool = False) -> str | None:
    """Who other than root can change `path` (in words), or None when only root can.

    `passing_through`: the path is a folder only walked through on the way to another path; a
    sticky folder (/tmp) is then fine, as others cannot rename or remove root's entries in it.
    A path that cannot be read at all counts as changeable: nothing can be said of it.
    """
    try:
        info = path.lstat()
    except OSError as exc:
        return f"it cannot be checked ({exc.strerror or exc})"
    if info.st_uid != 0:
        return f"its owner, the account {_user(info.st_uid)}"
    if stat.S_ISLNK(info.st_mode):
        return None  # a link's own mode means nothing; where it leads is checked by the caller
    sticky_passage = passing_through and stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX
    if info.st_mode & stat.S_IWOTH and not sticky_passage:
        return f"every account (mode {stat.S_IMODE(info.st_mode):04o})"
    if info.st_mode & stat.S_IWGRP and not sticky_passage:
        if info.st_gid != 0:
            return f"the group {_group(info.st_gid)} (mode {stat.S_IMODE(info.st_mode):04o})"
        members = _root_group_members()
        if members:
            return f"the group root, whose members are {', '.join(members)} (mode {stat.S_IMODE(info.st_mode):04o})"
    return _acl_writers(path)


class Inspection:
    """Collects every changeable path found while walking; each path is looked at once."""

    def __init__(self) -> None:
        self.found: list[Changeable] = []
        self._seen: set[tuple[Path, bool]] = set()
        self._walked: list[Path] = []

    def check(self, path: Path, *, passing_through: bool = False) -> None:
        key = (path, passing_through)
        if key in self._seen:
            return
        self._seen.add(key)
        who = who_else_can_change(path, passing_through=passing_through)
        if who is not None:
            self.found.append(Changeable(path, who))

    def check_chain(self, path: Path) -> None:
        """`path`, every folder above it, and the same for where its links lead."""
        path = Path(os.path.abspath(path))
        for folder in reversed(path.parents):
            self.check(folder, passing_through=True)
        self.check(path)
        real = Path(os.path.realpath(path))
        if real != path:
            self.check_chain(real)

    def walk(self, root: Path, *, skip: Callable[[Path], bool] = lambda _: False) -> None:
        """`root`'s chain, then everything below it (links: where they lead, too)."""
        root = Path(os.path.abspath(root))
        if any(root == done or done in root.parents for done in self._walked):
            return
        self._walked.append(root)
        self.check_chain(root)
        if not root.is_dir() or root.is_symlink():
            return
        for folder, dirs, files in os.walk(root, onerror=lambda exc: self._unreadable(exc)):
            here = Path(folder)
            dirs[:] = [name for name in dirs if not skip(here / name)]
            for name in [*dirs, *files]:
                path = here / name
                self.check(path)
                if path.is_symlink():
                    real = Path(os.path.realpath(path))
                    if real.is_dir():
                        self.walk(real, skip=skip)  # Python imports from where the link leads
                    else:
                        self.check_chain(real)

    def sorted(self) -> list[Changeable]:
        """Shallowest first: the folder that lets a user in comes before what is inside it."""
        return sorted(self.found, key=lambda item: (len(item.path.parts), str(item.path)))

    def _unreadable(self, error: OSError) -> None:
        path = Path(error.filename) if error.filename else Path("?")
        self.found.append(Changeable(path, f"it cannot be read ({error.strerror or error})"))


# -- the interpreter and what it would import ------------------------------------------------


@record
class Installation:
    """What `python -I -m wellbeing_app` would run: checked, then written into the unit."""

    python: Path
    import_path: tuple[Path, ...]
    package: Path


def check_installation(python: Path) -> tuple[Installation | None, list[Changeable]]:
    """Look at everything the guard would run with `python`; returns the installation (None when
    it was not asked, because the interpreter itself is not root's) and what others can change.

    The interpreter is run (as root) only after it, its virtual environment and its standard
    library were found to be root's alone: a .pth file runs code when it starts.
    """
    python = Path(os.path.abspath(python))
    if not python.is_file() or not os.access(python, os.X_OK):
        raise InstallError(f"{python} is not a program that can be run: give the Python of the installation")
    inspection = Inspection()
    inspection.check_chain(python)
    venv = _venv_of(python)
    if venv is not None:
        inspection.walk(venv)
    real_prefix = Path(os.path.realpath(python)).parent.parent
    for stdlib in sorted((real_prefix / "lib").glob("python3*")):
        inspection.walk(stdlib, skip=_is_site_folder)
    if inspection.found:
        return None, inspection.sorted()

    bare = _ask(python, "-S", _BARE_PROBE)  # no site: only the standard library runs
    for entry in bare["path"]:
        inspection.walk(Path(entry), skip=_is_site_folder)
    if venv is None or _includes_system_site(venv):
        for entry in bare["site"]:
            inspection.walk(Path(entry))
    if inspection.found:
        return None, inspection.sorted()

    full = _ask(python, None, _FULL_PROBE)
    if not full["package"]:
        raise InstallError(
            f"{python} cannot import wellbeing_app: install Wellbeing into it first "
            f"(it looks in: {', '.join(full['path'])})"
        )
    package = Path(full["package"]).parent
    import_path = tuple(Path(entry) for entry in full["path"])
    for entry in import_path:
        inspection.walk(entry)
    inspection.walk(package)
    for resources in (package / "resources", package.parent / "resources"):
        if resources.is_dir():
            inspection.walk(resources)
    return Installation(python, import_path, package), inspection.sorted()


_BARE_PROBE = "import json, site, sys; print(json.dumps({'path': sys.path, 'site': site.getsitepackages()}))"
_FULL_PROBE = (
    "import importlib.util, json, sys; spec = importlib.util.find_spec('wellbeing_app'); "
    "print(json.dumps({'path': sys.path, 'package': spec.origin if spec else None}))"
)


def _ask(python: Path, flag: str | None, probe: str) -> dict[str, Any]:
    argv = [str(python), "-I", *([flag] if flag else []), "-c", probe]
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=30,
            cwd="/",
            env={"PATH": "/usr/bin:/bin"},
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"could not run {python}: {exc}") from exc
    if done.returncode != 0:
        raise InstallError(f"{python} failed when asked where it imports from: {done.stderr.strip()[-500:]}")
    answer: dict[str, Any] = json.loads(done.stdout)
    answer["path"] = [entry for entry in answer["path"] if entry and Path(entry).exists()]
    return answer


def _venv_of(python: Path) -> Path | None:
    for folder in (python.parent, python.parent.parent):
        if (folder / "pyvenv.cfg").is_file():
            return folder
    return None


def _includes_system_site(venv: Path) -> bool:
    for line in (venv / "pyvenv.cfg").read_text(errors="replace").splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "include-system-site-packages":
            return value.strip().lower() == "true"
    return False


def _is_site_folder(path: Path) -> bool:
    """Installed packages beside the standard library: checked only when on the import path."""
    return path.name in _CODE_SEARCH_FOLDERS


# -- the unit --------------------------------------------------------------------------------


def unit_template() -> str:
    from wellbeing_app.i18n import resources_dir

    return (resources_dir() / UNIT_TEMPLATE).read_text(encoding="utf-8")


def unit_text(python: Path, template: str | None = None) -> str:
    """The unit with the interpreter put in; a path systemd would split or expand is refused."""
    text = unit_template() if template is None else template
    shown = str(python)
    if any(char.isspace() or char in "\"'\\%$;" for char in shown):
        raise InstallError(
            f"{shown!r} has a space or one of \" ' \\ % $ ; in it, which the unit's command line "
            "cannot hold as it is: install Wellbeing under a plain path such as /opt/wellbeing-app"
        )
    return text.replace("@PYTHON@", shown)


def refusal(python: Path, changeable: Sequence[Changeable]) -> str:
    lines = [
        f"refused: the guard would run as root code that other accounts can change ({len(changeable)} "
        f"{'path' if len(changeable) == 1 else 'paths'} for {python}):"
    ]
    lines += [f"  {item}" for item in changeable[:SHOWN]]
    if len(changeable) > SHOWN:
        lines.append(f"  … and {len(changeable) - SHOWN} more")
    lines += [
        "Install Wellbeing where only root can write, then install the guard from there, e.g.:",
        "  sudo python3 -m venv /opt/wellbeing-app",
        "  sudo /opt/wellbeing-app/bin/pip install wellbeing-app",
        "  sudo /opt/wellbeing-app/bin/wellbeing-app service install",
    ]
    return "\n".join(lines)


Runner = Callable[[Sequence[str]], int]


def _run(argv: Sequence[str]) -> int:
    return subprocess.run(list(argv), check=False).returncode


def install(
    *,
    python: Path,
    unit_dir: Path = DEFAULT_UNIT_DIR,
    enable: bool = True,
    out: TextIO,
    run: Runner = _run,
    euid: int | None = None,
    autostart_dir: Path | None = None,
) -> Path:
    """Check the installation, write the unit into `unit_dir`, and (with `enable`) have systemd
    load, enable and start it; with `autostart_dir`, also the agent's autostart entry there.
    Returns the unit's path; raises InstallError saying why not."""
    if (os.geteuid() if euid is None else euid) != 0:
        raise InstallError(
            "`service install` writes a system service that runs as root: run it as root (sudo)"
        )
    unit_dir = Path(os.path.abspath(unit_dir))
    if not unit_dir.is_dir():
        raise InstallError(f"{unit_dir} is not a folder: give --unit-dir a folder systemd reads units from")
    inspection = Inspection()
    inspection.check_chain(unit_dir)
    if inspection.found:
        shown = "; ".join(str(item) for item in inspection.sorted()[:SHOWN])
        raise InstallError(f"refused: others could change the unit in {unit_dir} ({shown})")

    installation, changeable = check_installation(python)
    if changeable or installation is None:
        raise InstallError(refusal(python, changeable))
    unit = unit_dir / UNIT_NAME
    _write(unit, unit_text(installation.python))
    out.write(f"Wrote {unit} (the guard runs {installation.python} -I -m wellbeing_app service run)\n")
    if autostart_dir is not None:
        entry = Path(os.path.abspath(autostart_dir)) / AGENT_ENTRY
        if not entry.parent.is_dir():
            raise InstallError(
                f"{entry.parent} is not a folder: give --autostart-dir the XDG autostart folder"
            )
        _write(entry, agent_entry_text(installation.python))
        out.write(f"Wrote {entry} (the tray app starts at every login and stays in protected accounts)\n")
    if not enable:
        out.write(f"Not enabled: run `systemctl daemon-reload` and `systemctl enable --now {UNIT_NAME}`\n")
        return unit
    for argv in (["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", UNIT_NAME]):
        code = run(argv)
        if code != 0:
            raise InstallError(f"`{' '.join(argv)}` failed (exit status {code}); the unit is at {unit}")
    out.write(f"Enabled and started {UNIT_NAME}\n")
    return unit


def agent_entry_text(python: Path) -> str:
    """The XDG autostart entry of the agent, run by the same root-owned interpreter as the guard."""
    unit_text(python)  # the same refusal of a path a command line cannot hold
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Wellbeing\n"
        "Comment=Screen-time limits a parent set (starts only in protected accounts)\n"
        f"Exec={python} -I -m wellbeing_app run --if-protected\n"
        "Icon=wellbeing-app\n"
        "Terminal=false\n"
        "NoDisplay=true\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def _write(path: Path, text: str) -> None:
    """Root's file, mode 0644, put in place whole (a half-written unit is never read)."""
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


# -- the command line ------------------------------------------------------------------------


def add_install_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`service install` under the `service` command's actions."""
    parser = actions.add_parser(
        "install", help="install and start the guard's system service (refuses code others can change)"
    )
    add_install_arguments(parser)


def add_install_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--unit-dir",
        metavar="DIR",
        type=Path,
        default=DEFAULT_UNIT_DIR,
        help=f"where the unit is written (default {DEFAULT_UNIT_DIR})",
    )
    parser.add_argument(
        "--no-enable",
        dest="enable",
        action="store_false",
        help="only write the unit: no systemctl daemon-reload, enable or start",
    )
    parser.add_argument(
        "--python",
        metavar="PATH",
        type=Path,
        default=Path(sys.executable),
        help="the interpreter the guard runs with (default: this one)",
    )
    parser.add_argument(
        "--autostart-dir",
        metavar="DIR",
        type=Path,
        default=DEFAULT_AUTOSTART_DIR,
        help=f"where the agent's login entry is written (default {DEFAULT_AUTOSTART_DIR})",
    )


def cmd_install(args: argparse.Namespace, out: TextIO) -> int:
    try:
        install(
            python=args.python,
            unit_dir=args.unit_dir,
            enable=args.enable,
            out=out,
            autostart_dir=args.autostart_dir,
        )
    except InstallError as error:
        sys.stderr.write(f"wellbeing-app: {error}\n")
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m wellbeing_app.guard.install`: the same as `service install`."""
    parser = argparse.ArgumentParser(prog="wellbeing-app service install")
    add_install_arguments(parser)
    return cmd_install(parser.parse_args(argv), sys.stdout)


# -- who is who --------------------------------------------------------------------------------


def _user(uid: int) -> str:
    import pwd  # Unix only: imported here so that `--help` works everywhere

    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"with uid {uid}"


def _group(gid: int) -> str:
    import grp

    try:
        return f"{grp.getgrgid(gid).gr_name} (gid {gid})"
    except KeyError:
        return f"with gid {gid}"


def _root_group_members() -> list[str]:
    import grp

    try:
        return [name for name in grp.getgrgid(0).gr_mem if name != "root"]
    except KeyError:
        return []


def _acl_writers(path: Path) -> str | None:
    """Accounts and groups given write access by a POSIX ACL (system.posix_acl_access)."""
    try:
        raw = os.getxattr(path, _ACL_XATTR, follow_symlinks=False)
    except OSError:
        return None  # no ACL, or a file system without them
    writers = []
    for tag, permissions, ident in _acl_entries(raw):
        if permissions & _ACL_WRITE and ident != 0:
            if tag == _ACL_USER:
                writers.append(f"the account {_user(ident)}")
            elif tag == _ACL_GROUP:
                writers.append(f"the group {_group(ident)}")
    if not writers:
        return None
    return f"{', '.join(writers)}, through an access list (see getfacl {path})"


def _acl_entries(raw: bytes) -> Iterator[tuple[int, int, int]]:
    """(tag, permissions, id) of each entry of the kernel's ACL xattr (version 2, 8 bytes each)."""
    for offset in range(4, len(raw) - 7, 8):
        tag = int.from_bytes(raw[offset : offset + 2], "little")
        permissions = int.from_bytes(raw[offset + 2 : offset + 4], "little")
        ident = int.from_bytes(raw[offset + 4 : offset + 8], "little")
        yield tag, permissions, ident


if __name__ == "__main__":
    sys.exit(main())
