"""The ops one `Service` answers on the socket: each request checked field by field, then passed
to the service's façade; its refusals become the socket's error kinds.

The guard hands each request of a protected account to that account's `ServiceHandler`; the tray
app in personal mode serves its own. The service's passcode gate decides every guarded action
(its lockouts count whoever asks); a handler in guard mode also refuses a child's changes while
no passcode is set, so that the child cannot set one first.
"""

from __future__ import annotations

import getpass
import io
import json
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from wellbeing_app import __version__
from wellbeing_app.core.errors import CoreError, PasscodeError, SettingError, StorageError, shown_value
from wellbeing_app.core.model import EventKind
from wellbeing_app.core.text import N_

from . import codec
from .codec import CodecError
from .protocol import LinkError, Peer

if TYPE_CHECKING:
    from wellbeing_app.service import Service

log = logging.getLogger(__name__)

MODES = ("personal", "guard")

#: The most days `report` and `events` look back, and `usage` spans (ten years).
MAX_DAYS = 3660

#: What a passcode may be asked for: the words the gate records with each attempt.
PURPOSES = frozenset(
    {
        N_("change settings"),
        N_("change the passcode"),
        N_("remove the passcode"),
        N_("delete all records"),
        N_("grant more time"),
        N_("skip a break"),
        N_("pause tracking"),
        N_("quit Wellbeing"),
    }
)

#: A reply carries at most this much of a long list or an export (a line holds 64 KiB); the
#: rest follows on asking again from `next`.
PAGE_BYTES = 40 * 1024
#: Characters of an export a reply carries (JSON escapes a character in at most 6 bytes).
EXPORT_PAGE_CHARACTERS = 6 * 1024

#: The most characters of a passcode on the socket (a phrase is at most 128).
MAX_PASSCODE = 256

#: The ops a protected account's child may not use while no passcode is set (the guard's
#: account would otherwise be open to whoever asks first).
NEEDS_A_PASSCODE_IN_GUARD_MODE = frozenset(
    {"change-settings", "passcode-set", "passcode-clear", "skip-break", "grant", "pause", "delete-all"}
)


class Arguments:
    """A request's fields, read one by one; a field not read is refused at the end."""

    def __init__(self, request: Mapping[str, Any]) -> None:
        self._request = request
        self._read = {"id", "op"}

    def get(self, key: str) -> Any:
        self._read.add(key)
        return self._request.get(key)

    def passcode(self, key: str = "passcode") -> str | None:
        value = self.get(key)
        if value is None:
            return None
        return codec.need_text(value, key, longest=MAX_PASSCODE)

    def whole(self, key: str, lowest: int, highest: int) -> int:
        return codec.need_whole(self.get(key), key, lowest, highest)

    def start(self) -> int:
        """Where a paged answer goes on from (`next` of the reply before; 0 when not given)."""
        value = self.get("start")
        return 0 if value is None else codec.need_whole(value, "start", 0, 10**9)

    def finish(self) -> None:
        unknown = sorted(set(self._request) - self._read)
        if unknown:
            allowed = ", ".join(sorted(self._read - {"id", "op"})) or "none"
            raise CodecError(unknown[0], self._request[unknown[0]], f"only the fields of this op ({allowed})")


Op = Callable[["ServiceHandler", Peer, Arguments], Any]
OPS: dict[str, Op] = {}


def op(name: str) -> Callable[[Op], Op]:
    def register(function: Op) -> Op:
        OPS[name] = function
        return function

    return register


class ServiceHandler:
    """Answers requests on one `Service`. `mode` is "personal" (the tray app's own socket) or
        "guard"; `user` is the account the service is for; `on_show` brings up the personal app's
        dashboard (no `show` without it); `manager(peer)` says who manages the account (root): in
    guard mode only they may act while no passcode is set.

        Threading contract: runs on the thread that owns the service (the server's `process()` is
        called there).
    """

    def __init__(
        self,
        service: Service,
        *,
        mode: str = "personal",
        user: str | None = None,
        on_show: Callable[[], None] | None = None,
        manager: Callable[[Peer], bool] = lambda peer: peer.uid == 0,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode {mode!r} is not allowed; use one of {', '.join(MODES)}")
        self.service = service
        self.mode = mode
        self.user = user or getpass.getuser()
        self.on_show = on_show
        self.manager = manager
        #: An export being read page by page, by (peer's pid, format).
        self.exports: dict[tuple[int, str], str] = {}

    def __call__(self, peer: Peer, request: Mapping[str, Any]) -> Any:
        return self.handle(peer, request)

    def handle(self, peer: Peer, request: Mapping[str, Any]) -> Any:
        """The result of one request, or LinkError with the kind and the words of the refusal."""
        if not isinstance(request, Mapping):
            raise LinkError("bad-request", f"a request must be a JSON object, not {type(request).__name__}")
        name = request.get("op")
        function = OPS.get(name) if isinstance(name, str) else None
        if function is None or (name == "show" and self.on_show is None):
            known = ", ".join(sorted(n for n in OPS if n != "show" or self.on_show is not None))
            raise LinkError("unknown-op", f"op: {shown_value(name)} is not known; use one of {known}")
        if self._needs_a_passcode_first(peer, str(name)):
            raise LinkError(
                "refused",
                "no passcode is set for this account: the parent sets one first "
                "(sudo wellbeing-app --user NAME passcode set)",
            )
        arguments = Arguments(request)
        try:
            result = function(self, peer, arguments)
        except CodecError as error:
            raise LinkError("bad-request", str(error)) from None
        except SettingError as error:
            raise LinkError("bad-request", str(error)) from None
        except PasscodeError as error:
            raise LinkError("passcode", str(error)) from None
        except CoreError as error:  # ServiceError, BreakError: the action cannot be done now
            raise LinkError("refused", str(error)) from None
        except StorageError as error:
            log.warning("%s: %s", name, error)
            raise LinkError("failed", str(error)) from None
        return result

    def _needs_a_passcode_first(self, peer: Peer, name: str) -> bool:
        return (
            self.mode == "guard"
            and name in NEEDS_A_PASSCODE_IN_GUARD_MODE
            and not self.manager(peer)
            and not self.service.passcode_is_set()
        )

    def _settings(self) -> dict[str, Any]:
        service = self.service
        lockout = service.lockout_until()
        return {
            "settings": codec.settings_message(service.settings),
            "passcode_set": service.passcode_is_set(),
            "configured": service.configured,
            "lockout_until": lockout.isoformat() if lockout else None,
        }


def page(items: list[dict[str, Any]], start: int) -> dict[str, Any]:
    """`items[start:]` as far as fits in one reply, and where the next reply goes on (None: done)."""
    chosen: list[dict[str, Any]] = []
    size = 0
    index = start
    while index < len(items):
        size += len(json.dumps(items[index], ensure_ascii=False)) * 2  # UTF-8: room for non-Latin
        if chosen and size > PAGE_BYTES:
            break
        chosen.append(items[index])
        index += 1
    return {"items": chosen, "next": index if index < len(items) else None}


def _checked(arguments: Arguments) -> Arguments:
    arguments.finish()
    return arguments


def _event(event: Any) -> dict[str, Any]:
    return codec.event_message(event)


@op("hello")
def _hello(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    _checked(args)
    return {"mode": handler.mode, "user": handler.user, "version": __version__}


@op("status")
def _status(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    _checked(args)
    return codec.status_message(handler.service.status())


@op("watch")
def _watch(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    _checked(args)
    return {"status": codec.status_message(handler.service.status()), **handler._settings()}


@op("settings")
def _settings(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    _checked(args)
    return handler._settings()


@op("change-settings")
def _change_settings(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    changes = codec.changes_from(args.get("changes"))
    passcode = args.passcode()
    _checked(args)
    handler.service.change_settings(changes, passcode=passcode)
    return handler._settings()


@op("passcode-set")
def _passcode_set(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    new = codec.need_text(args.get("new"), "new", longest=MAX_PASSCODE)
    current = args.passcode("current")
    _checked(args)
    handler.service.set_passcode(new, current=current)
    return handler._settings()


@op("passcode-clear")
def _passcode_clear(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    current = args.passcode("current")
    _checked(args)
    handler.service.clear_passcode(current=current)
    return handler._settings()


@op("verify-passcode")
def _verify_passcode(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    passcode = args.passcode()
    purpose = args.get("purpose")
    if purpose not in PURPOSES:
        raise CodecError("purpose", purpose, "one of " + ", ".join(sorted(PURPOSES)))
    _checked(args)
    handler.service.verify_passcode(passcode, purpose=purpose)
    return None


@op("lockout")
def _lockout(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    _checked(args)
    until = handler.service.lockout_until()
    return {"until": until.isoformat() if until else None, "passcode_set": handler.service.passcode_is_set()}


@op("postpone")
def _postpone(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    _checked(args)
    return _event(handler.service.postpone_break())


@op("take-break")
def _take_break(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    _checked(args)
    return _event(handler.service.take_break_now())


@op("skip-break")
def _skip_break(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    passcode = args.passcode()
    _checked(args)
    return _event(handler.service.skip_break(passcode))


@op("grant")
def _grant(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    """{minutes, passcode}: that much more counted time today; {minutes, passcode, free: true}:
    free time for that many minutes from now (a block that lasts to a time, downtime)."""
    minutes = args.whole("minutes", 1, 24 * 60)
    free = args.get("free")
    free = False if free is None else codec.need_flag(free, "free")
    passcode = args.passcode()
    _checked(args)
    service = handler.service
    if free:
        event = service.grant(until=service.now() + timedelta(minutes=minutes), passcode=passcode)
    else:
        event = service.grant(minutes=minutes, passcode=passcode)
    return _event(event)


@op("pause")
def _pause(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    minutes = args.whole("minutes", 1, 24 * 60)
    passcode = args.passcode()
    _checked(args)
    return _event(handler.service.pause(minutes, passcode=passcode))


@op("resume")
def _resume(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    _checked(args)
    handler.service.resume()
    return None


@op("report")
def _report(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    days = args.whole("days", 1, MAX_DAYS)
    start = args.start()
    _checked(args)
    return page([codec.usage_message(row) for row in handler.service.report(days)], start)


@op("events")
def _events(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    days = args.whole("days", 1, MAX_DAYS)
    kinds_given = args.get("kinds")
    kinds = None
    if kinds_given is not None:
        if not isinstance(kinds_given, list):
            raise CodecError("kinds", kinds_given, "a list of event kinds")
        kinds = [codec.member_of(EventKind, kind, f"kinds[{i}]") for i, kind in enumerate(kinds_given)]
    start = args.start()
    _checked(args)
    return page([_event(event) for event in handler.service.events(days, kinds)], start)


@op("usage")
def _usage(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    first = codec.need_day(args.get("first"), "first")
    last = codec.need_day(args.get("last"), "last")
    if last < first:
        raise CodecError("last", last.isoformat(), f"a day on or after first ({first.isoformat()})")
    if (last - first).days >= MAX_DAYS:
        raise CodecError("last", last.isoformat(), f"a day less than {MAX_DAYS} days after first")
    start = args.start()
    _checked(args)
    return page([codec.usage_message(row) for row in handler.service.usage_by_day_app(first, last)], start)


@op("export")
def _export(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    fmt = args.get("format")
    if fmt not in ("csv", "json"):
        raise CodecError("format", fmt, "csv or json")
    start = args.start()
    _checked(args)
    key = (peer.pid, fmt)
    text = handler.exports.get(key)
    if text is None or start == 0:
        if len(handler.exports) >= 4:  # exports begun and never read to the end
            handler.exports.clear()
        written = io.StringIO()
        handler.service.export(fmt, written)
        text = handler.exports[key] = written.getvalue()
    end = start + EXPORT_PAGE_CHARACTERS
    if end >= len(text):
        handler.exports.pop(key, None)
    return {"format": fmt, "text": text[start:end], "next": end if end < len(text) else None}


@op("delete-all")
def _delete_all(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    passcode = args.passcode()
    _checked(args)
    handler.service.delete_all(passcode=passcode)
    return None


@op("show")
def _show(handler: ServiceHandler, peer: Peer, args: Arguments) -> Any:
    _checked(args)
    assert handler.on_show is not None  # refused before without it
    handler.on_show()
    return None
