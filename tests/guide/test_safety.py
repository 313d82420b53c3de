"""The guide's promises across languages: the same safety points, helplines from helplines.json,
help wherever self-harm is mentioned, «ты» for teenagers in Russian, and tidy punctuation.

The phrases that say each piece of urgent advice, and the self-harm words, are each language's
own (`<code>/safety.md` in its guide folder)."""

from __future__ import annotations

import re

import pytest

from wellbeing_app.guide import HELP_ARTICLE_ID, LANGUAGES, Article, Category, Guide
from wellbeing_app.guide.content import HELPLINES_MARKER
from wellbeing_app.guide.safety import URGENT_ADVICE, dialable_numbers, numbers_in, says

#: Something that looks like a phone number: 8-800-2000-122, or three digits from 100 to 199 that
#: are not a percentage, a decimal or a count of minutes or hours (the cap's "120 minutes").
PHONE_LIKE = re.compile(
    r"(?<![\d,.–-])(?:\d-\d{3}-\d{3,4}-\d{2,4}|1\d\d)(?![\d,.]\d)(?!\s*(?:%|min|мин|минут|сағ|час|h\b))"
)
#: Articles that point the reader to help.
HELP_LINKS = (f"guide:{HELP_ARTICLE_ID}", "guide:supporting-someone")


def all_articles(guide: Guide) -> list[Article]:
    return [
        guide.require_article(article_id, language)
        for article_id in guide.article_ids()
        for language in LANGUAGES
    ]


def mentioned_helplines(guide: Guide, article: Article) -> set[str]:
    """The helpline numbers the reader of `article` is given: in its text, and every helpline
    where the page lists them all."""
    found = numbers_in(article.body, dialable_numbers(guide.countries()))
    if HELPLINES_MARKER in article.body:
        found |= {helpline.number for helpline in guide.helplines()}
    return found


def test_every_article_declares_the_same_safety_points_in_every_language(guide: Guide) -> None:
    for article_id in guide.article_ids():
        declared = {
            language: (
                sorted(guide.require_article(article_id, language).helplines),
                sorted(guide.require_article(article_id, language).urgent),
            )
            for language in LANGUAGES
        }
        assert declared["ru"] == declared["en"] == declared["kk"], article_id


def test_the_pages_about_danger_declare_the_points_they_must_give(guide: Guide) -> None:
    help_page = guide.require_article(HELP_ARTICLE_ID, "en")
    assert {"emergency-number", "self-harm-today", "not-a-secret"} <= set(help_page.urgent)
    assert "not-a-secret" in guide.require_article("supporting-someone", "en").urgent
    assert "doctor-for-body-signs" in guide.require_article("coping-with-anxiety", "en").urgent
    assert "strangers-online" in guide.require_article("talking-safely-online", "en").urgent
    assert "150" in guide.require_article("managing-anger", "en").helplines


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_gives_each_declared_piece_of_urgent_advice(guide: Guide, language: str) -> None:
    missing = [
        (article_id, name)
        for article_id in guide.article_ids()
        for name in guide.require_article(article_id, language).urgent
        if not says(
            guide.require_article(article_id, language).body, guide.safety_words(language).phrases(name)
        )
    ]
    assert missing == [], f"in {language}, these articles do not say their urgent advice: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_phrases_for_every_urgent_advice_and_self_harm_words(
    guide: Guide, language: str
) -> None:
    words = guide.safety_words(language)
    assert [name for name in URGENT_ADVICE if not words.phrases(name)] == []
    assert words.self_harm


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_mentions_exactly_the_declared_helplines(guide: Guide, language: str) -> None:
    wrong = {
        article.id: (sorted(mentioned_helplines(guide, article)), sorted(article.helplines))
        for article_id in guide.article_ids()
        if sorted(mentioned_helplines(guide, article := guide.require_article(article_id, language)))
        != sorted(article.helplines)
    }
    assert wrong == {}, f"{language}: (mentioned, declared) differ"


def test_every_phone_number_in_the_guide_is_in_helplines_json(guide: Guide) -> None:
    known = dialable_numbers(guide.countries())
    texts = [(f"{a.language}/{a.id}", a.body) for a in all_articles(guide)]
    texts += [
        (f"{language}/tips: {tip.id}", tip.text) for language in LANGUAGES for tip in guide.tips(language)
    ]
    unknown = [
        (where, found) for where, text in texts for found in PHONE_LIKE.findall(text) if found not in known
    ]
    assert unknown == []


def test_tips_give_the_same_helplines_in_every_language(guide: Guide) -> None:
    known = dialable_numbers(guide.countries())
    by_tip: dict[str, dict[str, set[str]]] = {}
    for language in LANGUAGES:
        for tip in guide.tips(language):
            by_tip.setdefault(tip.id, {})[language] = numbers_in(tip.text, known)
    assert {
        tip_id: found for tip_id, found in by_tip.items() if len({frozenset(n) for n in found.values()}) != 1
    } == {}


def test_the_helpline_finder_takes_whole_numbers_only() -> None:
    known = {"112", "150", "8-800-2000-122"}
    assert numbers_in("call 112-ге, not 1120 or 1500", known) == {"112"}
    assert numbers_in("в России — 8-800-2000-122.", known) == {"8-800-2000-122"}
    assert PHONE_LIKE.findall("from 40 to 120 minutes, 75 %, 4–12, call 113") == ["113"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_mention_of_self_harm_or_suicide_points_to_help(guide: Guide, language: str) -> None:
    def mentions(text: str) -> bool:
        return says(text, guide.safety_words(language).self_harm)

    without_help = [
        article.id
        for article_id in guide.article_ids()
        if mentions((article := guide.require_article(article_id, language)).body)
        and article.id != HELP_ARTICLE_ID
        and f"guide:{HELP_ARTICLE_ID}" not in article.body
    ]
    assert without_help == []
    tips_without_help = [
        tip.id
        for tip in guide.tips(language)
        if mentions(tip.text) and tip.related not in (HELP_ARTICLE_ID, "supporting-someone")
    ]
    assert tips_without_help == []
    # The check itself finds what it is for: the help page and the support page mention self-harm.
    assert mentions(guide.require_article(HELP_ARTICLE_ID, language).body)
    assert mentions(guide.require_article("supporting-someone", language).body)


# «вы» and the polite imperative address a reader as an adult or as a group. Texts for parents (their
# category, or a part headed «Родителям») may; the rest, written for teenagers, say «ты».
_RUSSIAN_VY = re.compile(r"(?<!\w)(вы|вас|вам|вами|ваш\w*|\w+(?:йте|ите)(?:сь)?)(?!\w)", re.IGNORECASE)
#: Words that end like a polite imperative but are not one.
_NOT_IMPERATIVE = {"защите", "сайте", "интернете"}


def _teen_lines(article: Article) -> list[str]:
    if article.category is Category.PARENTS:
        return []
    lines: list[str] = []
    for_parents = False
    for line in article.body.splitlines():
        if line.startswith("#") or (line.startswith("**") and line.rstrip().endswith(":**")):
            for_parents = "родител" in line.casefold()
        if not for_parents:
            lines.append(line)
    return lines


def test_russian_texts_for_teenagers_say_ty_not_vy(guide: Guide) -> None:
    texts = [
        (article.id, line)
        for article in (guide.require_article(i, "ru") for i in guide.article_ids())
        for line in _teen_lines(article)
    ]
    texts += [(tip.id, tip.text) for tip in guide.tips("ru")]
    found = [
        (where, word)
        for where, text in texts
        for word in _RUSSIAN_VY.findall(text)
        if word.casefold() not in _NOT_IMPERATIVE
    ]
    assert found == []


def test_the_vy_check_finds_what_it_is_for() -> None:
    assert _RUSSIAN_VY.findall("Если опасность прямо сейчас, звоните 112. Вам помогут.") == ["звоните", "Вам"]
    assert _RUSSIAN_VY.findall("Звони 112, тебе помогут.") == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_full_stop_inside_closing_quotes_and_no_three_dots(guide: Guide, language: str) -> None:
    texts = [
        (article.id, article.title + "\n" + article.summary + "\n" + article.body)
        for article in (guide.require_article(i, language) for i in guide.article_ids())
    ]
    texts += [(tip.id, tip.text) for tip in guide.tips(language)]
    inside = [(where, match) for where, text in texts for match in re.findall(r".{0,30}\.»", text)]
    dots = [(where, match) for where, text in texts for match in re.findall(r".{0,30}\.\.\.", text)]
    assert inside == []
    assert dots == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_ranges_of_numbers_use_an_en_dash(guide: Guide, language: str) -> None:
    hyphen_range = re.compile(r"(?<![\d-])\d{1,4}-\d{1,4}(?![\d-])")  # 4-12, not 8-800-2000-122 or 5-4-3-2-1
    texts = [guide.require_article(article_id, language).body for article_id in guide.article_ids()]
    texts += [tip.text for tip in guide.tips(language)]
    assert [found for text in texts for found in hyphen_range.findall(text)] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_link_between_articles_and_every_tip_leads_to_an_article(guide: Guide, language: str) -> None:
    targets = [
        (article_id, target)
        for article_id in guide.article_ids()
        for target in re.findall(r"\]\(guide:([^)\s]*)\)", guide.require_article(article_id, language).body)
    ]
    targets += [(tip.id, tip.related) for tip in guide.tips(language) if tip.related is not None]
    assert targets  # the guide does link its articles
    assert [(source, target) for source, target in targets if not guide.has_article(target)] == []
