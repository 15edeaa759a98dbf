"""Parsing dates and times as partnerships' files write them, vectorised.

Accepted forms (tried in this order, per value):

============================  =========================  ==============
form                          example                    precision
============================  =========================  ==============
ISO date and time             ``2024-02-01T18:30:00``    minute
ISO date                      ``2024-02-01``             day
UK day-first date and time    ``01/02/2024 18:30``       minute
UK day-first date             ``01/02/2024`` (1 Feb)     day
day, month name, year         ``01 Jan 2009``            day
police.uk year-month          ``2016-01``                month
============================  =========================  ==============

A separate time column (``18:30`` or ``18:30:15``) turns a date into minute precision.
Local times are Europe/London: a time in the hour skipped when the clocks go forward
moves forward to 02:00 BST; a time in the hour repeated when they go back is read as
the first (BST) occurrence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..geo.schema import LOCAL_TZ

#: (strftime format, precision) in the order they are tried.
DATE_FORMATS: tuple[tuple[str, str], ...] = (
    ("%Y-%m-%dT%H:%M:%S", "minute"),
    ("%Y-%m-%dT%H:%M", "minute"),
    ("%Y-%m-%d %H:%M:%S", "minute"),
    ("%Y-%m-%d %H:%M", "minute"),
    ("%Y-%m-%d", "day"),
    ("%d/%m/%Y %H:%M:%S", "minute"),
    ("%d/%m/%Y %H:%M", "minute"),
    ("%d/%m/%Y", "day"),
    ("%d %b %Y %H:%M:%S", "minute"),
    ("%d %b %Y %H:%M", "minute"),
    ("%d %b %Y", "day"),
    ("%d %B %Y", "day"),
    ("%Y-%m", "month"),
)

TIME_FORMATS = ("%H:%M:%S", "%H:%M")


def parse_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse date (or date-time) strings.

    Parameters
    ----------
    text : pandas.Series of str
        Values such as ``"01/02/2024"``; blanks give ``NaT``.

    Returns
    -------
    naive : pandas.Series of datetime64[us]
        Naive local times; ``NaT`` where no form matched.
    precision : pandas.Series of str
        ``"minute"``, ``"day"`` or ``"month"``; ``""`` where no form matched.
    """
    codes, uniques = pd.factorize(text.astype("str").str.strip(), use_na_sentinel=False)
    naive, precision = _parse_unique(np.asarray(uniques, dtype=object))
    return (
        pd.Series(naive[codes], index=text.index),
        pd.Series(precision[codes], index=text.index, dtype="str"),
    )


def _parse_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parse distinct stripped strings: each form is tried on what is still unparsed."""
    naive = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[us]")
    precision = np.full(len(values), "", dtype=object)
    todo = values != ""
    for fmt, level in DATE_FORMATS:
        if not todo.any():
            break
        where = np.flatnonzero(todo)
        parsed = pd.to_datetime(pd.Series(values[where]), format=fmt, errors="coerce")
        hit = parsed.notna().to_numpy()
        naive[where[hit]] = parsed[hit].to_numpy(dtype="datetime64[us]")
        precision[where[hit]] = level
        todo[where[hit]] = False
    return naive, precision


def parse_times(text: pd.Series) -> pd.Series:
    """Parse ``HH:MM`` or ``HH:MM:SS`` strings into a timedelta since midnight (``NaT`` if not a time)."""
    values = text.astype("str").str.strip()
    out = pd.Series(pd.NaT, index=text.index, dtype="timedelta64[us]")
    for fmt in TIME_FORMATS:
        todo = out.isna() & values.ne("")
        if not todo.any():
            break
        parsed = pd.to_datetime(values[todo], format=fmt, errors="coerce")
        delta = (parsed - parsed.dt.normalize()).astype("timedelta64[us]")
        out.loc[delta.index[delta.notna().to_numpy()]] = delta.dropna()
    return out


def combine(date_text: pd.Series, time_text: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse a date column and an optional separate time column.

    Returns ``(naive, precision)`` as :func:`parse_dates`. A valid time on a day-precision
    date gives minute precision; a blank time leaves the date at day precision; a time
    that is not a time leaves the row unparsed (``NaT``), so it is rejected, not guessed.
    """
    naive, precision = parse_dates(date_text)
    if time_text is None:
        return naive, precision
    clock = parse_times(time_text)
    blank = time_text.astype("str").str.strip().eq("")
    has_time = clock.notna() & precision.eq("day")
    naive = naive.where(~has_time, naive + clock)
    precision = precision.where(~has_time, "minute")
    bad_time = ~blank & clock.isna()
    naive = naive.where(~bad_time)
    precision = precision.where(~bad_time, "")
    return naive, precision


def localize(naive: pd.Series) -> pd.Series:
    """Attach Europe/London to naive local times, across clock changes (see module notes)."""
    ambiguous = np.ones(len(naive), dtype=bool)  # repeated hour: take the first (BST) one
    return naive.dt.tz_localize(LOCAL_TZ, ambiguous=ambiguous, nonexistent="shift_forward")


def window(naive: pd.Series, precision: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Local ``(occurred_from, occurred_to)`` for a start time at the given precision.

    Both ends are inclusive: a day runs 00:00 to 23:59, a month from its first day
    00:00 to its last day 23:59, an exact time is a zero-length window. Computed once
    per distinct (time, precision) pair.
    """
    keys = pd.DataFrame({"t": naive.to_numpy(), "p": precision.to_numpy()})
    codes, distinct = _factorize_rows(keys)
    start = pd.Series(distinct["t"].to_numpy(), dtype="datetime64[us]")
    level = distinct["p"].astype("str")
    end = start.copy()
    minute = pd.Timedelta(minutes=1)
    is_day = level.eq("day").to_numpy()
    is_month = level.eq("month").to_numpy()
    end[is_day] = start[is_day] + pd.Timedelta(days=1) - minute
    end[is_month] = start[is_month] + pd.offsets.MonthBegin(1) - minute
    local_start, local_end = localize(start), localize(end)
    return (pd.Series(local_start.array.take(codes), index=naive.index),
            pd.Series(local_end.array.take(codes), index=naive.index))


def _factorize_rows(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """``(codes, distinct rows)``: row i of ``frame`` equals ``distinct.iloc[codes[i]]``."""
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in frame.columns:
        c, u = pd.factorize(frame[column], use_na_sentinel=False)
        combined = combined * max(len(u), 1) + c
    codes, _ = pd.factorize(combined)
    _, first = np.unique(codes, return_index=True)  # codes run 0..k-1 in order of appearance
    return codes, frame.iloc[first].reset_index(drop=True)
