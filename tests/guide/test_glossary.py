"""The glossary's terms are the words the interface and the guide use, in Russian and Kazakh."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from wellbeing_app.guide import HELP_ARTICLE_ID, Guide
from wellbeing_app.po import parse_po

from .conftest import GUIDE_ROOT

GLOSSARY = GUIDE_ROOT / "GLOSSARY.md"
LOCALE = GUIDE_ROOT.parent / "locale"
#: The articles that explain the app's settings to the reader.
APP_ARTICLES = ("healthy-screen-habits", "sleep-and-screens", "parents-setting-limits")


@dataclass(frozen=True)
class Term:
    section: str
    en: str
    ru: str
    kk: str
    avoid: tuple[str, ...]

    def in_language(self, language: str) -> str:
        text: str = getattr(self, language)
        return text


def read_glossary(path: Path = GLOSSARY) -> list[Term]:
    terms: list[Term] = []
    section = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 4 or cells[0] in ("English", "---"):
            continue
        avoid = tuple(re.findall(r"«([^»]+)»", cells[3]))
        terms.append(Term(section, cells[0], cells[1], cells[2], avoid))
    return terms


def pattern(term: str) -> re.Pattern[str]:
    """Any form of `term`: each word by its start (the ending may change), bracketed words optional."""
    parts: list[str] = []
    for optional, word in re.findall(r"(\()?(\w+)\)?", term):
        stem = word if len(word) <= 4 else word[: max(4, len(word) - 3)]
        part = rf"{re.escape(stem)}\w*\W+"
        parts.append(f"(?:{part})?" if optional else part)
    return re.compile(r"(?<!\w)" + "".join(parts)[: -len(r"\W+")], re.IGNORECASE)


def _english(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(term)}s?(?!\w)", re.IGNORECASE)


TERMS = read_glossary()
_LINK = re.compile(r"\]\([^)]*\)")


def test_the_glossary_has_both_sections_and_the_well_being_term() -> None:
    assert {term.section for term in TERMS} == {"The app", "Well-being and help"}
    well_being = next(term for term in TERMS if term.en == "mental well-being")
    assert (well_being.ru, well_being.kk) == ("психическое благополучие", "психикалық саулық")


def test_a_term_matches_its_other_forms_only() -> None:
    assert pattern("психическое благополучие").search("о психическом благополучии")
    assert pattern("(время) отдыха от экрана").search("Добавить период отдыха от экрана")
    assert pattern("(время) отдыха от экрана").search("Время отдыха от экрана")
    assert not pattern("психическое благополучие").search("душевное благополучие")


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_interface_says_each_term_as_the_glossary_does(language: str) -> None:
    catalog = parse_po((LOCALE / f"{language}.po").read_text(encoding="utf-8"))
    wrong = [
        (term.en, msgid, entry.msgstr or entry.plural_strs)
        for term in TERMS
        for msgid, entry in catalog.items()
        if msgid
        and _english(term.en).search(msgid)
        and not pattern(term.in_language(language)).search(" ".join([entry.msgstr, *entry.plural_strs]))
    ]
    assert wrong == []


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_articles_about_the_app_say_each_term_as_the_glossary_does(guide: Guide, language: str) -> None:
    wrong = []
    for article_id in APP_ARTICLES:
        english = guide.require_article(article_id, "en")
        translated = guide.require_article(article_id, language)
        for term in TERMS:
            if term.section != "The app" or not _english(term.en).search(_LINK.sub("", english.body)):
                continue
            if not pattern(term.in_language(language)).search(translated.title + "\n" + translated.body):
                wrong.append((article_id, term.en))
    assert wrong == []


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_help_page_says_each_help_term(guide: Guide, language: str) -> None:
    page = guide.require_article(HELP_ARTICLE_ID, language)
    text = "\n".join((page.title, page.summary, page.body))
    missing = [
        term.en
        for term in TERMS
        if term.section == "Well-being and help"
        and term.en != "mental well-being"
        and not (_english(term.en) if language == "en" else pattern(term.in_language(language))).search(text)
    ]
    assert missing == []


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_words_the_glossary_retired_appear_nowhere(guide: Guide, language: str) -> None:
    catalog = parse_po((LOCALE / f"{language}.po").read_text(encoding="utf-8"))
    texts = [entry.msgstr for entry in catalog.values() if entry.msgid]
    for article_id in guide.article_ids():
        article = guide.require_article(article_id, language)
        texts.extend((article.title, article.summary, article.body))
    texts.extend(tip.text for tip in guide.tips(language))
    texts.extend(category.display_title(language) for category in guide.categories(language))
    found = [
        (retired, text[:60])
        for term in TERMS
        for retired in term.avoid
        for text in texts
        if pattern(retired).search(text)
    ]
    assert found == []
