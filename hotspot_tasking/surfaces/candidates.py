"""Candidate surfaces for a tasking list: ways to score the study area's cells from the
periods up to now, so that the hottest cells are where incidents will be next period.

Every candidate (:class:`Surface`) is a sum over a window of past periods of a per-period
field on the grid, optionally with exponential time decay:

- the field is either the band-weighted **counts** per cell, or a **quartic KDE** of that
  period's incidents (incidents per km² at the cell centres, the exact sum of
  :mod:`hotspot_tasking.hotspots.kde`) with a narrow bandwidth: one, two or three cells, floored at the data's
  location precision (police.uk's map points: 150 m);
- the window is the last 1, 3, 6 or 12 periods, the review period included; windows are
  cut at the first period with data;
- with decay, a period *a* periods old counts :math:`0.5^{a / (w/3)}`: the half-life is a
  third of the window *w* (1, 2 or 4 periods), so the oldest period of the window counts
  about an eighth as much as the newest.

``naive`` (last period's counts, 1 period, no kernel) is the baseline every other candidate
must beat: last period's counts at police.uk's map points predict next period's well
(Chainey, Tompson and Uhlig 2008 compare hotspot methods against it by the PAI).
:func:`candidate_surfaces` gives the set, :class:`SurfaceStack` computes any candidate's
scores for any period from per-period fields computed once (each KDE once per period and
bandwidth; windows by running sums), and :func:`top_cells` takes the hottest cells the way
:func:`hotspot_tasking.hotspots.accuracy.accuracy` does (ties in row-major order) in linear time. The backtest that
chooses among them is :mod:`.choice`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..geo.coords import distinct_points
from ..hotspots import kde_engines as engines
from ..hotspots.grid import Grid, default_cell_size_m
from ..hotspots.validate import check_number

#: Window lengths of the candidates, in review periods (the review period included).
WINDOWS: tuple[int, ...] = (1, 3, 6, 12)
#: Narrow KDE bandwidths of the candidates, in cells (then floored at the location precision).
BANDWIDTH_CELLS: tuple[int, ...] = (1, 2, 3)
#: A decayed window's half-life is its length divided by this (the oldest period counts ~1/8).
HALF_LIFE_DIVISOR = 3.0
#: The baseline's name: last period's counts per cell.
NAIVE = "naive"
#: A tasking grid's cells are at most a place's width divided by this, so a place spans several cells.
CELLS_PER_PLACE = 5


@dataclass(frozen=True)
class Surface:
    """One candidate surface.

    Attributes
    ----------
    window : int
        Periods summed, the review period included (1 = that period only).
    decay : bool
        Exponential time decay with a half-life of ``window / 3`` periods.
    bandwidth_m : float, default=0
        Quartic kernel radius in metres; 0 for counts per cell.
    """

    window: int
    decay: bool = False
    bandwidth_m: float = 0.0

    @property
    def name(self) -> str:
        """``"naive"``, ``"counts-6"``, ``"counts-6-decay"``, ``"kde-150m-3"``, ...

        >>> Surface(6, True, 150.0).name, Surface(1).name
        ('kde-150m-6-decay', 'naive')
        """
        if self.window == 1 and not self.bandwidth_m:
            return NAIVE
        base = f"kde-{self.bandwidth_m:g}m" if self.bandwidth_m else "counts"
        return f"{base}-{self.window}" + ("-decay" if self.decay else "")

    @property
    def half_life(self) -> float:
        """Periods after which a period counts half (``window / 3``); inf without decay."""
        return self.window / HALF_LIFE_DIVISOR if self.decay else math.inf

    def describe(self, every: str = "month") -> str:
        """The candidate in words, e.g. "quartic KDE (150 m) of the last 6 months, half-life 2 months".

        >>> Surface(1).describe("week")
        "last week's counts per cell"
        """
        decay = f", half-life {self.half_life:g} {every}{'' if self.half_life == 1 else 's'}" if self.decay else ""
        if self.bandwidth_m:
            span = f"last {every}'s" if self.window == 1 else f"the last {self.window} {every}s'"
            return f"quartic KDE ({self.bandwidth_m:g} m) of {span} incidents{decay}"
        if self.window == 1:
            return f"last {every}'s counts per cell"
        return f"counts per cell over the last {self.window} {every}s{decay}"


def candidate_surfaces(cell_size_m: float, *, precision_m: float = 0.0, bandwidth_m: float | None = None,
                       windows: tuple[int, ...] = WINDOWS) -> tuple[Surface, ...]:
    """The candidate set: counts and narrow KDEs over each window, with and without decay.

    Parameters
    ----------
    cell_size_m : float
        The grid's cell, metres (KDE bandwidths are 1, 2 and 3 cells).
    precision_m : float, default=0
        The typical location precision, metres: bandwidths are raised to it (and repeats
        dropped).
    bandwidth_m : float, optional
        Use this one bandwidth for the KDE candidates instead (a person's choice).
    windows : tuple of int, default=(1, 3, 6, 12)

    Returns
    -------
    tuple of Surface
        ``naive`` first, then counts, then KDEs by bandwidth; within each, windows in order,
        undecayed before decayed (the order breaks ties in the backtest: simpler first).

    Examples
    --------
    >>> [s.name for s in candidate_surfaces(50, precision_m=120, windows=(1, 3))]
    ['naive', 'counts-3', 'counts-3-decay', 'kde-120m-1', 'kde-120m-3', 'kde-120m-3-decay', 'kde-150m-1', \
'kde-150m-3', 'kde-150m-3-decay']
    """
    check_number(cell_size_m, "cell_size_m", "candidate_surfaces")
    check_number(precision_m, "precision_m", "candidate_surfaces", low_open=False)
    if bandwidth_m is not None:
        check_number(bandwidth_m, "bandwidth_m", "candidate_surfaces")
        widths = [float(bandwidth_m)]
    else:
        widths = sorted({float(max(k * cell_size_m, precision_m)) for k in BANDWIDTH_CELLS})
    out = []
    for h in [0.0, *widths]:
        for w in windows:
            out.append(Surface(w, False, h))
            if w > 1:
                out.append(Surface(w, True, h))
    return tuple(out)


def tasking_cell_size_m(bounds: tuple[float, float, float, float], *, max_across_m: float) -> float:
    """The tasking grid's cell: the extent rule (shorter side / 50, rounded down to 10 m) on
    the study area's incidents, at most ``max_across_m / 5`` (rounded down to 10 m, at least 10).

    >>> tasking_cell_size_m((0, 0, 10_000, 8_000), max_across_m=250)
    50.0
    >>> tasking_cell_size_m((0, 0, 1_500, 1_200), max_across_m=250)
    20.0
    """
    minx, miny, maxx, maxy = bounds
    extent = default_cell_size_m(max(maxx - minx, 1.0), max(maxy - miny, 1.0))
    cap = max(10.0, math.floor(max_across_m / CELLS_PER_PLACE / 10) * 10)
    return float(min(extent, cap))


def top_cells(scores: np.ndarray, k: int) -> tuple[np.ndarray, int]:
    """The ``k`` highest scores as a bool mask, ties taken in array order; and the tied cells left out.

    The same cells as a stable sort by descending score (:func:`hotspot_tasking.hotspots.accuracy.accuracy`), in
    linear time.

    >>> mask, left = top_cells(np.array([1.0, 5.0, 3.0, 5.0, 3.0]), 3)
    >>> mask.tolist(), left
    ([False, True, True, True, False], 1)
    """
    n = scores.size
    k = int(min(max(k, 0), n))
    if k == 0:
        return np.zeros(n, bool), 0
    cut = np.partition(scores, n - k)[n - k]
    take = scores > cut
    ties = np.flatnonzero(scores == cut)
    need = k - int(take.sum())
    take[ties[:need]] = True
    return take, int(len(ties) - need)


class SurfaceStack:
    """Per-period fields of the study area's cells, and any candidate's scores from them.

    Parameters
    ----------
    position : numpy.ndarray of int
        Per incident, its period 0..periods-1 (-1: none).
    easting, northing : numpy.ndarray of float
        Metres, EPSG:27700.
    weight : numpy.ndarray of float
        Per incident, its weight (band share; 0 leaves it out).
    periods : int
    grid : Grid
    mask : numpy.ndarray of bool, shape (rows, cols)
        The study area's cells: scores and counts are kept for these only. Incidents off
        them still add KDE density near the edge but are not counted.
    """

    def __init__(self, position, easting, northing, weight, periods: int, grid: Grid, mask: np.ndarray):
        self.grid, self.mask, self.periods = grid, mask, int(periods)
        self.cells = np.flatnonzero(mask.ravel())
        self._pos = np.asarray(position, dtype=np.int64)
        self._e, self._n = np.asarray(easting, float), np.asarray(northing, float)
        self._w = np.asarray(weight, float)
        row, col = grid.locate(self._e, self._n)
        keep = (row >= 0) & (self._pos >= 0) & (self._w != 0)
        flat = np.full(grid.cells, -1, np.int64)
        flat[self.cells] = np.arange(len(self.cells))
        slot = flat[np.where(keep, row * grid.nx + col, 0)]
        keep &= slot >= 0
        self.outside = float(self._w[(self._pos >= 0) & ~keep].sum())
        self.counts = np.bincount(self._pos[keep] * len(self.cells) + slot[keep], weights=self._w[keep],
                                  minlength=self.periods * len(self.cells)).reshape(self.periods, len(self.cells))
        self.totals = self.counts.sum(axis=1)
        self._fields: dict[float, np.ndarray] = {0.0: self.counts}
        self._scores: dict[Surface, np.ndarray] = {}

    def field(self, bandwidth_m: float) -> np.ndarray:
        """``[periods, study cells]``: counts (bandwidth 0) or each period's quartic KDE, per km²."""
        if bandwidth_m not in self._fields:
            by = np.argsort(self._pos, kind="stable")
            edges = np.searchsorted(self._pos[by], np.arange(self.periods + 1))
            out = np.zeros((self.periods, len(self.cells)))
            for t in range(self.periods):  # one KDE per period
                rows = by[edges[t]:edges[t + 1]]
                rows = rows[self._w[rows] != 0]
                if not len(rows):
                    continue
                inverse, x, y = distinct_points(self._e[rows], self._n[rows])
                w = np.bincount(inverse, weights=self._w[rows], minlength=len(x))
                per_m2 = engines.exact(x - self.grid.x0, self.grid.y_north - y, w, float(bandwidth_m), self.grid,
                                       "quartic")
                out[t] = per_m2.ravel()[self.cells] * 1e6
            self._fields[bandwidth_m] = out
        return self._fields[bandwidth_m]

    def scores(self, surface: Surface) -> np.ndarray:
        """``[periods, study cells]``: the candidate's score at the end of each period."""
        if surface not in self._scores:
            base = self.field(surface.bandwidth_m)
            w = surface.window
            if surface.decay:
                r = 0.5 ** (1.0 / surface.half_life)
                ages = r ** np.arange(w)
                out = np.zeros_like(base)
                for a in range(w):  # one step per period of the window
                    out[a:] += ages[a] * base[:self.periods - a]
            else:
                run = np.cumsum(base, axis=0)
                out = run.copy()
                out[w:] -= run[:-w]
            self._scores[surface] = out
        return self._scores[surface]

    def to_grid(self, values: np.ndarray) -> np.ndarray:
        """``[rows, cols]`` with ``values`` on the study cells and NaN elsewhere."""
        out = np.full(self.grid.cells, np.nan)
        out[self.cells] = values
        return out.reshape(self.grid.shape)
