"""Review periods of a tasking list: a calendar month, or the seven days from a Monday.

:func:`review_period` reads a period as people write it (``"2017-07"``, ``"2017-07-03"``,
``"2017-W27"``) into a :class:`ReviewPeriod`, which knows its label, first and last day,
its description in words, the periods before and after it, and how many periods away
any timestamp is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from .errors import PeriodError

Every = Literal["week", "month"]
EVERY: tuple[str, ...] = get_args(Every)


@dataclass(frozen=True)
class ReviewPeriod:
    """A review period: a calendar month, or the seven days from a Monday.

    Attributes
    ----------
    every : {"week", "month"}
    start : pandas.Timestamp
        Its first day (naive, midnight, Europe/London dates).
    """

    every: Every
    start: pd.Timestamp

    @property
    def label(self) -> str:
        """``"2017-07"`` or ``"2017-07-03"``."""
        return self.start.strftime("%Y-%m" if self.every == "month" else "%Y-%m-%d")

    @property
    def end(self) -> pd.Timestamp:
        """Its last day (inclusive)."""
        return self.shifted(1).start - pd.Timedelta(days=1)

    def describe(self) -> str:
        """``"July 2017"`` or ``"the week beginning 3 July 2017"``."""
        if self.every == "month":
            return self.start.strftime("%B %Y")
        return f"the week beginning {self.start.day} {self.start:%B %Y}"

    def shifted(self, periods: int) -> "ReviewPeriod":
        """The period ``periods`` later (earlier when negative)."""
        if self.every == "month":
            return ReviewPeriod("month", self.start + pd.DateOffset(months=periods))
        return ReviewPeriod("week", self.start + pd.Timedelta(weeks=periods))

    def index(self, local: pd.Series) -> np.ndarray:
        """Periods from this one to each naive local timestamp (0 = in it, -1 = the one before)."""
        if self.every == "month":
            months = local.dt.year.to_numpy(dtype=np.int64) * 12 + local.dt.month.to_numpy(dtype=np.int64)
            return months - (self.start.year * 12 + self.start.month)
        days = (local.dt.normalize() - self.start).dt.days.to_numpy(dtype=np.int64)
        return np.floor_divide(days, 7)


def review_period(period: str, every: Every | None = None) -> ReviewPeriod:
    """Read a review period as people write it.

    Parameters
    ----------
    period : str
        ``"2017-07"`` (a month), ``"2017-07-03"`` (the week from that Monday) or
        ``"2017-W27"`` (an ISO week).
    every : {"week", "month"}, optional
        Checked against the period's form when given.

    >>> review_period("2017-W27").label, review_period("2017-07").end.strftime("%d/%m/%Y")
    ('2017-07-03', '31/07/2017')
    """
    if not isinstance(period, str):
        raise TypeError(f"The 'period' parameter of build_tasking_list must be a str. Got {period!r} instead.")
    text = period.strip()
    try:
        if len(text) == 7 and text[4] == "-" and text[5:].isdigit():
            found = ReviewPeriod("month", pd.Timestamp(f"{text}-01"))
        elif "-W" in text.upper():
            year, week = text.upper().split("-W")
            found = ReviewPeriod("week", pd.Timestamp(dt.date.fromisocalendar(int(year), int(week), 1)))
        else:
            day = pd.Timestamp(dt.date.fromisoformat(text))
            if day.day_of_week != 0:
                monday = day - pd.Timedelta(days=day.day_of_week)
                raise PeriodError(f"period {period!r} is a {day:%A}; a weekly period starts on a Monday: "
                                   f"use {monday:%Y-%m-%d} (or the month {day:%Y-%m}).")
            found = ReviewPeriod("week", day)
    except (ValueError, IndexError) as err:
        if isinstance(err, PeriodError):
            raise
        raise PeriodError(f"period {period!r} is not a review period; write a month (2017-07), the Monday "
                           "of a week (2017-07-03) or an ISO week (2017-W27).") from None
    if every is not None and every != found.every:
        raise PeriodError(f"period {period!r} is a {found.every} but every={every!r}; write "
                           f"{'a month such as 2017-07' if every == 'month' else 'a Monday such as 2017-07-03'}.")
    return found
