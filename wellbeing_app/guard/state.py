"""The guard's state dir: where it is, and the checks that keep it root's alone."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from .errors import GuardError

DEFAULT_STATE_DIR = Path("/var/lib/wellbeing-app")


def check_state_dir(path: Path) -> Path:
    """The state dir, made 0700 when missing; GuardError when another user owns it or others may
    write it (or anything but a folder is there): the guard keeps every account's records in it."""
    path = Path(path)
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700, parents=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise GuardError(f"the state dir {path} is not a folder; give a folder only root can write")
    if info.st_uid != os.geteuid():
        raise GuardError(
            f"the state dir {path} belongs to uid {info.st_uid}; only a folder of the guard's own user (uid {os.geteuid()}) is used"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise GuardError(
            f"others may write the state dir {path} (mode {stat.S_IMODE(info.st_mode):o}); it must be 0700"
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(path, 0o700)
    return path


def account_dir(state_dir: Path, name: str) -> Path:
    """`STATE/accounts/NAME`, made 0700 when missing."""
    folder = state_dir / "accounts" / name
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder
