"""Covered time as a set of disjoint intervals: what an imported span may still add without double counting."""

from __future__ import annotations

import bisect
from collections.abc import Iterable


class CoveredTime:
    """Half-open integer intervals [start, end), kept sorted, disjoint and merged.

    Adjacent intervals are merged too, so `intervals()` is the shortest description of the
    covered time.
    """

    def __init__(self, intervals: Iterable[tuple[int, int]] = ()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for start, end in sorted(intervals):
            if end <= start:
                continue
            if self._ends and start <= self._ends[-1]:
                self._ends[-1] = max(self._ends[-1], end)
            else:
                self._starts.append(start)
                self._ends.append(end)

    def intervals(self) -> list[tuple[int, int]]:
        return list(zip(self._starts, self._ends, strict=True))

    def total(self) -> int:
        return sum(end - start for start, end in zip(self._starts, self._ends, strict=True))

    def uncovered(self, start: int, end: int) -> list[tuple[int, int]]:
        """The pieces of [start, end) that no interval covers, in order."""
        pieces: list[tuple[int, int]] = []
        cursor = start
        # The first interval that could overlap is the last one starting at or before `start`.
        index = max(bisect.bisect_right(self._starts, start) - 1, 0)
        while cursor < end and index < len(self._starts):
            covered_start, covered_end = self._starts[index], self._ends[index]
            if covered_start >= end:
                break
            if covered_end > cursor:
                if covered_start > cursor:
                    pieces.append((cursor, covered_start))
                cursor = covered_end
            index += 1
        if cursor < end:
            pieces.append((cursor, end))
        return pieces

    def add(self, start: int, end: int) -> None:
        """Cover [start, end) as well, merging with what it overlaps or touches."""
        if end <= start:
            return
        # Intervals from `low` to `high` (exclusive) overlap or touch the new one.
        low = bisect.bisect_left(self._ends, start)
        high = bisect.bisect_right(self._starts, end)
        if low < high:
            start = min(start, self._starts[low])
            end = max(end, self._ends[high - 1])
        self._starts[low:high] = [start]
        self._ends[low:high] = [end]
