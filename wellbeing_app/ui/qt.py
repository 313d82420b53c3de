"""The one place that imports Qt: every UI module takes Qt's names from here. QtNetwork is not
loaded: the app's socket is the link's, on a socket notifier (it saves memory; issue 14)."""

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt

__all__ = ["Qt", "QtCore", "QtGui", "QtWidgets"]
