"""``hotspot-tasking hotspots`` and ``backtest``: find hotspots, and measure how well they predict.

The parser imports nothing heavy; each handler imports pandas and the methods when it runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..labels import ALL_TIMES, HOTSPOT_METHODS
from .engine_options import add_engine_options, engine_for

if TYPE_CHECKING:
    import pandas as pd

    from ..geo.workspace import Workspace
    from ..hotspots.run import HotspotRequest
    from ..ranking.request import TaskingRequest


def register(sub) -> None:
    """Add the commands to the top-level sub-parsers."""
    hot = sub.add_parser("hotspots", help="find hotspots (KDE, DBSCAN or Gi*) and write them to a file")
    hot.add_argument("workspace", type=Path)
    hot.add_argument("--method", choices=HOTSPOT_METHODS, default="kde")
    _selection_options(hot)
    hot.add_argument("--bandwidth-m", type=float,
                     help="KDE bandwidth, metres (default: ArcGIS's standard-distance rule)")
    hot.add_argument("--eps-m", type=float,
                     help="DBSCAN neighbourhood, metres (default: the data's location precision)")
    hot.add_argument("--min-samples", type=int, help="DBSCAN: incidents within eps to make a core point")
    hot.add_argument("--distance-m", type=float,
                     help="Gi*: neighbourhood distance, metres (default: the 8 adjacent cells)")
    hot.add_argument("--out", required=True, type=Path, help="FILE.gpkg, FILE.geojson or FILE.tif (KDE)")
    hot.add_argument("--exact", action="store_true",
                     help="write hotspots of sensitive categories as computed (outlines may pass through report "
                          "addresses): for files that stay inside the partnership; by default they are aggregated")
    add_engine_options(hot)
    hot.set_defaults(run=_hotspots)

    back = sub.add_parser("backtest", help="how well each candidate surface (last period's counts, longer windows, "
                                           "narrow kernels) predicted the next period, and which a tasking list uses")
    back.add_argument("workspace", type=Path)
    back.add_argument("--period", help="the last period scored: a month (2017-07) or a week's Monday "
                                       "(default: the latest complete period)")
    back.add_argument("--every", choices=("month", "week"), default="month",
                      help="period length when --period is not given (default month)")
    back.add_argument("--band", default=ALL_TIMES, help="a time band from config/time_bands.toml (default: all times)")
    back.add_argument("--category", action="append", help="a category (repeat for several)")
    back.add_argument("--group", action="append", help="a partnership group id, e.g. serious_acquisitive")
    back.add_argument("--source", action="append", help="a source name")
    back.add_argument("--cell-size-m", type=float, help="grid cell, metres (default: the tasking grid's rule)")
    back.add_argument("--bandwidth-m", type=float, help="the kernels' bandwidth, metres (default: 1-3 cells)")
    back.add_argument("--surface", help="pin a candidate as the default row (the tasking list then uses it too)")
    add_engine_options(back)
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
    from ..hotspots.run import HotspotRequest
    from ..periods import date_range

    start, end = date_range(args.period) if args.period else (None, None)
    tup = lambda v: tuple(v) if v else None  # noqa: E731
    return HotspotRequest(
        method=method, band=args.band, categories=tup(args.category), groups=tup(args.group), sources=tup(args.source),
        start=start, end=end, weighting="harm" if args.harm else "count", cell_size_m=args.cell_size_m,
        bandwidth_m=getattr(args, "bandwidth_m", None), eps_m=getattr(args, "eps_m", None),
        min_samples=getattr(args, "min_samples", None), distance_m=getattr(args, "distance_m", None))


def _hotspots(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..boundaries.store import study_area
    from ..geo.workspace import Workspace
    from ..hotspots.run import analyse, describe
    from ..pipeline.exports import export_hotspots

    ws = Workspace.open(args.workspace)
    with engine_for(args, ws.config_path("tasking.toml")):
        request = _request(args, args.method)
        # The grid covers the study area when there is one, so the period's days are all the
        # run reads; without one it covers every incident, so the whole table is read.
        area = study_area(ws)
        table = ws.incidents(**({"start": request.start, "end": request.end} if area is not None else {}))
        _refuse_untimed_band(ws, table, request.band, request, start=request.start, end=request.end)
        run = analyse(request, table, bands=ws.time_bands(), study_area=area)  # run_hotspots, the area read once
        files, notices = export_hotspots(ws, run, args.out, incidents=table, exact=args.exact)
        hotspots = run.layers["hotspots"]
        print(f"{args.method}: {len(hotspots):,} hotspots from {run.incidents:,} incidents ({describe(run.request)}).")
        shown = [c for c in ("hotspot_id", "cluster_id", "incidents", "share", "area_km2", "dominant_categories",
                             "peak_band", "z", "count") if c in hotspots.columns]
        if len(hotspots):
            with pd.option_context("display.width", 160, "display.max_colwidth", 60):
                print(pd.DataFrame(hotspots[shown]).head(10).to_string(index=False))
        print("\n".join(run.card.lines()))
        print("\n".join(f"Disclosure: {n}" for n in notices) if notices else "Disclosure: the selection holds no "
              "sensitive incident; the file holds the hotspots as computed.")
        print("Wrote " + ", ".join(str(f) for f in files))
        return 0


def _backtest(args: argparse.Namespace) -> int:
    from ..geo.workspace import Workspace
    from ..periods import review_period
    from ..pipeline.tasking import request_incidents, surface_backtest
    from ..ranking.request import TaskingRequest
    from .backtest_text import backtest_lines

    ws = Workspace.open(args.workspace)
    with engine_for(args, ws.config_path("tasking.toml")):
        period = args.period or _latest_period(ws, args.every)
        tup = lambda v: tuple(v) if v else None  # noqa: E731
        request = TaskingRequest(period=period, band=args.band, categories=tup(args.category), groups=tup(args.group),
                                 sources=tup(args.source), cell_size_m=args.cell_size_m, bandwidth_m=args.bandwidth_m,
                                 surface=args.surface)
        incidents = request_incidents(ws, request, backtest=True, areas=False)  # the days the backtest scores
        _refuse_untimed_band(ws, incidents, request.band, request, end=f"{review_period(period).end:%Y-%m-%d}")
        choice = surface_backtest(ws, request, incidents=incidents)
        print("\n".join(backtest_lines(choice, review_period(period).every)))
        return 0


def _latest_period(ws: Workspace, every: str) -> str:
    from ..pipeline.review import workspace_review_choices

    choices = workspace_review_choices(ws)  # from the summary: no record read
    kind = every if every in choices.every else choices.every[-1]
    return choices.periods[kind][choices.default[kind]][0]


def _refuse_untimed_band(ws: Workspace, incidents: pd.DataFrame, band: str, request: HotspotRequest | TaskingRequest,
                         *, start: str | None = None, end: str | None = None) -> None:
    """HotspotError saying why in one sentence when none of the selection's records has a time of day
    and ``band`` is an hour band (police.uk months): there would be nothing to map or score."""
    from ..geo.select import select_incidents
    from ..hotspots.bands import select_band
    from ..hotspots.errors import HotspotError

    chosen = incidents[select_incidents(incidents, sources=request.sources, categories=request.categories,
                                        groups=request.groups, start=start, end=end)]
    if band != ALL_TIMES and len(chosen):
        reason = select_band(chosen, band, time_bands=ws.time_bands()).empty_reason
        if reason:
            raise HotspotError(reason)
