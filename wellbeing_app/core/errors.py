"""The errors the core raises: one base, each message says what was given and what is allowed."""


class CoreError(Exception):
    """Base of every error raised by `wellbeing_app.core`."""


class SettingError(CoreError, ValueError):
    """A setting value was refused; nothing was changed."""

    def __init__(self, key: str, given: object, allowed: str) -> None:
        self.key = key
        self.given = given
        self.allowed = allowed
        super().__init__(f"{key}: {given!r} is not allowed; {allowed}")


class PasscodeError(CoreError):
    """A passcode was refused: wrong, malformed, or entry is locked out for now."""
