"""The guide's value objects: articles, tips, categories, helplines and the problems found loading them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

#: The languages of the guide; every article and every tip exists in each of them.
LANGUAGES: tuple[str, ...] = ("en", "ru", "kk")

#: The language an article falls back to when a translation is missing.
FALLBACK_LANGUAGE = "en"

LANGUAGE_NAMES: dict[str, str] = {"en": "English", "ru": "Russian", "kk": "Kazakh"}


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
        titles = _CATEGORY_TITLES[self]
        return titles.get(language, titles[FALLBACK_LANGUAGE])

    @property
    def order(self) -> int:
        return list(Category).index(self)


_CATEGORY_TITLES: dict[Category, dict[str, str]] = {
    Category.HEALTHY_MIND: {
        "en": "A healthy mind",
        "ru": "Психическое благополучие",
        "kk": "Психикалық саулық",
    },
    Category.EMOTIONS: {"en": "Emotions", "ru": "Эмоции", "kk": "Эмоциялар"},
    Category.TALKING: {"en": "Talking about it", "ru": "Как об этом говорить", "kk": "Бұл туралы сөйлесу"},
    Category.SUPPORTING_OTHERS: {
        "en": "Supporting others",
        "ru": "Поддержка близких",
        "kk": "Жақындарды қолдау",
    },
    Category.ONLINE_LIFE: {"en": "Life online", "ru": "Жизнь в сети", "kk": "Желідегі өмір"},
    Category.PARENTS: {"en": "For parents", "ru": "Для родителей", "kk": "Ата-аналарға"},
    Category.HELP: {"en": "Getting help", "ru": "Куда обратиться за помощью", "kk": "Көмек алу"},
}

#: The few words the guide itself adds around the content (the reading time, a link's target,
#: the opening hours of a helpline), per language. The app's own UI strings go through gettext.
LABELS: dict[str, dict[str, str]] = {
    "minutes": {"en": "{minutes} min", "ru": "{minutes} мин", "kk": "{minutes} мин"},
    "see": {"en": "see: {target}", "ru": "см.: {target}", "kk": "қараңыз: {target}"},
    "hours": {"en": "Hours: {hours}.", "ru": "Часы работы: {hours}.", "kk": "Жұмыс уақыты: {hours}."},
}


def label(key: str, language: str, **values: object) -> str:
    """One of LABELS in `language`, filled in with `values`."""
    texts = LABELS[key]
    return texts.get(language, texts[FALLBACK_LANGUAGE]).format(**values)


@dataclass(frozen=True)
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
    #: helplines.json) and names of urgent advice (wellbeing_app.guide.safety.URGENT_ADVICE).
    helplines: tuple[str, ...] = ()
    urgent: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tip:
    """A short tip shown during a break; `related` is the id of an article to read more."""

    id: str
    language: str
    text: str
    related: str | None


@dataclass(frozen=True)
class Localized:
    """A short text in each language of the guide."""

    en: str
    ru: str
    kk: str

    def get(self, language: str) -> str:
        """The text in `language`; English for a language the guide does not have."""
        text: str = getattr(self, language, "") if language in LANGUAGES else ""
        return text or self.en


@dataclass(frozen=True)
class Helpline:
    """A phone number to call, what it is for and when it answers. `hours` is None when unchecked."""

    number: str
    name: Localized
    description: Localized
    hours: Localized | None
    source: str
    country: str


@dataclass(frozen=True)
class Country:
    """A country (or region) and its helplines; `id` is the key in helplines.json."""

    id: str
    name: Localized
    helplines: tuple[Helpline, ...]


@dataclass(frozen=True)
class GuideProblem:
    """Something wrong in a guide file: where it is (line 1 is the first; None for the whole file) and what."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"
