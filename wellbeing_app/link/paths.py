"""Where the sockets are, and which accounts are protected."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

GUARD_SOCKET_ENV = "WELLBEING_GUARD_SOCKET"
GUARD_SOCKET = Path("/run/wellbeing-app/socket")
PROTECTED_LIST_ENV = "WELLBEING_PROTECTED_LIST"
PROTECTED_LIST = Path("/etc/wellbeing-app/protected")


def guard_socket() -> Path:
    """The guard's socket: $WELLBEING_GUARD_SOCKET, else /run/wellbeing-app/socket."""
    return Path(os.environ.get(GUARD_SOCKET_ENV) or GUARD_SOCKET)


def protected_list() -> Path:
    """The list of protected accounts: $WELLBEING_PROTECTED_LIST, else /etc/wellbeing-app/protected."""
    return Path(os.environ.get(PROTECTED_LIST_ENV) or PROTECTED_LIST)


def protected_accounts(path: Path | None = None) -> set[str]:
    """The accounts on the list; an empty set when there is none, or when it is not root's
    (only root may say who is protected) or others can write it."""
    path = path or protected_list()
    try:
        with open(path, encoding="utf-8") as file:
            info = os.fstat(file.fileno())
            if info.st_uid != 0 or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                log.warning("ignored %s: only a list that root owns and alone can write counts", path)
                return set()
            text = file.read()
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError) as error:
        log.warning("could not read %s: %s", path, error)
        return set()
    return {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}


def is_protected(user: str | None = None) -> bool:
    """Whether this account (or `user`) is under the guard's protection."""
    import getpass

    return (user or getpass.getuser()) in protected_accounts()


def personal_socket(data_dir: Path) -> Path:
    """The tray app's socket for a data dir, in a folder only this user can enter."""
    import zlib  # not hashlib, whose OpenSSL takes 3 ms to load: `status` comes here at every start

    where = str(Path(data_dir).resolve()).encode("utf-8")
    digest = f"{zlib.crc32(where):08x}{zlib.adler32(where):08x}"
    return private_runtime_dir() / f"{digest}.sock"


def private_runtime_dir() -> Path:
    """$XDG_RUNTIME_DIR/wellbeing-app, else $TMPDIR (or /tmp)/wellbeing-app-UID; made 0700, and refused
    (OSError) when someone else owns it or others may enter it."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) / "wellbeing-app" if runtime and Path(runtime).is_dir() else None
    if base is None:
        base = Path(os.environ.get("TMPDIR") or "/tmp") / f"wellbeing-app-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        base.mkdir(mode=0o700)
    info = os.lstat(base)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise OSError(f"{base} is not a folder of this user's alone; the app's socket cannot go there")
    return base
