"""``hotspot-tasking boundaries add``, ``boundaries population``, ``boundaries list``,
``boundaries assign`` and ``boundaries stats``: area layers, population, the records' areas
worked out ahead, every area's figures per period, and the roads layer (``--kind roads``:
:mod:`hotspot_tasking.boundaries.roads`).

The parser imports nothing heavy; each handler imports the boundaries package when it runs."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..labels import AREA_KINDS
from .engine_options import add_engine_options, engine_for

if TYPE_CHECKING:
    from ..geo.workspace import Workspace

#: ``--kind`` of the roads layer (not an area layer: incidents are never assigned to roads).
ROADS = "roads"


def register(sub) -> None:
    """Add the commands to the top-level sub-parsers."""
    bounds = sub.add_parser("boundaries", help="area layers (wards, LSOAs, zones), population and roads")
    bsub = bounds.add_subparsers(required=True, metavar="ACTION")
    add = bsub.add_parser("add", help="add (or replace) an area layer from GeoJSON, GeoPackage, Shapefile "
                                      "or a zipped shapefile, or the roads layer (--kind roads: OS Open Roads, "
                                      "OpenStreetMap or any line layer)")
    add.add_argument("workspace", type=Path)
    add.add_argument("--kind", required=True, choices=(*AREA_KINDS, ROADS))
    add.add_argument("--code-col", help="the area code column (detected when omitted)")
    add.add_argument("--name-col", help="the area or road name column (detected when omitted)")
    add.add_argument("--vintage", help="boundary set, e.g. 2014 (read from LSOA11CD-style column names)")
    add.add_argument("--name", help="layer name (default KIND_VINTAGE)")
    add.add_argument("path", type=Path)
    add.set_defaults(run=_boundaries_add)
    pop = bsub.add_parser("population", help="residents per area, for rates per 1,000 (CSV, or ONS's .xlsx)")
    pop.add_argument("workspace", type=Path)
    pop.add_argument("file", type=Path)
    pop.add_argument("--code-col", required=True)
    pop.add_argument("--value-col", required=True)
    pop.add_argument("--layer", help="the layer the codes belong to (default: the one sharing most codes)")
    pop.add_argument("--sheet", help="a workbook's sheet (default: the first whose header has both columns)")
    pop.set_defaults(run=_boundaries_population)
    listed = bsub.add_parser("list", help="the area layers, population tables and roads layer of a workspace")
    listed.add_argument("workspace", type=Path)
    listed.set_defaults(run=_boundaries_list)
    assign = bsub.add_parser("assign", help="work out every record's areas and H3 cells now and keep them, so "
                                            "later commands only read them (on a cluster: a task per file)")
    assign.add_argument("workspace", type=Path)
    add_engine_options(assign)
    assign.set_defaults(run=_boundaries_assign)
    stats = bsub.add_parser("stats", help="counts, harm, rates and change for every area of a layer and every "
                                          "week, month or date range, as CSV (on a cluster: a task per file)")
    stats.add_argument("workspace", type=Path)
    stats.add_argument("--layer", required=True, help="an area layer's name (see 'boundaries list')")
    stats.add_argument("--period", default="month", metavar="month|week|FROM:TO",
                       help="months (default), weeks from Monday, or one date range such as "
                            "2017-06-01:2017-08-31 beside the same days just before and a year before")
    stats.add_argument("--out", type=Path, required=True, metavar="FILE.csv", help="the table to write")
    add_engine_options(stats)
    stats.set_defaults(run=_boundaries_stats)


def _boundaries_add(args: argparse.Namespace) -> int:
    if args.kind == ROADS:
        return _roads_add(args)
    from ..boundaries.layers import load_layer
    from ..boundaries.store import add_layer
    from ..geo.workspace import Workspace

    ws = Workspace.open(args.workspace)
    layer = load_layer(args.path, kind=args.kind, code_col=args.code_col, name_col=args.name_col,
                       vintage=args.vintage, name=args.name)
    return _added(f"Added {layer.kind} layer '{layer.name}': {len(layer.frame):,} areas from {layer.source}.",
                  add_layer(ws, layer))


def _boundaries_assign(args: argparse.Namespace) -> int:
    from ..boundaries.assign import OUTSIDE
    from ..boundaries.store import area_layers, assign_workspace
    from ..geo.workspace import Workspace

    ws = Workspace.open(args.workspace)
    with engine_for(args, ws.config_path("tasking.toml")):
        points = assign_workspace(ws)
        records = int(points["records"].sum()) if len(points) else 0
        print(f"Assigned {records:,} records at {len(points):,} distinct points to "
              f"{len(area_layers(ws))} area layers and H3 cells; kept in the workspace's cache.")
        for name in area_layers(ws):
            outside = int(points.loc[points[name] == OUTSIDE, "records"].sum()) if len(points) else 0
            print(f"  {name}: {records - outside:,} records in an area, {outside:,} outside every area")
        return 0


def _boundaries_stats(args: argparse.Namespace) -> int:
    from ..boundaries.errors import BoundaryError
    from ..boundaries.store import area_layers
    from ..geo.workspace import Workspace
    from ..partitions.area_sums import workspace_area_stats
    from ..pipeline.each_area import write_summary

    period = tuple(args.period.split(":", 1)) if ":" in args.period else args.period
    if period not in ("month", "week") and not (isinstance(period, tuple) and all(map(_is_date, period))):
        raise BoundaryError(f"--period {args.period!r}: give month, week, or a date range such as "
                            "2017-06-01:2017-08-31.")
    ws = Workspace.open(args.workspace)
    with engine_for(args, ws.config_path("tasking.toml")):
        table = workspace_area_stats(ws, args.layer, period=period)
    frame = area_layers(ws)[args.layer][1]
    if "name" in frame.columns:
        table.insert(1, "name", table["area"].map(dict(zip(frame["code"], frame["name"]))).fillna(""))
    write_summary(table, args.out)
    areas, periods = table["area"].nunique(), table["period"].nunique()
    if not periods:
        print(f"No records in the workspace to count: {args.out} has the header only. Import some with "
              "'hotspot-tasking ingest'.")
        return 0
    print(f"Wrote {areas:,} area{'s' * (areas != 1)} x {periods:,} period{'s' * (periods != 1)} of "
          f"'{args.layer}' to {args.out}.")
    print(f"  {table.attrs['outside']:,.0f} records in the periods lie in no area of the layer.")
    if table.attrs["unplaced"]:
        print(f"  {table.attrs['unplaced']:,} records have only a month, so no week: left out.")
    return 0


def _is_date(text: str) -> bool:
    """Whether ``text`` is a date written YYYY-MM-DD."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _added(headline: str, notes: list[str]) -> int:
    """Print what was added and its notes; exit status 0."""
    print(headline)
    for note in notes:
        print(f"Note: {note}")
    return 0


def _boundaries_population(args: argparse.Namespace) -> int:
    from ..boundaries.store import add_population
    from ..geo.workspace import Workspace

    ws = Workspace.open(args.workspace)
    for note in add_population(ws, args.file, code_col=args.code_col, value_col=args.value_col, layer=args.layer,
                               sheet=args.sheet):
        print(note)
    return 0


def _roads_add(args: argparse.Namespace) -> int:
    from ..boundaries.errors import BoundaryError
    from ..boundaries.roads import add_roads, load_roads, workspace_bounds
    from ..geo.workspace import Workspace

    given = [flag for flag, value in (("--code-col", args.code_col), ("--vintage", args.vintage),
                                      ("--name", args.name)) if value is not None]
    if given:
        raise BoundaryError(f"{', '.join(given)}: not used for the roads layer (there is one per workspace, and it "
                            "has no area codes); leave it out, and name the road name column with --name-col if "
                            "it is not found.")
    ws = Workspace.open(args.workspace)
    roads = load_roads(args.path, name_col=args.name_col, bounds=workspace_bounds(ws))
    return _added(f"Added the roads layer: {roads.describe()}", add_roads(ws, roads))


def _boundaries_list(args: argparse.Namespace) -> int:
    from ..boundaries.store import POPULATION_PREFIX
    from ..geo.workspace import Workspace

    ws = Workspace.open(args.workspace)
    tables = ws.tables()
    for name, meta in ws.layers().items():
        pop = " with population" if f"{POPULATION_PREFIX}{name}" in tables else ""
        print(f"{name} ({meta['kind']}, {meta['features']:,} areas from {meta['source']}{pop})")
    roads = roads_line(ws)
    if roads is not None:
        print(roads)
    if not ws.layers() and roads is None:
        print("No area layers or roads yet: add them with 'hotspot-tasking boundaries add'.")
    return 0


def roads_line(ws: Workspace) -> str | None:
    """The roads layer in one line (``boundaries list``, ``status``), or None when there is none."""
    from ..boundaries.roads import ROADS_TABLE, roads_meta

    roads = roads_meta(ws)
    if roads is None:
        return None
    return (f"{ROADS_TABLE} (roads, {roads['features']:,} road links from {roads['source']}, "
            f"{roads.get('named', 0):,} named; not an area layer)")
