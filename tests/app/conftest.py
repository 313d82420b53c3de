"""Helpers to run the real command line in-process against a real data dir."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from wellbeing_app.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str


class Cli:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data_dir = data_dir
        self.capsys = capsys

    def __call__(self, *args: str, stdin: str = "") -> Result:
        self.capsys.readouterr()
        out = io.StringIO()
        argv = ["--data-dir", str(self.data_dir)]
        if stdin:
            argv.append("--passcode-stdin")
        code = main([*argv, *args], stdin=io.StringIO(stdin), stdout=out)
        captured = self.capsys.readouterr()
        return Result(code, out.getvalue() + captured.out, captured.err)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path / "data", capsys)
