"""Area statistics: counts and harm per area and period, rates per 1,000 residents,
share of the total, and change against the previous period and the same period last
year, with the Poisson z beside the percentage.

Change is judged with z = 2(√now − √before) (the variance-stabilised difference of two
Poisson counts, after Chainey's change tests): |z| >= 2 is flagged, so that a rise from
1 to 3 is not read as a 200% problem. Counts may be weighted (aoristic time-band
weights), so they need not be whole numbers.

Sums in any order
-----------------
A weighted count or a harm total is a sum of many floating-point terms, and such a sum's
last bits depend on the order of its terms: on a cluster, where each task adds up its own
files, the order is the partition's. So every term is split into its whole part and its
fraction in whole units of 2^-32 (:func:`sum_units`), both added as integers (exact in
any order and any grouping) and put together once at the end (:func:`from_units`). The
figures are the exact sums to within 2^-32 of each term (about 2e-10), the same on one
machine or many.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..periods import EVERY, Every, period_labels, periods_between
from .validate import check_columns, check_datetimes, check_period, check_series, check_strings

#: Weeks (Monday to Sunday) or calendar months: the review periods of :mod:`hotspot_tasking.periods`.
PeriodKind = Every
#: |z| at or above this is flagged as a real change.
Z_FLAG = 2.0
#: Bits of each term's fraction kept by :func:`sum_units` (units of 2^-32).
FRACTION_BITS = 32
#: The summed columns of an area table, each kept as ``<name>_whole`` and ``<name>_units``.
SUMMED = ("count", "harm")


@dataclass(frozen=True)
class Periods:
    """How incidents were put into periods.

    Attributes
    ----------
    label : pandas.Series of str
        Per incident: ``"2017-01"`` (month), ``"2017-01-30"`` (the Monday of the week), or
        ``"custom"``/``"before"``/``"last year"`` for a custom range; ``""`` when it fits none.
    order : list of str
        All labels in time order, including empty periods.
    unplaced : int
        Incidents whose dates are too vague for the period (month-only records in weeks).
    """

    label: pd.Series
    order: list[str]
    unplaced: int


def assign_periods(incidents: pd.DataFrame, period: PeriodKind | tuple[str, str]) -> Periods:
    """Put each incident in a week, a month, or a custom date range (and its two comparators).

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``occurred_from`` (Europe/London) and ``time_precision``.
    period : {"week", "month"} or (start, end)
        Weeks start on Monday. A custom range ``("2017-06-01", "2017-08-31")`` (inclusive
        dates) is compared with the same number of days just before it and with the
        same dates a year earlier.
    """
    check_columns(incidents, ("occurred_from", "time_precision"), "assign_periods")
    check_datetimes(incidents, ("occurred_from",), "assign_periods")
    check_period(period, "assign_periods")
    start = incidents["occurred_from"]
    precision = incidents["time_precision"].astype("str")
    if period in EVERY:
        vague = precision.eq("month").to_numpy() if period == "week" else np.zeros(len(start), dtype=bool)
        label = period_labels(start, period).where(~vague, "")
        placed = start[~vague]
        order = period_order(placed.min(), placed.max(), period) if len(placed) else []
        return Periods(label, order, int(vague.sum()))
    first, last = (pd.Timestamp(d) for d in period)
    if last < first:
        raise ValueError(f"period end {last:%d/%m/%Y} is before its start {first:%d/%m/%Y}")
    days = (last - first).days + 1
    local_day = start.dt.tz_localize(None).dt.normalize()
    windows = {"before": (first - pd.Timedelta(days=days), first - pd.Timedelta(days=1)),
               "last year": (first - pd.DateOffset(years=1), last - pd.DateOffset(years=1)),
               "custom": (first, last)}
    label = pd.Series("", index=incidents.index, dtype="str")
    for name, (a, b) in windows.items():
        label[(local_day >= a) & (local_day <= b)] = name
    vague = precision.eq("month").to_numpy() & (days < 28)
    label[vague] = ""
    return Periods(label, ["last year", "before", "custom"], int(vague.sum()))


def period_order(first, last, period: PeriodKind | tuple[str, str]) -> list[str]:
    """The labels of every period from the one holding ``first`` to the one holding ``last``
    (Europe/London times), oldest first; a custom range's three windows whatever the dates."""
    if period not in EVERY:
        return ["last year", "before", "custom"]
    return [p.label for p in periods_between(first, last, period)[::-1]]


def area_stats(incidents: pd.DataFrame, area: pd.Series, *, period: PeriodKind | tuple[str, str] = "month",
               weights: pd.Series | None = None, areas: Sequence[str] | None = None,
               population: pd.Series | None = None) -> pd.DataFrame:
    """Counts, harm, rates, share and change per area and period.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incident table (or a filtered part of it); needs ``occurred_from``,
        ``time_precision`` and ``harm_weight``. Not modified.
    area : pandas.Series of str
        Each incident's area code (``""`` outside), aligned to ``incidents``.
    period : {"week", "month"} or (start, end), default="month"
    weights : pandas.Series, optional
        Per-incident weight in 0..1 (a time band's aoristic share); NaN excludes the
        incident (no time of day). Default 1 for every incident.
    areas : sequence of str, optional
        Every area to report, with zeros where nothing happened; default: those seen.
    population : pandas.Series, optional
        Residents per area code; gives ``rate_per_1000``.

    Returns
    -------
    pandas.DataFrame
        One row per area and period: ``area, period, count, harm, rate_per_1000, share``
        (of all areas' count in that period), ``previous, change_pct, z_previous,
        last_year, change_pct_last_year, z_last_year, flag`` (``"up"``, ``"down"`` or
        ``""``, by |z_previous| >= 2). ``.attrs`` holds ``outside`` (weight in no area)
        and ``unplaced`` (incidents too vague for the period).
    """
    check_columns(incidents, ("occurred_from", "time_precision", "harm_weight"), "area_stats")
    check_datetimes(incidents, ("occurred_from",), "area_stats")
    check_period(period, "area_stats")
    check_series(area, "area", "area_stats", index=incidents.index)
    check_series(weights, "weights", "area_stats", index=incidents.index, optional=True)
    check_series(population, "population", "area_stats", optional=True)
    areas = check_strings(areas, "areas", "area_stats")
    periods = assign_periods(incidents, period)
    sums, outside = area_period_sums(incidents, area, periods.label, weights)
    return stats_table(sums, period, periods.order, areas=areas, population=population,
                       outside=outside, unplaced=periods.unplaced)


def area_period_sums(incidents: pd.DataFrame, area: pd.Series, label: pd.Series,
                     weights: pd.Series | None) -> tuple[pd.DataFrame, tuple[int, int]]:
    """The count and harm of each area and period, as exact integer parts (see the module notes).

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``harm_weight``.
    area, label : pandas.Series of str (or categorical)
        Each incident's area code and period label (``""``: none), aligned to ``incidents``.
    weights : pandas.Series, optional
        As :func:`area_stats` takes them.

    Returns
    -------
    (pandas.DataFrame, (int, int))
        One row per area and period seen: ``area``, ``period`` and the int64 columns
        ``count_whole, count_units, harm_whole, harm_units``; and the weight in no area as
        ``(whole, units)``. Parts from several groups of incidents add up as integers.
    """
    w = pd.Series(1.0, index=incidents.index) if weights is None else weights.astype(float)
    used = (w.notna() & label.ne("")).to_numpy()
    in_area = area.ne("").to_numpy()
    outside = tuple(int(part.sum()) for part in sum_units(w.to_numpy()[used & ~in_area]))
    used = used & in_area
    count = w.to_numpy()[used]
    harm = count * incidents["harm_weight"].to_numpy(dtype=float)[used]
    area_code, area_names = pd.factorize(area[used])  # grouped by number, named after
    period_code, period_names = pd.factorize(label[used])
    frame = pd.DataFrame({"area": area_code, "period": period_code})
    for name, values in zip(SUMMED, (count, harm)):
        frame[f"{name}_whole"], frame[f"{name}_units"] = sum_units(values)
    sums = frame.groupby(["area", "period"], as_index=False, sort=False).sum()
    for key, names in (("area", area_names), ("period", period_names)):
        sums[key] = pd.Series(np.asarray(names, dtype=object)[sums[key].to_numpy()], dtype="str")
    return sums, outside


def sum_units(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each value (finite, >= 0) as ``(whole part, fraction in units of 2^-32)``, both int64.

    >>> sum_units(np.array([2.5]))
    (array([2]), array([2147483648]))
    """
    values = np.asarray(values, dtype=float)
    whole = np.floor(values)
    return whole.astype(np.int64), np.rint(np.ldexp(values - whole, FRACTION_BITS)).astype(np.int64)


def from_units(whole, units) -> np.ndarray:
    """The sums :func:`sum_units` parts add up to, as floats (one rounding, the same everywhere)."""
    return np.asarray(whole, dtype=np.int64).astype(float) + np.ldexp(np.asarray(units, dtype=np.int64)
                                                                      .astype(float), -FRACTION_BITS)


def stats_table(sums: pd.DataFrame, period: PeriodKind | tuple[str, str], order: list[str], *,
                areas: Sequence[str] | None = None, population: pd.Series | None = None,
                outside: tuple[int, int] = (0, 0), unplaced: int = 0) -> pd.DataFrame:
    """The :func:`area_stats` table from the summed parts of :func:`area_period_sums`.

    ``sums`` may hold an area and period on several rows (parts of several groups of
    incidents): they are added first. ``order``: every period label, oldest first.
    """
    parts = [f"{name}_{part}" for name in SUMMED for part in ("whole", "units")]
    added = sums.groupby(["area", "period"], observed=True)[parts].sum()
    totals = pd.DataFrame({name: from_units(added[f"{name}_whole"], added[f"{name}_units"]) for name in SUMMED},
                          index=added.index)
    area_list = sorted(set(areas) if areas is not None else set(sums["area"]))
    grid = pd.MultiIndex.from_product([area_list, order], names=["area", "period"])
    table = totals.reindex(grid, fill_value=0.0).reset_index()
    table = _add_changes(table, period, order)
    if population is not None:
        pop = table["area"].map(population).astype(float)
        table["rate_per_1000"] = (table["count"] / pop * 1000).where(pop > 0)
    else:
        table["rate_per_1000"] = np.nan
    total = table.groupby("period")["count"].transform("sum")
    table["share"] = (table["count"] / total).where(total > 0, 0.0)
    table = table[["area", "period", "count", "harm", "rate_per_1000", "share", "previous", "change_pct",
                   "z_previous", "last_year", "change_pct_last_year", "z_last_year", "flag"]]
    table.attrs.update(outside=float(from_units(outside[0], outside[1])), unplaced=int(unplaced))
    return table


def _add_changes(table: pd.DataFrame, period, order: list[str]) -> pd.DataFrame:
    position = {p: i for i, p in enumerate(order)}
    table = table.copy()
    if isinstance(period, tuple):
        wide = table.pivot(index="area", columns="period", values="count")
        table = table[table["period"] == "custom"].copy()
        table["previous"] = table["area"].map(wide["before"]).to_numpy()
        table["last_year"] = table["area"].map(wide["last year"]).to_numpy()
    else:
        lag_year = 12 if period == "month" else 52
        table["_i"] = table["period"].map(position)
        by_area = table.groupby("area")["count"]
        table["previous"] = by_area.shift(1)
        table["last_year"] = by_area.shift(lag_year)
        table = table.drop(columns="_i")
    table["change_pct"] = percent_change(table["count"], table["previous"])
    table["z_previous"] = poisson_z(table["count"], table["previous"])
    table["change_pct_last_year"] = percent_change(table["count"], table["last_year"])
    table["z_last_year"] = poisson_z(table["count"], table["last_year"])
    table["flag"] = np.select([table["z_previous"] >= Z_FLAG, table["z_previous"] <= -Z_FLAG], ["up", "down"], "")
    return table


def poisson_z(now: pd.Series, before: pd.Series) -> pd.Series:
    """z = 2(√now − √before); NaN where ``before`` is unknown.

    >>> float(poisson_z(pd.Series([16.0]), pd.Series([9.0])).iloc[0])
    2.0
    """
    check_series(now, "now", "poisson_z")
    check_series(before, "before", "poisson_z")
    return 2 * (np.sqrt(now.astype(float)) - np.sqrt(before.astype(float)))


def percent_change(now: pd.Series, before: pd.Series) -> pd.Series:
    """100 (now − before) / before; NaN where ``before`` is 0 or unknown.

    >>> float(percent_change(pd.Series([12.0]), pd.Series([10.0])).iloc[0])
    20.0
    """
    check_series(now, "now", "percent_change")
    check_series(before, "before", "percent_change")
    before = before.astype(float)
    return (100 * (now.astype(float) - before) / before).where(before > 0)
