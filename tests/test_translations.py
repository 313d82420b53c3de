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
