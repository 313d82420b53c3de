"""The guide as plain text for a terminal: the list of articles and one article, wrapped."""

from __future__ import annotations

import re
import textwrap

from wellbeing_app.guide.content import Guide
from wellbeing_app.guide.model import label

_HEADING = re.compile(r"(#{1,6})\s+(.*)")
_BULLET = re.compile(r"([-*+])\s+(.*)")
_NUMBERED = re.compile(r"(\d+[.)])\s+(.*)")
_GUIDE_LINK = re.compile(r"\[([^\]]+)\]\(guide:([^)\s]*)\)")
_OTHER_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]*)\)")
_STRONG = re.compile(r"(\*\*|__)(.+?)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])")
_CODE = re.compile(r"`([^`]*)`")
_UNDERLINES = {1: "=", 2: "-", 3: "~"}
_KEEP = "\u00a0"


def format_list(guide: Guide, language: str) -> str:
    """Every article, grouped by category: id, title and reading time."""
    articles = guide.articles(language)
    width = max((len(article.id) for article in articles), default=0)
    blocks: list[str] = []
    for category in guide.categories(language):
        title = category.display_title(language)
        lines = [title, "-" * len(title)]
        for article in guide.in_category(category, language):
            minutes = label("minutes", language, minutes=article.reading_minutes)
            lines.append(f"  {article.id.ljust(width)}  {article.title} ({minutes})")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def format_article(guide: Guide, article_id: str, language: str, width: int = 80) -> str:
    """One article as wrapped plain text; UnknownArticleError for an id that is in no language."""
    article = guide.require_article(article_id, language)
    width = max(width, 20)
    minutes = label("minutes", article.language, minutes=article.reading_minutes)
    header = [
        *_heading(article.title, 1, width),
        f"{article.category.display_title(article.language)} · {minutes}",
        "",
        *_wrap(_inline(article.summary, article.language), width),
    ]
    body = _format_markdown(guide.render_markdown(article, with_title=False), article.language, width)
    return "\n".join(header) + "\n\n" + body


def _format_markdown(markdown: str, language: str, width: int) -> str:
    blocks: list[list[str]] = []
    paragraph: list[str] = []
    in_list = False  # the previous line was a list item (or its continuation)

    def flush() -> None:
        if paragraph:
            blocks.append(_wrap(_inline(" ".join(paragraph), language), width))
            paragraph.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        heading = _HEADING.fullmatch(line)
        item = _BULLET.fullmatch(line) or _NUMBERED.fullmatch(line)
        if not line:
            flush()
            in_list = False
        elif heading:
            flush()
            blocks.append(_heading(_inline(heading.group(2), language), len(heading.group(1)), width))
            in_list = False
        elif item:
            flush()
            marker = "-" if item.re is _BULLET else item.group(1)
            wrapped = _wrap(
                _inline(item.group(2), language),
                width,
                initial_indent=f"{marker} ",
                subsequent_indent=" " * (len(marker) + 1),
            )
            if in_list:
                blocks[-1].extend(wrapped)
            else:
                blocks.append(wrapped)
            in_list = True
        elif in_list:
            blocks[-1].extend(_wrap(_inline(line, language), width, "  ", "  "))
        else:
            paragraph.append(line)
    flush()
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _heading(text: str, level: int, width: int) -> list[str]:
    lines = _wrap(text, width)
    underline = _UNDERLINES.get(level)
    if underline is None:
        return lines
    return [*lines, underline * max(len(line) for line in lines)]


def _inline(text: str, language: str) -> str:
    """Markdown inline markup as plain text: links as 'text (see: id)', no emphasis markers."""
    # A no-break space keeps "(see: id)" on one line; _wrap turns it back into a space.
    text = _GUIDE_LINK.sub(
        lambda m: f"{m.group(1)} ({label('see', language, target=m.group(2)).replace(' ', _KEEP)})", text
    )
    text = _OTHER_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    return _CODE.sub(r"\1", text)


def _wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=initial_indent,
        subsequent_indent=subsequent_indent,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [initial_indent.rstrip()]
    return [line.replace(_KEEP, " ") for line in lines]
