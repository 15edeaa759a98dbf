"""``python -m hotspot_tasking.cli``."""

import sys

from . import main

sys.exit(main())
