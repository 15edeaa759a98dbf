"""Micro-places: hot cells of a surface split into places a patrol can cover, each no more
than ``max_across_m`` across, grouped by the hotspot (parent) they belong to.

Crime concentrates at micro-places: about half of it at a few per cent of street segments
(Weisburd 2015). A hotspot of a few square kilometres ("the city centre") cannot be tasked;
its streets, venues and hubs can. So a large hotspot is split at the peaks of the surface
by a top-down, marker-based watershed with a size cap:

- **Hot cells**: ``hot`` marks them (the caller's choice, e.g. the hottest 5% of the study
  area); cells whose surface is NaN (or infinite) are never in a place.
- **Parents**: hot cells that share an **edge** are one parent hotspot (4-connectivity, as
  :mod:`.areas` does), numbered 1, 2, ... by their highest value, ties row-major (north-west
  first).
- **Peaks**: the hot cells that are the highest of their parent's cells within
  ``min_separation_m`` (default ``max_across_m / 2``; centre to centre, a disc on the
  grid). Equal values are ranked row-major (north-west first), so a plateau gives one peak.
- **Growing**: a priority flood from the peaks, highest cell first (ties row-major): a hot
  cell next to labelled cells joins, of the places on its four edges, the one whose peak
  is highest **provided every corner of the cell is within** ``max_across_m / 2`` **of that
  peak cell's centre**, so every place fits in a disc of diameter ``max_across_m``. A cell
  that can join none (too far from every adjacent peak) waits, and is looked at again when
  another neighbour joins a place. When the flood has no cell left that can join, the
  highest cell still waiting (ties row-major) starts a place of its own: it becomes that
  place's peak, the place grows in turn, and so on until every hot cell is in a place.
  (Starting a place at once at each cell that does not fit would cut the rim round a
  capped place into slivers of a few cells.)
- **Places** are numbered 1, 2, ... by descending peak value, ties row-major. Every hot cell
  is in exactly one place; every place is 4-connected and lies in one parent. A place's peak
  is the cell it grew from; where the flood climbed over a lower rise onto a cell that is
  not a peak (one within ``min_separation_m`` of a higher cell), the place can hold a cell
  hotter than its peak.

A cell wider corner to corner than ``max_across_m`` (``cell_size_m x sqrt(2)`` above it)
fits in no place: each hot cell is then a place of its own and the card warns, naming a
cell size that fits. The flood is one heap-ordered pass over the hot cells (they are a few
per cent of the grid); the peaks come from maximum filters over rectangles that make up the
disc.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from ..hotspots.card import MethodCard
from ..hotspots.grid import Grid
from ..validation import check_number, check_type
from .errors import SurfaceError

WHERE = "micro_places"

#: The default largest place, metres across: a few hundred metres, a warden patrol's beat.
MAX_PLACE_ACROSS_M: float = 250.0
#: Relative tolerance on distances, so that a corner exactly on the disc's edge is inside.
_TOL = 1e-9

_EDGE = np.array([[False, True, False], [True, True, True], [False, True, False]])  # edge neighbours only


@dataclass(frozen=True)
class MicroPlaces:
    """What :func:`micro_places` returns.

    Attributes
    ----------
    labels : numpy.ndarray of int64, shape (rows, cols)
        On ``grid`` (row 0 north): 0 = not in a place, 1..n = the place.
    parent : numpy.ndarray of int64, shape (n,)
        Per place (index i is place i + 1) its parent hotspot, 1..m.
    peak : numpy.ndarray of int64, shape (n, 2)
        Per place the ``(row, col)`` of its peak cell, the cell it grew from.
    peak_value : numpy.ndarray of float64, shape (n,)
        The surface at each peak (the surface's units, e.g. incidents per km²).
    grid : Grid
    card : MethodCard
        Method ``"micro_places"``: ``max_across_m`` and ``min_separation_m`` with their
        rules, the rule in words and the counts (hot cells, parents, peaks, places).
    """

    labels: np.ndarray
    parent: np.ndarray
    peak: np.ndarray
    peak_value: np.ndarray
    grid: Grid
    card: MethodCard

    @property
    def count(self) -> int:
        """The number of places, n."""
        return int(self.parent.shape[0])

    def outlines(self) -> np.ndarray:
        """Object array of the n places as shapely Polygons (EPSG:27700 metres), the union of
        each place's cells, with holes where it encloses other cells; index i is place i + 1."""
        return _outlines(self.labels, self.count, self.grid)

    def parent_outlines(self) -> np.ndarray:
        """Object array of the m parent hotspots as shapely Polygons (EPSG:27700 metres), the
        union of each parent's cells; index j is parent j + 1."""
        parents = np.concatenate([np.zeros(1, np.int64), self.parent])[self.labels]
        return _outlines(parents, int(self.parent.max()) if self.count else 0, self.grid)


def micro_places(surface: np.ndarray, grid: Grid, hot: np.ndarray, *, max_across_m: float = MAX_PLACE_ACROSS_M,
                 min_separation_m: float | None = None) -> MicroPlaces:
    """Split hot cells into places no more than ``max_across_m`` across (see the module notes).

    Parameters
    ----------
    surface : numpy.ndarray of float, shape (rows, cols)
        Values on ``grid`` (row 0 north), e.g. :attr:`.kde.KdeResult.density` in incidents
        per km². NaN cells are never in a place. Not modified.
    grid : Grid
    hot : numpy.ndarray of bool, shape (rows, cols)
        The hot cells, e.g. ``surface >= level`` for the hottest 5% of the study area.
        Not modified.
    max_across_m : float, default=250.0
        The largest place, metres: every place fits in a disc of this diameter around its
        peak cell's centre, > 0 (:data:`MAX_PLACE_ACROSS_M`).
    min_separation_m : float, optional
        Metres, > 0: a peak is the highest cell of its parent within this distance.
        Default: ``max_across_m / 2``.

    Returns
    -------
    MicroPlaces
        ``labels`` [rows, cols] (0 = none, 1..n), ``parent``, ``peak`` and ``peak_value``
        per place, ``grid`` and ``card``; ``outlines()`` and ``parent_outlines()`` as
        polygons. No hot cell gives n = 0 and empty arrays.

    Raises
    ------
    TypeError
        For a surface, grid or mask of the wrong type, or a number that is not one.
    SurfaceError
        For an option out of range, or a surface or mask of another shape than the grid.

    Examples
    --------
    A street of eight 50 m cells with rises of 9 and 7 that are 250 m apart: one hotspot,
    two places of at most 300 m across. The lowest cell, 1, is 150 m from the 9, so its far
    corners are 177 m from that peak's centre, more than 300 / 2: it joins the 7.

    >>> grid = Grid(0.0, 0.0, 50.0, nx=8, ny=1)
    >>> surface = np.array([[3, 9, 4, 2, 1, 5, 7, 6]], float)
    >>> places = micro_places(surface, grid, surface > 0, max_across_m=300)
    >>> places.labels.tolist(), places.parent.tolist(), places.peak.tolist()
    ([[1, 1, 1, 1, 2, 2, 2, 2]], [1, 1], [[0, 1], [0, 6]])
    >>> [round(p.length) for p in places.outlines()]
    [500, 500]
    """
    values, cells = _basic_checks(surface, grid, hot)
    check_number(max_across_m, "max_across_m", WHERE, error=SurfaceError)
    if min_separation_m is not None:
        check_number(min_separation_m, "min_separation_m", WHERE, error=SurfaceError)
    card = _card(grid, max_across_m, min_separation_m)
    separation = card.parameters["min_separation_m"]
    dropped = int((hot & ~cells).sum())
    if dropped:
        card.warn(f"{dropped:,} hot cells have no surface value (NaN or infinite) and are in no place; "
                  "pass a mask of cells with values, e.g. hot & np.isfinite(surface).")

    rows, cols = np.nonzero(cells)  # row-major
    order = np.argsort(-values[rows, cols], kind="stable")  # highest first, ties row-major
    rows, cols = rows[order], cols[order]
    from scipy import ndimage

    raw, m = ndimage.label(cells, structure=_EDGE)
    first = np.unique(raw[rows, cols], return_index=True)[1]  # each parent's highest cell
    renumber = np.zeros(m + 1, np.int64)
    renumber[1 + np.argsort(first, kind="stable")] = np.arange(1, m + 1)
    is_peak = _peaks(raw, first, rows, cols, separation / grid.cell_size_m)
    limit = (max_across_m / grid.cell_size_m) ** 2 * (1 + _TOL)
    member, seeds = _flood(rows, cols, _neighbours(rows, cols, grid.shape), is_peak, limit)

    seeds = np.asarray(seeds, np.int64)
    rank = np.argsort(seeds, kind="stable")  # seeds are positions in priority order
    final = np.empty(len(seeds) + 1, np.int64)
    final[0] = 0
    final[1 + rank] = np.arange(1, len(seeds) + 1)
    labels = np.zeros(grid.shape, np.int64)
    labels[rows, cols] = final[np.asarray(member, np.int64)]
    top = seeds[rank]
    peak = np.column_stack([rows[top], cols[top]]).astype(np.int64).reshape(-1, 2)
    parent = renumber[raw[rows[top], cols[top]]]
    peak_value = values[rows[top], cols[top]].astype(np.float64)
    card.data.update(hot_cells=len(rows), parents=int(m), peaks=int(is_peak.sum()), places=len(seeds),
                     places_started_by_the_size_cap=int((~is_peak[top]).sum()))
    return MicroPlaces(labels, parent, peak, peak_value, grid, card)


# --- private steps ----------------------------------------------------------------------


def _basic_checks(surface, grid, hot) -> tuple[np.ndarray, np.ndarray]:
    """``(values as float, hot cells with a finite value)``; TypeError or SurfaceError."""
    check_type(grid, "grid", WHERE, Grid, type_name="a Grid")
    for value, name, kind in ((surface, "surface", "a float"), (hot, "hot", "a bool")):
        check_type(value, name, WHERE, np.ndarray, type_name=f"{kind} numpy array of the grid's shape")
        ok = value.dtype == bool if name == "hot" else (np.issubdtype(value.dtype, np.integer)
                                                          or np.issubdtype(value.dtype, np.floating))
        if not ok:
            raise TypeError(f"The '{name}' parameter of {WHERE} must be {kind} numpy array of the grid's shape. "
                            f"Got an array of {value.dtype} instead.")
        if value.shape != grid.shape:
            raise SurfaceError(f"{WHERE}: '{name}' has shape {value.shape} but the grid is {grid.shape} "
                               "(rows, cols); pass the grid the surface was made on and a mask of that surface.")
    values = np.asarray(surface, dtype=float)
    return values, hot & np.isfinite(values)


def _card(grid: Grid, max_across_m: float, min_separation_m: float | None) -> MethodCard:
    card = MethodCard("micro_places")
    card.choose("max_across_m", float(max_across_m), "given" if max_across_m != MAX_PLACE_ACROSS_M else
                f"{MAX_PLACE_ACROSS_M:g} m, a few hundred metres a patrol covers; crime concentrates at micro-places "
                "(Weisburd 2015) (default)")
    if min_separation_m is None:
        card.choose("min_separation_m", float(max_across_m) / 2, "max_across_m / 2 (default)")
    else:
        card.choose("min_separation_m", float(min_separation_m), "given")
    c = grid.cell_size_m
    card.data["cell_size_m"] = c
    card.data["rule"] = ("hot cells sharing an edge are one parent hotspot; peaks are the highest cells of their "
                         "parent within min_separation_m; places grow from the peaks, highest cell first, each cell "
                         "joining the adjacent place with the highest peak whose centre is within max_across_m / 2 "
                         "of all its corners; when no cell can join, the highest cell left starts a place")
    if c * math.sqrt(2) > max_across_m * (1 + _TOL):
        fits = max_across_m / math.sqrt(2)
        fits = math.floor(fits / 10) * 10 if fits >= 10 else math.floor(fits * 10) / 10
        card.warn(f"cells of {c:g} m are {c * math.sqrt(2):.0f} m corner to corner, wider than max_across_m "
                  f"({max_across_m:g} m): no place fits, so each hot cell is a place of its own; make the surface "
                  f"with cell_size_m of at most {fits:g}, or raise max_across_m.")
    elif card.parameters["min_separation_m"] < c:
        card.warn(f"min_separation_m ({card.parameters['min_separation_m']:g} m) is less than the cell size "
                  f"({c:g} m): every hot cell is a peak and a place of its own; use min_separation_m of at least "
                  f"{c:g}.")
    return card


def _peaks(raw: np.ndarray, first: np.ndarray, rows: np.ndarray, cols: np.ndarray, radius: float) -> np.ndarray:
    """Per hot cell (in priority order) whether it is the highest of its parent within
    ``radius`` cells (centre to centre)."""
    n = len(rows)
    is_peak = np.zeros(n, bool)
    is_peak[first] = True  # a parent's highest cell is always a peak
    if n == 0 or radius < 1:
        is_peak[:] = radius < 1  # the disc is the cell itself
        return is_peak
    priority = np.zeros(raw.shape, np.int64)
    priority[rows, cols] = n - np.arange(n)  # n for the highest cell, 1 for the lowest; 0 = not hot
    from scipy import ndimage

    rects = _disc_rectangles(radius)
    for k, box in enumerate(ndimage.find_objects(raw), start=1):
        if box is None or math.hypot(box[0].stop - box[0].start - 1, box[1].stop - box[1].start - 1) \
                <= radius * (1 + _TOL):
            continue  # every two cells are within the radius: only the highest is a peak
        own = np.where(raw[box] == k, priority[box], 0)
        best = np.zeros_like(own)
        for half_rows, half_cols in rects:
            np.maximum(best, ndimage.maximum_filter(own, size=(2 * half_rows + 1, 2 * half_cols + 1),
                                                    mode="constant", cval=0), out=best)
        top = own[(own > 0) & (own == best)]
        is_peak[n - top] = True
    return is_peak


def _disc_rectangles(radius: float) -> list[tuple[int, int]]:
    """``(half rows, half cols)`` of rectangles whose union is the disc of offsets within
    ``radius`` cells, so a maximum over the disc is the largest of separable maxima."""
    r2 = radius * radius * (1 + _TOL)
    widths = [math.isqrt(int(math.floor(r2 - d * d))) for d in range(math.isqrt(int(math.floor(r2))) + 1)]
    return [(d, w) for d, w in enumerate(widths) if d == len(widths) - 1 or widths[d + 1] < w]


def _neighbours(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> list[int]:
    """The four edge neighbours of each hot cell as positions in priority order, four in a
    row per cell (one flat list); ``len(rows)`` (a sentinel) where the neighbour is not hot
    or off the grid."""
    n = len(rows)
    position = np.full((shape[0] + 2, shape[1] + 2), n, np.int64)
    position[rows + 1, cols + 1] = np.arange(n)
    return np.column_stack([position[rows, cols + 1], position[rows + 2, cols + 1],
                            position[rows + 1, cols], position[rows + 1, cols + 2]]).ravel().tolist()


def _flood(rows: np.ndarray, cols: np.ndarray, neighbours: list[int], is_peak: np.ndarray,
           limit: float) -> tuple[list[int], list[int]]:
    """The priority flood: ``(place of each hot cell, the position of each place's peak)``,
    places numbered from 1 in the order they start. Positions are indices into ``rows`` and
    ``cols`` (priority order), so the heap pops the highest cell, ties row-major.

    A cell that fits no adjacent place waits; it is queued again when another neighbour is
    labelled. When the heap is empty, the highest cell still waiting (or never reached)
    starts a place and the flood goes on from it.
    """
    n = len(rows)
    row, col, seed = rows.tolist(), cols.tolist(), is_peak.tolist()
    place = [0] * (n + 1)  # the sentinel n stays 0
    queued = bytearray(n + 1)  # 1 while queued and once labelled; 0 before, and while waiting
    queued[n] = 1
    peak_of = [0]
    heap = np.flatnonzero(is_peak).tolist()  # ascending: already a heap
    for p in heap:
        queued[p] = 1
    pop, push, nxt = heapq.heappop, heapq.heappush, 0
    while True:
        if heap:
            p = pop(heap)
            r, c, best, best_peak = row[p], col[p], 0, n
            around = neighbours[4 * p:4 * p + 4]
            if not seed[p]:
                for q in around:
                    label = place[q]
                    if label and peak_of[label] < best_peak:
                        k = peak_of[label]
                        dr, dc = 2 * abs(r - row[k]) + 1, 2 * abs(c - col[k]) + 1
                        if dr * dr + dc * dc <= limit:  # every corner within max_across_m / 2 of the peak's centre
                            best, best_peak = label, k
                if not best:
                    queued[p] = 0  # waits
                    continue
            else:
                peak_of.append(p)
                best = len(peak_of) - 1
        else:  # the highest cell that fits no place (or that no flood reached) starts one
            while nxt < n and place[nxt]:
                nxt += 1
            if nxt == n:
                break
            p, around = nxt, neighbours[4 * nxt:4 * nxt + 4]
            queued[p] = 1
            peak_of.append(p)
            best = len(peak_of) - 1
        place[p] = best
        for q in around:
            if not queued[q]:
                queued[q] = 1
                push(heap, q)
    return place[:n], peak_of[1:]


def _outlines(labels: np.ndarray, count: int, grid: Grid) -> np.ndarray:
    """Object array of ``count`` polygons: the union of the cells labelled 1..count."""
    return grid.region_outlines(labels, count)
