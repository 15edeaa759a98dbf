"""Persistence of hotspots over periods: each cell (or area) classed persistent, new,
emerging, former, intermittent, no pattern or never hot, after sfhotspot's
``hotspot_classify()`` (Chainey 2020's persistent / emerging / former hotspots).

Two steps:

1. **Hot in a period.** By default a cell is hot in a period when it is among the top
   ``hot_share`` (10%) of cells by count that period and has at least ``min_count`` (1)
   incident; cells tied with the last one in are all hot. With ``hot_share=None`` a cell
   is hot whenever its count is at least ``min_count``. A bool frame (for example Gi*'s
   ``class == "hot"`` per period, which is sfhotspot's own per-period rule) is taken as
   the hot flags as it is.
2. **Class over the periods.** The last ``recent_share`` (20%) of the periods, rounded
   down and at least 1, are "recent"; the others "older". With hot shares of all, recent
   and older periods, in this order of precedence:

   ==============  ============================================================
   persistent      hot in at least ``persistent_share`` (80%) of all periods
   new             hot in the last period and in no period before it
   emerging        hot in at least ``min_share`` (10%) of the recent periods and
                   in under ``min_share`` of the older ones
   former          hot in at least ``min_share`` of the older periods and in under
                   ``min_share`` of the recent ones
   intermittent    hot in at least ``min_share`` of all periods
   no pattern      hot in some periods, but under ``min_share`` of them
   never           hot in no period
   ==============  ============================================================

Defaults follow ``sfhotspot::hotspot_classify_params()`` (``persistent_prop = 0.8``,
``recent_prop = 0.2``, ``hotspot_prop = 0.1`` as our ``min_share``). Differences, on
purpose: sfhotspot's recent window takes one period more than it divides by (an
off-by-one in ``ncol - recent_periods``), and it tests emerging against ``recent_prop``
where former uses ``hotspot_prop``; here both use ``min_share``. "new" is ArcGIS's
Emerging Hot Spot Analysis "new hot spot" (hot in the final period only), which
sfhotspot lacks; "never" splits sfhotspot's "no pattern". Periods with no incidents at
all are left out (as sfhotspot does) and said in the card.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd

from ..boundaries.stats import PeriodKind, assign_periods
from .card import MethodCard
from .errors import HotspotError
from .grid import Grid
from .validate import check_choice, check_number, check_points, weights_of

WHERE = "persistence"

PersistenceClass = Literal["persistent", "new", "emerging", "former", "intermittent", "no pattern", "never"]
PERSISTENCE_CLASSES: tuple[str, ...] = get_args(PersistenceClass)
PERIOD_KINDS: tuple[str, ...] = get_args(PeriodKind)

#: Defaults and where they come from (written into the card).
DEFAULTS = {
    "hot_share": (0.1, "top 10% of cells by count each period (house default)"),
    "min_count": (1.0, "a cell needs at least 1 incident to be hot (house default)"),
    "persistent_share": (0.8, "sfhotspot hotspot_classify_params(persistent_prop = 0.8)"),
    "recent_share": (0.2, "sfhotspot hotspot_classify_params(recent_prop = 0.2)"),
    "min_share": (0.1, "sfhotspot hotspot_classify_params(hotspot_prop = 0.1)"),
}
#: A period with less than this share of the median period's incidents is flagged as perhaps incomplete.
THIN_PERIOD_SHARE = 0.25


@dataclass(frozen=True)
class PersistenceResult:
    """What :func:`persistence` returns.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per cell, indexed like the input; columns in :func:`persistence`.
    hot : pandas.DataFrame of bool
        Cell x period: hot or not, for the periods used (empty periods left out).
    card : MethodCard
    """

    frame: pd.DataFrame
    hot: pd.DataFrame
    card: MethodCard

    def on_grid(self, grid: Grid) -> gpd.GeoDataFrame:
        """The frame with cell squares (EPSG:27700), for a frame indexed by ``(row, col)``."""
        if list(self.frame.index.names) != ["row", "col"]:
            raise HotspotError("persistence: on_grid() needs a frame indexed by (row, col), as "
                               "grid_counts_by_period makes it.")
        rows = self.frame.index.get_level_values("row").to_numpy()
        cols = self.frame.index.get_level_values("col").to_numpy()
        mask = np.zeros(grid.shape, bool)
        mask[rows, cols] = True
        cells = grid.cell_polygons(mask)
        joined = cells.merge(self.frame.reset_index(), on=["row", "col"], how="left")
        return gpd.GeoDataFrame(joined, geometry="geometry", crs=cells.crs)


def grid_counts_by_period(incidents: pd.DataFrame, grid: Grid, period: PeriodKind = "month", *,
                          weights: str | pd.Series | None = None, study_mask: np.ndarray | None = None) -> pd.DataFrame:
    """Incidents per grid cell and period: the input of :func:`persistence`.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incident table: ``easting``, ``northing``, ``occurred_from``, ``time_precision``.
        Not modified.
    grid : Grid
    period : {"month", "week"}, default="month"
        Calendar months, or weeks from Monday (``boundaries.stats.assign_periods``).
        Month-only records (police.uk) fit months; in weeks they are left out and counted.
    weights : str or pandas.Series, optional
        Per-incident weights (a column, or a band's weights aligned to ``incidents``).
    study_mask : bool array of the grid's shape, optional
        Only these cells (e.g. ``grid.within(area)``); default every cell.

    Returns
    -------
    pandas.DataFrame
        Index ``(row, col)`` of every cell (row-major, zero counts included), one column per
        period label (``"2017-01"`` or the Monday ``"2017-01-30"``) in time order, empty
        periods included. ``.attrs``: ``unplaced`` (records too vague for the period),
        ``outside`` (incidents off the grid or outside the mask), ``period`` (the kind).
    """
    check_choice(period, "period", "grid_counts_by_period", PERIOD_KINDS)
    mask = _mask_for(grid, study_mask, "grid_counts_by_period")
    cube, order, unplaced, outside = period_cube(incidents, grid, period, weights=weights, mask=mask)
    rows, cols = np.nonzero(mask)
    index = pd.MultiIndex.from_arrays([rows, cols], names=["row", "col"])
    frame = pd.DataFrame(cube[:, rows, cols].T, index=index, columns=pd.Index(order, name="period", dtype="str"))
    frame.attrs.update(unplaced=unplaced, outside=outside, period=period)
    return frame


def persistence(counts_by_period: pd.DataFrame, *, hot_share: float | None = 0.1, min_count: float = 1.0,
                persistent_share: float = 0.8, recent_share: float = 0.2, min_share: float = 0.1) -> PersistenceResult:
    """Class each cell by when it was hot over the periods (see the module docstring).

    Parameters
    ----------
    counts_by_period : pandas.DataFrame
        Cell x period: counts (or weights) with the periods as columns in time order, as
        :func:`grid_counts_by_period` makes them; or bool hot flags taken as they are. Any
        index (grid cells, H3 cells, wards). Not modified.
    hot_share : float or None, default=0.1
        Per period, the top share (0 to 1] of cells by count that are hot; ties with the
        last cell in are all hot. None: hot means ``count >= min_count``.
    min_count : float, default=1.0
        The least count (incidents or weight, > 0) for a cell to be hot in a period.
    persistent_share : float, default=0.8
        Hot in at least this share of all periods: persistent.
    recent_share : float, default=0.2
        The last ``floor(recent_share x periods)`` periods (at least 1) are recent.
    min_share : float, default=0.1
        The least share of periods (all, recent or older) that counts as "hot there".

    Returns
    -------
    PersistenceResult
        ``frame``, indexed like the input, has ``class`` (one of
        :data:`PERSISTENCE_CLASSES`), ``hot_periods``, ``periods`` (used), ``recent_hot``
        (hot periods among the recent ones), ``recent_periods``, ``first_hot`` and
        ``last_hot`` (period labels; ``""`` when never hot). ``hot`` holds the flags;
        ``card`` the thresholds and where they come from.

    Examples
    --------
    Ten months, three cells; the top 1/3 of cells (one cell) is hot each month:

    >>> months = [f"2017-{m:02d}" for m in range(1, 11)]
    >>> counts = pd.DataFrame([[9] * 10, [0] * 8 + [9, 9], [1] * 10], index=["a", "b", "c"], columns=months)
    >>> out = persistence(counts, hot_share=1 / 3)
    >>> out.frame["class"].tolist()
    ['persistent', 'emerging', 'never']
    >>> b = out.frame.loc["b"]
    >>> int(b.hot_periods), b.first_hot, int(b.recent_hot), int(b.recent_periods)
    (2, '2017-09', 2, 2)
    """
    card = MethodCard(WHERE)
    if not isinstance(counts_by_period, pd.DataFrame):
        raise TypeError("The 'counts_by_period' parameter of persistence must be a pandas DataFrame (cells x periods). "
                        f"Got {type(counts_by_period).__name__} instead.")
    flags_given = (len(counts_by_period.columns) > 0
                   and all(pd.api.types.is_bool_dtype(t) for t in counts_by_period.dtypes))
    for name in ("persistent_share", "recent_share", "min_share"):
        check_number(locals()[name], name, WHERE, low=0.0, high=1.0, high_open=False)
    check_number(min_count, "min_count", WHERE)
    if hot_share is not None:
        check_number(hot_share, "hot_share", WHERE, low=0.0, high=1.0, high_open=False)
    for name in ("persistent_share", "recent_share", "min_share"):
        _choose(card, name, locals()[name])
    labels = [str(c) for c in counts_by_period.columns]
    if flags_given:
        hot = counts_by_period.to_numpy(dtype=bool)
        card.choose("hot_rule", "given hot flags", "given")
    else:
        values = _counts(counts_by_period)
        totals = values.sum(axis=0)
        keep = totals > 0
        if (~keep).any():
            empty = [lab for lab, k in zip(labels, keep) if not k]
            card.warn(f"{len(empty)} periods have no incidents and are left out: {', '.join(empty)}.")
        flag_thin_periods(card, totals[keep], [lab for lab, k in zip(labels, keep) if k])
        values = values[:, keep]
        labels = [lab for lab, k in zip(labels, keep) if k]
        hot = hot_flags(values, hot_share=hot_share, min_count=min_count)
        _choose(card, "min_count", min_count)
        if hot_share is None:
            card.choose("hot_rule", f"count >= {min_count:g}", "given")
        else:
            _choose(card, "hot_share", hot_share)
            card.choose("hot_rule", f"top {hot_share:.0%} of cells by count each period, ties included, "
                        f"and count >= {min_count:g}", "from hot_share and min_count")
    frame = _classify(hot, labels, counts_by_period.index, recent_share, persistent_share, min_share, card)
    hot_frame = pd.DataFrame(hot, index=counts_by_period.index, columns=pd.Index(labels, name="period", dtype="str"))
    return PersistenceResult(frame, hot_frame, card)


def hot_flags(values: np.ndarray, *, hot_share: float | None = 0.1, min_count: float = 1.0) -> np.ndarray:
    """Per cell and period, hot or not (``values`` is cells x periods; see :func:`persistence`).

    >>> hot_flags(np.array([[5.0, 0.0], [3.0, 2.0], [3.0, 1.0], [0.0, 1.0]]), hot_share=0.25).tolist()
    [[True, False], [False, True], [False, False], [False, False]]
    >>> hot_flags(np.array([[5.0], [3.0], [3.0], [1.0]]), hot_share=0.5).ravel().tolist()
    [True, True, True, False]
    """
    values = np.asarray(values, dtype=float)
    hot = values >= min_count
    if hot_share is not None and values.shape[0]:
        k = max(1, math.ceil(hot_share * values.shape[0] - 1e-9))
        kth = -np.partition(-values, k - 1, axis=0)[k - 1]  # the k-th largest count of each period
        hot &= values >= kth
    return hot


def period_cube(incidents: pd.DataFrame, grid: Grid, period: PeriodKind, *, weights: str | pd.Series | None = None,
                mask: np.ndarray | None = None) -> tuple[np.ndarray, list[str], int, int]:
    """Counts per period and cell as a ``[period, rows, cols]`` array.

    Returns
    -------
    (cube, order, unplaced, outside)
        ``order``: the period labels; ``unplaced``: records too vague for the period (left
        out); ``outside``: incidents off the grid or outside ``mask`` (left out).
    """
    position, order, unplaced = period_positions(incidents, period)
    e, n = check_points(incidents, WHERE)
    w = weights_of(incidents, weights, WHERE)
    cube, outside = bin_periods(position, len(order), grid, e, n, w, mask)
    return cube, order, unplaced, outside


def bin_periods(position: np.ndarray, n_periods: int, grid: Grid, easting: np.ndarray, northing: np.ndarray,
                weights: np.ndarray, mask: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """``([period, rows, cols] sums of weights, incidents off the grid or outside mask)``; position -1 is left out."""
    row, col = grid.locate(easting, northing)
    on = row >= 0
    if mask is not None:
        on[on] = mask[row[on], col[on]]
    outside = int((~on).sum())
    used = on & (position >= 0)
    flat = position[used] * grid.cells + row[used] * grid.nx + col[used]
    cube = np.bincount(flat, weights=weights[used], minlength=n_periods * grid.cells).astype(float)
    return cube.reshape(n_periods, grid.ny, grid.nx), outside


def period_positions(incidents: pd.DataFrame, period: PeriodKind) -> tuple[np.ndarray, list[str], int]:
    """Each incident's period as a position in time order (-1 when it fits none), the labels, and the unplaced count."""
    if not len(incidents):
        raise HotspotError(f"{WHERE}: there are no incidents to put into periods; widen the filters.")
    periods = assign_periods(incidents, period)
    codes = pd.Index(periods.order, dtype=object).get_indexer(periods.label.to_numpy(dtype=object))
    return np.asarray(codes, dtype=np.int64), list(periods.order), int(periods.unplaced)


def _classify(hot: np.ndarray, labels: list[str], index: pd.Index, recent_share: float, persistent_share: float,
              min_share: float, card: MethodCard) -> pd.DataFrame:
    n_periods = hot.shape[1]
    if n_periods < 2:
        raise HotspotError(f"{WHERE} needs at least 2 periods with incidents (one recent, one older); got "
                           f"{n_periods}. Use weeks instead of months, or a longer date range.")
    recent = math.floor(recent_share * n_periods + 1e-9)
    if recent < 1:
        recent = 1
        card.choose("recent_periods", 1, f"floor({recent_share:g} x {n_periods} periods) is 0: the last period only")
    elif recent >= n_periods:
        recent = n_periods - 1
        card.choose("recent_periods", recent, "all but the first period (there must be an older one)")
    else:
        card.choose("recent_periods", recent, f"floor(recent_share x {n_periods} periods)")
    card.data["periods"] = n_periods
    card.data["first_period"], card.data["last_period"] = labels[0], labels[-1]
    card.data["recent"] = f"{labels[-recent]} to {labels[-1]}"
    hot_periods = hot.sum(axis=1)
    recent_hot = hot[:, -recent:].sum(axis=1)
    older_hot = hot_periods - recent_hot
    share_all = hot_periods / n_periods
    share_recent = recent_hot / recent
    share_older = older_hot / (n_periods - recent)
    conditions = [
        share_all >= persistent_share,
        (hot_periods == 1) & hot[:, -1],
        (share_older < min_share) & (share_recent >= min_share),
        (share_older >= min_share) & (share_recent < min_share),
        share_all >= min_share,
        hot_periods == 0,
    ]
    klass = np.select(conditions, ["persistent", "new", "emerging", "former", "intermittent", "never"], "no pattern")
    names = np.asarray(labels, dtype=object)
    ever = hot_periods > 0
    first = np.where(ever, names[np.argmax(hot, axis=1)], "")
    last = np.where(ever, names[n_periods - 1 - np.argmax(hot[:, ::-1], axis=1)], "")
    frame = pd.DataFrame({
        "class": pd.Series(klass, index=index, dtype="str"),
        "hot_periods": hot_periods.astype(np.int64),
        "periods": np.full(len(index), n_periods, dtype=np.int64),
        "recent_hot": recent_hot.astype(np.int64),
        "recent_periods": np.full(len(index), recent, dtype=np.int64),
        "first_hot": pd.Series(first, index=index, dtype="str"),
        "last_hot": pd.Series(last, index=index, dtype="str"),
    }, index=index)
    card.data["classes"] = {c: int((klass == c).sum()) for c in PERSISTENCE_CLASSES}
    return frame


def _counts(frame: pd.DataFrame) -> np.ndarray:
    try:
        values = frame.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise HotspotError(f"{WHERE}: counts_by_period must hold numbers (counts or weights) or bool hot flags; "
                           f"its dtypes are {sorted({str(t) for t in frame.dtypes})}.") from None
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise HotspotError(f"{WHERE}: counts_by_period has {int(bad.sum())} values that are missing, infinite or "
                           "negative; counts must be 0 or more (fill empty cells with 0).")
    return values


def flag_thin_periods(card: MethodCard, totals: np.ndarray, labels: list[str]) -> None:
    """Warn on the card about periods with under :data:`THIN_PERIOD_SHARE` of the median period's incidents."""
    if not len(totals):
        return
    median = float(np.median(totals))
    thin = [f"{lab} ({tot:,.0f})" for lab, tot in zip(labels, totals) if tot < THIN_PERIOD_SHARE * median]
    if thin:
        card.warn(f"{len(thin)} periods have under a quarter of the median period's {median:,.0f} incidents and may "
                  f"be incomplete: {', '.join(thin)}; check the data or drop those columns.")


def _choose(card: MethodCard, name: str, value) -> None:
    default, source = DEFAULTS[name]
    card.choose(name, value, f"default: {source}" if value == default else "given")


def _mask_for(grid: Grid, study_mask, where: str) -> np.ndarray:
    if study_mask is None:
        return np.ones(grid.shape, bool)
    mask = np.asarray(study_mask)
    if mask.dtype != bool or mask.shape != grid.shape:
        raise HotspotError(f"{where}: study_mask must be a bool array of the grid's shape {grid.shape} "
                           f"(e.g. grid.within(area)); got {mask.dtype} {mask.shape}.")
    return mask
