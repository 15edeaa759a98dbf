"""The inputs of an evaluation, checked once at the public boundary and turned into arrays.

The shared validators of :mod:`hotspot_tasking.validation` raise :class:`EvaluationError`
for a wrong value (TypeError for a wrong type), in scikit-learn's wording: "The
'window_days' parameter of evaluate_places must be an int in the range [1, inf). Got 0
instead." The rest here is particular to evaluation: places with a polygon outline and a
start date, the control area, the data's first and last days, local midnights, and the
months that hold data (:func:`window_gaps`).
"""

from __future__ import annotations

import functools
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import validation
from ..geo.schema import LOCAL_TZ
from ..geo.select import covered_periods
from ..validation import check_type
from .errors import EvaluationError

#: The shared validators raising EvaluationError (see :mod:`hotspot_tasking.validation`).
check_number = functools.partial(validation.check_number, error=EvaluationError)
check_choice = functools.partial(validation.check_choice, error=EvaluationError)
check_columns = functools.partial(validation.check_columns, error=EvaluationError)
check_crs = functools.partial(validation.check_crs, error=EvaluationError)
check_date = functools.partial(validation.check_date, error=EvaluationError)

UNSPECIFIED = "unspecified"
#: The action fields :func:`~.evaluate.evaluate_log` pools by.
ACTION_TYPE_FIELDS = ("tactic", "pier", "agency")
#: Incident columns every evaluation needs.
NEEDED = ("easting", "northing", "occurred_from", "occurred_to")
#: The widest displacement ring, in metres.
MAX_BUFFER_M = 10_000.0
_PLACES = "'places' frame"


def check_options(window_days, buffer_m, alpha, where: str) -> None:
    """Raise unless ``window_days`` is an int >= 1, ``buffer_m`` metres in [0, 10,000) and
    ``alpha`` in (0, 0.5)."""
    check_number(window_days, "window_days", where, low=1, low_open=False, integer=True)
    check_number(buffer_m, "buffer_m", where, low=0.0, low_open=False, high=MAX_BUFFER_M)
    check_alpha(alpha, where)


def check_alpha(alpha, where: str) -> None:
    """Raise unless ``alpha`` is a two-sided significance level in (0, 0.5), e.g. 0.05."""
    check_number(alpha, "alpha", where, low=0.0, high=0.5)


def check_places(places, where: str) -> gpd.GeoDataFrame:
    """Return ``places`` if it is a GeoDataFrame in EPSG:27700 (or no CRS) with ``tasking_id`` and ``start``."""
    if not isinstance(places, gpd.GeoDataFrame):
        raise TypeError(f"The 'places' parameter of {where} must be a geopandas GeoDataFrame (tasking_id, start and "
                        f"the outline as geometry). Got {type(places).__name__} instead.")
    check_crs(places, where, name=_PLACES)
    return check_columns(places, ("tasking_id", "start"), where, name="places",
                         fix="give each place its tasking_id, start (the day the action began) and outline.")


def place_arrays(places: gpd.GeoDataFrame, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(outlines, start days, action types)`` of checked places; every outline a polygon, every start a date."""
    geoms = np.asarray(places.geometry.array, dtype=object)
    bad = np.flatnonzero(~np.isin(shapely.get_type_id(geoms), [3, 6]) | shapely.is_empty(geoms))
    if len(bad):
        raise EvaluationError(f"{where}: {len(bad)} places (rows {bad[:5].tolist()}) have no polygon outline; give "
                              "polygons (buffer a point venue first, e.g. by 50 m).")
    start = pd.to_datetime(pd.Series(places["start"].to_numpy()), errors="coerce")
    if start.dt.tz is not None:
        start = start.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    if start.isna().any():
        rows = np.flatnonzero(start.isna().to_numpy())
        raise EvaluationError(f"{where}: {len(rows)} places (rows {rows[:5].tolist()}) have no readable start date; "
                              "give dates such as 2017-07-04.")
    kind = (places["action_type"].astype(object).where(places["action_type"].notna(), UNSPECIFIED).astype(str)
            if "action_type" in places.columns else pd.Series(UNSPECIFIED, index=places.index))
    return geoms, start.dt.normalize().to_numpy("datetime64[D]"), kind.to_numpy(dtype=object)


def check_outlines(outlines, action_type, where: str) -> None:
    """The checks on tasked places' outlines and the action field to pool by."""
    check_type(outlines, "outlines", where, gpd.GeoDataFrame, type_name="a geopandas GeoDataFrame")
    check_crs(outlines, where, name="'outlines' frame")
    check_columns(outlines, ("tasking_id",), where, name="outlines",
                  fix="give each outline its tasking_id (e.g. the tasking list's frame).")
    check_choice(action_type, "action_type", where, ACTION_TYPE_FIELDS)
    if outlines["tasking_id"].duplicated().any():
        dup = sorted(outlines.loc[outlines["tasking_id"].duplicated(), "tasking_id"].astype(str).unique())
        raise EvaluationError(f"{where}: outlines has tasking ids {', '.join(dup[:5])} more than once "
                              f"({len(dup)} in all); give one outline each.")


def check_incidents(incidents, weights, where: str) -> None:
    """Raise unless ``incidents`` has a location and a whole time window (time-zone aware) on
    every row, and ``weights`` is None, one of its columns or a Series on its index."""
    check_columns(incidents, NEEDED, where)
    validation.check_points(incidents, where, error=EvaluationError)
    validation.check_datetimes(incidents, ("occurred_from", "occurred_to"), where, error=EvaluationError,
                               allow_missing=False)
    if weights is not None and not isinstance(weights, (str, pd.Series)):
        raise TypeError(f"The 'weights' parameter of {where} must be a column name (str), a pandas Series or None. "
                        f"Got {type(weights).__name__} instead.")


def incident_arrays(incidents: pd.DataFrame, weights, where: str):
    """``(easting, northing, from µs, to µs, weight)`` of checked incidents (epoch microseconds, UTC)."""
    e, n = incidents["easting"].to_numpy(float), incidents["northing"].to_numpy(float)
    t_from, t_to = (pd.DatetimeIndex(incidents[col]).as_unit("us").asi8 for col in ("occurred_from", "occurred_to"))
    w = validation.check_weights(incidents, weights, where, error=EvaluationError)
    return e, n, t_from, t_to, w


def control_area(control, where: str):
    """The control area as one shapely geometry (None stays None), if it is polygons with an
    area: a shapely geometry, GeoSeries or GeoDataFrame in EPSG:27700 (or no CRS)."""
    if control is None:
        return None
    if isinstance(control, (gpd.GeoDataFrame, gpd.GeoSeries)):
        check_crs(control, where, name="control area")
        control = shapely.union_all(np.asarray(control.geometry.array, dtype=object))
    elif not isinstance(control, shapely.Geometry):
        raise TypeError(f"The 'control' parameter of {where} must be a shapely geometry, GeoSeries or GeoDataFrame "
                        f"(EPSG:27700) or None. Got {type(control).__name__} instead.")
    if control.is_empty or control.area <= 0:
        raise EvaluationError(f"{where}: the control area has no area; give polygons in EPSG:27700, or None.")
    return control


def check_data_period(data_period, where: str) -> tuple[np.datetime64, np.datetime64] | None:
    """``(first, last)`` days of a given ``data_period`` (None stays None); the last not before the first."""
    if data_period is None:
        return None
    if isinstance(data_period, str) or not isinstance(data_period, (tuple, list)) or len(data_period) != 2:
        raise TypeError(f"The 'data_period' parameter of {where} must be a (first, last) pair of dates such as "
                        f"('2017-01-01', '2017-12-31'), or None. Got {data_period!r} instead.")
    first, last = (np.datetime64(check_date(d, "data_period", where).date(), "D") for d in data_period)
    if last < first:
        raise EvaluationError(f"{where}: data_period ends ({last}) before it starts ({first}); swap the dates.")
    return first, last


def data_days(given: tuple[Any, Any] | None, t_from: np.ndarray, t_to: np.ndarray):
    """First and last local days of the data: those given, else of the first and last incident (NaT for none)."""
    if given is not None:
        return given
    if len(t_from) == 0:
        return np.datetime64("NaT", "D"), np.datetime64("NaT", "D")
    def day(us): return np.datetime64(pd.Timestamp(int(us), unit="us", tz="UTC").tz_convert(LOCAL_TZ).date(), "D")
    return day(t_from.min()), day(t_to.max())


def midnight_us(days: np.ndarray) -> np.ndarray:
    """Epoch microseconds of local (Europe/London) midnight on each date."""
    return pd.DatetimeIndex(days.astype("datetime64[s]")).tz_localize(LOCAL_TZ).as_unit("us").asi8


def check_coverage_records(records, where: str) -> None:
    """Raise unless ``records`` is None or a table with a time-zone-aware ``occurred_from`` on every row."""
    if records is None:
        return
    check_type(records, "coverage_records", where, pd.DataFrame, type_name="a pandas DataFrame (the incident table)",
               optional=True)
    check_columns(records, ("occurred_from",), where, name="coverage_records",
                  fix="pass as coverage_records every record of the sources evaluated, e.g. the workspace's incidents.")
    validation.check_datetimes(records, ("occurred_from",), where, name="coverage_records", error=EvaluationError,
                               allow_missing=False)


def source_months(records: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(months, sources)``: each distinct pair of a record's local calendar month
    (``datetime64[M]`` of ``occurred_from``, Europe/London) and its source (``""`` without
    the column). A month-only police.uk record counts for its month."""
    if not len(records):
        return np.zeros(0, "datetime64[M]"), np.zeros(0, dtype=object)
    local = records["occurred_from"].dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    source = records["source"].astype("str").to_numpy() if "source" in records.columns else np.full(len(records), "")
    pairs = pd.DataFrame({"month": local.to_numpy().astype("datetime64[M]"), "source": source}).drop_duplicates()
    return pairs["month"].to_numpy("datetime64[M]"), pairs["source"].to_numpy(dtype=object)


def window_gaps(months: np.ndarray, sources: np.ndarray, start: np.ndarray, window_days: int):
    """Whether each place's before and after windows are covered by data, and why not in words.

    A window is covered when every calendar month it touches holds records of every source
    with records in the months of either window
    (:func:`~hotspot_tasking.geo.select.covered_periods`, the ranking's rule).

    Parameters
    ----------
    months, sources : numpy.ndarray
        From :func:`source_months`.
    start : numpy.ndarray of datetime64[D]
        Each place's start day (the after window's first day).
    window_days : int
        Days in each window.

    Returns
    -------
    (numpy.ndarray of bool, numpy.ndarray of bool, numpy.ndarray of str)
        Before covered, after covered, and ``""`` or e.g. "no data for 2017-10 to 2022-01 in
        its 28-day before window" (each missing month with the whole run of missing months
        round it).

    Examples
    --------
    One source with February to September 2017 and February 2022:

    >>> months = np.r_[np.arange("2017-02", "2017-10", dtype="datetime64[M]"), np.datetime64("2022-02")]
    >>> start = np.array(["2022-02-01", "2017-09-29", "2022-02-10", "2017-06-01"], dtype="datetime64[D]")
    >>> for words in window_gaps(months, np.full(len(months), "police_uk"), start, 28)[2]:
    ...     print(words or "covered")
    no data for 2017-10 to 2022-01 in its 28-day before window
    no data for 2017-10 to 2022-01 in its 28-day after window
    no data for 2017-10 to 2022-01 in its 28-day before window and 2022-03 in its after window
    covered
    """
    n = len(start)
    before_ok, after_ok, why = np.ones(n, bool), np.ones(n, bool), np.full(n, "", dtype=object)
    if n == 0:
        return before_ok, after_ok, why.astype(str)
    days, one = np.timedelta64(int(window_days), "D"), np.timedelta64(1, "D")
    edges = [d.astype("datetime64[M]") for d in (start - days, start - one, start, start + days - one)]
    lo = min(edges[0].min(), months.min()) if len(months) else edges[0].min()
    hi = max(edges[3].max(), months.max()) if len(months) else edges[3].max()
    periods = int((hi - lo).astype(int)) + 1
    pos = (months - lo).astype(int)
    _, first, at = np.unique(start, return_index=True, return_inverse=True)  # once per start day, not per place
    for k, j in enumerate(first):
        b0, b1, a0, a1 = (int((e[j] - lo).astype(int)) for e in edges)
        missing = ~covered_periods(pos, sources, periods, np.arange(b0, a1 + 1))
        spans = [_missing_runs(missing, p, q, lo) for p, q in ((b0, b1), (a0, a1))]
        rows = at == k
        before_ok[rows], after_ok[rows] = not spans[0], not spans[1]
        why[rows] = _gap_words(*spans, int(window_days))
    return before_ok, after_ok, why.astype(str)


def _missing_runs(missing: np.ndarray, p: int, q: int, lo: np.datetime64) -> str:
    """The runs of missing months touching positions p..q, each as far as it goes ("2017-10 to 2022-01")."""
    inside = np.flatnonzero(missing[p:q + 1]) + p
    if not len(inside):
        return ""
    starts = np.flatnonzero(np.diff(np.r_[False, missing].astype(int)) == 1)  # where each run begins
    ends = np.flatnonzero(np.diff(np.r_[missing, False].astype(int)) == -1)  # and ends
    run = np.unique(np.searchsorted(starts, inside, side="right") - 1)
    return ", ".join(str(lo + starts[r]) if starts[r] == ends[r] else f"{lo + starts[r]} to {lo + ends[r]}"
                     for r in run)


def _gap_words(before: str, after: str, window_days: int) -> str:
    """One clause for the missing months of the two windows ("" when both are covered)."""
    if before and before == after:
        return f"no data for {before} in its {window_days}-day before and after windows"
    parts = [f"{gap} in its {name} window" for gap, name in ((before, "before"), (after, "after")) if gap]
    return f"no data for {' and '.join(parts)}".replace(" its ", f" its {window_days}-day ", 1) if parts else ""
