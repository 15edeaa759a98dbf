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
with status 2. Failures of the machine (a read-only folder, a full disk: a ``UserError`` raised
from an ``OSError``, or such an ``OSError`` itself, worded by
:func:`hotspot_tasking.geo.atomic.machine_error`) print one sentence and exit with status 1. A
reader that stops early (``hotspot-tasking status WS | head -1``) ends the command quietly with
status 1, as Python's documentation advises for a broken pipe. Nothing else is caught.

Building the parser imports nothing heavy (its choices come from :mod:`hotspot_tasking.labels`),
so ``--help`` and argument errors answer at once; each command imports pandas, geopandas and
the rest inside its handler, when it runs.
"""

from __future__ import annotations

import argparse
import logging
import os
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
        status = args.run(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return status
    except BrokenPipeError:
        _quiet_stdout()
        return 1
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1 if isinstance(err.__cause__, OSError) else 2
    except OSError as err:
        from ..geo.atomic import machine_error  # here, not at the top: the geo package loads pandas

        translated = machine_error(err)
        if translated is err:
            raise
        print(f"error: {translated}", file=sys.stderr)
        return 1


def _quiet_stdout() -> None:
    """Point standard output at the null device, so Python's flush at exit finds no broken pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotspot-tasking",
                                     description="Hotspot and tasking analysis for community safety partnerships.")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(sub)
    return parser
