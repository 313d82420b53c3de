"""The command line: the same service as the tray app, for people and for scripts."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import math
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeAlias

from wellbeing_app import __version__
from wellbeing_app.core import languages
from wellbeing_app.core.blocks import block_kind, preview_kinds
from wellbeing_app.core.errors import CoreError
from wellbeing_app.core.settings import Settings
from wellbeing_app.core.text import N_
from wellbeing_app.i18n import _, current_language, localize, ngettext, set_language
from wellbeing_app.paths import log_dir, resolve_data_dir

if TYPE_CHECKING:  # the service (and SQLAlchemy) is imported only by commands that need it
    from wellbeing_app.core.status import Status
    from wellbeing_app.link.server import LinkServer
    from wellbeing_app.service import Service

EXIT_ERROR = 2


class CliError(Exception):
    """A problem to tell the person in one line (exit status 2)."""


def _format_minutes(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{math.floor(seconds / 60 + 1e-9)}"


# --- passcodes from the terminal or from standard input -----------------------------------------


class PasscodeSource:
    """Where passcodes come from: standard input lines (--passcode-stdin) or the terminal."""

    def __init__(self, from_stdin: bool, stdin: TextIO) -> None:
        self.from_stdin = from_stdin
        self.stdin = stdin

    def ask(self, prompt: str) -> str:
        if self.from_stdin:
            line = self.stdin.readline()
            if not line:
                raise CliError(_("expected a passcode on standard input (--passcode-stdin), found nothing"))
            return line.rstrip("\r\n")
        if not self.stdin.isatty():
            raise CliError(
                _("the settings are locked: give the passcode on standard input with --passcode-stdin")
            )
        return getpass.getpass(prompt)


def _current_passcode(service: Service, source: PasscodeSource) -> str | None:
    if not service.passcode_is_set() or service.acting_as_root:
        return None
    return source.ask(_("Passcode: "))


# --- commands ------------------------------------------------------------------------------------


def cmd_status(service: Service, args: argparse.Namespace, out: TextIO) -> None:
    status = service.status()
    if args.json:
        json.dump(status_json(status), out, ensure_ascii=False)
        out.write("\n")
        return
    out.write(status_text(status) + "\n")


def status_json(status: Status) -> dict[str, Any]:
    decision = status.decision
    return {
        "day": status.day.isoformat(),
        "used_minutes": round(status.used_minutes, 2),
        "cap_minutes": status.cap_minutes,
        "remaining_minutes": None if status.remaining_minutes is None else round(status.remaining_minutes, 2),
        "decision": decision.verdict.value,
        "reason": decision.reason.value if decision.reason else None,
        "until": decision.until.isoformat() if decision.until else None,
        "next_break_in_minutes": None
        if status.next_break_in_seconds is None
        else round(status.next_break_in_seconds / 60, 2),
        "tracking": status.tracking,
        "apps": [
            {"app": app.executable, "name": app.name, "minutes": round(seconds / 60, 2)}
            for app, seconds in status.by_app
        ],
    }


def status_text(status: Status) -> str:
    decision = status.decision
    lines = []
    if status.cap_minutes is None:
        lines.append(
            _("Today: {used} min of screen time (no daily cap)").format(
                used=_format_minutes(status.used_seconds)
            )
        )
    else:
        lines.append(
            _("Today: {used} of {cap} min used, {left} min left").format(
                used=_format_minutes(status.used_seconds),
                cap=status.cap_minutes,
                left=math.ceil((status.remaining_minutes or 0) - 1e-9),
            )
        )
    if status.next_break_in_seconds is not None:
        lines.append(
            _("Next break in {minutes} min of use").format(
                minutes=math.ceil(status.next_break_in_seconds / 60)
            )
        )
    verdicts = {
        "allow": _("Counted apps: allowed"),
        "warn": _("Counted apps: allowed, the cap is near"),
        "break": _("A break is running"),
        "block": _("Counted apps: blocked"),
    }
    line = verdicts[decision.verdict.value]
    if decision.until is not None:
        line += " " + _("until {time}").format(time=decision.until.astimezone().strftime("%H:%M"))
    if decision.reason is not None:
        line += f" ({_(block_kind(decision.reason).reason_words or decision.reason.value)})"
    lines.append(line)
    if not status.tracking:
        lines.append(_("Tracking is not running: start the app with `wellbeing-app run`."))
    return "\n".join(lines)


def cmd_report(service: Service, args: argparse.Namespace, out: TextIO) -> None:
    rows = service.report(args.days)
    records = [
        {
            "date": r.day.isoformat(),
            "app": r.app.executable,
            "name": r.app.name,
            "minutes": round(r.seconds / 60, 2),
        }
        for r in rows
    ]
    if args.json:
        json.dump(records, out, ensure_ascii=False)
        out.write("\n")
    elif args.csv:
        import csv

        writer = csv.DictWriter(out, fieldnames=["date", "app", "name", "minutes"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    else:
        if not records:
            out.write(
                ngettext(
                    "No usage recorded in the last {days} day.",
                    "No usage recorded in the last {days} days.",
                    args.days,
                ).format(days=args.days)
                + "\n"
            )
            return
        day = None
        for record in records:
            if record["date"] != day:
                day = record["date"]
                total = sum(row.seconds for row in rows if row.day.isoformat() == day) / 60
                out.write(f"{day}  {total:7.1f} min\n")
            # A program where the person can write already shows its path in its name.
            name, app = str(record["name"]), str(record["app"])
            shown = name if app in name else f"{name} ({app})"
            out.write(f"    {record['minutes']:7.1f}  {shown}\n")


def cmd_config_show(service: Service, args: argparse.Namespace, out: TextIO) -> None:
    settings = service.settings
    if args.json:
        json.dump(settings.to_json(), out, ensure_ascii=False)
        out.write("\n")
        return
    for key, spec in Settings.specs().items():
        lock = " 🔒" if spec.guarded and service.passcode_is_set() else ""
        out.write(
            f"{key} = {settings.text_of(key)}{lock}\n    {_(spec.description)}; {localize(spec.type.allowed_text())}\n"
        )


def cmd_config_set(service: Service, args: argparse.Namespace, out: TextIO, source: PasscodeSource) -> None:
    value = Settings.parse_text(args.key, args.value)  # refuse a bad value before asking anything
    passcode = _current_passcode(service, source) if Settings.spec(args.key).guarded else None
    new = service.change_settings({args.key: value}, passcode=passcode)
    out.write(f"{args.key} = {new.text_of(args.key)}\n")


def cmd_passcode(service: Service, args: argparse.Namespace, out: TextIO, source: PasscodeSource) -> None:
    if args.action == "set":
        current = _current_passcode(service, source)
        if current is not None:
            service.verify_passcode(current, purpose=N_("change the passcode"))
        new = source.ask(_("New passcode (4–12 digits or a phrase of 6 or more characters): "))
        if not source.from_stdin:
            again = source.ask(_("Repeat the new passcode: "))
            if again != new:
                raise CliError(_("the two passcodes differ; nothing was changed"))
        service.set_passcode(new, current=current)
        out.write(
            _("Passcode set: settings, more time, skipping breaks, pausing and quitting now need it.") + "\n"
        )
    else:
        if not service.passcode_is_set():
            raise CliError(_("no passcode is set"))
        service.clear_passcode(current=_current_passcode(service, source))
        out.write(_("Passcode removed: the settings are no longer locked.") + "\n")


def cmd_export(service: Service, args: argparse.Namespace, out: TextIO) -> None:
    if args.output:
        path = Path(args.output)
        try:
            with path.open("w", encoding="utf-8", newline="") as fp:
                service.export(args.format, fp)
        except OSError as error:
            raise CliError(
                _("cannot write {path}: {error}").format(path=path, error=error.strerror)
            ) from error
        sys.stderr.write(_("Exported to {path}").format(path=path) + "\n")
    else:
        service.export(args.format, out)


def cmd_import(service: Service, args: argparse.Namespace, out: TextIO, source: PasscodeSource) -> None:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(_("{path} is not a file; give the path of a CSV or JSON export").format(path=path))
    result = service.import_file(path, passcode=_current_passcode(service, source))
    out.write(
        _(
            "Imported {spans} usage spans ({skipped} already there) and {events} events ({eskipped} already there)."
        ).format(
            spans=result.spans_added,
            skipped=result.spans_skipped,
            events=result.events_added,
            eskipped=result.events_skipped,
        )
        + "\n"
    )


def cmd_delete(service: Service, args: argparse.Namespace, out: TextIO, source: PasscodeSource) -> None:
    if not args.yes:
        raise CliError(_("this deletes all usage and events for good; run again with --yes to do it"))
    service.delete_all(passcode=_current_passcode(service, source))
    out.write(_("All usage records and events were deleted. Settings and the passcode are kept.") + "\n")


def cmd_track(service: Service, args: argparse.Namespace, out: TextIO) -> None:
    from wellbeing_app.headless import run_tracking
    from wellbeing_app.tracker.choose import choose_probes

    if service.tracker_running():
        raise CliError(_("another tracker is already running for this data dir"))
    probes = choose_probes()
    server = None
    try:
        for status in probes.statuses():
            if not status.works:
                sys.stderr.write(f"{status.kind}: {status.detail}\n")
        server = _track_server(service)
        count = run_tracking(service, probes, seconds=args.seconds, server=server)
    finally:
        probes.close()
        if server is not None:
            server.close()
    out.write(
        ngettext("Tracked {count} sample.", "Tracked {count} samples.", count).format(count=count) + "\n"
    )


def _track_server(service: Service) -> LinkServer | None:
    """The tracker's socket, that `status` asks (only this account may connect); None when it
    cannot be served (the tracker runs on without it)."""
    import os

    from wellbeing_app.link.handler import ServiceHandler
    from wellbeing_app.link.paths import personal_socket
    from wellbeing_app.link.protocol import LinkError
    from wellbeing_app.link.server import LinkServer

    uid = os.getuid()
    try:
        server = LinkServer(
            personal_socket(service.data_dir),
            ServiceHandler(service).handle,
            allow=lambda peer: peer.uid == uid,
        )
        server.open()
    except (OSError, LinkError) as error:
        logging.getLogger(__name__).warning("the tracker's socket cannot be served: %s", error)
        return None
    return server


def cmd_doctor(service: Service, args: argparse.Namespace, out: TextIO) -> None:
    from wellbeing_app.tracker.choose import choose_probes

    probes = choose_probes()
    try:
        statuses = probes.statuses()
    finally:
        probes.close()
    if args.json:
        json.dump(
            {
                "data_dir": str(service.data_dir),
                "database": service.database_location,
                "probes": [
                    {
                        "kind": s.kind,
                        "backend": s.backend,
                        "works": s.works,
                        "detail": s.detail,
                        "hint": s.hint,
                    }
                    for s in statuses
                ],
            },
            out,
            ensure_ascii=False,
        )
        out.write("\n")
        return
    out.write(_("Data: {path}").format(path=service.database_location) + "\n")
    for s in statuses:
        mark = "ok " if s.works else "no "
        out.write(f"[{mark}] {s.kind:10} {s.backend:10} {s.detail}\n")
        if s.hint and not s.works:
            out.write(f"      → {s.hint}\n")


def cmd_run(args: argparse.Namespace) -> int:
    """The tray app. It shows its icon before it opens the database, so it starts quickly."""
    try:
        from wellbeing_app.app import main as app_main
    except ImportError as error:  # Qt's libraries are missing
        raise CliError(
            _(
                "the tray app cannot start here ({error}); use `wellbeing-app track` to track without it"
            ).format(error=error)
        ) from error
    return int(app_main(args))


def cmd_guide(service: Service, args: argparse.Namespace, out: TextIO) -> None:
    import shutil

    from wellbeing_app.guide import format_article, format_list, load_guide
    from wellbeing_app.guide.model import UnknownArticleError
    from wellbeing_app.i18n import resources_dir

    language = args.lang or current_language()
    guide = load_guide(resources_dir() / "guide")
    for problem in guide.problems:
        sys.stderr.write(f"wellbeing-app: guide: {problem}\n")
    if args.guide_command == "show":
        try:
            out.write(
                format_article(guide, args.id, language, width=min(100, shutil.get_terminal_size().columns))
            )
        except UnknownArticleError as error:
            raise CliError(str(error)) from error
        out.write("\n")
        return
    articles = (
        guide.search(args.query, language) if args.guide_command == "search" else guide.articles(language)
    )
    if args.json:
        records = [
            {
                "id": a.id,
                "title": a.title,
                "category": a.category.value,
                "language": a.language,
                "reading_minutes": a.reading_minutes,
                "summary": a.summary,
            }
            for a in articles
        ]
        json.dump(records, out, ensure_ascii=False)
        out.write("\n")
    elif args.guide_command == "search":
        for article in articles:
            out.write(f"{article.id:34} {article.title}\n")
        if not articles:
            out.write(_("Nothing found.") + "\n")
    else:
        out.write(format_list(guide, language))


def cmd_preview(args: argparse.Namespace) -> int:
    from wellbeing_app.app import preview

    return preview(args.kind)


# --- parsing -------------------------------------------------------------------------------------


def build_parser(given: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line. With `given` (the arguments to parse), only the commands named in it are
    built, when it names any: each command's parser costs about half a millisecond to make (and
    `service` imports the guard's code), which is a tenth of a short command's start. A line that
    names none (`--help`, a mistyped command) gets them all, for the help and the error; an empty
    line is the tray app's start."""
    parser = argparse.ArgumentParser(
        prog="wellbeing-app",
        description=_("Wellbeing: daily screen-time cap, breaks, and a guide to mental well-being."),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir", metavar="DIR", help=_("keep all data in DIR (also $WELLBEING_DATA_DIR)")
    )
    parser.add_argument(
        "--passcode-stdin",
        action="store_true",
        help=_("read the passcode (and for `passcode set`, the new one) from standard input, one per line"),
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help=_("as root: act on the protected account NAME (its records under the guard)"),
    )
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        help=_("with --user: the guard's state dir (default /var/lib/wellbeing-app)"),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    builders = _command_builders()
    named = [name for name in builders if given is not None and name in given]
    if given is not None and not given:
        named = ["run"]  # nothing given: the tray app
    for name, build in builders.items():
        if not named or name in named:
            build(commands)
    return parser


Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _command_builders() -> dict[str, Callable[[Commands], None]]:
    """Each command's parser, by name, in the order the help lists them."""

    def run(commands: Commands) -> None:
        run = commands.add_parser("run", help=_("start the tray app (the default)"))
        run.add_argument(
            "--if-protected",
            action="store_true",
            help=_("start only in an account the guard protects (the login entry `service install` writes)"),
        )

    def status(commands: Commands) -> None:
        status = commands.add_parser("status", help=_("today: used, cap, remaining, next break, decision"))
        status.add_argument("--json", action="store_true")

    def report(commands: Commands) -> None:
        report = commands.add_parser("report", help=_("usage per day and per app"))
        report.add_argument("--days", type=int, default=7, help=_("how many days back (default 7)"))
        fmt = report.add_mutually_exclusive_group()
        fmt.add_argument("--json", action="store_true")
        fmt.add_argument("--csv", action="store_true")

    def config(commands: Commands) -> None:
        config = commands.add_parser("config", help=_("show or change settings"))
        config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
        show = config_commands.add_parser("show", help=_("all settings with what they allow"))
        show.add_argument("--json", action="store_true")
        setter = config_commands.add_parser(
            "set", help=_("change one setting (the passcode is asked when locked)")
        )
        setter.add_argument("key", choices=list(Settings.specs()), metavar="KEY")
        setter.add_argument("value", metavar="VALUE")

    def passcode(commands: Commands) -> None:
        passcode = commands.add_parser("passcode", help=_("set or remove the parent's passcode"))
        passcode.add_argument("action", choices=["set", "clear"])

    def export(commands: Commands) -> None:
        export = commands.add_parser("export", help=_("export all usage and events"))
        export.add_argument("--format", choices=["csv", "json"], default="json")
        export.add_argument("--output", "-o", metavar="FILE")

    def importer(commands: Commands) -> None:
        importer = commands.add_parser("import", help=_("import a CSV or JSON export"))
        importer.add_argument("file")

    def delete(commands: Commands) -> None:
        delete = commands.add_parser("delete-data", help=_("delete all usage records and events"))
        delete.add_argument("--yes", action="store_true", help=_("really delete"))

    def track(commands: Commands) -> None:
        track = commands.add_parser("track", help=_("track without the tray (until stopped)"))
        track.add_argument("--seconds", type=float, help=_("stop after this many seconds"))

    def guide(commands: Commands) -> None:
        guide = commands.add_parser("guide", help=_("read the guide to mental well-being in the terminal"))
        guide_commands = guide.add_subparsers(dest="guide_command", metavar="ACTION", required=True)
        for name, text in (
            ("list", _("every article by section")),
            ("search", _("articles that match words")),
        ):
            listing = guide_commands.add_parser(name, help=text)
            if name == "search":
                listing.add_argument("query")
            listing.add_argument("--lang", choices=languages.codes(), help=_("language (default: the app's)"))
            listing.add_argument("--json", action="store_true")
        show_article = guide_commands.add_parser("show", help=_("one article"))
        show_article.add_argument("id")
        show_article.add_argument(
            "--lang", choices=languages.codes(), help=_("language (default: the app's)")
        )

    def preview(commands: Commands) -> None:
        preview = commands.add_parser(
            "preview", help=_("show an overlay as the child would see it (Escape closes)")
        )
        preview.add_argument("kind", choices=list(preview_kinds()))

    def doctor(commands: Commands) -> None:
        doctor = commands.add_parser("doctor", help=_("which probes work on this machine, and why not"))
        doctor.add_argument("--json", action="store_true")

    def service(commands: Commands) -> None:
        from wellbeing_app.guard.main import add_service_parser

        add_service_parser(commands)

    return {
        "run": run,
        "status": status,
        "report": report,
        "config": config,
        "passcode": passcode,
        "export": export,
        "import": importer,
        "delete-data": delete,
        "track": track,
        "guide": guide,
        "preview": preview,
        "doctor": doctor,
        "service": service,
    }


def main(
    argv: Sequence[str] | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    out = stdout or sys.stdout
    set_language("system")  # --help and parse errors follow the system; the setting applies below
    given = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(given)
    args = parser.parse_args(given)
    command = args.command or "run"
    if command == "service":
        return _service_command(args, out)
    try:
        data_dir = _protected_data_dir(args, command) if args.user else resolve_data_dir(args.data_dir)
        if args.user and command == "status" and _status_from_guard(args, out):
            return 0
    except CliError as error:
        sys.stderr.write(f"wellbeing-app: {_error_text(error)}\n")
        return EXIT_ERROR
    _configure_logging(data_dir, given=bool(args.data_dir), verbose=command in {"track", "run"})
    source = PasscodeSource(args.passcode_stdin, stdin or sys.stdin)
    if command in {"run", "preview"}:
        try:
            return cmd_run(args) if command == "run" else cmd_preview(args)
        except CliError as error:
            sys.stderr.write(f"wellbeing-app: {_error_text(error)}\n")
            return EXIT_ERROR
    if command == "status" and not args.user:  # root's --user asked the guard above
        answered = _status_from_a_tracker(args, data_dir, out)
        if answered is not None:
            return answered
    from wellbeing_app.service import Service, ServiceError
    from wellbeing_app.storage import StorageError

    service: Service | None = None
    try:
        changes = command in {"passcode", "import", "delete-data"} or (
            command == "config" and args.config_command == "set"
        )
        # A command that changes something must not run on a temporary copy: the change would be lost.
        service = Service.open(
            data_dir, thorough=command in {"track", "import", "delete-data"}, fallback=not changes
        )
        if args.user:
            service.act_as_root()  # root needs no passcode; each guarded action is recorded as root's
        set_language(service.settings.language)
        for notice in service.notices:
            sys.stderr.write(f"wellbeing-app: {notice}\n")
        if command == "config":
            if args.config_command == "show":
                cmd_config_show(service, args, out)
            else:
                cmd_config_set(service, args, out, source)
        elif command == "passcode":
            cmd_passcode(service, args, out, source)
        elif command == "import":
            cmd_import(service, args, out, source)
        elif command == "delete-data":
            cmd_delete(service, args, out, source)
        else:
            handlers = {
                "status": cmd_status,
                "report": cmd_report,
                "export": cmd_export,
                "track": cmd_track,
                "doctor": cmd_doctor,
                "guide": cmd_guide,
            }
            handlers[command](service, args, out)
        return 0
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`| head`): nothing more to say
        return 0
    except (CliError, CoreError, ServiceError, StorageError) as error:  # BreakError is a CoreError
        sys.stderr.write(f"wellbeing-app: {_error_text(error)}\n")
        return EXIT_ERROR
    finally:
        if service is not None:
            service.close()


def entry() -> None:
    """The `wellbeing-app` command and `python -m wellbeing_app`: `main`, then the exit.

    What is left is freed when the process ends; frozen, the cyclic collector does not walk it
    first, which spares ~12 ms of a short command's exit (a tenth of `status`)."""
    import gc

    code = main()
    gc.freeze()
    sys.exit(code)


#: What root may do to a protected account with --user.
USER_COMMANDS = frozenset({"status", "report", "events", "config", "passcode", "import", "export"})


def _protected_data_dir(args: argparse.Namespace, command: str) -> Path:
    """The protected account's data dir under the guard's state dir, for root's `--user NAME`."""
    import os

    from wellbeing_app.guard.errors import GuardError
    from wellbeing_app.guard.state import DEFAULT_STATE_DIR, check_state_dir
    from wellbeing_app.link.paths import protected_accounts

    if os.geteuid() != 0:
        raise CliError(
            _("--user is for root (sudo): a protected account's own commands go through the guard")
        )
    if command not in USER_COMMANDS:
        raise CliError(
            _("--user works with {allowed}, not with {command}").format(
                allowed=", ".join(sorted(USER_COMMANDS)), command=command
            )
        )
    if args.user not in protected_accounts():
        raise CliError(
            _(
                "{name} is not a protected account; protect it first: wellbeing-app service protect {name}"
            ).format(name=args.user)
        )
    try:
        state = check_state_dir(Path(args.state_dir) if args.state_dir else DEFAULT_STATE_DIR)
    except GuardError as error:
        raise CliError(str(error)) from error
    folder = state / "accounts" / str(args.user)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _status_from_guard(args: argparse.Namespace, out: TextIO) -> bool:
    """Print the protected account's status as the running guard knows it; False when no guard answers."""
    from wellbeing_app.link.client import LinkClient
    from wellbeing_app.link.codec import status_from
    from wellbeing_app.link.paths import guard_socket
    from wellbeing_app.link.protocol import LinkError, LinkUnavailable

    try:
        with LinkClient(guard_socket()) as client:
            status = status_from(client.call("status", user=args.user))
    except LinkUnavailable:
        return False
    except LinkError as error:
        raise CliError(_("the guard refused: {message}").format(message=error.message)) from error
    if args.json:
        json.dump(status_json(status), out, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(status_text(status) + "\n")
    return True


def _service_command(args: argparse.Namespace, out: TextIO) -> int:
    from wellbeing_app.guard.errors import GuardError
    from wellbeing_app.guard.main import main as service_main

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return service_main(args, out)
    except GuardError as error:
        sys.stderr.write(f"wellbeing-app: {error}\n")
        return EXIT_ERROR


def _status_from_a_tracker(args: argparse.Namespace, data_dir: Path, out: TextIO) -> int | None:
    """`status` as the running tracker says it: the guard in a protected account, else the tray
    app (or `track`) of this data dir. None when no tracker answers: the database is read then.
    In a protected account the guard is the only one that knows: without it, say so."""
    from wellbeing_app.link.paths import guard_socket, is_protected, personal_socket

    protected = is_protected()
    if protected:
        path = guard_socket()
    else:
        try:
            path = personal_socket(data_dir)
        except OSError:
            return None
        if not path.is_socket():
            return None  # nothing listens: the link's code need not even be loaded

    from wellbeing_app.link.client import LinkClient
    from wellbeing_app.link.codec import status_from
    from wellbeing_app.link.protocol import LinkError

    try:
        with LinkClient(path, timeout=2.0 if protected else 1.0) as client:
            status = status_from(client.call("status"))
            settings = client.call("settings")
    except (OSError, LinkError) as error:
        if protected:
            from wellbeing_app.link.remote import GUARD_NOT_RUNNING

            sys.stderr.write(f"wellbeing-app: {_(GUARD_NOT_RUNNING)} ({error})\n")
            return EXIT_ERROR
        return None
    language = settings.get("settings", {}).get("language") if isinstance(settings, dict) else None
    if isinstance(language, str) and language in languages.setting_choices():
        set_language(language)
    if args.json:
        json.dump(status_json(status), out, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(status_text(status) + "\n")
    return 0


def _error_text(error: Exception) -> str:
    return localize(error)


def _configure_logging(data_dir: Path, *, given: bool, verbose: bool) -> None:
    handlers: list[logging.Handler] = []
    if verbose:
        folder = log_dir(data_dir, given)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handlers.append(logging.FileHandler(folder / "wellbeing.log", encoding="utf-8"))
        except OSError:
            pass
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers or None,
    )


def _timestamp(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


if __name__ == "__main__":
    sys.exit(main())
