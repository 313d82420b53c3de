"""The passcode gate: checks the passcode for guarded actions, locks entry after wrong tries
(five free, then a minute, doubling), records every attempt, sets and removes the passcode."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from wellbeing_app.core import passcode as passcodes
from wellbeing_app.core.clock import Clock
from wellbeing_app.core.errors import PasscodeError
from wellbeing_app.core.events import (
    PasscodeChangedPayload,
    PasscodeFailedPayload,
    PasscodeLockedOutPayload,
    PasscodeOkPayload,
)
from wellbeing_app.core.text import N_, Text
from wellbeing_app.storage import Store

from .errors import ServiceError
from .recorder import Recorder
from .tamper import TamperWatch
from .timekeeping import TrustedTime

#: Wrong passcodes are remembered this long for the lockout. Long enough that at the longest
#: lockout (a day) the count never falls back under the five free tries.
PASSCODE_MEMORY = timedelta(days=30)


class PasscodeGate:
    """Not thread-safe: used on the loop's thread only."""

    def __init__(
        self, store: Store, recorder: Recorder, tamper: TamperWatch, time: TrustedTime, clock: Clock
    ) -> None:
        self._store = store
        self._recorder = recorder
        self._tamper = tamper
        self._time = time
        self._clock = clock
        #: Who acts without the passcode ("root": the parent managing a protected account), or None.
        self.acting_as: str | None = None

    def is_set(self) -> bool:
        return self._store.load_passcode() is not None

    def lockout_until(self) -> datetime | None:
        now = self._time.now()
        attempts = self._store.passcode_attempts(now - PASSCODE_MEMORY)
        # Attempts not yet written (the database cannot be written now) count too.
        attempts += self._recorder.pending_attempts()
        until = passcodes.lockout_until(attempts)
        return until if until is not None and until > now else None

    def _at(self, moment: datetime) -> str:
        return f"{moment.astimezone(self._clock.zone()):%H:%M:%S}"

    def verify(self, passcode: str | None, *, purpose: str) -> None:
        """Raise PasscodeError unless the passcode is right (or none is set). Every attempt is
        recorded; after five wrong tries entry is locked for a minute, doubling after that.
        `purpose` is English marked with N_ ("grant more time"): it is stored with the attempt and
        translated where it is shown."""
        stored = self._store.load_passcode()
        if stored is None:
            return
        if self.acting_as is not None:
            self._recorder.record(PasscodeOkPayload(purpose, by=self.acting_as))
            self._recorder.flush_events()
            return
        locked = self.lockout_until()
        if locked is not None:
            raise PasscodeError(
                Text(N_("too many wrong passcodes: try again after {time}"), {"time": self._at(locked)})
            )
        if passcode is None or not passcode.strip():
            raise PasscodeError(Text(N_("the passcode is needed to {purpose}"), {"purpose": Text(purpose)}))
        if passcodes.matches(passcode, stored):
            self._recorder.record(PasscodeOkPayload(purpose))
            self._recorder.flush_events()
            return
        self._recorder.record(PasscodeFailedPayload(purpose))
        self._recorder.flush_events()
        locked = self.lockout_until()
        if locked is not None:
            self._recorder.record(PasscodeLockedOutPayload(locked))
            self._recorder.flush_events()
            raise PasscodeError(
                Text(N_("wrong passcode; entry is locked until {time}"), {"time": self._at(locked)})
            )
        raise PasscodeError(Text(N_("wrong passcode")))

    def guard(self, passcode: str | None, purpose: str) -> None:
        """Let a guarded action through: at once without a passcode set, else with the right one."""
        if self.is_set():
            self.verify(passcode, purpose=purpose)

    def set(self, new: str, *, current: str | None = None) -> None:
        if self.is_set():
            self.verify(current, purpose=N_("change the passcode"))
        hashed = passcodes.hash_passcode(new, os.urandom(16))  # what secrets.token_bytes does
        self._store.save_passcode(hashed)
        self._recorder.record(PasscodeChangedPayload(set=True))
        self._recorder.flush_events()
        self._tamper.remember()

    def clear(self, *, current: str | None) -> None:
        if not self.is_set():
            raise ServiceError(Text(N_("no passcode is set")))
        self.verify(current, purpose=N_("remove the passcode"))
        self._store.save_passcode(None)
        self._recorder.record(PasscodeChangedPayload(set=False))
        self._recorder.flush_events()
        self._tamper.remember()
