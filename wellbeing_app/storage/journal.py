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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from wellbeing_app.core.model import AppRef, UsageSpan

JOURNAL_FILE = "live-journal.json"
#: The file is padded to whole 512-byte blocks so an in-place rewrite never leaves old bytes behind.
_BLOCK = 512


@dataclass
class JournalState:
    """What the running tracker last wrote down."""

    spans: list[UsageSpan] = field(default_factory=list)
    elapsed: float | None = None  # the elapsed counter at the last write
    wall: datetime | None = None  # the trusted time at the last write
    boot_id: str | None = None
    clean: bool = False  # True when the tracker stopped cleanly
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


class Journal:
    """One file in the data dir. Written by the one running tracker; read by anyone."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / JOURNAL_FILE
        self._last_text: str | None = None
        self._fd: int | None = None

    def read(self) -> JournalState | None:
        """The state last written, or None when there is none or it cannot be read."""
        try:
            text = self.path.read_text(encoding="utf-8").rstrip(" \n\x00")
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
            },
            separators=(",", ":"),
        )
        if text == self._last_text:
            return
        self._last_text = text
        payload = text.encode("utf-8")
        padded = payload + b" " * (-len(payload) % _BLOCK)
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.pwrite(self._fd, padded, 0)
        if os.fstat(self._fd).st_size > len(padded):
            os.ftruncate(self._fd, len(padded))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
