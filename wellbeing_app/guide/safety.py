"""The safety points an article promises: urgent advice by name, helpline numbers, and the words that say them.

An article declares in its header which helplines it gives (`helplines: [112, 150]`) and which
urgent advice (`urgent: [emergency-number]`). The names and the short phrases that carry each
point in each language are kept here, in one place, so that a test can check that every
translation still says what the article promises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from wellbeing_app.guide.model import FALLBACK_LANGUAGE, Country


@dataclass(frozen=True)
class UrgentAdvice:
    """One piece of urgent advice; any one of `phrases[language]` in the text says it."""

    name: str
    meaning: str
    phrases: dict[str, tuple[str, ...]]


URGENT_ADVICE: dict[str, UrgentAdvice] = {
    advice.name: advice
    for advice in (
        UrgentAdvice(
            "emergency-number",
            "someone in immediate danger: call the emergency number (112) now",
            {
                "en": ("call the emergency number", "call 112"),
                "ru": ("звони по номеру экстренных служб", "звони 112"),
                "kk": ("төтенше жағдай нөміріне қоңырау шал", "112-ге қоңырау шал"),
            },
        ),
        UrgentAdvice(
            "self-harm-today",
            "thoughts of hurting yourself, even without a plan: tell a trusted adult today or call a helpline",
            {
                "en": ("tell a trusted adult today",),
                "ru": ("сегодня же расскажи взрослому",),
                "kk": ("бүгін сенімді ересекке айт",),
            },
        ),
        UrgentAdvice(
            "not-a-secret",
            "someone talks of hurting themselves: tell a trusted adult even if asked to keep it secret",
            {
                "en": (
                    "even if they ask you to keep it a secret",
                    "even if someone asks you to",
                    "even if your friend asks you not to",
                ),
                "ru": (
                    "даже если он просит никому не говорить",
                    "даже если друг попросит",
                    "и попросил молчать",
                ),
                "kk": ("құпия сақтауды өтінсе де",),
            },
        ),
        UrgentAdvice(
            "doctor-for-body-signs",
            "first-time or very strong symptoms, chest pain or trouble breathing: a doctor; 103 or 112 when sudden or severe",
            {
                "en": ("chest pain or trouble breathing",),
                "ru": ("болит в груди или трудно дышать",),
                "kk": ("кеудең ауырса немесе тыныс алу қиындаса",),
            },
        ),
        UrgentAdvice(
            "strangers-online",
            "a stranger online who asks for secrecy, photos or a meeting: stop, keep the messages, tell an adult",
            {
                "en": ("warning signs of grooming",),
                "ru": ("будь осторожен с незнакомцами",),
                "kk": ("бұл қауіп белгісі",),
            },
        ),
    )
}

#: Words that mention self-harm or suicide; a text with one of them must point to help.
SELF_HARM_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "self-harm",
        "hurting themselves",
        "hurt themselves",
        "hurting yourself",
        "hurt yourself",
        "suicide",
        "ending their life",
        "end their life",
    ),
    "ru": (
        "причинить себе вред",
        "причиняет себе вред",
        "причинил себе вред",
        "покончить с собой",
        "не хочет жить",
        "суицид",
        "самоповрежд",
    ),
    "kk": ("өзіне зиян келтір", "өзіңе зиян келтір", "өмірін қию", "өзіне қол жұмсау"),
}

_DIGITS = re.compile(r"\d+(?:-\d+)*")


def plain(text: str) -> str:
    """`text` for finding phrases: Markdown emphasis dropped, case folded, lines joined."""
    return " ".join(text.replace("**", "").replace("*", "").casefold().split())


def says(text: str, advice: UrgentAdvice, language: str) -> bool:
    """Whether `text` (in `language`) gives `advice`."""
    flat = plain(text)
    return any(plain(phrase) in flat for phrase in advice.phrases.get(language, ()))


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
