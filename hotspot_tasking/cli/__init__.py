"""The ``hotspot-tasking`` command line.

    hotspot-tasking init WORKSPACE [--demo] [--area MINE,MINN,MAXE,MAXN]
    hotspot-tasking ingest WORKSPACE --source SOURCE [--mapping FILE] [--motive-column C] PATH...
    hotspot-tasking status WORKSPACE
    hotspot-tasking boundaries add WORKSPACE --kind ward|lsoa|zone [--code-col C --name-col N] PATH
    hotspot-tasking boundaries population WORKSPACE FILE --code-col C --value-col V
    hotspot-tasking hotspots WORKSPACE --method kde|dbscan|gistar [--band B] [--category C] [--period P] --out FILE
    hotspot-tasking tasking WORKSPACE --period P [--band B] [--top N] [--candidates hotspot|ward|lsoa|zone]
        --out FILE...
    hotspot-tasking backtest WORKSPACE [--band B] [--category C] [--every month|week]

Errors a person can fix (:class:`~hotspot_tasking.errors.UserError`) print one sentence and exit
with status 2; nothing else is caught.
"""

from __future__ import annotations

import argparse
import logging
import sys

from ..errors import UserError
from . import boundaries, hotspots, tasking, workspace

COMMAND_GROUPS = (workspace, boundaries, hotspots, tasking)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(message)s")  # warnings are printed from the method cards
    try:
        return args.run(args)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotspot-tasking",
                                     description="Hotspot and tasking analysis for community safety partnerships.")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(sub)
    return parser
