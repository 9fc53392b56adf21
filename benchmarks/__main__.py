"""``python -m benchmarks``: see ``python -m benchmarks --help``."""

import sys

from .runner import main

sys.exit(main())
