"""`python -m optimizer` runs the command line."""

import sys

from optimizer.cli import main

sys.exit(main())
