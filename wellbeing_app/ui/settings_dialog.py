"""The settings dialog, as the app opens it; the parts live in `wellbeing_app.ui.settings`."""

from wellbeing_app.ui.settings.app_editors import apps_seen
from wellbeing_app.ui.settings.dialog import SettingsDialog

__all__ = ["SettingsDialog", "apps_seen"]
