"""The escalation's actions carried out through logind (its stand-in on a private system bus)."""

from __future__ import annotations

from tests.guard.logind_mock import LogindMock
from wellbeing_app.core.events import SessionEndedPayload, SessionLockedPayload
from wellbeing_app.core.model import LockReason
from wellbeing_app.guard.enforcer import Enforcer
from wellbeing_app.guard.escalation import Escalation, Lock, Observation, Terminate
from wellbeing_app.guard.logind import Logind


def test_locks_and_the_end_reach_logind_and_come_back_as_records(logind_mock: LogindMock) -> None:
    logind_mock.add_session("c2", uid=1001, user="kid", display=":7")
    with Logind.connect(logind_mock.address) as logind:
        done = Enforcer(logind).apply(
            [
                Lock("c2", LockReason.OVERLAY_DOWN, 1, 2),
                Lock("c2", LockReason.UNLOCKED, 2, 2),
                Terminate("c2", 2),
            ]
        )
        calls = [(call.method, call.args) for call in logind_mock.calls()]
        assert logind.sessions() == []

    assert calls == [
        ("LockSession", ("c2",)),
        ("LockSession", ("c2",)),
        ("TerminateSession", ("c2",)),
    ]
    assert done == [
        SessionLockedPayload(session="c2", reason=LockReason.OVERLAY_DOWN, count=1, limit=2),
        SessionLockedPayload(session="c2", reason=LockReason.UNLOCKED, count=2, limit=2),
        SessionEndedPayload(session="c2", locks=2),
    ]


def test_what_logind_refused_is_recorded_in_words_and_the_rest_is_still_done(logind_mock: LogindMock) -> None:
    logind_mock.add_session("c2", uid=1001, user="kid")
    with Logind.connect(logind_mock.address) as logind:
        done = Enforcer(logind).apply(
            [Lock("gone", LockReason.APP_IN_FRONT, 1, 3), Lock("c2", LockReason.APP_IN_FRONT, 1, 3)]
        )

    assert logind_mock.manager_calls("LockSession") == [("gone",), ("c2",)]
    assert isinstance(done[0], SessionLockedPayload)
    assert "refused to lock session 'gone'" in done[0].error
    assert "NoSuchSession" in done[0].error
    assert done[1].error == ""


def test_the_escalation_and_logind_together_lock_a_session_whose_block_screen_is_gone(
    logind_mock: LogindMock,
) -> None:
    """A counted app in front with no agent, for 5 s into a block: LockSession reaches logind, the
    session's screen locker sets LockedHint, and the guard sees the session locked."""
    logind_mock.add_session("c2", uid=1001, user="kid")
    logind_mock.screen_locker(True)
    escalation = Escalation("c2", lock_limit=3)
    with Logind.connect(logind_mock.address) as logind:
        enforcer = Enforcer(logind)
        records = []
        for second in range(8):
            locked = logind.session("c2").locked
            step = escalation.tick(Observation(float(second), True, True, agent_live=False, locked=locked))
            records += enforcer.apply(step.actions)
        assert logind.session("c2").locked is True

    assert logind_mock.manager_calls("LockSession") == [("c2",)]
    assert records == [SessionLockedPayload(session="c2", reason=LockReason.OVERLAY_DOWN, count=1, limit=3)]
