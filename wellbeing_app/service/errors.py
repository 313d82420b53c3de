"""The one error type of the service layer."""

from __future__ import annotations

from wellbeing_app.core.errors import CoreError


class ServiceError(CoreError):
    """An action the person asked for cannot be done; the message says why and what to do.
    Its `text` renders in the language in use."""
