"""Fixtures for the guide tests: the real content, and a private copy of it to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wellbeing_app.guide import Guide, load_guide

GUIDE_ROOT = Path(__file__).resolve().parents[2] / "resources" / "guide"


@pytest.fixture(scope="session")
def guide() -> Guide:
    return load_guide(GUIDE_ROOT)


@pytest.fixture
def guide_copy(tmp_path: Path) -> Path:
    """A copy of the real guide that a test may break."""
    root = tmp_path / "guide"
    shutil.copytree(GUIDE_ROOT, root)
    return root


def replace_line(path: Path, old: str, new: str | None) -> int:
    """Replace the line `old` in `path` with `new` (None deletes it); its 1-based line number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    index = lines.index(old)
    if new is None:
        del lines[index]
    else:
        lines[index] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return index + 1


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the first line of `path` that contains `text`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")
