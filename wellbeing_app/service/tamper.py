"""The tamper watch: settings or a passcode changed in the database behind the app's back, and a
database deleted (or replaced) while the app runs, each recorded for the parent."""

from __future__ import annotations

import json
import logging
from typing import Any

from wellbeing_app.core.events import PasscodeChangedPayload, RecordsRestoredPayload, SettingChangedPayload
from wellbeing_app.core.settings import Settings
from wellbeing_app.storage import StorageError, Store

from .recorder import Recorder

log = logging.getLogger(__name__)

#: The settings and passcode as this app last wrote or saw them: an edit of the database made
#: behind its back (sqlite3 on the file) is recorded at the next start.
SETTINGS_SEEN_KEY = "settings_seen"


class TamperWatch:
    """Not thread-safe: used on the loop's thread only."""

    def __init__(self, store: Store, recorder: Recorder, notices: list[str]) -> None:
        self._store = store
        self._recorder = recorder
        self._notices = notices

    def _settings_as_stored(self) -> dict[str, Any]:
        stored = self._store.load_passcode()
        fingerprint = None  # of the hash, not the hash: enough to see that it changed
        if stored is not None:
            import hashlib  # only with a passcode: loading OpenSSL takes 3 ms of a start

            fingerprint = hashlib.sha256(stored.salt + stored.digest).hexdigest()[:16]
        return {"settings": self._store.load_settings(), "passcode": fingerprint}

    def remember(self) -> None:
        """The settings and passcode as stored now are this app's own (it just wrote or saw them)."""
        try:
            self._store.set_meta(SETTINGS_SEEN_KEY, json.dumps(self._settings_as_stored(), sort_keys=True))
        except StorageError as error:
            log.warning("cannot remember the settings as written: %s", error)

    def notice_outside_changes(self) -> None:
        """Record settings and a passcode changed in the database behind the app's back (since it
        last wrote or saw them) as SETTING_CHANGED / PASSCODE_CHANGED events marked "outside".

        This shows a parent a plain edit of the file; someone who also edits what is remembered here
        is not seen (the app keeps no secret its own user could not read)."""
        try:
            now = self._settings_as_stored()
            seen_text = self._store.get_meta(SETTINGS_SEEN_KEY)
        except StorageError:
            return
        if seen_text is None:
            self.remember()  # the first start that keeps this
            return
        try:
            seen = json.loads(seen_text)
            seen_settings, seen_passcode = dict(seen["settings"]), seen["passcode"]
        except (ValueError, KeyError, TypeError):
            seen_settings, seen_passcode = {}, "unreadable"
        if seen_settings == now["settings"] and seen_passcode == now["passcode"]:
            return
        defaults = Settings().to_json()
        for key in sorted(set(seen_settings) | set(now["settings"])):
            old, new = seen_settings.get(key, defaults.get(key)), now["settings"].get(key, defaults.get(key))
            if old != new:
                self._recorder.record(SettingChangedPayload(key, old, new, outside=True))
        if seen_passcode != now["passcode"]:
            self._recorder.record(PasscodeChangedPayload(set=now["passcode"] is not None, outside=True))
        message = (
            "the settings or the passcode were changed outside Wellbeing (in its database); this is recorded"
        )
        log.warning("%s", message)
        self._notices.append(message)
        try:
            self._recorder.flush_events()
        except StorageError as error:
            log.warning("cannot record the change: %s", error)
        self.remember()

    def restore_deleted_database(self) -> None:
        """Deleting the database while the app runs does not reset anything: the records, the
        settings and the passcode the app holds are written back within seconds, and recorded."""
        try:
            restored = self._store.restore_file_if_removed()
        except (StorageError, OSError) as error:
            log.error("the database file was deleted and cannot be written back: %s", error)
            return
        if restored is not None:
            message = f"the database {restored} was deleted while Wellbeing was running; it was written back"
            log.warning(message)
            self._notices.append(message)
            self._recorder.record(RecordsRestoredPayload(str(restored)))
            self._recorder.flush_events()
