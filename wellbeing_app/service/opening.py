"""Opening a data dir's store, with its fallbacks: the full integrity check after a quick open
failed, and a temporary copy of the database when the data dir cannot be written."""

from __future__ import annotations

import logging
from dataclasses import field
from pathlib import Path

from wellbeing_app.core.events import FileRefusedPayload
from wellbeing_app.core.record import record
from wellbeing_app.storage import StorageError, Store, open_store
from wellbeing_app.storage.opening import DATABASE_FILE

from .errors import ServiceError

log = logging.getLogger(__name__)


@record(frozen=False, eq=False, repr=False)
class OpenedStore:
    """A store ready for the service, with what the person must be told about how it was opened."""

    store: Store
    notices: list[str] = field(default_factory=list)
    scratch: Path | None = None  # a temporary copy of the database in use, to remove at close
    #: For the records: a database file that was not a regular file of this user, moved aside.
    refused: list[FileRefusedPayload] = field(default_factory=list)


def open_data_dir(
    data_dir: Path, *, url: str | None = None, thorough: bool = True, fallback: bool = True
) -> OpenedStore:
    """Open the data dir's store; a damaged database is set aside and said in `notices`.
    `thorough=False` skips the integrity check that reads the whole file (quick commands).

    When the data dir cannot be written (read-only, or no space to open the database) and
    `fallback` is set, the store is a temporary copy of the database, so that the settings, the
    passcode and today's usage still hold and the limits are still enforced; `notices` says so and
    that nothing is kept. Commands that change something pass `fallback=False` and get the error
    instead: a change made to a copy would be lost."""
    try:
        result = open_store(data_dir, url=url, check_integrity=thorough)
    except StorageError as error:
        if url is not None:
            raise ServiceError(str(error)) from error
        try:
            if thorough:
                raise
            # The quick open does not look for damage: the full check sets a damaged file aside.
            result = open_store(data_dir, check_integrity=True)
        except StorageError as again:
            if not fallback:
                raise ServiceError(str(again)) from again
            return _open_copy(data_dir, again)
    refused = []
    if result.refused is not None:
        moved = str(result.moved_aside) if result.moved_aside else ""
        refused.append(FileRefusedPayload("database", result.refused, moved))
    return OpenedStore(result.store, [result.notice] if result.notice else [], refused=refused)


def _open_copy(data_dir: Path, error: StorageError) -> OpenedStore:
    import shutil
    import tempfile

    try:
        scratch = Path(tempfile.mkdtemp(prefix="wellbeing-copy-"))
    except OSError:
        raise ServiceError(str(error)) from error
    source = data_dir / DATABASE_FILE
    copied = "a temporary copy of its records"
    try:
        # Nothing writes a folder that cannot be written: copying the file and its WAL is consistent.
        for suffix in ("", "-wal"):
            if Path(f"{source}{suffix}").exists():
                shutil.copyfile(f"{source}{suffix}", scratch / f"{DATABASE_FILE}{suffix}")
    except OSError as copy_error:
        log.error("cannot copy %s: %s", source, copy_error)
        copied = "an empty temporary database with the default settings (its records cannot be read)"
    try:
        result = open_store(scratch)
    except StorageError:
        shutil.rmtree(scratch, ignore_errors=True)
        raise ServiceError(str(error)) from error
    notice = (
        f"{error}. Until then Wellbeing runs on {copied} in {scratch}: the limits are still "
        "enforced, but nothing that happens now is kept after Wellbeing stops."
    )
    log.error("%s", notice)
    return OpenedStore(result.store, [notice] + ([result.notice] if result.notice else []), scratch)
