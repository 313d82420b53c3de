"""The composition root of the tray app: builds the pieces, wires them and runs the Qt loop."""

from __future__ import annotations

import argparse
import sys


def main(args: argparse.Namespace) -> int:
    sys.stderr.write(
        "wellbeing-app: the tray app is not built yet; track from the terminal with "
        "`wellbeing-app track` and see `wellbeing-app status`\n"
    )
    return 2
