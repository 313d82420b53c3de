"""The errors the core raises: one base, each message says what was given and what is allowed."""

from __future__ import annotations

from .text import N_, Text


class CoreError(Exception):
    """Base of every error raised by `wellbeing_app.core`. `text` renders in any language."""

    def __init__(self, text: Text | str) -> None:
        self.text = text if isinstance(text, Text) else Text.plain(text)
        super().__init__(str(self.text))


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
                {"key": key, "given": repr(given), "allowed": allowed_text},
            )
        )


class PasscodeError(CoreError):
    """A passcode was refused: wrong, malformed, or entry is locked out for now."""
