"""`python -m wellbeing_app` is the `wellbeing-app` command."""

from wellbeing_app.cli import entry

entry()
