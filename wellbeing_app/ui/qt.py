"""The one place that imports Qt: every UI module takes Qt's names from here."""

from PySide6 import QtCore, QtGui, QtNetwork, QtWidgets
from PySide6.QtCore import Qt

__all__ = ["Qt", "QtCore", "QtGui", "QtNetwork", "QtWidgets"]
