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

from ..engine import LOCAL, Engine, current_engine
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
    positive = np.flatnonzero(scores > 0)  # surfaces are sparse: most cells of a city hold nothing
    if len(positive) >= k and len(positive) < n:
        values = scores[positive]
        cut = np.partition(values, len(values) - k)[len(values) - k]
    else:
        cut = np.partition(scores, n - k)[n - k]
    take = scores > cut
    ties = np.flatnonzero(scores == cut)
    need = k - int(take.sum())
    take[ties[:need]] = True
    return take, int(len(ties) - need)


@dataclass(frozen=True)
class Sparse:
    """Values per period on some of the study area's cells, 0 on the rest.

    Attributes
    ----------
    idx : numpy.ndarray of int
        Positions among the study area's cells (ascending) that may be above 0.
    values : numpy.ndarray of float, shape (periods, len(idx))
    cells : int
        The study area's cells.
    """

    idx: np.ndarray
    values: np.ndarray
    cells: int

    def dense(self) -> np.ndarray:
        """``[periods, cells]`` with the zeros filled in."""
        out = np.zeros((self.values.shape[0], self.cells))
        out[:, self.idx] = self.values
        return out

    def at(self, t: int, positions: np.ndarray) -> np.ndarray:
        """Period ``t``'s values at study-cell ``positions`` (0 where not held)."""
        where = np.searchsorted(self.idx, positions)
        where = np.minimum(where, max(len(self.idx) - 1, 0))
        held = (len(self.idx) > 0) & (self.idx[where] == positions) if len(self.idx) else np.zeros(len(positions), bool)
        return np.where(held, self.values[t, where] if len(self.idx) else 0.0, 0.0)

    @classmethod
    def of(cls, dense: np.ndarray) -> Sparse:
        """The cells of a ``[periods, cells]`` array that are above 0 in some period."""
        idx = np.flatnonzero((dense != 0).any(axis=0))
        return cls(idx, np.ascontiguousarray(dense[:, idx]), dense.shape[1])


def top_sparse(values: np.ndarray, idx: np.ndarray, cells: int, k: int) -> tuple[np.ndarray, int]:
    """The study-cell positions of the ``k`` highest scores, 0 elsewhere, as :func:`top_cells` takes them.

    ``values`` are held at ``idx`` (ascending) of ``cells`` cells; every other cell scores 0.
    Returns the positions taken (cells scoring 0 come last, in row-major order) and the tied
    cells left out.

    >>> taken, left = top_sparse(np.array([5.0, 3.0, 5.0]), np.array([1, 2, 3]), 6, 5)
    >>> sorted(taken.tolist()), left
    ([0, 1, 2, 3, 4], 1)
    """
    k = int(min(max(k, 0), cells))
    above = values > 0
    pv, pidx = values[above], idx[above]
    if len(pv) >= k:
        if k == 0:
            return np.empty(0, np.int64), 0
        cut = np.partition(pv, len(pv) - k)[len(pv) - k]
        higher, tied = pidx[pv > cut], pidx[pv == cut]
        need = k - len(higher)
        return np.concatenate([higher, tied[:need]]), int(len(tied) - need)
    need = k - len(pidx)
    pool = np.arange(need + len(pidx))
    zeros = pool[~np.isin(pool, pidx)][:need]
    return np.concatenate([pidx, zeros]), int(cells - len(pidx) - need)


class SurfaceStack:
    """Per-period fields of the study area's cells, and any candidate's scores from them.

    Fields and scores are kept only on the cells that are ever above 0 (:class:`Sparse`):
    a city's incidents fall in a few per cent of its cells.

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
        idx, inverse = np.unique(slot[keep], return_inverse=True)
        values = np.bincount(self._pos[keep] * len(idx) + inverse, weights=self._w[keep],
                             minlength=self.periods * len(idx)).astype(float).reshape(self.periods, len(idx))
        self.sparse_counts = Sparse(idx, values, len(self.cells))
        self.totals = values.sum(axis=1)
        self._fields: dict[float, Sparse] = {0.0: self.sparse_counts}
        self._running: dict[float, np.ndarray] = {}

    @property
    def counts(self) -> np.ndarray:
        """``[periods, study cells]``: band-weighted incidents per cell."""
        return self.sparse_counts.dense()

    def sparse_field(self, bandwidth_m: float) -> Sparse:
        """Counts (bandwidth 0) or each period's quartic KDE per km², on the cells ever above 0."""
        self.prepare([bandwidth_m])
        return self._fields[bandwidth_m]

    def prepare(self, bandwidths, *, engine: Engine | None = None) -> None:
        """Work out the fields of these bandwidths (metres) not yet known: one KDE per period
        and bandwidth, each a task on the engine (default: the current one)."""
        todo = [float(b) for b in dict.fromkeys(bandwidths) if b not in self._fields]
        if not todo:
            return
        by = np.argsort(self._pos, kind="stable")
        edges = np.searchsorted(self._pos[by], np.arange(self.periods + 1))
        points = []
        for t in range(self.periods):  # one step per period: its distinct points and their weights
            rows = by[edges[t]:edges[t + 1]]
            rows = rows[self._w[rows] != 0]
            inverse, x, y = distinct_points(self._e[rows], self._n[rows])
            points.append((x - self.grid.x0, self.grid.y_north - y,
                           np.bincount(inverse, weights=self._w[rows], minlength=len(x))))
        items = [(b, *points[t]) for b in todo for t in range(self.periods)]
        engine = engine if engine is not None else current_engine()
        fields = engine.map(_period_field, items, grid=self.grid, cells=self.cells)
        for i, bandwidth_m in enumerate(todo):  # one step per bandwidth
            per_period = fields[i * self.periods:(i + 1) * self.periods]
            ever = np.zeros(len(self.cells), bool)
            for values in per_period:  # one step per period
                if values is not None:
                    ever |= values != 0
            idx = np.flatnonzero(ever)
            out = np.zeros((self.periods, len(idx)))
            for t, values in enumerate(per_period):
                if values is not None:
                    out[t] = values[idx]
            self._fields[bandwidth_m] = Sparse(idx, out, len(self.cells))

    def field(self, bandwidth_m: float) -> np.ndarray:
        """``[periods, study cells]``: :meth:`sparse_field` with the zeros filled in."""
        return self.sparse_field(bandwidth_m).dense()

    def sparse_scores(self, surface: Surface) -> Sparse:
        """The candidate's score at the end of each period, on the cells ever above 0."""
        field = self.sparse_field(surface.bandwidth_m)
        base, w, periods = field.values.astype(float, copy=False), surface.window, self.periods
        out = np.empty_like(base)
        if surface.decay:  # E[t] = B[t] + r E[t-1]; the window is E[t] - r^w E[t-w]
            r = 0.5 ** (1.0 / surface.half_life)
            run = np.empty_like(base)
            if periods:
                run[0] = base[0]
            for t in range(1, periods):  # one step per period
                np.multiply(run[t - 1], r, out=run[t])
                run[t] += base[t]
        else:
            if surface.bandwidth_m not in self._running:
                self._running[surface.bandwidth_m] = np.cumsum(base, axis=0)
            run, r = self._running[surface.bandwidth_m], 1.0
        out[:w] = run[:w]
        np.subtract(run[w:], (r ** w) * run[:-w] if r != 1.0 else run[:-w], out=out[w:])
        np.maximum(out, 0.0, out=out)  # rounding can leave -1e-16 where the window is empty
        return Sparse(field.idx, out, len(self.cells))

    def scores(self, surface: Surface) -> np.ndarray:
        """``[periods, study cells]``: the candidate's score at the end of each period."""
        return self.sparse_scores(surface).dense()

    def to_grid(self, values: np.ndarray) -> np.ndarray:
        """``[rows, cols]`` with ``values`` on the study cells and NaN elsewhere."""
        out = np.full(self.grid.cells, np.nan)
        out[self.cells] = values
        return out.reshape(self.grid.shape)


def _period_field(item, *, grid: Grid, cells: np.ndarray) -> np.ndarray | None:
    """One period's quartic KDE per km² on the study cells (a task): ``item`` is
    ``(bandwidth_m, u, v, weight)`` of its distinct points; None without any."""
    bandwidth_m, u, v, w = item
    if not len(u):
        return None
    return engines.exact(u, v, w, float(bandwidth_m), grid, "quartic", engine=LOCAL).ravel()[cells] * 1e6
