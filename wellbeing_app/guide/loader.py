"""Reading and checking the guide's files: articles, break tips, helplines and safety words.

The language-independent facts (which helplines exist, their numbers and sources) are in
`helplines.json` at the guide's root; everything in words is in each language's folder: its
articles, `tips.md`, `helplines.json` (the helplines' names, descriptions and hours) and
`safety.md` (the phrases that say each piece of urgent advice, and the self-harm words).

Bad content never raises: every problem becomes a GuideProblem naming the file and line. A file
that cannot be understood (unreadable, broken header, unknown category, wrong id or language) is
left out and the rest still load; a problem that does not stop a file from being read (a link to
an article that does not exist, a missing translation, a tip that is too long) is reported and
the file stays in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from wellbeing_app.core import languages
from wellbeing_app.core.record import record
from wellbeing_app.guide.content import HELPLINES_MARKER, Guide
from wellbeing_app.guide.model import (
    FALLBACK_LANGUAGE,
    Article,
    Category,
    Country,
    GuideProblem,
    Helpline,
    Localized,
    SafetyWords,
    Tip,
)
from wellbeing_app.guide.safety import SELF_HARM_SECTION, URGENT_ADVICE, dialable_numbers

ARTICLE_KEYS = (
    "id",
    "title",
    "category",
    "language",
    "tags",
    "reading_minutes",
    "summary",
    "helplines",
    "urgent",
)
TIPS_FILE = "tips.md"
SAFETY_FILE = "safety.md"
HELPLINES_FILE = "helplines.json"
MAX_TIP_CHARACTERS = 280
MAX_READING_MINUTES = 60

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_HEADER_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)\s*:\s*(.*)")
_GUIDE_LINK = re.compile(r"\]\(guide:([^)\s]*)\)")
_RAW_HTML = re.compile(r"<[A-Za-z/!]")
_IMAGE = re.compile(r"!\[[^\]]*\]\(")


_Read = TypeVar("_Read")


def _read_if_there(
    path: Path,
    language: str,
    problems: list[GuideProblem],
    parse: Callable[[Path, str, list[GuideProblem]], _Read | None],
    *,
    missing: str,
) -> _Read | None:
    """`parse` the file of one language, or a problem saying `missing` when there is none."""
    if not path.exists():
        problems.append(GuideProblem(path, None, missing))
        return None
    return parse(path, language, problems)


def load_guide(root: Path) -> Guide:
    """Read the guide under `root` (…/resources/guide); problems are in `guide.problems`."""
    problems: list[GuideProblem] = []
    parsed: dict[str, dict[str, _ParsedArticle]] = {}
    present: dict[str, dict[str, Path]] = {}
    tip_files: dict[str, _ParsedTips] = {}
    safety: dict[str, SafetyWords] = {}
    helpline_texts: dict[str, _HelplineTexts] = {}
    for language in languages.codes():
        folder = root / language
        parsed[language] = {}
        present[language] = {}
        if not folder.is_dir():
            problems.append(GuideProblem(folder, None, f"the {_language_name(language)} folder is missing"))
            continue
        for path in sorted(folder.glob("*.md")):
            if path.name in (TIPS_FILE, SAFETY_FILE):
                continue
            present[language][path.stem] = path
            article = _parse_article(path, language, problems)
            if article is not None:
                parsed[language][article.article.id] = article
        parsed_tips = _read_if_there(
            folder / TIPS_FILE, language, problems, _parse_tips,
            missing=f"the {_language_name(language)} break tips are missing",
        )  # fmt: skip
        if parsed_tips is not None:
            tip_files[language] = parsed_tips
        words = _read_if_there(
            folder / SAFETY_FILE, language, problems, _parse_safety,
            missing=f"the {_language_name(language)} safety words are missing: the phrases of each "
            f"urgent advice ({', '.join(URGENT_ADVICE)}) and the {SELF_HARM_SECTION}",
        )  # fmt: skip
        if words is not None:
            safety[language] = words
        texts = _read_helpline_texts(folder / HELPLINES_FILE, language, problems)
        if texts is not None:
            helpline_texts[language] = texts

    loaded_ids = {article_id for by_id in parsed.values() for article_id in by_id}
    _check_links(parsed, loaded_ids, problems)
    _check_translations(present, parsed, problems)
    tips = _checked_tips(tip_files, loaded_ids, problems)
    countries, listed_numbers = _load_helplines(root / HELPLINES_FILE, helpline_texts, problems)
    _check_safety_points(parsed, listed_numbers | dialable_numbers(countries), problems)
    articles = {
        (language, article_id): entry.article
        for language, by_id in parsed.items()
        for article_id, entry in by_id.items()
    }
    return Guide(articles, tips, countries, problems, safety)


# --- reading files -------------------------------------------------------------------------------


def _read_lines(path: Path, problems: list[GuideProblem]) -> list[str] | None:
    """The file's lines, or None (and a problem) when it cannot be read as UTF-8 text."""
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        problems.append(GuideProblem(path, None, f"cannot be read: {reason}"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        problems.append(
            GuideProblem(
                path,
                line,
                f"is not valid UTF-8 text (byte 0x{data[error.start]:02x} at column {column}); "
                "save it as UTF-8",
            )
        )
        return None
    return text.removeprefix("\ufeff").splitlines()


@record
class _Header:
    values: dict[str, tuple[str, int]]  # key → (value, line number)
    opening_line: int
    closing_line: int
    body_start: int  # index into the lines of the first body line


def _parse_header(
    path: Path, lines: list[str], known_keys: Iterable[str], problems: list[GuideProblem]
) -> _Header | None:
    """The `---` … `---` header at the top of a file; None (with problems) when it is unusable."""
    known = tuple(known_keys)
    if not lines or lines[0].strip() != "---":
        problems.append(GuideProblem(path, 1, "does not start with a header: the first line must be '---'"))
        return None
    closing = next((index for index in range(1, len(lines)) if lines[index].strip() == "---"), None)
    if closing is None:
        problems.append(
            GuideProblem(path, len(lines), "the header is never closed: add a '---' line after it")
        )
        return None
    values: dict[str, tuple[str, int]] = {}
    ok = True
    for index in range(1, closing):
        text = lines[index].strip()
        number = index + 1
        if not text:
            continue
        match = _HEADER_LINE.fullmatch(text)
        if match is None:
            problems.append(
                GuideProblem(path, number, f"expected 'key: value' in the header, found {text!r}")
            )
            ok = False
            continue
        key, value = match.group(1), match.group(2).strip()
        if key not in known:
            problems.append(
                GuideProblem(path, number, f"unknown header key '{key}'; the keys are: {', '.join(known)}")
            )
            ok = False
        elif key in values:
            problems.append(
                GuideProblem(path, number, f"'{key}' is given twice (first on line {values[key][1]})")
            )
            ok = False
        else:
            values[key] = (value, number)
    for key in known:
        if key not in values:
            problems.append(
                GuideProblem(
                    path,
                    closing + 1,
                    f"the header (lines 1–{closing + 1}) has no '{key}:' line; every key is required",
                )
            )
            ok = False
        elif not values[key][0]:
            problems.append(GuideProblem(path, values[key][1], f"'{key}' is empty"))
            ok = False
    if not ok:
        return None
    return _Header(values, 1, closing + 1, closing + 1)


def _check_language(path: Path, header: _Header, folder_language: str, problems: list[GuideProblem]) -> bool:
    language, line = header.values["language"]
    if language == folder_language:
        return True
    problems.append(
        GuideProblem(
            path,
            line,
            f"language is '{language}' but the file is in the '{folder_language}' folder; "
            f"they must be the same",
        )
    )
    return False


# --- articles ------------------------------------------------------------------------------------


@record
class _ParsedArticle:
    article: Article
    id_line: int
    links: tuple[tuple[str, int], ...]  # (target id, line number)
    helplines_line: int
    urgent_line: int


def _parse_article(path: Path, folder_language: str, problems: list[GuideProblem]) -> _ParsedArticle | None:
    lines = _read_lines(path, problems)
    if lines is None:
        return None
    header = _parse_header(path, lines, ARTICLE_KEYS, problems)
    if header is None:
        return None
    values = header.values
    ok = _check_language(path, header, folder_language, problems)

    article_id, id_line = values["id"]
    if article_id != path.stem:
        problems.append(
            GuideProblem(
                path,
                id_line,
                f"id '{article_id}' does not match the file name '{path.name}'; "
                f"rename the file to '{article_id}.md' or change the id",
            )
        )
        ok = False
    elif _ID.fullmatch(article_id) is None:
        problems.append(
            GuideProblem(path, id_line, f"id '{article_id}' may have only a-z, 0-9 and single hyphens")
        )
        ok = False

    category_text, category_line = values["category"]
    try:
        category = Category(category_text)
    except ValueError:
        choices = ", ".join(member.value for member in Category)
        problems.append(
            GuideProblem(path, category_line, f"unknown category '{category_text}'; use one of: {choices}")
        )
        ok = False

    lists: dict[str, tuple[str, ...]] = {}
    for key, example in (
        ("tags", "[stress, sleep]"),
        ("helplines", "[112, 150] or []"),
        ("urgent", "[emergency-number] or []"),
    ):
        list_text, list_line = values[key]
        if list_text.startswith("[") and list_text.endswith("]"):
            lists[key] = tuple(item.strip() for item in list_text[1:-1].split(",") if item.strip())
        else:
            problems.append(
                GuideProblem(
                    path, list_line, f"{key} must be a bracketed list like {example}, found {list_text!r}"
                )
            )
            ok = False
    for name in lists.get("urgent", ()):
        if name not in URGENT_ADVICE:
            problems.append(
                GuideProblem(
                    path,
                    values["urgent"][1],
                    f"unknown urgent advice '{name}'; the names are: {', '.join(URGENT_ADVICE)}",
                )
            )

    minutes_text, minutes_line = values["reading_minutes"]
    minutes = int(minutes_text) if minutes_text.isdigit() else 0
    if not 1 <= minutes <= MAX_READING_MINUTES:
        problems.append(
            GuideProblem(
                path,
                minutes_line,
                f"reading_minutes must be a whole number from 1 to {MAX_READING_MINUTES}, found {minutes_text!r}",
            )
        )
        ok = False

    body_lines = lines[header.body_start :]
    if not any(line.strip() for line in body_lines):
        problems.append(GuideProblem(path, header.closing_line, "the article has no text after the header"))
        ok = False
    if not ok:
        return None

    links: list[tuple[str, int]] = []
    for offset, line in enumerate(body_lines):
        number = header.body_start + offset + 1
        links.extend((target, number) for target in _GUIDE_LINK.findall(line))
        stripped = line.strip()
        if _IMAGE.search(line):
            problems.append(GuideProblem(path, number, "images are not allowed in articles"))
        elif stripped != HELPLINES_MARKER and _RAW_HTML.search(line):
            problems.append(GuideProblem(path, number, "raw HTML is not allowed in articles; use Markdown"))

    article = Article(
        id=article_id,
        title=values["title"][0],
        category=category,
        language=folder_language,
        tags=lists["tags"],
        reading_minutes=minutes,
        summary=values["summary"][0],
        body="\n".join(body_lines).strip("\n") + "\n",
        path=path,
        helplines=lists["helplines"],
        urgent=lists["urgent"],
    )
    return _ParsedArticle(article, id_line, tuple(links), values["helplines"][1], values["urgent"][1])


def _check_links(
    parsed: dict[str, dict[str, _ParsedArticle]], loaded_ids: set[str], problems: list[GuideProblem]
) -> None:
    for by_id in parsed.values():
        for entry in by_id.values():
            for target, line in entry.links:
                if target not in loaded_ids:
                    problems.append(
                        GuideProblem(
                            entry.article.path,
                            line,
                            f"the link 'guide:{target}' points to no article; "
                            f"check the id (articles: {', '.join(sorted(loaded_ids))})",
                        )
                    )


def _check_translations(
    present: dict[str, dict[str, Path]],
    parsed: dict[str, dict[str, _ParsedArticle]],
    problems: list[GuideProblem],
) -> None:
    all_ids = sorted({article_id for by_id in present.values() for article_id in by_id})
    for article_id in all_ids:
        have = [language for language in languages.codes() if article_id in present[language]]
        source_language = have[0]
        source = present[source_language][article_id]
        entry = parsed[source_language].get(article_id)
        line = entry.id_line if entry is not None else 1
        for language in languages.codes():
            if language in have:
                continue
            expected = Path(language) / f"{article_id}.md"
            problems.append(
                GuideProblem(
                    source,
                    line,
                    f"article '{article_id}' has no {_language_name(language)} translation: "
                    f"{expected} does not exist",
                )
            )


def _check_safety_points(
    parsed: dict[str, dict[str, _ParsedArticle]], numbers: frozenset[str], problems: list[GuideProblem]
) -> None:
    """Declared helplines are in helplines.json (`numbers`: those it lists and those the English
    texts name), and every translation declares what English does."""
    # With no numbers the file is broken or missing, which is reported already.
    known = numbers or None
    for by_id in parsed.values():
        for entry in by_id.values():
            article = entry.article
            for number in article.helplines:
                if known is not None and number not in known:
                    problems.append(
                        GuideProblem(
                            article.path,
                            entry.helplines_line,
                            f"helpline '{number}' is not in {HELPLINES_FILE}; "
                            f"declare only numbers written there",
                        )
                    )
            source = parsed.get(FALLBACK_LANGUAGE, {}).get(article.id)
            if source is None or article.language == FALLBACK_LANGUAGE:
                continue
            for key, line in (("helplines", entry.helplines_line), ("urgent", entry.urgent_line)):
                mine, theirs = getattr(article, key), getattr(source.article, key)
                if sorted(mine) != sorted(theirs):
                    problems.append(
                        GuideProblem(
                            article.path,
                            line,
                            f"{key} [{', '.join(mine)}] differ from the {_language_name(FALLBACK_LANGUAGE)} "
                            f"article's [{', '.join(theirs)}]; every language gives the same safety points",
                        )
                    )


# --- tips ----------------------------------------------------------------------------------------


@record
class _ParsedTips:
    path: Path
    tips: tuple[Tip, ...]
    heading_lines: dict[str, int]  # every tip id with a heading, good or bad → its line


def _parse_tips(path: Path, folder_language: str, problems: list[GuideProblem]) -> _ParsedTips | None:
    lines = _read_lines(path, problems)
    if lines is None:
        return None
    header = _parse_header(path, lines, ("language",), problems)
    if header is None or not _check_language(path, header, folder_language, problems):
        return None

    tips: list[Tip] = []
    heading_lines: dict[str, int] = {}
    index = header.body_start
    while index < len(lines):
        text = lines[index].strip()
        number = index + 1
        index += 1
        if not text:
            continue
        if not text.startswith("## "):
            problems.append(
                GuideProblem(
                    path, number, f"text outside a tip: each tip starts with '## tip-id', found {text[:40]!r}"
                )
            )
            while index < len(lines) and lines[index].strip() and not lines[index].startswith("## "):
                index += 1
            continue
        tip_id = text[3:].strip()
        block: list[tuple[str, int]] = []
        while index < len(lines) and lines[index].strip() and not lines[index].startswith("## "):
            block.append((lines[index].strip(), index + 1))
            index += 1
        tip = _parse_tip(path, folder_language, tip_id, number, block, heading_lines, problems)
        heading_lines.setdefault(tip_id, number)
        if tip is not None:
            tips.append(tip)
    return _ParsedTips(path, tuple(tips), heading_lines)


def _parse_tip(
    path: Path,
    language: str,
    tip_id: str,
    heading_line: int,
    block: list[tuple[str, int]],
    seen: dict[str, int],
    problems: list[GuideProblem],
) -> Tip | None:
    if _ID.fullmatch(tip_id) is None:
        problems.append(
            GuideProblem(path, heading_line, f"tip id '{tip_id}' may have only a-z, 0-9 and single hyphens")
        )
        return None
    if tip_id in seen:
        problems.append(
            GuideProblem(path, heading_line, f"tip '{tip_id}' is given twice (first on line {seen[tip_id]})")
        )
        return None
    related: str | None = None
    if block and block[0][0].startswith("related:"):
        related = block[0][0].removeprefix("related:").strip() or None
        block = block[1:]
    text = " ".join(line for line, _ in block)
    if not text:
        problems.append(GuideProblem(path, heading_line, f"tip '{tip_id}' has no text"))
        return None
    if len(text) > MAX_TIP_CHARACTERS:
        problems.append(
            GuideProblem(
                path,
                block[0][1],
                f"tip '{tip_id}' is {len(text)} characters long; at most {MAX_TIP_CHARACTERS} are allowed",
            )
        )
        return None
    return Tip(id=tip_id, language=language, text=text, related=related)


def _checked_tips(
    tip_files: dict[str, _ParsedTips], loaded_ids: set[str], problems: list[GuideProblem]
) -> dict[str, tuple[Tip, ...]]:
    """The tips per language, with links to unknown articles dropped and missing translations reported."""
    all_ids = {tip_id for parsed in tip_files.values() for tip_id in parsed.heading_lines}
    for language, parsed in tip_files.items():
        for tip_id in sorted(all_ids - parsed.heading_lines.keys()):
            other = next(p for p in tip_files.values() if tip_id in p.heading_lines)
            problems.append(
                GuideProblem(
                    other.path,
                    other.heading_lines[tip_id],
                    f"tip '{tip_id}' is missing from {Path(language) / TIPS_FILE}: "
                    f"every tip needs a {_language_name(language)} translation",
                )
            )
    result: dict[str, tuple[Tip, ...]] = {}
    for language, parsed in tip_files.items():
        tips: list[Tip] = []
        for tip in parsed.tips:
            if tip.related is not None and tip.related not in loaded_ids:
                problems.append(
                    GuideProblem(
                        parsed.path,
                        parsed.heading_lines[tip.id] + 1,
                        f"tip '{tip.id}' is related to '{tip.related}', which is no article",
                    )
                )
                tip = Tip(tip.id, tip.language, tip.text, None)
            tips.append(tip)
        result[language] = tuple(tips)
    return result


# --- safety words --------------------------------------------------------------------------------


def _parse_safety(path: Path, folder_language: str, problems: list[GuideProblem]) -> SafetyWords | None:
    """`<code>/safety.md`: a `## name` section per urgent advice and one for the self-harm words,
    each a list of `- phrase` lines."""
    lines = _read_lines(path, problems)
    if lines is None:
        return None
    header = _parse_header(path, lines, ("language",), problems)
    if header is None or not _check_language(path, header, folder_language, problems):
        return None
    names = (*URGENT_ADVICE, SELF_HARM_SECTION)
    sections: dict[str, list[str]] = {}
    heading_lines: dict[str, int] = {}
    current: list[str] | None = None
    in_section = False
    for index in range(header.body_start, len(lines)):
        text = lines[index].strip()
        number = index + 1
        if not text:
            continue
        if text.startswith("## "):
            name = text[3:].strip()
            current = None
            in_section = True
            if name not in names:
                problems.append(
                    GuideProblem(
                        path, number, f"unknown urgent advice '{name}'; the sections are: {', '.join(names)}"
                    )
                )
            elif name in sections:
                problems.append(
                    GuideProblem(
                        path, number, f"'{name}' is given twice (first on line {heading_lines[name]})"
                    )
                )
            else:
                current = sections[name] = []
                heading_lines[name] = number
        elif text.startswith("- ") and text[2:].strip():
            if current is not None:
                current.append(text[2:].strip())
            elif not in_section:  # (under an unknown or repeated heading: reported with it)
                problems.append(
                    GuideProblem(path, number, f"a phrase before any '## name' section: {text[:40]!r}")
                )
        else:
            problems.append(
                GuideProblem(path, number, f"expected '## name' or '- phrase', found {text[:40]!r}")
            )
    for name in names:
        if name not in sections:
            problems.append(
                GuideProblem(
                    path,
                    len(lines),
                    f"'{name}' has no phrases: add a '## {name}' section with at least one '- phrase'",
                )
            )
        elif not sections[name]:
            problems.append(
                GuideProblem(
                    path, heading_lines[name], f"'{name}' has no phrases: list at least one as '- phrase'"
                )
            )
    return SafetyWords(
        folder_language,
        {name: tuple(sections.get(name, ())) for name in URGENT_ADVICE},
        tuple(sections.get(SELF_HARM_SECTION, ())),
    )


# --- helplines -----------------------------------------------------------------------------------


@record
class _HelplineTexts:
    """One language's `helplines.json`: country id → its name and, by number, each helpline's texts."""

    path: Path
    lines: list[str]
    countries: dict[str, dict[str, Any]]

    def text(self, country_id: str, number: str | None, field: str) -> str | None:
        country = self.countries.get(country_id, {})
        entry = country if number is None else country.get("helplines", {}).get(number, {})
        value = entry.get(field) if isinstance(entry, dict) else None
        return value.strip() if isinstance(value, str) and value.strip() else None

    def line(self, country_id: str, number: str | None) -> int:
        """The line of the country's entry (or of its helpline `number`), else the file's first."""
        start = next((i for i, line in enumerate(self.lines) if f'"{country_id}"' in line), None)
        if start is None:
            return 1
        if number is not None:
            for index in range(start, len(self.lines)):
                if f'"{number}"' in self.lines[index]:
                    return index + 1
        return start + 1


def _read_helpline_texts(path: Path, language: str, problems: list[GuideProblem]) -> _HelplineTexts | None:
    if not path.exists():
        shown = "" if language == FALLBACK_LANGUAGE else "; English is shown"
        problems.append(
            GuideProblem(path, None, f"the {_language_name(language)} helpline texts are missing{shown}")
        )
        return None
    lines = _read_lines(path, problems)
    if lines is None:
        return None
    data = _json_object(path, lines, problems, "country id → its name and its helplines' texts by number")
    if data is None:
        return None
    countries: dict[str, dict[str, Any]] = {}
    locator = _Locator(lines)
    for country_id, entry in data.items():
        line = locator.find(f'"{country_id}"')
        if not isinstance(entry, dict) or not isinstance(entry.get("helplines", {}), dict):
            problems.append(
                GuideProblem(
                    path,
                    line,
                    f'country \'{country_id}\' must be an object with a "name" and "helplines": '
                    f'number → its "name", "description" and "hours"',
                )
            )
            continue
        countries[country_id] = entry
    return _HelplineTexts(path, lines, countries)


def _json_object(
    path: Path, lines: list[str], problems: list[GuideProblem], shape: str
) -> dict[str, Any] | None:
    try:
        data = json.loads("\n".join(lines))
    except json.JSONDecodeError as error:
        problems.append(
            GuideProblem(path, error.lineno, f"is not valid JSON: {error.msg} (column {error.colno})")
        )
        return None
    if not isinstance(data, dict):
        problems.append(GuideProblem(path, 1, f"must be a JSON object: {shape}"))
        return None
    return data


def _load_helplines(
    path: Path, texts: dict[str, _HelplineTexts], problems: list[GuideProblem]
) -> tuple[tuple[Country, ...], frozenset[str]]:
    """The countries whose helplines loaded, and every number the file lists (also those left out)."""
    lines = _read_lines(path, problems)
    if lines is None:
        return (), frozenset()
    data = _json_object(path, lines, problems, "country id → its helplines")
    if data is None:
        return (), frozenset()
    locator = _Locator(lines)
    countries: list[Country] = []
    listed: set[tuple[str, str | None]] = set()
    for country_id, entry in data.items():
        country_line = locator.find(f'"{country_id}"')
        if not isinstance(entry, dict) or not isinstance(entry.get("helplines"), list):
            problems.append(
                GuideProblem(path, country_line, f"country '{country_id}' needs a \"helplines\" list")
            )
            continue
        listed.add((country_id, None))
        for number_entry in entry["helplines"]:
            number = number_entry.get("number") if isinstance(number_entry, dict) else None
            if isinstance(number, str):
                listed.add((country_id, number.strip()))
        name = _localized(texts, country_id, None, "name", f"country '{country_id}'", problems)
        if name is None:
            continue
        helplines: list[Helpline] = []
        for number_entry in entry["helplines"]:
            helpline = _helpline(number_entry, country_id, path, locator, texts, problems)
            if helpline is not None:
                helplines.append(helpline)
        countries.append(Country(country_id, name, tuple(helplines)))
    _check_unknown_texts(texts, listed, problems)
    return tuple(countries), frozenset(number for _, number in listed if number is not None)


class _Locator:
    """Finds the line of a piece of JSON text, moving forward, for problems' line numbers."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._position = 0

    def find(self, needle: str) -> int:
        for index in range(self._position, len(self._lines)):
            if needle in self._lines[index]:
                self._position = index
                return index + 1
        return self._position + 1


def _helpline(
    entry: Any,
    country_id: str,
    path: Path,
    locator: _Locator,
    texts: dict[str, _HelplineTexts],
    problems: list[GuideProblem],
) -> Helpline | None:
    if not isinstance(entry, dict):
        problems.append(
            GuideProblem(path, locator.find("{"), f"a helpline of '{country_id}' must be a JSON object")
        )
        return None
    number = entry.get("number")
    line = locator.find(f'"{number}"') if isinstance(number, str) else locator.find('"number"')
    what = f"helpline {number} ({country_id})"
    if not isinstance(number, str) or not number.strip():
        problems.append(GuideProblem(path, line, f"a helpline of '{country_id}' has no \"number\" text"))
        return None
    number = number.strip()
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.append(GuideProblem(path, line, f'{what} needs a "source": where the number was checked'))
        return None
    name = _localized(texts, country_id, number, "name", what, problems)
    description = _localized(texts, country_id, number, "description", what, problems)
    if name is None or description is None:
        return None
    hours = _localized(texts, country_id, number, "hours", what, problems, required=False)
    return Helpline(number, name, description, hours, source.strip(), country_id)


def _localized(
    texts: dict[str, _HelplineTexts],
    country_id: str,
    number: str | None,
    field: str,
    what: str,
    problems: list[GuideProblem],
    *,
    required: bool = True,
) -> Localized | None:
    """A text of a country or helpline in each language, from the languages' helplines.json; a
    missing translation falls back to English (reported). Without an English text there is none
    (reported when `required`; hours are optional: none means they have not been checked)."""
    english = texts.get(FALLBACK_LANGUAGE)
    source = english.text(country_id, number, field) if english is not None else None
    if source is None:
        if required and english is not None:
            problems.append(
                GuideProblem(
                    english.path,
                    english.line(country_id, number),
                    f'{what} has no "{field}" text in {Path(FALLBACK_LANGUAGE) / HELPLINES_FILE}; '
                    "it is left out until it has one",
                )
            )
        return None
    by_language: dict[str, str] = {}
    for language in languages.codes():
        language_texts = texts.get(language)
        text = language_texts.text(country_id, number, field) if language_texts is not None else None
        if text is None and language_texts is not None:
            problems.append(
                GuideProblem(
                    language_texts.path,
                    language_texts.line(country_id, number),
                    f'{what} has no "{field}" text in {Path(language) / HELPLINES_FILE}; English is shown',
                )
            )
        by_language[language] = text if text is not None else source
    return Localized.of(by_language)


def _check_unknown_texts(
    texts: dict[str, _HelplineTexts], listed: set[tuple[str, str | None]], problems: list[GuideProblem]
) -> None:
    """Texts for a country or helpline that the shared helplines.json does not list are named."""
    for language_texts in texts.values():
        for country_id, entry in language_texts.countries.items():
            if (country_id, None) not in listed:
                problems.append(
                    GuideProblem(
                        language_texts.path,
                        language_texts.line(country_id, None),
                        f"country '{country_id}' is not in the guide's {HELPLINES_FILE}; "
                        f"add it there or remove its texts",
                    )
                )
                continue
            for number in entry.get("helplines", {}):
                if (country_id, number) not in listed:
                    problems.append(
                        GuideProblem(
                            language_texts.path,
                            language_texts.line(country_id, number),
                            f"helpline {number} ({country_id}) is not in the guide's {HELPLINES_FILE}; "
                            f"add it there or remove its texts",
                        )
                    )


def _language_name(code: str) -> str:
    language = languages.find(code)
    return language.english_name if language is not None else code
