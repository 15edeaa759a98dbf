"""Review periods of a tasking list: a calendar month, or the seven days from a Monday.

Every period in the package is a :class:`pandas.Period`: months have the frequency ``"M"``,
weeks ``"W-SUN"`` (weeks ending on Sunday, so they run Monday to Sunday). On top of them:

- :func:`review_period` reads a period as people write it (``"2017-07"``, ``"2017-07-03"``,
  ``"2017-W27"``) into a :class:`ReviewPeriod`, which knows its label, first and last day,
  its description in words, the periods before and after it, and how many periods away
  any timestamp is;
- :meth:`ReviewPeriod.describe` is the one wording of a period, everywhere: "July 2017",
  "the week beginning 3 July 2017"; :func:`describe_period` gives it for any stored period
  text (and "1 July 2017 to 31 July 2017" for a date range);
- :func:`date_range` reads the periods a person types on the command line (a year, a month,
  a day or a range) into inclusive ISO dates;
- :func:`period_for_dates` finds the review period for a pair of dates (with a note when
  they are not one), :func:`periods_between` lists the periods from one day to another,
  newest first, and :func:`period_labels` labels many timestamps at once.

Dates are Europe/London calendar dates. Naive timestamps are taken as local wall-clock
time already; a timestamp with a time zone is converted to Europe/London first, so a
record at 23:30 UTC on Sunday 26 March 2017 (00:30 BST on Monday 27 March, after the clocks
went forward) is in the week beginning 27 March 2017.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from .errors import PeriodError
from .labels import LOCAL_TZ
from .validation import check_choice, check_type

Every = Literal["week", "month"]
EVERY: tuple[str, ...] = get_args(Every)
#: The pandas frequency of each kind of period: weeks end on Sunday, so they run Monday to Sunday.
FREQ: dict[str, str] = {"month": "M", "week": "W-SUN"}

_KIND = {freq: every for every, freq in FREQ.items()}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_RANGE = re.compile(r"\s*(?:/|:|\.\.|\bto\b)\s*")


@dataclass(frozen=True)
class ReviewPeriod:
    """A review period: a calendar month, or the seven days from a Monday.

    Equal (and hashed alike) when the periods are: ``review_period("2017-W27") ==
    review_period("2017-07-03")``.

    Attributes
    ----------
    period : pandas.Period
        Frequency ``"M"`` (a month) or ``"W-SUN"`` (a week, Monday to Sunday).

    Examples
    --------
    >>> week = ReviewPeriod(pd.Period("2017-07-05", freq="W-SUN"))
    >>> week.every, week.label, week.start.strftime("%A %d/%m/%Y"), week.end.strftime("%A %d/%m/%Y")
    ('week', '2017-07-03', 'Monday 03/07/2017', 'Sunday 09/07/2017')
    >>> ReviewPeriod.of(pd.Timestamp("2017-07-20 14:30"), "month").describe()
    'July 2017'
    """

    period: pd.Period

    def __post_init__(self) -> None:
        if not isinstance(self.period, pd.Period):
            raise TypeError(f"The 'period' parameter of ReviewPeriod must be a pandas.Period. "
                            f"Got {type(self.period).__name__} instead.")
        if self.period.freqstr not in _KIND:
            raise PeriodError(f"ReviewPeriod: a {self.period.freqstr!r} period is not a review period; use "
                              "freq='M' (a month) or freq='W-SUN' (a week from Monday), "
                              "or ReviewPeriod.of(day, every).")

    @classmethod
    def of(cls, day, every: Every) -> ReviewPeriod:
        """The review period holding a day.

        Parameters
        ----------
        day : str, datetime.date or pandas.Timestamp
            A local date (a time of day is ignored; a time zone is converted to Europe/London).
        every : {"week", "month"}
        """
        check_choice(every, "every", "ReviewPeriod.of", EVERY, error=PeriodError)
        return cls(pd.Period(_day(day, "day", "ReviewPeriod.of"), freq=FREQ[every]))

    @property
    def every(self) -> Every:
        """``"week"`` or ``"month"``."""
        return _KIND[self.period.freqstr]

    @property
    def start(self) -> pd.Timestamp:
        """Its first day (naive, midnight, a Europe/London date)."""
        return self.period.start_time

    @property
    def end(self) -> pd.Timestamp:
        """Its last day (inclusive; naive, midnight)."""
        return self.period.end_time.normalize()

    @property
    def label(self) -> str:
        """``"2017-07"`` or ``"2017-07-03"`` (the Monday)."""
        return str(self.period) if self.every == "month" else self.start.strftime("%Y-%m-%d")

    def describe(self) -> str:
        """The period in words: ``"July 2017"`` or ``"the week beginning 3 July 2017"``.

        The one wording of a period in the package: lists, exports, notes and the app.

        >>> review_period("2017-07").describe(), review_period("2017-W27").describe()
        ('July 2017', 'the week beginning 3 July 2017')
        """
        if self.every == "month":
            return self.start.strftime("%B %Y")
        return f"the week beginning {_in_words(self.start)}"

    def shifted(self, periods: int) -> ReviewPeriod:
        """The period ``periods`` later (earlier when negative).

        >>> review_period("2017-01").shifted(-1).label, review_period("2017-12-25").shifted(1).label
        ('2016-12', '2018-01-01')
        """
        if isinstance(periods, bool) or not isinstance(periods, (int, np.integer)):
            raise TypeError(f"The 'periods' parameter of ReviewPeriod.shifted must be an int. Got {periods!r} instead.")
        return ReviewPeriod(self.period + int(periods))

    def index(self, local: pd.Series) -> np.ndarray:
        """Periods from this one to each timestamp (0 = in it, -1 = the one before).

        Parameters
        ----------
        local : pandas.Series of datetime64
            Naive local (Europe/London wall-clock) timestamps; tz-aware ones are converted.

        Returns
        -------
        numpy.ndarray of int64
            Aligned to ``local`` (a new, writable array).

        >>> review_period("2017-07-03").index(pd.Series(pd.to_datetime(["2017-07-02 23:59", "2017-07-24 00:00"])))
        array([-1,  3])
        """
        stamps = _local_stamps(local, "local", "ReviewPeriod.index")
        ordinals = stamps.dt.to_period(FREQ[self.every]).array.asi8
        missing = int(stamps.isna().sum())
        if missing:
            raise PeriodError(f"ReviewPeriod.index: {missing:,} of {len(stamps):,} timestamps are missing (NaT); "
                              "drop them first.")
        return ordinals - self.period.ordinal

    def is_complete(self, last_day) -> bool:
        """Whether the period is over by ``last_day``: its last day is on or before it.

        Parameters
        ----------
        last_day : str, datetime.date or pandas.Timestamp
            e.g. the date of the latest record (a time of day is ignored).

        >>> week = review_period("2017-07-03")
        >>> week.is_complete("2017-07-09"), week.is_complete("2017-07-08")
        (True, False)
        """
        return bool(self.end <= _day(last_day, "last_day", "ReviewPeriod.is_complete"))


def review_period(period: str, every: Every | None = None) -> ReviewPeriod:
    """Read a review period as people write it.

    Parameters
    ----------
    period : str
        ``"2017-07"`` (a month), ``"2017-07-03"`` (the week from that Monday) or
        ``"2017-W27"`` (an ISO week).
    every : {"week", "month"}, optional
        Checked against the period's form when given.

    Raises
    ------
    PeriodError
        The text is not a period, a day is not a Monday, or the period is not an ``every``.

    >>> review_period("2017-W27").label, review_period("2017-07").end.strftime("%d/%m/%Y")
    ('2017-07-03', '31/07/2017')
    """
    if not isinstance(period, str):
        raise TypeError(f"The 'period' parameter of review_period must be a str. Got {period!r} instead.")
    text = period.strip()
    try:
        if len(text) == 7 and text[4] == "-" and text[5:].isdigit():
            found = ReviewPeriod.of(pd.Timestamp(f"{text}-01"), "month")
        elif "-W" in text.upper():
            year, week = text.upper().split("-W")
            found = ReviewPeriod.of(pd.Timestamp(dt.date.fromisocalendar(int(year), int(week), 1)), "week")
        else:
            day = pd.Timestamp(dt.date.fromisoformat(text))
            if day.day_of_week != 0:
                monday = day - pd.Timedelta(days=day.day_of_week)
                raise PeriodError(f"period {period!r} is a {day:%A}; a weekly period starts on a Monday: "
                                   f"use {monday:%Y-%m-%d} (or the month {day:%Y-%m}).")
            found = ReviewPeriod.of(day, "week")
    except (ValueError, IndexError) as err:
        if isinstance(err, PeriodError):
            raise
        raise PeriodError(f"period {period!r} is not a review period; write a month (2017-07), the Monday "
                           "of a week (2017-07-03) or an ISO week (2017-W27).") from None
    if every is not None and every != found.every:
        raise PeriodError(f"period {period!r} is a {found.every} but every={every!r}; write "
                           f"{'a month such as 2017-07' if every == 'month' else 'a Monday such as 2017-07-03'}.")
    return found


def describe_period(text: str) -> str:
    """Any period text people write or stored lists hold, in the one wording of :meth:`ReviewPeriod.describe`.

    A month or week label gives its description; a date range (ISO dates joined by ``/``,
    ``:``, ``..`` or ``to``) gives both days in words; anything else is display text and
    comes back as given.

    Examples
    --------
    >>> describe_period("2017-07")
    'July 2017'
    >>> describe_period("2017-07-03")
    'the week beginning 3 July 2017'
    >>> describe_period("2017-W27")
    'the week beginning 3 July 2017'
    >>> describe_period("2017-07-01/2017-07-31")
    '1 July 2017 to 31 July 2017'
    >>> describe_period("2017-06-01:2017-08-31")
    '1 June 2017 to 31 August 2017'
    >>> describe_period("2017-13"), describe_period("2017-07-05"), describe_period("last summer")
    ('2017-13', '2017-07-05', 'last summer')
    """
    check_type(text, "text", "describe_period", str, type_name="a str")
    value = text.strip()
    parts = _RANGE.split(value)
    try:
        if len(parts) == 2 and all(_ISO_DAY.fullmatch(p) for p in parts):
            first, last = (dt.date.fromisoformat(p) for p in parts)
            return f"{_in_words(first)} to {_in_words(last)}"
        return review_period(value).describe()
    except ValueError:  # PeriodError too: not a period, so shown as it is
        return text


def date_range(text: str) -> tuple[str, str]:
    """``(start, end)`` local dates (ISO, inclusive) for a period written as a person would.

    ``"2017"`` (a year), ``"2017-07"`` (a month), ``"2017-07-03"`` (a day) or
    ``"2017-06-01:2017-08-31"`` (a range; UK dates such as ``01/06/2017`` also work).

    Parameters
    ----------
    text : str
        As given to the command line's ``--period``.

    Raises
    ------
    PeriodError
        The text is not a period, or the range ends before it starts.

    Examples
    --------
    >>> date_range("2017-02")
    ('2017-02-01', '2017-02-28')
    >>> date_range("01/06/2017:31/08/2017")
    ('2017-06-01', '2017-08-31')
    """
    check_type(text, "text", "date_range", str, type_name="a str")
    value = text.strip()
    try:
        if ":" in value:
            a, b = value.split(":", 1)
            start, end = _typed_day(a), _typed_day(b)
        elif len(value) == 4 and value.isdigit():
            start, end = pd.Timestamp(f"{value}-01-01"), pd.Timestamp(f"{value}-12-31")
        elif len(value) == 7:
            start = pd.Timestamp(f"{value}-01")
            end = start + pd.offsets.MonthEnd(0)
        else:
            start = end = _typed_day(value)
    except ValueError:
        raise PeriodError(f"--period {text!r} is not a period; write 2017, 2017-07, 2017-07-03 or "
                          "2017-06-01:2017-08-31.") from None
    if end < start:
        raise PeriodError(f"--period {text!r} ends before it starts; swap the dates.")
    return start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d")


def period_for_dates(start, end) -> tuple[ReviewPeriod, str]:
    """The review period of a tasking list for a pair of dates, and a note when they are not one.

    A whole calendar month gives that month and seven days from a Monday give that week,
    each with the note ``""``; any other dates give the month of the end date, with a note
    saying so (a tasking list is for a month or a week).

    Parameters
    ----------
    start, end : str, datetime.date or pandas.Timestamp
        Inclusive local dates, e.g. ``"2017-07-01"`` (UK dates such as ``01/07/2017`` also work).

    Returns
    -------
    (ReviewPeriod, str)

    Raises
    ------
    PeriodError
        A date cannot be read, or ``end`` is before ``start``.

    Examples
    --------
    >>> period_for_dates("2017-07-03", "2017-07-09")[0].describe()
    'the week beginning 3 July 2017'
    >>> period, note = period_for_dates("2017-07-02", "2017-07-20")
    >>> period.label
    '2017-07'
    >>> note  # doctest: +NORMALIZE_WHITESPACE
    'The dates 02/07/2017 to 20/07/2017 are not a whole month or a week from a Monday; the list is for July 2017,
    the month they end in.'
    """
    first, last = _day(start, "start", "period_for_dates"), _day(end, "end", "period_for_dates")
    if last < first:
        raise PeriodError(f"period_for_dates: the end date {last:%d/%m/%Y} is before the start "
                          f"{first:%d/%m/%Y}; swap them.")
    for every in ("month", "week"):
        found = ReviewPeriod.of(first, every)
        if found.start == first and found.end == last:
            return found, ""
    found = ReviewPeriod.of(last, "month")
    return found, (f"The dates {first:%d/%m/%Y} to {last:%d/%m/%Y} are not a whole month or a week from a Monday; "
                   f"the list is for {found.describe()}, the month they end in.")


def periods_between(first_day, last_day, every: Every) -> list[ReviewPeriod]:
    """Every review period from the one holding ``first_day`` to the one holding ``last_day``, newest first.

    Parameters
    ----------
    first_day, last_day : str, datetime.date or pandas.Timestamp
        Local dates (a time of day is ignored; a time zone is converted to Europe/London),
        e.g. the first and last records' times.
    every : {"week", "month"}

    Returns
    -------
    list of ReviewPeriod
        Newest first; the first may be incomplete (:meth:`ReviewPeriod.is_complete`).

    Examples
    --------
    >>> [p.label for p in periods_between("2016-11-20", "2017-01-03", "month")]
    ['2017-01', '2016-12', '2016-11']
    >>> [p.label for p in periods_between("2016-12-28", "2017-01-03", "week")]
    ['2017-01-02', '2016-12-26']
    """
    check_choice(every, "every", "periods_between", EVERY, error=PeriodError)
    first = _day(first_day, "first_day", "periods_between")
    last = _day(last_day, "last_day", "periods_between")
    if last < first:
        raise PeriodError(f"periods_between: the last day {last:%d/%m/%Y} is before the first day "
                          f"{first:%d/%m/%Y}; swap them.")
    span = pd.period_range(first, last, freq=FREQ[every])
    return [ReviewPeriod(p) for p in span[::-1]]  # one step per period, not per record


def period_labels(local: pd.Series, every: Every) -> pd.Series:
    """Each timestamp's review period label (``"2017-07"`` or the Monday, ``"2017-07-03"``), at once.

    Parameters
    ----------
    local : pandas.Series of datetime64
        Naive local (Europe/London wall-clock) timestamps; tz-aware ones are converted.
    every : {"week", "month"}

    Returns
    -------
    pandas.Series of str
        Aligned to ``local``, named ``period``; ``""`` where the timestamp is missing (NaT).

    Examples
    --------
    >>> stamps = pd.Series(pd.to_datetime(["2017-07-09 23:59", "2017-07-10 00:00", None]))
    >>> period_labels(stamps, "week").tolist(), period_labels(stamps, "month").tolist()
    (['2017-07-03', '2017-07-10', ''], ['2017-07', '2017-07', ''])
    """
    check_choice(every, "every", "period_labels", EVERY, error=PeriodError)
    stamps = _local_stamps(local, "local", "period_labels")
    codes, distinct = pd.factorize(stamps.dt.to_period(FREQ[every]))
    names = (distinct.strftime("%Y-%m") if every == "month"
             else distinct.start_time.strftime("%Y-%m-%d"))  # once per distinct period
    labels = np.append(np.asarray(names, dtype=object), "")[codes]  # code -1 (NaT) takes the last, ""
    return pd.Series(labels, index=local.index, dtype="str", name="period")


# --- private steps ----------------------------------------------------------------------

def _in_words(day: dt.date) -> str:
    """``"3 July 2017"``."""
    return f"{day.day} {day:%B %Y}"


def _typed_day(text: str) -> pd.Timestamp:
    """A date as typed: ISO, or UK day first when written with slashes (``01/06/2017``)."""
    text = text.strip()
    return pd.Timestamp(pd.to_datetime(text, dayfirst="/" in text))


def _day(value, name: str, where: str) -> pd.Timestamp:
    """A local date (naive midnight) from a str, date or Timestamp; PeriodError when unreadable."""
    if isinstance(value, str):
        try:
            stamp = _typed_day(value)
        except ValueError:
            stamp = pd.NaT
    else:
        check_type(value, name, where, (dt.date, np.datetime64), type_name="a date (str, datetime.date or "
                                                                            "pandas.Timestamp)")
        stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        raise PeriodError(f"The '{name}' parameter of {where} must be a date such as 2017-07-01. "
                          f"Got {value!r} instead.")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(LOCAL_TZ).tz_localize(None)
    return stamp.normalize()


def _local_stamps(local, name: str, where: str) -> pd.Series:
    """``local`` as naive Europe/London wall-clock timestamps (tz-aware ones converted)."""
    if isinstance(local, pd.Series) and isinstance(local.dtype, pd.DatetimeTZDtype):
        return local.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    if not isinstance(local, pd.Series) or not pd.api.types.is_datetime64_dtype(local.dtype):
        got = f"a Series of {local.dtype}" if isinstance(local, pd.Series) else type(local).__name__
        raise TypeError(f"The '{name}' parameter of {where} must be a pandas Series of timestamps. Got {got} instead.")
    return local
