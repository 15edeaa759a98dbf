"""``hotspot-tasking tasking``: the ranked tasking list for a period, stored and exported; with
``--each-area LAYER``, one list per area of a layer (:mod:`hotspot_tasking.pipeline.each_area`).

The parser imports nothing heavy; the handler imports the pipeline when it runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..labels import ALL_TIMES, CANDIDATE_KINDS, RANK_METHODS
from .engine_options import add_engine_options, engine_for

if TYPE_CHECKING:
    from ..ranking.request import TaskingRequest


def register(sub) -> None:
    """Add the command to the top-level sub-parsers."""
    task = sub.add_parser("tasking", help="the ranked tasking list for a week or month, with exports",
                          epilog="With --each-area LAYER: one list per area of the layer, each as a partnership "
                                 "whose study area is that area would get it (its outline the study area, the "
                                 "incidents within the import margin of it), run in parallel on the engine; "
                                 "--out names ONE folder, which gets NNN-CODE/ per area (position in the layer, "
                                 "the code's letters, digits, _ and -) holding the --formats files "
                                 "(tasking.csv, briefing.pdf, ...), and summary.csv with a row per area. "
                                 "Nothing is stored in the workspace. Exit 0 when any area's list was made, "
                                 "2 when none was.")
    task.add_argument("workspace", type=Path)
    task.add_argument("--period", required=True, help="a month (2017-07) or the Monday of a week (2017-07-03)")
    task.add_argument("--band", default=ALL_TIMES, help="a time band from config/time_bands.toml (default: all times)")
    task.add_argument("--top", type=int, help="keep the first N places")
    task.add_argument("--candidates", choices=CANDIDATE_KINDS, default="hotspot",
                      help="hotspot outlines (default) or areas of a layer")
    task.add_argument("--method", choices=RANK_METHODS, default="surface",
                      help="hotspot places from the surface that predicts best (default), or DBSCAN clusters")
    task.add_argument("--surface", help="use this candidate surface instead of the backtest's best "
                                        "(names: hotspot-tasking backtest)")
    task.add_argument("--layer", help="the area layer for --candidates ward|lsoa|zone (default: the latest)")
    task.add_argument("--category", action="append", help="a category (repeat for several)")
    task.add_argument("--group", action="append", help="a partnership group id")
    task.add_argument("--source", action="append", help="a source name (repeat for several)")
    task.add_argument("--cell-size-m", type=float, help="grid cell, metres (default: its documented rule)")
    task.add_argument("--bandwidth-m", type=float,
                      help="the candidate kernels' bandwidth, metres (default: 1-3 cells, at least the location "
                           "precision)")
    task.add_argument("--eps-m", type=float, help="DBSCAN neighbourhood, metres (default: its documented rule)")
    task.add_argument("--min-samples", type=int, help="DBSCAN core-point weight (default: its documented rule)")
    task.add_argument("--baseline-periods", type=int, help="periods in the baseline (default: tasking.toml, 12)")
    task.add_argument("--out", action="append", type=Path, default=[],
                      help="FILE.csv, .xlsx, .gpkg, .geojson, .pdf (briefing pack) or .png (map); repeat for several; "
                           "with --each-area, the one folder the lists go into")
    task.add_argument("--no-save", action="store_true",
                      help="do not store the list in the workspace "
                           "(stored lists let next period's places keep their ids; --each-area stores none)")
    task.add_argument("--each-area", metavar="LAYER",
                      help="a list for every area of this layer (a layer name, or ward|lsoa|zone: the latest of "
                           "that kind), into the --out folder")
    task.add_argument("--formats",
                      help="with --each-area: the files per area, comma-separated, of csv, xlsx, gpkg, geojson, "
                           "pdf (briefing.pdf), png (map.png) (default: csv,pdf)")
    add_engine_options(task)
    task.set_defaults(run=_tasking)


def request_from(args: argparse.Namespace) -> TaskingRequest:
    """The tasking request the command's options describe."""
    from ..ranking.request import TaskingRequest

    return TaskingRequest(period=args.period, band=args.band, candidates=args.candidates, method=args.method,
                          surface=args.surface, layer=args.layer,
                          categories=tuple(args.category) if args.category else None,
                          groups=tuple(args.group) if args.group else None,
                          sources=tuple(args.source) if args.source else None, top=args.top,
                          baseline_periods=args.baseline_periods, cell_size_m=args.cell_size_m,
                          bandwidth_m=args.bandwidth_m, eps_m=args.eps_m, min_samples=args.min_samples)


def _tasking(args: argparse.Namespace) -> int:
    from ..errors import UserError
    from ..geo.workspace import Workspace

    ws = Workspace.open(args.workspace)
    request = request_from(args)
    if args.each_area is None and args.formats is not None:
        raise UserError("--formats chooses the files of --each-area; name the files with --out instead.")
    if args.each_area is not None and len(args.out) != 1:
        raise UserError(f"--each-area writes into one folder; give exactly one --out DIR (got {len(args.out)}).")
    with engine_for(args, ws.config_path("tasking.toml")):
        if args.each_area is not None:
            return _each_area(ws, request, args)
        return _one_list(ws, request, args)


def _each_area(ws, request: TaskingRequest, args: argparse.Namespace) -> int:
    import pandas as pd

    from ..pipeline.each_area import each_area

    summary = each_area(ws, request, args.each_area, args.out[0], formats=args.formats or "csv,pdf")
    made = int((summary["error"] == "").sum())
    print(f"Tasking lists for {request.period}, one per area of {args.each_area}: {made} of {len(summary)} made, "
          f"in {args.out[0]} (summary.csv).")
    with pd.option_context("display.width", 170, "display.max_colwidth", 40, "display.max_rows", None,
                           "display.float_format", "{:,.1f}".format):
        print(summary.drop(columns=["files"]).to_string(index=False))
    return 0 if made else 2


def _one_list(ws, request: TaskingRequest, args: argparse.Namespace) -> int:
    import pandas as pd

    from ..pipeline.exports import export_list
    from ..pipeline.review import changes_since
    from ..pipeline.tasking import tasking_list
    from ..reports.setting import band_label, band_labels

    listed = tasking_list(ws, request, save=not args.no_save)
    changed = changes_since(ws, request, listed)
    labels = band_labels(ws.time_bands())
    frame = listed.frame.assign(peak_band=listed.frame["peak_band"].map(lambda band: band_label(band, labels)))
    print(f"Tasking list for {listed.period} ({band_label(listed.band, labels)}): {len(frame)} places.")
    shown = ["rank", "tasking_id", "place_name", "arrow", "count_now", "count_before", "peak_band", "lead_agency",
             "status"]
    if len(frame):
        with pd.option_context("display.width", 170, "display.max_colwidth", 45,
                               "display.float_format", "{:,.1f}".format):
            print(pd.DataFrame(frame[shown]).head(args.top or 15).to_string(index=False))
    for caveat in listed.caveats:
        print(f"Caveat: {caveat}")
    if changed is not None:
        print(f"\nWhat changed since {changed.since}:\n{changed.text}")
    else:
        print("\nWhat changed: no earlier list of this question (same band, places, method, options and "
              "filters) is stored to compare with.")
    for out in args.out:
        for written in export_list(ws, listed, out, top=args.top):
            print(f"Wrote {written}")
    return 0
