"""Benchmark: the surface backtest's cost, the whole candidate set scored over 12 period pairs.

    python bench/surfaces.py [--rows 1000000] [--months 24] [--cell 50] [--scale 1]

Draws ``--rows`` incidents from the demo's map points (police.uk-like snapped locations,
each point as often as in the demo), spread evenly over ``--months`` months, on the
demo's study area; ``--scale 3`` stretches the map three times each way (a force area,
nine times the cells). Times building the per-period fields, scoring every candidate
(counts and 150 m kernels over 1, 3, 6 and 12 months, with and without decay) on the
last 12 pairs at 2% and 5% of the study area, and choosing; beside it, the old
one-method backtest (``hotspots.accuracy.backtest`` with one KDE per period, sorting every
cell), per candidate.

Target: the whole candidate set over 12 periods for 1,000,000 incidents in at most 10 s.
Prints figures; never run as a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import pandas as pd

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.boundaries.store import study_area
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.accuracy import backtest
from hotspot_tasking.hotspots.grid import Grid
from hotspot_tasking.hotspots.kde import kde
from hotspot_tasking.surfaces.candidates import SurfaceStack, candidate_surfaces
from hotspot_tasking.surfaces.choice import choose_surface


def incidents(rows: int, months: int, scale: float, seed: int = 0):
    """``(easting, northing, month position, study area bounds)`` drawn from the demo's points."""
    ws = Workspace.open(DEMO_WORKSPACE)
    table = ws.incidents()
    area = study_area(ws)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(table), rows)
    x0, y0, _, _ = area.bounds
    e = x0 + (table["easting"].to_numpy(float)[pick] - x0) * scale
    n = y0 + (table["northing"].to_numpy(float)[pick] - y0) * scale
    minx, miny, maxx, maxy = area.bounds
    bounds = (minx, miny, minx + (maxx - minx) * scale, miny + (maxy - miny) * scale)
    return e, n, np.sort(rng.integers(0, months, rows)), bounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--cell", type=float, default=50.0)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--precision", type=float, default=150.0, help="location precision, metres (0: three kernels)")
    run(parser.parse_args())


def run(args: argparse.Namespace) -> None:
    """Build the data, time the candidate set and the old backtest, print the figures."""
    e, n, pos, bounds = incidents(args.rows, args.months, args.scale)
    grid = Grid.covering(bounds, cell_size_m=args.cell)
    mask = np.ones(grid.shape, bool)
    labels = [str(p) for p in pd.period_range("2015-01", periods=args.months, freq="M")]
    print(f"{args.rows:,} incidents, {args.months} months, {grid.nx} x {grid.ny} cells of {args.cell:g} m "
          f"({grid.cells:,}); {len(np.unique(e + 1j * n)):,} distinct points")
    start = time.perf_counter()
    stack = SurfaceStack(pos, e, n, np.ones(len(e)), args.months, grid, mask)
    candidates = candidate_surfaces(args.cell, precision_m=args.precision)
    choice = choose_surface(stack, labels, candidates, pairs=12)
    total = time.perf_counter() - start
    print(f"surface backtest: {len(candidates)} candidates x {choice.card.data['backtest_pairs']} pairs x 2 shares "
          f"in {total:.2f} s (target 10 s); chose {choice.chosen.name}: {choice.card.data['backtest']}")

    frame = pd.DataFrame({"easting": e, "northing": n,
                          "occurred_from": pd.to_datetime(np.asarray(labels)[pos]).tz_localize("Europe/London"),
                          "time_precision": "month"})
    start = time.perf_counter()
    backtest(frame, grid=grid, score_fn=lambda inc, g: kde(inc, grid=g, bandwidth_m=150.0, weights="weight").density,
             shares=(0.02, 0.05), method_name="kde")
    old = time.perf_counter() - start
    pairs = args.months - 1
    print(f"old one-method backtest (one 150 m KDE and naive, every cell sorted): {old:.2f} s for {pairs} pairs, "
          f"{old / pairs * 12:.2f} s per candidate over 12 pairs; the candidate set costs "
          f"{total / len(candidates):.2f} s per candidate ({old / pairs * 12 / (total / len(candidates)):.1f}x less)")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
