"""Wellbeing: a desktop tray application for digital well-being."""

__version__ = "0.1.0"
