"""The options every heavy command shares: ``--engine``, ``--scheduler``, ``--workers``.

The parser part imports nothing heavy; :func:`engine_for` opens the engine the options and
the workspace's ``[engine]`` setting choose (see :mod:`hotspot_tasking.engine`).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine import ENGINES, EngineChoice, open_engine, using

if TYPE_CHECKING:
    from ..engine import Engine


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--engine``, ``--scheduler`` and ``--workers`` to a command's parser."""
    group = parser.add_argument_group("where the work runs (default: [engine] in the workspace's tasking.toml)")
    group.add_argument("--engine", choices=ENGINES,
                       help="local: this process; dask: a Dask cluster (same results, divided between workers)")
    group.add_argument("--scheduler", metavar="ADDRESS",
                       help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --engine dask); "
                            "without it the dask engine starts a cluster of this machine's cores")
    group.add_argument("--workers", type=int, metavar="N",
                       help="worker processes of that local cluster (default: one per core)")


@contextmanager
def engine_for(args: argparse.Namespace, config: Path | None) -> Iterator[Engine]:
    """The engine ``args`` ask for over ``[engine]`` of ``config`` (a ``tasking.toml``), current
    inside the block; a dask engine says where it runs on standard output."""
    choice = EngineChoice.load(config).overridden(kind=args.engine, scheduler=args.scheduler, workers=args.workers)
    with open_engine(choice) as engine, using(engine):
        if engine.kind != "local":
            print(engine.describe(), flush=True)
        yield engine
