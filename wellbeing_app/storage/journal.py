"""The live journal: the few spans not yet in the database, rewritten in place every few seconds.

Writing the database for every tick would cost hundreds of KiB a minute through the WAL. The
tracker instead commits to the database every couple of minutes (and at once for events that
matter), and keeps what is newer here: one small file overwritten in place, so a killed process
loses at most a few seconds. The next start puts its spans into the database (they are replaced
by uid, so doing it twice is harmless), and a reader such as `status` adds them to what the
database says.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from wellbeing_app.core.events import PayloadError, payload_from_json
from wellbeing_app.core.model import AppRef, Event, EventKind, UsageSpan
from wellbeing_app.core.record import record

JOURNAL_FILE = "live-journal.json"
#: The file is padded to whole 512-byte blocks so an in-place rewrite never leaves old bytes behind.
_BLOCK = 512


@record(frozen=False, eq=False, repr=False)
class JournalState:
    """What the running tracker last wrote down."""

    spans: list[UsageSpan] = field(default_factory=list)
    elapsed: float | None = None  # the elapsed counter at the last write
    wall: datetime | None = None  # the trusted time at the last write
    boot_id: str | None = None
    clean: bool = False  # True when the tracker stopped cleanly
    removed: list[str] = field(default_factory=list)  # uids of spans taken back, still in the database
    events: list[Event] = field(default_factory=list)  # events not yet in the database
    engine: dict[str, Any] = field(default_factory=dict)  # break state, for readers like `status`


def _span_to_json(span: UsageSpan) -> dict[str, Any]:
    return {
        "uid": span.uid,
        "app": span.app.executable,
        "name": span.app.name,
        "start": span.start.isoformat(),
        "end": span.end.isoformat(),
        "day": span.day.isoformat(),
        "offset": span.utc_offset.total_seconds(),
        "title": span.title,
    }


def _event_to_json(event: Event) -> dict[str, Any]:
    return {
        "uid": event.uid,
        "kind": event.kind.value,
        "at": event.at.isoformat(),
        "day": event.day.isoformat(),
        "data": event.payload.to_json(),
    }


def _event_from_json(data: dict[str, Any]) -> Event:
    try:
        kind = EventKind(data["kind"])
        payload = payload_from_json(kind, data.get("data", {}))
    except PayloadError as error:
        raise ValueError(str(error)) from error
    return Event(
        str(data["uid"]), datetime.fromisoformat(data["at"]), date.fromisoformat(data["day"]), payload
    )


def _span_from_json(data: dict[str, Any]) -> UsageSpan:
    return UsageSpan(
        uid=str(data["uid"]),
        app=AppRef(str(data["app"]), str(data["name"])),
        start=datetime.fromisoformat(data["start"]),
        end=datetime.fromisoformat(data["end"]),
        day=date.fromisoformat(data["day"]),
        utc_offset=timedelta(seconds=float(data["offset"])),
        title=data.get("title"),
    )


def why_not_trusted(info: os.stat_result) -> str | None:
    """Why a file with this status is not one the app may keep its records in, or None: it must be
    a regular file of this user (not a device such as /dev/null, a FIFO, or another user's file)."""
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link"
    if stat.S_ISFIFO(info.st_mode):
        return "it is a FIFO"
    if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
        return "it is a device"
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file"
    getuid = getattr(os, "getuid", None)
    if getuid is not None and info.st_uid != getuid():
        return f"it belongs to another user (uid {info.st_uid})"
    return None


@record(eq=False, repr=False)
class Refused:
    """A journal found in the way that was not used: why, and where it was moved."""

    why: str
    moved_to: Path | None


def _move_aside(path: Path) -> Path | None:
    """Rename the file (or link, FIFO …) at `path` to `<name>.refused-<n>`; None when it cannot be."""
    for counter in range(1, 1000):
        target = path.with_name(f"{path.name}.refused-{counter}")
        if not os.path.lexists(target):
            try:
                path.rename(target)
            except OSError:
                return None
            return target
    return None


class Journal:
    """One file in the data dir. Written by the one running tracker; read by anyone.

    Only a regular file of this user is used: it is opened without following a symbolic link and
    checked through the open descriptor. Anything else in its place (a link to /dev/null, a FIFO,
    another user's file) is moved aside by the writer and a new file started; `refused` says so
    once, for the record."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / JOURNAL_FILE
        self._last_text: str | None = None
        self._fd: int | None = None
        self._identity: tuple[int, int] | None = None
        self.refused: list[Refused] = []

    def _read_text(self) -> str:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(self.path, flags)
        try:
            if why_not_trusted(os.fstat(fd)) is not None:
                raise OSError(f"{self.path} is not a regular file of this user")
            with os.fdopen(os.dup(fd), "rb") as file:
                return file.read().decode("utf-8")
        finally:
            os.close(fd)

    def read(self) -> JournalState | None:
        """The state last written, or None when there is none or it cannot be read (or it is not a
        regular file of this user)."""
        try:
            text = self._read_text().rstrip(" \n\x00")
        except (OSError, UnicodeDecodeError):
            return None
        if not text:
            return None
        try:
            data = json.loads(text)
            return JournalState(
                spans=[_span_from_json(s) for s in data.get("spans", [])],
                elapsed=data.get("elapsed"),
                wall=datetime.fromisoformat(data["wall"]) if data.get("wall") else None,
                boot_id=data.get("boot_id"),
                clean=bool(data.get("clean", False)),
                engine=dict(data.get("engine", {})),
                removed=[str(uid) for uid in data.get("removed", [])],
                events=[_event_from_json(e) for e in data.get("events", [])],
            )
        except (ValueError, KeyError, TypeError):
            return None  # a torn write after a power cut: the database still has the rest

    def write(self, state: JournalState) -> None:
        """Overwrite the file in place (same blocks, no new inode) when something changed."""
        text = json.dumps(
            {
                "spans": [_span_to_json(s) for s in state.spans],
                "elapsed": state.elapsed,
                "wall": state.wall.isoformat() if state.wall else None,
                "boot_id": state.boot_id,
                "clean": state.clean,
                "engine": state.engine,
                "removed": state.removed,
                "events": [_event_to_json(e) for e in state.events],
            },
            separators=(",", ":"),
        )
        if text == self._last_text:
            return
        self._last_text = text
        payload = text.encode("utf-8")
        padded = payload + b" " * (-len(payload) % _BLOCK)
        if self._fd is not None and not self._still_ours():
            self.close()
        if self._fd is None:
            self._open()
        assert self._fd is not None
        os.pwrite(self._fd, padded, 0)
        if os.fstat(self._fd).st_size > len(padded):
            os.ftruncate(self._fd, len(padded))

    def claim(self) -> None:
        """Open the file for writing now (a tracker's start), refusing what is in its way."""
        if self._fd is None:
            self._open()

    def _still_ours(self) -> bool:
        """Whether the path still names the file this writer has open (not replaced or removed)."""
        try:
            info = os.lstat(self.path)
        except OSError:
            return False
        return (info.st_dev, info.st_ino) == self._identity

    def _open(self) -> None:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        why: str | None
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError:
            if not os.path.islink(self.path):
                raise
            why = f"it is a symbolic link to {os.readlink(self.path)}"
        else:
            info = os.fstat(fd)
            why = why_not_trusted(info)
            if why is None:
                self._fd, self._identity = fd, (info.st_dev, info.st_ino)
                return
            os.close(fd)
        moved = _move_aside(self.path)
        self.refused.append(Refused(why, moved))
        fd = os.open(self.path, flags | os.O_EXCL, 0o600)  # raises when it could not be moved
        info = os.fstat(fd)
        self._fd, self._identity = fd, (info.st_dev, info.st_ino)
        self._last_text = None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            self._identity = None
            self._last_text = None
