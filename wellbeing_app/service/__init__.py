"""The application layer shared by the command line and the tray: the `Service` façade over its
parts (opening the store, the passcode gate, the tamper watch, the tracker lock, the recorder,
today's figures) and the sample→tick loop both trackers run. No Qt."""

from wellbeing_app.core.status import Status
from wellbeing_app.paths import APP_NAME, DATA_DIR_ENV, log_dir, resolve_data_dir

from .errors import ServiceError
from .facade import Service

__all__ = ["APP_NAME", "DATA_DIR_ENV", "Service", "ServiceError", "Status", "log_dir", "resolve_data_dir"]
