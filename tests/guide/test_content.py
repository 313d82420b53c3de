"""The real guide content: complete in every language, searchable, with the helplines shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wellbeing_app.guide import (
    HELP_ARTICLE_ID,
    LANGUAGES,
    Article,
    Category,
    Guide,
    UnknownArticleError,
    fold,
    load_guide,
)

from .conftest import GUIDE_ROOT

OUTLINE = GUIDE_ROOT / "OUTLINE.md"


def outline_ids(section: str) -> list[str]:
    """The ids in the first column of the table under `## <section>` of OUTLINE.md."""
    text = OUTLINE.read_text(encoding="utf-8").split(f"\n## {section}")[1].split("\n## ")[0]
    ids = re.findall(r"^\| ([a-z0-9-]+) \|", text, flags=re.MULTILINE)
    return [found for found in ids if found != "id" and found[0].isalpha()]


def test_the_real_guide_loads_without_problems(guide: Guide) -> None:
    assert [str(problem) for problem in guide.problems] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_article_of_the_outline_exists_in_every_language(guide: Guide, language: str) -> None:
    expected = outline_ids("Articles")
    assert len(expected) == 14
    assert sorted(guide.article_ids()) == sorted(expected)
    for article_id in expected:
        article = guide.require_article(article_id, language)
        assert article.language == language
        assert article.path == GUIDE_ROOT / language / f"{article_id}.md"
        assert article.title
        assert article.summary
        assert article.tags


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_tip_of_the_outline_exists_in_every_language(guide: Guide, language: str) -> None:
    expected = outline_ids("Tips")
    assert len(expected) == 45
    tips = guide.tips(language)
    assert [tip.id for tip in tips] == expected
    assert all(tip.language == language for tip in tips)
    assert all(0 < len(tip.text) <= 280 for tip in tips)
    assert all(tip.related is None or guide.has_article(tip.related) for tip in tips)


def test_tips_relate_to_the_same_article_in_every_language(guide: Guide) -> None:
    related = {language: [tip.related for tip in guide.tips(language)] for language in LANGUAGES}
    assert related["ru"] == related["en"]
    assert related["kk"] == related["en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_articles_are_listed_by_category_then_title(guide: Guide, language: str) -> None:
    articles = guide.articles(language)
    keys = [(article.category.order, fold(article.title)) for article in articles]
    assert keys == sorted(keys)
    assert guide.categories(language) == list(Category)
    assert articles[-1].id == HELP_ARTICLE_ID


def test_category_titles_exist_in_every_language() -> None:
    for category in Category:
        titles = {category.display_title(language) for language in LANGUAGES}
        assert len(titles) == 3, category
    assert Category.EMOTIONS.display_title("ru") == "Эмоции"
    assert Category.EMOTIONS.display_title("xx") == "Emotions"


@pytest.mark.parametrize(
    ("language", "query"),
    [
        ("en", "anger"),
        ("en", "ANGER"),
        ("ru", "гнев"),
        ("ru", "ГНЕВ"),
        ("ru", "злость"),
        ("kk", "ашу"),
        ("kk", "АШУ"),
    ],
)
def test_search_finds_the_anger_article_first(guide: Guide, language: str, query: str) -> None:
    results = guide.search(query, language)
    assert results[0].id == "managing-anger"
    assert results[0].language == language


def test_search_matches_word_starts_so_anger_is_not_danger(guide: Guide) -> None:
    # where-to-get-help speaks of "immediate danger" but not of anger.
    assert HELP_ARTICLE_ID not in [article.id for article in guide.search("anger", "en")]


def test_search_needs_every_word(guide: Guide) -> None:
    both = {article.id for article in guide.search("sleep screens", "en")}
    assert "sleep-and-screens" in both
    assert both <= {article.id for article in guide.search("sleep", "en")}
    assert guide.search("sleep zzzqqq", "en") == []
    assert guide.search("   ", "en") == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_finds_the_helpline_numbers_on_the_help_page(guide: Guide, language: str) -> None:
    # The numbers are in helplines.json, not in the article's own text.
    assert HELP_ARTICLE_ID in [article.id for article in guide.search("8-800-2000-122", language)]


def _article(article_id: str, title: str, tags: tuple[str, ...], body: str) -> Article:
    return Article(
        article_id, title, Category.EMOTIONS, "en", tags, 1, "A summary.", body, Path(f"{article_id}.md")
    )


def test_search_ranks_title_over_tags_over_body() -> None:
    articles = [
        _article("in-body", "Alpha", ("other",), "Some text about calm breathing.\n"),
        _article("in-tags", "Beta", ("calm",), "Nothing here.\n"),
        _article("in-title", "Staying calm", ("other",), "Nothing here.\n"),
    ]
    guide = Guide({("en", article.id): article for article in articles}, {}, ())
    assert [article.id for article in guide.search("Calm", "en")] == ["in-title", "in-tags", "in-body"]


def test_fold_is_case_and_accent_blind_and_keeps_cyrillic_letters() -> None:
    assert fold("CAFÉ") == fold("cafe")
    assert fold("Ёжик") == fold("ежик")
    assert fold("Гнев") == "гнев"
    assert fold("ҚАЗАҚСТАН") == "қазақстан"
    assert fold("Әже Ұлы Үй Іні Өзен Ғалым Ңң Һ") == "әже ұлы үй іні өзен ғалым ңң һ"
    assert fold("Йод") == "йод"
    assert fold("йод") != fold("иод")


def test_an_unknown_article_id_is_an_error_that_names_it(guide: Guide) -> None:
    assert guide.article("no-such-thing", "en") is None
    with pytest.raises(
        UnknownArticleError, match="no guide article 'no-such-thing'; known articles: bullying"
    ):
        guide.require_article("no-such-thing", "en")


def test_a_missing_translation_falls_back_to_english(guide_copy: Path) -> None:
    (guide_copy / "kk" / "sleep-and-screens.md").unlink()
    guide = load_guide(guide_copy)
    article = guide.require_article("sleep-and-screens", "kk")
    assert article.language == "en"
    assert article.title == "Sleep and screens"
    assert "sleep-and-screens" in [article.id for article in guide.articles("kk")]


# --- helplines ---------------------------------------------------------------------------------


def test_helplines_by_country_kazakhstan_first(guide: Guide) -> None:
    assert [country.id for country in guide.countries()] == ["kazakhstan", "russia", "europe"]
    assert [helpline.number for helpline in guide.helplines("kazakhstan")] == ["112", "150", "111"]
    assert [helpline.number for helpline in guide.helplines("russia")] == ["8-800-2000-122", "112"]
    assert [helpline.number for helpline in guide.helplines(None)] == [
        "112",
        "150",
        "111",
        "8-800-2000-122",
        "112",
        "112",
    ]
    assert guide.helplines("atlantis") == []
    assert all(helpline.source for helpline in guide.helplines(None))


@pytest.mark.parametrize(
    ("language", "kazakhstan", "child_line", "hours"),
    [
        ("en", "### Kazakhstan", "National Helpline for Children and Youth", "Hours: around the clock"),
        (
            "ru",
            "### Казахстан",
            "Национальный телефон доверия для детей и молодёжи",
            "Часы работы: круглосуточно",
        ),
        (
            "kk",
            "### Қазақстан",
            "Балалар мен жастарға арналған ұлттық сенім телефоны",
            "Жұмыс уақыты: тәулік бойы",
        ),
    ],
)
def test_helplines_are_shown_on_the_help_page_in_each_language(
    guide: Guide, language: str, kazakhstan: str, child_line: str, hours: str
) -> None:
    article = guide.require_article(HELP_ARTICLE_ID, language)
    assert "<!-- helplines -->" in article.body
    markdown = guide.render_markdown(article)
    assert "<!-- helplines -->" not in markdown
    assert markdown.startswith(f"# {article.title}\n")
    assert f"- **150** — {child_line}." in markdown
    assert "- **111** — " in markdown
    assert "- **8-800-2000-122** — " in markdown
    assert hours in markdown
    # Kazakhstan first, then the others in the file's order.
    russia = guide.countries()[1].name.get(language)
    europe = guide.countries()[2].name.get(language)
    assert markdown.index(kazakhstan) < markdown.index(f"### {russia}") < markdown.index(f"### {europe}")
    # The text around the list is still there: the list replaced only the marker's line.
    body_lines = [line for line in article.body.splitlines() if line.strip() != "<!-- helplines -->"]
    assert all(line in markdown for line in body_lines)


def test_an_article_without_the_marker_is_rendered_as_written(guide: Guide) -> None:
    article = guide.require_article("managing-anger", "en")
    assert guide.render_markdown(article, with_title=False) == article.body
