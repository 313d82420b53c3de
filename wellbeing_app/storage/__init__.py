"""Storage: usage spans, events, settings and the passcode hash in a SQL database (SQLite by default).

Open it with `open_store(data_dir)`; everything else is a method of the returned `Store`.
"""

from .errors import ImportFileError, StorageError
from .opening import OpenResult, open_store
from .store import DayAppUsage, ImportResult, Store

__all__ = [
    "DayAppUsage",
    "ImportFileError",
    "ImportResult",
    "OpenResult",
    "StorageError",
    "Store",
    "open_store",
]
