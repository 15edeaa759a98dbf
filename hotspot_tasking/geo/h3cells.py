"""H3 cells for incidents, computed once per distinct point, and cell outlines for maps.

Resolutions 8, 9 and 10 (average cell areas 0.74 km², 0.105 km² and 0.015 km²).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from ..errors import UserError
from .coords import distinct_points, to_bng
from .errors import GeoError
from .schema import month_key
from .validate import check_coordinates, check_strings

DEFAULT_RESOLUTIONS = (8, 9, 10)


def check_resolutions(resolutions, where: str, *, name: str = "resolutions",
                      error: type[UserError] = GeoError) -> tuple[int, ...]:
    """``resolutions`` as a tuple of ints, if it is a non-empty list of H3 resolutions 0-15, else raise.

    TypeError for a bare int or non-int items; ``error`` (the caller's package error) for
    an empty list or a resolution outside 0-15. ``name``: the parameter's name.

    >>> check_resolutions([9], "h3_cells")
    (9,)
    """
    given = resolutions
    resolutions = tuple(given) if isinstance(given, Iterable) and not isinstance(given, (str, bytes)) else None
    if resolutions is None or any(isinstance(r, bool) or not isinstance(r, (int, np.integer)) for r in resolutions):
        raise TypeError(f"The '{name}' parameter of {where} must be a list of int (e.g. [8, 9, 10]). "
                        f"Got {given!r} instead.")
    bad = [int(r) for r in resolutions if not 0 <= r <= 15]
    if bad or not len(resolutions):
        raise error(f"The '{name}' parameter of {where} must be one or more H3 resolutions, ints in the range "
                    f"[0, 15]. Got {list(map(int, resolutions))!r} instead.")
    return tuple(int(r) for r in resolutions)


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
    resolutions = check_resolutions(resolutions, "h3_cells")
    lon, lat = check_coordinates(longitude, latitude, "h3_cells", names=("longitude", "latitude"))
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
    """Polygons (WGS84) of the distinct cells given, with ``cell`` and ``resolution`` columns.

    ``cells`` is a list of H3 cell ids (``""`` is skipped); GeoError names any that are not one.
    """
    distinct = sorted({c for c in check_strings(cells, "cells", "cell_outlines") if c})
    bad = [c for c in distinct if not h3.is_valid_cell(c)]  # once per distinct cell
    if bad:
        raise GeoError(f"cell_outlines: {len(bad):,} of the {len(distinct):,} distinct cells are not H3 cell ids, "
                       f"e.g. {bad[0]!r}; give ids from h3_cells (15 hex digits such as '89195da49b7ffff').")
    polygons = [shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in distinct]
    return gpd.GeoDataFrame({"cell": distinct, "resolution": [h3.get_resolution(c) for c in distinct]},
                            geometry=polygons, crs=4326)


#: The H3 resolution of the incident files' spatial key: cells of about 1,770 km² (a few
#: partnerships each; England and Wales span about 90), so a force's or the nation's records
#: divide into files a worker reads whole, and a borough's fall in one or two.
PARTITION_RESOLUTION = 4


def partition_keys(incidents: pd.DataFrame) -> np.ndarray:
    """Each record's incident-file folder, ``month=YYYY-MM/h3_r4=CELL`` (a numpy str array).

    The month is the Europe/London month of ``occurred_from``; the cell is the H3 cell at
    :data:`PARTITION_RESOLUTION` of ``longitude``/``latitude`` (``h3_r4=none`` without them).
    Folders of this form are Hive partitions: dask-geopandas, DuckDB
    (``read_parquet('incidents/**/*.parquet', hive_partitioning = true)``) and pyarrow read
    the keys back as columns.
    """
    months = month_key(incidents["occurred_from"])
    cells = h3_cells(incidents["longitude"], incidents["latitude"], [PARTITION_RESOLUTION])
    cell = cells[f"h3_{PARTITION_RESOLUTION}"].to_numpy(dtype=object)
    cell = np.where(cell == "", "none", cell)
    return np.char.add(np.char.add(np.char.add("month=", months.astype(str)), f"/h3_r{PARTITION_RESOLUTION}="),
                       cell.astype(str))


#: Metres added round a partition cell's box: H3's edges are arcs between its corners.
_CELL_BOX_PAD_M = 1000.0


@lru_cache(maxsize=4096)
def partition_box(folder: str) -> tuple[float, float, float, float] | None:
    """The EPSG:27700 box ``(minx, miny, maxx, maxy)`` holding every record of a partition
    folder's cell (``h3_r4=CELL``), padded; None for a folder that names no cell."""
    match = _CELL_FOLDER.fullmatch(folder)
    if match is None or not h3.is_valid_cell(match.group(1)):
        return None
    lat, lng = np.array(h3.cell_to_boundary(match.group(1))).T
    e, n = to_bng(lng, lat)
    return (float(e.min()) - _CELL_BOX_PAD_M, float(n.min()) - _CELL_BOX_PAD_M,
            float(e.max()) + _CELL_BOX_PAD_M, float(n.max()) + _CELL_BOX_PAD_M)


_CELL_FOLDER = re.compile(rf"h3_r{PARTITION_RESOLUTION}=([0-9a-f]{{15}})")
