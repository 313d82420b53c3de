"""A fourth language takes one line in the declaration, a catalog and a guide folder.

German is added here the way the recipe says, in a temporary copy of the resources, and is then
offered and used everywhere a person meets a language: the setting and its picker, the
interface's words and plurals, the command line's --lang, and the guide's list and sections.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from tests.app.conftest import Cli
from wellbeing_app import i18n
from wellbeing_app.core import languages
from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.errors import SettingError
from wellbeing_app.core.languages import ONE_OR_OTHER, Language
from wellbeing_app.core.settings import Settings
from wellbeing_app.guide import Category, format_list, load_guide
from wellbeing_app.po import parse_po, write_po

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import extract_messages  # noqa: E402

#: The one line a new language adds to wellbeing_app/core/languages.py.
GERMAN = Language("de", "Deutsch", "German", ONE_OR_OTHER)

#: A few messages of the catalog, translated (the rest stays English until a translator comes).
GERMAN_MESSAGES = {
    "Time for a break": "Zeit für eine Pause",
    "Emotions": "Gefühle",
    "{minutes} min": "{minutes} Min.",
    "Today: {used} of {cap} min used, {left} min left": "Heute: {used} von {cap} Min. genutzt, {left} Min. übrig",
    "{key}: {given} is not allowed; use {allowed}": "{key}: {given} ist nicht erlaubt; erlaubt ist {allowed}",
    "one of {choices}": "eines von {choices}",
    "System": "Wie im System",
}
GERMAN_PLURALS = {"{n} day": ["{n} Tag", "{n} Tage"]}

ARTICLE = """---
id: naming-emotions
title: Gefühle benennen
category: emotions
language: de
tags: [Gefühle, Körper, Atmen]
reading_minutes: 3
summary: Merken, was du fühlst, es in Worte fassen und den Körper mit ruhigem Atmen beruhigen.
helplines: []
urgent: []
---
Gefühle kommen manchmal wie das Wetter. Wer sie bemerkt und benennt, kann besser mit ihnen umgehen.

## Im Körper fängt es an

Ein enger Brustkorb oder schnelles Atmen sind oft die ersten Zeichen. Atme langsam ein und noch langsamer aus.
"""

TIPS = """---
language: de
---

## look-far-away
related: healthy-screen-habits
Such dir etwas, das mindestens sechs Meter entfernt ist, und lass deine Augen zwanzig Sekunden darauf ruhen.
"""


@pytest.fixture
def german(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Path]:
    """The resources (a copy) with German added: the declaration, a catalog, a guide folder."""
    resources = tmp_path / "resources"
    shutil.copytree(ROOT / "resources" / "guide", resources / "guide")
    shutil.copytree(ROOT / "resources" / "locale", resources / "locale")
    monkeypatch.setattr(i18n, "resources_dir", lambda: resources)
    language_before = i18n.current_language()

    # 1. One line in the declaration.
    monkeypatch.setattr(languages, "LANGUAGES", (*languages.LANGUAGES, GERMAN))

    # 2. A catalog: the extractor makes it with every message, then a translator fills it in.
    extract_messages.main(resources / "locale")
    assert "locale/de.po: " in capsys.readouterr().out
    catalog = resources / "locale" / "de.po"
    entries = parse_po(catalog.read_text(encoding="utf-8"))
    for msgid, text in GERMAN_MESSAGES.items():
        entries[msgid].msgstr = text
    for msgid, forms in GERMAN_PLURALS.items():
        entries[msgid].plural_strs = forms
    catalog.write_text(write_po(entries.values(), language="de"), encoding="utf-8")

    # 3. A guide folder, here with one article translated and one tip.
    folder = resources / "guide" / "de"
    folder.mkdir()
    (folder / "naming-emotions.md").write_text(ARTICLE, encoding="utf-8")
    (folder / "tips.md").write_text(TIPS, encoding="utf-8")

    yield resources
    i18n.set_language(language_before)


def test_the_extractor_makes_its_catalog_with_its_plural_rule(german: Path) -> None:
    header = parse_po((german / "locale" / "de.po").read_text(encoding="utf-8"))[""].msgstr
    assert "Language: de\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header
    template = parse_po((german / "locale" / "wellbeing.pot").read_text(encoding="utf-8"))
    assert set(parse_po((german / "locale" / "de.po").read_text(encoding="utf-8"))) == set(template)


def test_the_setting_accepts_it_and_names_it_among_the_choices(german: Path) -> None:
    assert Settings.parse_text("language", "de") == "de"
    with pytest.raises(SettingError) as refused:
        Settings.parse_text("language", "fr")
    assert "one of system, en, ru, kk, de" in str(refused.value)


def test_the_interface_speaks_it_with_its_plurals_and_follows_a_german_system(german: Path) -> None:
    assert i18n.set_language("de") == "de"
    assert i18n._("Time for a break") == "Zeit für eine Pause"
    assert [i18n.ngettext("{n} day", "{n} days", n).format(n=n) for n in (1, 2)] == ["1 Tag", "2 Tage"]
    untranslated = "Start Wellbeing when you log in"
    assert i18n._(untranslated) == untranslated  # shown in English until it is translated
    assert i18n.system_language({"LANG": "de_DE.UTF-8"}) == "de"


def test_the_guide_lists_its_articles_under_its_section_titles(german: Path) -> None:
    guide = load_guide(german / "guide")
    articles = {article.id: article for article in guide.articles("de")}
    assert articles["naming-emotions"].language == "de"
    assert articles["naming-emotions"].title == "Gefühle benennen"
    assert articles["managing-anger"].language == "en"  # not translated: English stands in
    assert Category.EMOTIONS.display_title("de") == "Gefühle"
    assert guide.tips("de")[0].text.startswith("Such dir etwas, das mindestens sechs Meter")
    assert [problem for problem in guide.problems if problem.path.parent.name == "de"] == []
    assert "article 'managing-anger' has no German translation: de/managing-anger.md does not exist" in [
        problem.message for problem in guide.problems
    ]
    listing = format_list(guide, "de")
    assert "Gefühle\n-------\n" in listing
    assert re.search(r"\n  naming-emotions +Gefühle benennen \(3 Min\.\)\n", listing), listing


def test_the_command_line_offers_it_and_answers_in_it(
    german: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "data", capsys)
    listing = json.loads(cli("guide", "list", "--lang", "de", "--json").out)
    assert {entry["id"]: entry["language"] for entry in listing}["naming-emotions"] == "de"
    assert cli("config", "set", "language", "de").code == 0
    assert cli("status").out.startswith("Heute: 0 von 60 Min. genutzt, 60 Min. übrig\n")
    refused = cli("config", "set", "language", "fr")
    assert refused.code == 2
    assert "language: 'fr' ist nicht erlaubt; erlaubt ist eines von system, en, ru, kk, de" in refused.err


def test_the_settings_picker_offers_it_in_its_own_name_and_stores_it(
    german: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    from wellbeing_app.service import Service
    from wellbeing_app.ui.settings.dialog import SettingsDialog
    from wellbeing_app.ui.settings.editors import ChoiceEditor

    almaty = ZoneInfo("Asia/Almaty")
    clock = FakeClock(datetime(2026, 11, 25, 16, 30, tzinfo=almaty), almaty)
    i18n.set_language("de")
    service = Service.open(tmp_path / "data", clock=clock)
    try:
        dialog = SettingsDialog(service, [])
        qtbot.addWidget(dialog)
        picker = dialog.editor("language")
        assert isinstance(picker, ChoiceEditor)
        offered = [picker.combo.itemText(index) for index in range(picker.combo.count())]
        assert offered == ["Wie im System", "English", "Русский", "Қазақша", "Deutsch"]
        picker.combo.setCurrentIndex(picker.combo.findData("de"))
        with qtbot.waitSignal(dialog.accepted):
            dialog.ok_button.click()
    finally:
        service.close()
    reopened = Service.open(tmp_path / "data", clock=clock)
    try:
        assert reopened.settings.language == "de"
    finally:
        reopened.close()
