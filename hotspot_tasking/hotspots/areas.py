"""Hotspot areas from any surface on a grid (a KDE density, counts, ...): the cells above a
threshold, dissolved into polygons, with the incidents inside.

The study area is the cells of ``study_mask`` (all cells without one): the threshold is
taken over its cells, and its incidents, those in its cells, are the total that ``share``
divides by. Incidents in other cells (an import margin round the wards) or off the grid
count neither in a hotspot nor in that total; without a ``study_mask`` every incident
given is in the total.

Threshold (``threshold``):

- ``"top_share"``, the coverage rule (the default of :meth:`KdeResult.hotspots` and of the
  workspace analysis, with ``top_share`` = :data:`DEFAULT_COVERAGE`): the hottest cells
  covering ``top_share`` of the study area's cells, ``floor(top_share x cells)`` of them,
  at least 1, with every cell tied with the last one included. It means the same on any
  grid: the hottest 5% of the area, where a patrol can be.
- ``"mean_multiple"`` (this function's default): at least ``multiple`` (2) times the mean
  of the study area's cells, zero cells included, as Chainey's hotspot thresholds do. On a
  fine grid the mean is small and much of the street network passes it (the demo, July
  2017, 50 m cells, 150 m bandwidth: 13% of the cells, holding 63% of the incidents).
- a number: a fixed density (the surface's units, e.g. incidents per km²), so that
  periods or bands are cut at one level.

A cell is hot when its value is at or above the threshold, above 0, and in the study area.
Hot cells that share an **edge** are one hotspot (4-connectivity, ArcGIS Region Group's
default): each hotspot is one polygon that a patrol can walk round; cells touching only at
a corner are separate hotspots. Hotspots holding less than ``min_incidents`` (incidents or
weight; :data:`MIN_HOTSPOT_INCIDENTS` in the defaults above) are dropped: a hot cell or two
round a single incident is not a place to task.
"""

from __future__ import annotations

import math
from typing import Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd

from ..geo.schema import BNG_EPSG
from .errors import HotspotError
from .grid import Grid
from .validate import check_choice, check_number, check_points, weights_of

WHERE = "hotspot_areas"

Threshold = Literal["mean_multiple", "top_share"]
THRESHOLDS: tuple[str, ...] = get_args(Threshold)

#: Default coverage: the hottest cells making up this share of the study area's cells are hot.
DEFAULT_COVERAGE = 0.05
#: Default smallest hotspot, in incidents (or weight): hot regions holding fewer are dropped.
MIN_HOTSPOT_INCIDENTS = 3

#: Columns of the frame :func:`hotspot_areas` returns, with their dtypes.
HOTSPOT_COLUMNS: dict[str, str] = {
    "hotspot_id": "int64",
    "area_km2": "float64",
    "incidents": "float64",
    "share": "float64",
    "peak_density": "float64",
    "cells": "int64",
}

_EDGE = np.array([[False, True, False], [True, True, True], [False, True, False]])  # edge neighbours only


def hotspot_areas(surface: np.ndarray, grid: Grid, incidents: pd.DataFrame, *,
                  threshold: Threshold | float = "mean_multiple", multiple: float = 2.0,
                  top_share: float | None = None, study_mask: np.ndarray | None = None,
                  weights: str | pd.Series | None = None, min_incidents: float = 0.0,
                  units: str = "") -> gpd.GeoDataFrame:
    """Hotspots: cells at or above a threshold, edge-touching cells dissolved into polygons.

    Parameters
    ----------
    surface : numpy.ndarray, shape (rows, cols)
        Values on ``grid`` (row 0 north), e.g. :attr:`KdeResult.density` in incidents per
        km². NaN cells are never hot. Not modified.
    grid : Grid
    incidents : pandas.DataFrame
        ``easting`` and ``northing`` (EPSG:27700 metres) of the incidents to count inside
        the hotspots (those the surface was made from). Not modified.
    threshold : {"mean_multiple", "top_share"} or float, default="mean_multiple"
        See the module notes; a float is a fixed level in the surface's units, > 0.
    multiple : float, default=2.0
        With ``"mean_multiple"``: the threshold is this times the study area's mean, > 0.
    top_share : float, optional
        With ``"top_share"`` (and only then): the share of the study area's cells, in (0, 1]
        (:data:`DEFAULT_COVERAGE` is 0.05).
    study_mask : numpy.ndarray of bool, shape (rows, cols), optional
        Cells in the study area: the threshold, the incidents counted and the total that
        ``share`` divides by are the study area's. Default: all cells, every incident.
    weights : str or pandas.Series, optional
        Count weight instead of incidents (a column such as ``"harm_weight"`` or a Series
        on the incidents' index; NaN counts 0).
    min_incidents : float, default=0.0
        Hotspots holding less than this (incidents, or weight), >= 0, are dropped.
    units : str, default=""
        The surface's units for the rule in words, e.g. ``"per km²"``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per hotspot, EPSG:27700, most incidents first: ``hotspot_id`` (1, 2, ...;
        1 = most incidents, then highest peak), ``area_km2``, ``incidents`` (count or
        weight inside its cells), ``share`` (of the study area's incidents; 0 when they
        weigh nothing), ``peak_density`` (the surface's maximum in it), ``cells``,
        ``geometry`` (a Polygon, with holes where cold cells are enclosed). No hot cell
        gives an empty frame with these columns. ``attrs`` holds ``threshold_value``,
        ``threshold_rule`` (in words), ``study_incidents`` (the total ``share`` divides
        by) and ``dropped`` (hotspots under ``min_incidents``).

    Examples
    --------
    The study area is the first three columns: its mean is 18 / 9 = 2, so twice the mean
    is 4. The incident at (350, 50) is in the last column, so the total is 3.

    >>> grid = Grid(0.0, 0.0, 100.0, nx=4, ny=3)
    >>> surface = np.array([[9, 9, 0, 0], [0, 0, 0, 1], [0, 0, 0, 5]], float)
    >>> inc = pd.DataFrame({"easting": [50.0, 150, 150, 350], "northing": [250.0, 250, 50, 50]})
    >>> spots = hotspot_areas(surface, grid, inc, study_mask=np.tile(np.arange(4) < 3, (3, 1)))
    >>> spots[["hotspot_id", "cells"]].to_numpy().tolist(), spots["share"].tolist(), spots["area_km2"].tolist()
    ([[1, 2]], [0.6666666666666666], [0.02])

    Over all 12 cells, the hottest 3 are the 9s and the 5, which holds one incident only:

    >>> top = hotspot_areas(surface, grid, inc, threshold="top_share", top_share=0.25, min_incidents=2,
    ...                     units="per km²")
    >>> print(top.attrs["threshold_rule"])  # doctest: +NORMALIZE_WHITESPACE
    the hottest 3 of the study area's 12 cells (25% of its area; ties included), at least 5 per km², and
    hotspots holding at least 2 incidents
    >>> top["incidents"].tolist(), top["share"].tolist(), top.attrs["dropped"]
    ([2.0], [0.5], 1)
    """
    values, mask = _basic_checks(surface, grid, study_mask)
    check_number(min_incidents, "min_incidents", WHERE, low_open=False)
    if not isinstance(units, str):
        raise TypeError(f"The 'units' parameter of {WHERE} must be a str. Got {type(units).__name__} instead.")
    level, rule = _threshold(values, mask, threshold, multiple, top_share, f" {units}" if units else "")
    if min_incidents > 0:
        rule += f", and hotspots holding at least {min_incidents:g} incidents"
    e, n = check_points(incidents, WHERE)
    w = weights_of(incidents, weights, WHERE)
    row, col = grid.locate(e, n)
    at = np.where(row >= 0, row * grid.nx + col, 0)
    in_study = (row >= 0) & mask.ravel()[at] if study_mask is not None else np.ones(len(e), bool)
    hot = mask & np.isfinite(values) & (values >= level) & (values > 0)
    from scipy import ndimage
    labels, count = ndimage.label(hot, structure=_EDGE)
    inside = np.bincount(np.where(row >= 0, labels.ravel()[at], 0), weights=w, minlength=count + 1)
    small = np.flatnonzero(inside[1:] < min_incidents * (1 - 1e-9)) + 1  # 1e-9: band weights' rounding
    if len(small):  # drop them and number the others 1, 2, ... again
        keep = np.ones(count + 1, bool)
        keep[small] = False
        relabel = np.cumsum(keep) - 1
        labels, inside, count = np.where(keep[labels], relabel[labels], 0), inside[keep], count - len(small)
    total = float(w[in_study].sum())
    frame = _frame(values, labels, count, grid, inside[1:], total)
    frame.attrs.update(threshold_value=float(level), threshold_rule=rule, study_incidents=total, dropped=len(small))
    return frame


def _basic_checks(surface, grid, study_mask) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(grid, Grid):
        raise TypeError(f"The 'grid' parameter of {WHERE} must be a Grid. Got {type(grid).__name__} instead.")
    values = np.asarray(surface, dtype=float)
    if values.shape != grid.shape:
        raise HotspotError(f"{WHERE}: the surface has shape {values.shape} but the grid is {grid.shape} (rows, cols); "
                           "pass the grid the surface was made on.")
    if study_mask is None:
        return values, np.ones(grid.shape, bool)
    mask = np.asarray(study_mask)
    if mask.shape != grid.shape or mask.dtype != bool:
        raise HotspotError(f"{WHERE}: study_mask must be a bool array of the grid's shape {grid.shape}; "
                           f"got {mask.dtype} {mask.shape}.")
    return values, mask


def _threshold(values, mask, threshold, multiple, top_share, units: str) -> tuple[float, str]:
    """The level a cell must reach, and the rule in words."""
    study = values[mask & np.isfinite(values)]
    if not isinstance(threshold, str):
        check_number(threshold, "threshold", WHERE)
        if top_share is not None:
            raise HotspotError(f"{WHERE}: 'top_share' is used only with threshold='top_share'; drop one of them.")
        return float(threshold), f"at least {threshold:g}{units} (given)"
    check_choice(threshold, "threshold", WHERE, THRESHOLDS)
    if threshold == "mean_multiple":
        check_number(multiple, "multiple", WHERE)
        if top_share is not None:
            raise HotspotError(f"{WHERE}: 'top_share' is used only with threshold='top_share'; pass both, "
                               "e.g. threshold='top_share', top_share=0.05.")
        mean = float(study.mean()) if study.size else 0.0
        return multiple * mean, (f"at least {multiple:g} x the mean of the study area's {study.size:,} cells "
                                 f"({mean:.4g}{units})")
    if top_share is None:
        raise HotspotError(f"{WHERE}: threshold='top_share' needs top_share, the share of the study area, e.g. 0.05.")
    check_number(top_share, "top_share", WHERE, low=0.0, high=1.0, high_open=False)
    if not study.size:
        return math.inf, "no cell in the study area"
    k = max(1, math.floor(top_share * study.size + 1e-9))
    level = float(np.partition(study, study.size - k)[study.size - k])
    return level, (f"the hottest {k:,} of the study area's {study.size:,} cells ({top_share * 100:.3g}% of its area; "
                   f"ties included), at least {level:.4g}{units}")


def _frame(values, labels, count, grid: Grid, inside, total: float) -> gpd.GeoDataFrame:
    """One row per labelled region (``inside``: the incidents in each), sorted and numbered."""
    if count == 0:
        empty = {name: pd.Series(dtype=dtype) for name, dtype in HOTSPOT_COLUMNS.items()}
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=BNG_EPSG), crs=BNG_EPSG)
    index = np.arange(1, count + 1)
    cells = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    from scipy import ndimage
    peak = np.asarray(ndimage.maximum(values, labels, index), float)
    first = np.asarray(ndimage.minimum(np.arange(labels.size).reshape(labels.shape), labels, index))
    order = np.lexsort((first, -peak, -inside))  # most incidents, then highest peak, then north-west first
    geoms = grid.region_outlines(labels, count)
    frame = gpd.GeoDataFrame({
        "hotspot_id": np.arange(1, count + 1, dtype=np.int64),
        "area_km2": cells[order] * grid.cell_area_km2,
        "incidents": inside[order],
        "share": inside[order] / total if total > 0 else np.zeros(count),
        "peak_density": peak[order],
        "cells": cells[order].astype(np.int64),
    }, geometry=gpd.GeoSeries(geoms[order], crs=BNG_EPSG), crs=BNG_EPSG)
    return frame
