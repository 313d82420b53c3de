"""The safety points an article promises: urgent advice by name, helpline numbers, and the words that say them.

An article declares in its header which helplines it gives (`helplines: [112, 150]`) and which
urgent advice (`urgent: [emergency-number]`). The names of the urgent advice and what each means
are kept here, once for every language; the short phrases that carry each point, and the words
that mention self-harm, are in each language's guide folder (`<code>/safety.md`), so that a test
can check that every translation still says what the article promises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from wellbeing_app.core.record import record
from wellbeing_app.guide.model import FALLBACK_LANGUAGE, Country


@record
class UrgentAdvice:
    """One piece of urgent advice an article can promise; `<code>/safety.md` gives its phrases."""

    name: str
    meaning: str


URGENT_ADVICE: dict[str, UrgentAdvice] = {
    advice.name: advice
    for advice in (
        UrgentAdvice(
            "emergency-number",
            "someone in immediate danger: call the emergency number (112) now",
        ),
        UrgentAdvice(
            "self-harm-today",
            "thoughts of hurting yourself, even without a plan: tell a trusted adult today or call a helpline",
        ),
        UrgentAdvice(
            "not-a-secret",
            "someone talks of hurting themselves: tell a trusted adult even if asked to keep it secret",
        ),
        UrgentAdvice(
            "doctor-for-body-signs",
            "first-time or very strong symptoms, chest pain or trouble breathing: a doctor; 103 or 112 when sudden or severe",
        ),
        UrgentAdvice(
            "strangers-online",
            "a stranger online who asks for secrecy, photos or a meeting: stop, keep the messages, tell an adult",
        ),
    )
}

#: The section of `<code>/safety.md` that lists the words mentioning self-harm or suicide; a text
#: with one of them must point to help.
SELF_HARM_SECTION = "self-harm-words"

_DIGITS = re.compile(r"\d+(?:-\d+)*")


def plain(text: str) -> str:
    """`text` for finding phrases: Markdown emphasis dropped, case folded, lines joined."""
    return " ".join(text.replace("**", "").replace("*", "").casefold().split())


def says(text: str, phrases: Iterable[str]) -> bool:
    """Whether `text` has one of `phrases` (those of a piece of urgent advice, or the self-harm
    words, from a language's safety.md), ignoring emphasis, case and line breaks."""
    flat = plain(text)
    return any(plain(phrase) in flat for phrase in phrases)


def dialable_numbers(countries: Iterable[Country]) -> frozenset[str]:
    """Every number helplines.json gives: each helpline's, and those its English description names
    (101–104 beside 112)."""
    numbers: set[str] = set()
    for country in countries:
        for helpline in country.helplines:
            numbers.add(helpline.number)
            numbers.update(_DIGITS.findall(helpline.description.get(FALLBACK_LANGUAGE)))
    return frozenset(numbers)


def numbers_in(text: str, known: Iterable[str]) -> set[str]:
    """Which of the `known` numbers `text` mentions, each as a whole number (112 is not in 1120)."""
    return {
        number
        for number in known
        if re.search(rf"(?<![\d-]){re.escape(number)}(?![\d]|-\d)", text) is not None
    }
