"""The one error the guard's parts raise for what a person must be told."""

from __future__ import annotations


class GuardError(Exception):
    """Something the guard cannot do, in words saying what was given and what is allowed."""
