"""The Qt user interface: the tray, the overlay and the windows. The only place that imports Qt widgets."""
