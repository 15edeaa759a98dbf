"""Benchmark: a full tasking run on the demo workspace, stage by stage.

    python bench/tasking.py [--period 2017-07]

One period, the four default time bands, micro-places on the best surface and DBSCAN hotspots, ranking, and every
export (CSV, XLSX, GeoPackage, GeoJSON, PDF briefing pack, PNG map), on a copy of the
demo so nothing is written into it. Target: 10 s or less.

Beside the full run, and not counted in it: ranking the period's list for all times with
the defaults (micro-places on the best surface), as the weekly review first opens it, with the incidents
already loaded. Target: under 2 s. Never run as a test.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.boundaries.store import incidents_with_areas
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.pipeline.exports import export_list
from hotspot_tasking.pipeline.store import save_tasking_list
from hotspot_tasking.pipeline.tasking import tasking_list
from hotspot_tasking.ranking.request import TaskingRequest

BANDS = ("nte", "after_school", "overnight", "daytime")
FORMATS = ("csv", "xlsx", "gpkg", "geojson", "pdf", "png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2017-07")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the method cards' warnings are not the point here
    stages: list[tuple[str, float]] = []

    def stage(name: str, started: float) -> float:
        now = time.perf_counter()
        stages.append((name, now - started))
        return now

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        shutil.copytree(DEMO_WORKSPACE, root)
        t0 = time.perf_counter()
        ws = Workspace.open(root)
        incidents = incidents_with_areas(ws)
        t = stage(f"load {len(incidents):,} incidents, join to areas and H3", t0)
        lists = {}
        for method in ("surface", "dbscan"):
            for band in BANDS:
                request = TaskingRequest(period=args.period, band=band, method=method)
                lists[(method, band)] = tasking_list(ws, request, incidents=incidents)
                t = stage(f"{method} hotspots + ranking, band {band} ({len(lists[(method, band)].frame)} places)", t)
        start = time.perf_counter()
        default = tasking_list(ws, TaskingRequest(period=args.period), incidents=incidents)
        ranking_s = time.perf_counter() - start
        t = time.perf_counter()  # the default list is timed apart, outside the stages
        for band in BANDS:
            save_tasking_list(ws, lists[("surface", band)], TaskingRequest(period=args.period, band=band))
        t = stage("store the four surface lists in the workspace", t)
        out = Path(tmp) / "out"
        for fmt in FORMATS:
            export_list(ws, lists[("surface", "nte")], out / f"tasking.{fmt}", top=10)
            t = stage(f"export .{fmt} (night-time economy, top 10)", t)
        total = sum(seconds for _, seconds in stages)
    width = max(len(name) for name, _ in stages)
    for name, seconds in stages:
        print(f"{name:<{width}}  {seconds:6.2f} s")
    print(f"{'total':<{width}}  {total:6.2f} s  (target <= 10 s: {'met' if total <= 10 else 'NOT met'})")
    print(f"ranking {args.period}, all times, defaults ({len(default.frame)} places): {ranking_s:.2f} s "
          f"(target: < 2 s, {'met' if ranking_s < 2 else 'NOT met'})")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
