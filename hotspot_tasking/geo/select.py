"""Choosing incidents: by source, category, group and date range, without copying columns; and
which periods hold data (:func:`covered_periods`, the one rule of the ranking's baseline and the
evaluation's windows)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import GeoError
from .schema import LOCAL_TZ
from .validate import check_columns, check_date, check_strings


def select_incidents(incidents: pd.DataFrame, *, sources: Sequence[str] | None = None,
                     categories: Sequence[str] | None = None, groups: Sequence[str] | None = None,
                     start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None) -> pd.Series:
    """A boolean mask of the incidents that match every filter given.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incident table (the columns the filters use). Not modified.
    sources, categories : sequence of str, optional
        Keep these sources / categories.
    groups : sequence of str, optional
        Keep incidents in any of these partnership groups (``groups`` holds ids joined with ``;``).
    start, end : date, optional
        Keep incidents whose window overlaps these local dates (inclusive, Europe/London).

    Returns
    -------
    pandas.Series of bool, aligned to ``incidents``.
    """
    where = "select_incidents"
    sources, categories, groups = (check_strings(v, k, where) for k, v in
                                   (("sources", sources), ("categories", categories), ("groups", groups)))
    start, end = check_date(start, "start", where, optional=True), check_date(end, "end", where, optional=True)
    needed = [c for c, v in (("source", sources), ("category", categories), ("groups", groups),
                             ("occurred_to", start), ("occurred_from", end)) if v is not None]
    check_columns(incidents, needed, where)
    mask = pd.Series(True, index=incidents.index)
    if sources is not None:
        mask &= incidents["source"].isin(list(sources))
    if categories is not None:
        mask &= incidents["category"].isin(list(categories))
    if groups is not None:
        tokens = incidents["groups"].astype("str").str.split(";")
        wanted = set(groups)
        codes, distinct = pd.factorize(tokens.map(tuple))
        hit = np.array([bool(wanted & set(t)) for t in distinct], dtype=bool)  # once per distinct group list
        mask &= hit[codes] if len(distinct) else False
    if start is not None or end is not None:
        lo = _local(start) if start is not None else None
        hi = _local(end) + pd.Timedelta(days=1) if end is not None else None
        if lo is not None and hi is not None and hi <= lo:
            raise GeoError(f"the end date {pd.Timestamp(end):%d/%m/%Y} is before the start "
                           f"{pd.Timestamp(start):%d/%m/%Y}; swap them.")
        if lo is not None:
            mask &= incidents["occurred_to"] >= lo
        if hi is not None:
            mask &= incidents["occurred_from"] < hi
    return mask


def _local(day: str | pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(day)
    return stamp.tz_localize(LOCAL_TZ) if stamp.tzinfo is None else stamp.tz_convert(LOCAL_TZ)


def covered_periods(pos: np.ndarray, source: np.ndarray, periods: int, reference) -> np.ndarray:
    """Per period, True when every source with records in a ``reference`` period has records
    in it too (when none has, when any source has).

    A source's missing months (files not imported, a system started later) are then missing,
    never zero. Categories do not count, only whether a source reported at all.

    Parameters
    ----------
    pos : numpy.ndarray of int
        Each record's period position; those outside 0..periods-1 are ignored.
    source : numpy.ndarray
        Each record's source (one value throughout for a table of one source).
    periods : int
    reference : sequence of int
        Positions whose sources count, e.g. ``[periods - 1]`` (a tasking list's review period).

    Returns
    -------
    numpy.ndarray of bool, shape (periods,)

    >>> pos, source = np.array([0, 2, 2, 3]), np.array(["a", "a", "b", "a"])
    >>> covered_periods(pos, source, 4, [3]), covered_periods(pos, source, 4, [2])
    (array([ True, False,  True,  True]), array([False, False,  True, False]))
    """
    ok = (pos >= 0) & (pos < periods)
    codes, names = pd.factorize(np.asarray(source)[ok])
    held = np.zeros((len(names), periods), bool)
    held[codes, pos[ok]] = True
    active = held[:, reference].any(axis=1)
    return held[active].all(axis=0) if active.any() else held.any(axis=0)
