"""Which accounts are protected is root's word alone; the tray app's socket is in a folder of
the user's own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wellbeing_app.link import paths


def test_the_protected_list_counts_only_when_root_alone_can_write_it(tmp_path: Path) -> None:
    listing = tmp_path / "protected"
    listing.write_text("# accounts under the guard\nkid\n\n  teen  \n", encoding="utf-8")
    listing.chmod(0o644)
    if os.geteuid() == 0:
        assert paths.protected_accounts(listing) == {"kid", "teen"}
        listing.chmod(0o666)  # anyone could add or strike a name
        assert paths.protected_accounts(listing) == set()
        listing.chmod(0o644)
        os.chown(listing, 65534, 65534)  # a list the child could have written
    assert paths.protected_accounts(listing) == set()
    assert paths.protected_accounts(tmp_path / "missing") == set()


def test_the_guard_socket_and_list_follow_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(paths.GUARD_SOCKET_ENV, raising=False)
    monkeypatch.delenv(paths.PROTECTED_LIST_ENV, raising=False)
    assert paths.guard_socket() == Path("/run/wellbeing-app/socket")
    assert paths.protected_list() == Path("/etc/wellbeing-app/protected")
    monkeypatch.setenv(paths.GUARD_SOCKET_ENV, str(tmp_path / "g"))
    monkeypatch.setenv(paths.PROTECTED_LIST_ENV, str(tmp_path / "p"))
    assert (paths.guard_socket(), paths.protected_list()) == (tmp_path / "g", tmp_path / "p")


def test_the_personal_socket_is_per_data_dir_in_a_folder_only_the_user_enters(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    first, second = paths.personal_socket(tmp_path / "a"), paths.personal_socket(tmp_path / "b")
    assert first != second
    assert first.parent == runtime / "wellbeing-app"
    assert first.parent.stat().st_mode & 0o777 == 0o700
    assert len(str(first).encode()) < 108  # what a Unix socket's path may hold
    first.parent.chmod(0o755)
    with pytest.raises(OSError, match="is not a folder of this user's alone"):
        paths.personal_socket(tmp_path / "a")
