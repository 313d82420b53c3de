"""Messages that can be translated later: a template with parameters, rendered by whoever shows it.

The core knows no language. It marks its sentences with `N_` (so the extractor finds them) and
hands out `Text` values; the UI and the command line render them through gettext.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field
from typing import Any

from .record import record


def N_(message: str) -> str:
    """Mark a message for translation without translating it here."""
    return message


def _same(message: str) -> str:
    return message


@record
class Text:
    """A translatable sentence: `template` with `{name}` fields filled from `params`.

    A parameter that is itself a Text is rendered (and translated) too.
    """

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = _same) -> str:
        values = {
            key: value.render(translate) if isinstance(value, Text) else value
            for key, value in self.params.items()
        }
        return translate(self.template).format(**values)

    def __str__(self) -> str:
        return self.render()

    @classmethod
    def plain(cls, message: str) -> Text:
        """A message that is not translated (a file name, an OS error)."""
        return cls("{message}", {"message": message})
