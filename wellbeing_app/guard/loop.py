"""The guard's loop: one `Service` per protected account, each ticked from the guard's own watch on
that account's session, a socket on which every request is routed by the peer's uid, and logind's
word on the sessions; one `select()` over all of them, no threads."""

from __future__ import annotations

import contextlib
import logging
import os
import select
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import psutil

from wellbeing_app.core.engine import TickResult
from wellbeing_app.core.events import OtherDisplayPayload
from wellbeing_app.core.model import UNKNOWN_APP, Verdict
from wellbeing_app.core.policy import is_exempt
from wellbeing_app.core.record import record
from wellbeing_app.link import paths
from wellbeing_app.link.codec import tick_message
from wellbeing_app.link.handler import ServiceHandler
from wellbeing_app.link.protocol import LinkError, Peer
from wellbeing_app.link.server import LinkServer
from wellbeing_app.service import Service
from wellbeing_app.service.loop import TickLoop
from wellbeing_app.surroundings import other_displays
from wellbeing_app.tracker.base import ProbeSet
from wellbeing_app.tracker.null import NullForeground, NullIdle, NullMedia

from .account import Account
from .enforcer import Enforcer
from .errors import GuardError
from .escalation import Escalation, Observation
from .sessions import LogindLock, SessionState, SessionWatch, agent_process_problem
from .state import account_dir, check_state_dir

log = logging.getLogger(__name__)

#: The protected list is read again this often (`service protect`/`release` need no restart), and a
#: session display that could not be opened is tried again.
LIST_POLL_SECONDS = 5.0

#: The longest the loop sleeps when nothing is due (logind and the socket wake it earlier).
LONGEST_WAIT_SECONDS = 1.0


class SessionSource(Protocol):
    """logind as the loop needs it: the sessions now, and an fd readable when they may have changed."""

    def sessions(self) -> list[SessionState]: ...

    def fileno(self) -> int | None: ...

    def process(self) -> bool:
        """Read what made `fileno()` readable (with no fd: ask again when it is time); True when
        the sessions may have changed."""
        ...

    def close(self) -> None: ...


def _no_session_probes() -> ProbeSet:
    reason = "no graphical session of this account"
    return ProbeSet(
        foreground=NullForeground(reason),
        idle=NullIdle(reason),
        media=NullMedia(reason),
        lock=LogindLock(lambda: None),  # locked: nothing counts while no session is there
    )


class AccountGuard:
    """One protected account: its service on `STATE/accounts/NAME`, ticked from the session the
    guard watches (the active graphical one), or as locked while there is none."""

    def __init__(self, account: Account, data_dir: Path, *, is_agent: Callable[[int], bool]) -> None:
        self.account = account
        self.service = Service.open(data_dir)
        for notice in self.service.notices:
            log.warning("%s: %s", account.name, notice)
        self.handler = ServiceHandler(self.service, mode="guard", user=account.name)
        self._is_agent = is_agent
        self.probes = _no_session_probes()
        self.loop = TickLoop(self.service, self.probes)
        self.watch: SessionWatch | None = None
        #: What is done when the block screen does not hold in the watched session.
        self.escalation: Escalation | None = None
        #: X servers of the account outside its sessions, already recorded (once each a run).
        self.displays_seen: set[str] = set()

    def follow(self, sessions: list[SessionState], *, retry: bool = False) -> None:
        """Watch this account's active graphical session (or its first graphical one). With
        `retry`, a watch that could not open the session's display (a log-in still writing its
        X cookie) is opened again."""
        own = [s for s in sessions if s.uid == self.account.uid and s.graphical]
        chosen = next((s for s in own if s.active), own[0] if own else None)
        watch = self.watch
        same = watch is not None and chosen is not None and chosen.session_id == watch.state.session_id
        if watch is not None and chosen is not None and same and not (retry and watch.reason is not None):
            watch.update(chosen)
            return
        if self.watch is not None:
            self.watch.close()
            self.watch = None
        fresh = _no_session_probes()
        if chosen is not None:
            self.watch = SessionWatch(self.account, chosen, is_agent=self._is_agent)
            fresh = self.watch.probes
            if self.escalation is None or self.escalation.session != chosen.session_id:
                self.escalation = Escalation(
                    chosen.session_id, lock_limit=self.service.settings.protected_lock_limit
                )
            log.info(
                "%s: watching session %s (%s %s)",
                self.account.name,
                chosen.session_id,
                chosen.kind,
                chosen.display,
            )
        # The loop and its sampler hold this very ProbeSet: its probes are swapped in place.
        self.probes.foreground, self.probes.idle = fresh.foreground, fresh.idle
        self.probes.media, self.probes.lock = fresh.media, fresh.lock

    def notice_displays(self, sessions: list[SessionState]) -> None:
        """Record each X server the account runs that none of its sessions is on (`Xvfb :5`,
        `startx -- :1` from a terminal): the guard does not watch it. Not while the account has a
        Wayland session, whose XWayland servers are the account's own too."""
        own = [s for s in sessions if s.uid == self.account.uid]
        if any(s.kind in ("wayland", "mir") for s in own):
            return
        for display in other_displays(self.account.uid, [s.display for s in own if s.display]):
            if display not in self.displays_seen:
                self.displays_seen.add(display)
                log.warning("%s: another X server of the account runs on %s", self.account.name, display)
                self.service.record_sign(OtherDisplayPayload(display))

    def observe(self, agent_live: bool) -> Observation | None:
        """What the escalation is told of this tick; None while no session is watched or the
        watched one is not in front on its seat (nothing counts then, nothing is locked)."""
        watch = self.watch
        if watch is None or not watch.state.active:
            return None
        settings = self.service.settings
        seen = watch.front.last
        app = None
        if seen is not None:
            app = seen.app if seen.app is not None else (None if seen.nothing_in_front else UNKNOWN_APP)
        standing = self.service.decision_for(UNKNOWN_APP).verdict in (Verdict.BLOCK, Verdict.BREAK)
        return Observation(
            now=self.service.clock.elapsed(),
            block_standing=standing,
            counted_app_in_front=app is not None and not is_exempt(app, settings.always_allowed),
            agent_live=agent_live,
            locked=watch.locked(),
        )

    def close(self) -> None:
        self.loop.stop(how="signal")
        if self.watch is not None:
            self.watch.close()
        self.service.close()


@record
class Tick:
    """One account's tick, as the loop reports it to whoever runs it (the escalation, tests)."""

    account: Account
    result: TickResult


class Guard:
    """The guard: protected accounts, their ticks, the socket, logind. See the module docstring.

    Threading contract: one thread; `run()` owns it until `stop()` (a signal handler may call it).
    """

    def __init__(
        self,
        state_dir: Path,
        socket_path: Path,
        sessions: SessionSource,
        *,
        protected: Callable[[], set[str]] = paths.protected_accounts,
        enforcer: Enforcer | None = None,
        on_tick: Callable[[Tick], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.state_dir = check_state_dir(state_dir)
        self._sessions = sessions
        self._protected = protected
        self._enforcer = enforcer
        self._on_tick = on_tick
        self._monotonic = monotonic
        self.accounts: dict[int, AccountGuard] = {}
        self.server = LinkServer(
            socket_path, self._handle, allow=lambda peer: True, mode=0o666, max_clients=64, max_per_user=16
        )
        self._running = False
        self._started = False
        self._list_read_at = monotonic()
        self._wake_read, self._wake_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            self._follow_list()
        except BaseException:
            self._close_accounts()
            raise

    def _follow_list(self) -> None:
        """Guard the accounts on the protected list: new ones begin, released ones stop cleanly."""
        self._list_read_at = self._monotonic()
        names = self._protected()
        for uid, guard in list(self.accounts.items()):
            if guard.account.name not in names:
                log.info("%s: released; its records stay in %s", guard.account.name, guard.service.data_dir)
                guard.close()
                del self.accounts[uid]
        known = {guard.account.name for guard in self.accounts.values()}
        for name in sorted(names - known):
            try:
                account = Account.named(name)
            except GuardError as error:
                log.warning("the protected list names %r, which is skipped: %s", name, error)
                continue
            guard = AccountGuard(
                account, account_dir(self.state_dir, name), is_agent=self._agent_check(account)
            )
            self.accounts[account.uid] = guard
            if self._started:
                guard.follow(self._sessions.sessions())
                guard.loop.start()
            log.info("%s: protected", name)

    # --- who is who on the socket ----------------------------------------------------------------

    def _agent_check(self, account: Account) -> Callable[[int], bool]:
        def is_agent(pid: int) -> bool:
            watching = any(p.pid == pid and p.uid == account.uid for p in self.server.watchers())
            return watching and agent_process_problem(pid, account) is None

        return is_agent

    def _handle(self, peer: Peer, request: Mapping[str, Any]) -> Any:
        named = request.get("user")
        if named is not None and not isinstance(named, str):
            raise LinkError("bad-request", f'"user" must be an account name, not {type(named).__name__}')
        if peer.uid == 0:
            if named is None:
                if request.get("op") == "hello":
                    return {
                        "mode": "guard",
                        "accounts": sorted(a.account.name for a in self.accounts.values()),
                    }
                raise LinkError("bad-request", 'root names the account it acts on: {"user": NAME}')
            target = next((a for a in self.accounts.values() if a.account.name == named), None)
            if target is None:
                raise LinkError("not-protected", f"{named[:64]!r} is not a protected account here")
        else:
            target = self.accounts.get(peer.uid)
            if target is None:
                raise LinkError(
                    "not-protected",
                    f"uid {peer.uid} is not a protected account; the guard answers protected accounts and root",
                )
            if named is not None and named != target.account.name:
                raise LinkError("refused", f"an account acts on its own records only, not on {named[:64]!r}")
        # "user" was for the routing: the account's own handler knows no such field.
        return target.handler.handle(peer, {key: value for key, value in request.items() if key != "user"})

    # --- the loop ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the socket, read the sessions, begin tracking every account."""
        self.server.open()
        os.chmod(self.server.path, 0o666)
        self._follow_sessions()
        for guard in self.accounts.values():
            guard.loop.start()
        self._started = True

    def stop(self) -> None:
        """Leave `run()` at its next wake-up; safe from a signal handler."""
        self._running = False
        with contextlib.suppress(OSError):
            os.write(self._wake_write, b"x")

    def _follow_sessions(self) -> None:
        sessions = self._sessions.sessions()
        for guard in self.accounts.values():
            guard.follow(sessions)

    def run(self) -> None:
        self._running = True
        while self._running:
            self.step()

    def step(self) -> list[Tick]:
        """Wait for the next thing to do (at most `LONGEST_WAIT_SECONDS`) and do it."""
        watched: dict[int, AccountGuard] = {}
        waits = [self.server.fileno(), self._wake_read]
        session_fd = self._sessions.fileno()
        if session_fd is not None:
            waits.append(session_fd)
        for guard in self.accounts.values():
            fd = guard.loop.change_fd()
            if fd is not None:
                watched[fd] = guard
                waits.append(fd)
        timeout = min(
            [LONGEST_WAIT_SECONDS, *(g.loop.seconds_to_next_tick() for g in self.accounts.values())]
        )
        try:
            ready, _, _ = select.select(waits, [], [], timeout)
        except InterruptedError:
            ready = []
        if self._wake_read in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(self._wake_read, 64)
        if (session_fd is None or session_fd in ready) and self._sessions.process():
            self._follow_sessions()
        if self._monotonic() - self._list_read_at >= LIST_POLL_SECONDS:
            self._follow_list()
            sessions = self._sessions.sessions()
            for guard in self.accounts.values():
                guard.follow(sessions, retry=True)
                guard.notice_displays(sessions)
        ticks: list[Tick] = []
        for guard in self.accounts.values():
            switched = False
            for fd in ready:
                if watched.get(fd) is guard:
                    switched = guard.loop.drain_switches() or switched
            result = guard.loop.step(switched=switched)
            if result is not None:
                ticks.append(Tick(guard.account, result))
                self._push(guard, result)
                self._escalate(guard)
        if self.server.fileno() in ready:
            self.server.process()
        if self._on_tick is not None:
            for tick in ticks:
                self._on_tick(tick)
        return ticks

    def _agent_live(self, account: Account) -> bool:
        """Whether an agent of the account watches the guard, runs this installation's code and
        is not stopped."""
        for peer in self.server.watchers():
            if peer.uid != account.uid or agent_process_problem(peer.pid, account) is not None:
                continue
            try:
                if psutil.Process(peer.pid).status() not in (
                    psutil.STATUS_STOPPED,
                    psutil.STATUS_TRACING_STOP,
                ):
                    return True
            except psutil.Error:
                continue
        return False

    def _escalate(self, guard: AccountGuard) -> None:
        """Lock or end the watched session when the block screen does not hold; every step recorded."""
        escalation = guard.escalation
        if self._enforcer is None or escalation is None:
            return
        limit = guard.service.settings.protected_lock_limit
        if limit != escalation.lock_limit:
            escalation.configure(limit)
        seen = guard.observe(self._agent_live(guard.account))
        if seen is None:
            return
        step = escalation.tick(seen)
        if step.actions:
            for payload in self._enforcer.apply(step.actions):
                guard.service.record_sign(payload)

    def _push(self, guard: AccountGuard, result: TickResult) -> None:
        uid = guard.account.uid
        if not any(p.uid == uid for p in self.server.watchers()):
            return  # no agent listens: no status to compute
        try:
            self.server.push(tick_message(result, guard.service.status()), to=lambda peer: peer.uid == uid)
        except LinkError as error:
            log.warning("%s: the tick could not be sent: %s", guard.account.name, error)

    def close(self) -> None:
        """Stop every account cleanly (spans and events written), close the socket and logind."""
        try:
            self._close_accounts()
        finally:
            self.server.close()
            self._sessions.close()
            os.close(self._wake_read)
            os.close(self._wake_write)

    def _close_accounts(self) -> None:
        for guard in self.accounts.values():
            try:
                guard.close()
            except Exception:  # one account's failure must not leave the others unwritten
                log.exception("%s: stopping failed", guard.account.name)
