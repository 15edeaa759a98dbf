"""Hour-of-week profiles (:func:`hour_of_week`, :func:`hour_of_week_by`) and the peak days
and hours in them (:func:`peak_times`, :func:`fewest_days`).

A profile is 7 x 24 cells, Monday..Sunday by local (Europe/London) hour 0-23. Records are
counted by the rules of :mod:`.aoristic`: a record with a time of day spreads its weight
over the cells its window covers, in proportion to the real minutes in each (a repeated
hour when the clocks go back counts in its local hour, twice as long); records without
one (``day`` or ``month`` precision, windows longer than ``max_window_hours``) are counted
apart, never put at midnight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .aoristic import _check_columns, _Clock, _Windows
from .errors import GeoError
from .timebands import DAY_NAMES, DEFAULT_MAX_WINDOW_HOURS, NO_TIME_OF_DAY
from .validate import check_frame, check_number, check_strings

#: Hours text meaning the whole day (no contiguous peak shorter than 24 hours).
ALL_DAY = "all day"


@dataclass(frozen=True)
class HourOfWeek:
    """An hour-of-week profile.

    Attributes
    ----------
    counts : pandas.DataFrame
        7 x 24: index ``day`` Monday..Sunday, columns ``hour`` 0..23 (local time); aoristic
        counts (or weights) of the records with a time of day.
    no_time_of_day : float
        Count (or weight) of the records without one (day or month precision, long windows).
    """

    counts: pd.DataFrame
    no_time_of_day: float

    @property
    def total(self) -> float:
        """All records (or weight): the profile's sum plus those without a time of day."""
        return float(self.counts.to_numpy().sum()) + self.no_time_of_day


def hour_of_week(incidents: pd.DataFrame, *, weights: str | pd.Series | None = None,
                 max_window_hours: float = DEFAULT_MAX_WINDOW_HOURS) -> HourOfWeek:
    """Aoristic hour-of-week profile (Europe/London local time).

    Each record with a time of day adds its weight to the local (weekday, hour) cells
    its window covers, in proportion to the real minutes in each (a repeated hour when
    the clocks go back counts in its local hour, twice as long).

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``occurred_from``, ``occurred_to`` (tz-aware) and ``time_precision``.
    weights : str or pandas.Series, default=None
        A column name (e.g. ``"harm_weight"``) or a Series aligned to ``incidents``;
        finite numbers. None counts each record once.
    max_window_hours : float, default=168
        Windows longer than this, in hours, have no time of day.

    Returns
    -------
    HourOfWeek
        ``counts`` sums to the count (weight) of records with a time of day;
        ``no_time_of_day`` holds the rest.
    """
    check_frame(incidents, "incidents", "hour_of_week")
    check_number(max_window_hours, "max_window_hours", "hour_of_week")
    long = hour_of_week_by(incidents, [], weights=weights, max_window_hours=max_window_hours)
    timed = long[long["day"] != NO_TIME_OF_DAY]
    counts = pd.DataFrame(timed["count"].to_numpy().reshape(7, 24),
                          index=pd.Index(DAY_NAMES, name="day"), columns=pd.RangeIndex(24, name="hour"))
    return HourOfWeek(counts, float(long["count"].iloc[-1]))


def hour_of_week_by(incidents: pd.DataFrame, by: str | list[str], *, weights: str | pd.Series | None = None,
                    max_window_hours: float = DEFAULT_MAX_WINDOW_HOURS) -> pd.DataFrame:
    """Hour-of-week profiles per group (e.g. ``["ward_code", "category"]``), in one pass.

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``occurred_from``, ``occurred_to``, ``time_precision`` and the ``by`` columns.
    by : str or list of str
        Grouping columns (missing values form their own group); ``[]`` for one profile.
    weights : str or pandas.Series, default=None
        As in :func:`hour_of_week`.
    max_window_hours : float, default=168
        Windows longer than this, in hours, have no time of day.

    Returns
    -------
    pandas.DataFrame
        Long: one row per group and cell, 169 per group: the ``by`` columns; ``day``
        (ordered categorical Monday..Sunday then ``"no time of day"``); ``hour`` (Int8,
        0-23, <NA> on the no-time-of-day row); ``count`` (float64). A group's counts sum
        to its number (weight) of records. Groups sorted by key.
    """
    check_frame(incidents, "incidents", "hour_of_week_by")
    check_number(max_window_hours, "max_window_hours", "hour_of_week_by")
    by = [by] if isinstance(by, str) else list(check_strings(by, "by", "hour_of_week_by"))
    missing = [c for c in by if c not in incidents.columns]
    if missing:
        raise GeoError(f"hour_of_week_by: incidents has no column(s) {missing}; group by existing columns.")
    clash = [c for c in by if c in ("day", "hour", "count")]
    if clash:
        raise GeoError(f"hour_of_week_by: cannot group by {clash}, the names of its own output columns; "
                       "rename those columns first.")
    win = _Windows.of(incidents, max_window_hours)
    w = _weights(incidents, weights)
    if by:
        grouped = incidents.groupby(by, sort=True, dropna=False, observed=True)
        group = grouped.ngroup().to_numpy(dtype=np.int64)
        keys = grouped.size().index.to_frame(index=False)
    else:
        group, keys = np.zeros(len(incidents), dtype=np.int64), pd.DataFrame(index=[0])
    cells = 169
    sums = np.zeros(len(keys) * cells)
    sums += np.bincount(group[~win.timed] * cells + 168, weights=w[~win.timed], minlength=len(sums))
    if win.timed.any():
        cell, value = _spread(win.start[win.timed], win.stop[win.timed], w[win.timed], group[win.timed],
                              max_window_hours)
        sums += np.bincount(cell, weights=value, minlength=len(keys) * cells)
    hours = np.tile(np.r_[np.tile(np.arange(24), 7), -1], len(keys)).astype(np.int8)
    out = keys.loc[np.repeat(np.arange(len(keys)), cells), by].reset_index(drop=True)
    out["day"] = pd.Categorical.from_codes(np.tile(np.repeat(np.arange(8), [24] * 7 + [1]), len(keys)),
                                           categories=[*DAY_NAMES, NO_TIME_OF_DAY], ordered=True)
    out["hour"] = pd.arrays.IntegerArray(hours, mask=hours < 0)
    out["count"] = sums
    return out


def peak_times(cells: np.ndarray, *, cover: float = 0.5) -> tuple[str, str, float]:
    """Peak days, peak hours and the share in both, from a 7 x 24 hour-of-week profile.

    Parameters
    ----------
    cells : numpy.ndarray
        7 x 24: Monday..Sunday x local hour 0-23, counts or weights.
    cover : float, default=0.5
        Share (0-1] the days, and the hours, must each hold.

    Returns
    -------
    (str, str, float)
        ``("Fri, Sat", "21:00-04:00", 0.7)``; ``("", "", nan)`` for an empty profile.

    Friday 22:00 (4), Saturday 01:00 (3, Friday night), Tuesday noon (3):

    >>> cells = np.zeros((7, 24)); cells[4, 22] = 4; cells[5, 1] = 3; cells[1, 12] = 3
    >>> peak_times(cells)
    ('Fri', '22:00-02:00', 0.7)
    """
    cells = np.asarray(cells, dtype=float)
    total = cells.sum()
    if not total > 0:
        return "", "", float("nan")
    need = cover * total - 1e-9 * total
    by_hour = cells.sum(axis=0)
    window = np.zeros(24)
    for length in range(1, 25):  # the shortest run of hours first
        window = window + np.roll(by_hour, -(length - 1))
        best = np.round(window, 9)
        if best.max() >= need:
            start = int(np.argmax(best))
            break
    end = start + length
    in_window = np.zeros(24, bool)
    in_window[np.arange(start, end) % 24] = True
    after_midnight = np.zeros(24, bool)
    if end > 24:
        after_midnight[: end - 24] = True
    # the hours after midnight of a run that passes it belong to the day before
    night = np.where(after_midnight, np.roll(cells, -1, axis=0), cells)
    by_day = night.sum(axis=1)
    chosen = fewest_days(by_day, need)
    share = float(night[chosen][:, in_window].sum() / total)
    hours_text = ALL_DAY if length == 24 else f"{start:02d}:00-{end % 24:02d}:00"
    return ", ".join(DAY_NAMES[d][:3] for d in chosen), hours_text, share


def fewest_days(by_day: np.ndarray, need: float) -> list[int]:
    """The fewest days (0 = Monday) whose counts reach ``need``, taken busiest first; sorted.

    >>> fewest_days(np.array([1.0, 0, 0, 0, 5, 6, 0]), 10)
    [4, 5]
    """
    chosen, held = [], 0.0
    for d in np.argsort(-np.round(by_day, 9), kind="stable"):
        chosen.append(int(d))
        held += by_day[d]
        if held >= need:
            break
    return sorted(chosen)


# --- private steps ----------------------------------------------------------------------

def _spread(start: np.ndarray, stop: np.ndarray, weight: np.ndarray, group: np.ndarray,
            max_window_hours: float) -> tuple[np.ndarray, np.ndarray]:
    """``(cell index, value)`` pairs: each window's weight spread over the real hours it
    covers, in proportion to minutes, into cell ``group * 169 + weekday * 24 + hour``."""
    first, last = start // 60, (stop - 1) // 60
    clock = _Clock(first, last, max_window_hours)
    order = np.argsort(first - last, kind="stable")  # longest windows first
    span = (last - first + 1)[order]
    cells, values = [], []
    for k in range(int(span[0])):  # one step per hour offset, over the windows that long
        sel = order[: int(np.searchsorted(-span, -k, side="left"))]
        hour = first[sel] + k
        minutes = np.minimum(stop[sel], (hour + 1) * 60) - np.maximum(start[sel], hour * 60)
        j = clock.position(hour)
        cells.append(group[sel] * 169 + clock.weekday[j] * 24 + clock.hour[j])
        values.append(weight[sel] * minutes / (stop[sel] - start[sel]))
    return np.concatenate(cells), np.concatenate(values)


def _weights(incidents: pd.DataFrame, weights: str | pd.Series | None) -> np.ndarray:
    if weights is None:
        return np.ones(len(incidents))
    if isinstance(weights, str):
        _check_columns(incidents, (weights,))
        weights = incidents[weights]
    if not isinstance(weights, pd.Series):
        raise TypeError(f"weights must be a column name or a pandas Series, got {type(weights).__name__}.")
    if not weights.index.equals(incidents.index):
        raise GeoError("weights: its index differs from the incidents' index; align it first "
                       "(weights.reindex(incidents.index)).")
    values = pd.to_numeric(weights, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = int((~np.isfinite(values)).sum())
    if bad:
        raise GeoError(f"weights: {bad} value(s) are missing or not finite numbers; fill them (e.g. .fillna(0)) "
                       "or drop those rows.")
    return values
