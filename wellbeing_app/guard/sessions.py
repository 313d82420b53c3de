"""The guard's own watch on a protected account's graphical session: the probes it samples as root,
on the session's display (X11, with the account's X cookie) or compositor (sway's socket, KWin or
GNOME on the account's session bus), never asking the child's processes what is in front.

Where the app in front cannot be known, active session time (logind: Active and not IdleHint)
counts as the unknown app, so that the cap holds on every desktop.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import socket
import stat
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import psutil

from wellbeing_app.core.model import SELF_APP
from wellbeing_app.core.record import record
from wellbeing_app.tracker.base import (
    Foreground,
    ForegroundProbe,
    IdleProbe,
    ProbeSet,
    ProbeStatus,
    TrackerError,
)
from wellbeing_app.tracker.common import process_name, user_can_change
from wellbeing_app.tracker.null import NullForeground, NullMedia

from .account import Account
from .errors import GuardError

log = logging.getLogger(__name__)

#: An X authority file larger than this is not one (they hold a few cookies of ~50 bytes).
MAX_XAUTHORITY_BYTES = 64 * 1024

FAMILY_LOCAL = 256
FAMILY_WILD = 65535
MIT_COOKIE = b"MIT-MAGIC-COOKIE-1"

#: Variables that make a Python program or the dynamic linker run code of the person's choosing:
#: a process started with one of them is not the installed agent, whatever it runs. (PYTHONPATH
#: is checked entry by entry: it may name folders the person cannot change.)
UNTRUSTED_ENVIRONMENT = (
    b"LD_PRELOAD",
    b"LD_LIBRARY_PATH",
    b"LD_AUDIT",
    b"PYTHONHOME",
    b"PYTHONSTARTUP",
    b"PYTHONUSERBASE",
    b"PYTHONINSPECT",
)


@record
class SessionState:
    """What logind says of one session, as far as the guard's count goes.

    `idle_since` is CLOCK_MONOTONIC seconds when logind gave IdleSinceHintMonotonic, else None.
    """

    session_id: str
    uid: int
    kind: str  # logind's Type: "x11", "wayland", "mir", "tty", "unspecified"
    display: str  # ":N" on X11, else ""
    leader: int  # the session leader's pid (0 when unknown)
    active: bool
    idle: bool
    locked: bool
    idle_since: float | None = None

    @property
    def graphical(self) -> bool:
        return self.kind in ("x11", "wayland", "mir")


# --- the account's X authority ----------------------------------------------------------------


def _process_uid(pid: int) -> int | None:
    try:
        return int(psutil.Process(pid).uids().real)
    except (psutil.Error, OSError):
        return None


def _environment_of(pid: int) -> dict[bytes, bytes]:
    """The environment a process was started with, read from /proc as root; {} when unreadable."""
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    found: dict[bytes, bytes] = {}
    for item in raw.split(b"\0"):
        key, sep, value = item.partition(b"=")
        if sep:
            found[key] = value
    return found


def xauthority_candidates(account: Account, leader: int) -> list[Path]:
    """Where the account's X cookie may be, best first: the `XAUTHORITY` the session leader was
    started with (display managers put it in the runtime dir), then `~/.Xauthority`."""
    found: list[Path] = []
    if leader > 0 and _process_uid(leader) == account.uid:  # not a pid reused by another
        value = _environment_of(leader).get(b"XAUTHORITY")
        if value and value.startswith(b"/"):
            found.append(Path(os.fsdecode(value)))
    found.append(account.home / ".Xauthority")
    return found


def _read_account_file(path: Path, account: Account) -> bytes:
    """The bytes of a small regular file that the account itself owns; GuardError otherwise.
    A link is never followed: the child names the file, and root must not read where it points."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise GuardError(f"cannot open {path}: {error.strerror}") from error
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise GuardError(f"{path} is not a regular file")
        if info.st_uid != account.uid:
            raise GuardError(
                f"{path} belongs to uid {info.st_uid}, not to {account.name} (uid {account.uid})"
            )
        if info.st_size > MAX_XAUTHORITY_BYTES:
            raise GuardError(
                f"{path} has {info.st_size} bytes; an X authority file has at most {MAX_XAUTHORITY_BYTES}"
            )
        return os.read(fd, MAX_XAUTHORITY_BYTES + 1)
    finally:
        os.close(fd)


@record
class XauthEntry:
    family: int
    address: bytes
    number: bytes
    name: bytes
    data: bytes


def parse_xauthority(data: bytes) -> list[XauthEntry]:
    """The entries of an X authority file (each field a 16-bit big-endian length, then bytes);
    GuardError when it is cut short."""
    entries: list[XauthEntry] = []
    offset = 0

    def take(size: int) -> bytes:
        nonlocal offset
        if offset + size > len(data):
            raise GuardError(f"the X authority file ends inside an entry (at byte {offset} of {len(data)})")
        chunk = data[offset : offset + size]
        offset += size
        return chunk

    def field() -> bytes:
        return take(int.from_bytes(take(2), "big"))

    while offset < len(data):
        family = int.from_bytes(take(2), "big")
        entries.append(XauthEntry(family, field(), field(), field(), field()))
    return entries


def display_number(display: str) -> str:
    """ "7" of ":7" or ":7.0"; GuardError for a display that is not a local one."""
    host, sep, rest = display.partition(":")
    number = rest.split(".", 1)[0]
    if not sep or host not in ("", "unix") or not number.isdigit():
        raise GuardError(f"display {display!r} is not a local X display like ':0'")
    return number


def pick_cookie(entries: list[XauthEntry], display: str, hostname: bytes) -> tuple[bytes, bytes]:
    """(name, data) of the MIT cookie for a local `display`; GuardError when there is none."""
    number = display_number(display).encode()
    ranked: list[tuple[int, XauthEntry]] = []
    for entry in entries:
        if entry.name != MIT_COOKIE or entry.number not in (number, b""):
            continue
        if entry.family == FAMILY_LOCAL:
            ranked.append((0 if entry.address == hostname else 1, entry))
        elif entry.family == FAMILY_WILD:
            ranked.append((2, entry))
    if not ranked:
        raise GuardError(f"no MIT-MAGIC-COOKIE-1 for display {display} on this computer")
    best = min(ranked, key=lambda pair: pair[0])[1]
    return best.name, best.data


def account_cookie(account: Account, display: str, leader: int) -> tuple[bytes, bytes]:
    """The account's cookie for `display`, from the first of its X authority files that has one."""
    reasons: list[str] = []
    for path in xauthority_candidates(account, leader):
        try:
            return pick_cookie(
                parse_xauthority(_read_account_file(path, account)), display, socket.gethostname().encode()
            )
        except GuardError as error:
            reasons.append(str(error))
    raise GuardError("; ".join(reasons))


# --- the agent's windows ------------------------------------------------------------------------


def _python_options(arguments: list[str]) -> tuple[set[str], list[str]]:
    """The one-letter options given to the interpreter, and what follows them (`-m X`, a script,
    `-c CODE`)."""
    letters: set[str] = set()
    for index, argument in enumerate(arguments[1:], start=1):
        if argument in ("-m", "-c") or not argument.startswith("-") or argument == "-":
            return letters, arguments[index:]
        if argument.startswith("--"):
            continue
        letters.update(argument[1:])
    return letters, []


def _code_problem(
    arguments: list[str], environment: dict[bytes, bytes], account: Account, folder: Path
) -> str | None:
    """Why a Python command line may run code the account chose; None when all it can load is
    `wellbeing_app` from places the account cannot change."""
    letters, rest = _python_options(arguments)

    def theirs(path: str) -> bool:
        return user_can_change(path, uid=account.uid, groups=account.groups)

    if rest[:1] == ["-m"]:
        if rest[1:2] != ["wellbeing_app"]:
            return f"it runs module {' '.join(rest[1:2])!r}, not wellbeing_app"
    elif rest and not rest[0].startswith("-"):
        try:
            script = (folder / rest[0]).resolve()  # relative to where the process started
        except (OSError, RuntimeError):
            return f"its program {rest[0]!r} cannot be found"
        if theirs(str(script)):
            return f"it runs {script}, which {account.name} can change"
        if script.name != "wellbeing-app" and "wellbeing_app" not in script.parts:
            return f"it runs {script}, not wellbeing_app"
    else:
        return f"it runs {' '.join(rest)[:60]!r}, not wellbeing_app"
    if "I" not in letters:
        search = os.fsdecode(environment.get(b"PYTHONPATH", b""))
        for entry in filter(None, search.split(":")):
            if not entry.startswith("/") or theirs(entry):
                return f"its PYTHONPATH names {entry}, which {account.name} can change"
        if not ({"s", "I"} & letters or b"PYTHONNOUSERSITE" in environment):
            for site in account.home.glob(".local/lib/python3*/site-packages"):
                hooks = [p.name for p in site.glob("*.pth")] + [p.name for p in site.glob("usercustomize.py")]
                if hooks:
                    return f"it may load {account.name}'s own {', '.join(sorted(hooks))} from {site} (start it with python -s)"
    return None


def agent_process_problem(pid: int, account: Account) -> str | None:
    """Why process `pid` is not the account's agent running the installed code; None when it is.

    The agent is the account's own process, so this can only tell that it was *started* as the
    app from code the account cannot change: its interpreter lies where the account cannot write,
    it runs `wellbeing_app` (`-m wellbeing_app`, or the `wellbeing-app` script) from such places
    only (PYTHONPATH and the user's own site folder included), and nothing in its environment makes
    the linker load other code. What it does after that (a debugger attached by the account) is the
    escalation's business: a stopped or changed agent locks the session.
    """
    try:
        process = psutil.Process(pid)
        uid = int(process.uids().real)
        exe = str(process.exe())
        arguments = [str(a) for a in process.cmdline()]
        folder = str(process.cwd())
    except (psutil.Error, OSError) as error:
        return f"process {pid} cannot be read: {error}"
    if uid != account.uid:
        return f"process {pid} belongs to uid {uid}, not to {account.name}"
    if user_can_change(exe, uid=account.uid, groups=account.groups):
        return f"process {pid} runs {exe}, which {account.name} can change"
    if not os.path.basename(exe).startswith("python"):
        return f"process {pid} runs {exe}, not wellbeing_app on Python"
    environment = _environment_of(pid)
    for key in UNTRUSTED_ENVIRONMENT:
        if key in environment:
            return f"process {pid} was started with {key.decode()} set"
    problem = _code_problem(arguments, environment, account, Path(folder))
    return None if problem is None else f"process {pid}: {problem}"


class AgentWindows:
    """A foreground probe whose answers about the agent's windows (by pid: see `is_agent`) say
    "this app", so that the overlay in front counts as nothing. Every other answer passes as is."""

    def __init__(self, inner: ForegroundProbe, is_agent: Callable[[int], bool]) -> None:
        self.inner = inner
        self._is_agent = is_agent
        self.backend = inner.backend
        #: The last answer: what is in front now, the agent's windows included (the escalation).
        self.last: Foreground | None = None

    def foreground(self, *, with_title: bool) -> Foreground:
        seen = self.inner.foreground(with_title=with_title)
        if seen.pid is not None and seen.app is not None and self._is_agent(seen.pid):
            seen = Foreground(SELF_APP, pid=seen.pid)
        self.last = seen
        return seen

    def change_fd(self) -> int | None:
        return self.inner.change_fd()

    def drain_changes(self) -> bool:
        return self.inner.drain_changes()

    def status(self) -> ProbeStatus:
        return self.inner.status()

    def close(self) -> None:
        self.inner.close()


# --- logind's word on idle and lock ------------------------------------------------------------


class LogindIdle:
    """Idle time from logind's IdleHint: 0 while the session is not idle, else the time since it
    became idle (IdleSinceHintMonotonic, or since the guard first saw the hint)."""

    backend = "logind"

    def __init__(
        self, state: Callable[[], SessionState | None], monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._state = state
        self._monotonic = monotonic
        self._idle_seen: float | None = None

    def idle_seconds(self) -> float | None:
        state = self._state()
        if state is None or not state.idle:
            self._idle_seen = None
            return 0.0 if state is not None else None
        now = self._monotonic()
        if state.idle_since is not None:
            return max(0.0, now - state.idle_since)
        if self._idle_seen is None:
            self._idle_seen = now
        return now - self._idle_seen

    def status(self) -> ProbeStatus:
        state = self._state()
        return ProbeStatus("idle", self.backend, state is not None, "IdleHint" if state else "no session")

    def close(self) -> None:
        pass


#: Input within this many seconds gives the lie to a session that says it is locked.
LOCK_BELIEVED_AFTER_IDLE_SECONDS = 5.0


class LogindLock:
    """Locked while logind says the session is locked, or not the active one (switched away).

    Any program of the session's owner may set logind's LockedHint on its own session. Where
    the guard measures input itself (`own_idle`: the X server's idle time), the hint is believed
    only once there has been no input for a few seconds: a session in use is not locked,
    whatever it says, and its time counts. (A real lock screen gets input only while the
    password is typed.) Active cannot be set by the owner: logind follows the seat.
    """

    backend = "logind"

    def __init__(self, state: Callable[[], SessionState | None], own_idle: IdleProbe | None = None) -> None:
        self._state = state
        self._own_idle = own_idle

    def locked(self) -> bool | None:
        state = self._state()
        if state is None or not state.active:
            return True
        if not state.locked:
            return False
        if self._own_idle is None:
            return True
        idle = self._own_idle.idle_seconds()
        return idle is None or idle >= LOCK_BELIEVED_AFTER_IDLE_SECONDS

    def status(self) -> ProbeStatus:
        return ProbeStatus("lock", self.backend, True, "LockedHint and Active")

    def close(self) -> None:
        pass


# --- the watch ------------------------------------------------------------------------------------


def _sway_sockets(runtime_dir: Path, uid: int) -> Iterator[Path]:
    try:
        names = sorted(runtime_dir.glob(f"sway-ipc.{uid}.*.sock"))
    except OSError:
        return
    for path in names:
        try:
            info = path.lstat()
        except OSError:
            continue
        if stat.S_ISSOCK(info.st_mode) and info.st_uid == uid:
            yield path


def _listener_problem(path: Path, account: Account, program: str) -> str | None:
    """Why the process listening on `path` is not the system's `program` run by the account; None
    when it is. The runtime dir is the account's: any program of theirs could listen there and
    say that an allowed app is in front."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(str(path))
        pid, uid, _gid = struct.unpack("3i", probe.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    except OSError as error:
        return f"cannot connect to {path}: {error}"
    finally:
        probe.close()
    try:
        exe = str(psutil.Process(pid).exe())
    except (psutil.Error, OSError) as error:
        return f"cannot read the process listening on {path}: {error}"
    if (
        uid != account.uid
        or os.path.basename(exe) != program
        or user_can_change(exe, uid=account.uid, groups=account.groups)
    ):
        return f"{path} is served by {exe} (uid {uid}), not by the system's {program} of {account.name}"
    return None


@contextlib.contextmanager
def _effective_user(account: Account) -> Iterator[None]:
    """Act with the account's effective user and group ids for a moment: a session bus lets in
    only the user it belongs to (dbus-daemon checks the connecting uid), so the guard connects to
    the account's bus as the account. The real and saved ids stay root's: the account can neither
    signal nor trace the guard meanwhile, and a process whose ids changed is not dumpable. A
    connection that breaks later is opened again as root, is refused, and the time then counts
    as the unknown app."""
    uid, gid = os.geteuid(), os.getegid()
    if uid != 0:
        yield
        return
    os.setegid(account.gid)
    os.seteuid(account.uid)
    try:
        yield
    finally:
        os.seteuid(uid)
        os.setegid(gid)


def _wayland_foreground(account: Account, runtime_dir: Path) -> ForegroundProbe:
    """sway's IPC socket, else KWin or GNOME on the account's session bus, else nothing (the
    time then counts as the unknown app)."""
    namer = functools.partial(process_name, uid=account.uid, groups=account.groups)
    reasons: list[str] = []
    from wellbeing_app.tracker.sway import SwayForeground

    for path in _sway_sockets(runtime_dir, account.uid):
        problem = _listener_problem(path, account, "sway")
        if problem is not None:
            reasons.append(problem)
            continue
        try:
            return SwayForeground(str(path), own_pid=0, name_of_process=namer)
        except TrackerError as error:
            reasons.append(str(error))
    bus = runtime_dir / "bus"
    if bus.is_socket():
        from wellbeing_app.tracker.gnome import GnomeForeground
        from wellbeing_app.tracker.kde import KdeForeground

        address = f"unix:path={bus}"
        for opener in (KdeForeground, GnomeForeground):
            try:
                with _effective_user(account):
                    return opener(bus=address, own_pid=0, name_of_process=namer)
            except TrackerError as error:
                reasons.append(str(error))
    else:
        reasons.append(f"no session bus at {bus}")
    return NullForeground("; ".join(reasons) or "no compositor found that can be asked", backend="none")


class SessionWatch:
    """The probes the guard samples for one session of a protected account.

    `update()` takes logind's newest word on the session; the idle and lock probes read it.
    Threading contract: one thread, the guard's loop.
    """

    def __init__(
        self,
        account: Account,
        state: SessionState,
        *,
        is_agent: Callable[[int], bool],
        runtime_dir: Path | None = None,
    ) -> None:
        self.account = account
        self.state = state
        self.reason: str | None = None
        runtime = runtime_dir or Path(f"/run/user/{account.uid}")
        foreground: ForegroundProbe | None = None
        idle: IdleProbe = LogindIdle(lambda: self.state)
        if state.kind == "x11" and state.display:
            try:
                foreground, idle = self._open_x11(state)
            except (GuardError, TrackerError) as error:
                self.reason = f"cannot watch {state.display}: {error}"
                log.warning("session %s of %s: %s", state.session_id, account.name, self.reason)
        elif state.kind in ("wayland", "mir"):
            foreground = _wayland_foreground(account, runtime)
        if foreground is None:
            foreground = NullForeground(
                self.reason or f"a {state.kind} session: the app in front cannot be known"
            )
        self.front = AgentWindows(foreground, is_agent)
        self.probes = ProbeSet(
            foreground=self.front,
            idle=idle,
            media=NullMedia("the child's media players are not asked: they could say anything"),
            lock=LogindLock(lambda: self.state, own_idle=None if isinstance(idle, LogindIdle) else idle),
        )

    def _open_x11(self, state: SessionState) -> tuple[ForegroundProbe, IdleProbe]:
        from wellbeing_app.tracker.x11 import (
            DesktopIndex,
            Watched,
            X11Foreground,
            X11Idle,
            application_dirs,
            open_display_with_auth,
        )

        name, data = account_cookie(self.account, state.display, state.leader)
        connect = functools.partial(_connect_with, name=name, data=data, open_with=open_display_with_auth)
        index = DesktopIndex(
            [
                d
                for d in application_dirs({"HOME": str(self.account.home)})
                if not user_can_change(str(d), uid=self.account.uid, groups=self.account.groups)
            ],
            languages=[],
        )
        watched = Watched(self.account.uid, self.account.groups)
        foreground = X11Foreground(state.display, desktop_index=index, connect=connect, watched=watched)
        try:
            idle = X11Idle(state.display, connect=connect)
        except TrackerError:
            foreground.close()
            raise
        return foreground, idle

    def update(self, state: SessionState) -> None:
        self.state = replace(state)

    def locked(self) -> bool:
        """Whether the session is locked as far as the guard believes (see `LogindLock`)."""
        return bool(self.probes.lock.locked())

    def close(self) -> None:
        self.probes.close()


def _connect_with(
    display: str | None, *, name: bytes, data: bytes, open_with: Callable[[str, bytes, bytes], object]
) -> object:
    if not display:
        raise TrackerError("no display named")
    return open_with(display, name, data)
