"""Kernel density (KDE) of incidents on a regular EPSG:27700 grid, in incidents per km².

The density at a cell centre *x* is :math:`\\sum_p w_p K(\\lVert x - p \\rVert) \\times 10^6`
over the incidents *p* (weight :math:`w_p`, 1 by default), with a kernel of bandwidth *h*
metres that integrates to 1 over the plane and is 0 from *h* on (*d* < *h*):

- ``quartic`` (ArcGIS, QGIS): :math:`K(d) = \\frac{3}{\\pi h^2}(1 - d^2/h^2)^2`;
- ``epanechnikov`` (scikit-learn's, for comparison): :math:`\\frac{2}{\\pi h^2}(1 - d^2/h^2)`;
- ``uniform``: :math:`\\frac{1}{\\pi h^2}`.

Two ways to compute it (``method``):

- ``"exact"``: identical coordinates are collapsed into one weighted point first
  (police.uk data has about fifty incidents per map point); then, for each of the
  integer cell offsets of the kernel's footprint, the kernel is evaluated for all points at
  once and added into the cells. Equal to the direct sum up to rounding (tested to 1e-9).
- ``"fft"``: the points are linearly binned onto a sub-grid ``s`` times finer than the
  cells (:data:`FFT_SUBCELL_TARGET`), each of the ``s²`` sub-cell positions is convolved
  with the kernel sampled from that position to the cell centres, and the sums are added
  in the frequency domain. Its error against the exact path is **measured in every run**
  on windows of cells (around the peak and drawn by density) and written into the card.
- ``"auto"`` (default): ``"fft"`` when the kernel is ``quartic`` and the exact path's
  work, *distinct points × footprint cells* kernel evaluations, exceeds both
  :data:`FFT_MIN_WORK` and the FFT's cost in the same units,
  :data:`FFT_POINT_COST` × points + :data:`FFT_SUBCELL_COST` × sub-grid cells (measured on
  two cores: ~5 ns per exact evaluation, ~0.25 µs per point binned, ~70 ns per sub-grid
  cell); else exact. In practice: exact up to a few million distinct points at the usual
  bandwidth of 4-6 cells, FFT for wide bandwidths on fine grids. The quartic kernel is
  smooth at *h*, so binning errors are second order there (tested: at most
  :data:`FFT_ERROR_BOUND` of the peak with sub-cells of at most *h*/40); the others have a
  kink or a jump at *h* and stay exact unless the FFT is asked for.

Default bandwidth (ArcGIS Kernel Density's rule, after Silverman):
:math:`h = 0.9 \\min(SD, \\sqrt{1/\\ln 2}\\, D_m)\\, n^{-0.2}`, with *SD* the (weighted)
standard distance from the (weighted) mean centre, :math:`D_m` the weighted median
distance from it, and *n* the number of incidents with a weight above 0 (ArcGIS uses the
sum of the weights; the count keeps harm-weighted and unweighted maps on one bandwidth),
rounded to the metre, then floored at the weighted median of ``location_precision_m``
(the typical incident's precision: a few coarse records do not widen everyone's kernel).

With a study area, the rule (*SD*, :math:`D_m`, *n*, the precision floor) uses only the
incidents inside it (on its boundary included): a workspace imports a margin round its
wards, and those incidents would widen the bandwidth (the City of London's police.uk
records with the records within 5 km round it: 394 m, against 208 m from the City's own).
Every incident given still adds density, so those just outside count near the edge. The
card says how many were used and left out; with none inside, the rule uses all of them
and the card warns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.coords import distinct_points
from . import kde_engines as engines
from .areas import DEFAULT_COVERAGE, MIN_HOTSPOT_INCIDENTS, Threshold, hotspot_areas
from .card import MethodCard
from .errors import HotspotError
from .geotiff import write_geotiff
from .grid import LARGE_GRID_CELLS, Grid
from .kde_engines import FFT_MAX_SUBCELLS, FFT_SUBCELL_TARGET
from .validate import check_choice, check_number, check_points, grid_mask, study_polygon, weights_of

WHERE = "kde"

Kernel = Literal["quartic", "epanechnikov", "uniform"]
KERNELS: tuple[str, ...] = get_args(Kernel)
KdeMethod = Literal["auto", "exact", "fft"]
KDE_METHODS: tuple[str, ...] = get_args(KdeMethod)

#: Fewer incidents (with a weight above 0) than this and the card warns hotspots are unstable.
MIN_INCIDENTS = 30
#: "auto" uses the FFT only above this many kernel evaluations on the exact path...
FFT_MIN_WORK = 50_000_000
#: ...and above the FFT's cost in exact evaluations: this many per point binned...
FFT_POINT_COST = 50
#: ...plus this many per sub-grid cell (s² x the grid padded by the kernel's reach).
FFT_SUBCELL_COST = 15


@dataclass(frozen=True)
class KdeResult:
    """What :func:`kde` returns.

    Attributes
    ----------
    density : numpy.ndarray of float64, shape (rows, cols)
        Incidents (or weight) per km² at each cell centre; row 0 is the north edge.
    grid : Grid
        The grid: ``grid.transform`` is the GDAL affine transform of ``density``.
    card : MethodCard
        Parameters, the rules that chose them, the data, the FFT check and the warnings.
    study_mask : numpy.ndarray of bool, shape (rows, cols)
        Cells whose centre lies in the study area; all True without one.
    """

    density: np.ndarray
    grid: Grid
    card: MethodCard
    study_mask: np.ndarray
    _points: pd.DataFrame = field(repr=False, compare=False)  # distinct points: easting, northing, weight
    _has_area: bool = field(default=False, repr=False, compare=False)  # a study area was given

    @property
    def transform(self) -> tuple[float, float, float, float, float, float]:
        """GDAL geotransform ``(x_west, cell, 0, y_north, 0, -cell)`` of ``density``."""
        return self.grid.transform

    def to_cells(self, min_density: float = 0.0) -> gpd.GeoDataFrame:
        """Cells of the study area with a density above 0 and at or above ``min_density``, as squares.

        Parameters
        ----------
        min_density : float, default=0
            Incidents per km²; the default keeps every cell with any density, a hotspot
            frame's ``attrs["threshold_value"]`` its hot cells.

        Returns
        -------
        geopandas.GeoDataFrame
            Columns ``row``, ``col``, ``density`` (incidents per km²), ``geometry``
            (EPSG:27700 squares); densest first.
        """
        check_number(min_density, "min_density", "KdeResult.to_cells", low_open=False)
        keep = self.study_mask & (self.density >= min_density) & (self.density > 0)
        cells = self.grid.cell_polygons(keep)
        cells.insert(2, "density", self.density[keep])
        return cells.sort_values("density", ascending=False, kind="stable").reset_index(drop=True)

    def to_geotiff(self, path: str | Path) -> Path:
        """Write the density as a float32 GeoTIFF (EPSG:27700, north-up, the card as a tag).

        Cells outside the study area are nodata (NaN). See :func:`.geotiff.write_geotiff`.
        """
        return write_geotiff(path, self.density, self.grid, card=self.card,
                             valid=None if self.study_mask.all() else self.study_mask)

    def hotspots(self, *, threshold: Threshold | float = "top_share", multiple: float = 2.0,
                 top_share: float | None = None, min_incidents: float = MIN_HOTSPOT_INCIDENTS) -> gpd.GeoDataFrame:
        """Hotspot areas of this surface: see :func:`.areas.hotspot_areas` (same options).

        The default is the coverage rule: the hottest :data:`.areas.DEFAULT_COVERAGE` (5%)
        of the study area's cells (``top_share`` defaults to it with ``"top_share"``), in
        hotspots holding at least :data:`.areas.MIN_HOTSPOT_INCIDENTS` (3) incidents.
        Incidents inside are those given to :func:`kde`, with its weights; ``share`` is of
        those in the study area's cells (of all of them without a study area).
        """
        if threshold == "top_share" and top_share is None:
            top_share = DEFAULT_COVERAGE
        return hotspot_areas(self.density, self.grid, self._points, threshold=threshold, multiple=multiple,
                             top_share=top_share, study_mask=self.study_mask if self._has_area else None,
                             weights="weight", min_incidents=min_incidents, units="per km²")


def kde(incidents: pd.DataFrame, *, grid: Grid | None = None, cell_size_m: float | None = None,
        bandwidth_m: float | None = None, kernel: Kernel = "quartic", weights: str | pd.Series | None = None,
        study_area=None, method: KdeMethod = "auto") -> KdeResult:
    """Kernel density of incidents on a grid, in incidents per km² (see the module notes).

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``easting`` and ``northing`` (EPSG:27700 metres), and ``location_precision_m``
        for the bandwidth floor when present. Not modified.
    grid : Grid, optional
        Reuse one grid across bands or periods so surfaces compare cell by cell. Default:
        ``Grid.covering`` the incidents' bounds (the study area's, when given) widened by
        the bandwidth, at ``cell_size_m``.
    cell_size_m : float, optional
        Cell side in metres, only without ``grid``. Default: the shorter side of the
        extent / 50, rounded down to a whole 10 m (at least 10 m).
    bandwidth_m : float, optional
        Kernel radius *h* in metres, > 0. Default: the standard-distance rule of the module
        notes, floored at the weighted median location precision.
    kernel : {"quartic", "epanechnikov", "uniform"}, default="quartic"
    weights : str or pandas.Series, optional
        A column name (e.g. ``"harm_weight"``) or a Series on the incidents' index (e.g.
        time band weights); NaN counts as 0. Default: each incident counts 1.
    study_area : shapely geometry, GeoSeries or GeoDataFrame, optional
        EPSG:27700 polygons (a frame without a CRS is taken to be in it; another CRS is an
        error), or with ``grid`` a ``[rows, cols]`` bool array of its cells; ``study_mask``
        marks the cells whose centre is inside. The default bandwidth uses the incidents
        inside only; all the incidents given add density (those just outside near its edge).
    method : {"auto", "exact", "fft"}, default="auto"
        See the module notes; the choice and the FFT's measured error go into the card.

    Returns
    -------
    KdeResult
        ``density`` [rows, cols] in incidents per km², ``grid``, ``card``, ``study_mask``.

    Raises
    ------
    TypeError, HotspotError
        For a wrong option (scikit-learn's wording) or incidents without coordinates.

    Examples
    --------
    >>> one = pd.DataFrame({"easting": [530_050.0], "northing": [180_050.0]})
    >>> res = kde(one, cell_size_m=100, bandwidth_m=200)
    >>> round(float(res.density.max()), 3)  # 3 / (π 200²) per m², x 1e6 per km²
    23.873
    """
    if not isinstance(incidents, pd.DataFrame):
        raise TypeError(f"The 'incidents' parameter of {WHERE} must be a pandas DataFrame. "
                        f"Got {type(incidents).__name__} instead.")
    check_choice(kernel, "kernel", WHERE, KERNELS)
    check_choice(method, "method", WHERE, KDE_METHODS)
    if bandwidth_m is not None:
        check_number(bandwidth_m, "bandwidth_m", WHERE)
    if grid is not None and not isinstance(grid, Grid):
        raise TypeError(f"The 'grid' parameter of {WHERE} must be a Grid or None. Got {type(grid).__name__} instead.")
    if cell_size_m is not None:
        check_number(cell_size_m, "cell_size_m", WHERE)
        if grid is not None:
            raise HotspotError(f"{WHERE}: give either 'grid' or 'cell_size_m', not both (the grid has its cell size).")
    area = study_polygon(study_area, WHERE)
    if isinstance(study_area, np.ndarray) and grid is None:
        raise HotspotError(f"{WHERE}: a bool study_area needs the grid it was made on; pass grid= as well.")
    card = MethodCard("kde")
    card.choose("kernel", kernel, "given" if kernel != "quartic" else "quartic, as ArcGIS and QGIS (default)")
    x, y, w, counts, inverse, precision = _points(incidents, weights, card)
    inside = _inside(study_area, area, grid, x, y, inverse, card)
    h = _bandwidth(bandwidth_m, x, y, w, counts, precision, card, inside, inverse)
    grid = _grid(grid, cell_size_m, x, y, area, h, card)
    mask = grid_mask(grid, study_area if area is None else area, WHERE, "study_area")
    card.data["study_area_cells"] = int(mask.sum())
    _warn(card, h, grid, int(counts.sum() if inside is None else counts[inside].sum()), float(w.sum()),
          inside is not None)
    u, v = x - grid.x0, grid.y_north - y  # metres east of the west edge, south of the north edge
    use, s = _choose_method(method, kernel, len(x), h, grid, card)
    if use == "fft":
        per_m2 = engines.fft(u, v, w, h, grid, kernel, s)
        engines.fft_check(per_m2, u, v, w, h, grid, kernel, card)
    else:
        per_m2 = engines.exact(u, v, w, h, grid, kernel)
    # Per km², in place, leaving the cells at 0 untouched: a national grid is mostly empty, and
    # its empty pages are then never written.
    density = per_m2
    np.multiply(density, 1e6, out=density, where=density != 0)
    card.data["peak_density_per_km2"] = float(density.max()) if density.size else 0.0
    points = pd.DataFrame({"easting": x, "northing": y, "weight": w})
    return KdeResult(density, grid, card, mask, points, study_area is not None)


# --- private steps ----------------------------------------------------------------------

def _points(incidents: pd.DataFrame, weights, card: MethodCard):
    """Distinct locations ``(x, y, weight, incidents there, precision of each incident)``."""
    if weights is not None and not isinstance(weights, (str, pd.Series)):
        raise TypeError(f"The 'weights' parameter of {WHERE} must be a column name (str), a pandas Series or None. "
                        f"Got {type(weights).__name__} instead.")
    e, n = check_points(incidents, WHERE)
    raw = weights_of(incidents, weights, WHERE)
    if weights is not None:
        label = weights if isinstance(weights, str) else f"Series {weights.name!r}"
        card.choose("weights", label, "given")
        values = incidents[weights] if isinstance(weights, str) else weights
        missing = int(values.isna().sum())
        if missing:
            card.warn(f"{missing:,} of {len(raw):,} incidents have no weight (NaN, e.g. no time of day for an hour "
                      "band) and count as 0; map them in a day-level view or widen the band.")
    else:
        card.choose("weights", "none", "each incident counts 1 (default)")
    inverse, x, y = distinct_points(e, n)
    w = np.bincount(inverse, weights=raw, minlength=len(x))
    counts = np.bincount(inverse, weights=(raw > 0).astype(float), minlength=len(x))
    precision = None
    if "location_precision_m" in incidents.columns:
        precision = (incidents["location_precision_m"].to_numpy(dtype=float, na_value=np.nan), raw)
    card.data.update(incidents=len(incidents), incidents_weighted=int(counts.sum()),
                     distinct_points=len(x), total_weight=float(raw.sum()))
    return x, y, w, counts, inverse, precision


def _inside(study_area, area, grid: Grid | None, x, y, inverse, card: MethodCard) -> np.ndarray | None:
    """Per distinct point: in the study area (a polygon, its boundary included, or a cell of
    a bool mask); None without one. The incidents in and out go into the card."""
    if study_area is None:
        return None
    if area is not None:
        shapely.prepare(area)
        inside = shapely.intersects_xy(area, x, y)
    else:
        mask = grid_mask(grid, study_area, WHERE, "study_area")
        row, col = grid.locate(x, y)
        inside = (row >= 0) & mask[np.maximum(row, 0), np.maximum(col, 0)]
    rows_in = int(inside[inverse].sum())
    card.data.update(incidents_in_study_area=rows_in, incidents_outside_study_area=len(inverse) - rows_in)
    return inside


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The lower weighted median: the smallest value with at least half the weight at or below it."""
    if (weights == weights[0]).all():  # equal weights: a selection, no sort
        k = math.ceil(len(values) / 2) - 1
        return float(np.partition(values, k)[k])
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2.0)])


def _bandwidth(given, x, y, w, counts, precision, card: MethodCard, inside, inverse) -> float:
    if given is not None:
        card.choose("bandwidth_m", float(given), "given")
        return float(given)
    if len(x) == 0:
        raise HotspotError(f"{WHERE}: there are no incidents to choose a bandwidth from; pass bandwidth_m (metres) "
                           "and a grid to map an empty selection.")
    used = ""
    if inside is not None and not inside.any():
        card.warn(f"none of the {len(inverse):,} incidents is in the study area, so the bandwidth rule used all of "
                  "them; check that both are in EPSG:27700 (British National Grid), or pass bandwidth_m (metres).")
    elif inside is not None:  # the rule on the study area's incidents only
        left_out = counts[~inside].sum() if w[inside].sum() > 0 else int((~inside).sum())
        used = f" inside the study area ({left_out:,.0f} outside it left out of the rule; all add density)"
        x, y, w, counts = x[inside], y[inside], w[inside], counts[inside]
        if precision is not None:
            on = inside[inverse]
            precision = (precision[0][on], precision[1][on])
    weighted = w.sum() > 0  # with all weights 0 the rule falls back to the unweighted locations
    rule_w = w if weighted else np.ones(len(x))
    n = int(counts.sum()) if weighted else len(x)
    mx, my = np.average(x, weights=rule_w), np.average(y, weights=rule_w)
    dist = np.hypot(x - mx, y - my)
    sd = math.sqrt(np.average(dist ** 2, weights=rule_w))
    dm = weighted_median(dist, rule_w)
    raw = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * max(n, 1) ** -0.2
    h = float(round(raw)) if raw >= 1 else raw
    rule = (f"0.9 x min(SD, sqrt(1/ln 2) x Dm) x n^-0.2 (ArcGIS Kernel Density's standard-distance rule) with "
            f"SD = {sd:,.0f} m, Dm = {dm:,.0f} m, n = {n:,} incidents{used}"
            f"{'' if weighted else ' (weights all 0: unweighted)'}"
            f" -> {h:g} m")
    floor = 0.0
    if precision is not None:
        prec, inc_w = precision
        inc_w = inc_w if weighted else np.ones(len(prec))
        ok = np.isfinite(prec) & (inc_w > 0)
        if ok.any():
            codes, values = pd.factorize(prec[ok])
            floor = weighted_median(np.asarray(values, float), np.bincount(codes, weights=inc_w[ok]))
    if floor > h:
        rule += f", raised to the weighted median location precision, {floor:g} m"
        h = floor
    elif precision is not None:
        rule += f" (above the weighted median location precision, {floor:g} m)"
    if h <= 0:
        raise HotspotError(f"{WHERE}: cannot choose a bandwidth automatically: all {n:,} incidents are at one "
                           "location and their location precision is 0; pass bandwidth_m (metres).")
    card.choose("bandwidth_m", float(h), rule)
    return float(h)


def _grid(grid, cell_size_m, x, y, area, h, card: MethodCard) -> Grid:
    if grid is not None:
        card.choose("cell_size_m", grid.cell_size_m, f"{grid.rule} (with the grid)")
        card.data["grid"] = f"{grid.nx} x {grid.ny} cells from ({grid.x0:.0f}, {grid.y0:.0f})"
        if grid.cells > LARGE_GRID_CELLS:
            card.warn(f"the grid has {grid.cells:,} cells (over {LARGE_GRID_CELLS:,}): it will be slow and large; "
                      f"try a grid with cells of {grid.cell_size_m * 2:g} m.")
        return grid
    if area is not None:
        minx, miny, maxx, maxy = area.bounds
    elif len(x):
        minx, miny, maxx, maxy = x.min(), y.min(), x.max(), y.max()
    else:
        raise HotspotError(f"{WHERE}: there are no incidents and no study area to place a grid on; "
                           "pass grid= or study_area=.")
    return Grid.covering((minx - h, miny - h, maxx + h, maxy + h), cell_size_m=cell_size_m, card=card)


def _warn(card: MethodCard, h: float, grid: Grid, n: int, total: float, has_area: bool) -> None:
    c = grid.cell_size_m
    if h < c:
        card.warn(f"the bandwidth ({h:g} m) is smaller than the cell size ({c:g} m): most incidents reach only their "
                  f"own cell and the surface is spiky; use bandwidth_m of at least {c:g} or cell_size_m of at most "
                  f"{max(10.0, math.floor(h / 2 / 10) * 10):g}.")
    if total <= 0:
        card.warn("all weights are 0 (e.g. no incident has a time of day in this band): the density is 0 everywhere.")
    elif n < MIN_INCIDENTS:
        card.warn(f"only {n} incidents{' in the study area' if has_area else ''}: a hotspot from fewer than "
                  f"{MIN_INCIDENTS} is not stable; "
                  "widen the period, the categories or the area.")


def _choose_method(method: str, kernel: str, points: int, h: float, grid: Grid, card: MethodCard) -> tuple[str, int]:
    footprint = len(engines.footprint(h, grid.cell_size_m)[0])
    s = engines.subcells(h, grid)
    r = math.ceil(h / grid.cell_size_m) + 1
    work, subcells = points * footprint, s * s * (grid.ny + 2 * r) * (grid.nx + 2 * r)
    fft_cost = FFT_POINT_COST * points + FFT_SUBCELL_COST * subcells
    if method == "auto":
        use = "fft" if (kernel == "quartic" and work > FFT_MIN_WORK and work > fft_cost) else "exact"
        rule = (f"{points:,} distinct points x {footprint} footprint cells = {work:,} kernel evaluations; "
                f"FFT when over {FFT_MIN_WORK:,} and over its cost, {FFT_POINT_COST} x points + {FFT_SUBCELL_COST} x "
                f"{subcells:,} sub-grid cells = {fft_cost:,}; quartic kernel only (auto)")
    else:
        use, rule = method, "given"
    card.choose("method", use, rule)
    if use == "fft":
        card.choose("fft_subcells", s, f"cell / s <= bandwidth / {FFT_SUBCELL_TARGET}, s at most {FFT_MAX_SUBCELLS}; "
                    "points linearly binned onto the s x s sub-grid")
    return use, s


