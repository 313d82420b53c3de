"""The guide's value objects: articles, tips, categories, helplines and the problems found loading them."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from pathlib import Path

from wellbeing_app.core import languages
from wellbeing_app.core.record import record
from wellbeing_app.core.text import N_
from wellbeing_app.i18n import translate

#: The codes of the declared languages (core/languages.py), for listing them; the guide itself
#: asks the declaration each time, so that a language declared later is read too.
LANGUAGES: tuple[str, ...] = languages.codes()

#: The language an article falls back to when a translation is missing.
FALLBACK_LANGUAGE = languages.SOURCE_LANGUAGE


class GuideError(Exception):
    """Base of the guide's errors (bad content is never an error: it is a GuideProblem)."""


class UnknownArticleError(GuideError, LookupError):
    """Asked for an article id that is in no language of the guide."""

    def __init__(self, article_id: str, known: list[str]) -> None:
        self.article_id = article_id
        super().__init__(f"there is no guide article '{article_id}'; known articles: {', '.join(known)}")


class Category(enum.Enum):
    """The sections of the guide, in the order they are listed."""

    HEALTHY_MIND = "healthy-mind"
    EMOTIONS = "emotions"
    TALKING = "talking"
    SUPPORTING_OTHERS = "supporting-others"
    ONLINE_LIFE = "online-life"
    PARENTS = "parents"
    HELP = "help"

    def display_title(self, language: str) -> str:
        """The section's title for people, in `language` (English when that is unknown)."""
        return translate(_CATEGORY_TITLES[self], language)

    @property
    def order(self) -> int:
        return list(Category).index(self)


_CATEGORY_TITLES: dict[Category, str] = {
    Category.HEALTHY_MIND: N_("A healthy mind"),
    Category.EMOTIONS: N_("Emotions"),
    Category.TALKING: N_("Talking about it"),
    Category.SUPPORTING_OTHERS: N_("Supporting others"),
    Category.ONLINE_LIFE: N_("Life online"),
    Category.PARENTS: N_("For parents"),
    Category.HELP: N_("Getting help"),
}

#: The few words the guide itself adds around the content (the reading time, a link's target,
#: the opening hours of a helpline); translated by the catalogs into the content's language,
#: which may differ from the interface's.
LABELS: dict[str, str] = {
    "minutes": N_("{minutes} min"),
    "see": N_("see: {target}"),
    "hours": N_("Hours: {hours}."),
}


def label(key: str, language: str, **values: object) -> str:
    """One of LABELS in `language`, filled in with `values`."""
    return translate(LABELS[key], language).format(**values)


@record
class Article:
    """One guide article in one language. `body` is the Markdown after the header."""

    id: str
    title: str
    category: Category
    language: str
    tags: tuple[str, ...]
    reading_minutes: int
    summary: str
    body: str
    path: Path
    #: The safety points the article gives in every language: helpline numbers (from
    #: helplines.json) and names of urgent advice (wellbeing_app.guide.safety.URGENT_ADVICE, said
    #: by the phrases of each language's safety.md).
    helplines: tuple[str, ...] = ()
    urgent: tuple[str, ...] = ()


@record
class Tip:
    """A short tip shown during a break; `related` is the id of an article to read more."""

    id: str
    language: str
    text: str
    related: str | None


@record
class Localized:
    """A short text in each language of the guide: (language code, text) pairs."""

    texts: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, texts: Mapping[str, str]) -> Localized:
        return cls(tuple(texts.items()))

    def get(self, language: str) -> str:
        """The text in `language`; English for a language the guide does not have."""
        by_language = dict(self.texts)
        return by_language.get(language) or by_language.get(FALLBACK_LANGUAGE, "")


@record
class Helpline:
    """A phone number to call, what it is for and when it answers. `hours` is None when unchecked."""

    number: str
    name: Localized
    description: Localized
    hours: Localized | None
    source: str
    country: str


@record
class Country:
    """A country (or region) and its helplines; `id` is the key in helplines.json."""

    id: str
    name: Localized
    helplines: tuple[Helpline, ...]


@record
class SafetyWords:
    """One language's words for the safety points, from its `safety.md`: the phrases that say each
    piece of urgent advice (by name) and the words that mention self-harm or suicide."""

    language: str
    urgent: Mapping[str, tuple[str, ...]]
    self_harm: tuple[str, ...]

    def phrases(self, advice: str) -> tuple[str, ...]:
        """The phrases that say the urgent advice named `advice`; none when the file gives none."""
        return self.urgent.get(advice, ())


@record
class GuideProblem:
    """Something wrong in a guide file: where it is (line 1 is the first; None for the whole file) and what."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"
