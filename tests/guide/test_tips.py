"""The break tip picker: no tip twice in a day until all were shown, then the next round."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wellbeing_app.guide import Guide, Tip, TipPicker


def show_all_day(picker: TipPicker, picks: int) -> list[str]:
    shown: list[str] = []
    for _ in range(picks):
        tip = picker.pick(shown)
        assert tip is not None
        shown.append(tip.id)
    return shown


@given(seed=st.integers())
def test_no_tip_repeats_within_a_day_for_45_picks_then_it_cycles(guide: Guide, seed: int) -> None:
    tips = guide.tips("kk")
    assert len(tips) == 45
    shown = show_all_day(TipPicker(tips, random.Random(seed)), 90)
    first_round, second_round = shown[:45], shown[45:]
    assert sorted(first_round) == sorted(tip.id for tip in tips)
    assert sorted(second_round) == sorted(first_round)
    # The round ends and the next begins without showing the same tip twice in a row.
    assert second_round[0] != first_round[-1]


def test_the_same_seed_gives_the_same_tips(guide: Guide) -> None:
    tips = guide.tips("en")
    first = show_all_day(TipPicker(tips, random.Random(7)), 10)
    again = show_all_day(TipPicker(tips, random.Random(7)), 10)
    other = show_all_day(TipPicker(tips, random.Random(8)), 10)
    assert first == again
    assert first != other


def test_ids_shown_in_another_language_count_too(guide: Guide) -> None:
    # The tip ids are the same in every language, so switching language mid-day repeats nothing.
    english = [tip.id for tip in guide.tips("en")][:44]
    picker = TipPicker(guide.tips("ru"), random.Random(1))
    tip = picker.pick(english)
    assert tip is not None
    assert tip.id == "one-thing-offline"
    assert tip.language == "ru"


def test_unknown_ids_in_the_records_are_ignored() -> None:
    tips = [Tip("a", "en", "A.", None), Tip("b", "en", "B.", None)]
    picker = TipPicker(tips, random.Random(3))
    tip = picker.pick(["gone-tip", "a"])
    assert tip is not None
    assert tip.id == "b"


def test_no_tips_gives_none() -> None:
    picker = TipPicker([], random.Random(0))
    assert picker.pick(["a"]) is None
    assert picker.tip_of_the_day(date(2026, 3, 1)) is None


def test_a_single_tip_is_shown_again_when_it_is_all_there_is() -> None:
    only = Tip("only", "en", "The only tip.", None)
    assert TipPicker([only], random.Random(0)).pick(["only", "only"]) == only


def test_the_tip_of_the_day_stays_all_day_and_visits_every_tip(guide: Guide) -> None:
    tips = guide.tips("en")
    picker = TipPicker(tips, random.Random(0))
    first = date(2026, 10, 10)
    assert picker.tip_of_the_day(first) == TipPicker(tips, random.Random(99)).tip_of_the_day(first)
    days = [picker.tip_of_the_day(first + timedelta(days=offset)) for offset in range(45)]
    assert len({tip.id for tip in days if tip is not None}) == 45
    assert all(days[index] != days[index + 1] for index in range(44))
