"""The incidents a tasking list is built from: the review period and its baseline periods.

:func:`select_review_incidents` keeps the incidents matching the filters from the first
baseline period to the end of the review period, with each one's period position and
its band weight (aoristic share of the band; 0 for records without a time of day in an
hour band), as a :class:`ReviewSelection`. :func:`selection_caveats` says in words what
was left out and why (untimed records, month-only records in weekly periods, a short
baseline, simulated data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..geo.aoristic import band_weights
from ..geo.coords import distinct_points
from ..geo.schema import LOCAL_TZ
from ..geo.select import covered_periods, select_incidents
from ..geo.timebands import TIMED_PRECISIONS, TimeBands
from ..labels import ALL_TIMES
from ..periods import ReviewPeriod
from .errors import RankingError


@dataclass
class ReviewSelection:
    """The incidents of the baseline and review periods, with their period and band weight.

    Attributes
    ----------
    frame : pandas.DataFrame
        The rows used (positional), with the incident table's columns.
    pos : numpy.ndarray of int
        Per row, its period position 0..periods-1 (periods-1 = the review period).
    weight : numpy.ndarray of float
        Per row, its band weight (1 for all times).
    harm : numpy.ndarray of float
        Per row, band weight x ``harm_weight``.
    periods : int
        Baseline periods used + 1.
    labels : list of str
        Per period position, its review-period label.
    totals : numpy.ndarray of float
        Band weight per period over the whole selection.
    untimed : (int, int)
        Records without a time of day left out of the band: (review period, baseline).
    unplaced : int
        Month-only records that fit no week.
    data_start : pandas.Timestamp
        The first matching incident's start (naive local time).
    sources : list of str
        Sources of the review period's incidents.
    inverse : numpy.ndarray of int
        Per row, its distinct map point.
    points : (numpy.ndarray, numpy.ndarray)
        Easting and northing of the distinct map points (metres).
    untimed_rows : numpy.ndarray of bool
        Per row, True when it has no time of day and was left out of an hour band.
    covered : numpy.ndarray of bool
        Per period position, True when every source with records in the review period has
        records in it too: a period without them is missing, never zero (:func:`coverage`).
    """

    frame: pd.DataFrame
    pos: np.ndarray
    weight: np.ndarray
    harm: np.ndarray
    periods: int
    labels: list[str]
    totals: np.ndarray
    untimed: tuple[int, int]
    unplaced: int
    data_start: pd.Timestamp
    sources: list[str]
    inverse: np.ndarray = field(default=None)
    points: tuple[np.ndarray, np.ndarray] = field(default=None)
    untimed_rows: np.ndarray = field(default=None)
    covered: np.ndarray = field(default=None)

    @property
    def baseline_covered(self) -> int:
        """Baseline periods with data (the review period left out)."""
        return int(self.covered[:-1].sum())

    def last(self, periods: int) -> ReviewSelection:
        """The same selection cut to its last ``periods`` periods (all of them when it has fewer).

        Rows of earlier periods (and rows in no period) are dropped and positions renumbered;
        the untimed counts, sources and data start are kept.
        """
        cut = self.periods - min(int(periods), self.periods)
        if cut == 0:
            return self
        keep = np.flatnonzero(self.pos >= cut)
        frame = self.frame.iloc[keep]
        # the kept rows' distinct points, in their first-appearance order as distinct_points gives them,
        # from the codes already found (factorising integers, not pairs of floats again)
        if self.inverse is not None and self.points is not None:
            inverse, order = pd.factorize(self.inverse[keep])
            ux, uy = self.points[0][order], self.points[1][order]
        else:
            inverse, ux, uy = distinct_points(frame["easting"].to_numpy(float), frame["northing"].to_numpy(float))
        pos, untimed = self.pos[keep] - cut, self.untimed_rows[keep]
        now = pos == self.periods - cut - 1
        counts = (int((untimed & now).sum()), int((untimed & ~now).sum()))
        return ReviewSelection(frame, pos, self.weight[keep], self.harm[keep], self.periods - cut,
                               self.labels[cut:], self.totals[cut:], counts, self.unplaced,
                               self.data_start, self.sources, inverse, (ux, uy), untimed, self.covered[cut:])


def select_review_incidents(table: pd.DataFrame, review: ReviewPeriod, n_base: int, band: str, bands: TimeBands,
                            categories: Sequence[str] | None, groups: Sequence[str] | None,
                            sources: Sequence[str] | None) -> ReviewSelection:
    """The incidents of ``review`` and the ``n_base`` periods before it that match the filters.

    Parameters
    ----------
    table : pandas.DataFrame
        Incidents (``occurred_from``, ``time_precision``, ``easting``, ``northing``,
        ``harm_weight``, ``source`` and the filter columns). Not modified.
    review : ReviewPeriod
    n_base : int
        Baseline periods wanted (fewer are used when the data start later).
    band : str
        A band of ``bands``, or ``"all"``.
    bands : TimeBands
    categories, groups, sources : sequence of str or None
        Only these incidents (None: all).

    Returns
    -------
    ReviewSelection

    Raises
    ------
    RankingError
        No incidents match the filters, the data start after the review period, or no
        incidents match in it.
    """
    chosen = select_incidents(table, sources=sources, categories=categories, groups=groups).to_numpy(copy=True)
    start = table["occurred_from"]
    if not chosen.any():
        raise RankingError("no incidents match the categories, groups or sources given; widen them.")
    data_start = start[chosen].min().tz_convert(LOCAL_TZ).tz_localize(None)
    first = review.shifted(-n_base).start.tz_localize(LOCAL_TZ)
    last = (review.end + pd.Timedelta(days=1)).tz_localize(LOCAL_TZ)
    in_window = ((start >= first) & (start < last)).to_numpy()
    sourced = select_incidents(table, sources=sources).to_numpy(copy=True) & in_window  # every category: coverage
    rows = np.flatnonzero(sourced)
    # only the columns positions and coverage read: taking every column of the window is what costs
    records = table[[c for c in ("occurred_from", "time_precision", "source") if c in table.columns]].iloc[rows]
    every_pos = _positions(records, review, n_base)
    mine = chosen[sourced]  # the chosen rows among them (chosen implies the sources)
    rows, pos = rows[mine], every_pos[mine]
    unplaced = 0
    if review.every == "week":
        unplaced = int(records["time_precision"].iloc[np.flatnonzero(mine)].astype("str").eq("month").sum())
    offset = max(0, int(review.index(pd.Series([data_start]))[0]) + n_base)
    if offset > n_base:
        raise RankingError(f"the data start on {data_start:%d/%m/%Y}, after the period {review.label}; "
                           "choose a later period.")
    periods = n_base - offset + 1
    pos = pos - offset
    used = pos >= 0
    if not (pos == periods - 1).any():
        raise RankingError(f"no incidents match in {review.label} ({review.start:%d/%m/%Y} to "
                           f"{review.end:%d/%m/%Y}); choose a period with data or widen the filters.")
    frame, pos = table.iloc[rows[used]], pos[used]  # the one take of every column
    if band == ALL_TIMES:
        weight, untimed = np.ones(len(frame)), np.zeros(len(frame), bool)
    else:
        raw = band_weights(frame, band, bands=bands).to_numpy()
        untimed = np.isnan(raw)
        weight = np.nan_to_num(raw)
    harm = weight * frame["harm_weight"].to_numpy(dtype=float, na_value=1.0)
    now = pos == periods - 1
    labels = [review.shifted(k - periods + 1).label for k in range(periods)]
    inverse, ux, uy = distinct_points(frame["easting"].to_numpy(float), frame["northing"].to_numpy(float))
    covered = _covered(every_pos - offset, records, periods)
    return ReviewSelection(frame, pos, weight, harm, periods, labels,
                           np.bincount(pos, weights=weight, minlength=periods),
                           (int((untimed & now).sum()), int((untimed & ~now).sum())), unplaced, data_start,
                           sorted(frame.loc[now, "source"].astype("str").unique()), inverse, (ux, uy), untimed,
                           covered)


def coverage(records: pd.DataFrame, review: ReviewPeriod, before: int, periods: int, *,
             local: pd.Series | None = None) -> np.ndarray:
    """Which periods hold data: per period position, True when every source with records in
    the review period has records in it too.

    A source's missing months (a gap in the files imported, a system that started later)
    are then missing, not zero: a baseline, a trend or a persistence class uses only the
    periods covered. Category filters do not count (a month with no burglaries is a zero);
    only whether the source reported at all.

    Parameters
    ----------
    records : pandas.DataFrame
        The incidents of the sources asked for (``occurred_from``, ``time_precision``,
        ``source``; without it, one source), any categories.
    review : ReviewPeriod
    before : int
        Periods before the review period (position 0 is ``before`` periods before it).
    periods : int
        Positions, the review period last.
    local : pandas.Series, optional
        ``occurred_from`` already as naive local times (on the records' index).

    Returns
    -------
    numpy.ndarray of bool, shape (periods,)
        The review period is always True.
    """
    return _covered(_positions(records, review, before, local), records, periods)


def _positions(records: pd.DataFrame, review: ReviewPeriod, before: int, local=None) -> np.ndarray:
    """Each record's period position (``before`` = the review period); -1 for month-only records in weeks."""
    if local is None:
        local = records["occurred_from"].dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    pos = review.index(local) + before
    if review.every == "week":
        pos[records["time_precision"].astype("str").eq("month").to_numpy()] = -1
    return pos


def _covered(pos: np.ndarray, records: pd.DataFrame, periods: int) -> np.ndarray:
    """:func:`coverage` from each record's period position, by :func:`~hotspot_tasking.geo.select.covered_periods`."""
    if "source" not in records.columns:
        source = np.full(len(records), "")
    elif records["source"].hasnans:
        source = records["source"].astype("str").to_numpy()
    else:  # each source as a number: the rule only tells sources apart, and strings cost a Python object a row
        source = pd.factorize(records["source"])[0]
    covered = covered_periods(pos, source, periods, [periods - 1])  # the rule, shared with the evaluation
    covered[-1] = True
    return covered


def gap_text(sel: ReviewSelection, review: ReviewPeriod) -> str:
    """The baseline's missing periods in one sentence ("" when every one holds data).

    >>> from hotspot_tasking.periods import review_period
    >>> sel = ReviewSelection(pd.DataFrame(), np.zeros(0, int), np.zeros(0), np.zeros(0), 5,
    ...                       ["2017-09", "2017-10", "2017-11", "2017-12", "2018-01"], np.zeros(5), (0, 0), 0,
    ...                       pd.Timestamp("2017-01-01"), [], covered=np.array([True, False, False, True, True]))
    >>> gap_text(sel, review_period("2018-01"))  # doctest: +ELLIPSIS
    'The baseline has 2 of 4 months with data: no data for 2017-10 to 2017-11; those months are left out ...'
    """
    missing = np.flatnonzero(~sel.covered[:-1])
    if not len(missing):
        return ""
    runs = np.split(missing, np.flatnonzero(np.diff(missing) > 1) + 1)
    spans = [sel.labels[r[0]] if len(r) == 1 else f"{sel.labels[r[0]]} to {sel.labels[r[-1]]}" for r in runs]
    every = review.every
    those = f"that {every} is" if len(missing) == 1 else f"those {every}s are"
    return (f"The baseline has {sel.baseline_covered} of {sel.periods - 1} {every}s with data: no data for "
            f"{', '.join(spans)}; {those} left out of the baseline, trend and persistence, not counted as zero.")


#: Share of a period's incidents with a time of day above which :func:`timed_share_text` says nothing.
TIMED_ENOUGH = 0.99


def timed_share_text(sel: ReviewSelection, review: ReviewPeriod) -> list[str]:
    """How many of the period's incidents have a time of day, in words, when fewer than 99% do
    (else none: a handful of date-only records does not change a peak).

    Peak days, hours and bands come only from timed records; police.uk gives months.
    """
    now = sel.frame["time_precision"].to_numpy()[sel.pos == sel.periods - 1]
    timed = int(np.isin(now, TIMED_PRECISIONS).sum())
    if timed >= TIMED_ENOUGH * len(now):
        return []
    if not timed:
        return [f"None of the {len(now):,} incidents in {review.describe()} has a time of day (police.uk gives "
                "months only), so no place has peak days, hours or a peak band."]
    return [f"Peak days, hours and bands come from the {timed:,} of {len(now):,} incidents in {review.describe()} "
            f"that have a time of day ({timed / len(now):.0%}); the others have a date or month only."]


def selection_caveats(sel: ReviewSelection, review: ReviewPeriod, band_label: str, n_base: int, *,
                      untimed: bool = True, timed_share: bool = False) -> list[str]:
    """What the selection left out or should be read with, in words (possibly none).

    Parameters
    ----------
    sel : ReviewSelection
    review : ReviewPeriod
    band_label : str
        The band's label, e.g. ``"Night-time economy"`` or ``"All times"``.
    n_base : int
        Baseline periods asked for.
    untimed : bool, default=True
        Say how many records without a time of day the band left out (False when the caller
        says it another way, e.g. that none of them has one).
    timed_share : bool, default=False
        Say what share of the period's incidents have a time of day when not all do (for
        all-times lists, whose peak days and hours come from those only).

    Returns
    -------
    list of str
    """
    out = []
    now, before = sel.untimed
    if untimed and (now or before):
        out.append(f"{now:,} incidents in {review.describe()} (and {before:,} in the baseline) have no time of day "
                   f"(day- or month-only dates) and are left out of the '{band_label}' band; they count under all "
                   "times.")
    if timed_share:
        out.extend(timed_share_text(sel, review))
    if sel.unplaced:
        out.append(f"{sel.unplaced:,} month-only records (e.g. police.uk) cannot be placed in a week and are left "
                   "out; use monthly periods to include them.")
    if sel.periods - 1 < n_base:
        out.append(f"The baseline has {sel.periods - 1} {review.every}s, not {n_base}: the data start on "
                   f"{sel.data_start:%d/%m/%Y}.")
    gaps = gap_text(sel, review)
    if gaps:
        out.append(gaps)
    simulated = [s for s in sel.sources if "simulated" in s]
    if simulated:
        out.append(f"Includes simulated data ({', '.join(simulated)}): for demonstration, not for operational use.")
    return out
