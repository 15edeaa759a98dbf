"""Comparing areas (wards, night-time economy zones, boroughs) over one period: counts, harm,
rates per 1,000 residents, share of the total, change with the Poisson z, a target with a
red/amber/green status, hour-of-week profiles, category mix and a monthly trend.

Residents of areas without their own population
    Residents are apportioned from the LSOAs by **area share**: each LSOA's residents
    are spread evenly over its area, and an area gets ``Σ residents(LSOA) ×
    area(LSOA ∩ area) / area(LSOA)``. Chosen over LSOA centroids because small zones
    (a night-time economy zone is a few streets) often hold no LSOA centroid at all and
    would get 0 residents; and over whole-LSOA assignment because it keeps the total
    (areas that partition the LSOAs share out exactly their residents). Its limit: parks,
    rail land and high streets get residents they do not have. Where the LSOAs with a
    population cover less of an area than :data:`.residents.FULL_COVER`, the residents are too few
    and the note says so. Every result says which rule gave its residents.

Target status (red/amber/green), against the chosen baseline (previous equal period or
the same dates last year), for a target "reduce by R%" (target change −R%):

- **Green, on target**: change at or below −R% (the count is at or under the target count,
  baseline × (1 − R/100)).
- **Amber, near target**: above the target by at most :data:`AMBER_POINTS` (5) percentage points.
- **Red, off target**: more than 5 points above the target *and* significantly above the
  target count: z = 2(√now − √target count) >= 2 (:data:`~.stats.Z_FLAG`), so small
  numbers never turn red by chance.
- **Amber, off target but within chance**: more than 5 points above, with z < 2.
- **Not judged**: no baseline (no incidents then, or no data) or no target for the area.

Whole months (``whole_months=True``, for month-only records such as police.uk's): the
period becomes the calendar months its dates touch, the previous equal period the same
number of months just before it, and the same dates last year the same months a year
earlier; every record counts in the month it starts in. Otherwise a period shorter than a
month leaves month-only records out, and a note says how many.

Arrows beside each change: ▲ z >= 2, ▼ z <= −2, ► otherwise (as on the tasking list).
Pure: reads nothing but its arguments, except :func:`.residents.residents_for_layer`, which reads a
workspace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Literal, get_args

import numpy as np
import pandas as pd

from ..geo.hourofweek import hour_of_week_by
from ..geo.timebands import DAY_NAMES, DEFAULT_MAX_WINDOW_HOURS, NO_TIME_OF_DAY, TIMED_PRECISIONS
from ..periods import ReviewPeriod, period_labels, periods_between
from .errors import BoundaryError
from .residents import Residents
from .stats import Z_FLAG, assign_periods, percent_change, poisson_z
from .validate import check_columns, check_number, check_series, check_type

Baseline = Literal["previous", "last_year"]
BASELINES: tuple[str, ...] = get_args(Baseline)
#: Percentage points above the target change that are still amber.
AMBER_POINTS = 5.0
#: Categories named in the mix (the rest are "Other categories"): the colour-blind-safe palette has 8 colours.
MIX_CATEGORIES = 7
OTHER = "Other categories"
RAG_RULE = ("Green: change at or below the target; amber: up to 5 points above it, or further above but within "
            "chance; red: more than 5 points above and z >= 2 against the target count (baseline × (1 − reduction)); "
            "not judged without a baseline.")
TABLE_COLUMNS = (
    "area_code", "area_name", "incidents", "harm_weighted_incidents", "residents", "rate_per_1000_residents",
    "share_of_total_pct", "previous_incidents", "change_vs_previous_pct", "z_vs_previous", "arrow_vs_previous",
    "last_year_incidents", "change_vs_last_year_pct", "z_vs_last_year", "arrow_vs_last_year",
    "no_time_of_day_incidents", "target_change_pct", "target_incidents", "z_vs_target", "rag", "status")


@dataclass(frozen=True)
class AreaComparison:
    """Areas compared over one period.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per area, in the order asked: :data:`TABLE_COLUMNS`. Counts are incidents
        weighted by their share of the time band (whole incidents for all times); harm is
        those weights times ``harm_weight``; ``share_of_total_pct`` is of every incident
        chosen in the period, in or out of the areas compared; ``rag`` is ``green``,
        ``amber``, ``red`` or ``not judged`` and ``status`` says it in words.
    hour_of_week : pandas.DataFrame
        Long, 168 rows per area: ``area_code, area_name, day`` (Monday..Sunday), ``hour``
        (0-23, local), ``incidents`` (aoristic), ``share_pct`` (of the area's timed incidents).
    category_mix : pandas.DataFrame
        ``area_code, area_name, category, incidents, share_pct`` (of the area's incidents);
        categories beyond the :data:`MIX_CATEGORIES` largest overall are "Other categories".
    trend : pandas.DataFrame
        ``area_code, area_name, month`` (first day, naive), ``incidents``, ``partial``
        (the month is cut by the period end or the data), ``thin`` (the whole selection
        has under a quarter of its median month: probably missing data).
    period, previous, last_year : tuple of str
        Inclusive local dates (ISO) of the period and its two comparators.
    baseline : {"previous", "last_year"}
        What the target is judged against.
    residents : str
        How residents were found ("own", "area_share" or "none").
    notes : list of str
        What a reader must know: residents rule, left-out records, thin months.
    every : {"day", "month"}
        ``"month"`` when the period and its comparators are whole calendar months.
    records, timed, unplaced : int
        Records of the chosen areas in the period, those with a time of day, and the
        month-only records left out as the period is shorter than a month.
    first_day : str
        The first local date (ISO) with a record in ``incidents`` ("" when none).
    """

    table: pd.DataFrame
    hour_of_week: pd.DataFrame
    category_mix: pd.DataFrame
    trend: pd.DataFrame
    period: tuple[str, str]
    previous: tuple[str, str]
    last_year: tuple[str, str]
    baseline: str
    residents: str
    notes: list[str] = field(default_factory=list)
    rag_rule: str = RAG_RULE
    every: str = "day"
    records: int = 0
    timed: int = 0
    unplaced: int = 0
    first_day: str = ""


def compare_areas(incidents: pd.DataFrame, *, layer: str, codes: Sequence[str], start: str, end: str,
                  band_weights: pd.Series | None = None, population: Residents | pd.Series | None = None,
                  targets: float | Mapping[str, float] | None = None, baseline: Baseline = "previous",
                  names: Mapping[str, str] | None = None, trend_months: int = 24,
                  whole_months: bool = False) -> AreaComparison:
    """Compare areas of one layer over a period (see the module docstring for the rules).

    Parameters
    ----------
    incidents : pandas.DataFrame
        :func:`~.store.incidents_with_areas` (or the part of it in the chosen categories,
        over every date: the comparators and the trend need earlier dates); needs
        ``occurred_from``, ``occurred_to``, ``time_precision``, ``harm_weight``,
        ``category`` and the ``layer`` column. Not modified.
    layer : str
        The area layer (its column holds each incident's code; zones may hold ``"A;B"``).
    codes : sequence of str
        The areas, one or more, in the order to report them.
    start, end : str
        Inclusive local dates of the period, e.g. ``"2018-06-01"``.
    band_weights : pandas.Series, optional
        0..1 per incident (a time band's aoristic share, NaN or 0 for records without a
        time of day); default 1 for every incident.
    population : Residents or pandas.Series, optional
        Residents per area code (a Series is taken as the layer's own); None: no rates.
    targets : float or mapping, optional
        Target reduction in percent ("reduce by 5%" is 5), for every area or per area code.
    baseline : {"previous", "last_year"}, default="previous"
        The previous equal run of days, or the same dates a year earlier.
    names : mapping, optional
        Area code -> name; default the codes.
    trend_months : int, default=24
        Months in the trend, ending with the month of ``end``.
    whole_months : bool, default=False
        Compare the whole calendar months the period touches (module docstring).

    Returns
    -------
    AreaComparison
    """
    where = "compare_areas"
    check_series(band_weights, "band_weights", where, optional=True)
    check_type(population, "population", where, (Residents, pd.Series), type_name="a Residents or a pandas Series",
               optional=True)
    check_type(targets, "targets", where, (Real, Mapping), type_name="a float or a mapping of code to float",
               optional=True)
    check_type(names, "names", where, Mapping, type_name="a mapping of code to name", optional=True)
    check_number(trend_months, "trend_months", where, low=1, low_open=False, integer=True)
    check_type(whole_months, "whole_months", where, bool, type_name="a bool")
    codes = _checked(incidents, layer, codes, start, end, baseline, names)
    names = dict(names or {})
    if band_weights is not None and not band_weights.index.equals(incidents.index):
        raise BoundaryError("compare_areas: band_weights has another index than the incidents; compute it on the "
                            "same table (select_band(incidents, band).weights).")
    weights = 1.0 if band_weights is None else band_weights.astype(float).fillna(0.0).to_numpy()
    frame = incidents[["occurred_from", "occurred_to", "time_precision", "harm_weight", "category"]] \
        .reset_index(drop=True).assign(area=incidents[layer].astype("str").to_numpy(), w=weights,
                                       timed=has_time_of_day(incidents), row=np.arange(len(incidents)))
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    months = ReviewPeriod.of(last, "month").period.ordinal - ReviewPeriod.of(first, "month").period.ordinal + 1
    if whole_months:
        first, last = ReviewPeriod.of(first, "month").start, ReviewPeriod.of(last, "month").end
        frame["period"], unplaced = _by_month(frame["occurred_from"], first, months), 0
    else:
        periods = assign_periods(frame, (first.date().isoformat(), last.date().isoformat()))
        frame["period"], unplaced = periods.label.to_numpy(), periods.unplaced
    total_now = float(frame.loc[frame["period"] == "custom", "w"].sum())
    mine = _explode(frame, set(codes))
    residents = population if isinstance(population, Residents) else (
        Residents(population, "own", "Residents: the layer's own population.") if population is not None else None)
    now = mine[mine["period"] == "custom"]
    table = _judge(_table(mine, codes, names, total_now, residents, set(frame["period"])), targets, baseline)
    hours, untimed = _hour_of_week(now, codes, names)
    table["no_time_of_day_incidents"] = table["area_code"].map(untimed).fillna(0.0).to_numpy()
    trend, thin = _trend(frame, mine, codes, names, last, trend_months)
    notes = [residents.note_for(codes, names) if residents is not None else
             "No residents for these areas (no population stored for them or for LSOAs): rates are blank."]
    if unplaced:
        notes.append(f"{unplaced:,} records known only to the month are left out: the period is shorter "
                     "than a month.")
    if thin:
        notes.append(f"{', '.join(thin)} {'has' if len(thin) == 1 else 'have'} under a quarter of the median month's "
                     "incidents across the workspace: probably missing data, not a fall.")
    back = pd.DateOffset(months=months) if whole_months else pd.Timedelta(days=(last - first).days + 1)
    year = pd.DateOffset(years=1)
    previous, year_ago = (first - back, first - pd.Timedelta(days=1)), (first - year, last - year)
    if whole_months:  # the same months: a February ends on its 29th in a leap year
        year_ago = (year_ago[0], ReviewPeriod.of(year_ago[1], "month").end)
    return AreaComparison(
        table=table[list(TABLE_COLUMNS)], hour_of_week=hours, category_mix=_mix(now, codes, names), trend=trend,
        period=_iso(first, last), previous=_iso(*previous), last_year=_iso(*year_ago),
        baseline=baseline, residents=residents.method if residents is not None else "none", notes=notes,
        every="month" if whole_months else "day", records=int(now["row"].nunique()),
        timed=int(now.loc[now["timed"], "row"].nunique()), unplaced=unplaced,
        first_day=frame["occurred_from"].min().strftime("%Y-%m-%d") if len(frame) else "")


def rag_status(now: pd.Series, before: pd.Series, reduce_by_pct: pd.Series) -> pd.DataFrame:
    """Red/amber/green status of counts against a "reduce by R%" target (module docstring).

    Parameters
    ----------
    now, before : pandas.Series
        Counts in the period and in the baseline (may be weighted, so not whole).
    reduce_by_pct : pandas.Series
        Target reduction in percent (5 for "reduce by 5%"); NaN: no target.

    Returns
    -------
    pandas.DataFrame
        ``target_change_pct, target_incidents, z_vs_target, rag, status``, aligned to ``now``.

    Examples
    --------
    >>> s = lambda *v: pd.Series(v, dtype=float)
    >>> rag_status(s(90, 98, 130, 103), s(100, 100, 100, 100), s(5, 5, 5, 5))["rag"].tolist()
    ['green', 'amber', 'red', 'amber']
    """
    check_series(now, "now", "rag_status")
    for value, name in ((before, "before"), (reduce_by_pct, "reduce_by_pct")):
        check_series(value, name, "rag_status", index=now.index, index_of="'now'")
    now, before = now.astype(float), before.astype(float)
    target_pct = -reduce_by_pct.astype(float)
    target = before * (1 + target_pct / 100)
    change = (100 * (now - before) / before).where(before > 0)
    z = poisson_z(now, target).where(before > 0)
    judged = change.notna() & target_pct.notna()
    green = judged & (change <= target_pct + 1e-9)
    near = judged & ~green & (change <= target_pct + AMBER_POINTS + 1e-9)
    red = judged & ~green & ~near & (z >= Z_FLAG)
    chance = judged & ~green & ~near & ~red
    rag = np.select([green, near | chance, red], ["green", "amber", "red"], "not judged")
    status = np.select(
        [green, near, chance, red, target_pct.isna()],
        ["Green ✓ on target", "Amber ! near target", "Amber ! above target, could be chance", "Red ✗ off target",
         "Not judged: no target"], "Not judged: no baseline")
    return pd.DataFrame({"target_change_pct": target_pct, "target_incidents": target.where(before > 0),
                         "z_vs_target": z, "rag": rag, "status": status}, index=now.index)


def arrows(z: pd.Series) -> pd.Series:
    """▲ for z >= 2, ▼ for z <= −2, ► otherwise, "" where z is unknown (``z`` a pandas Series)."""
    check_series(z, "z", "arrows")
    out = np.select([z >= Z_FLAG, z <= -Z_FLAG, z.notna()], ["▲", "▼", "►"], "")
    return pd.Series(out, index=z.index, dtype="str")


def _checked(incidents, layer, codes, start, end, baseline, names) -> list[str]:
    if not isinstance(incidents, pd.DataFrame):
        raise TypeError(f"compare_areas needs the incident table (a DataFrame), got {type(incidents).__name__}.")
    missing = [c for c in ("occurred_from", "occurred_to", "time_precision", "harm_weight", "category", layer)
               if c not in incidents.columns]
    if missing:
        raise BoundaryError(f"compare_areas: the incidents have no column(s) {', '.join(map(repr, missing))}; "
                            "load them with incidents_with_areas so every layer's codes are there.")
    if baseline not in BASELINES:
        raise BoundaryError(f"compare_areas: baseline must be one of {', '.join(BASELINES)}; got {baseline!r}.")
    if isinstance(codes, str) or not len(codes):
        raise BoundaryError("compare_areas: choose one or more areas (a list of codes).")
    codes = list(dict.fromkeys(str(c) for c in codes))
    unknown = [c for c in codes if names is not None and c not in names]
    if unknown:
        raise BoundaryError(f"compare_areas: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not in "
                            f"layer {layer!r}; choose its areas.")
    try:
        first, last = pd.Timestamp(start), pd.Timestamp(end)
    except ValueError:
        raise BoundaryError(f"compare_areas: {start!r} to {end!r} are not dates; write 2018-06-01.") from None
    if last < first:
        raise BoundaryError(f"compare_areas: the period ends ({last:%d/%m/%Y}) before it starts ({first:%d/%m/%Y}); "
                            "swap the dates.")
    return codes


def has_time_of_day(incidents: pd.DataFrame) -> np.ndarray:
    """Per record, whether it has a time of day by :mod:`~hotspot_tasking.geo.aoristic`'s rule: minute
    or hour precision and a window of at most a week (police.uk's month-only records have none).

    Parameters
    ----------
    incidents : pandas.DataFrame
        ``occurred_from``, ``occurred_to``, ``time_precision``. Not modified.
    """
    check_columns(incidents, ("occurred_from", "occurred_to", "time_precision"), "has_time_of_day")
    minutes = (incidents["occurred_to"] - incidents["occurred_from"]).dt.total_seconds().to_numpy() / 60 + 1
    fits = (minutes > 0) & (minutes <= DEFAULT_MAX_WINDOW_HOURS * 60)  # NaT: False
    return incidents["time_precision"].astype("str").isin(TIMED_PRECISIONS).to_numpy() & fits


def _by_month(occurred: pd.Series, first: pd.Timestamp, n: int) -> np.ndarray:
    """Each record's window by the month it starts in (``n`` months from ``first``'s):
    "custom", "last year", "before" or ""."""
    at = ReviewPeriod.of(first, "month").index(occurred) if len(occurred) else np.zeros(0, dtype=np.int64)
    return np.select([(at >= 0) & (at < n), (at >= -12) & (at < n - 12), (at >= -n) & (at < 0)],
                     ["custom", "last year", "before"], "")


def _iso(first: pd.Timestamp, last: pd.Timestamp) -> tuple[str, str]:
    return first.date().isoformat(), last.date().isoformat()


def _explode(frame: pd.DataFrame, codes: set[str]) -> pd.DataFrame:
    """The rows in the chosen areas, one per (incident, area): zones may overlap ("A;B")."""
    area = frame["area"]
    multi = area.str.contains(";", regex=False)
    if multi.any():
        split = area[multi].str.split(";").explode()
        frame = pd.concat([frame[~multi], frame.loc[split.index].assign(area=split.to_numpy())])
    return frame[frame["area"].isin(codes)].reset_index(drop=True)


def _table(mine: pd.DataFrame, codes: list[str], names: dict, total_now: float, residents: Residents | None,
           held: set[str]) -> pd.DataFrame:
    """Per area: counts and harm in the period, the counts before and last year (missing, not 0, where
    the window ``held`` no record at all), rates and changes."""
    keep = mine[mine["period"] != ""]
    sums = keep.assign(h=keep["w"] * keep["harm_weight"].astype(float)).groupby(["area", "period"])[["w", "h"]].sum()
    wide = sums.unstack("period").reindex(codes).fillna(0.0) if len(sums) else pd.DataFrame(index=codes)

    def summed(what: str, window: str) -> pd.Series:
        if (what, window) in wide.columns:
            return wide[(what, window)]
        return pd.Series(0.0 if window in held | {"custom"} else np.nan, index=codes)

    count, before, last_year = summed("w", "custom"), summed("w", "before"), summed("w", "last year")
    people = residents.per_area.reindex(codes).astype(float) if residents is not None else pd.Series(np.nan, codes)
    table = pd.DataFrame({
        "area_code": codes, "area_name": [names.get(c, c) for c in codes],
        "incidents": count.to_numpy(), "harm_weighted_incidents": summed("h", "custom").to_numpy(),
        "residents": people.to_numpy(), "rate_per_1000_residents": (count / people * 1000).where(people > 0).to_numpy(),
        "share_of_total_pct": (100 * count / total_now).to_numpy() if total_now > 0 else np.zeros(len(codes)),
        "previous_incidents": before.to_numpy(), "change_vs_previous_pct": percent_change(count, before).to_numpy(),
        "z_vs_previous": poisson_z(count, before).to_numpy(), "last_year_incidents": last_year.to_numpy(),
        "change_vs_last_year_pct": percent_change(count, last_year).to_numpy(),
        "z_vs_last_year": poisson_z(count, last_year).to_numpy()})
    table["arrow_vs_previous"] = arrows(table["z_vs_previous"])
    table["arrow_vs_last_year"] = arrows(table["z_vs_last_year"])
    return table


def _judge(table: pd.DataFrame, targets, baseline: str) -> pd.DataFrame:
    if targets is None:
        reduce = pd.Series(np.nan, index=table.index)
    elif isinstance(targets, Mapping):
        reduce = table["area_code"].map({str(k): float(v) for k, v in targets.items()}).astype(float)
    else:
        reduce = pd.Series(float(targets), index=table.index)
    before = table["previous_incidents" if baseline == "previous" else "last_year_incidents"]
    return pd.concat([table, rag_status(table["incidents"], before, reduce)], axis=1)


def _hour_of_week(now: pd.DataFrame, codes: list[str], names: dict) -> tuple[pd.DataFrame, pd.Series]:
    long = hour_of_week_by(now, "area", weights=now["w"]) if len(now) else pd.DataFrame(
        columns=["area", "day", "hour", "count"])
    timed = long[long["day"].astype("str") != NO_TIME_OF_DAY]
    untimed = long[long["day"].astype("str") == NO_TIME_OF_DAY].set_index("area")["count"]
    grid = pd.MultiIndex.from_product([codes, DAY_NAMES, range(24)], names=["area_code", "day", "hour"])
    counts = timed.assign(day=timed["day"].astype("str"), hour=timed["hour"].astype(int)) \
        .set_index(["area", "day", "hour"])["count"]
    counts.index.names = grid.names
    out = counts.reindex(grid, fill_value=0.0).rename("incidents").reset_index()
    out.insert(1, "area_name", out["area_code"].map(lambda c: names.get(c, c)))
    per_area = out.groupby("area_code")["incidents"].transform("sum")
    out["incidents"] = out["incidents"].astype(float)
    out["share_pct"] = (100 * out["incidents"] / per_area.astype(float)).where(per_area > 0, 0.0)
    out["day"] = pd.Categorical(out["day"], categories=list(DAY_NAMES), ordered=True)
    return out, untimed


def _mix(now: pd.DataFrame, codes: list[str], names: dict) -> pd.DataFrame:
    overall = now.groupby("category")["w"].sum().sort_values(ascending=False)
    overall = overall[overall > 0]
    keep = list(overall.index[:MIX_CATEGORIES]) if len(overall) > MIX_CATEGORIES + 1 else list(overall.index)
    category = now["category"].where(now["category"].isin(keep), OTHER)
    sums = now.assign(category=category).groupby(["area", "category"])["w"].sum()
    order = keep + ([OTHER] if OTHER in set(category) else [])
    grid = pd.MultiIndex.from_product([codes, order], names=["area_code", "category"])
    sums.index.names = grid.names
    out = sums.reindex(grid, fill_value=0.0).rename("incidents").reset_index()
    out.insert(1, "area_name", out["area_code"].map(lambda c: names.get(c, c)))
    per_area = out.groupby("area_code")["incidents"].transform("sum")
    out["share_pct"] = (100 * out["incidents"] / per_area).where(per_area > 0, 0.0)
    return out


def _trend(frame: pd.DataFrame, mine: pd.DataFrame, codes: list[str], names: dict, end: pd.Timestamp,
           months: int) -> tuple[pd.DataFrame, list[str]]:
    last_day = pd.Timestamp(end)
    last = ReviewPeriod.of(last_day, "month")
    local = frame["occurred_from"].dt.tz_localize(None)
    first = last.shifted(-(months - 1))
    if len(local) and local.min() > first.start:
        first = ReviewPeriod.of(local.min(), "month")
    span = periods_between(first.start, last.end, "month")[::-1] if first.start <= last.start else []
    labels = [p.label for p in span]

    def monthly(rows: pd.DataFrame, by: list[str]) -> pd.Series:
        day = rows["occurred_from"].dt.tz_localize(None)
        keep = (day.dt.normalize() <= last_day).to_numpy()
        month = period_labels(day[keep], "month")
        return rows.loc[keep, "w"].groupby([*(rows.loc[keep, b] for b in by), month]).sum()

    totals = monthly(frame, []).reindex(labels, fill_value=0.0)
    median = float(totals.median()) if len(totals) else 0.0
    thin_months = [p for p, t in zip(span, totals.to_numpy()) if t < 0.25 * median] if median > 0 else []
    per_area = monthly(mine, ["area"])
    grid = pd.MultiIndex.from_product([codes, labels], names=["area_code", "month"])
    per_area.index.names = grid.names
    out = per_area.reindex(grid, fill_value=0.0).rename("incidents").reset_index()
    out.insert(1, "area_name", out["area_code"].map(lambda c: names.get(c, c)))
    # a month-only record (police.uk) holds its whole month: the data end at its month's end
    month_only = frame["time_precision"].astype("str").eq("month").to_numpy()
    ends = frame["occurred_to"].dt.tz_localize(None)[month_only]
    data_end = max(local.max(), ends.max()) if len(ends) else (local.max() if len(local) else last_day)
    partial_last = not (last.is_complete(last_day) and last.is_complete(data_end))
    out["partial"] = (out["month"] == last.label) & partial_last
    out["thin"] = out["month"].isin([p.label for p in thin_months])
    out["month"] = pd.PeriodIndex(out["month"], freq="M").to_timestamp()
    return out, [p.describe() for p in thin_months]
