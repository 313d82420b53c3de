"""`python -m wellbeing_app` is the `wellbeing-app` command."""

import sys

from wellbeing_app.cli import main

sys.exit(main())
