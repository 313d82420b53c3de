"""The settings in force and where they are kept: loaded from the store, changes saved with a
stamp, and a change saved by another process (the command line) seen by its stamp."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from wellbeing_app.core.errors import SettingError
from wellbeing_app.core.settings import Settings
from wellbeing_app.storage import Store

from .timekeeping import new_uid

log = logging.getLogger(__name__)

#: Marks the data dir as set up (first-run wizard done, or settings made on the command line).
CONFIGURED_KEY = "configured"
#: Changes with every save of the settings: another process sees by it that they changed.
STAMP_KEY = "settings_stamp"


class Configuration:
    """The settings of one data dir. Not thread-safe: used on the loop's thread only."""

    def __init__(self, store: Store, notices: list[str]) -> None:
        self._store = store
        self._notices = notices
        self.current = self.load()
        self._stamp = store.get_meta(STAMP_KEY)

    def load(self) -> Settings:
        """The stored settings; a stored value that is not valid gives way to its default, said in `notices`."""

        def report(error: SettingError) -> None:
            message = f"a stored setting was not valid and its default is used: {error}"
            log.warning(message)
            self._notices.append(message)

        return Settings.from_json(self._store.load_settings(), on_error=report)

    @property
    def configured(self) -> bool:
        return self._store.get_meta(CONFIGURED_KEY) == "1"

    def mark_configured(self) -> None:
        self._store.set_meta(CONFIGURED_KEY, "1")

    def save(self, changed: Mapping[str, Any]) -> None:
        """Store changed settings (their JSON values) and a new stamp for other processes to see."""
        self._store.save_settings(changed)
        stamp = new_uid()
        self._store.set_meta(STAMP_KEY, stamp)
        self._stamp = stamp

    def changed_elsewhere(self) -> bool:
        """Whether another process saved the settings since this one last saved or looked."""
        stamp = self._store.get_meta(STAMP_KEY)
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        return True
