"""The languages the app speaks, declared once: code, names and plural rule.

Everything that depends on which languages there are reads them from here, at the moment it
needs them: the translations (i18n), the guide loader, the `language` setting, the command
line's `--lang` and the message extractor. A new language is one line in LANGUAGES, a catalog
`resources/locale/<code>.po` and a guide folder `resources/guide/<code>/`.
"""

from __future__ import annotations

from collections.abc import Callable

from .record import record


@record(eq=False, repr=False)
class PluralRule:
    """Which plural form a count takes, as gettext's Plural-Forms header says it.

    `expression` is the header's C expression (written into catalogs); `choose` is the same rule
    in Python; both give the index of the form, 0 … forms - 1.
    """

    forms: int
    expression: str
    choose: Callable[[int], int]

    @property
    def header(self) -> str:
        """The value of a catalog's Plural-Forms header."""
        return f"nplurals={self.forms}; plural={self.expression};"

    def __call__(self, count: int) -> int:
        return self.choose(count)


def _one_or_other(count: int) -> int:
    return 0 if count == 1 else 1


def _one_few_many(count: int) -> int:
    # CLDR's one (1, 21, 101 but not 11), few (2–4, 22–24 but not 12–14) and many (the rest).
    if count % 10 == 1 and count % 100 != 11:
        return 0
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return 1
    return 2


#: Two forms: one (1) and other (every other count).
ONE_OR_OTHER = PluralRule(2, "(n != 1)", _one_or_other)
#: Three forms, as in Russian and Ukrainian: 1 минута, 2 минуты, 5 минут.
ONE_FEW_MANY = PluralRule(
    3,
    "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
    _one_few_many,
)


@record
class Language:
    """One language of the interface and the guide.

    `code` (ISO 639-1) names its catalog and its guide folder; `native_name` is how it is offered
    in the language picker, so that anyone can find theirs; `english_name` is used in the
    problems reported to the guide's authors.
    """

    code: str
    native_name: str
    english_name: str
    plural_rule: PluralRule


#: The language the code's messages are written in: it needs no catalog, and the guide falls
#: back to it where a translation is missing.
SOURCE_LANGUAGE = "en"

#: Every language, the source language first. Add a language here (and its catalog and guide).
LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", "English", ONE_OR_OTHER),
    Language("ru", "Русский", "Russian", ONE_FEW_MANY),
    Language("kk", "Қазақша", "Kazakh", ONE_OR_OTHER),
)

#: The `language` setting's value that follows the system's language.
SYSTEM = "system"


def codes() -> tuple[str, ...]:
    """The codes of every language, the source language first."""
    return tuple(language.code for language in LANGUAGES)


def find(code: str) -> Language | None:
    """The language with `code`, or None when there is no such language."""
    return next((language for language in LANGUAGES if language.code == code), None)


def translated() -> tuple[Language, ...]:
    """The languages that have a catalog: all but the source language."""
    return tuple(language for language in LANGUAGES if language.code != SOURCE_LANGUAGE)


def plural_rule(code: str | None) -> PluralRule:
    """The plural rule of `code`; the source language's for None or an unknown code."""
    language = find(code or SOURCE_LANGUAGE) or find(SOURCE_LANGUAGE)
    return language.plural_rule if language is not None else ONE_OR_OTHER  # English's rule


def setting_choices() -> tuple[str, ...]:
    """What the `language` setting may be: "system" or a language's code."""
    return (SYSTEM, *codes())
