"""Choosing the tip shown during a break: no tip twice in a day until every tip has been shown."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import date

from wellbeing_app.guide.model import Tip

# Steps through the tips by day; prime, so the tip of the day visits every tip before repeating.
_DAY_STRIDE = 7919


class TipPicker:
    """Picks break tips from one language's tips, with a random source the caller seeds.

    The picker keeps no memory: the caller passes the ids shown today (from its records), so a
    restart of the app does not start the day over. Not thread-safe; use it from one thread.
    """

    def __init__(self, tips: Sequence[Tip], rng: random.Random) -> None:
        self._tips = tuple(tips)
        self._rng = rng

    @property
    def tips(self) -> tuple[Tip, ...]:
        return self._tips

    def pick(self, shown_today: Sequence[str] = ()) -> Tip | None:
        """A tip not yet shown today; once all were shown, one from the next round (never the last one shown).

        None only when there are no tips at all.
        """
        if not self._tips:
            return None
        known = {tip.id for tip in self._tips}
        counts = Counter(tip_id for tip_id in shown_today if tip_id in known)
        fewest = min(counts[tip.id] for tip in self._tips)
        candidates = [tip for tip in self._tips if counts[tip.id] == fewest]
        if len(candidates) > 1 and shown_today:
            candidates = [tip for tip in candidates if tip.id != shown_today[-1]] or candidates
        return self._rng.choice(candidates)

    def tip_of_the_day(self, day: date) -> Tip | None:
        """The same tip all day, a different one the next day, every tip in turn."""
        if not self._tips:
            return None
        return self._tips[(day.toordinal() * _DAY_STRIDE) % len(self._tips)]
