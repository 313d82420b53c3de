"""The errors the storage layer raises: one base, each message says what happened and what to do."""

from __future__ import annotations

from pathlib import Path

from wellbeing_app.core.errors import StorageError

__all__ = ["ImportFileError", "StorageError"]


class ImportFileError(StorageError):
    """A file offered for import was refused; nothing was written.

    `where` is the line (CSV) or JSON path of the first problem found.
    """

    def __init__(self, path: Path, where: str, found: str, expected: str) -> None:
        self.path = path
        self.where = where
        self.found = found
        self.expected = expected
        super().__init__(f"cannot import {path}: {where}: found {found}; expected {expected}")
