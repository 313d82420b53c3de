"""`service protect` and `service release` as root on a real child account: the list, and the
child's personal history moved into the guard's records and back; unknown accounts and root refused."""

from __future__ import annotations

import json
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.childuser import CHILD
from tests.guard.guardproc import GuardPlaces, guard_places
from wellbeing_app.guard.account import Account
from wellbeing_app.guard.accounts import run_as
from wellbeing_app.service import Service

FIXTURE = Path(__file__).parent.parent / "storage" / "data" / "export-before-typed-events.json"


@pytest.fixture
def places(tmp_path: Path, child: Path) -> GuardPlaces:
    with guard_places(tmp_path, "unix:path=/nonexistent", []) as made:
        made.protected_list.unlink()
        yield made


def test_protect_moves_the_personal_history_in_and_release_moves_it_back(
    places: GuardPlaces, child: Path
) -> None:
    personal = child / "personal-data"
    shutil.rmtree(personal, ignore_errors=True)
    imported = places.cli("--data-dir", str(personal), "import", str(FIXTURE))
    assert imported.returncode == 0, imported.stderr
    shutil.chown(personal, CHILD, CHILD)
    for path in personal.rglob("*"):
        shutil.chown(path, CHILD, CHILD)
    state = str(places.state_dir)

    protected = places.cli("service", "protect", CHILD, "--state-dir", state, "--from", str(personal))
    assert protected.returncode == 0, protected.stderr
    assert "2 usage spans" in protected.stdout
    listing = places.protected_list.stat()
    assert (listing.st_uid, stat.S_IMODE(listing.st_mode)) == (0, 0o644)
    assert CHILD in places.protected_list.read_text().split()
    report = places.cli("--user", CHILD, "--state-dir", state, "export", "--format", "json")
    assert report.returncode == 0, report.stderr
    spans = json.loads(report.stdout)["spans"]
    assert {s["app"] for s in spans} == {s["app"] for s in json.loads(FIXTURE.read_text())["spans"]}
    assert any(e["kind"] == "data_imported" for e in json.loads(report.stdout)["events"])

    shutil.rmtree(personal)  # the child starts over in personal mode after release
    released = places.cli("service", "release", CHILD, "--state-dir", state, "--to", str(personal))
    assert released.returncode == 0, released.stderr
    assert "imported into" in released.stdout
    assert CHILD not in places.protected_list.read_text().split()
    assert personal.stat().st_uid != 0  # made by the child's own process, not by root
    assert {s["uid"] for s in _personal_export(personal)["spans"]} >= {s["uid"] for s in spans}


def _personal_export(folder: Path) -> dict[str, Any]:
    """The child's personal records, exported by a process of the child's (root would set the
    child's database aside as not its own)."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as file:

        def export() -> None:
            service = Service.open(folder, fallback=False)
            try:
                service.export("json", file)
                file.flush()
            finally:
                service.close()

        run_as(Account.named(CHILD), export, doing="export")
        file.seek(0)
        return dict(json.load(file))


@pytest.mark.parametrize(
    ("name", "words"),
    [("no-such-person", "there is no account named 'no-such-person'"), ("root", "'root' is root")],
)
def test_protect_refuses_unknown_accounts_and_root(places: GuardPlaces, name: str, words: str) -> None:
    done = places.cli("service", "protect", name, "--state-dir", str(places.state_dir))
    assert done.returncode == 2
    assert words in done.stderr
    assert not places.protected_list.exists()


def test_release_of_an_account_not_protected_says_who_is(places: GuardPlaces) -> None:
    done = places.cli("service", "release", CHILD, "--state-dir", str(places.state_dir))
    assert done.returncode == 2
    assert f"{CHILD} is not protected; protected now: nobody" in done.stderr


def test_the_guard_refuses_a_socket_folder_or_state_dir_others_may_write(
    places: GuardPlaces, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    done = places.cli(
        "service", "run", "--state-dir", str(places.state_dir), "--socket", str(shared / "socket")
    )
    assert done.returncode == 2
    assert f"the socket's folder {shared} must be a folder that root owns and alone may write" in done.stderr
    done = places.cli("service", "run", "--state-dir", str(shared), "--socket", str(places.socket))
    assert done.returncode == 2
    assert f"others may write the state dir {shared} (mode 777)" in done.stderr
