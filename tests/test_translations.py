"""Every message of the interface and the command line is translated into every declared language."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from extract_messages import LOCALE, extract  # noqa: E402

from wellbeing_app import i18n  # noqa: E402
from wellbeing_app.core import languages  # noqa: E402
from wellbeing_app.po import parse_po  # noqa: E402

FIELD = re.compile(r"\{[a-z_]*\}")


def test_the_template_lists_every_message_in_the_code() -> None:
    in_code = set(extract())
    in_template = {m for m in parse_po((LOCALE / "wellbeing.pot").read_text(encoding="utf-8")) if m}
    assert in_code - in_template == set(), "run scripts/extract_messages.py"
    assert in_template - in_code == set(), "run scripts/extract_messages.py"


@pytest.mark.parametrize("language", [language.code for language in languages.translated()])
def test_every_message_is_translated(language: str) -> None:
    catalog = parse_po((LOCALE / f"{language}.po").read_text(encoding="utf-8"))
    missing = [
        msgid
        for msgid in extract()
        if msgid not in catalog or not (catalog[msgid].msgstr or all(catalog[msgid].plural_strs or [""]))
    ]
    assert missing == [], f"{len(missing)} messages have no {language} translation, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", [language.code for language in languages.translated()])
def test_translations_keep_every_placeholder(language: str) -> None:
    catalog = parse_po((LOCALE / f"{language}.po").read_text(encoding="utf-8"))
    wrong = [
        (msgid, entry.msgstr)
        for msgid, entry in catalog.items()
        if msgid and entry.msgstr and sorted(FIELD.findall(msgid)) != sorted(FIELD.findall(entry.msgstr))
    ]
    assert wrong == []


def test_the_language_setting_translates_the_interface() -> None:
    try:
        assert i18n.set_language("ru") == "ru"
        assert i18n._("Time for a break") != "Time for a break"
        assert i18n.set_language("kk") == "kk"
        assert i18n._("Time for a break") != "Time for a break"
        assert i18n.set_language("en") == "en"
        assert i18n._("Time for a break") == "Time for a break"
    finally:
        i18n.set_language("en")


def test_the_system_language_is_followed() -> None:
    assert i18n.system_language({"LANG": "kk_KZ.UTF-8"}) == "kk"
    assert i18n.system_language({"LANGUAGE": "de:ru", "LANG": "de_DE.UTF-8"}) == "ru"
    assert i18n.system_language({"LANG": "de_DE.UTF-8"}) == "en"


# --- plural forms --------------------------------------------------------------------------------

#: What a person reads for 1, 2, 5 and 21 minutes left, in each language.
MINUTES_LEFT = {
    "en": [
        "1 minute left today.",
        "2 minutes left today.",
        "5 minutes left today.",
        "21 minutes left today.",
    ],
    "ru": [
        "На сегодня осталась 1 минута.",
        "На сегодня осталось 2 минуты.",
        "На сегодня осталось 5 минут.",
        "На сегодня осталась 21 минута.",
    ],
    "kk": [
        "Бүгінге 1 минут қалды.",
        "Бүгінге 2 минут қалды.",
        "Бүгінге 5 минут қалды.",
        "Бүгінге 21 минут қалды.",
    ],
}
HOURS = {
    "en": ["For 1 hour", "For 2 hours", "For 5 hours", "For 21 hours"],
    "ru": ["На 1 час", "На 2 часа", "На 5 часов", "На 21 час"],
    "kk": ["1 сағатқа", "2 сағатқа", "5 сағатқа", "21 сағатқа"],
}
SAMPLES = {
    "en": ["Tracked 1 sample.", "Tracked 2 samples.", "Tracked 5 samples.", "Tracked 21 samples."],
    "ru": ["Записан 1 замер.", "Записано 2 замера.", "Записано 5 замеров.", "Записан 21 замер."],
    "kk": ["1 өлшем жазылды.", "2 өлшем жазылды.", "5 өлшем жазылды.", "21 өлшем жазылды."],
}
COUNTS = (1, 2, 5, 21)


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
@pytest.mark.parametrize(
    ("singular", "plural", "field", "expected"),
    [
        ("{minutes} minute left today.", "{minutes} minutes left today.", "minutes", MINUTES_LEFT),
        ("For {hours} hour", "For {hours} hours", "hours", HOURS),
        ("Tracked {count} sample.", "Tracked {count} samples.", "count", SAMPLES),
    ],
)
def test_a_number_is_shown_with_the_right_plural_form(
    language: str, singular: str, plural: str, field: str, expected: dict[str, list[str]]
) -> None:
    try:
        i18n.set_language(language)
        shown = [i18n.ngettext(singular, plural, n).format(**{field: n}) for n in COUNTS]
    finally:
        i18n.set_language("en")
    assert shown == expected[language]


def test_the_plural_rules_pick_the_form_each_language_needs() -> None:
    numbers = (0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111)
    picked = {
        language.code: [language.plural_rule.choose(n) for n in numbers] for language in languages.LANGUAGES
    }
    assert picked["ru"] == [2, 0, 1, 1, 2, 2, 2, 2, 0, 1, 2, 0, 2]
    assert picked["en"] == [1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    assert picked["kk"] == picked["en"]


@pytest.mark.parametrize(("language", "forms"), [("ru", 3), ("kk", 2)])
def test_every_plural_message_has_each_form_of_the_language(language: str, forms: int) -> None:
    catalog = parse_po((LOCALE / f"{language}.po").read_text(encoding="utf-8"))
    header = catalog[""].msgstr
    assert f"nplurals={forms};" in header
    wrong = {
        msgid: entry.plural_strs
        for msgid, entry in catalog.items()
        if entry.plural is not None and (len(entry.plural_strs) != forms or not all(entry.plural_strs))
    }
    assert wrong == {}


# A count written out with its unit in full ("{minutes} минут") changes with the number, so such a
# message must be a plural one; a unit shortened ("мин", "ч") does not change. «минут: {minutes}»
# is the old way around plurals and is not wanted either.
# Limits ({minimum}, {max_digits}, …) are fixed numbers the translation is written for.
_COUNT = r"\{(?!min|max)[a-z_]+\}"
_RUSSIAN_UNIT_AFTER_COUNT = re.compile(_COUNT + r"\s+(минут|час|дн[ея]|дней|секунд|замер|цифр|символ)\w*")
_RUSSIAN_COUNT_AFTER_COLON = re.compile(r"(минут|часов|дней|секунд|замеров)\s*:\s*" + _COUNT)


def test_messages_with_a_count_use_plural_forms_in_russian() -> None:
    catalog = parse_po((LOCALE / "ru.po").read_text(encoding="utf-8"))
    wrong = [
        entry.msgstr
        for msgid, entry in catalog.items()
        if msgid
        and entry.plural is None
        and (
            _RUSSIAN_UNIT_AFTER_COUNT.search(entry.msgstr) or _RUSSIAN_COUNT_AFTER_COLON.search(entry.msgstr)
        )
    ]
    assert wrong == []
