"""One listed place in detail, for the weekly review: its hour-of-week grid, category mix
and trend over the review and baseline periods, counted inside its outline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..geo.aoristic import band_weights
from ..geo.hourofweek import hour_of_week
from ..geo.schema import LOCAL_TZ
from ..geo.timebands import TimeBands
from ..labels import ALL_TIMES
from ..labels import SENSITIVE_LABEL as SENSITIVE
from ..periods import review_period
from .selection import coverage


@dataclass
class PlaceProfile:
    """What one place of a tasking list is like.

    Attributes
    ----------
    hour_of_week : pandas.DataFrame
        7 x 24 (Monday..Sunday x local hour): incidents in the review period, all hours.
    no_time_of_day : float
        Incidents of the review period with no time of day (not in the grid).
    categories : pandas.DataFrame
        ``category, incidents, share`` in the review period (band-weighted), most first;
        sensitive categories as one "sensitive (aggregated)" row.
    trend : pandas.DataFrame
        ``period, incidents`` (band-weighted): the baseline periods, then the review period;
        NaN for a period without data (:func:`.selection.coverage`), never a false zero.
    """

    hour_of_week: pd.DataFrame
    no_time_of_day: float
    categories: pd.DataFrame
    trend: pd.DataFrame


def place_profile(incidents: pd.DataFrame, outline, *, period: str, band: str = ALL_TIMES,
                  baseline_periods: int = 12, bands: TimeBands | None = None) -> PlaceProfile:
    """Hour-of-week grid, category mix and trend of the incidents inside one outline.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incident table. Not modified.
    outline : shapely geometry
        The place (EPSG:27700), e.g. a tasking list row's geometry.
    period : str
        The review period (``"2017-07"`` or a Monday ``"2017-07-03"``).
    band : str, default="all"
        Counts in ``categories`` and ``trend`` are weighted by this band (the grid is not).
    baseline_periods : int, default=12
        Periods before the review period in ``trend``.
    bands : TimeBands, optional
        The workspace's bands (the packaged default when None).
    """
    import shapely

    review = review_period(period)
    first = review.shifted(-baseline_periods).start
    local = incidents["occurred_from"].dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    x0, y0, x1, y1 = outline.bounds
    e, n = incidents["easting"].to_numpy(float), incidents["northing"].to_numpy(float)
    near = ((local >= first) & (local < review.end + pd.Timedelta(days=1))).to_numpy() \
        & (e >= x0) & (e <= x1) & (n >= y0) & (n <= y1)
    idx = np.flatnonzero(near)
    idx = idx[shapely.contains_xy(outline, e[idx], n[idx])]
    table = incidents.iloc[idx]
    pos = review.index(local.iloc[idx]) + baseline_periods
    if review.every == "week":
        pos[table["time_precision"].astype("str").eq("month").to_numpy()] = -1
    weight = np.ones(len(table)) if band == ALL_TIMES else np.nan_to_num(
        band_weights(table, band, bands=bands).to_numpy())
    labels = [review.shifted(k - baseline_periods).label for k in range(baseline_periods + 1)]
    ok = pos >= 0
    counts = np.bincount(pos[ok], weights=weight[ok], minlength=len(labels))
    window = ((local >= first) & (local < review.end + pd.Timedelta(days=1))).to_numpy()
    read = [c for c in ("occurred_from", "time_precision", "source") if c in incidents.columns]  # not every column
    covered = coverage(incidents.loc[window, read], review, baseline_periods, len(labels), local=local[window])
    trend = pd.DataFrame({"period": labels, "incidents": np.where(covered, counts, np.nan)})
    now = pos == baseline_periods
    profile = hour_of_week(table.loc[now])
    label = table["category"].astype("str").where(~table["sensitive"].astype(bool), SENSITIVE)
    mix = pd.Series(weight[now], index=label[now].to_numpy()).groupby(level=0).sum()
    mix = mix[mix > 0].sort_values(ascending=False, kind="stable")
    categories = pd.DataFrame({"category": mix.index.astype("str"), "incidents": mix.to_numpy(),
                               "share": (mix / mix.sum()).to_numpy() if len(mix) else []})
    return PlaceProfile(profile.counts, profile.no_time_of_day, categories, trend)


# --- the printable page ---------------------------------------------------------------------
