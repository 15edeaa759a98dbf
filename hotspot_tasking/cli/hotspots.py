"""``hotspot-tasking hotspots`` and ``backtest``: find hotspots, and measure how well they predict."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ..geo.workspace import Workspace
from ..hotspots.bands import ALL_TIMES
from ..hotspots.export import write_hotspots
from ..hotspots.run import METHODS, HotspotRequest, backtest_request, describe, run_hotspots
from ..periods import date_range


def register(sub) -> None:
    """Add the commands to the top-level sub-parsers."""
    hot = sub.add_parser("hotspots", help="find hotspots (KDE, DBSCAN or Gi*) and write them to a file")
    hot.add_argument("workspace", type=Path)
    hot.add_argument("--method", choices=METHODS, default="kde")
    _selection_options(hot)
    hot.add_argument("--bandwidth-m", type=float,
                     help="KDE bandwidth, metres (default: ArcGIS's standard-distance rule)")
    hot.add_argument("--eps-m", type=float,
                     help="DBSCAN neighbourhood, metres (default: the data's location precision)")
    hot.add_argument("--min-samples", type=int, help="DBSCAN: incidents within eps to make a core point")
    hot.add_argument("--distance-m", type=float,
                     help="Gi*: neighbourhood distance, metres (default: the 8 adjacent cells)")
    hot.add_argument("--out", required=True, type=Path, help="FILE.gpkg, FILE.geojson or FILE.tif (KDE)")
    hot.set_defaults(run=_hotspots)

    back = sub.add_parser("backtest", help="hit rate, PAI and RRI of last period's KDE hotspots on the next period, "
                                           "beside the naive baseline (last period's counts)")
    back.add_argument("workspace", type=Path)
    _selection_options(back)
    back.add_argument("--every", choices=("month", "week"), default="month", help="period length (default month)")
    back.set_defaults(run=_backtest)


def _selection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--band", default=ALL_TIMES,
                        help="a time band from config/time_bands.toml (default: all times)")
    parser.add_argument("--category", action="append", help="a category (repeat for several)")
    parser.add_argument("--group", action="append", help="a partnership group id, e.g. serious_acquisitive")
    parser.add_argument("--source", action="append", help="a source name")
    parser.add_argument("--period", help="2017, 2017-07, 2017-07-03 or 2017-06-01:2017-08-31 (default: everything)")
    parser.add_argument("--harm", action="store_true", help="weight incidents by harm instead of counting them")
    parser.add_argument("--cell-size-m", type=float, help="grid cell, metres (default: shorter side / 50)")


def _request(args: argparse.Namespace, method: str) -> HotspotRequest:
    start, end = date_range(args.period) if args.period else (None, None)
    tup = lambda v: tuple(v) if v else None  # noqa: E731
    return HotspotRequest(
        method=method, band=args.band, categories=tup(args.category), groups=tup(args.group), sources=tup(args.source),
        start=start, end=end, weighting="harm" if args.harm else "count", cell_size_m=args.cell_size_m,
        bandwidth_m=getattr(args, "bandwidth_m", None), eps_m=getattr(args, "eps_m", None),
        min_samples=getattr(args, "min_samples", None), distance_m=getattr(args, "distance_m", None))


def _hotspots(args: argparse.Namespace) -> int:
    ws = Workspace.open(args.workspace)
    run = run_hotspots(ws, _request(args, args.method))
    files = write_hotspots(run, args.out)
    hotspots = run.layers["hotspots"]
    print(f"{args.method}: {len(hotspots):,} hotspots from {run.incidents:,} incidents ({describe(run.request)}).")
    shown = [c for c in ("hotspot_id", "cluster_id", "incidents", "share", "area_km2", "dominant_categories",
                         "peak_band", "z", "count") if c in hotspots.columns]
    if len(hotspots):
        with pd.option_context("display.width", 160, "display.max_colwidth", 60):
            print(pd.DataFrame(hotspots[shown]).head(10).to_string(index=False))
    print("\n".join(run.card.lines()))
    print("Wrote " + ", ".join(str(f) for f in files))
    return 0


def _backtest(args: argparse.Namespace) -> int:
    ws = Workspace.open(args.workspace)
    request = _request(args, "kde")
    result, band, grid = backtest_request(ws, request, every=args.every)
    print(f"Backtest of KDE against the naive baseline ({describe(request)}), {args.every}ly, "
          f"{grid.cell_size_m:g} m cells: hotspots found on each period, scored on the next.")
    summary = result.summary.reset_index() if result.summary.index.name else result.summary
    with pd.option_context("display.width", 160, "display.float_format", "{:,.2f}".format):
        print(summary.to_string(index=False))
    if band.message:
        print(f"Note: {band.message}")
    for warning in result.card.warnings:
        print(f"Warning: {warning}")
    return 0
