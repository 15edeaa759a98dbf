"""``python -m hotspot_tasking``: the ``hotspot-tasking`` command line (:func:`hotspot_tasking.cli.main`)."""

import sys

from .cli import main

sys.exit(main())
