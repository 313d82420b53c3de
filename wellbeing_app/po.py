"""Reading and writing gettext .po catalogs, and translating from them, without compiled .mo files."""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Iterable
from dataclasses import field
from pathlib import Path

from wellbeing_app.core import languages
from wellbeing_app.core.record import record


@record(frozen=False, eq=False, repr=False)
class Entry:
    msgid: str
    msgstr: str = ""
    plural: str | None = None
    plural_strs: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


def _unquote(text: str) -> str:
    inner = text[1:-1]
    if len(text) >= 2 and text[0] == text[-1] == '"' and "\\" not in inner and '"' not in inner:
        # Nothing escaped: the text as it stands. literal_eval for all ~1000 strings of a catalog
        # took 9 of the 13 ms that reading it costs at the start of every command.
        return inner
    return ast.literal_eval(text) if text else ""


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def parse_po(text: str) -> dict[str, Entry]:
    """Entries of a .po file by msgid (the header entry, msgid "", included)."""
    entries: dict[str, Entry] = {}
    current: Entry | None = None
    field_name: str | None = None
    comments: list[str] = []
    references: list[str] = []

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries[current.msgid] = current
        current = None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#:"):
            references.extend(line[2:].split())
            continue
        if line.startswith("#"):
            comments.append(line)
            continue
        match = re.match(r'^(msgid_plural|msgid|msgstr\[\d+\]|msgstr)\s+(".*")$', line)
        if match:
            keyword, value = match.group(1), _unquote(match.group(2))
            if keyword == "msgid":
                finish()
                current = Entry(value, references=references, comments=comments)
                references, comments = [], []
            elif current is None:
                raise ValueError(f"{keyword} before msgid: {raw!r}")
            elif keyword == "msgid_plural":
                current.plural = value
            elif keyword == "msgstr":
                current.msgstr = value
            else:
                current.plural_strs.append(value)
            field_name = keyword
            continue
        if line.startswith('"') and current is not None and field_name is not None:
            value = _unquote(line)
            if field_name == "msgid":
                current.msgid += value
            elif field_name == "msgid_plural":
                current.plural = (current.plural or "") + value
            elif field_name == "msgstr":
                current.msgstr += value
            else:
                current.plural_strs[-1] += value
            continue
        raise ValueError(f"cannot read this line of the catalog: {raw!r}")
    finish()
    return entries


def write_po(entries: Iterable[Entry], *, language: str | None) -> str:
    """A .po (or, without a language, a .pot) file."""
    rule = languages.plural_rule(language)
    lines = [
        'msgid ""',
        'msgstr ""',
        _quote("Project-Id-Version: wellbeing-app\n"),
        _quote(f"Language: {language or ''}\n"),
        _quote("MIME-Version: 1.0\n"),
        _quote("Content-Type: text/plain; charset=UTF-8\n"),
        _quote("Content-Transfer-Encoding: 8bit\n"),
        _quote(f"Plural-Forms: {rule.header}\n"),
        "",
    ]
    for entry in entries:
        if not entry.msgid:
            continue
        lines.extend(entry.comments)
        if entry.references:
            lines.append("#: " + " ".join(entry.references))
        lines.append(f"msgid {_quote(entry.msgid)}")
        if entry.plural is not None:
            lines.append(f"msgid_plural {_quote(entry.plural)}")
            forms = entry.plural_strs or [""] * rule.forms
            lines.extend(f"msgstr[{i}] {_quote(text)}" for i, text in enumerate(forms))
        else:
            lines.append(f"msgstr {_quote(entry.msgstr)}")
        lines.append("")
    return "\n".join(lines)


class PoTranslations(gettext.NullTranslations):
    """gettext translations read straight from a .po file; untranslated messages stay as they are."""

    def __init__(self, path: Path, language: str) -> None:
        super().__init__()
        self._messages: dict[str, str] = {}
        self._plurals: dict[str, list[str]] = {}
        self._plural_rule = languages.plural_rule(language)
        for entry in parse_po(path.read_text(encoding="utf-8")).values():
            if entry.msgid and entry.msgstr:
                self._messages[entry.msgid] = entry.msgstr
            if entry.plural is not None and all(entry.plural_strs):
                self._plurals[entry.msgid] = entry.plural_strs

    def gettext(self, message: str) -> str:
        return self._messages.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        forms = self._plurals.get(msgid1)
        if not forms:
            return msgid1 if n == 1 else msgid2
        return forms[min(self._plural_rule(n), len(forms) - 1)]
