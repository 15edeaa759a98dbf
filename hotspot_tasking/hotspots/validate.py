"""Validators for the public hotspot functions: the shared ones of
:mod:`hotspot_tasking.validation` raising :class:`HotspotError`, and the hotspot-specific
ones (weights, study areas, grid masks), in scikit-learn's wording:
"The 'eps_m' parameter of dbscan must be a float in the range (0.0, inf). Got -1 instead."
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import validation
from .errors import HotspotError

#: :func:`hotspot_tasking.validation.check_number` raising HotspotError.
check_number = functools.partial(validation.check_number, error=HotspotError)
#: :func:`hotspot_tasking.validation.check_choice` raising HotspotError.
check_choice = functools.partial(validation.check_choice, error=HotspotError)


def check_points(incidents: pd.DataFrame, where: str) -> tuple[np.ndarray, np.ndarray]:
    """``(easting, northing)`` of incidents with a location, as float arrays
    (:func:`hotspot_tasking.validation.check_points`, raising HotspotError)."""
    return validation.check_points(incidents, where, error=HotspotError)


def weights_of(incidents: pd.DataFrame, weights: str | pd.Series | None, where: str) -> np.ndarray:
    """Per-incident weights: ones, a column (e.g. ``"harm_weight"``) or a Series aligned to
    ``incidents`` (:func:`hotspot_tasking.validation.check_weights`, raising HotspotError).

    NaN weights (no time of day in an hour band) count as 0; negative or infinite ones are refused.
    """
    return validation.check_weights(incidents, weights, where, error=HotspotError)


def study_polygon(study, where: str, name: str = "study_area"):
    """The study area as one shapely geometry in EPSG:27700; None for None or a bool mask array.

    Accepts a shapely polygon, a GeoSeries or GeoDataFrame (in EPSG:27700 or without a CRS),
    or a ``[rows, cols]`` bool array (a mask, not a polygon: returns None).
    """
    if study is None or isinstance(study, np.ndarray):
        return None
    if isinstance(study, (gpd.GeoDataFrame, gpd.GeoSeries)):
        crs = study.crs
        if crs is not None and crs.to_epsg() != 27700:
            raise HotspotError(f"{where}: the study area is in {crs.name}, not EPSG:27700 (British National Grid); "
                               "reproject it first with .to_crs(27700).")
        geom = shapely.union_all(np.asarray(study.geometry.array))
    elif isinstance(study, shapely.Geometry):
        geom = study
    else:
        raise TypeError(f"The '{name}' parameter of {where} must be a shapely geometry, GeoSeries, GeoDataFrame, "
                        f"a bool array of the grid's shape, or None. Got {type(study).__name__} instead.")
    if geom is None or geom.is_empty or geom.area <= 0:
        raise HotspotError(f"{where}: the study area has no area; pass polygons (EPSG:27700) or None.")
    return geom


def grid_mask(grid, study, where: str, name: str = "study_mask") -> np.ndarray:
    """``[rows, cols]`` bool: the grid cells in the study area (all of them for None).

    ``study`` is anything :func:`study_polygon` takes; a bool array must have the grid's shape.
    """
    if study is None:
        return np.ones(grid.shape, bool)
    polygon = study_polygon(study, where, name)
    if polygon is not None:
        return grid.within(polygon)
    mask = np.asarray(study)
    if mask.dtype != bool or mask.shape != grid.shape:
        raise HotspotError(f"{where}: study_mask must be a polygon (EPSG:27700) or a bool array of the grid's shape "
                           f"{grid.shape}; got {mask.dtype} {mask.shape}.")
    return mask.copy()
