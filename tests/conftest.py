"""The whole suite: Qt draws offscreen unless a session is started for the real X server.

`scripts/test` runs the suite twice: once offscreen (everything but tests/xcb), once with
QT_QPA_PLATFORM=xcb on the Xvfb that pytest-xvfb starts (tests/xcb: the tray, the overlay,
real windows and the keyboard).
"""

import os

from tests.childuser import child, child_packages  # noqa: F401  (fixtures for every test)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
