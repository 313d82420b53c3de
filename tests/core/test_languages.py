"""The languages are declared once, and their plural rules are the ones their catalogs state."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest

from wellbeing_app.core import languages
from wellbeing_app.po import parse_po

LOCALE = Path(__file__).resolve().parents[2] / "resources" / "locale"


@pytest.mark.parametrize("language", languages.LANGUAGES, ids=lambda language: language.code)
def test_each_plural_rule_in_python_says_what_its_gettext_expression_says(
    language: languages.Language,
) -> None:
    rule = language.plural_rule
    expression = gettext.c2py(rule.expression)
    for count in range(0, 1201):
        assert rule(count) == expression(count), count
        assert 0 <= rule(count) < rule.forms


def test_russian_counts_take_the_forms_a_russian_reader_expects() -> None:
    rule = languages.plural_rule("ru")
    # 1 минута, 2 минуты, 5 минут, 11 минут, 21 минута, 22 минуты, 112 минут.
    assert [rule(n) for n in (1, 2, 5, 11, 21, 22, 112, 0)] == [0, 1, 2, 2, 0, 1, 2, 2]


def test_english_and_kazakh_have_one_form_for_one_and_another_for_the_rest() -> None:
    for code in ("en", "kk"):
        rule = languages.plural_rule(code)
        assert [rule(n) for n in (0, 1, 2, 21)] == [1, 0, 1, 1]


def test_an_unknown_language_counts_like_the_source_language() -> None:
    assert languages.plural_rule("xx") is languages.plural_rule(languages.SOURCE_LANGUAGE)
    assert languages.plural_rule(None) is languages.plural_rule(languages.SOURCE_LANGUAGE)


@pytest.mark.parametrize("language", languages.translated(), ids=lambda language: language.code)
def test_every_catalog_states_the_plural_rule_of_its_declared_language(language: languages.Language) -> None:
    header = parse_po((LOCALE / f"{language.code}.po").read_text(encoding="utf-8"))[""].msgstr
    assert f"Language: {language.code}\n" in header
    assert f"Plural-Forms: {language.plural_rule.header}\n" in header


def test_the_declaration_lists_each_language_once_with_the_source_language_first() -> None:
    codes = languages.codes()
    assert codes[0] == languages.SOURCE_LANGUAGE
    assert len(set(codes)) == len(codes)
    assert languages.setting_choices() == (languages.SYSTEM, *codes)
    assert [language.code for language in languages.translated()] == list(codes[1:])
    assert languages.find("kk") == languages.LANGUAGES[2]
    assert languages.find("xx") is None
