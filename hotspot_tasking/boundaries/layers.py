"""Loading area layers: wards, LSOAs and local zones, from GeoJSON, GeoPackage,
Shapefile (a .prj in ESRI's words included) or a zipped shapefile.

A loaded layer has one row per area with ``code``, ``name`` and a polygonal
``geometry`` in EPSG:27700. Loading detects the code and name columns, reprojects,
repairs invalid geometries, merges rows that share a code, and checks coverage
(overlaps between areas and gaps inside the layer); everything it did is said in
``notes``.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

import geopandas as gpd
import numpy as np
import shapely
from pyogrio.errors import DataSourceError
from pyproj import CRS

from ..geo.schema import BNG_EPSG
from .errors import BoundaryError
from .validate import check_choice, check_crs, check_layer, check_number, check_type

log = logging.getLogger(__name__)

AreaKind = Literal["ward", "lsoa", "zone"]
AREA_KINDS: tuple[str, ...] = get_args(AreaKind)

#: (code column, name column) patterns, tried in order; groups capture a two-digit vintage.
CODE_NAME_PATTERNS = (
    (r"^(LSOA)(\d{2})CD$", r"^LSOA{v}NM$"),
    (r"^(WD)(\d{2})CD$", r"^WD{v}NM$"),
    (r"^(MSOA)(\d{2})CD$", r"^MSOA{v}NM$"),
    (r"^(LAD)(\d{2})CD$", r"^LAD{v}NM$"),
    (r"^()(GSS_CODE)$", r"^NAME$"),
    (r"^()(gss_code)$", r"^name$"),
    (r"^()(code)$", r"^name$"),
)
#: Square metres: overlaps and gaps smaller than this are generalisation slivers, not reported.
DEFAULT_TOLERANCE_M2 = 100.0
#: A layer name (and a vintage, which goes into the default name): it names the layer's file in a workspace.
LAYER_NAME = re.compile(r"[A-Za-z0-9_\-]+")


@dataclass
class Coverage:
    """Overlaps between areas and gaps inside a layer, above a tolerance (m²)."""

    tolerance_m2: float
    overlaps: int = 0
    overlap_area_m2: float = 0.0
    worst_overlap: tuple[str, str, float] | None = None
    gaps: int = 0
    gap_area_m2: float = 0.0

    def describe(self) -> str:
        parts = []
        if self.overlaps:
            a, b, m2 = self.worst_overlap
            parts.append(f"{self.overlaps} pairs of areas overlap by more than {self.tolerance_m2:g} m² "
                         f"({self.overlap_area_m2:,.0f} m² in all; most: {a} and {b}, {m2:,.0f} m²); "
                         "points there go to the lower code")
        if self.gaps:
            parts.append(f"{self.gaps} gaps inside the layer larger than {self.tolerance_m2:g} m² "
                         f"({self.gap_area_m2:,.0f} m² in all); points there count as outside")
        return "; ".join(parts) if parts else f"no overlaps or gaps larger than {self.tolerance_m2:g} m²"


@dataclass
class AreaLayer:
    """A loaded area layer.

    Attributes
    ----------
    name : str
        Layer name in the workspace, e.g. ``"ward_2014"`` or ``"lsoa_2011"``.
    kind : {"ward", "lsoa", "zone"}
    vintage : str
        Boundary set, e.g. ``"2011"``; ``""`` if unknown.
    frame : geopandas.GeoDataFrame
        ``code``, ``name``, ``geometry`` (polygons, EPSG:27700), sorted by code.
    source : str
        The file it was read from.
    notes : list of str
        What loading did (CRS, repairs, merges, coverage).
    coverage : Coverage
    """

    name: str
    kind: str
    vintage: str
    frame: gpd.GeoDataFrame
    source: str
    notes: list[str] = field(default_factory=list)
    coverage: Coverage | None = None


def load_layer(path: str | Path, *, kind: AreaKind, code_col: str | None = None, name_col: str | None = None,
               vintage: str | None = None, name: str | None = None,
               tolerance_m2: float = DEFAULT_TOLERANCE_M2) -> AreaLayer:
    """Read an area layer (see the module docstring).

    Parameters
    ----------
    path : path
        GeoJSON, GeoPackage, Shapefile (``.shp`` with its ``.dbf``, ``.shx``, ``.prj``) or a ``.zip`` of one.
    kind : {"ward", "lsoa", "zone"}
        Wards and LSOAs partition the area (a point is in exactly one); zones may overlap.
    code_col, name_col : str, optional
        Columns holding the area code and name; detected when not given
        (``GSS_CODE``/``NAME``, ``LSOA11CD``/``LSOA11NM``, ``WD20CD``/``WD20NM``, ...).
    vintage : str, optional
        Boundary set, e.g. ``"2021"``; read from the code column's name when it has one.
    name : str, optional
        Layer name; default ``<kind>_<vintage>`` (or ``<kind>``).
    tolerance_m2 : float, default=100
        Overlaps and gaps smaller than this (m²) are not reported.

    Returns
    -------
    AreaLayer

    Raises
    ------
    TypeError
        For an option of the wrong type.
    BoundaryError
        Unknown kind, a name or vintage with other characters than letters, digits, '_'
        and '-', a negative tolerance, an unreadable file, missing columns, no CRS that can
        be inferred.
    """
    where = "load_layer"
    check_type(path, "path", where, (str, os.PathLike), type_name="a path (str or pathlib.Path)")
    check_choice(kind, "kind", where, AREA_KINDS)
    for value, key in ((code_col, "code_col"), (name_col, "name_col"), (vintage, "vintage"), (name, "name")):
        check_type(value, key, where, str, type_name="a str", optional=True)
        if key in ("vintage", "name") and value is not None and not LAYER_NAME.fullmatch(value):
            raise BoundaryError(f"The '{key}' parameter of {where} must be letters, digits, '_' or '-' only (it names "
                                f"the layer's file in the workspace). Got {value!r} instead.")
    check_number(tolerance_m2, "tolerance_m2", where, low_open=False)
    path = Path(path)
    raw = _read(path)
    notes: list[str] = []
    raw = _to_bng(raw, path, notes)
    code_col, name_col, found_vintage = _columns(raw, path, code_col, name_col)
    vintage = vintage or found_vintage
    frame = gpd.GeoDataFrame(
        {"code": raw[code_col].astype("str").str.strip(),
         "name": (raw[name_col].astype("str").str.strip() if name_col else raw[code_col].astype("str"))},
        geometry=raw.geometry.values, crs=BNG_EPSG)
    frame = _drop_empty(frame, path, notes)
    frame = _repair(frame, notes)
    frame = _merge_duplicates(frame, notes)
    frame = frame.sort_values("code", kind="stable").reset_index(drop=True)
    coverage = check_coverage(frame, tolerance_m2=tolerance_m2)
    notes.append("Coverage: " + coverage.describe() + ".")
    layer_name = name or (f"{kind}_{vintage}" if vintage else kind)  # a detected vintage is two digits
    for note in notes:
        log.info("%s: %s", path.name, note)
    return AreaLayer(layer_name, kind, vintage, frame, path.name, notes, coverage)


def _read(path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        raise BoundaryError(f"{path}: no such file; check the path.")
    try:
        frame = gpd.read_file(path)
    except (DataSourceError, OSError, ValueError) as err:
        raise BoundaryError(f"{path.name}: could not be read as GeoJSON, GeoPackage or Shapefile ({err}).") from err
    if frame.empty:
        raise BoundaryError(f"{path.name}: holds no features; check it is the right file.")
    kinds = set(frame.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise BoundaryError(f"{path.name}: has {', '.join(sorted(kinds - {'Polygon', 'MultiPolygon'}))} geometries; "
                            "area layers must be polygons.")
    return frame


def _to_bng(frame: gpd.GeoDataFrame, path: Path, notes: list[str]) -> gpd.GeoDataFrame:
    """Bring the layer into EPSG:27700, saying what was done."""
    crs = frame.crs
    if crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if 0 <= minx and maxx <= 700_000 and 0 <= miny and maxy <= 1_300_000 and maxx > 1000:
            notes.append("No CRS in the file; its coordinates are British National Grid metres, "
                         "so EPSG:27700 was assumed.")
            return frame.set_crs(BNG_EPSG)
        if -9 <= minx and maxx <= 2 and 49 <= miny and maxy <= 61:
            notes.append("No CRS in the file; its coordinates are degrees in Great Britain, so WGS84 was assumed.")
            return frame.set_crs(4326).to_crs(BNG_EPSG)
        raise BoundaryError(f"{path.name}: has no CRS (.prj) and its coordinates are neither British National Grid "
                            "nor WGS84 degrees in Great Britain; add the .prj file.")
    if crs.to_epsg() == BNG_EPSG:
        return frame
    if CRS(crs).to_epsg(min_confidence=20) == BNG_EPSG:
        notes.append(f"The CRS '{crs.name}' is British National Grid written another way (an ESRI .prj); "
                     "read as EPSG:27700.")
        return frame.set_crs(BNG_EPSG, allow_override=True)
    notes.append(f"Reprojected from {crs.name} to British National Grid (EPSG:27700).")
    return frame.to_crs(BNG_EPSG)


def _columns(frame: gpd.GeoDataFrame, path: Path, code_col: str | None,
             name_col: str | None) -> tuple[str, str | None, str]:
    columns = [c for c in frame.columns if c != frame.geometry.name]
    for given, what in ((code_col, "--code-col"), (name_col, "--name-col")):
        if given is not None and given not in columns:
            raise BoundaryError(f"{path.name}: has no column '{given}' ({what}); its columns are {', '.join(columns)}.")
    if code_col is not None:
        vintage = _vintage(code_col)
        return code_col, name_col, vintage
    for code_pattern, name_pattern in CODE_NAME_PATTERNS:
        for col in columns:
            m = re.match(code_pattern, col)
            if m:
                vintage = m.group(2) if m.group(1) else ""
                wanted = name_pattern.replace("{v}", vintage)
                found_name = name_col or next((c for c in columns if re.match(wanted, c)), None)
                return col, found_name, _vintage(col)
    raise BoundaryError(f"{path.name}: no area code column found among {', '.join(columns)}; "
                        "name it with --code-col (and --name-col).")


def _vintage(code_col: str) -> str:
    m = re.match(r"^[A-Z]+(\d{2})CD$", code_col)
    return f"20{m.group(1)}" if m else ""


def _drop_empty(frame: gpd.GeoDataFrame, path: Path, notes: list[str]) -> gpd.GeoDataFrame:
    empty = frame.geometry.isna() | frame.geometry.is_empty
    blank = frame["code"].eq("") | frame["code"].isna()
    bad = empty | blank
    if bad.any():
        notes.append(f"{int(bad.sum())} features without a geometry or code were left out.")
    return frame[~bad]


def _repair(frame: gpd.GeoDataFrame, notes: list[str]) -> gpd.GeoDataFrame:
    """Make invalid geometries valid, keeping only their polygonal parts."""
    invalid = ~frame.geometry.is_valid
    if not invalid.any():
        return frame
    fixed = shapely.make_valid(frame.geometry.values[invalid.to_numpy()])
    fixed = np.array([_polygonal(g) for g in fixed], dtype=object)  # a few invalid features, not per incident
    frame = frame.copy()
    frame.loc[invalid, "geometry"] = fixed
    names = ", ".join(f"{c} {n}" for c, n in frame.loc[invalid, ["code", "name"]].itertuples(index=False))
    notes.append(f"{int(invalid.sum())} invalid geometries were repaired (make_valid): {names}.")
    return frame


def _polygonal(geom):
    parts = shapely.get_parts(geom)
    polys = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def _merge_duplicates(frame: gpd.GeoDataFrame, notes: list[str]) -> gpd.GeoDataFrame:
    dup = frame["code"].duplicated(keep=False)
    if not dup.any():
        return frame
    merged = frame.dissolve(by="code", aggfunc={"name": "first"}, as_index=False)
    notes.append(f"{int(dup.sum())} features sharing {frame.loc[dup, 'code'].nunique()} codes "
                 "were merged into one area each.")
    return merged[["code", "name", "geometry"]]


def check_coverage(frame: gpd.GeoDataFrame, *, tolerance_m2: float = DEFAULT_TOLERANCE_M2) -> Coverage:
    """Overlaps between areas and holes inside the layer's union, larger than ``tolerance_m2``.

    ``frame`` is an area layer (``code``, polygons, EPSG:27700); ``tolerance_m2`` in m², 0 or more.
    """
    check_layer(frame, "check_coverage", param="frame")
    check_number(tolerance_m2, "tolerance_m2", "check_coverage", low_open=False)
    geoms = frame.geometry.values
    out = Coverage(tolerance_m2)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if len(left):
        areas = shapely.area(shapely.intersection(geoms[left], geoms[right]))
        big = areas > tolerance_m2
        if big.any():
            out.overlaps = int(big.sum())
            out.overlap_area_m2 = float(areas[big].sum())
            worst = int(np.argmax(np.where(big, areas, -1)))
            codes = frame["code"].to_numpy()
            out.worst_overlap = (str(codes[left[worst]]), str(codes[right[worst]]), float(areas[worst]))
    union = shapely.union_all(geoms)
    holes = [shapely.Polygon(ring) for poly in shapely.get_parts(union) for ring in poly.interiors]
    hole_areas = np.array([h.area for h in holes])
    big_holes = hole_areas > tolerance_m2
    out.gaps = int(big_holes.sum())
    out.gap_area_m2 = float(hole_areas[big_holes].sum()) if out.gaps else 0.0
    return out


def layer_to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer (a GeoDataFrame in EPSG:27700) in WGS84 for maps."""
    check_type(frame, "frame", "layer_to_wgs84", gpd.GeoDataFrame, type_name="a geopandas GeoDataFrame")
    check_crs(frame, "layer_to_wgs84", allow_none=False)
    return frame.to_crs(4326)


def is_partition(kind: str) -> bool:
    """Whether a kind of layer gives each point exactly one area (wards, LSOAs) or any number (zones)."""
    check_choice(kind, "kind", "is_partition", AREA_KINDS)
    return kind != "zone"


__all__ = ["AREA_KINDS", "AreaKind", "AreaLayer", "Coverage", "check_coverage", "is_partition", "load_layer"]
