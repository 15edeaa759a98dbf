"""How well hotspots found on one period predict the next: hit rate, the predictive
accuracy index (PAI) and the recapture rate index (RRI), against the naive baseline of
last period's counts; and a rolling backtest over consecutive periods.

Given a score per cell from period *t* (KDE density, counts, Gi* z ...) and the counts
in period *t+1*, the cells are ranked by score and the top ``share`` of the study area's
cells is taken as the hotspot (``floor(share x cells)``, at least 1 cell; equal cells, so
area shares are cell shares). With *n* incidents of *t+1* in those cells out of *N* in
the study area, *a* the hotspot's area and *A* the study area's:

- hit rate = n / N (Chainey, Tompson & Uhlig 2008);
- PAI = (n / N) / (a / A) (Chainey et al. 2008): 1 is no better than chance;
- RRI = (n / n_t) / (N / N_t), with n_t and N_t the counts of period *t* in the same
  hotspot cells and the whole study area (Levine 2008, CrimeStat III, the "recapture
  rate index"): above 1 the hotspot kept more of its crime than the area as a whole.
  NaN when n_t, N_t or N is 0.

Ties: cells are ranked by descending score with a stable sort over the cells in row-major
order (north-west first), so among cells with equal scores the more northerly, then
westerly, come first; NaN scores rank last. The choice is deterministic and does not
look at the outcomes; ``tied_left_out`` says how many cells with the cut score were left
out, so a reader can see when ties matter (naive counts tie a lot).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..boundaries.stats import PeriodKind
from .card import MethodCard
from .errors import HotspotError
from .grid import Grid
from .persistence import PERIOD_KINDS, bin_periods, flag_thin_periods, period_positions
from .validate import check_choice, check_number, check_points, grid_mask, weights_of

DEFAULT_SHARES: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10)
NAIVE = "naive"

ACCURACY_COLUMNS = ("share", "cells", "area_km2", "area_share", "hits", "total", "hit_rate", "pai",
                    "hits_before", "total_before", "rri", "tied_left_out")


@dataclass(frozen=True)
class BacktestResult:
    """What :func:`backtest` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (period, share, method): ``period`` (scored), ``next_period``
        (evaluated), ``method`` then the columns of :func:`accuracy`.
    summary : pandas.DataFrame
        One row per (method, share): mean ``hit_rate``, ``pai``, ``rri`` over the periods
        (NaN left out) and ``periods`` (pairs evaluated).
    card : MethodCard
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    card: MethodCard


def accuracy(scores, outcomes, *, cell_area_km2: float, shares: Sequence[float] = DEFAULT_SHARES,
             study_mask: np.ndarray | None = None, counts_before=None) -> pd.DataFrame:
    """Hit rate, PAI and RRI of the top-scoring cells at each share of the study area.

    Parameters
    ----------
    scores : array-like of float
        A score per cell from period t (any shape, e.g. ``[rows, cols]``); higher is hotter;
        NaN ranks last.
    outcomes : array-like of float
        Incidents (or weights) per cell in period t+1, same shape, 0 or more.
    cell_area_km2 : float
        The area of one cell in km² (``grid.cell_area_km2``).
    shares : sequence of float, default=(0.01, 0.02, 0.05, 0.10)
        Shares (0 to 1] of the study area's cells to take as the hotspot.
    study_mask : bool array, optional
        The cells of the study area, same shape; default every cell.
    counts_before : array-like of float, optional
        Incidents per cell in period t, same shape; needed for the RRI (NaN without).

    Returns
    -------
    pandas.DataFrame
        One row per share: ``share``, ``cells`` (in the hotspot), ``area_km2``,
        ``area_share`` (of the study area), ``hits`` (t+1 incidents in the hotspot),
        ``total`` (t+1 incidents in the study area), ``hit_rate``, ``pai``,
        ``hits_before``, ``total_before`` (the same for period t), ``rri``,
        ``tied_left_out`` (cells with the cut score left out of the hotspot).

    Examples
    --------
    Ten cells of 0.01 km²; the third and fourth tie on 5 and the third (first in row-major
    order) is taken:

    >>> scores = np.array([9, 7, 5, 5, 3, 2, 1, 0, 0, 0], float)
    >>> after = np.array([4, 2, 0, 1, 1, 0, 0, 2, 0, 0], float)
    >>> before = np.array([6, 3, 2, 1, 0, 1, 1, 0, 0, 0], float)
    >>> out = accuracy(scores, after, cell_area_km2=0.01, shares=(0.1, 0.2, 0.3), counts_before=before)
    >>> out[["cells", "hits", "hit_rate", "pai", "tied_left_out"]].values.tolist()
    [[1.0, 4.0, 0.4, 4.0, 0.0], [2.0, 6.0, 0.6, 3.0, 0.0], [3.0, 6.0, 0.6, 2.0, 1.0]]
    >>> out["rri"].round(4).tolist()  # (4/6)/(10/14), (6/9)/(10/14), (6/11)/(10/14)
    [0.9333, 0.9333, 0.7636]
    """
    where = "accuracy"
    check_number(cell_area_km2, "cell_area_km2", where)
    shares = _check_shares(shares, where)
    s = np.asarray(scores, dtype=float)
    y = _nonnegative(outcomes, "outcomes", s.shape, where)
    b = None if counts_before is None else _nonnegative(counts_before, "counts_before", s.shape, where)
    if study_mask is None:
        mask = np.ones(s.shape, bool)
    else:
        mask = np.asarray(study_mask)
        if mask.dtype != bool or mask.shape != s.shape:
            raise HotspotError(f"{where}: study_mask must be a bool array of the scores' shape {s.shape}; "
                               f"got {mask.dtype} {mask.shape}.")
    if not mask.any():
        raise HotspotError(f"{where}: the study area has no cells; check study_mask.")
    key = np.where(np.isnan(s[mask]), -np.inf, s[mask])  # row-major order of the cells
    order = np.argsort(-key, kind="stable")
    n = key.size
    ks = np.array([max(1, math.floor(share * n + 1e-9)) for share in shares], dtype=np.int64)
    desc = key[order]
    cut = desc[ks - 1]
    tied_left_out = np.searchsorted(-desc, -cut, side="right") - ks
    hits = np.cumsum(y[mask][order])[ks - 1]
    total = float(y[mask].sum())
    area_share = ks / n
    with np.errstate(divide="ignore", invalid="ignore"):
        hit_rate = hits / total if total > 0 else np.full(len(ks), np.nan)
        pai = (hits * n) / (total * ks) if total > 0 else np.full(len(ks), np.nan)  # (n/N) / (a/A), exact
        if b is not None:
            hits_before = np.cumsum(b[mask][order])[ks - 1]
            total_before = float(b[mask].sum())
            ok = (hits_before > 0) & (total_before > 0) & (total > 0)
            rri = np.where(ok, (hits / hits_before) / (total / total_before), np.nan)
        else:
            hits_before = np.full(len(ks), np.nan)
            total_before = np.nan
            rri = np.full(len(ks), np.nan)
    return pd.DataFrame({
        "share": np.asarray(shares, dtype=float),
        "cells": ks.astype(float),
        "area_km2": ks * float(cell_area_km2),
        "area_share": area_share,
        "hits": hits.astype(float),
        "total": np.full(len(ks), total),
        "hit_rate": hit_rate,
        "pai": pai,
        "hits_before": np.asarray(hits_before, dtype=float),
        "total_before": np.full(len(ks), total_before, dtype=float),
        "rri": rri,
        "tied_left_out": tied_left_out.astype(float),
    }, columns=list(ACCURACY_COLUMNS))


def naive_scores(counts_t) -> np.ndarray:
    """The naive baseline's score: last period's counts per cell, as a new float array.

    >>> naive_scores([[0, 3], [1, 0]]).tolist()
    [[0.0, 3.0], [1.0, 0.0]]
    """
    return np.array(counts_t, dtype=float, copy=True)


def backtest(incidents: pd.DataFrame, *, grid: Grid, score_fn: Callable[[pd.DataFrame, Grid], np.ndarray],
             period: PeriodKind = "month", shares: Sequence[float] = DEFAULT_SHARES, study_mask=None,
             weights: str | pd.Series | None = None, method_name: str | None = None) -> BacktestResult:
    """Rolling accuracy: score each period, evaluate on the next, beside the naive baseline.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incident table: ``easting``, ``northing``, ``occurred_from``,
        ``time_precision``. Not modified.
    grid : Grid
        The cells scored and evaluated.
    score_fn : callable
        ``score_fn(incidents_of_t, grid) -> [rows, cols] array``; higher is hotter. It gets
        all of period t's incidents (inside the study area or not), with a float column
        ``weight`` (the ``weights`` given, else 1).
    period : {"month", "week"}, default="month"
        Month-only records (police.uk) are left out of weeks and counted in the card.
    shares : sequence of float, default=(0.01, 0.02, 0.05, 0.10)
        Shares of the study area's cells taken as the hotspot.
    study_mask : shapely Polygon or MultiPolygon (EPSG:27700), or bool array, optional
        The study area (cells whose centre lies inside); default every cell.
    weights : str or pandas.Series, optional
        Per-incident weights for the counts (a column, or a band's weights).
    method_name : str, optional
        The model's name in the tables; default ``score_fn.__name__`` (``"model"`` for a lambda).

    Returns
    -------
    BacktestResult
        ``table`` (one row per period, share and method: ``period``, ``next_period``,
        ``method`` and :func:`accuracy`'s columns), ``summary`` (mean ``hit_rate``,
        ``pai``, ``rri`` and ``periods`` per method and share) and ``card``. Pairs where
        either period has no incidents in the study area are skipped and listed in the card.
    """
    where = "backtest"
    card = MethodCard(where)
    if not isinstance(grid, Grid):
        raise TypeError(f"The 'grid' parameter of backtest must be a Grid. Got {type(grid).__name__} instead.")
    if not callable(score_fn):
        raise TypeError("The 'score_fn' parameter of backtest must be callable. "
                        f"Got {type(score_fn).__name__} instead.")
    check_choice(period, "period", where, PERIOD_KINDS)
    shares = _check_shares(shares, where)
    name = method_name or getattr(score_fn, "__name__", "model")
    name = "model" if name == "<lambda>" else name
    if name == NAIVE:
        raise HotspotError(f"backtest: method_name '{NAIVE}' is the baseline's name; choose another.")
    mask = grid_mask(grid, study_mask, where)
    e, n = check_points(incidents, where)
    w = weights_of(incidents, weights, where)
    position, order, unplaced = period_positions(incidents, period)
    cube, outside = bin_periods(position, len(order), grid, e, n, w, mask)
    totals = cube.reshape(len(order), -1).sum(axis=1)
    card.choose("period", period, "given" if period != "month" else "default: calendar months")
    card.choose("shares", list(shares),
                "given" if shares != DEFAULT_SHARES else "default: 1%, 2%, 5% and 10% of the area")
    card.choose("cell_size_m", grid.cell_size_m, "given")
    card.parameters["method"] = name
    card.parameters["baseline"] = "naive: the counts of period t per cell"
    card.rules["method"] = card.rules["baseline"] = "given"
    card.parameters["hotspot"] = "top floor(share x cells) cells by score, at least 1; ties in row-major order"
    card.rules["hotspot"] = "fixed by the method"
    card.data.update(incidents=len(incidents), cells=int(mask.sum()), unplaced=unplaced, outside=outside,
                     grid=f"{grid.nx} x {grid.ny} cells from ({grid.x0:.0f}, {grid.y0:.0f})")
    flag_thin_periods(card, totals, order)
    # Incidents grouped by period once (no per-period scan of the whole table).
    by_period = np.argsort(position, kind="stable")
    bounds = np.searchsorted(position[by_period], np.arange(len(order) + 1))
    frames, skipped = [], []
    for t in range(len(order) - 1):
        if totals[t] <= 0 or totals[t + 1] <= 0:
            skipped.append(f"{order[t]} -> {order[t + 1]}")
            continue
        rows = by_period[bounds[t]:bounds[t + 1]]
        scored = np.asarray(score_fn(incidents.iloc[rows].assign(weight=w[rows]), grid), dtype=float)
        if scored.shape != grid.shape:
            raise HotspotError(f"backtest: score_fn '{name}' returned an array of shape {scored.shape} for "
                               f"{order[t]}; it must be the grid's [rows, cols] shape {grid.shape}.")
        for method, score in ((name, scored), (NAIVE, naive_scores(cube[t]))):
            acc = accuracy(score, cube[t + 1], cell_area_km2=grid.cell_area_km2, shares=shares, study_mask=mask,
                           counts_before=cube[t])
            acc.insert(0, "method", method)
            acc.insert(0, "next_period", order[t + 1])
            acc.insert(0, "period", order[t])
            frames.append(acc)
    if skipped:
        card.warn(f"{len(skipped)} period pairs were skipped because a period has no incidents in the study area: "
                  f"{', '.join(skipped)}.")
    columns = ["period", "next_period", "method", *ACCURACY_COLUMNS]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({c: [] for c in columns})
    for col in ("period", "next_period", "method"):
        table[col] = table[col].astype("str")
    card.data["pairs_evaluated"] = len(frames) // 2
    summary = summarise(table)
    return BacktestResult(table, summary, card)


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Mean ``hit_rate``, ``pai`` and ``rri`` per method and share (NaN left out), with ``periods``.

    Parameters
    ----------
    table : pandas.DataFrame
        :attr:`BacktestResult.table` (or any frame with ``method``, ``share``, ``hit_rate``,
        ``pai``, ``rri``).

    Returns
    -------
    pandas.DataFrame
        Columns ``method, share, hit_rate, pai, rri, periods``; methods in first-seen order.
    """
    if not len(table):
        return pd.DataFrame({c: [] for c in ("method", "share", "hit_rate", "pai", "rri", "periods")})
    grouped = table.groupby(["method", "share"], sort=False)
    out = grouped[["hit_rate", "pai", "rri"]].mean()
    out["periods"] = grouped.size()
    return out.reset_index()


def _check_shares(shares, where: str) -> tuple[float, ...]:
    if isinstance(shares, (str, bytes)) or not hasattr(shares, "__iter__"):
        raise TypeError(f"The 'shares' parameter of {where} must be a sequence of floats. Got {shares!r} instead.")
    shares = tuple(shares)
    if not shares:
        raise HotspotError(f"The 'shares' parameter of {where} must hold at least one share. Got () instead.")
    for share in shares:
        check_number(share, "shares", where, low=0.0, high=1.0, high_open=False)
    return shares


def _nonnegative(values, name: str, shape: tuple, where: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.shape != shape:
        raise HotspotError(f"{where}: '{name}' has shape {arr.shape}, but scores have {shape}; "
                           "they must match cell for cell.")
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        raise HotspotError(f"{where}: '{name}' has {int(bad.sum())} values that are missing, infinite or negative; "
                           "counts must be 0 or more.")
    return arr


