"""``hotspot-tasking boundaries add`` and ``boundaries population``: area layers."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..boundaries.layers import AREA_KINDS, load_layer
from ..boundaries.store import add_layer, add_population
from ..geo.workspace import Workspace


def register(sub) -> None:
    """Add the commands to the top-level sub-parsers."""
    bounds = sub.add_parser("boundaries", help="area layers (wards, LSOAs, zones) and population")
    bsub = bounds.add_subparsers(required=True, metavar="ACTION")
    add = bsub.add_parser("add", help="add (or replace) an area layer from GeoJSON, GeoPackage, Shapefile "
                                      "or a zipped shapefile")
    add.add_argument("workspace", type=Path)
    add.add_argument("--kind", required=True, choices=AREA_KINDS)
    add.add_argument("--code-col", help="the area code column (detected when omitted)")
    add.add_argument("--name-col", help="the area name column (detected when omitted)")
    add.add_argument("--vintage", help="boundary set, e.g. 2014 (read from LSOA11CD-style column names)")
    add.add_argument("--name", help="layer name (default KIND_VINTAGE)")
    add.add_argument("path", type=Path)
    add.set_defaults(run=_boundaries_add)
    pop = bsub.add_parser("population", help="residents per area, for rates per 1,000")
    pop.add_argument("workspace", type=Path)
    pop.add_argument("file", type=Path)
    pop.add_argument("--code-col", required=True)
    pop.add_argument("--value-col", required=True)
    pop.add_argument("--layer", help="the layer the codes belong to (default: the one sharing most codes)")
    pop.set_defaults(run=_boundaries_population)


def _boundaries_add(args: argparse.Namespace) -> int:
    ws = Workspace.open(args.workspace)
    layer = load_layer(args.path, kind=args.kind, code_col=args.code_col, name_col=args.name_col,
                       vintage=args.vintage, name=args.name)
    notes = add_layer(ws, layer)
    print(f"Added {layer.kind} layer '{layer.name}': {len(layer.frame):,} areas from {layer.source}.")
    for note in notes:
        print(f"Note: {note}")
    return 0


def _boundaries_population(args: argparse.Namespace) -> int:
    ws = Workspace.open(args.workspace)
    for note in add_population(ws, args.file, code_col=args.code_col, value_col=args.value_col, layer=args.layer):
        print(note)
    return 0
