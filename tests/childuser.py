"""A real second Unix user for the tests that must show what another account can and cannot do:
the child (created once, kept), the packages their Python may read, their programs started as them,
and an X server whose cookie they own."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.tracker.linux_desktop import require, stop

CHILD = "wbkid"


@pytest.fixture(scope="module")
def child() -> Path:
    """A real second user (created once, kept: creating users is slow), with a home of their own."""
    if os.geteuid() != 0 or shutil.which("useradd") is None or shutil.which("setpriv") is None:
        pytest.skip("a second user needs root, useradd and setpriv")
    if subprocess.run(["id", CHILD], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", CHILD], check=True)
    return Path(os.path.expanduser(f"~{CHILD}"))


#: What the child's Python needs of this checkout and its virtual environment.
CHILD_PACKAGES = ("wellbeing_app", "Xlib", "psutil", "jeepney", "platformdirs")


@pytest.fixture(scope="module")
def child_packages() -> Iterator[Path]:
    """The packages the probe needs, copied where the child can read them: the checkout may lie
    in a folder only root can enter (a CI clone under a private temporary folder)."""
    folder = Path(tempfile.mkdtemp(prefix="wellbeing-child-"))
    folder.chmod(0o755)
    for name in CHILD_PACKAGES:
        module = importlib.import_module(name)
        source = Path(module.__file__ or "").parent
        shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield folder
    shutil.rmtree(folder)


def as_child(
    home: Path,
    display: str,
    *command: str,
    packages: Path | None = None,
    xauthority: Path | None = None,
    **popen: Any,
) -> subprocess.Popen[bytes]:
    """`command` run as the child, with a clean environment."""
    env = ["env", "-i", f"HOME={home}", f"DISPLAY={display}", "PATH=/usr/bin:/bin"]
    if packages is not None:
        env.append(f"PYTHONPATH={packages}")
    if xauthority is not None:
        env.append(f"XAUTHORITY={xauthority}")
    setpriv = ["setpriv", "--reuid", CHILD, "--regid", CHILD, "--init-groups"]
    return subprocess.Popen([*setpriv, *env, *command], cwd=home, **popen)


def run_as_child(home: Path, *command: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """`command` run as the child to its end; what it printed, and how it ended."""
    setpriv = ["setpriv", "--reuid", CHILD, "--regid", CHILD, "--init-groups"]
    env = ["env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin"]
    return subprocess.run(
        [*setpriv, *env, *command], cwd=home, capture_output=True, text=True, timeout=timeout, check=False
    )


def _free_display_numbers() -> Iterator[int]:
    for number in range(60, 400):
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            yield number


@contextmanager
def child_xvfb(home: Path, cookie_name: str = ".Xauthority") -> Iterator[tuple[str, Path]]:
    """An Xvfb that only the child's cookie opens (`xauth -f ~child/.Xauthority add :N . COOKIE`,
    the file theirs); (display, cookie file). Root must use that cookie too. Another
    `cookie_name` keeps the cookie apart from other tests' (runs at once share the child's home)."""
    cookie_file = home / cookie_name
    for number in _free_display_numbers():
        display = f":{number}"
        cookie = subprocess.run(
            [require("mcookie")], capture_output=True, text=True, check=True
        ).stdout.strip()
        cookie_file.unlink(missing_ok=True)
        subprocess.run(
            [require("xauth"), "-q", "-f", str(cookie_file), "add", display, ".", cookie], check=True
        )
        shutil.chown(cookie_file, CHILD, CHILD)
        cookie_file.chmod(0o600)
        read_end, write_end = os.pipe()
        xvfb = subprocess.Popen(
            [require("Xvfb"), display, "-auth", str(cookie_file), "-displayfd", str(write_end),
             "-nolisten", "tcp", "-s", "0", "-screen", "0", "800x600x24"],
            pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(write_end)
        with os.fdopen(read_end) as ready:
            started = bool(ready.readline().strip())
        if not started:  # another test took that number meanwhile
            stop(xvfb)
            continue
        try:
            yield display, cookie_file
        finally:
            stop(xvfb)
        return
    raise AssertionError("no free X display number between :60 and :399")
