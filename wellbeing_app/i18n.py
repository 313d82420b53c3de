"""Translation of every user-visible string: gettext catalogs in resources/locale/<lang>.po."""

from __future__ import annotations

import gettext
import locale
import logging
import os
from pathlib import Path

from wellbeing_app.core import languages
from wellbeing_app.po import PoTranslations

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = languages.SOURCE_LANGUAGE
#: Catalogs read so far, by file and version (modification time and size).
_catalogs: dict[tuple[Path, int, int], gettext.NullTranslations] = {}


def resources_dir() -> Path:
    """The resources folder: beside the package in a checkout, inside it when installed."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "resources", here.parent / "resources"):
        if candidate.is_dir():
            return candidate
    return here.parent / "resources"


def system_language(environ: dict[str, str] | None = None) -> str:
    """The first supported language the system asks for (LANGUAGE, LC_ALL, LC_MESSAGES, LANG)."""
    env = dict(os.environ if environ is None else environ)
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for part in env.get(key, "").split(":"):
            code = part.split(".")[0].split("_")[0].lower()
            if code in languages.codes():
                return code
    if environ is None:
        try:
            code = (locale.getlocale()[0] or "").split("_")[0].lower()
        except ValueError:
            code = ""
        if code in languages.codes():
            return code
    return languages.SOURCE_LANGUAGE


def set_language(language: str) -> str:
    """Use `language` ("system" follows the system); returns the language in use."""
    global _translation, _language
    code = system_language() if language == languages.SYSTEM else language
    if code not in languages.codes():
        code = languages.SOURCE_LANGUAGE
    _language = code
    _translation = translation(code)
    return code


def translation(language: str) -> gettext.NullTranslations:
    """The translations into `language`, whichever language is in use (the guide shows an article
    in its own language). A catalog is read again only when its file changes; the source
    language, an unknown code and a missing or unreadable catalog translate nothing."""
    if language not in languages.codes():
        return gettext.NullTranslations()
    catalog = resources_dir() / "locale" / f"{language}.po"
    try:
        stamp = catalog.stat()
    except OSError:
        return gettext.NullTranslations()
    key = (catalog, stamp.st_mtime_ns, stamp.st_size)
    if key not in _catalogs:
        try:
            _catalogs[key] = PoTranslations(catalog, language)
        except (OSError, ValueError, SyntaxError) as error:
            logging.getLogger(__name__).error("cannot read the translations %s: %s", catalog, error)
            _catalogs[key] = gettext.NullTranslations()
    return _catalogs[key]


def translate(message: str, language: str) -> str:
    """`message` in `language`, whichever language is in use."""
    return translation(language).gettext(message)


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """Translate a message to the language in use."""
    return _translation.gettext(message)


def localize(message: object) -> str:
    """A message for people in the language in use: a core `Text`, an error carrying one, or
    anything else as it prints."""
    from wellbeing_app.core.text import Text

    if isinstance(message, Text):
        return message.render(_)
    text = getattr(message, "text", None)
    if isinstance(text, Text):
        return text.render(_)
    return str(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translation.ngettext(singular, plural, count)
