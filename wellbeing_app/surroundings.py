"""Signs, read at start and while running, that the app was started or is being used around."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType

from wellbeing_app.core.events import OtherDisplayPayload, StartChangedPayload

#: How often other display servers of this account are looked for, in seconds.
DISPLAY_CHECK_SECONDS = 30.0

#: Environment variables that make every program of the process load code or see another time.
#: FAKETIME and its siblings are read by libfaketime; LD_PRELOAD loads any library first.
WATCHED_VARIABLES = ("LD_PRELOAD", "LD_AUDIT", "FAKETIME", "FAKETIME_TIMESTAMP_FILE", "DYLD_INSERT_LIBRARIES")

#: Modules Python runs by itself at start when it finds them on its path.
STARTUP_MODULES = ("sitecustomize", "usercustomize")

X11_SOCKETS = Path("/tmp/.X11-unix")


def install_roots() -> list[Path]:
    """Where this installation's own code lives: the environment and the Python it runs on."""
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    return sorted(roots)


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def foreign_start(
    environ: Mapping[str, str],
    modules: Mapping[str, ModuleType],
    roots: Sequence[Path],
) -> list[str]:
    """What in this process's start can change what it sees or does, in words for the record.

    `LD_PRELOAD=/home/kid/hook.so`, `FAKETIME=+1d`, or a `sitecustomize` run from outside the
    installation (`roots`). Empty when the start was clean.
    """
    found = [f"{name}={environ[name]}" for name in WATCHED_VARIABLES if environ.get(name)]
    for name in STARTUP_MODULES:
        module = modules.get(name)
        where = getattr(module, "__file__", None) if module is not None else None
        if where and not _inside(Path(where).resolve(), roots):
            found.append(f"{name} from {where}")
    return found


def other_displays(
    uid: int,
    own: Sequence[str],
    *,
    x11_sockets: Path = X11_SOCKETS,
    runtime_dir: Path | None = None,
) -> list[str]:
    """The display servers of user `uid` other than the ones in `own` (":0", "wayland-0").

    X servers by their socket in /tmp/.X11-unix (a server makes it as the user it runs as);
    Wayland compositors by their socket in the user's runtime folder. Sorted, e.g. [":1", "wayland-2"].
    """
    mine = {_x11_name(name) for name in own if name} | {name for name in own if name}
    found: list[str] = []
    for path in _sockets(x11_sockets):
        if not path.name.startswith("X") or not path.name[1:].isdigit():
            continue
        display = f":{path.name[1:]}"
        if display not in mine and _owner(path) == uid:
            found.append(display)
    if runtime_dir is not None:
        for path in _sockets(runtime_dir):
            name = path.name
            if (
                name.startswith("wayland-")
                and name not in mine
                and str(path) not in mine
                and _owner(path) == uid
            ):
                found.append(name)
    return sorted(found)


def _x11_name(display: str) -> str:
    """':0.0', 'unix:0' or ':0' → ':0' (other names are kept as they are)."""
    host, _, rest = display.rpartition(":")
    if host in ("", "unix") and rest:
        return ":" + rest.split(".", 1)[0]
    return display


def _sockets(folder: Path) -> list[Path]:
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    sockets = []
    for path in entries:
        try:
            if stat.S_ISSOCK(path.lstat().st_mode):
                sockets.append(path)
        except OSError:
            continue
    return sockets


def _owner(path: Path) -> int | None:
    try:
        return path.lstat().st_uid
    except OSError:
        return None


def own_displays(environ: Mapping[str, str]) -> list[str]:
    """The displays this app runs on: $DISPLAY and $WAYLAND_DISPLAY."""
    return [environ.get("DISPLAY", ""), environ.get("WAYLAND_DISPLAY", "")]


def runtime_dir(environ: Mapping[str, str]) -> Path | None:
    value = environ.get("XDG_RUNTIME_DIR")
    return Path(value) if value else None


def current_uid() -> int:
    return os.getuid() if hasattr(os, "getuid") else -1


class Signs:
    """What is worth a record about how this process was started and what else runs around it:
    each once per run (a display still there a minute later is not news)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self._displays: set[str] = set()

    def of_start(self) -> list[StartChangedPayload]:
        found = foreign_start(self._environ, sys.modules, install_roots())
        if not found:
            return []
        return [StartChangedPayload("environment", "; ".join(found))]

    def new_displays(self) -> list[OtherDisplayPayload]:
        found = other_displays(
            current_uid(), own_displays(self._environ), runtime_dir=runtime_dir(self._environ)
        )
        new = [display for display in found if display not in self._displays]
        self._displays.update(new)
        return [OtherDisplayPayload(display) for display in new]
