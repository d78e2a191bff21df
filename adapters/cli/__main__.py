"""`python -m adapters.cli` runs the `coachbot` command line."""

import sys

from adapters.cli import main

sys.exit(main())
