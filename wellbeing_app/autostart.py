"""Start at login: an XDG autostart entry on Linux, the Run key on Windows, a LaunchAgent on macOS."""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
from pathlib import Path

ENTRY_NAME = "wellbeing-app"
LAUNCH_AGENT_LABEL = "org.wellbeing.app"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def desktop_entry(command: list[str]) -> str:
    """The text of the XDG autostart entry that runs `command`."""
    exec_line = " ".join(_desktop_quote(part) for part in command)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Wellbeing\n"
        "Comment=Screen time, breaks and a guide to mental well-being\n"
        f"Exec={exec_line}\n"
        "Icon=wellbeing-app\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
        "NoDisplay=false\n"
    )


def _desktop_quote(part: str) -> str:
    # The Exec key's own quoting rules (freedesktop Desktop Entry spec, "The Exec key").
    if part and not any(c in part for c in " \t\n\"'\\><~|&;$*?#()`"):
        return part
    escaped = part.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
    return f'"{escaped}"'


def launch_agent(command: list[str]) -> bytes:
    """The property list of the macOS LaunchAgent that runs `command` at login."""
    import plistlib  # macOS only: its XML parser stays out of the app elsewhere

    return plistlib.dumps({"Label": LAUNCH_AGENT_LABEL, "ProgramArguments": command, "RunAtLoad": True})


def windows_command(command: list[str]) -> str:
    """The Run key value: a command line with Windows quoting."""
    import subprocess

    return subprocess.list2cmdline(command)


def autostart_path(home: Path | None = None, environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    home = home or Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"
    config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    return config / "autostart" / f"{ENTRY_NAME}.desktop"


def current_command(data_dir: Path | None) -> list[str]:
    """How this very installation is started again: the interpreter and the module.

    Python runs isolated (`-I`): no PYTHONPATH, no user site folder, no current folder on the
    path, so that nothing the person puts there runs inside the app.
    """
    command = [sys.executable, "-I", "-m", "wellbeing_app"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return [*command, "run"]


def set_enabled(enabled: bool, command: list[str], *, path: Path | None = None) -> None:
    """Create or remove the start-at-login entry. Raises OSError when it cannot be written."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import winreg

        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            if enabled:
                winreg.SetValueEx(key, "Wellbeing", 0, winreg.REG_SZ, windows_command(command))
            else:
                with contextlib.suppress(FileNotFoundError):
                    winreg.DeleteValue(key, "Wellbeing")
        return
    target = path or autostart_path()
    if not enabled:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        target.write_bytes(launch_agent(command))
    else:
        target.write_text(desktop_entry(command), encoding="utf-8")


def is_enabled(*, path: Path | None = None) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                winreg.QueryValueEx(key, "Wellbeing")
                return True
        except OSError:
            return False
    return (path or autostart_path()).exists()


def expected_content(command: list[str]) -> str | bytes:
    """What the entry that runs `command` holds, as `read_entry` returns it."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return windows_command(command)
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        return launch_agent(command)
    return desktop_entry(command)


def read_entry(*, path: Path | None = None) -> str | bytes | None:
    """What the start-at-login entry holds now, or None when there is none."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                return str(winreg.QueryValueEx(key, "Wellbeing")[0])
        except OSError:
            return None
    target = path or autostart_path()
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        return None
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        return data
    return data.decode("utf-8", errors="replace")


def put_right(command: list[str], *, path: Path | None = None) -> str | None:
    """Make the start-at-login entry the one that runs `command`.

    Returns what was wrong with an entry that was there (the lines that differ, e.g.
    "Exec=faketime -f +1d …", "Hidden=true"), or None when it was right or missing (it is then
    written). Raises OSError when it cannot be written.
    """
    wanted = expected_content(command)
    found = read_entry(path=path)
    if found == wanted:
        return None
    set_enabled(True, command, path=path)
    if found is None:
        return None
    if isinstance(found, bytes) or isinstance(wanted, bytes):
        return "the launch agent was changed"
    lines = set(wanted.splitlines())
    changed = [line.strip() for line in found.splitlines() if line.strip() and line not in lines]
    return "; ".join(changed) or "lines were removed"


def command_of_entry(text: str) -> list[str]:
    """The command of an autostart entry's Exec line (for tests and `doctor`)."""
    for line in text.splitlines():
        if line.startswith("Exec="):
            return shlex.split(line[len("Exec=") :])
    return []
