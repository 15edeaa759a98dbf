"""Assigning incidents to areas: wards, LSOAs (any vintages side by side) and zones.

Each distinct point is tested once against an STRtree of the layer's polygons (police.uk
data has about fifty records per point). Wards and LSOAs partition the area: a point
on a shared edge or corner belongs to every area it touches, and is given the one with
the lowest code, so the answer is exactly one area and the same every time. Zones may
overlap: a point gets every zone that contains or touches it, codes joined with ``;``.
Points in no area get ``""`` and are counted as outside, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from ..geo.coords import distinct_points
from .errors import BoundaryError
from .layers import AREA_KINDS, is_partition
from .study import latest_layer
from .validate import check_choice, check_columns, check_coordinates, check_layer, check_series, check_type

OUTSIDE = ""


def assign_layer(easting: np.ndarray, northing: np.ndarray, layer: gpd.GeoDataFrame, *, partition: bool) -> np.ndarray:
    """Area code(s) of each point in one layer (``""`` outside).

    Parameters
    ----------
    easting, northing : numpy.ndarray
        EPSG:27700 metres, one of each per point; NaN counts as outside.
    layer : geopandas.GeoDataFrame
        ``code`` and polygon ``geometry`` in EPSG:27700 (a frame without a CRS is taken to be in it).
    partition : bool
        True for wards and LSOAs (lowest code of those touched), False for zones (all codes).

    Returns
    -------
    numpy.ndarray of str (object)

    Raises
    ------
    TypeError, BoundaryError
        For arrays of different lengths, a layer in another CRS (reproject it with
        ``.to_crs(27700)``), without a ``code`` column or with rows that are not polygons.
    """
    where = "assign_layer"
    easting, northing = check_coordinates(easting, northing, where)
    check_layer(layer, where)
    check_type(partition, "partition", where, bool, type_name="a bool")
    return _assign(easting, northing, layer, partition)


def _assign(easting: np.ndarray, northing: np.ndarray, layer: gpd.GeoDataFrame, partition: bool) -> np.ndarray:
    """:func:`assign_layer` on checked arguments."""
    inverse, ux, uy = distinct_points(easting, northing)
    points = shapely.points(ux, uy)
    tree = shapely.STRtree(layer.geometry.values)
    point_idx, area_idx = tree.query(points, predicate="intersects")
    codes = layer["code"].to_numpy(dtype=object)
    pairs = pd.DataFrame({"point": point_idx, "code": codes[area_idx]}).sort_values(["point", "code"], kind="stable")
    per_point = np.full(len(ux), OUTSIDE, dtype=object)
    if len(pairs):
        if partition:
            first = pairs.drop_duplicates("point", keep="first")
            per_point[first["point"].to_numpy()] = first["code"].to_numpy()
        else:  # every code of the point, in code order, joined with ";" (as Arrow lists: no step per point)
            point = pairs["point"].to_numpy()
            starts = np.flatnonzero(np.r_[True, point[1:] != point[:-1]])
            lists = pa.ListArray.from_arrays(pa.array(np.r_[starts, len(point)], type=pa.int32()),
                                             pa.array(pairs["code"].to_numpy(dtype=object), type=pa.large_string()))
            joined = pc.binary_join(lists, pa.scalar(";", pa.large_string()))
            per_point[point[starts]] = joined.to_numpy(zero_copy_only=False)
    return per_point[inverse]


@dataclass(frozen=True)
class Assignment:
    """Area codes for a set of incidents.

    Attributes
    ----------
    codes : pandas.DataFrame
        One ``str`` column per layer (named as the layer), plus ``ward_code`` and
        ``lsoa_code`` (the latest-vintage ward and LSOA layers) and ``zone_codes``
        (every zone layer's codes joined with ``;``), aligned to the incidents.
    outside : dict
        ``{layer: incidents in no area of it}``.
    """

    codes: pd.DataFrame
    outside: dict[str, int]


def assign_areas(incidents: pd.DataFrame, layers: Mapping[str, tuple[str, gpd.GeoDataFrame]]) -> Assignment:
    """Give every incident the code of its ward, LSOA and zones in each layer.

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``easting`` and ``northing`` (EPSG:27700 metres; NaN counts as outside). Not modified.
    layers : mapping
        ``{layer name: (kind, frame)}``, as :func:`hotspot_tasking.boundaries.store.area_layers`
        returns: kind one of ``"ward"``, ``"lsoa"``, ``"zone"``; frame a GeoDataFrame with
        ``code`` and polygons in EPSG:27700. May be empty: every incident is then outside.

    Returns
    -------
    Assignment

    Raises
    ------
    TypeError, BoundaryError
        For incidents without ``easting``/``northing``, or a layer of another kind, in
        another CRS (it names the layer; reproject it with ``.to_crs(27700)``), without a
        ``code`` column or with rows that are not polygons.

    Examples
    --------
    >>> points = pd.DataFrame({"easting": [50.0, 500.0], "northing": [50.0, 50.0]})
    >>> ward = gpd.GeoDataFrame({"code": ["E05000001"]}, geometry=[shapely.box(0, 0, 100, 100)], crs=27700)
    >>> result = assign_areas(points, {"ward_2022": ("ward", ward)})
    >>> result.codes["ward_code"].tolist(), result.outside
    (['E05000001', ''], {'ward_2022': 1})
    """
    where = "assign_areas"
    check_columns(incidents, ("easting", "northing"), where)
    _check_layers(layers, where)
    e = incidents["easting"].to_numpy(dtype=float)
    n = incidents["northing"].to_numpy(dtype=float)
    columns: dict[str, np.ndarray] = {}
    outside: dict[str, int] = {}
    for name, (kind, frame) in layers.items():
        codes = _assign(e, n, frame, is_partition(kind))
        columns[name] = codes
        outside[name] = int((codes == OUTSIDE).sum())
    out = pd.DataFrame({k: pd.Series(v, index=incidents.index, dtype="str") for k, v in columns.items()},
                       index=incidents.index)
    for kind, alias in (("ward", "ward_code"), ("lsoa", "lsoa_code")):
        latest = latest_layer(layers, kind)
        out[alias] = out[latest] if latest else pd.Series(OUTSIDE, index=out.index, dtype="str")
    zones = [name for name, (kind, _) in layers.items() if kind == "zone"]
    out["zone_codes"] = _join_columns(out, zones)
    return Assignment(out, outside)


def _check_layers(layers, where: str) -> None:
    """Every entry of ``layers`` is ``(kind, layer)`` with a known kind and an EPSG:27700 polygon layer."""
    if not isinstance(layers, Mapping):
        raise TypeError(f"The 'layers' parameter of {where} must be a mapping {{layer name: (kind, frame)}}, as "
                        f"area_layers(ws) returns. Got {type(layers).__name__} instead.")
    for name, entry in layers.items():
        if not isinstance(entry, tuple) or len(entry) != 2:
            raise TypeError(f"The 'layers' parameter of {where} must map each layer name to (kind, frame); layer "
                            f"{name!r} maps to {type(entry).__name__} instead.")
        check_choice(entry[0], "kind", f"{where} (layer {name!r})", AREA_KINDS)
        check_layer(entry[1], where, param="layers", name=f"layer {name!r}")


def _join_columns(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    if not columns:
        return pd.Series(OUTSIDE, index=frame.index, dtype="str")
    joined = frame[columns[0]]
    for col in columns[1:]:
        both = joined.ne(OUTSIDE) & frame[col].ne(OUTSIDE)
        joined = (joined + np.where(both, ";", "") + frame[col]).astype("str")
    return joined


def lsoa_agreement(given: pd.Series, computed: pd.Series) -> dict[str, float]:
    """How often a source's own LSOA code matches the computed one.

    Only rows with a given code count. ``given`` and ``computed`` are Series of one length,
    row for row. Returns ``{"compared", "agree", "share"}``.
    """
    check_series(given, "given", "lsoa_agreement")
    check_series(computed, "computed", "lsoa_agreement")
    if len(given) != len(computed):
        raise BoundaryError(f"lsoa_agreement: 'given' has {len(given):,} codes but 'computed' has {len(computed):,}; "
                            "give both for the same incidents, row for row.")
    has = given.fillna("").ne("").to_numpy()
    compared = int(has.sum())
    agree = int((given[has].to_numpy() == computed[has].to_numpy()).sum())
    return {"compared": compared, "agree": agree, "share": agree / compared if compared else float("nan")}
