"""The link: JSON lines over a Unix socket between a tracker (the guard, or the tray app in
personal mode) and those who ask it (`status`, the agent, the parent's commands)."""
