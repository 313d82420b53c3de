"""Bounds on what is stored, which the schema and the range queries rely on (no SQLAlchemy here)."""

from __future__ import annotations

from datetime import time

UID_LENGTH = 64
ID_LENGTH = 64
#: No span lasts longer (a tracker span stays inside one local day): a span overlapping a moment
#: then starts at most this long before it, which keeps range queries on the start_ms key.
MAX_SPAN_MS = 48 * 3600 * 1000
#: A span starts less than this far from the UTC midnight that begins its day (its local day is
#: at most a day and a bit away from that, at any UTC offset and day start): the spans of a day
#: are then found on the start_ms key, and `day` needs no index of its own.
DAY_REACH_MS = 4 * 24 * 3600 * 1000
#: When an imported file gives no day, a span belongs to the day of its start, days starting at 04:00.
DEFAULT_DAY_START = time(4)
