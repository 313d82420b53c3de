"""The README's table of settings, written from the settings schema so that the two cannot differ."""

from __future__ import annotations

from typing import Any

from .settings import (
    AppLimits,
    AppList,
    Boolean,
    Choice,
    Downtime,
    IntRange,
    Settings,
    TimeOfDay,
    ValueType,
    WeekdayCaps,
)

#: The lines around the table in the README; what lies between them is replaced.
BEGIN = "<!-- settings table: written by scripts/settings_table.py from wellbeing_app/core/settings.py -->"
END = "<!-- end of the settings table -->"


class TableError(ValueError):
    """The README has no place for the table, or a value type has no name in the table."""


def kind_of(value_type: ValueType[Any]) -> str:
    """The kind of value a setting holds, in a few words."""
    if isinstance(value_type, IntRange):
        return f"number of {value_type.unit}"
    kinds: dict[type[ValueType[Any]], str] = {
        Boolean: "on/off",
        Choice: "choice",
        TimeOfDay: "time of day",
        AppList: "list of apps",
        AppLimits: "minutes per app",
        WeekdayCaps: "cap per weekday",
        Downtime: "weekly windows",
    }
    for cls in type(value_type).__mro__:
        if cls in kinds:
            return kinds[cls]
    raise TableError(
        f"the value type {type(value_type).__name__} has no name for the settings table; "
        f"add one to kind_of() in {__name__}"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def settings_table() -> str:
    """The Markdown table of every setting: key, kind, default, what is allowed, what it does,
    whether the passcode guards it — all read from the declarations, in English."""
    rows = [
        "| key | kind | default | allowed | what it does | passcode |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key, spec in Settings.specs().items():
        cells = (
            f"`{key}`",
            kind_of(spec.type),
            f"`{spec.type.to_text(Settings.default(key))}`",
            spec.type.allowed,
            spec.description,
            "needed" if spec.guarded else "not needed",
        )
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows) + "\n"


def with_table(readme: str, table: str) -> str:
    """`readme` with the text between the BEGIN and END lines replaced by `table`."""
    lines = readme.splitlines(keepends=True)
    stripped = [line.rstrip("\r\n") for line in lines]
    if stripped.count(BEGIN) != 1 or stripped.count(END) != 1:
        raise TableError(
            f"the README must hold the line {BEGIN!r} once and the line {END!r} once after it; "
            f"found them {stripped.count(BEGIN)} and {stripped.count(END)} times"
        )
    start, end = stripped.index(BEGIN), stripped.index(END)
    if end < start:
        raise TableError(f"the line {END!r} comes before {BEGIN!r} in the README")
    return "".join(lines[: start + 1]) + table + "".join(lines[end:])
