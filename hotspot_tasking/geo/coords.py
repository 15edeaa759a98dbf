"""Coordinates: which system a pair is in, whether it lies in Great Britain, and
conversion between WGS84 longitude/latitude and British National Grid (EPSG:27700).

Work is done once per distinct coordinate pair, not per row: police.uk data has about
fifty records per anonymised map point.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from pyproj import Transformer

from .errors import GeoError
from .schema import BNG_EPSG, WGS84_EPSG
from .validate import check_choice, check_coordinates, check_type

#: The coordinate systems :func:`locate` reads.
SYSTEMS = ("auto", "wgs84", "bng")

#: Great Britain's extent in WGS84 degrees (with the islands), as (min, max).
GB_LONGITUDE = (-8.7, 1.8)
GB_LATITUDE = (49.8, 60.9)
#: The British National Grid's extent in metres, as (min, max).
BNG_EASTING = (0.0, 700_000.0)
BNG_NORTHING = (0.0, 1_300_000.0)


@lru_cache(maxsize=2)
def _transformer(src: int, dst: int) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def distinct_points(x, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(inverse, x_distinct, y_distinct)`` as floats: row i's pair is distinct pair ``inverse[i]``.

    Spatial work is done on the distinct pairs and spread back with ``inverse``. ``x`` and
    ``y`` are 1-d arrays of numbers of one length (NaN is a value like any other).

    >>> inverse, ux, uy = distinct_points([1.0, 2.0, 1.0], [5.0, 5.0, 5.0])
    >>> inverse.tolist(), ux.tolist()
    ([0, 1, 0], [1.0, 2.0])
    """
    x, y = check_coordinates(x, y, "distinct_points", names=("x", "y"))
    return _distinct_pairs(pd.Series(x), pd.Series(y))


def _unique_transform(x: np.ndarray, y: np.ndarray, src: int, dst: int) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinate arrays, computing each distinct pair once."""
    if len(x) == 0:
        return x.astype(float), y.astype(float)
    inverse, ux, uy = _distinct_pairs(pd.Series(x), pd.Series(y))
    tx, ty = _transformer(src, dst).transform(ux, uy)
    return np.asarray(tx)[inverse], np.asarray(ty)[inverse]


def to_bng(longitude: np.ndarray, latitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 degrees to British National Grid ``(easting, northing)`` in metres (1-d arrays of one length)."""
    longitude, latitude = check_coordinates(longitude, latitude, "to_bng", names=("longitude", "latitude"))
    return _unique_transform(longitude, latitude, WGS84_EPSG, BNG_EPSG)


def to_wgs84(easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """British National Grid metres to WGS84 ``(longitude, latitude)`` in degrees (1-d arrays of one length)."""
    easting, northing = check_coordinates(easting, northing, "to_wgs84")
    return _unique_transform(easting, northing, BNG_EPSG, WGS84_EPSG)


def _within(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])


@dataclass(frozen=True)
class Located:
    """Coordinates resolved for a set of rows.

    Attributes
    ----------
    easting, northing, longitude, latitude : numpy.ndarray
        NaN where the row has no usable location.
    status : numpy.ndarray of str
        Per row: ``"ok"``, ``"no location"`` or ``"outside Great Britain"``.
    system : numpy.ndarray of str
        Per row, what the pair was read as: ``"wgs84"``, ``"wgs84 swapped"``, ``"bng"`` or ``""``.
    """

    easting: np.ndarray
    northing: np.ndarray
    longitude: np.ndarray
    latitude: np.ndarray
    status: np.ndarray
    system: np.ndarray


def locate(x: pd.Series, y: pd.Series, system: str = "auto") -> Located:
    """Resolve coordinate text into both systems and check it lies in Great Britain.

    Parameters
    ----------
    x, y : pandas.Series of str or float
        Longitude and latitude (``system="wgs84"``), easting and northing
        (``system="bng"``), or either (``system="auto"``). Blank, non-numeric and
        ``0, 0`` pairs count as no location.
    system : {"auto", "wgs84", "bng"}, default="auto"
        With ``"auto"`` each pair is classed on its own: degrees inside Great Britain
        are WGS84, with latitude and longitude swapped if that is what puts them there;
        metres inside the grid are British National Grid. With ``"wgs84"``, swapped
        pairs are still recognised and corrected.

    Returns
    -------
    Located

    Raises
    ------
    TypeError, GeoError
        For ``x`` or ``y`` not a Series or array, of different lengths, or an unknown ``system``.
    """
    for value, name in ((x, "x"), (y, "y")):
        check_type(value, name, "locate", (pd.Series, np.ndarray), type_name="a pandas Series or numpy array")
    if len(x) != len(y):
        raise GeoError(f"locate: 'x' has {len(x):,} values but 'y' has {len(y):,}; give one of each per row.")
    check_choice(system, "system", "locate", SYSTEMS)
    inverse, ux, uy = _distinct_pairs(x, y)
    res = _locate_distinct(ux, uy, system)
    return Located(*(arr[inverse] for arr in (
        res.easting, res.northing, res.longitude, res.latitude, res.status, res.system)))


def _distinct_pairs(x: pd.Series, y: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(inverse, x_distinct, y_distinct)`` as floats: row i's pair is distinct pair inverse[i].

    Pairs of numbers are hashed once as one complex number (a third of the time of coding
    each column, then the pairs); text is coded column by column.
    """
    ax, ay = np.asarray(x), np.asarray(y)
    if ax.dtype.kind == "f" and ay.dtype.kind == "f":
        pair = np.empty(len(ax), np.complex128)
        pair.real, pair.imag = ax, ay
        inverse, distinct = pd.factorize(pair, use_na_sentinel=False)
        return inverse, distinct.real.copy(), distinct.imag.copy()
    cx, vx = pd.factorize(x, use_na_sentinel=False)
    cy, vy = pd.factorize(y, use_na_sentinel=False)
    inverse, pair_codes = pd.factorize(cx.astype(np.int64) * max(len(vy), 1) + cy)
    fx, fy = _as_floats(vx), _as_floats(vy)
    pair_codes = np.asarray(pair_codes)
    return inverse, fx[pair_codes // max(len(vy), 1)], fy[pair_codes % max(len(vy), 1)]


def _as_floats(values) -> np.ndarray:
    """Distinct values as floats: numbers directly, text through to_numeric (NaN if not a number)."""
    arr = np.asarray(values)
    if arr.dtype.kind in "fiu":
        return arr.astype(float)
    return pd.to_numeric(pd.Series(arr, dtype=object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _locate_distinct(xv: np.ndarray, yv: np.ndarray, system: str) -> Located:
    n = len(xv)
    missing = np.isnan(xv) | np.isnan(yv) | ((xv == 0) & (yv == 0))

    as_wgs = _within(xv, GB_LONGITUDE) & _within(yv, GB_LATITUDE)
    as_swapped = _within(yv, GB_LONGITUDE) & _within(xv, GB_LATITUDE)
    as_bng = (xv > 1000) & (yv > 1000) & _within(xv, BNG_EASTING) & _within(yv, BNG_NORTHING)
    if system == "wgs84":
        as_bng[:] = False
    elif system == "bng":
        as_wgs[:] = False
        as_swapped[:] = False
    as_swapped &= ~as_wgs

    lon = np.where(as_wgs, xv, np.where(as_swapped, yv, np.nan))
    lat = np.where(as_wgs, yv, np.where(as_swapped, xv, np.nan))
    east = np.full(n, np.nan)
    north = np.full(n, np.nan)
    deg = as_wgs | as_swapped
    east[deg], north[deg] = to_bng(lon[deg], lat[deg])
    east[as_bng], north[as_bng] = xv[as_bng], yv[as_bng]
    lon[as_bng], lat[as_bng] = to_wgs84(xv[as_bng], yv[as_bng])

    good = (deg | as_bng) & ~missing
    status = np.where(missing, "no location", np.where(good, "ok", "outside Great Britain"))
    kind = np.select([as_wgs, as_swapped, as_bng], ["wgs84", "wgs84 swapped", "bng"], "")
    for arr in (east, north, lon, lat):
        arr[~good] = np.nan
    return Located(east, north, lon, lat, status.astype(object), np.where(good, kind, "").astype(object))
