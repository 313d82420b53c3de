"""Broken guide files: each problem names the file and line, and everything else still loads."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from wellbeing_app.guide import Guide, GuideProblem, load_guide

from .conftest import line_of, replace_line

ARTICLE = Path("en") / "managing-anger.md"


def problems_in(guide: Guide, root: Path, relative: Path) -> list[GuideProblem]:
    return [problem for problem in guide.problems if problem.path == root / relative]


def the_only_problem(guide: Guide, root: Path, relative: Path) -> GuideProblem:
    assert [problem.path.relative_to(root) for problem in guide.problems] == [relative], [
        str(problem) for problem in guide.problems
    ]
    return guide.problems[0]


def assert_others_load(guide: Guide, skipped: str | None = None, language: str = "en") -> None:
    """Every article other than `skipped` is there in `language`, and all the tips."""
    for article_id in guide.article_ids():
        if article_id != skipped:
            assert guide.require_article(article_id, language).language == language
    assert len(guide.article_ids()) == 14
    assert len(guide.tips(language)) == 45


def test_a_missing_header_key_is_named_and_the_file_skipped(guide_copy: Path) -> None:
    path = guide_copy / ARTICLE
    summary = next(
        line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("summary:")
    )
    replace_line(path, summary, None)
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, ARTICLE)
    assert problem.line == 10  # the closing '---', where the line is missing
    assert "no 'summary:' line" in problem.message
    assert str(problem) == f"{path}:10: {problem.message}"
    # The English article is gone; the reader falls back to another language.
    assert guide.require_article("managing-anger", "en").language != "en"
    assert_others_load(guide, skipped="managing-anger")


def test_an_unknown_category_is_named_with_the_choices(guide_copy: Path) -> None:
    path = guide_copy / ARTICLE
    line = replace_line(path, "category: emotions", "category: feelings")
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, ARTICLE)
    assert (problem.line, line) == (4, 4)
    assert "unknown category 'feelings'" in problem.message
    assert "healthy-mind, emotions, talking" in problem.message
    assert_others_load(guide, skipped="managing-anger")


def test_a_broken_link_is_named_and_the_article_still_loads(guide_copy: Path) -> None:
    path = guide_copy / ARTICLE
    line = line_of(path, "](guide:naming-emotions)")
    text = path.read_text(encoding="utf-8").replace("](guide:naming-emotions)", "](guide:naming-feelings)")
    path.write_text(text, encoding="utf-8")
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, ARTICLE)
    assert problem.line == line
    assert "'guide:naming-feelings' points to no article" in problem.message
    assert guide.require_article("managing-anger", "en").language == "en"
    assert_others_load(guide)


def test_an_id_that_differs_from_the_file_name_is_named(guide_copy: Path) -> None:
    path = guide_copy / ARTICLE
    replace_line(path, "id: managing-anger", "id: managing-angry")
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, ARTICLE)
    assert problem.line == 2
    assert "id 'managing-angry' does not match the file name 'managing-anger.md'" in problem.message
    assert_others_load(guide, skipped="managing-anger")


def test_a_language_that_differs_from_the_folder_is_named(guide_copy: Path) -> None:
    path = guide_copy / ARTICLE
    replace_line(path, "language: en", "language: ru")
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, ARTICLE)
    assert problem.line == 5
    assert "language is 'ru' but the file is in the 'en' folder" in problem.message


def test_bad_utf8_is_named_with_its_line(guide_copy: Path) -> None:
    path = guide_copy / ARTICLE
    lines = path.read_bytes().split(b"\n")
    lines[11] = lines[11][:10] + b"\xff\xfe" + lines[11][10:]
    path.write_bytes(b"\n".join(lines))
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, ARTICLE)
    assert problem.line == 12
    assert "is not valid UTF-8 text (byte 0xff at column 11)" in problem.message
    assert_others_load(guide, skipped="managing-anger")


def test_an_unreadable_file_is_a_problem_not_an_error(
    guide_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreadable = guide_copy / ARTICLE
    read_bytes = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == unreadable:
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, ARTICLE)
    assert problem.line is None
    assert problem.message == "cannot be read: Permission denied"
    assert str(problem) == f"{unreadable}: cannot be read: Permission denied"
    assert_others_load(guide, skipped="managing-anger")


def test_a_folder_named_like_an_article_is_a_problem(guide_copy: Path) -> None:
    (guide_copy / "en" / "strange.md").mkdir()
    guide = load_guide(guide_copy)
    messages = [str(problem) for problem in problems_in(guide, guide_copy, Path("en") / "strange.md")]
    assert messages[0].endswith("cannot be read: Is a directory")
    # It also has no translations, which is reported against the same path.
    assert "'strange' has no Russian translation" in messages[1]


def test_a_missing_translation_is_named(guide_copy: Path) -> None:
    (guide_copy / "kk" / "sleep-and-screens.md").unlink()
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, Path("en") / "sleep-and-screens.md")
    assert problem.line == 2
    assert problem.message == (
        "article 'sleep-and-screens' has no Kazakh translation: kk/sleep-and-screens.md does not exist"
    )
    assert_others_load(guide, language="ru")


def test_a_header_that_is_never_closed_is_named(guide_copy: Path) -> None:
    path = guide_copy / ARTICLE
    text = path.read_text(encoding="utf-8").split("\n")
    closing = text.index("---", 1)
    del text[closing]
    path.write_text("\n".join(text), encoding="utf-8")
    guide = load_guide(guide_copy)
    problems = problems_in(guide, guide_copy, ARTICLE)
    assert len(problems) == 1
    assert "the header is never closed" in problems[0].message


def test_a_tip_that_is_too_long_is_named_and_the_others_load(guide_copy: Path) -> None:
    tips = guide_copy / "ru" / "tips.md"
    original = next(
        line for line in tips.read_text(encoding="utf-8").splitlines() if line.startswith("Медленно моргни")
    )
    line = replace_line(tips, original, original + " " + "Моргай медленно и спокойно. " * 10)
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, Path("ru") / "tips.md")
    assert problem.line == line
    assert "tip 'blink-slowly' is " in problem.message
    assert "characters long; at most 280 are allowed" in problem.message
    russian = [tip for tip in guide.tips("ru") if tip.language == "ru"]
    assert len(russian) == 44
    assert "blink-slowly" not in [tip.id for tip in russian]
    # The English tip stands in for the one that could not be used.
    assert [tip.language for tip in guide.tips("ru") if tip.id == "blink-slowly"] == ["en"]


def test_a_tip_missing_from_one_language_is_named(guide_copy: Path) -> None:
    tips = guide_copy / "kk" / "tips.md"
    text = tips.read_text(encoding="utf-8")
    start = text.index("## drink-water")
    end = text.index("## ", start + 3)
    tips.write_text(text[:start] + text[end:], encoding="utf-8")
    guide = load_guide(guide_copy)
    english = guide_copy / "en" / "tips.md"
    problem = the_only_problem(guide, guide_copy, Path("en") / "tips.md")
    assert problem.line == line_of(english, "## drink-water")
    assert problem.message == (
        "tip 'drink-water' is missing from kk/tips.md: every tip needs a Kazakh translation"
    )


def test_a_tip_related_to_no_article_is_kept_without_the_link(guide_copy: Path) -> None:
    tips = guide_copy / "en" / "tips.md"
    text = tips.read_text(encoding="utf-8").replace(
        "## drink-water\nrelated: coping-with-stress", "## drink-water\nrelated: drinking"
    )
    tips.write_text(text, encoding="utf-8")
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, Path("en") / "tips.md")
    assert problem.line == line_of(tips, "related: drinking")
    assert "related to 'drinking', which is no article" in problem.message
    assert [tip.related for tip in guide.tips("en") if tip.id == "drink-water"] == [None]


def test_broken_helplines_json_is_named_with_its_line(guide_copy: Path) -> None:
    path = guide_copy / "helplines.json"
    line = line_of(path, '"number": "150"')
    replace_line(path, '        "number": "150",', '        "number": "150"')
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, Path("helplines.json"))
    assert problem.line == line + 1
    assert "is not valid JSON" in problem.message
    assert guide.helplines(None) == []
    assert_others_load(guide)


def test_a_helpline_without_a_source_is_left_out(guide_copy: Path) -> None:
    path = guide_copy / "helplines.json"
    source = next(line for line in path.read_text(encoding="utf-8").splitlines() if "Union of Crisis" in line)
    replace_line(path, source, '        "source": ""')
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, Path("helplines.json"))
    assert problem.line == line_of(path, '"number": "150"')
    assert 'helpline 150 (kazakhstan) needs a "source"' in problem.message
    assert [helpline.number for helpline in guide.helplines("kazakhstan")] == ["112", "111"]


def test_a_missing_folder_is_a_problem(guide_copy: Path) -> None:
    for path in (guide_copy / "kk").iterdir():
        path.unlink()
    (guide_copy / "kk").rmdir()
    guide = load_guide(guide_copy)
    assert str(guide.problems[0]) == f"{guide_copy / 'kk'}: the Kazakh folder is missing"
    assert guide.require_article("managing-anger", "kk").language == "en"
    assert len(guide.tips("kk")) == 45


def test_an_empty_folder_loads_as_an_empty_guide(tmp_path: Path) -> None:
    guide = load_guide(tmp_path)
    assert guide.articles("en") == []
    assert guide.tips("en") == []
    assert guide.search("anger", "en") == []
    assert len(guide.problems) == 4  # three folders and helplines.json


def test_an_unknown_urgent_advice_name_is_named_with_the_names(guide_copy: Path) -> None:
    path = guide_copy / ARTICLE
    line = replace_line(path, "urgent: []", "urgent: [call-someone]")
    guide = load_guide(guide_copy)
    problem = problems_in(guide, guide_copy, ARTICLE)[0]
    assert problem.line == line
    assert "unknown urgent advice 'call-someone'" in problem.message
    assert "emergency-number" in problem.message
    assert "self-harm-today" in problem.message
    # The article still loads: its text is shown although its declaration is wrong.
    assert guide.require_article("managing-anger", "en").language == "en"


def test_a_declared_helpline_that_is_not_in_helplines_json_is_named(guide_copy: Path) -> None:
    path = guide_copy / ARTICLE
    line = line_of(path, "helplines:")
    replace_line(path, "helplines: [150, 111, 8-800-2000-122]", "helplines: [150, 111, 8-800-2000-122, 115]")
    guide = load_guide(guide_copy)
    messages = [(problem.line, problem.message) for problem in problems_in(guide, guide_copy, ARTICLE)]
    assert (line, "helpline '115' is not in helplines.json; declare only numbers written there") in messages
    # The article still loads: its text is shown although its declaration is wrong.
    assert guide.require_article("managing-anger", "en").language == "en"


def test_a_translation_that_declares_other_safety_points_is_named(guide_copy: Path) -> None:
    relative = Path("kk") / "supporting-someone.md"
    line = replace_line(
        guide_copy / relative, "urgent: [emergency-number, not-a-secret]", "urgent: [emergency-number]"
    )
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, relative)
    assert problem.line == line
    assert problem.message == (
        "urgent [emergency-number] differ from the English article's [emergency-number, not-a-secret]; "
        "every language gives the same safety points"
    )


def edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_a_missing_helpline_text_is_named_in_its_language_file_and_english_shown(guide_copy: Path) -> None:
    path = guide_copy / "kk" / "helplines.json"
    edit_json(path, lambda data: data["kazakhstan"]["helplines"]["150"].pop("description"))
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, Path("kk") / "helplines.json")
    assert problem.line == line_of(path, '"150": {')
    assert problem.message == (
        'helpline 150 (kazakhstan) has no "description" text in kk/helplines.json; English is shown'
    )
    helpline = next(h for h in guide.helplines("kazakhstan") if h.number == "150")
    assert helpline.description.get("kk") == helpline.description.get("en")
    assert helpline.name.get("kk") == "Балалар мен жастарға арналған ұлттық сенім телефоны"


def test_texts_for_a_helpline_that_helplines_json_does_not_list_are_named(guide_copy: Path) -> None:
    path = guide_copy / "ru" / "helplines.json"
    edit_json(
        path,
        lambda data: data["russia"]["helplines"].update({"115": {"name": "Справка", "description": "Нет."}}),
    )
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, Path("ru") / "helplines.json")
    assert problem.line == line_of(path, '"115": {')
    assert "helpline 115 (russia) is not in the guide's helplines.json" in problem.message


def test_an_unknown_advice_name_in_the_safety_words_is_named_with_its_line(guide_copy: Path) -> None:
    path = guide_copy / "ru" / "safety.md"
    line = replace_line(path, "## strangers-online", "## strangers")
    guide = load_guide(guide_copy)
    messages = [
        (problem.line, problem.message)
        for problem in problems_in(guide, guide_copy, Path("ru") / "safety.md")
    ]
    assert messages[0][0] == line
    assert messages[0][1].startswith(
        "unknown urgent advice 'strangers'; the sections are: emergency-number, "
    )
    # …and so the real name has no phrases left, which is named too.
    assert "'strangers-online' has no phrases" in messages[1][1]
    assert guide.safety_words("ru").phrases("strangers-online") == ()
    assert guide.safety_words("ru").phrases("emergency-number") == (
        "звони по номеру экстренных служб",
        "звони 112",
    )


def test_an_advice_point_with_no_phrase_is_named_with_its_line(guide_copy: Path) -> None:
    path = guide_copy / "kk" / "safety.md"
    replace_line(path, "- бүгін сенімді ересекке айт", None)
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, Path("kk") / "safety.md")
    assert problem.line == line_of(path, "## self-harm-today")
    assert problem.message == "'self-harm-today' has no phrases: list at least one as '- phrase'"


def test_missing_safety_words_and_helpline_texts_are_named(guide_copy: Path) -> None:
    (guide_copy / "kk" / "safety.md").unlink()
    (guide_copy / "kk" / "helplines.json").unlink()
    guide = load_guide(guide_copy)
    assert [str(problem) for problem in guide.problems] == [
        f"{guide_copy / 'kk' / 'safety.md'}: the Kazakh safety words are missing: the phrases of each "
        "urgent advice (emergency-number, self-harm-today, not-a-secret, doctor-for-body-signs, "
        "strangers-online) and the self-harm-words",
        f"{guide_copy / 'kk' / 'helplines.json'}: the Kazakh helpline texts are missing; English is shown",
    ]
    assert guide.helplines("kazakhstan")[0].name.get("kk") == "Emergency number"


def test_a_helpline_without_an_english_name_is_left_out_and_named(guide_copy: Path) -> None:
    path = guide_copy / "en" / "helplines.json"
    edit_json(path, lambda data: data["russia"]["helplines"]["8-800-2000-122"].pop("name"))
    guide = load_guide(guide_copy)
    problem = the_only_problem(guide, guide_copy, Path("en") / "helplines.json")
    assert problem.line == line_of(path, '"8-800-2000-122": {')
    assert problem.message == (
        'helpline 8-800-2000-122 (russia) has no "name" text in en/helplines.json; '
        "it is left out until it has one"
    )
    assert [helpline.number for helpline in guide.helplines("russia")] == ["112"]
