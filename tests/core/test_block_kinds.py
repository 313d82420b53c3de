"""The table of overlay kinds: a row for every block reason, and the buttons each offers."""

from __future__ import annotations

import pytest

from wellbeing_app.core.blocks import BLOCKS, BREAK, OverlayAction, block_kind, overlay_kind
from wellbeing_app.core.model import BlockReason, Decision, Verdict


def test_every_block_reason_has_a_row_with_all_its_words() -> None:
    assert set(BLOCKS) == set(BlockReason)
    for kind in BLOCKS.values():
        assert None not in (kind.status, kind.record, kind.reason_words)


def test_each_decision_shows_its_own_overlay_or_none() -> None:
    assert overlay_kind(Decision(Verdict.BREAK)) is BREAK
    for reason, kind in BLOCKS.items():
        assert overlay_kind(Decision(Verdict.BLOCK, reason)) is kind
    assert overlay_kind(Decision(Verdict.ALLOW)) is None
    assert overlay_kind(Decision(Verdict.WARN)) is None
    assert block_kind(None) is BLOCKS[BlockReason.CAP]


@pytest.mark.parametrize(
    ("decision", "offered"),
    [
        (Decision(Verdict.BREAK, postpones_left=1), {OverlayAction.POSTPONE, OverlayAction.SKIP}),
        (Decision(Verdict.BREAK, postpones_left=0), {OverlayAction.SKIP}),
        (
            Decision(Verdict.BLOCK, BlockReason.CAP, postpones_left=1),
            {OverlayAction.MORE_TIME, OverlayAction.BACK_TO_DESKTOP},
        ),
        (
            Decision(Verdict.BLOCK, BlockReason.DOWNTIME),
            {OverlayAction.MORE_TIME, OverlayAction.BACK_TO_DESKTOP},
        ),
    ],
)
def test_the_buttons_offered(decision: Decision, offered: set[OverlayAction]) -> None:
    kind = overlay_kind(decision)
    assert kind is not None
    assert {action for action in OverlayAction if kind.offers(action, decision)} == offered


def test_more_time_in_downtime_is_free_time_and_a_used_limit_lasts_the_day() -> None:
    assert [reason for reason, kind in BLOCKS.items() if kind.grants_free_time] == [BlockReason.DOWNTIME]
    assert {reason for reason, kind in BLOCKS.items() if kind.lasts_the_day} == {
        BlockReason.CAP,
        BlockReason.APP_LIMIT,
    }
