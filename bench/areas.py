"""Benchmark: assign 1,000,000 incidents to LSOA, ward and H3 cells at three resolutions.

    python bench/areas.py [--rows 1000000]

The incidents are resampled from the demo workspace's real police.uk points (so, like
police.uk data, about fifty records share each map point). Compared in the same run
with the plain way: a geopandas ``sjoin`` of every row, without collapsing repeated
points, for LSOA and ward (H3 has no geopandas equivalent; the plain way is one h3 call
per row, timed on a 100,000-row sample and scaled).

Target: 3 s or less for the full assignment on a 2-core machine.
Prints figures; never run as a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from hotspot_tasking.boundaries.assign import assign_areas
from hotspot_tasking.boundaries.store import area_layers
from hotspot_tasking.geo.h3cells import h3_cells
from hotspot_tasking.geo.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    ws = Workspace.open(REPO / "data" / "demo")
    real = ws.incidents(["easting", "northing", "longitude", "latitude"])
    rng = np.random.default_rng(3)
    inc = real.iloc[rng.integers(0, len(real), args.rows)].reset_index(drop=True)
    layers = {k: v for k, v in area_layers(ws).items() if k in ("lsoa_2011", "ward_2014")}
    print(f"{args.rows:,} incidents at {len(inc[['easting', 'northing']].drop_duplicates()):,} distinct points; "
          f"layers: {', '.join(f'{k} ({len(v[1])} areas)' for k, v in layers.items())}")

    t0 = time.perf_counter()
    assigned = assign_areas(inc, layers)
    t1 = time.perf_counter()
    cells = h3_cells(inc["longitude"], inc["latitude"], (8, 9, 10))
    t2 = time.perf_counter()
    ours = t2 - t0
    print(f"hotspot-tasking: areas {t1 - t0:.2f} s + H3 x3 {t2 - t1:.2f} s = {ours:.2f} s (target <= 3 s)")

    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(inc["easting"], inc["northing"]), crs=27700)
    t3 = time.perf_counter()
    plain = {}
    for name, (_, frame) in layers.items():
        joined = gpd.sjoin(points, frame[["code", "geometry"]], how="left", predicate="intersects")
        plain[name] = joined[~joined.index.duplicated(keep="first")]["code"].reindex(points.index)
    t4 = time.perf_counter()
    sample = inc.iloc[:100_000]
    t5 = time.perf_counter()
    for res in (8, 9, 10):
        [h3.latlng_to_cell(y, x, res) for x, y in zip(sample["longitude"], sample["latitude"])]
    t6 = time.perf_counter()
    h3_plain = (t6 - t5) * len(inc) / len(sample)
    baseline = (t4 - t3) + h3_plain
    print(f"plain geopandas sjoin of every row: areas {t4 - t3:.2f} s + H3 per row {h3_plain:.2f} s "
          f"(scaled from 100,000 rows) = {baseline:.2f} s")
    print(f"ratio: {baseline / ours:.1f}x faster; areas alone {(t4 - t3) / (t1 - t0):.1f}x")
    same = {name: float((assigned.codes[name].to_numpy() == plain[name].fillna("").to_numpy()).mean())
            for name in layers}
    print("rows given the same area as sjoin (outside = no area): " + ", ".join(f"{k} {v:.4%}" for k, v in same.items())
          + " (differences: points on a shared edge, which sjoin gives to whichever area it meets first)")
    check = cells["h3_10"].iloc[:1000].tolist() == [h3.latlng_to_cell(y, x, 10) for x, y in
                                                     zip(inc["longitude"].iloc[:1000], inc["latitude"].iloc[:1000])]
    print(f"H3 cells identical to per-row h3 on 1,000 rows: {check}")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, pandas {pd.__version__}, "
          f"geopandas {gpd.__version__}")


if __name__ == "__main__":
    main()
