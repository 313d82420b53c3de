"""The loaded guide: listing, looking up, searching and rendering articles, tips and helplines."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from wellbeing_app.core import languages
from wellbeing_app.core.record import record
from wellbeing_app.guide.model import (
    FALLBACK_LANGUAGE,
    Article,
    Category,
    Country,
    GuideProblem,
    Helpline,
    SafetyWords,
    Tip,
    UnknownArticleError,
    label,
)

HELPLINES_MARKER = "<!-- helplines -->"
#: The id of the article that says where to get urgent help.
HELP_ARTICLE_ID = "where-to-get-help"
#: The country whose helplines come first (the app grew out of a campaign there).
FIRST_COUNTRY = "kazakhstan"

# How much a search word found in each part of an article counts; a title match outranks any
# number of tag matches, a tag match any number of summary or body matches.
_TITLE_WEIGHT = 10_000
_TAG_WEIGHT = 100
_SUMMARY_WEIGHT = 10
_BODY_WEIGHT = 1

_WORD = re.compile(r"\w+")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")


def fold(text: str) -> str:
    """`text` for matching: case-folded, accents dropped, ё as е; Cyrillic letters otherwise kept."""
    folded = text.casefold().replace("ё", "е")
    # The breve is kept so that й stays й (it is a letter of its own, not an accented и).
    stripped = "".join(
        character
        for character in unicodedata.normalize("NFD", folded)
        if not unicodedata.combining(character) or character == "\u0306"
    )
    return unicodedata.normalize("NFC", stripped)


@record
class _SearchIndex:
    title: tuple[str, ...]
    tags: tuple[str, ...]
    summary: tuple[str, ...]
    body: tuple[str, ...]


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


def _matches(term: str, words: Iterable[str]) -> bool:
    return any(word.startswith(term) for word in words)


class Guide:
    """All articles, tips and helplines that loaded, and the problems found while loading them."""

    def __init__(
        self,
        articles: Mapping[tuple[str, str], Article],
        tips: Mapping[str, Iterable[Tip]],
        countries: Iterable[Country],
        problems: Iterable[GuideProblem] = (),
        safety: Mapping[str, SafetyWords] | None = None,
    ) -> None:
        self._articles = dict(articles)
        self._safety = dict(safety or {})
        self._tips = {language: tuple(language_tips) for language, language_tips in tips.items()}
        countries = tuple(countries)
        self._countries = tuple(
            sorted(countries, key=lambda country: (country.id != FIRST_COUNTRY, countries.index(country)))
        )
        self.problems: tuple[GuideProblem, ...] = tuple(problems)
        self._ids = sorted({article_id for _, article_id in self._articles})
        self._index: dict[tuple[str, str], _SearchIndex] = {}

    # --- articles --------------------------------------------------------------------------------

    def article_ids(self) -> list[str]:
        """Every article id, in any language."""
        return list(self._ids)

    def has_article(self, article_id: str) -> bool:
        return article_id in self._ids

    def article(self, article_id: str, language: str) -> Article | None:
        """The article in `language`, else in English, else in any language; None for an unknown id."""
        for candidate in (language, FALLBACK_LANGUAGE, *languages.codes()):
            found = self._articles.get((candidate, article_id))
            if found is not None:
                return found
        return None

    def require_article(self, article_id: str, language: str) -> Article:
        """Like article(), but an unknown id is an UnknownArticleError that lists the known ids."""
        found = self.article(article_id, language)
        if found is None:
            raise UnknownArticleError(article_id, self._ids)
        return found

    def articles(self, language: str) -> list[Article]:
        """Every article, in `language` where translated, by category then title."""
        chosen = [self.require_article(article_id, language) for article_id in self._ids]
        return sorted(chosen, key=lambda article: (article.category.order, fold(article.title)))

    def categories(self, language: str) -> list[Category]:
        """The categories that have articles, in the guide's order."""
        used = {article.category for article in self.articles(language)}
        return [category for category in Category if category in used]

    def in_category(self, category: Category, language: str) -> list[Article]:
        return [article for article in self.articles(language) if article.category is category]

    def search(self, query: str, language: str) -> list[Article]:
        """Articles with every word of `query` (as a word start): title matches first, then tags, then text."""
        terms = _words(query)
        if not terms:
            return []
        scored: list[tuple[int, str, Article]] = []
        for article in self.articles(language):
            index = self._search_index(article)
            score = 0
            for term in terms:
                if _matches(term, index.title):
                    score += _TITLE_WEIGHT
                elif _matches(term, index.tags):
                    score += _TAG_WEIGHT
                elif _matches(term, index.summary):
                    score += _SUMMARY_WEIGHT
                elif _matches(term, index.body):
                    score += _BODY_WEIGHT
                else:
                    break
            else:
                scored.append((score, fold(article.title), article))
        scored.sort(key=lambda entry: (-entry[0], entry[1]))
        return [article for _, _, article in scored]

    def _search_index(self, article: Article) -> _SearchIndex:
        key = (article.language, article.id)
        if key not in self._index:
            body = _LINK_TARGET.sub("]", self.render_markdown(article, with_title=False))
            self._index[key] = _SearchIndex(
                title=_words(article.title),
                tags=_words(" ".join((*article.tags, article.id))),
                summary=_words(article.summary),
                body=_words(body),
            )
        return self._index[key]

    # --- tips and helplines ----------------------------------------------------------------------

    def tips(self, language: str) -> list[Tip]:
        """The break tips in `language`, in file order; English ones where a translation is missing."""
        own = self._tips.get(language, ())
        english = self._tips.get(FALLBACK_LANGUAGE, ())
        own_ids = {tip.id for tip in own}
        return [*own, *(tip for tip in english if tip.id not in own_ids)]

    def safety_words(self, language: str) -> SafetyWords:
        """The words of `language` that say the safety points (none for a language without them)."""
        return self._safety.get(language) or SafetyWords(language, {}, ())

    def countries(self) -> list[Country]:
        """The countries with helplines, Kazakhstan first, then in the file's order."""
        return list(self._countries)

    def helplines(self, country: str | None = None) -> list[Helpline]:
        """The helplines of one country (its id in helplines.json), or of all countries for None."""
        return [
            helpline
            for entry in self._countries
            if country is None or entry.id == country
            for helpline in entry.helplines
        ]

    # --- rendering -------------------------------------------------------------------------------

    def render_markdown(self, article: Article, *, with_title: bool = True) -> str:
        """The article as Markdown to show, with its title and the helplines where it asks for them."""
        lines: list[str] = [f"# {article.title}", ""] if with_title else []
        for line in article.body.splitlines():
            if line.strip() == HELPLINES_MARKER:
                lines.extend(self.helplines_markdown(article.language).splitlines())
            else:
                lines.append(line)
        return "\n".join(lines).rstrip("\n") + "\n"

    def helplines_markdown(self, language: str) -> str:
        """Every country's helplines as Markdown, one list per country, Kazakhstan first."""
        parts: list[str] = []
        for country in self._countries:
            if not country.helplines:
                continue
            parts.append(f"### {country.name.get(language)}")
            parts.append("")
            for helpline in country.helplines:
                parts.append(_helpline_item(helpline, language))
            parts.append("")
        return "\n".join(parts)


def _helpline_item(helpline: Helpline, language: str) -> str:
    text = f"- **{helpline.number}** — {helpline.name.get(language)}. {helpline.description.get(language)}"
    if helpline.hours is not None:
        text += " " + label("hours", language, hours=helpline.hours.get(language))
    return text
