"""Translation of every user-visible string: gettext catalogs in resources/locale/<lang>.po."""

from __future__ import annotations

import gettext
import locale
import logging
import os
from pathlib import Path

from wellbeing_app.po import PoTranslations

LANGUAGES = ("en", "ru", "kk")
_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


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
            if code in LANGUAGES:
                return code
    if environ is None:
        try:
            code = (locale.getlocale()[0] or "").split("_")[0].lower()
        except ValueError:
            code = ""
        if code in LANGUAGES:
            return code
    return "en"


def set_language(language: str) -> str:
    """Use `language` ("system" follows the system); returns the language in use."""
    global _translation, _language
    code = system_language() if language == "system" else language
    if code not in LANGUAGES:
        code = "en"
    _language = code
    catalog = resources_dir() / "locale" / f"{code}.po"
    try:
        _translation = PoTranslations(catalog, code) if catalog.is_file() else gettext.NullTranslations()
    except (OSError, ValueError, SyntaxError) as error:
        logging.getLogger(__name__).error("cannot read the translations %s: %s", catalog, error)
        _translation = gettext.NullTranslations()
    return code


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
