"""A Unix account as the guard knows it: name, ids, groups and home, read from the system's records."""

from __future__ import annotations

import grp
import pwd
from pathlib import Path

from wellbeing_app.core.record import record

from .errors import GuardError


@record
class Account:
    """One person's Unix account. `groups` holds the primary group and every supplementary one."""

    name: str
    uid: int
    gid: int
    groups: frozenset[int]
    home: Path

    @classmethod
    def named(cls, name: str) -> Account:
        """The account called `name`; GuardError for an unknown account or for root, which
        cannot be protected (it can undo anything)."""
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            raise GuardError(
                f"there is no account named {name!r} on this computer; give the login name of an existing user"
            ) from None
        if entry.pw_uid == 0:
            raise GuardError(f"{name!r} is root, which no one can limit; protect a person's own account")
        groups = {entry.pw_gid, *(g.gr_gid for g in grp.getgrall() if name in g.gr_mem)}
        return cls(name, entry.pw_uid, entry.pw_gid, frozenset(groups), Path(entry.pw_dir))

    @classmethod
    def of_uid(cls, uid: int) -> Account | None:
        """The account with user id `uid`, or None when there is none (or it is root)."""
        try:
            name = pwd.getpwuid(uid).pw_name
        except KeyError:
            return None
        try:
            return cls.named(name)
        except GuardError:
            return None
