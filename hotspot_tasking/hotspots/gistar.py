"""Getis-Ord Gi* hot and cold spots on grid cells or H3 cells, with a false-discovery-rate
correction.

For cell *i* with count :math:`x_i`, *n* cells, binary weights :math:`w_{ij}` (1 when
cell *j*'s centre is within the distance band of cell *i*'s centre, **including** *i*
itself: the "star"), :math:`\\bar x` the mean count and :math:`S` the population standard
deviation of the counts (Getis & Ord 1992; Ord & Getis 1995):

.. math::

    z_i = \\frac{\\sum_j w_{ij} x_j - \\bar x \\sum_j w_{ij}}
               {S \\sqrt{\\left(n \\sum_j w_{ij}^2 - (\\sum_j w_{ij})^2\\right) / (n - 1)}}

This is ``esda.G_Local(y, w, star=True, transform="B").Zs`` and ``spdep::localG``
(tested against esda). p-values are two-sided from the normal distribution; they are
adjusted for the many cells tested with Benjamini-Hochberg's false discovery rate (as
ArcGIS's Hot Spot Analysis offers and Caldas de Castro & Singer 2006 recommend for local
statistics); a cell is "hot" (z > 0) or "cold" (z < 0) when its adjusted p is at most
``fdr_alpha``.

Neighbourhood defaults (sfhotspot's ``gistar()``: ``nb_dist = cell_size * sqrt(2)``): on
the grid the distance band is the cell size times √2, so the cell and its 8 adjacent
cells count (9 cells); on H3 the cell and its 1-ring (7 cells). Every cell of the grid
is tested, zero counts included, only inside the study area when one is given: then *n*,
:math:`\\bar x` and *S* are over the study area's cells and incidents only (those in other
cells, such as an import margin round the wards, are left out and counted in the card's
``incidents_outside``), and neighbourhoods stop at its edge.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Literal, get_args

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from ..geo.h3cells import cell_outlines, h3_cells
from ..geo.schema import BNG_EPSG, WGS84_EPSG
from .card import MethodCard
from .errors import HotspotError
from .grid import Grid
from .validate import check_number, check_points, grid_mask, study_polygon, weights_of

log = logging.getLogger(__name__)

WHERE = "gistar"

GiStarClass = Literal["hot", "cold", "not significant"]
GISTAR_CLASSES: tuple[str, ...] = get_args(GiStarClass)

#: Fewer incidents than this and the card warns that hotspots will not be stable.
MIN_INCIDENTS = 30
#: Neighbour pairs above this are refused (memory): the distance band is too wide for the cells.
MAX_NEIGHBOUR_PAIRS = 200_000_000
#: Relative tolerance on the distance band, so that cell size × √2 takes the diagonal cells.
_BAND_TOL = 1e-9


@dataclass(frozen=True)
class GiStarResult:
    """What :func:`gistar` returns.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        One row per cell tested (see :func:`gistar` for the columns), EPSG:27700.
    card : MethodCard
        Parameters, the rules that chose them, the data and the warnings.
    grid : Grid or None
        The grid used (None for H3 cells).
    """

    frame: gpd.GeoDataFrame
    card: MethodCard
    grid: Grid | None = None

    def class_array(self) -> np.ndarray:
        """The class of every grid cell as a ``[rows, cols]`` str array; ``""`` for cells not tested.

        Raises HotspotError for H3 results (they have no grid).
        """
        if self.grid is None:
            raise HotspotError("gistar: class_array() needs a grid result; this one is on H3 cells (use .frame).")
        out = np.full(self.grid.shape, "", dtype=object)
        out[self.frame["row"].to_numpy(), self.frame["col"].to_numpy()] = self.frame["class"].to_numpy(dtype=object)
        return out


def gistar(incidents: pd.DataFrame, *, grid: Grid | None = None, cell_size_m: float | None = None,
           h3_resolution: int | None = None, distance_m: float | None = None,
           weights: str | pd.Series | None = None, fdr_alpha: float = 0.05,
           study_mask=None) -> GiStarResult:
    """Getis-Ord Gi* z-scores per grid or H3 cell, classed hot / cold at a false discovery rate.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incident table (or a filtered part): ``easting`` and ``northing`` (EPSG:27700
        metres) on a grid; on H3 the column ``h3_<resolution>`` if present, else
        ``longitude`` and ``latitude`` (WGS84). Not modified.
    grid : Grid, optional
        The grid to use. Default: the grid covering the study area (when given as a
        polygon), else the incidents, at ``cell_size_m``.
    cell_size_m : float, optional
        Cell side in metres when no grid is given. Default: the shorter side of the extent
        / 50, rounded down to a whole 10 m (:func:`~hotspot_tasking.hotspots.grid.default_cell_size_m`).
    h3_resolution : int, optional
        Use H3 cells at this resolution (0-15; 8 to 10 in practice) instead of a grid.
    distance_m : float, optional
        Distance band in metres between cell centres, inclusive. Default on a grid: the cell
        size × √2 (the cell and its 8 adjacent cells; sfhotspot's default). On H3 the
        neighbourhood is the cell and its k-ring with k = floor(distance_m / spacing), at
        least 1, where spacing = √3 × the resolution's average edge length (the distance
        between adjacent centres); default k = 1.
    weights : str or pandas.Series, optional
        Per-incident weights (a column such as ``"harm_weight"``, or a time band's weights
        aligned to ``incidents``); default 1 per incident.
    fdr_alpha : float, default=0.05
        False discovery rate (0 to 1, exclusive) at which cells are classed hot or cold.
    study_mask : shapely Polygon or MultiPolygon, or bool array, optional
        The study area: a polygon in EPSG:27700 (cells whose centre lies inside are tested),
        or on a grid a ``[rows, cols]`` bool array. Incidents outside are left out and counted.

    Returns
    -------
    GiStarResult
        ``frame`` has one row per cell tested, EPSG:27700 geometry, columns ``row, col``
        (grid; row 0 is the north edge) or ``cell`` (H3 id), then ``count`` (incidents,
        or the sum of their weights), ``neighbours`` (cells in the neighbourhood, the cell
        included), ``local_count`` (the neighbourhood's count), ``z``, ``p`` (two-sided,
        normal), ``p_fdr`` (Benjamini-Hochberg adjusted), ``class`` (``"hot"``,
        ``"cold"`` or ``"not significant"``), ``geometry``. z and p are NaN (class "not
        significant") when every cell has the same count or a cell's neighbourhood is
        every cell. ``card`` records every choice.

    Examples
    --------
    Five 100 m cells in a row with five incidents in the middle one: each cell's band
    (141 m) holds itself and the cells either side.

    >>> inc = pd.DataFrame({"easting": [250.0] * 5, "northing": [50.0] * 5})
    >>> out = gistar(inc, grid=Grid(0.0, 0.0, 100.0, 5, 1))
    >>> out.frame["z"].round(4).tolist()
    [-0.8165, 0.8165, 0.8165, 0.8165, -0.8165]
    >>> out.frame["neighbours"].tolist()
    [2, 3, 3, 3, 2]
    """
    card = MethodCard(WHERE)
    check_number(fdr_alpha, "fdr_alpha", WHERE, low=0.0, high=1.0)
    if distance_m is not None:
        check_number(distance_m, "distance_m", WHERE)
    w = weights_of(incidents, weights, WHERE)
    card.data["incidents"] = len(incidents)
    if weights is not None:
        card.data["weights"] = (weights if isinstance(weights, str)
                                else f"given per incident ({weights.name or 'Series'})")
    if h3_resolution is not None:
        if grid is not None or cell_size_m is not None:
            raise HotspotError("gistar takes either a grid (grid or cell_size_m) or h3_resolution, not both; "
                               f"got h3_resolution={h3_resolution!r} with grid={grid!r}, cell_size_m={cell_size_m!r}.")
        check_number(h3_resolution, "h3_resolution", WHERE, low=0, high=15, low_open=False, high_open=False,
                     integer=True)
        frame, values, neighbours = _h3_layout(incidents, w, int(h3_resolution), distance_m, study_mask, card)
        used_grid = None
    else:
        used_grid, frame, values, neighbours = _grid_layout(incidents, w, grid, cell_size_m, distance_m,
                                                            study_mask, card)
    card.choose("fdr_alpha", fdr_alpha, "given" if fdr_alpha != 0.05 else "default: 5% false discovery rate")
    _fixed(card, "p_values", "two-sided, normal approximation; Benjamini-Hochberg (1995) adjusted")
    out = _classify(frame, values, neighbours, fdr_alpha, card)
    return GiStarResult(out, card, used_grid)


def gistar_z(values: np.ndarray, neighbours) -> np.ndarray:
    """Gi* z-scores for ``values`` on a weights matrix (the formula in the module docstring).

    Parameters
    ----------
    values : array-like of float, shape (n,)
        Count (or weight) per cell.
    neighbours : scipy sparse matrix or array, shape (n, n)
        ``w_ij``: 1 where j is in i's neighbourhood, the diagonal included for Gi*.

    Returns
    -------
    numpy.ndarray of float, shape (n,)
        z per cell; NaN where the variance is 0 (all values equal, or a neighbourhood that
        is every cell).

    Examples
    --------
    Five cells in a row, each with itself and the cells either side as neighbours; a
    neighbourhood that is every cell (the middle of three) would give NaN.

    >>> w = sparse.diags_array([np.ones(4), np.ones(5), np.ones(4)], offsets=[-1, 0, 1])
    >>> gistar_z(np.array([0.0, 0.0, 5.0, 0.0, 0.0]), w).round(4).tolist()
    [-0.8165, 0.8165, 0.8165, 0.8165, -0.8165]
    """
    y = np.asarray(values, dtype=float).ravel()
    w = sparse.csr_array(neighbours, dtype=float)
    n = y.size
    lag = w @ y
    wsum = np.asarray(w.sum(axis=1)).ravel()
    wsq = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    if n == 0:
        return np.empty(0)
    mean = float(y.mean())
    s = float(np.sqrt(np.var(y)))
    spread = (n * wsq - wsum * wsum) / max(n - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (lag - mean * wsum) / (s * np.sqrt(np.clip(spread, 0.0, None)))
    # Undefined: all values equal (s is 0 up to rounding) or a neighbourhood that is every cell.
    if s <= 1e-12 * float(np.abs(y).max()) or s == 0.0:
        z[:] = np.nan
    z[spread <= 1e-12 * np.maximum(n * wsq, 1e-300)] = np.nan
    return z


def grid_neighbours(mask: np.ndarray, cell_size_m: float, distance_m: float) -> sparse.csr_array:
    """Binary distance-band weights between the cells of ``mask``, the diagonal included.

    Cells are numbered in row-major order of ``numpy.nonzero(mask)`` (as
    :meth:`Grid.cell_polygons`); cell j is a neighbour of i when their centres are at most
    ``distance_m`` apart (a relative tolerance of 1e-9 keeps cell size × √2 inclusive).
    Built with one vectorised step per offset in the band, never per cell.
    """
    mask = np.asarray(mask, bool)
    rows, cols = np.nonzero(mask)
    n = rows.size
    reach = distance_m / cell_size_m
    r = math.floor(reach * (1 + _BAND_TOL))
    dr, dc = np.meshgrid(np.arange(-r, r + 1), np.arange(-r, r + 1), indexing="ij")
    inside = (dr * dr + dc * dc) <= reach * reach * (1 + _BAND_TOL)
    offsets = np.column_stack([dr[inside], dc[inside]])
    if n * len(offsets) > MAX_NEIGHBOUR_PAIRS:
        raise HotspotError(f"gistar: a {distance_m:g} m band on {cell_size_m:g} m cells gives each of {n:,} cells "
                           f"{len(offsets):,} neighbours, too many to hold; use a shorter distance_m or larger cells.")
    index = np.full(mask.shape, -1, dtype=np.int64)
    index[rows, cols] = np.arange(n)
    ny, nx = mask.shape
    src, dst = [], []
    for a, b in offsets:  # one vectorised step per offset (9 by default), over all cells at once
        rr, cc = rows + a, cols + b
        ok = (rr >= 0) & (rr < ny) & (cc >= 0) & (cc < nx)
        j = index[rr[ok], cc[ok]]
        keep = j >= 0
        src.append(np.nonzero(ok)[0][keep])
        dst.append(j[keep])
    i = np.concatenate(src) if src else np.empty(0, np.int64)
    j = np.concatenate(dst) if dst else np.empty(0, np.int64)
    return sparse.csr_array((np.ones(i.size), (i, j)), shape=(n, n))


def _grid_layout(incidents, w, grid, cell_size_m, distance_m, study_mask, card):
    e, n = check_points(incidents, WHERE)
    polygon = study_polygon(study_mask, WHERE, "study_mask")
    if grid is not None:
        if not isinstance(grid, Grid):
            raise TypeError(f"The 'grid' parameter of gistar must be a Grid. Got {type(grid).__name__} instead.")
        if cell_size_m is not None:
            raise HotspotError(f"gistar takes either grid or cell_size_m, not both; got cell_size_m={cell_size_m!r} "
                               f"with a grid of {grid.cell_size_m:g} m cells.")
        card.choose("cell_size_m", grid.cell_size_m, "given")
        card.data["grid"] = f"{grid.nx} x {grid.ny} cells from ({grid.x0:.0f}, {grid.y0:.0f})"
    else:
        if polygon is None and study_mask is not None:
            raise HotspotError("gistar: a bool study_mask needs the grid it was made on; pass grid= as well.")
        if polygon is not None:
            bounds = shapely.bounds(polygon)
        elif len(e):
            bounds = (e.min(), n.min(), e.max(), n.max())
        else:
            raise HotspotError("gistar: no incidents and no study area to size a grid on; pass grid= or study_mask=.")
        grid = Grid.covering(tuple(bounds), cell_size_m=cell_size_m, card=card)
    mask = grid_mask(grid, study_mask, WHERE)
    c = grid.cell_size_m
    if distance_m is None:
        distance_m = c * math.sqrt(2)
        card.choose("distance_m", round(distance_m, 3),
                    "cell size x sqrt(2): the cell and its 8 adjacent cells (sfhotspot's nb_dist default)")
    else:
        card.choose("distance_m", distance_m, "given")
    _fixed(card, "neighbourhood",
           "binary distance band between cell centres, inclusive, the cell itself included (Gi*)")
    counts = grid.counts(e, n, w)
    row, col = grid.locate(e, n)
    on = row >= 0
    in_mask = np.zeros(len(e), bool)
    in_mask[on] = mask[row[on], col[on]]
    _record_outside(card, w, in_mask, "off the grid or outside the study area")
    neighbours = grid_neighbours(mask, c, distance_m)
    cells = grid.cell_polygons(mask)
    values = counts[mask]
    frame = cells[["row", "col"]].copy()
    frame["geometry"] = cells.geometry.values
    return grid, frame, values, neighbours


def _h3_layout(incidents, w, res, distance_m, study_mask, card):
    column = f"h3_{res}"
    card.choose("h3_resolution", res, "given")
    if column in incidents.columns:
        of = incidents[column].astype("str").fillna("").to_numpy(dtype=object)
    else:
        missing = [c for c in ("longitude", "latitude") if c not in incidents.columns]
        if missing:
            raise HotspotError(f"gistar on H3 needs the incident column '{column}' or 'longitude' and 'latitude' "
                               f"(WGS84); missing {missing}.")
        of = h3_cells(incidents["longitude"], incidents["latitude"], (res,))[column].to_numpy(dtype=object)
    if study_mask is not None:
        polygon = study_polygon(study_mask, WHERE, "study_mask")
        if polygon is None:
            raise HotspotError("gistar on H3 cells needs study_mask as a polygon (EPSG:27700), not an array.")
        wgs = gpd.GeoSeries([polygon], crs=BNG_EPSG).to_crs(WGS84_EPSG).iloc[0]
        cells = set(h3.geo_to_cells(wgs, res))
    else:
        located = of[of != ""]
        if len(located) == 0:
            raise HotspotError("gistar: no incidents with a location and no study area to place H3 cells on.")
        cells = set(located)
        if {"longitude", "latitude"} <= set(incidents.columns):
            lon, lat = incidents["longitude"].to_numpy(float), incidents["latitude"].to_numpy(float)
        else:
            lon = lat = np.array([np.nan])
        if np.isfinite(lon).any() and np.isfinite(lat).any():
            box = shapely.box(np.nanmin(lon), np.nanmin(lat), np.nanmax(lon), np.nanmax(lat))
            if box.area > 0:  # the cells between the incidents too, zero counts included
                cells |= set(h3.geo_to_cells(box, res))
    cells = np.array(sorted(cells), dtype=object)
    index = pd.Index(cells)
    code = index.get_indexer(of)
    inside = code >= 0
    _record_outside(card, w, inside, "outside the study area's H3 cells")
    values = np.bincount(code[inside], weights=w[inside], minlength=len(cells)).astype(float)
    spacing = math.sqrt(3) * h3.average_hexagon_edge_length(res, unit="m")
    if distance_m is None:
        k = 1
        card.choose("k_ring", 1, "default: the cell and its 6 neighbours")
    else:
        k = max(1, math.floor(distance_m / spacing + _BAND_TOL))
        card.choose("distance_m", distance_m, "given")
        card.choose("k_ring", k, f"floor(distance_m / {spacing:.1f} m centre spacing), at least 1")
    _fixed(card, "neighbourhood", f"the cell and its {k}-ring of H3 cells (binary, Gi*)")
    neighbours = _h3_neighbours(cells, index, k)
    outlines = cell_outlines(list(cells)).to_crs(BNG_EPSG)
    frame = gpd.GeoDataFrame({"cell": pd.Series(cells, dtype="str")},
                             geometry=outlines.set_index("cell").geometry.reindex(cells).to_numpy(), crs=BNG_EPSG)
    card.data["cells"] = len(cells)
    return frame, values, neighbours


def _h3_neighbours(cells: np.ndarray, index: pd.Index, k: int) -> sparse.csr_array:
    # h3 has no array API: one grid_disk call per cell (cells are far fewer than incidents).
    disks = [h3.grid_disk(c, k) for c in cells]
    sizes = np.fromiter((len(d) for d in disks), dtype=np.int64, count=len(disks))
    src = np.repeat(np.arange(len(cells)), sizes)
    dst = index.get_indexer(np.concatenate([np.asarray(d, dtype=object) for d in disks]) if disks else [])
    keep = dst >= 0
    return sparse.csr_array((np.ones(int(keep.sum())), (src[keep], dst[keep])), shape=(len(cells), len(cells)))


def _classify(frame, values, neighbours, fdr_alpha, card) -> gpd.GeoDataFrame:
    from scipy import stats
    z = gistar_z(values, neighbours)
    p = 2 * stats.norm.sf(np.abs(z))
    finite = np.isfinite(p)
    p_fdr = np.full(p.shape, np.nan)
    if finite.any():
        p_fdr[finite] = stats.false_discovery_control(p[finite], method="bh")
    sig = finite & (p_fdr <= fdr_alpha)
    klass = np.select([sig & (z > 0), sig & (z < 0)], ["hot", "cold"], "not significant")
    geometry = frame.geometry.values
    out = pd.DataFrame(frame.drop(columns="geometry"))
    out["count"] = values
    out["neighbours"] = np.diff(neighbours.indptr).astype(np.int64)
    out["local_count"] = neighbours @ values
    out["z"], out["p"], out["p_fdr"] = z, p, p_fdr
    out["class"] = pd.Series(klass, index=out.index, dtype="str")
    out = gpd.GeoDataFrame(out.reset_index(drop=True), geometry=geometry, crs=BNG_EPSG)
    total = float(values.sum())
    card.data["cells"] = len(out)
    card.data["counted"] = total
    if len(out):  # the n, mean and S of the formula
        card.data.update(count_mean=float(values.mean()), count_sd=float(values.std()))
    card.data["hot_cells"] = int((klass == "hot").sum())
    card.data["cold_cells"] = int((klass == "cold").sum())
    if len(out) and not finite.any():
        card.warn("every cell has the same count (or every cell is every cell's neighbour): Gi* is undefined, "
                  "no cell is classed; check the filters or use more cells.")
    elif (~finite).any():
        card.warn(f"{int((~finite).sum())} cells have an undefined z (their neighbourhood is every cell); "
                  "they are not classed.")
    if total < MIN_INCIDENTS:
        card.warn(f"only {total:g} incidents in the study area: too few for stable hotspots (want {MIN_INCIDENTS} "
                  "or more); widen the period or the categories.")
    if len(out):
        card.data["neighbours_median"] = float(out["neighbours"].median())
        if out["neighbours"].median() <= 1:
            card.warn("the distance band holds no cell but the cell itself, so Gi* only restates each cell's count; "
                      "use a distance_m of at least the cell size (default: cell size x sqrt(2)).")
    return out


def _record_outside(card: MethodCard, w: np.ndarray, inside: np.ndarray, where: str) -> None:
    outside = int((~inside).sum())
    card.data["incidents_outside"] = outside
    if outside:
        log.info("gistar: %d incidents %s were left out (weight %g)", outside, where, float(w[~inside].sum()))


def _fixed(card: MethodCard, name: str, value: str) -> None:
    """A parameter fixed by the method (not an option), recorded without a log line."""
    card.parameters[name] = value
    card.rules[name] = "fixed by the method"
