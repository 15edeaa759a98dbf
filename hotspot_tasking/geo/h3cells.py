"""H3 cells for incidents, computed once per distinct point, and cell outlines for maps.

Resolutions 8, 9 and 10 (average cell areas 0.74 km², 0.105 km² and 0.015 km²).
"""

from __future__ import annotations

from typing import Sequence

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from .coords import distinct_points

DEFAULT_RESOLUTIONS = (8, 9, 10)


def h3_cells(longitude: pd.Series | np.ndarray, latitude: pd.Series | np.ndarray,
             resolutions: Sequence[int] = DEFAULT_RESOLUTIONS) -> pd.DataFrame:
    """The H3 cell of each point at each resolution.

    Parameters
    ----------
    longitude, latitude : array-like of float
        WGS84 degrees; NaN gives ``""``.
    resolutions : sequence of int, default=(8, 9, 10)
        H3 resolutions, 0-15.

    Returns
    -------
    pandas.DataFrame
        One ``str`` column ``h3_<res>`` per resolution, aligned to the input.
    """
    bad = [r for r in resolutions if not 0 <= int(r) <= 15]
    if bad:
        raise ValueError(f"H3 resolutions must be 0 to 15, got {bad}")
    lon = np.asarray(longitude, dtype=float)
    lat = np.asarray(latitude, dtype=float)
    inverse, ulon, ulat = distinct_points(lon, lat)
    finest = max(resolutions)
    # One call per distinct point (police.uk: ~50 records per point); h3 has no array API.
    base = [h3.latlng_to_cell(y, x, finest) if np.isfinite(x) and np.isfinite(y) else "" for x, y in zip(ulon, ulat)]
    index = longitude.index if isinstance(longitude, pd.Series) else None
    out = {}
    for res in resolutions:
        cells = base if res == finest else [h3.cell_to_parent(c, res) if c else "" for c in base]
        out[f"h3_{res}"] = pd.Series(np.asarray(cells, dtype=object)[inverse], index=index, dtype="str")
    return pd.DataFrame(out, index=index)


def cell_outlines(cells: Sequence[str]) -> gpd.GeoDataFrame:
    """Polygons (WGS84) of the distinct cells given, with ``cell`` and ``resolution`` columns."""
    distinct = sorted({c for c in cells if c})
    polygons = [shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in distinct]
    return gpd.GeoDataFrame({"cell": distinct, "resolution": [h3.get_resolution(c) for c in distinct]},
                            geometry=polygons, crs=4326)
