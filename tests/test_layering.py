"""The UI and the command line go through the service's façade: no module outside
`wellbeing_app/service/` reads a service's engine, store or journal, or anything private of it.

The import contracts in pyproject.toml cannot see attribute access, so the source is read here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wellbeing_app"
SERVICE = PACKAGE / "service"
#: The parts the façade keeps to itself, public names of old included.
PARTS = {"engine", "store", "journal"}


def _receiver_name(node: ast.expr) -> str | None:
    """`service` for `service.x`, `self._service.x`, `app.service.x`; None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def reach_throughs(source: str) -> list[str]:
    """`line: expression` for each read of a service's parts or private attributes in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        receiver = _receiver_name(node.value)
        if receiver is None or not receiver.lstrip("_").endswith("service"):
            continue
        name = node.attr.lstrip("_")
        private = node.attr.startswith("_") and not node.attr.startswith("__")
        if name in PARTS or private:
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def modules_outside_the_service() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if SERVICE not in p.parents)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("service.engine.decision_for(app)", ["1: service.engine"]),
        ("x = self.service.store.location", ["1: self.service.store"]),
        ("self._service._store.usage_by_day_app(a, b)", ["1: self._service._store"]),
        ("app.service._recorder.flush()", ["1: app.service._recorder"]),
        ("service.decision_for(app)\nservice.database_location", []),
        ("self.engine.tick(sample)\nstore.location", []),  # not a service's
    ],
)
def test_the_check_finds_reach_throughs_and_only_those(source: str, expected: list[str]) -> None:
    assert reach_throughs(source) == expected


def test_no_module_outside_the_service_reaches_into_its_parts() -> None:
    modules = modules_outside_the_service()
    assert PACKAGE / "app.py" in modules
    assert PACKAGE / "ui" / "controller.py" in modules
    found = {
        str(path.relative_to(PACKAGE.parent)): hits
        for path in modules
        if (hits := reach_throughs(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "use (or add) a method of the Service façade instead"
