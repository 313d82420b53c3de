"""The errors the core raises: one base, each message says what was given and what is allowed."""

from __future__ import annotations

from .text import N_, Text


class CoreError(Exception):
    """Base of every error raised by `wellbeing_app.core`. `text` renders in any language."""

    def __init__(self, text: Text | str) -> None:
        self.text = text if isinstance(text, Text) else Text.plain(text)
        super().__init__(str(self.text))


#: A value longer than this is shown cut to `SHOWN_PART` characters plus its length: an error
#: that echoes 5000 characters back hides what it says.
SHOWN_WHOLE = 80
SHOWN_PART = 60


def shown_value(given: object) -> str:
    """`given` as an error shows it: its repr, cut short when it is long."""
    if isinstance(given, str) and len(given) > SHOWN_WHOLE:
        return f"{given[:SHOWN_PART]!r}… ({len(given)} characters)"
    text = repr(given)
    if len(text) > SHOWN_WHOLE:
        return f"{text[:SHOWN_PART]}… ({len(text)} characters)"
    return text


class SettingError(CoreError, ValueError):
    """A setting value was refused; nothing was changed."""

    def __init__(self, key: str, given: object, allowed: Text | str) -> None:
        self.key = key
        self.given = given
        self.allowed = str(allowed)
        allowed_text = allowed if isinstance(allowed, Text) else Text.plain(allowed)
        self.allowed_text = allowed_text
        super().__init__(
            Text(
                N_("{key}: {given} is not allowed; use {allowed}"),
                {"key": key, "given": shown_value(given), "allowed": allowed_text},
            )
        )


class StorageError(Exception):
    """Base of every error raised by `wellbeing_app.storage`; the message is meant for people.

    Declared here, below the storage layer, so that the windows can name it without loading that
    layer: the protected-mode agent has none."""


class PasscodeError(CoreError):
    """A passcode was refused: wrong, malformed, or entry is locked out for now."""
