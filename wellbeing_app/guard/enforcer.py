"""Carries out the escalation's actions through logind, and says what was done."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from wellbeing_app.core.events import SessionEndedPayload, SessionLockedPayload
from wellbeing_app.guard.escalation import Action, Lock, Terminate
from wellbeing_app.guard.logind import Logind, LogindError

log = logging.getLogger(__name__)


class Enforcer:
    """Applies `Lock` and `Terminate` through a `Logind`. Blocking, like the Logind it is given."""

    def __init__(self, logind: Logind) -> None:
        self._logind = logind

    def apply(self, actions: Iterable[Action]) -> list[SessionLockedPayload | SessionEndedPayload]:
        """Do each action; returns the events to record, one an action, each with the error in
        words when logind did not do it (the next actions are tried all the same)."""
        done: list[SessionLockedPayload | SessionEndedPayload] = []
        for action in actions:
            error = ""
            try:
                match action:
                    case Lock(session=session):
                        self._logind.lock(session)
                    case Terminate(session=session):
                        self._logind.terminate(session)
            except LogindError as exc:
                error = str(exc)
                log.warning("could not %s session %s: %s", _verb(action), action.session, error)
            done.append(action.record(error))
        return done


def _verb(action: Action) -> str:
    return "lock" if isinstance(action, Lock) else "end"
