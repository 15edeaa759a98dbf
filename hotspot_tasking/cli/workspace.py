"""``hotspot-tasking init``, ``ingest`` and ``status``: workspaces and their incidents.

The parser imports nothing heavy; each handler imports the workspace and pandas when it runs.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from .. import DEMO_WORKSPACE
from ..labels import SOURCES, WORKSPACE_MANIFEST
from .boundaries import roads_line
from .engine_options import add_engine_options, engine_for

if TYPE_CHECKING:
    from ..geo.area import Area
    from ..geo.workspace import Workspace


def register(sub) -> None:
    """Add the commands to the top-level sub-parsers."""
    init = sub.add_parser("init", help="create a workspace (or copy the bundled demo)")
    init.add_argument("workspace", type=Path)
    init.add_argument("--demo", action="store_true", help="copy the bundled demo workspace (Lambeth and Wandsworth)")
    init.add_argument("--area", help="the area's bounding box in British National Grid metres, MINE,MINN,MAXE,MAXN; "
                                     "records more than --area-margin-m outside it are rejected")
    init.add_argument("--area-margin-m", type=float, default=5000.0, help="metres (default 5000)")
    init.set_defaults(run=_init)

    ingest = sub.add_parser("ingest", help="import incident files into a workspace")
    ingest.add_argument("workspace", type=Path)
    ingest.add_argument("--source", required=True, choices=SOURCES)
    ingest.add_argument("--mapping", type=Path, help="column-mapping TOML (council_asb, street_drinking)")
    ingest.add_argument("--motive-column", help="fire records: the column saying deliberate or accidental")
    ingest.add_argument("paths", nargs="+", type=Path,
                        help="delimited text files (.csv, .tsv, .tab, .txt; comma, tab, semicolon or pipe; "
                             "plain or .gz), folders of them, or zips")
    add_engine_options(ingest)
    ingest.set_defaults(run=_ingest)

    status = sub.add_parser("status", help="counts by source, category and month; quarantine totals; area layers")
    status.add_argument("workspace", type=Path)
    status.set_defaults(run=_status)


def _init(args: argparse.Namespace) -> int:
    if args.demo:
        _copy_demo(args.workspace)
        print(f"Copied the demo workspace to {args.workspace}.")
        return 0
    from ..geo.workspace import Workspace

    area = _parse_area(args.area, args.area_margin_m) if args.area else None
    Workspace.create(args.workspace, area=area)
    print(f"Created workspace {args.workspace}"
          + ("" if area else " (no area set: records are checked against Great Britain only)") + ".")
    return 0


def _copy_demo(root: Path) -> None:
    """Copy the bundled demo workspace to the new or empty folder ``root``; on a failure
    (a full disk, a read-only folder) remove the part-copy and raise a :class:`GeoError`."""
    from ..geo.atomic import machine_errors
    from ..geo.errors import GeoError

    if root.exists() and not root.is_dir():
        raise GeoError(f"{root}: is a file, not a folder; choose a new folder for the demo copy.")
    if root.exists() and any(root.iterdir()):
        raise GeoError(f"{root}: the folder is not empty; choose a new folder for the demo copy.")
    if not (DEMO_WORKSPACE / WORKSPACE_MANIFEST).is_file():
        raise GeoError(f"{DEMO_WORKSPACE}: the bundled demo is missing; install from a checkout (pip install -e .) "
                       "or rebuild it with scripts/build_demo.py.")
    existed = root.exists()
    try:
        with machine_errors(root, need_bytes=lambda: _tree_bytes(DEMO_WORKSPACE)):
            shutil.copytree(DEMO_WORKSPACE, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".lock"))
    except BaseException:
        if existed:
            for child in root.iterdir():
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        else:
            shutil.rmtree(root, ignore_errors=True)
        raise


def _tree_bytes(root: Path) -> int:
    """Bytes of the files under ``root``."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def _parse_area(text: str, margin_m: float) -> Area:
    from ..geo.area import Area
    from ..geo.errors import GeoError

    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) != 4 or values[0] >= values[2] or values[1] >= values[3]:
        raise GeoError(f"--area {text!r}: give four numbers MINE,MINN,MAXE,MAXN in metres with min < max, "
                       "e.g. 524000,168000,536000,182000.")
    return Area(*values, margin_m=margin_m)


def _ingest(args: argparse.Namespace) -> int:
    from ..geo.workspace import Workspace
    from ..intake.store import ingest_files

    ws = Workspace.open(args.workspace)
    with engine_for(args, ws.config_path("tasking.toml")):
        report = ingest_files(ws, args.paths, args.source, mapping=args.mapping, motive_column=args.motive_column)
    print(report.format())
    return 0


def _status(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..geo.workspace import Workspace

    ws = Workspace.open(args.workspace)
    s = ws.summary()
    print(f"Workspace {ws.name}: {s.incidents:,} incidents", end="")
    if s.first is not None:
        print(f", {s.first:%d/%m/%Y} to {s.last:%d/%m/%Y}", end="")
    print(f"; {s.imports} imports, {s.rows_read:,} rows read, {s.rows_rejected:,} rejected (in quarantine/).")
    if s.incidents == 0:
        print(f"No incidents yet: import some with 'hotspot-tasking ingest {args.workspace} --source SOURCE FILES'.")
        return 0
    with pd.option_context("display.max_rows", 200, "display.width", 160):
        print("\nBy source:\n" + s.by_source.to_string())
        print("\nBy category:\n" + s.by_category.to_string())
        print("\nBy month:\n" + s.by_month.to_string())
    if s.rejected_by_reason:
        print("\nRejected by reason:")
        for reason, n in s.rejected_by_reason.items():
            print(f"  {reason}: {n:,}")
    outside = sum(r.rows_out_of_area for r in ws.imports)
    shared = sum(r.shared_crime_ids for r in ws.imports)
    if outside:
        print(f"\n{outside:,} of the rejected rows lie outside the workspace area (kept apart in quarantine/, "
              "as Parquet files ending -out-of-area.parquet).")
    if shared:
        print(f"{shared:,} imported rows share a Crime ID with a row of another crime type; each is kept as "
              "its own offence.")
    _print_areas(ws)
    return 0


def _print_areas(ws: Workspace) -> None:
    """Area layers, incidents outside each, the LSOA agreement where the source gave codes, and
    the roads layer."""
    from ..boundaries.store import POPULATION_PREFIX, area_coverage

    roads = roads_line(ws)
    if not ws.layers():
        print("\nNo area layers yet: add wards and LSOAs with 'hotspot-tasking boundaries add'.")
        if roads is not None:
            print(f"\nRoads:\n  {roads}")
        return
    outside, agreement = area_coverage(ws)
    print("\nArea layers:")
    for name, meta in ws.layers().items():
        pop = " with population" if f"{POPULATION_PREFIX}{name}" in ws.tables() else ""
        print(f"  {name} ({meta['kind']}, {meta['features']:,} areas from {meta['source']}{pop}): "
              f"{outside[name]:,} incidents outside every area")
    for name, agree in agreement.items():
        if agree["compared"]:
            print(f"  LSOA code in the source file vs computed from '{name}': {agree['agree']:,} of "
                  f"{agree['compared']:,} agree ({agree['share']:.1%})")
    print(f"\nRoads:\n  {roads}" if roads is not None else
          "\nNo roads layer (optional: street names on maps and place names from OS Open Roads; "
          "'hotspot-tasking boundaries add WS --kind roads FILE').")
