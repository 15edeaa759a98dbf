"""Benchmark: split a real KDE surface's hottest cells into micro-places.

    python bench/places.py [--cell-size-m 10] [--hot-cells 200000] [--max-across-m 250]

The surface is a KDE (the default bandwidth rule) of the demo workspace's police.uk
incidents (real map points) on a fine grid; ``hot`` is its hottest ``--hot-cells`` cells.
Times :func:`hotspot_tasking.surfaces.microplaces.micro_places` (best of three runs) and the
place and parent outlines once, and prints the counts and the largest place across.

Target: about 1 s for 200,000 hot cells on a 2-core machine.
Prints figures; never run as a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy

from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.kde import kde
from hotspot_tasking.surfaces.microplaces import MAX_PLACE_ACROSS_M, micro_places

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell-size-m", type=float, default=10.0)
    parser.add_argument("--hot-cells", type=int, default=200_000)
    parser.add_argument("--max-across-m", type=float, default=MAX_PLACE_ACROSS_M)
    args = parser.parse_args()
    incidents = Workspace.open(REPO / "data" / "demo").incidents(["easting", "northing", "source"])
    incidents = incidents[incidents["source"].str.startswith("police_uk")]
    t0 = time.perf_counter()
    surface = kde(incidents, cell_size_m=args.cell_size_m)
    t1 = time.perf_counter()
    density = surface.density
    k = min(args.hot_cells, density.size)
    level = np.partition(density.ravel(), density.size - k)[density.size - k]
    hot = density >= level
    print(f"{len(incidents):,} police.uk incidents; KDE {surface.grid.ny:,} x {surface.grid.nx:,} cells of "
          f"{args.cell_size_m:g} m, bandwidth {surface.card.parameters['bandwidth_m']:g} m ({t1 - t0:.1f} s); "
          f"{int(hot.sum()):,} hot cells ({hot.mean():.1%} of the grid)")

    runs = []
    for _ in range(3):
        t2 = time.perf_counter()
        places = micro_places(density, surface.grid, hot, max_across_m=args.max_across_m)
        runs.append(time.perf_counter() - t2)
    t3 = time.perf_counter()
    outlines = places.outlines()
    t4 = time.perf_counter()
    parents = places.parent_outlines()
    t5 = time.perf_counter()
    print(f"micro_places: {min(runs):.2f} s (best of 3: {', '.join(f'{r:.2f}' for r in runs)}; target about 1 s)")
    print(f"outlines: {t4 - t3:.2f} s for {len(outlines):,} places, {t5 - t4:.2f} s for {len(parents):,} parents")
    cells = np.bincount(places.labels.ravel())[1:]
    card = places.card.data
    widest = max(_across(o) for o in outlines)
    print(f"{card['parents']:,} parents, {card['peaks']:,} peaks, {card['places']:,} places "
          f"({card['places_started_by_the_size_cap']:,} started by the size cap); cells per place: median "
          f"{np.median(cells):g}, max {cells.max():,}; widest place {widest:.1f} m across "
          f"(max_across_m {args.max_across_m:g})")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"scipy {scipy.__version__}")


def _across(polygon) -> float:
    """The largest distance between two vertices of the outline, metres."""
    xy = np.asarray(polygon.exterior.coords)
    return float(np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)).max())


if __name__ == "__main__":
    main()
