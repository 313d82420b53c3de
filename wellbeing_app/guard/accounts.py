"""`service protect NAME` and `service release NAME`: the protected list, and an account's history
moved between its personal data dir and the guard's.

How the history moves (a decision): root never opens files in the account's home, which the
account controls (a link there could point anywhere). The personal records are read by a forked
process that has become the account (its uid, gid and groups) and exported into a file root
opened for it; on release the guard's export is imported by such a process of the account. `protect` leaves the personal data dir where it is (unused while protected:
the agent never falls back to personal mode); `release` takes the account off the list and imports
the guard's records into the personal data dir, and keeps the guard's copy under
`STATE/accounts/NAME` (root's alone) until root deletes it, so that nothing is lost when the
personal import is refused (a passcode of the personal mode).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from wellbeing_app.link import paths
from wellbeing_app.paths import APP_NAME

from .account import Account
from .errors import GuardError
from .state import account_dir, check_state_dir


def personal_data_dir(account: Account) -> Path:
    """Where the tray app keeps the account's records in personal mode (platformdirs' user data
    folder, taken for that account's home)."""
    from platformdirs import user_data_dir

    mine = Path(user_data_dir(APP_NAME, appauthor=False))
    try:
        relative = mine.relative_to(Path.home())
    except ValueError:  # $XDG_DATA_HOME of root points elsewhere: the default layout
        relative = Path(".local/share") / APP_NAME
    return account.home / relative


def run_as(account: Account, work: Callable[[], None], *, doing: str) -> None:
    """Do `work` in a forked process that has become `account` (its uid, gid and groups) before it
    touches anything: files of the account are opened with the account's rights only. GuardError
    with the account's process's words when it fails."""
    # What the work loads lazily is loaded now, as root: the interpreter's own files may lie where
    # the account cannot read them (a Python installed for root alone).
    codecs.lookup("utf-8-sig")
    import uuid  # noqa: F401  (records' uids: the store imports it only when it makes one)

    import wellbeing_app.storage.transfer  # noqa: F401

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the account's process: it never returns into the caller's code
        status = 1
        try:
            os.close(read_end)
            os.setgroups(sorted(account.groups))
            os.setgid(account.gid)
            os.setuid(account.uid)
            os.environ.clear()
            os.environ.update({"HOME": str(account.home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
            work()
            status = 0
        except BaseException as error:  # everything goes back to root in words
            with contextlib.suppress(OSError):
                os.write(write_end, f"{error or type(error).__name__}".encode()[:4000])
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as words:
        said = words.read().decode(errors="replace").strip()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise GuardError(f"could not {doing} (as {account.name}): {said or 'it ended without saying why'}")


def write_protected_list(names: set[str]) -> Path:
    """Write the list (root's, 0644) in one step: readers see the old list or the new one."""
    path = paths.protected_list()
    path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".protected-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(
                "# Accounts the Wellbeing guard protects, one a line; written by `wellbeing-app service protect`.\n"
            )
            file.writelines(f"{name}\n" for name in sorted(names))
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return path


def protect(name: str, *, state_dir: Path, personal_dir: Path | None = None) -> str:
    """Put `name` under protection and move its personal history into the guard's records;
    what was done, in words. GuardError for an unknown account, root, or a failed export."""
    from wellbeing_app.service import Service

    account = Account.named(name)
    state = check_state_dir(state_dir)
    target = account_dir(state, account.name)
    source = personal_dir or personal_data_dir(account)
    moved = "no personal records were found"
    if source.is_dir():
        with tempfile.TemporaryDirectory(prefix="wellbeing-protect-") as folder:
            export = Path(folder) / "personal.json"
            with export.open("w", encoding="utf-8") as file:  # root's file, written through its fd

                def export_personal() -> None:
                    personal = Service.open(source, thorough=False, fallback=False)
                    try:
                        personal.export("json", file)
                        file.flush()
                    finally:
                        personal.close()

                run_as(account, export_personal, doing=f"export the personal records in {source}")
            service = Service.open(target)
            try:
                service.act_as_root()
                result = service.import_file(export)
            finally:
                service.close()
        moved = (
            f"{result.spans_added} usage spans and {result.events_added} events moved in from {source} "
            f"(left there, unused while protected)"
        )
    names = paths.protected_accounts() | {account.name}
    listed = write_protected_list(names)
    return f"{account.name} is protected (listed in {listed}; records in {target}): {moved}; a running guard begins within seconds"


def release(name: str, *, state_dir: Path, personal_dir: Path | None = None) -> str:
    """Take `name` off the list and import the guard's records of it into its personal data dir
    (as the account); the guard's copy stays under the state dir. What was done, in words."""
    from wellbeing_app.service import Service

    account = Account.named(name)
    names = paths.protected_accounts()
    if account.name not in names:
        raise GuardError(
            f"{account.name} is not protected; protected now: {', '.join(sorted(names)) or 'nobody'}"
        )
    state = check_state_dir(state_dir)
    source = state / "accounts" / account.name
    target = personal_dir or personal_data_dir(account)
    write_protected_list(names - {account.name})
    if not source.is_dir():
        return f"{account.name} is no longer protected; the guard had no records of it"
    folder = Path(tempfile.mkdtemp(prefix="wellbeing-release-"))
    try:
        folder.chmod(0o755)  # the account's import must read the file, and nothing else of root's
        export = folder / "protected.json"
        service = Service.open(source)
        try:
            with export.open("w", encoding="utf-8") as file:
                service.export("json", file)
        finally:
            service.close()
        export.chmod(0o644)

        def import_back() -> None:
            personal = Service.open(target, fallback=False)
            try:
                personal.import_file(export)
            finally:
                personal.close()

        failed = None
        try:
            run_as(account, import_back, doing=f"import the guard's records into {target}")
        except GuardError as error:
            failed = str(error)
    finally:
        with contextlib.suppress(OSError):
            for item in folder.iterdir():
                item.unlink()
            folder.rmdir()
    if failed is not None:
        return (
            f"{account.name} is no longer protected; its records could not be put into {target} ({failed}); "
            f"they stay in {source} (root's alone)"
        )
    return f"{account.name} is no longer protected; its records were imported into {target} (the guard's copy stays in {source})"
