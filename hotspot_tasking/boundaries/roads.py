"""The optional roads layer: named road links that name places the way wardens and
officers find them on the street.

:func:`load_roads` reads a line layer: Ordnance Survey's OS Open Roads (its ``RoadLink``
layer: ``name1``/``name_1``, ``name2``, ``roadNumber``/``road_classification_number``,
``class``/``road_classification``, ``formOfWay``; EPSG:27700), an OpenStreetMap extract
(``name``, ``ref``, ``highway``; EPSG:4326) or any line layer in GeoPackage, Shapefile or
GeoJSON. It detects the name column (:data:`NAME_COLUMNS`, compared without case, spaces,
'_' or '-'), the road number and the road class, brings the lines into EPSG:27700 and keeps
the links that touch the workspace's area and :data:`AREA_MARGIN_M` (500 m) round it.
Every feature of the file is either kept or rejected with its reason, and the counts say so.
A link without a name or number is kept for drawing but never names a place.

:func:`add_roads` stores the links as the workspace table :data:`ROADS_TABLE` (metadata
``content`` = :data:`CONTENT`), replacing any stored before. A table, not an area layer, on
purpose: every stored *layer* is an area layer that incidents are assigned to
(:func:`~.store.area_layers`, the area comparison, the patrol plan, ``status``), and roads
must never become one. :func:`read_roads` gives them back.
"""

from __future__ import annotations

import logging
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataSourceError
from pyproj import CRS, Transformer

from ..geo.schema import BNG_EPSG
from ..geo.workspace import Workspace
from .errors import BoundaryError
from .layers import _to_bng
from .store import check_workspace
from .validate import check_number, check_type

log = logging.getLogger(__name__)

#: The workspace table holding the roads layer, and its metadata's ``content``.
ROADS_TABLE = "roads"
CONTENT = "roads"
#: Metres round the workspace's area within which road links are kept.
AREA_MARGIN_M = 500.0
#: Name columns, in order of preference (compared without case, spaces, '_' or '-').
NAME_COLUMNS = ("name1", "name", "roadname", "streetname", "street", "rdname", "strname", "roadnm", "streetnm")
#: The name in a second language (OS Open Roads), used where the first name is blank.
SECOND_NAME_COLUMNS = ("name2",)
#: Road number columns ("A10", "B100").
NUMBER_COLUMNS = ("roadnumber", "roadclassificationnumber", "ref", "roadref", "roadno")
#: Road class columns ("A Road", "Unclassified", "residential").
KIND_COLUMNS = ("roadclassification", "class", "highway", "fclass", "roadclass")
#: Layer names taken first in a file of several layers (OS Open Roads' GeoPackage).
ROAD_LAYER_NAMES = ("roadlink",)
#: Files with more features than this are read only round the workspace's area (a spatial filter).
FILTERED_READ_ABOVE = 100_000
LINES = ("LineString", "MultiLineString")
#: Columns of :func:`read_roads`.
ROAD_COLUMNS = ("name", "number", "kind")


@dataclass
class RoadsLayer:
    """A loaded roads layer.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        ``name`` (str, "" when none), ``number`` (str, "" when none), ``kind`` (str, the road
        class; "" when unknown), ``geometry`` (LineString/MultiLineString, EPSG:27700).
    source : str
        The file's name.
    rows_read : int
        Features in the file's road layer: ``accepted + sum(rejected.values())``.
    rejected : dict
        Reason -> features left out.
    columns : dict
        ``{"name": ..., "number": ..., "kind": ...}``: the columns used ("" for none).
    notes : list of str
        What loading did (layer, columns, CRS).
    """

    frame: gpd.GeoDataFrame
    source: str
    rows_read: int
    rejected: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """Links kept."""
        return len(self.frame)

    def describe(self) -> str:
        """One sentence: rows read = kept + rejected, with the reasons, and how many can name a place."""
        named = int(self.frame["name"].ne("").sum())
        numbered = int((self.frame["name"].eq("") & self.frame["number"].ne("")).sum())
        rejected = sum(self.rejected.values())
        why = "; ".join(f"{n:,} {reason}" for reason, n in self.rejected.items() if n)
        return (f"{self.rows_read:,} road links read from {self.source}: {self.accepted:,} kept, {rejected:,} "
                f"rejected{f' ({why})' if why else ''}; of those kept, {named:,} have a name and {numbered:,} only a "
                f"road number (these can name places), {self.accepted - named - numbered:,} neither (drawn only).")


def load_roads(path: str | Path, *, name_col: str | None = None,
               bounds: tuple[float, float, float, float] | None = None,
               margin_m: float = AREA_MARGIN_M) -> RoadsLayer:
    """Read a roads layer (see the module docstring).

    Parameters
    ----------
    path : path
        GeoPackage (its ``RoadLink`` layer, else its only line layer), Shapefile (with its
        ``.dbf``, ``.shx``, ``.prj``), a ``.zip`` of one, or GeoJSON.
    name_col : str, optional
        The road name column; detected when not given (:data:`NAME_COLUMNS`).
    bounds : (float, float, float, float), optional
        The workspace's area, ``(min easting, min northing, max easting, max northing)`` in
        metres (EPSG:27700) (:func:`workspace_bounds`); None keeps every link.
    margin_m : float, default=500
        Links within this many metres of ``bounds`` are kept too.

    Returns
    -------
    RoadsLayer

    Raises
    ------
    TypeError
        For an option of the wrong type.
    BoundaryError
        A missing or unreadable file, no features, geometries that are not lines, a
        ``name_col`` the file lacks, neither a name nor a road number column, no CRS that can
        be inferred, bad bounds or a negative margin.
    """
    where = "load_roads"
    check_type(path, "path", where, (str, os.PathLike), type_name="a path (str or pathlib.Path)")
    check_type(name_col, "name_col", where, str, type_name="a str", optional=True)
    box = None if bounds is None else check_bounds(bounds, "bounds", where)
    check_number(margin_m, "margin_m", where, low_open=False)
    path = Path(path)
    notes: list[str] = []
    raw, rows_read = _read(path, box, margin_m, notes)
    raw = _to_bng(raw, path, notes)
    columns = _columns(raw, path, name_col, notes)
    geometry = shapely.force_2d(np.asarray(raw.geometry.values, dtype=object))
    frame = gpd.GeoDataFrame({key: _text(raw, columns[key]) for key in ROAD_COLUMNS},
                             geometry=gpd.GeoSeries(geometry, crs=BNG_EPSG), crs=BNG_EPSG)
    second = _find(raw, SECOND_NAME_COLUMNS) if _plain(columns["name"]) == "name1" else None
    if second:
        frame["name"] = frame["name"].where(frame["name"].ne(""), _text(raw, second))
    empty = frame.geometry.isna().to_numpy() | shapely.is_empty(geometry)
    rejected = {"without a geometry": int(empty.sum())}
    keep = ~empty
    if box is not None:
        near = shapely.intersects(geometry, shapely.box(*_grown(box, margin_m)))
        rejected = {f"outside the workspace's area and {margin_m:g} m round it":
                    rows_read - len(raw) + int((keep & ~near).sum()), **rejected}
        keep &= near
    frame = frame[keep].reset_index(drop=True)
    layer = RoadsLayer(frame, path.name, rows_read, rejected, columns, notes)
    for note in notes:
        log.info("%s: %s", path.name, note)
    return layer


def add_roads(ws: Workspace, roads: RoadsLayer) -> list[str]:
    """Store a loaded roads layer as the workspace's roads (replacing any stored); return notes for the user."""
    check_workspace(ws, "add_roads")
    check_type(roads, "roads", "add_roads", RoadsLayer, type_name="a RoadsLayer (load_roads)")
    frame = roads.frame
    table = pd.DataFrame({key: frame[key].astype("str").to_numpy() for key in ROAD_COLUMNS})
    table["geometry_wkb"] = pd.Series(list(shapely.to_wkb(np.asarray(frame.geometry.values, dtype=object))),
                                      dtype=object)
    meta = {"content": CONTENT, "source": roads.source, "features": len(table), "rows_read": roads.rows_read,
            "rejected": dict(roads.rejected), "columns": dict(roads.columns), "notes": list(roads.notes),
            "named": int(table["name"].ne("").sum())}
    ws.save_table(ROADS_TABLE, table, meta)
    return list(roads.notes)


def read_roads(ws: Workspace, *, bbox: tuple[float, float, float, float] | None = None) -> gpd.GeoDataFrame | None:
    """The workspace's road links, or None when it has no roads layer.

    Parameters
    ----------
    ws : Workspace
    bbox : (float, float, float, float), optional
        Only the links touching this box, ``(min easting, min northing, max easting, max
        northing)`` in metres (EPSG:27700).

    Returns
    -------
    geopandas.GeoDataFrame or None
        ``name`` (str, "" when none), ``number`` (str, "" when none), ``kind`` (str, the road
        class when known, else ""), ``geometry`` (LineString/MultiLineString, EPSG:27700); a
        new frame on every call.

    Raises
    ------
    TypeError, BoundaryError
        ``ws`` is not a Workspace; ``bbox`` is not four finite numbers with each minimum
        below its maximum.
    """
    check_workspace(ws, "read_roads")
    box = None if bbox is None else check_bounds(bbox, "bbox", "read_roads")
    meta = roads_meta(ws)
    if meta is None:
        return None
    table = ws.read_table(ROADS_TABLE)
    geometry = shapely.from_wkb(table["geometry_wkb"].to_numpy(dtype=object)) if len(table) else np.empty(0, object)
    frame = gpd.GeoDataFrame({key: table[key].astype("str").to_numpy() for key in ROAD_COLUMNS},
                             geometry=gpd.GeoSeries(geometry, crs=BNG_EPSG), crs=BNG_EPSG)
    if box is not None:
        frame = frame[shapely.intersects(geometry, shapely.box(*box))].reset_index(drop=True)
    return frame


def roads_meta(ws: Workspace) -> dict | None:
    """The stored roads layer's metadata (source, features, rows read, rejected, columns,
    notes), or None when the workspace has none."""
    check_workspace(ws, "roads_meta")
    meta = ws.tables().get(ROADS_TABLE)
    return meta if meta is not None and meta.get("content") == CONTENT else None


def workspace_bounds(ws: Workspace) -> tuple[float, float, float, float] | None:
    """The box road links are kept round, metres (EPSG:27700): the workspace's area (its box,
    without the import margin), else the box round its incidents; None when it has neither."""
    check_workspace(ws, "workspace_bounds")
    area = ws.area
    if area is not None:
        return (area.min_easting, area.min_northing, area.max_easting, area.max_northing)
    points = ws.incidents(["easting", "northing"])
    if not len(points):
        return None
    return (float(points["easting"].min()), float(points["northing"].min()),
            float(points["easting"].max()), float(points["northing"].max()))


def check_bounds(value, name: str, where: str) -> tuple[float, float, float, float]:
    """``value`` as a box of four floats, min easting, min northing, max easting, max northing.

    TypeError unless a tuple or list of four numbers; :class:`BoundaryError` for a number that
    is not finite or a minimum above its maximum.

    >>> check_bounds([531000, 180400, 533900, 182000], "bbox", "read_roads")
    (531000.0, 180400.0, 533900.0, 182000.0)
    """
    if not isinstance(value, (tuple, list)) or len(value) != 4 or \
            not all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in value):
        shown = repr(value) if isinstance(value, (str, int, float, type(None))) else type(value).__name__
        raise TypeError(f"The '{name}' parameter of {where} must be a tuple of four numbers (min easting, min "
                        f"northing, max easting, max northing; metres, EPSG:27700). Got {shown} instead.")
    box = tuple(float(v) for v in value)
    if not all(math.isfinite(v) for v in box) or box[0] > box[2] or box[1] > box[3]:
        raise BoundaryError(f"The '{name}' parameter of {where} must be four finite numbers with each minimum "
                            f"at most its maximum (min easting, min northing, max easting, max northing). "
                            f"Got {value!r} instead.")
    return box


# --- reading --------------------------------------------------------------------------------

def _read(path: Path, box, margin_m: float, notes: list[str]) -> tuple[gpd.GeoDataFrame, int]:
    """The road layer's features (round ``box`` only, for a large file) and the file's feature count."""
    if not path.exists():
        raise BoundaryError(f"{path}: no such file; check the path.")
    try:
        layer = _road_layer(path, notes)
        info = pyogrio.read_info(path, layer=layer, force_feature_count=True)
        count = int(info["features"])
        bbox = None
        if box is not None and count > FILTERED_READ_ABOVE and info.get("crs"):
            bbox = _file_box(_grown(box, margin_m), info["crs"])
            notes.append(f"{count:,} features in the file: only those round the workspace's area were read.")
        frame = gpd.read_file(path, layer=layer, bbox=bbox)
    except (DataSourceError, OSError, ValueError) as err:
        raise BoundaryError(f"{path.name}: could not be read as GeoPackage, Shapefile or GeoJSON ({err}).") from err
    if count <= 0 and frame.empty:
        raise BoundaryError(f"{path.name}: holds no features; check it is the right file.")
    kinds = set(frame.geom_type.dropna()) - set(LINES)
    if kinds:
        raise BoundaryError(f"{path.name}: has {', '.join(sorted(kinds))} geometries; a roads layer must be lines "
                            "(LineString or MultiLineString), such as OS Open Roads' RoadLink layer.")
    return frame, max(count, len(frame))


def _road_layer(path: Path, notes: list[str]) -> str | None:
    """The layer to read: ``RoadLink`` when there is one, else the only line layer, else the first."""
    layers = pyogrio.list_layers(path)
    if len(layers) <= 1:
        return None
    names = [str(n) for n in layers[:, 0]]
    found = next((n for n in names if _plain(n) in ROAD_LAYER_NAMES), None)
    if found is None:
        lines = [str(n) for n, kind in layers if str(kind).removesuffix(" Z") in LINES]
        found = lines[0] if lines else names[0]
    notes.append(f"The file has {len(names)} layers ({', '.join(names)}); read '{found}'.")
    return found


def _file_box(box, crs) -> tuple[float, float, float, float]:
    """``box`` (EPSG:27700) in the file's CRS, for a spatial filter."""
    if CRS(crs).to_epsg(min_confidence=20) == BNG_EPSG:
        return box
    return Transformer.from_crs(BNG_EPSG, CRS(crs), always_xy=True).transform_bounds(*box)


def _grown(box, margin_m: float) -> tuple[float, float, float, float]:
    return (box[0] - margin_m, box[1] - margin_m, box[2] + margin_m, box[3] + margin_m)


def _plain(column: str) -> str:
    """A column name compared without case, spaces, '_' or '-': ``road_Number`` -> ``roadnumber``."""
    return re.sub(r"[\s_\-]", "", str(column)).casefold()


def _find(frame: gpd.GeoDataFrame, wanted: tuple[str, ...]) -> str | None:
    """The first column of ``frame`` matching a name of ``wanted`` (in ``wanted``'s order)."""
    columns = {_plain(c): c for c in reversed([c for c in frame.columns if c != frame.geometry.name])}
    return next((columns[w] for w in wanted if w in columns), None)


def _columns(frame: gpd.GeoDataFrame, path: Path, name_col: str | None, notes: list[str]) -> dict[str, str]:
    """The name, number and class columns ("" for none); a road layer needs a name or a number."""
    columns = [c for c in frame.columns if c != frame.geometry.name]
    if name_col is not None and name_col not in columns:
        raise BoundaryError(f"{path.name}: has no column '{name_col}' (--name-col); its columns are "
                            f"{', '.join(map(str, columns)) or 'none'}.")
    found = {"name": name_col or _find(frame, NAME_COLUMNS), "number": _find(frame, NUMBER_COLUMNS),
             "kind": _find(frame, KIND_COLUMNS)}
    if not found["name"] and not found["number"]:
        raise BoundaryError(f"{path.name}: no road name column found among {', '.join(map(str, columns)) or 'none'} "
                            f"(looked for {', '.join(NAME_COLUMNS)} and the road number {', '.join(NUMBER_COLUMNS)}); "
                            "name it with --name-col.")
    if not found["name"]:
        notes.append(f"No road name column; links are named by their road number ('{found['number']}') only.")
    notes.append("Columns: " + ", ".join(f"{key} from '{col}'" for key, col in found.items() if col) + ".")
    return {key: str(col or "") for key, col in found.items()}


def _text(frame: gpd.GeoDataFrame, column: str) -> np.ndarray:
    """A column as clean text (spaces collapsed, "" for blank or missing); all "" without a column."""
    if not column:
        return np.full(len(frame), "", dtype=object)
    values = frame[column]
    text = values.astype("str").str.strip().str.replace(r"\s+", " ", regex=True)
    return text.where(values.notna() & ~text.str.casefold().isin(["", "nan", "none", "null"]), "").to_numpy(object)


__all__ = ["AREA_MARGIN_M", "CONTENT", "NAME_COLUMNS", "NUMBER_COLUMNS", "ROADS_TABLE", "ROAD_COLUMNS", "RoadsLayer",
           "add_roads", "check_bounds", "load_roads", "read_roads", "roads_meta", "workspace_bounds"]
