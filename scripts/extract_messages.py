"""Find every translatable message in the code and bring the catalogs up to date.

`python scripts/extract_messages.py` rewrites resources/locale/wellbeing.pot and adds new
messages (untranslated) to the catalog of every language declared in
wellbeing_app/core/languages.py but the source language (a new language gets its catalog),
keeping what is translated and dropping messages the code no longer has. Messages are the string
literals given to `_()`, `N_()` and `Text()`, and the two first arguments of `ngettext()`.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wellbeing_app.core import languages  # noqa: E402
from wellbeing_app.po import Entry, parse_po, write_po  # noqa: E402

LOCALE = ROOT / "resources" / "locale"
MARKERS = {"_", "N_", "Text"}


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return None
    return None


def messages_in(path: Path) -> Iterator[tuple[str, str | None, int]]:
    """(message, plural, line) of every marked literal in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if isinstance(node.func, ast.Attribute):
            name = node.func.attr
        if name in MARKERS:
            text = _literal(node.args[0])
            if text:
                yield text, None, node.lineno
        elif name == "ngettext" and len(node.args) >= 2:
            singular, plural = _literal(node.args[0]), _literal(node.args[1])
            if singular and plural:
                yield singular, plural, node.lineno


def extract(package: Path = ROOT / "wellbeing_app") -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        for text, plural, line in sorted(messages_in(path), key=lambda found_at: found_at[2]):
            entry = found.setdefault(text, Entry(text, plural=plural))
            entry.references.append(f"{relative}:{line}")
    return found


def merge(found: dict[str, Entry], existing: dict[str, Entry]) -> list[Entry]:
    merged = []
    for msgid, entry in found.items():
        old = existing.get(msgid)
        merged.append(
            Entry(
                msgid,
                msgstr=old.msgstr if old else "",
                plural=entry.plural,
                plural_strs=old.plural_strs if old else [],
                references=entry.references,
                comments=[c for c in (old.comments if old else []) if c.startswith("# ")],
            )
        )
    return merged


def main(locale: Path = LOCALE) -> None:
    """Write the template and bring every language's catalog in `locale` up to date."""
    found = extract()
    locale.mkdir(parents=True, exist_ok=True)
    (locale / "wellbeing.pot").write_text(write_po(found.values(), language=None), encoding="utf-8")
    for language in (declared.code for declared in languages.translated()):
        path = locale / f"{language}.po"
        existing = parse_po(path.read_text(encoding="utf-8")) if path.exists() else {}
        merged = merge(found, existing)
        path.write_text(write_po(merged, language=language), encoding="utf-8")
        missing = sum(1 for e in merged if not (e.msgstr or (e.plural_strs and all(e.plural_strs))))
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{shown}: {len(merged)} messages, {missing} not translated")


if __name__ == "__main__":
    main()
