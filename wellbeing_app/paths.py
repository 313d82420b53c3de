"""Where data and logs live: `--data-dir`, $WELLBEING_DATA_DIR, or the platform's own folders."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "wellbeing-app"
DATA_DIR_ENV = "WELLBEING_DATA_DIR"


def resolve_data_dir(given: str | os.PathLike[str] | None = None) -> Path:
    """`--data-dir`, else $WELLBEING_DATA_DIR, else the platform's user data folder."""
    if given:
        return Path(given).expanduser()
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def log_dir(data_dir: Path, given_data_dir: bool) -> Path:
    """Logs go beside the data when a data dir was chosen, else to the platform's log folder."""
    if given_data_dir:
        return data_dir / "logs"
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, appauthor=False))
