"""The Qt bindings in use must not leak references (PySide6 6.12.0 on Python 3.11 crashes the app)."""

import sys

from wellbeing_app.ui.qt import QtCore


def test_calling_qt_many_times_leaves_none_alone() -> None:
    probe = QtCore.QObject()
    before = sys.getrefcount(None)
    for _ in range(20_000):  # an hour of the app's ticks calls Qt far more often than this
        probe.setObjectName("tick")
    assert sys.getrefcount(None) >= before - 100
