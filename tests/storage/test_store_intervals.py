"""CoveredTime, the interval arithmetic behind trimming imports, against a brute-force model."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from wellbeing_app.storage.intervals import CoveredTime

_intervals = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 20)).map(lambda pair: (pair[0], pair[0] + pair[1])),
    max_size=12,
)


def _points(intervals: list[tuple[int, int]]) -> set[int]:
    return {point for start, end in intervals for point in range(start, end)}


@given(existing=_intervals, new=_intervals)
def test_uncovered_pieces_are_exactly_the_new_time(
    existing: list[tuple[int, int]], new: list[tuple[int, int]]
) -> None:
    covered = CoveredTime(existing)
    model = _points(existing)
    for start, end in new:
        pieces = covered.uncovered(start, end)
        assert _points(pieces) == set(range(start, end)) - model
        assert all(a < b for a, b in pieces)
        assert pieces == sorted(pieces)
        covered.add(start, end)
        model |= set(range(start, end))
        # Always the shortest description: sorted, disjoint, not even touching.
        merged = covered.intervals()
        assert _points(merged) == model
        assert all(end_a < start_b for (_s, end_a), (start_b, _e) in itertools.pairwise(merged))
        assert covered.total() == len(model)


def test_a_piece_in_the_middle_splits_the_new_span() -> None:
    covered = CoveredTime([(10, 20), (30, 40)])
    assert covered.uncovered(0, 50) == [(0, 10), (20, 30), (40, 50)]
    assert covered.uncovered(12, 18) == []
    assert covered.uncovered(20, 30) == [(20, 30)]
