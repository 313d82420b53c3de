"""Print, write or check the README's table of settings, generated from the settings schema.

`python scripts/settings_table.py` prints the table; `--write` puts it into README.md between its
two marker lines; `--check` exits with status 1 (saying so) when the README's table differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wellbeing_app.core.settings_table import TableError, settings_table, with_table  # noqa: E402

README = ROOT / "README.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="put the table into README.md")
    action.add_argument("--check", action="store_true", help="fail when README.md's table differs")
    parser.add_argument("--readme", type=Path, default=README, help="another README (for tests)")
    args = parser.parse_args(argv)
    table = settings_table()
    if not (args.write or args.check):
        sys.stdout.write(table)
        return 0
    readme = args.readme.read_text(encoding="utf-8")
    try:
        wanted = with_table(readme, table)
    except TableError as error:
        print(f"settings_table: {error}", file=sys.stderr)
        return 2
    if args.check:
        if wanted != readme:
            print(
                f"settings_table: the settings table in {args.readme} differs from the schema; "
                "run python scripts/settings_table.py --write",
                file=sys.stderr,
            )
            return 1
        return 0
    if wanted != readme:
        args.readme.write_text(wanted, encoding="utf-8")
        print(f"settings_table: {args.readme} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
