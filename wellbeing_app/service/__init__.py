"""The application layer shared by the command line and the tray: the `Service` façade over its
parts (opening the store, the passcode gate, the tamper watch, the tracker lock, the recorder,
today's figures) and the sample→tick loop both trackers run. No Qt.

`Service` is loaded when first asked for: it brings the storage layer, which the protected-mode
agent never loads (it reads `Status` and `ServiceError` only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wellbeing_app.core.status import Status
from wellbeing_app.paths import APP_NAME, DATA_DIR_ENV, log_dir, resolve_data_dir

from .errors import ServiceError

if TYPE_CHECKING:
    from .facade import Service

__all__ = ["APP_NAME", "DATA_DIR_ENV", "Service", "ServiceError", "Status", "log_dir", "resolve_data_dir"]


def __getattr__(name: str) -> Any:
    if name == "Service":
        from .facade import Service

        return Service
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
