"""Tests on real headless Wayland compositors: they run only when selected with `-m wayland`
(scripts/test runs them in a pytest session of their own), as each compositor takes seconds to
start and the tests let real time pass."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "wayland" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(
        reason="starts real Wayland compositors: select with -m wayland (scripts/test does)"
    )
    for item in items:
        if item.get_closest_marker("wayland") is not None:
            item.add_marker(skip)
