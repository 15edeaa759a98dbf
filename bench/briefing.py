"""Benchmark: writing the briefing pack and every export of a tasking list.

    python bench/briefing.py [--repeat 3]

Two figures, each the best of ``--repeat`` runs after one warm-up export (imports, fonts
and boundaries loaded once):

- **10-place briefing pack**: the PDF pack (cover, overview map, ranked table, a page with
  its own map per place, method cards) of a ten-place list over the demo's boundaries, with
  the packaged configuration. The list is made up, in the shape the export tests use:
  circular places of 250-550 m in ten different wards, every column filled, two method
  cards.
- **every export of a real DBSCAN list**: the demo's DBSCAN hotspots for July 2017 (the
  first 12 outlines) filled in as a tasking list and written as CSV, XLSX, GeoPackage,
  GeoJSON, PNG and PDF (top 10).

Targets: the pack in under 4 s; all six exports in under 5 s. Prints the figures; never
run as a test.
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

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.card import MethodCard
from hotspot_tasking.hotspots.run import HotspotRequest, run_hotspots
from hotspot_tasking.pipeline.exports import report_setting
from hotspot_tasking.ranking.schema import TASKING_COLUMNS, TaskingList
from hotspot_tasking.reports.exports import export_tasking

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "demo"
FORMATS = (".csv", ".xlsx", ".gpkg", ".geojson", ".png", ".pdf")
PACK_TARGET_S, EXPORTS_TARGET_S = 4.0, 5.0


def boundaries_workspace(root: Path) -> Workspace:
    """The demo's boundaries with the packaged configuration, and no incidents."""
    root.mkdir(parents=True)
    shutil.copy(DEMO / "workspace.json", root / "workspace.json")
    shutil.copytree(DEMO / "boundaries", root / "boundaries")
    shutil.copytree(REPO / "data" / "config", root / "config", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return Workspace.open(root)


def made_up_list(ws: Workspace, n: int, *, cards: int = 2) -> TaskingList:
    """``n`` circular places (250-550 m) in different demo wards, with every column filled."""
    wards = ws.read_layer("ward_2014")
    pick = wards.iloc[np.linspace(0, len(wards) - 1, n).astype(int)]
    geoms = [p.buffer(250 + 150 * (i % 3)) for i, p in enumerate(pick.geometry.representative_point())]
    now = np.resize(np.array([3.0, 40, 25, 60, 12, 7]), n)
    before = np.resize(np.array([2.0, 30, 30, 20, 12, 22]), n)
    z = 2 * (np.sqrt(now) - np.sqrt(before))
    status = ["tasked last period: In progress", "carried over", "new", "tasked last period: Done"]
    frame = pd.DataFrame({
        "rank": np.arange(1, n + 1), "tasking_id": [f"HS-{i:04d}" for i in range(n)], "kind": "hotspot",
        "place_name": [f"{name} (illustrative)" for name in pick["name"]],
        "ward_code": pick["code"].to_numpy(), "ward_name": pick["name"].to_numpy(), "lsoa_code": "E01003000",
        "centroid_easting": [g.centroid.x for g in geoms], "centroid_northing": [g.centroid.y for g in geoms],
        "area_km2": [g.area / 1e6 for g in geoms], "hotspot_group": "",
        "dominant_categories": ["Domestic abuse 60%, Anti-social behaviour 40%",
                                "Anti-social behaviour 50%, Hate incident 12%, Public order 10%"][:n]
        + ["Violence and sexual offences 46%, Public order 18%"] * max(n - 2, 0),
        "sensitive_share": [0.6, 0.12][:n] + [0.0] * max(n - 2, 0),
        "count_now": now, "count_before": before, "change_pct": (now - before) / before * 100, "z": z,
        "arrow": np.where(z >= 2, "▲", np.where(z <= -2, "▼", "►")), "harm_now": now * 3.5,
        "persistence": "persistent", "repeat_locations": 2, "peak_band": "night-time economy",
        "peak_days": "Fri, Sat", "peak_hours": "21:00-03:00", "score": np.linspace(0.9, 0.2, n),
        "explanation": [f"{c:g} incidents this month, {c / b:.1f} times the 12-month average; persistent in 6 of "
                        "the last 8 months; 70% on Friday and Saturday 21:00-04:00" for c, b in zip(now, before)],
        "lead_agency": "Police",
        "tactics": "Patrol (Enforcement, Police); Licensing visit (Prevent, Licensing); Deployable CCTV "
                   "(Intelligence, Council)",
        "status": (status + ["new"] * max(n - len(status), 0))[:n],
    }).astype(TASKING_COLUMNS)
    method_cards = []
    for k in range(cards):
        card = MethodCard("kde" if k == 0 else "ranking")
        card.choose("bandwidth_m", 523.0, "ArcGIS standard-distance rule (automatic)")
        card.choose("weights", {"harm": 0.5, "trend": 0.3}, "given")
        card.data["incidents"] = 7360
        method_cards.append(card)
    return TaskingList(gpd.GeoDataFrame(frame, geometry=geoms, crs=27700), "2017-07", "night-time economy",
                       cards=method_cards, caveats=["police.uk times are simulated within the month"],
                       sources=["police_uk_times_simulated", "council_asb_simulated"])


def real_dbscan_list(ws: Workspace) -> TaskingList:
    """The demo's DBSCAN outlines for July 2017 (first 12) filled in as a tasking list."""
    run = run_hotspots(ws, HotspotRequest(method="dbscan", start="2017-07-01", end="2017-07-31"))
    spots = run.layers["hotspots"].head(12)
    template = made_up_list(ws, len(spots), cards=0).frame.drop(columns="geometry")
    frame = template.assign(area_km2=spots["area_km2"].to_numpy(), count_now=spots["incidents"].to_numpy(float),
                            centroid_easting=spots["centroid_easting"].to_numpy(),
                            centroid_northing=spots["centroid_northing"].to_numpy(),
                            dominant_categories=spots["dominant_categories"].to_numpy()).astype(TASKING_COLUMNS)
    return TaskingList(gpd.GeoDataFrame(frame, geometry=spots.geometry.values, crs=27700), "2017-07", "all",
                       cards=[run.card])


def best_of(repeat: int, write) -> float:
    """The shortest of ``repeat`` timed calls of ``write()``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        write()
        times.append(time.perf_counter() - start)
    return min(times)


def figure(name: str, seconds: float, target: float) -> None:
    verdict = "met" if seconds < target else "NOT met"
    print(f"{name}: {seconds:.2f} s (target: < {target:g} s, {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the method cards' warnings are not the point here
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ws = boundaries_workspace(tmp / "ws")
        ten = made_up_list(ws, 10)
        setting = report_setting(ws)
        export_tasking(ten, tmp / "warm.pdf", setting=setting, top=1)
        pack = best_of(args.repeat, lambda: export_tasking(ten, tmp / "pack.pdf", setting=setting, top=10))
        figure("10-place briefing pack (PDF)", pack, PACK_TARGET_S)

        demo = Workspace.open(DEMO)  # read only: exports are written under tmp
        real = real_dbscan_list(demo)
        demo_setting = report_setting(demo)
        export_tasking(real, tmp / "warm.png", setting=demo_setting, top=10)

        def every_export() -> None:
            for suffix in FORMATS:
                export_tasking(real, tmp / f"list{suffix}", setting=demo_setting, top=10)

        exports = best_of(args.repeat, every_export)
        figure(f"every export of a real DBSCAN list ({len(real.frame)} hotspots, top 10; "
               f"{', '.join(s[1:] for s in FORMATS)})", exports, EXPORTS_TARGET_S)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
