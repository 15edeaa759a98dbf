"""Aoristic weights of incidents in time bands and seasons.

The bands themselves (:class:`~.timebands.TimeBands`) come from :mod:`.timebands`; the
hour-of-week profiles counted by the same rules are in :mod:`.hourofweek`.

The bands come from ``time_bands.toml`` (defaults in ``data/config/``; that file documents
the format). A band runs on some days of the week from a start to an end local time
(Europe/London wall clock), start inclusive, end exclusive; an end at or before the start
wraps past midnight and the hours after midnight belong to the *band day*, the day the
band started (Saturday 02:00 belongs to Friday's night-time economy band).

Counting rules (:func:`band_weights`, :func:`~.hourofweek.hour_of_week`):

- a record covers the real minutes from ``occurred_from`` to ``occurred_to``, both
  inclusive (seconds dropped), so 18:00-07:59 is 14 hours and an exact time one minute;
  its weight in a band is the share of those minutes the band covers (aoristic weight);
- minutes are real elapsed minutes, judged by their local wall-clock time: when the clocks
  go back, 01:00-01:59 happens twice and both real hours count as local hour 1; when they
  go forward, local 01:00-01:59 does not exist;
- an ``hour``-precision record is expected as HH:00 to HH:59, as a day is 00:00 to 23:59;
  one stored with ``occurred_from == occurred_to`` is taken as that exact minute;
- records at ``day`` or ``month`` precision (or with an unknown precision), and windows
  longer than ``max_window_hours`` (default 168, seven days), have *no time of day*: NaN
  in every band, and counted apart by :func:`~.hourofweek.hour_of_week`, never put at midnight;
- a band day outside the band's ``dates``, outside a season asked for, or on an excluded
  date contributes nothing (the minutes still count in the record's total, so the
  weights no longer sum to 1 there).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import GeoError
from .schema import LOCAL_TZ
from .timebands import DEFAULT_MAX_WINDOW_HOURS, TIMED_PRECISIONS, Band, Season, TimeBands
from .validate import check_frame, check_number, check_type

log = logging.getLogger(__name__)

_EPOCH = dt.date(1970, 1, 1)


def band_day(timestamps: pd.Series, band: str | Band, *, bands: TimeBands | None = None) -> pd.Series:
    """The band day each time belongs to: its local date, or the day before for times
    after midnight and before the end of a band that wraps midnight.

    Parameters
    ----------
    timestamps : pandas.Series of tz-aware datetimes
        Any time zone; judged in Europe/London local time.
    band : str or Band
        A band name from ``bands`` or a :class:`Band`.
    bands : TimeBands, default=None
        The configuration; the packaged default when None.

    Returns
    -------
    pandas.Series of datetime64 (naive, midnight)
        Aligned to ``timestamps``; NaT where the time is NaT. It does not say whether
        the time is in the band: Friday 03:00 gets Thursday for ``nte``.
    """
    check_type(band, "band", "band_day", (str, Band), type_name="a band name (str) or a Band")
    band = _bands(bands).band(band)
    local = _local_minutes(timestamps, "timestamps")
    known = ~np.isnan(local)
    minutes = np.where(known, local, 0).astype(np.int64)
    day = minutes // 1440
    if band.wraps:
        day -= minutes % 1440 < band.end_minute
    out = (day * 86_400).astype("datetime64[s]")
    out[~known] = np.datetime64("NaT")
    return pd.Series(out, index=timestamps.index, name="band_day")


def band_weights(incidents: pd.DataFrame, band: str | Band, *, bands: TimeBands | None = None,
                 season: str | Season | None = None,
                 max_window_hours: float = DEFAULT_MAX_WINDOW_HOURS) -> pd.Series:
    """Share (0-1) of each incident's time window that falls in a band (aoristic weight).

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``occurred_from``, ``occurred_to`` (tz-aware) and ``time_precision``.
    band : str or Band
        A band name from ``bands`` or a :class:`Band`.
    bands : TimeBands, default=None
        Gives the excluded dates (and seasons); the packaged default when None.
    season : str or Season, default=None
        Count only band days inside this season (a night starting 10 November is in
        ``bonfire`` through to its end on the 11th).
    max_window_hours : float, default=168
        Windows longer than this, in hours (end minute included), have no time of day.

    Returns
    -------
    pandas.Series of float64
        Aligned to ``incidents.index``, named after the band: real minutes of the window
        in the band / real minutes of the window; 0 or 1 for an exact time; NaN for
        records without a time of day (see the module notes).

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "occurred_from": pd.Series(pd.to_datetime(["2024-06-07 15:00"])).dt.tz_localize(LOCAL_TZ),
    ...     "occurred_to": pd.Series(pd.to_datetime(["2024-06-08 04:59"])).dt.tz_localize(LOCAL_TZ),
    ...     "time_precision": ["minute"]})
    >>> float(band_weights(frame, "daytime").iloc[0] * 14), float(band_weights(frame, "nte").iloc[0] * 14)
    (3.0, 7.0)
    """
    check_frame(incidents, "incidents", "band_weights")
    check_type(band, "band", "band_weights", (str, Band), type_name="a band name (str) or a Band")
    check_type(season, "season", "band_weights", (str, Season), type_name="a season name (str) or a Season",
               optional=True)
    check_number(max_window_hours, "max_window_hours", "band_weights")
    config = _bands(bands)
    band = config.band(band)
    season = None if season is None else config.season(season)
    win = _Windows.of(incidents, max_window_hours)
    out = np.full(len(win.timed), np.nan)
    if win.timed.any():
        start, stop = win.start[win.timed], win.stop[win.timed]
        clock = _Clock(start // 60, stop // 60, max_window_hours)
        active = _active_days(band, config, season, clock)
        hour_start = clock.hour * 60
        in_a = active[clock.day - clock.first_day + 1]
        in_b = active[clock.day - clock.first_day] if band.wraps else np.zeros_like(in_a)
        per_hour = _covered(band, hour_start, 60, in_a, in_b)
        cumulative = np.concatenate([[0], np.cumsum(per_hour)])

        def minutes_before(t: np.ndarray) -> np.ndarray:
            j = clock.position(t // 60)
            return cumulative[j] + _covered(band, hour_start[j], t % 60, in_a[j], in_b[j])

        out[win.timed] = (minutes_before(stop) - minutes_before(start)) / (stop - start)
    return pd.Series(out, index=incidents.index, name=band.name, dtype="float64")


def season_mask(incidents: pd.DataFrame, season: str | Season, *, bands: TimeBands | None = None) -> pd.Series:
    """Whether each incident falls in a season.

    A record is in the season by the local date of ``occurred_from``; a record at
    ``month`` precision is in it only when every day of its window is (so January is in
    ``festive``, October is not in ``bonfire``). Records :func:`excluded_mask` marks are
    out of every season.

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``occurred_from``, ``occurred_to`` (tz-aware) and ``time_precision``.
    season : str or Season
    bands : TimeBands, default=None
        The configuration; the packaged default when None.

    Returns
    -------
    pandas.Series of bool
        Aligned to ``incidents.index``; False where ``occurred_from`` is NaT.
    """
    check_frame(incidents, "incidents", "season_mask")
    check_type(season, "season", "season_mask", (str, Season), type_name="a season name (str) or a Season")
    config = _bands(bands)
    season = config.season(season)
    first, last = _local_days(incidents)
    known = first >= np.iinfo(np.int64).min + 1
    date = _as_dates(np.where(known, first, 0))
    inside = known & season.contains(date.month, date.day)
    month = known & incidents["time_precision"].eq("month").to_numpy(dtype=bool) & (last >= first)
    if month.any():
        pairs = np.stack([first[month], last[month]], axis=1)
        distinct, codes = np.unique(pairs, axis=0, return_inverse=True)
        whole = np.empty(len(distinct), dtype=bool)
        for k, (d0, d1) in enumerate(distinct):  # one loop step per distinct month
            days = _as_dates(np.arange(d0, d1 + 1))
            whole[k] = bool(season.contains(days.month, days.day).all())
        inside[month] = whole[codes.ravel()]
    inside &= ~excluded_mask(incidents, bands=config).to_numpy()
    return pd.Series(inside, index=incidents.index, name=season.name)


def excluded_mask(incidents: pd.DataFrame, *, bands: TimeBands | None = None) -> pd.Series:
    """Whether each incident lies wholly on excluded dates.

    True when every local date from ``occurred_from`` to ``occurred_to`` is an excluded
    date: an exact time or a day on 8 August 2011 is excluded when that date is; a
    window from 7 August 23:00 to 8 August 01:00, or the whole of August known only to
    the month, is not.

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``occurred_from`` and ``occurred_to`` (tz-aware).
    bands : TimeBands, default=None
        The configuration; the packaged default when None.

    Returns
    -------
    pandas.Series of bool
        Aligned to ``incidents.index``; False where a time is NaT.
    """
    check_frame(incidents, "incidents", "excluded_mask")
    excluded = np.array([(d - _EPOCH).days for d in _bands(bands).excluded_dates], dtype=np.int64)
    first, last = _local_days(incidents)
    known = (first >= np.iinfo(np.int64).min + 1) & (last >= first)
    count = np.searchsorted(excluded, last, side="right") - np.searchsorted(excluded, first, side="left")
    out = known & (count == last - first + 1)
    return pd.Series(out, index=incidents.index, name="excluded")


# --- private steps ----------------------------------------------------------------------

def _bands(bands: TimeBands | None) -> TimeBands:
    if bands is None:
        return TimeBands.load()
    if not isinstance(bands, TimeBands):
        raise TypeError(f"bands must be a TimeBands (TimeBands.load(path)) or None, got {type(bands).__name__}.")
    return bands


def _local_minutes(stamps: pd.Series, what: str) -> np.ndarray:
    """Local wall-clock minutes since 1970-01-01 00:00 as float (NaN for NaT), seconds dropped."""
    if not isinstance(stamps, pd.Series) or not isinstance(stamps.dtype, pd.DatetimeTZDtype):
        raise TypeError(f"{what} must be a Series of time-zone-aware timestamps (Europe/London), "
                        f"got {getattr(stamps, 'dtype', type(stamps).__name__)}; use .dt.tz_localize('Europe/London').")
    naive = stamps.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None).to_numpy().astype("datetime64[m]")
    out = naive.view(np.int64).astype(np.float64)
    out[np.isnat(naive)] = np.nan
    return out


def _utc_minutes(stamps: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    """``(minutes since the epoch, floor, int64; is NaT)`` in real (UTC) time."""
    if not isinstance(stamps.dtype, pd.DatetimeTZDtype):
        raise TypeError(f"incidents column '{what}' must hold time-zone-aware timestamps (Europe/London), "
                        f"got {stamps.dtype}; build the table with hotspot_tasking.geo.schema.conform.")
    utc = stamps.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[m]")
    nat = np.isnat(utc)
    return np.where(nat, 0, utc.view(np.int64)), nat


def _local_days(incidents: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Local dates (days since 1970-01-01) of ``occurred_from`` and ``occurred_to``; int64 min for NaT."""
    _check_columns(incidents, ("occurred_from", "occurred_to"))
    nat_day = np.iinfo(np.int64).min
    out = []
    for column in ("occurred_from", "occurred_to"):
        minutes = _local_minutes(incidents[column], f"incidents column '{column}'")
        days = np.floor_divide(np.nan_to_num(minutes), 1440).astype(np.int64)
        out.append(np.where(np.isnan(minutes), nat_day, days))
    return out[0], out[1]


def _as_dates(days: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.asarray(days, dtype=np.int64).astype("datetime64[D]"))


def _check_columns(incidents: pd.DataFrame, columns: tuple[str, ...]) -> None:
    if not isinstance(incidents, pd.DataFrame):
        raise TypeError(f"incidents must be a pandas DataFrame, got {type(incidents).__name__}.")
    missing = [c for c in columns if c not in incidents.columns]
    if missing:
        raise GeoError(f"incidents has no column(s) {missing}; pass an incident table "
                       "(see hotspot_tasking.geo.schema.INCIDENT_COLUMNS).")


@dataclass(frozen=True)
class _Windows:
    """Real (UTC) minute windows ``[start, stop)`` and which records have a time of day."""

    start: np.ndarray
    stop: np.ndarray
    timed: np.ndarray

    @classmethod
    def of(cls, incidents: pd.DataFrame, max_window_hours: float) -> _Windows:
        _check_columns(incidents, ("occurred_from", "occurred_to", "time_precision"))
        if isinstance(max_window_hours, bool) or not isinstance(max_window_hours, (int, float)) \
                or not np.isfinite(max_window_hours) or max_window_hours <= 0:
            raise GeoError(f"max_window_hours must be a number of hours above 0, got {max_window_hours!r}.")
        start, nat_from = _utc_minutes(incidents["occurred_from"], "occurred_from")
        end, nat_to = _utc_minutes(incidents["occurred_to"], "occurred_to")
        stop = end + 1
        timed = (~nat_from & ~nat_to & incidents["time_precision"].isin(TIMED_PRECISIONS).to_numpy(dtype=bool)
                 & (stop > start) & (stop - start <= max_window_hours * 60))
        if not timed.all():
            log.debug("%d of %d records have no time of day (day/month precision, NaT, reversed or over %g h).",
                      int((~timed).sum()), len(timed), max_window_hours)
        return cls(np.where(timed, start, 0), np.where(timed, stop, 1), timed)


class _Clock:
    """Local wall clock (date, hour) of every real UTC hour the windows need.

    The hours are kept in blocks of ``block`` hours (longer than any window), only the
    blocks some window touches, so widely spread dates cost no more than their windows.
    """

    def __init__(self, first_hours: np.ndarray, last_hours: np.ndarray, max_window_hours: float):
        self.block = max(168, int(np.ceil(max_window_hours)) + 2)
        self.blocks = np.union1d(pd.unique(first_hours // self.block), pd.unique(last_hours // self.block))
        hours = (self.blocks[:, None] * self.block + np.arange(self.block)).ravel()
        utc = pd.DatetimeIndex(hours.astype("datetime64[h]")).tz_localize("UTC")
        local = np.asarray(utc.tz_convert(LOCAL_TZ).tz_localize(None), dtype="datetime64[m]").view(np.int64)
        if (local % 60).any():
            raise GeoError("incidents dated before 1 December 1847 (Europe/London local mean time) are not "
                           "supported by time bands; check those dates.")
        self.day = local // 1440
        self.hour = (local // 60) % 24
        self.weekday = (self.day + 3) % 7  # 1970-01-01 was a Thursday
        self.first_day = int(self.day.min())
        span = int(self.blocks[-1] - self.blocks[0]) + 1
        self._rank = None  # block -> its rank, as a dense table when the blocks are not too spread out
        if span <= 1_000_000:
            self._rank = np.zeros(span, dtype=np.int64)
            self._rank[self.blocks - self.blocks[0]] = np.arange(len(self.blocks))

    def position(self, hours: np.ndarray) -> np.ndarray:
        """Index into the tables of each real UTC hour (which must lie in a kept block)."""
        block, within = np.divmod(hours, self.block)
        rank = (self._rank[block - self.blocks[0]] if self._rank is not None
                else np.searchsorted(self.blocks, block))
        return rank * self.block + within


def _active_days(band: Band, config: TimeBands, season: Season | None, clock: _Clock) -> np.ndarray:
    """Whether the band runs on each band day from ``clock.first_day - 1`` to the last day."""
    days = np.arange(clock.first_day - 1, int(clock.day.max()) + 1)
    active = np.isin((days + 3) % 7, band.days)
    if band.dates:
        limits = np.array([[(a - _EPOCH).days, (b - _EPOCH).days] for a, b in band.dates])
        active &= ((days[:, None] >= limits[:, 0]) & (days[:, None] <= limits[:, 1])).any(axis=1)
    if season is not None:
        dates = _as_dates(days)
        active &= season.contains(dates.month, dates.day)
    excluded = [(d - _EPOCH).days for d in config.excluded_dates]
    return active & ~np.isin(days, excluded)


def _covered(band: Band, hour_start: np.ndarray, minutes: np.ndarray | int, in_a: np.ndarray,
             in_b: np.ndarray) -> np.ndarray:
    """Band minutes in local ``[hour_start, hour_start + minutes)``: part A runs from the
    start on band day = this date, part B (wrapping bands) from midnight on band day = yesterday."""
    x1 = hour_start + minutes
    end_a = 1440 if band.wraps else band.end_minute
    part_a = np.clip(np.minimum(x1, end_a) - np.maximum(hour_start, band.start_minute), 0, None)
    out = np.where(in_a, part_a, 0)
    if band.wraps:
        out = out + np.where(in_b, np.clip(np.minimum(x1, band.end_minute) - hour_start, 0, None), 0)
    return out
