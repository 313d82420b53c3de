"""What each kind of overlay says and offers — a break, or a block for each reason — in one table.

The overlay, the dashboard, the command line and the tray app read their words and choices
here instead of each choosing by reason. The words are message ids marked with `N_`: the
catalogs hold their translations and whoever shows them translates them.

Adding a kind of block: a `BlockReason`, the rule in `policy.decide` that gives it, a row in
`BLOCKS`, and the new messages in the catalogs (`scripts/extract_messages.py`, then translate).
"""

from __future__ import annotations

import enum

from .model import BlockReason, Decision, Verdict
from .record import record
from .text import N_


class OverlayAction(enum.Enum):
    """The buttons an overlay may offer."""

    POSTPONE = "postpone"  # put the break off by 5 minutes, while postpones are left
    SKIP = "skip"  # end the break now (the passcode when one is set)
    MORE_TIME = "more_time"  # a parent gives more time with the passcode
    BACK_TO_DESKTOP = "back_to_desktop"  # minimise the blocked app


@record(eq=False, repr=False)
class OverlayKind:
    """One kind of overlay. Templates may use {minutes} (today's cap), {app} (the app's name)
    and {time} (when it ends, HH:MM)."""

    #: The overlay's title.
    title: str
    #: The line under the title when it ends today, and when it ends another day.
    until_today: str
    until_later: str
    #: What the overlay offers.
    actions: frozenset[OverlayAction]
    #: A countdown to the end under the title (a break); else only the time it ends.
    countdown: bool = False
    #: The dashboard's line about today while it lasts ("Blocked: downtime"); a break has its own.
    status: str | None = None
    #: The dashboard's sentence for the record of the block beginning.
    record: str | None = None
    #: The command line's `status`: why counted apps are blocked.
    reason_words: str | None = None
    #: The block lasts until the next day starts (a used cap or limit), not only while its rule holds.
    lasts_the_day: bool = False
    #: More time is free use until a time (minutes from now), not more minutes of the cap.
    grants_free_time: bool = False

    def offers(self, action: OverlayAction, decision: Decision) -> bool:
        """Whether the overlay of `decision` shows the button for `action`."""
        if action not in self.actions:
            return False
        return action is not OverlayAction.POSTPONE or decision.postpones_left > 0


BREAK = OverlayKind(
    title=N_("Time for a break"),
    until_today=N_("Back at {time}"),
    until_later=N_("Back at {time}"),
    actions=frozenset({OverlayAction.POSTPONE, OverlayAction.SKIP}),
    countdown=True,
)

_BLOCKED = frozenset({OverlayAction.MORE_TIME, OverlayAction.BACK_TO_DESKTOP})

BLOCKS: dict[BlockReason, OverlayKind] = {
    BlockReason.CAP: OverlayKind(
        title=N_("Your {minutes} minutes for today are used"),
        until_today=N_("Until {time}"),
        until_later=N_("Back tomorrow at {time}"),
        actions=_BLOCKED,
        status=N_("Blocked: the daily cap is reached"),
        record=N_("The daily cap was reached: apps blocked"),
        reason_words=N_("the daily cap is used"),
        lasts_the_day=True,
    ),
    BlockReason.DOWNTIME: OverlayKind(
        title=N_("Downtime"),
        until_today=N_("Until {time}"),
        until_later=N_("Back tomorrow at {time}"),
        actions=_BLOCKED,
        status=N_("Blocked: downtime"),
        record=N_("Downtime began: apps blocked"),
        reason_words=N_("downtime"),
        grants_free_time=True,
    ),
    BlockReason.APP_LIMIT: OverlayKind(
        title=N_("Time's up for {app} today"),
        until_today=N_("Until {time}"),
        until_later=N_("Back tomorrow at {time}"),
        actions=_BLOCKED,
        status=N_("Blocked: an app's limit is reached"),
        record=N_("The time limit of {app} was reached"),
        reason_words=N_("app limit"),
        lasts_the_day=True,
    ),
}


def block_kind(reason: BlockReason | None) -> OverlayKind:
    """The row of a block's reason; a block without one (old records) reads as the cap."""
    return BLOCKS[reason or BlockReason.CAP]


def preview_kinds() -> dict[str, BlockReason | None]:
    """The overlays `wellbeing-app preview` shows, by name: "break" (None), "limit" for the cap
    (its name of old), and every other block reason by its value."""
    kinds: dict[str, BlockReason | None] = {"break": None, "limit": BlockReason.CAP}
    kinds.update({reason.value: reason for reason in BLOCKS if reason is not BlockReason.CAP})
    return kinds


def overlay_kind(decision: Decision) -> OverlayKind | None:
    """The overlay a decision shows, or None when it shows none."""
    if decision.verdict is Verdict.BREAK:
        return BREAK
    if decision.verdict is Verdict.BLOCK:
        return block_kind(decision.reason)
    return None
