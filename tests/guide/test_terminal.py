"""The guide as plain text for the command line."""

from __future__ import annotations

from pathlib import Path

from wellbeing_app.guide import Article, Category, Guide, format_article, format_list

from .conftest import GUIDE_ROOT

BODY = """\
Anger is **normal**. It is *information*, not an order.

## Cool down

- **Pause.** Step away for a minute and breathe out slowly, longer than you breathe in.
- Read [naming emotions](guide:naming-emotions).
1. Count to ten.

See [a page](https://example.org/anger) for more.
"""


def small_guide() -> Guide:
    anger = Article(
        "managing-anger",
        "Managing anger",
        Category.EMOTIONS,
        "en",
        ("anger",),
        4,
        "How to cool down.",
        BODY,
        Path("managing-anger.md"),
    )
    naming = Article(
        "naming-emotions",
        "Naming emotions",
        Category.EMOTIONS,
        "en",
        ("feelings",),
        3,
        "Words for feelings.",
        "Text.\n",
        Path("naming-emotions.md"),
    )
    return Guide({("en", anger.id): anger, ("en", naming.id): naming}, {}, ())


def test_one_article_as_plain_text() -> None:
    assert format_article(small_guide(), "managing-anger", "en", width=40) == (
        "Managing anger\n"
        "==============\n"
        "Emotions · 4 min\n"
        "\n"
        "How to cool down.\n"
        "\n"
        "Anger is normal. It is information, not\n"
        "an order.\n"
        "\n"
        "Cool down\n"
        "---------\n"
        "\n"
        "- Pause. Step away for a minute and\n"
        "  breathe out slowly, longer than you\n"
        "  breathe in.\n"
        "- Read naming emotions\n"
        "  (see: naming-emotions).\n"
        "1. Count to ten.\n"
        "\n"
        "See a page (https://example.org/anger)\n"
        "for more.\n"
    )


def test_a_real_article_fits_the_width_and_keeps_no_markup(guide: Guide) -> None:
    text = format_article(guide, "where-to-get-help", "ru", width=72)
    lines = text.splitlines()
    assert lines[0] == "Куда обратиться за помощью"
    assert lines[1] == "=" * len(lines[0])
    assert all(len(line) <= 72 for line in lines)
    assert "**" not in text
    assert "](guide:" not in text
    assert "(см.: supporting-someone)" in text
    assert "- 150 — Национальный телефон доверия для детей и молодёжи." in text
    assert "Казахстан\n~~~~~~~~~" in text


def test_the_list_groups_articles_by_category(guide: Guide) -> None:
    text = format_list(guide, "en")
    blocks = text.strip().split("\n\n")
    assert [block.splitlines()[0] for block in blocks] == [
        category.display_title("en") for category in Category
    ]
    assert "  managing-anger                   Managing anger (4 min)" in blocks[1].splitlines()
    articles = [
        path for path in (GUIDE_ROOT / "en").glob("*.md") if path.name not in ("tips.md", "safety.md")
    ]
    assert text.count(" min)") == len(articles)
