"""Words for figures that rest on times of day: how many records give one
(:func:`time_of_day_cover`), why the others do not (:func:`no_time_of_day_reason`), and a
count of incidents as text (:func:`incidents_text`). Used by the patrol plan, its PDF and the
area comparison.
"""

from __future__ import annotations

import pandas as pd

from ..geo.timebands import TIMED_PRECISIONS
from ..validation import check_columns
from .errors import PatrolError


def time_of_day_cover(timed: int, records: int) -> str:
    """How many records a time-of-day figure rests on, as a phrase.

    >>> time_of_day_cover(412, 1030), time_of_day_cover(1029, 1030)
    ('times of day from 412 of 1,030 records (40%)', 'times of day from 1,029 of 1,030 records (over 99%)')
    """
    pct = 100 * timed / records if records else 0.0
    shown = f"{pct:.0f}%" if pct in (0, 100) or 1 <= pct <= 99 else ("under 1%" if pct < 1 else "over 99%")
    return f"times of day from {timed:,} of {records:,} records ({shown})"


def no_time_of_day_reason(incidents: pd.DataFrame) -> str:
    """Why records have no time of day, as a clause for a sentence.

    "police.uk gives months only" when every record is a police.uk month-only one, else
    what their dates give ("the records' dates give the day or month only").

    Parameters
    ----------
    incidents : pandas.DataFrame
        ``time_precision`` (and ``source``: police.uk is named). Not modified.
    """
    check_columns(incidents, ("time_precision",), "no_time_of_day_reason", error=PatrolError)
    vague = set(incidents["time_precision"].astype("str")) - set(TIMED_PRECISIONS)
    if vague == {"month"} and "source" in incidents and incidents["source"].astype("str").str.startswith(
            "police_uk").all():
        return "police.uk gives months only"
    if vague and vague <= {"day", "month"}:
        return f"the records' dates give the {' or '.join(sorted(vague))} only"
    return "the records give dates or time windows of over a week, not times of day"


def incidents_text(value: float) -> str:
    """Incidents as text: whole when within 0.05 of a whole number, else one decimal."""
    return f"{value:,.0f}" if abs(value - round(value)) < 0.05 else f"{value:,.1f}"
