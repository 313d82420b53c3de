"""`wellbeing-app service run|protect|release`: the guard's commands, as root."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import stat
import sys
from pathlib import Path
from types import FrameType
from typing import TextIO

from .errors import GuardError
from .state import DEFAULT_STATE_DIR

log = logging.getLogger(__name__)


def add_service_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `service` command and its actions, under the command line's other commands."""
    from wellbeing_app.guard import SERVICE_HELP

    service = commands.add_parser("service", help=SERVICE_HELP)
    actions = service.add_subparsers(dest="service_command", metavar="ACTION", required=True)
    from .install import add_install_parser

    add_install_parser(actions)
    run = actions.add_parser("run", help="run the guard (what the system service starts)")
    run.add_argument(
        "--state-dir",
        metavar="DIR",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help=f"where every protected account's records are kept (default {DEFAULT_STATE_DIR})",
    )
    run.add_argument(
        "--socket",
        metavar="PATH",
        type=Path,
        help="the socket agents and parents use (default $WELLBEING_GUARD_SOCKET or /run/wellbeing-app/socket)",
    )
    for name, words in (
        ("protect", "put an account under the guard's protection"),
        ("release", "take an account out of protection"),
    ):
        action = actions.add_parser(name, help=words)
        action.add_argument("name", metavar="NAME", help="the account's login name")
        action.add_argument("--state-dir", metavar="DIR", type=Path, default=DEFAULT_STATE_DIR)
        action.add_argument(
            "--from" if name == "protect" else "--to",
            dest="personal_dir",
            metavar="DIR",
            type=Path,
            help="the account's personal data dir (default: found under its home)",
        )


def require_root(what: str) -> None:
    if os.geteuid() != 0:
        raise GuardError(f"`{what}` changes what the guard keeps for every account: run it as root (sudo)")


def check_socket_dir(folder: Path) -> None:
    """The socket's folder, made 0755 when missing; GuardError unless root owns it and alone may
    write it (whoever can write there could put a socket of their own in the guard's place)."""
    folder.mkdir(mode=0o755, parents=True, exist_ok=True)
    info = os.lstat(folder)
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != os.geteuid()
        or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    ):
        raise GuardError(
            f"the socket's folder {folder} must be a folder that root owns and alone may write "
            f"(found uid {info.st_uid}, mode {stat.S_IMODE(info.st_mode):o})"
        )


def run_guard(state_dir: Path, socket_path: Path, *, out: TextIO = sys.stderr) -> int:
    """Run the guard until SIGTERM or SIGINT; every account stopped cleanly then. logind on the
    system bus ($DBUS_SYSTEM_BUS_ADDRESS honoured) gives the sessions and locks or ends them."""
    from .enforcer import Enforcer
    from .logind import Logind, system_bus_address
    from .logind_sessions import LogindSessions
    from .loop import Guard

    check_socket_dir(socket_path.parent)
    logind = Logind(None, system_bus_address())  # connects at its first call, and again after a loss
    guard = Guard(state_dir, socket_path, LogindSessions(logind), enforcer=Enforcer(logind))

    def stop(signum: int, frame: FrameType | None) -> None:
        guard.stop()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        guard.start()
        names = sorted(g.account.name for g in guard.accounts.values())
        out.write(f"wellbeing-app: guard running for {', '.join(names) or 'no account'} on {socket_path}\n")
        out.flush()
        guard.run()
    finally:
        guard.close()
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0


def main(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """Run `service ACTION` from parsed arguments; GuardError for what a person must be told."""
    from wellbeing_app.link import paths

    command = args.service_command
    if command == "install":
        from .install import cmd_install

        return cmd_install(args, out)
    require_root(f"service {command}")
    if command == "run":
        socket_path = args.socket or paths.guard_socket()
        return run_guard(args.state_dir, socket_path)
    from .accounts import protect, release

    if command == "protect":
        out.write(protect(args.name, state_dir=args.state_dir, personal_dir=args.personal_dir) + "\n")
    else:
        out.write(release(args.name, state_dir=args.state_dir, personal_dir=args.personal_dir) + "\n")
    return 0
