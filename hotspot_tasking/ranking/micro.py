"""Hotspot places for a tasking list: the hottest cells of the surface that predicts best,
split into micro-places a patrol can cover.

:func:`surface_places`:

1. the study area: the context's (the ward layer's union, else the LSOA layer's), else the
   box round the selected incidents; the cell size is
   :func:`~hotspot_tasking.surfaces.candidates.tasking_cell_size_m` of the study area's own
   incidents (the import margin chooses nothing) unless given;
2. the candidate surfaces (:mod:`~hotspot_tasking.surfaces.candidates`: last period's
   counts, longer windows with and without decay, narrow kernels floored at the study
   area's typical location precision) are scored by the rolling backtest of
   :mod:`~hotspot_tasking.surfaces.choice` on the periods up to the one reviewed,
   and the best (or the one asked for) is used;
3. its hottest cells at the end of the review period covering ``hot_coverage`` of the
   study area (above 0), with the cells touching them (police.uk's map points a cell or
   two apart on one street join up), are the hotspots, split at their peaks into places no wider than
   ``place_max_across_m`` (:func:`~hotspot_tasking.surfaces.microplaces.micro_places`); the
   connected hot region a place belongs to is its group;
4. a place is hot in a period when one of its cells is among that period's hottest cells
   on the same surface (for persistence).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import shapely

from ..hotspots.card import MethodCard
from ..hotspots.grid import Grid
from ..hotspots.kde import weighted_median
from ..periods import ReviewPeriod, review_period
from ..surfaces.candidates import SurfaceStack, candidate_surfaces, tasking_cell_size_m, top_cells
from ..surfaces.choice import SurfaceChoice, choose_surface
from ..surfaces.microplaces import micro_places
from .candidates import CandidatePlaces
from .request import RankingContext, TaskingRequest
from .selection import ReviewSelection, select_review_incidents

#: A group of places reaches this many times ``place_max_across_m`` from its hottest place.
GROUP_RADIUS = 2.0
#: Extra periods of history the surface backtest needs beyond its pairs: the longest window less one.
SURFACE_HISTORY = 11


@dataclass
class SurfacePlaces:
    """Micro-places and what they were made from.

    Attributes
    ----------
    places : CandidatePlaces
        Kind "hotspot", with (row, place) pairs over the ranking's selection.
    group : numpy.ndarray of int
        Per place, its hotspot group (1..m: the connected hot region it is part of).
    hot : numpy.ndarray of bool, shape (places, periods)
        Per place and period of the selection: one of its cells among the hottest.
    choice : SurfaceChoice
        The backtest and the surface chosen.
    cards : list of MethodCard
        The surface card and the micro-places card.
    """

    places: CandidatePlaces
    group: np.ndarray
    hot: np.ndarray
    choice: SurfaceChoice
    cards: list[MethodCard]


def history_periods(config) -> int:
    """Periods before the review period the surface needs: its backtest pairs and the longest window."""
    return int(config.backtest_periods) + SURFACE_HISTORY


def surface_places(long: ReviewSelection, sel: ReviewSelection, review: ReviewPeriod, request: TaskingRequest,
                   context: RankingContext, *, within: np.ndarray | None = None) -> SurfacePlaces:
    """The hotspot places of the review period, from the surface the backtest chose.

    Parameters
    ----------
    long : ReviewSelection
        The selection over :func:`history_periods` periods before the review period (the
        backtest's history).
    sel : ReviewSelection
        The ranking's selection (``long.last(...)``): places get (row, place) pairs over it.
    review : ReviewPeriod
    request : TaskingRequest
        Its ``cell_size_m``, ``bandwidth_m`` and ``surface`` (a pinned candidate) are used.
    context : RankingContext
        The study area and ``[ranking]``.
    within : numpy.ndarray of shapely geometries, optional
        Hotspot outlines found another way (DBSCAN's clusters): their cells with a score
        above 0 are split instead of the hottest ``hot_coverage`` of the study area.

    Returns
    -------
    SurfacePlaces
    """
    from scipy import ndimage

    config = context.config
    stack, choice = _backtest(long, review, request, context)
    grid = stack.grid
    scores = stack.scores(choice.chosen)
    k = max(1, math.floor(config.hot_coverage * len(stack.cells) + 1e-9))
    offset = long.periods - sel.periods  # hot flags for the ranking's periods only
    hot_by_period = np.stack([top_cells(scores[t], k)[0] & (scores[t] > 0) for t in range(offset, long.periods)])
    now = hot_by_period[-1]
    if within is None:
        linked = ndimage.binary_dilation(_on_grid(stack, now), structure=np.ones((3, 3), bool)) & stack.mask
    else:
        outline = shapely.union_all(within) if len(within) else shapely.Polygon()
        linked = grid.within(outline) & stack.mask & (np.nan_to_num(stack.to_grid(scores[-1])) > 0)
    split = micro_places(np.nan_to_num(stack.to_grid(scores[-1])), grid, linked,
                         max_across_m=config.place_max_across_m)
    split.card.choose("max_across_m", float(config.place_max_across_m),
                      "tasking.toml [ranking] place_max_across_m: a place a patrol can cover on foot")
    split.card.data["hot_cells"] = int(linked.sum())
    if within is not None:
        split.card.choose("hot_cells", "the cells inside the hotspot outlines given (DBSCAN's clusters) with a "
                          "score above 0", "given")
    split.card.choose("hot_coverage", float(config.hot_coverage),
                      f"the hottest {k:,} of the study area's {len(stack.cells):,} cells ({config.hot_coverage:.0%} of "
                      "its area; ties in row-major order), each above 0, at the end of the review period, with the "
                      "cells touching them (so map points a cell or two apart on one street make one place)")
    labels = split.labels.ravel()
    ux, uy = sel.points
    row, col = grid.locate(ux, uy)
    at = np.where(row >= 0, labels[np.maximum(row, 0) * grid.nx + np.maximum(col, 0)], 0)
    point_place = at - 1  # -1: in no place
    rows = np.flatnonzero(point_place[sel.inverse] >= 0)
    cand = point_place[sel.inverse][rows]
    order = np.lexsort((rows, cand))
    count = split.count
    geoms = split.outlines() if count else np.empty(0, dtype=object)
    places = CandidatePlaces("hotspot", [""] * count, [""] * count, geoms, rows[order], cand[order])
    study_labels = labels[stack.cells]
    flags = np.zeros((count, sel.periods), bool)
    for t in range(sel.periods):  # one step per period
        flags[:, t] = np.bincount(study_labels[hot_by_period[t]], minlength=count + 1)[1:] > 0
    if within is None:
        group = place_groups(split.parent, split.peak, grid.cell_size_m,
                             radius_m=GROUP_RADIUS * config.place_max_across_m)
    else:  # the cluster holding the place's peak
        cluster = np.zeros(grid.shape, np.int64)
        for j, outline in enumerate(within):  # one step per cluster
            cluster[grid.within(outline) & linked & (cluster == 0)] = j + 1
        group = cluster[split.peak[:, 0], split.peak[:, 1]] if count else np.zeros(0, np.int64)
    split.card.data["groups"] = int(len(np.unique(group))) if count else 0
    split.card.rules["groups"] = (f"places of one connected hot area within {GROUP_RADIUS:g} x place_max_across_m of "
                                  "the hottest place not yet in a group")
    return SurfacePlaces(places, group, flags, choice, [choice.card, split.card])


def place_groups(parent: np.ndarray, peak: np.ndarray, cell_size_m: float, *, radius_m: float) -> np.ndarray:
    """Per place, its group: the hottest place not yet grouped anchors a group, and every place of
    its connected hot area whose peak is within ``radius_m`` of the anchor's joins it.

    Places must come hottest first (as :func:`~hotspot_tasking.surfaces.microplaces.micro_places`
    numbers them), so a city centre of many places reads as a few groups a patrol officer can
    picture ("part of the hotspot round Electric Avenue"), not one.

    >>> place_groups(np.array([1, 1, 1, 2]), np.array([[0, 0], [0, 3], [0, 30], [0, 1]]), 10.0,
    ...              radius_m=100).tolist()
    [1, 1, 2, 3]
    """
    n = len(parent)
    group = np.zeros(n, np.int64)
    if not n:
        return group
    from scipy.spatial import cKDTree

    xy = peak.astype(float) * cell_size_m
    tree = cKDTree(xy)
    anchors = 0
    for i in range(n):  # one step per place, hottest first; a neighbour search each, not a scan
        if group[i]:
            continue
        anchors += 1
        near = np.asarray(tree.query_ball_point(xy[i], radius_m), dtype=np.int64)
        near = near[(group[near] == 0) & (parent[near] == parent[i])]
        group[near] = anchors
    return group


def backtest_surfaces(incidents, request: TaskingRequest, context: RankingContext) -> SurfaceChoice:
    """The surface backtest a tasking list of ``request`` uses, on its own (for the CLI's ``backtest``).

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incident table. Not modified.
    request : TaskingRequest
        The period (the last whose incidents are used), band, filters, cell, bandwidth and
        pinned surface.
    context : RankingContext

    Returns
    -------
    SurfaceChoice
    """
    review = review_period(request.period)
    long = select_review_incidents(incidents, review, history_periods(context.config), request.band, context.bands,
                                   request.categories, request.groups, request.sources)
    return _backtest(long, review, request, context)[1]


def _backtest(long: ReviewSelection, review: ReviewPeriod, request: TaskingRequest,
              context: RankingContext) -> tuple[SurfaceStack, SurfaceChoice]:
    """The per-period fields of the study area and the backtest's choice."""
    config = context.config
    e, n = long.frame["easting"].to_numpy(float), long.frame["northing"].to_numpy(float)
    area = context.study_area
    inside = _inside(area, *long.points)[long.inverse]  # tested once per map point
    grid = _grid(area, e[inside], n[inside], request, config)
    mask = grid.within(area) if area is not None else np.ones(grid.shape, bool)
    stack = SurfaceStack(long.pos, e, n, long.weight, long.periods, grid, mask)
    precision = _precision(long, inside)
    candidates = candidate_surfaces(grid.cell_size_m, precision_m=precision, bandwidth_m=request.bandwidth_m)
    choice = choose_surface(stack, long.labels, candidates, pairs=int(config.backtest_periods),
                            pinned=request.surface, every=review.every)
    choice.card.data["location_precision_m"] = precision
    widths = sorted({s.bandwidth_m for s in candidates if s.bandwidth_m})
    choice.card.choose("bandwidth_m", widths if len(widths) > 1 else widths[0],
                       "given" if request.bandwidth_m is not None else
                       "the candidate kernels: 1, 2 and 3 cells, each raised to the study area's weighted median "
                       "location precision (repeats dropped)")
    return stack, choice


def _inside(area, e: np.ndarray, n: np.ndarray) -> np.ndarray:
    if area is None:
        return np.ones(len(e), bool)
    shapely.prepare(area)
    inside = shapely.contains_xy(area, e, n)
    return inside if inside.any() else np.ones(len(e), bool)


def _grid(area, e: np.ndarray, n: np.ndarray, request: TaskingRequest, config) -> Grid:
    """The tasking grid over the study area (else its incidents), with the cell rule in words."""
    bounds = area.bounds if area is not None else (e.min(), n.min(), e.max(), n.max())
    if request.cell_size_m is not None:
        return Grid.covering(bounds, cell_size_m=request.cell_size_m)
    extent = (e.min(), n.min(), e.max(), n.max()) if len(e) else bounds
    cell = tasking_cell_size_m(extent, max_across_m=config.place_max_across_m)
    rule = (f"shorter side of the study area's incidents' extent / 50, rounded down to 10 m, at most "
            f"place_max_across_m / 5 ({config.place_max_across_m:g} m / 5) so a place spans several cells")
    return replace(Grid.covering(bounds, cell_size_m=cell), rule=rule)


def _precision(sel: ReviewSelection, inside: np.ndarray) -> float:
    """The weighted median location precision of the study area's incidents, metres (0 without)."""
    if "location_precision_m" not in sel.frame.columns:
        return 0.0
    values = sel.frame["location_precision_m"].to_numpy(dtype=float, na_value=np.nan)
    ok = inside & np.isfinite(values) & (sel.weight > 0)
    return weighted_median(values[ok], sel.weight[ok]) if ok.any() else 0.0


def _on_grid(stack: SurfaceStack, cells: np.ndarray) -> np.ndarray:
    out = np.zeros(stack.grid.cells, bool)
    out[stack.cells[cells]] = True
    return out.reshape(stack.grid.shape)
