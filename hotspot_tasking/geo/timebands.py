"""Time bands, seasons and excluded dates: the partnership's calendar, from ``time_bands.toml``.

The bands come from ``time_bands.toml`` (defaults in ``data/config/``; that file documents
the format). A band runs on some days of the week from a start to an end local time
(Europe/London wall clock), start inclusive, end exclusive; an end at or before the start
wraps past midnight and the hours after midnight belong to the *band day*, the day the
band started (Saturday 02:00 belongs to Friday's night-time economy band).

How incidents are weighted in bands (aoristic weights) is :mod:`.aoristic`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from ..configfile import ConfigTable, default_config_path, parse_day, read_toml
from .errors import GeoError
from .validate import check_type

log = logging.getLogger(__name__)

DayName = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DAY_NAMES: tuple[str, ...] = get_args(DayName)
#: Label of the ``day`` row that holds records without a time of day in :func:`hour_of_week_by`.
NO_TIME_OF_DAY = "no time of day"
#: Precisions that carry a time of day.
TIMED_PRECISIONS = ("minute", "hour")
DEFAULT_MAX_WINDOW_HOURS = 168.0

DateRange = tuple[dt.date, dt.date]
MonthDay = tuple[int, int]

_DAYS = {n.casefold(): i for i, n in enumerate(DAY_NAMES)} | {n[:3].casefold(): i for i, n in enumerate(DAY_NAMES)}
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
_MMDD = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_BAND_KEYS = ("label", "days", "start", "end", "dates", "description", "source")
_SEASON_KEYS = ("label", "ranges", "description", "source")
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Band:
    """One time band.

    Attributes
    ----------
    name, label : str
        Id and display name.
    days : tuple of int
        Band days it starts on, 0 = Monday ... 6 = Sunday.
    start_minute, end_minute : int
        Local start (inclusive, 0-1439) and end (exclusive, 1-1440) in minutes after
        midnight; ``end_minute <= start_minute`` wraps past midnight.
    dates : tuple of (datetime.date, datetime.date)
        Inclusive date ranges of band days it is limited to (e.g. term dates); empty = all.
    description, source : str
    """

    name: str
    label: str
    days: tuple[int, ...]
    start_minute: int
    end_minute: int
    dates: tuple[DateRange, ...] = ()
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not (0 <= self.start_minute < 1440 and 0 < self.end_minute <= 1440):
            raise GeoError(f"band '{self.name}': start must be 00:00-23:59 and end 00:01-24:00 (in minutes "
                           f"0-1439 and 1-1440), got {self.start_minute} and {self.end_minute}.")
        if not self.days or any(d not in range(7) for d in self.days):
            raise GeoError(f"band '{self.name}': days must be 0 (Monday) to 6 (Sunday), got {self.days!r}.")

    @property
    def wraps(self) -> bool:
        """True when the band runs past midnight into the next day."""
        return self.end_minute <= self.start_minute

    def summary(self) -> str:
        """One line for a method card, e.g. ``"Night-time economy: Friday, Saturday 21:00-04:00 ..."``."""
        days = ", ".join(DAY_NAMES[d] for d in sorted(self.days))
        text = f"{self.label}: {days} {_hhmm(self.start_minute)}-{_hhmm(self.end_minute)} Europe/London local time"
        if self.wraps:
            text += " (hours after midnight belong to the day the band began)"
        if self.dates:
            text += f", only on {len(self.dates)} date range(s) from {self.dates[0][0]} to {self.dates[-1][1]}"
        return text


@dataclass(frozen=True)
class Season:
    """A season recurring every year.

    Attributes
    ----------
    name, label : str
    ranges : tuple of ((month, day), (month, day))
        Inclusive ranges; one whose end comes before its start wraps the new year.
    description, source : str
    """

    name: str
    label: str
    ranges: tuple[tuple[MonthDay, MonthDay], ...]
    description: str = ""
    source: str = ""

    def contains(self, month: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Boolean array: is each (month 1-12, day of month) in the season?"""
        md = np.asarray(month) * 100 + np.asarray(day)
        out = np.zeros(md.shape, dtype=bool)
        for (m0, d0), (m1, d1) in self.ranges:
            lo, hi = m0 * 100 + d0, m1 * 100 + d1
            out |= ((md >= lo) & (md <= hi)) if lo <= hi else ((md >= lo) | (md <= hi))
        return out


@dataclass(frozen=True)
class TimeBands:
    """A loaded ``time_bands.toml``.

    Attributes
    ----------
    bands : dict
        ``{name: Band}`` in file order.
    seasons : dict
        ``{name: Season}`` in file order.
    excluded_dates : tuple of datetime.date
        Every excluded date, ranges expanded, sorted.
    path : pathlib.Path or None
        The file it came from.
    """

    bands: dict[str, Band]
    seasons: dict[str, Season] = field(default_factory=dict)
    excluded_dates: tuple[dt.date, ...] = ()
    path: Path | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> TimeBands:
        """Read ``time_bands.toml`` (the packaged default when ``path`` is None).

        Raises :class:`GeoError` naming the file, the table and the bad value.
        """
        path = Path(path) if path is not None else default_config_path("time_bands.toml")
        file = read_toml(path, error=GeoError)
        file.unknown_keys(("bands", "seasons", "excluded_dates"))
        if not file.table("bands"):
            raise file.problem("defines no bands; add at least one [bands.NAME] table (see the packaged "
                               "data/config/time_bands.toml).")
        bands = {name: _band(name, entry) for name, entry in file.table("bands").tables().items()}
        seasons = {name: _season(name, entry) for name, entry in file.table("seasons").tables().items()}
        excluded: set[dt.date] = set()
        for start, end in _date_ranges(file, "excluded_dates", single=True):
            excluded.update(start + dt.timedelta(days=k) for k in range((end - start).days + 1))
        return cls(bands, seasons, tuple(sorted(excluded)), path)

    def names(self) -> tuple[str, ...]:
        """Band names in file order (options for a UI select box; labels in ``bands[name].label``)."""
        return tuple(self.bands)

    def season_names(self) -> tuple[str, ...]:
        """Season names in file order."""
        return tuple(self.seasons)

    def band(self, band: str | Band) -> Band:
        """The band called ``band`` (a :class:`Band` is returned as it is)."""
        if isinstance(band, Band):
            return band
        check_type(band, "band", "TimeBands.band", str, type_name="a band name (str) or a Band")
        if band not in self.bands:
            raise GeoError(f"{self._file}: no time band {band!r}; choose one of {', '.join(self.bands)}.")
        return self.bands[band]

    def season(self, season: str | Season) -> Season:
        """The season called ``season`` (a :class:`Season` is returned as it is)."""
        if isinstance(season, Season):
            return season
        check_type(season, "season", "TimeBands.season", str, type_name="a season name (str) or a Season")
        if season not in self.seasons:
            choices = ", ".join(self.seasons) or "(none defined)"
            raise GeoError(f"{self._file}: no season {season!r}; choose one of {choices}.")
        return self.seasons[season]

    @property
    def _file(self) -> str:
        return self.path.name if self.path is not None else "time bands"


# --- reading the file -----------------------------------------------------------------------

def _band(name: str, entry: ConfigTable) -> Band:
    entry.unknown_keys(_BAND_KEYS)
    days = entry.strings("days")
    if not days:
        raise entry.fail("days", 'a list of day names such as ["Friday", "Saturday"]', list(days),
                         'write e.g. days = ["Friday"]')
    start = _minutes(entry, "start", end=False)
    end = _minutes(entry, "end", end=True)
    numbers = []
    for day in days:
        if day.strip().casefold() not in _DAYS:
            raise entry.problem(f"days has {day!r}, which is not a day of the week; write Monday..Sunday or "
                                "Mon..Sun.")
        numbers.append(_DAYS[day.strip().casefold()])
    if start == end:
        raise entry.problem(f"start and end are both {_hhmm(start)}; for a whole day write start = \"00:00\", "
                            "end = \"24:00\".")
    return Band(name, entry.text("label", name), tuple(sorted(set(numbers))), start, end,
                _date_ranges(entry, "dates", single=False), entry.text("description", ""), entry.text("source", ""))


def _season(name: str, entry: ConfigTable) -> Season:
    entry.unknown_keys(_SEASON_KEYS)
    ranges = entry.raw("ranges", what='a list such as [{ from = "10-15", to = "11-10" }]')
    if not isinstance(ranges, list) or not ranges:
        raise entry.fail("ranges", 'a list such as [{ from = "10-15", to = "11-10" }]', ranges,
                         'write e.g. ranges = [{ from = "10-15", to = "11-10" }]')
    out = []
    for item in ranges:
        if not isinstance(item, dict) or set(item) != {"from", "to"}:
            raise entry.problem(f"each of ranges must be {{ from = \"MM-DD\", to = \"MM-DD\" }}, got {item!r}.")
        out.append((_month_day(entry.where, item["from"]), _month_day(entry.where, item["to"])))
    return Season(name, entry.text("label", name), tuple(out), entry.text("description", ""),
                  entry.text("source", ""))


def _minutes(entry: ConfigTable, key: str, *, end: bool) -> int:
    value = entry.raw(key, what='a time of day such as "21:00"')
    if isinstance(value, dt.time) and not value.second and not value.microsecond:
        return value.hour * 60 + value.minute
    match = _HHMM.match(value.strip()) if isinstance(value, str) else None
    if match:
        minutes = int(match[1]) * 60 + int(match[2])
        if int(match[2]) < 60 and (minutes < 1440 or (end and minutes == 1440)):
            return minutes
    also = " (or 24:00 for midnight at the end of the day)" if end else ""
    raise entry.problem(f"{key} {value!r} is not a time of day; write \"HH:MM\" from 00:00 to 23:59{also}.")


def _date(where: str, key: str, value: object) -> dt.date:
    """A date of the file (a TOML date, "2024-09-04" or "04/09/2024"), as :func:`parse_day` reads it."""
    return parse_day(value, field=f"{where}: {key}", error=GeoError)


def _date_ranges(table: ConfigTable, key: str, *, single: bool) -> tuple[DateRange, ...]:
    """``key``'s ``[{ from = DATE, to = DATE }, ...]`` (plain dates too when ``single``), sorted."""
    value = table.raw(key, [])
    if not isinstance(value, list):
        raise table.fail(key, "a list such as [{ from = 2024-09-04, to = 2024-10-25 }]", value,
                         f"write e.g. {key} = [{{ from = 2024-09-04, to = 2024-10-25 }}]")
    out = []
    for item in value:
        if isinstance(item, dict):
            if set(item) != {"from", "to"}:
                raise table.problem(f"each of {key} must be {{ from = YYYY-MM-DD, to = YYYY-MM-DD }}, got {item!r}.")
            start, end = _date(table.where, f"{key} from", item["from"]), _date(table.where, f"{key} to", item["to"])
            if end < start:
                raise table.problem(f"{key} range {start} to {end} ends before it starts; swap the dates.")
        elif single:
            start = end = _date(table.where, key, item)
        else:
            raise table.problem(f"each of {key} must be {{ from = YYYY-MM-DD, to = YYYY-MM-DD }}, got {item!r}.")
        out.append((start, end))
    return tuple(sorted(out))


def _month_day(where: str, value: object) -> MonthDay:
    match = _MMDD.match(value.strip()) if isinstance(value, str) else None
    if match:
        try:
            dt.date(2000, int(match[1]), int(match[2]))  # a leap year, so 02-29 is allowed
            return int(match[1]), int(match[2])
        except ValueError:
            pass
    raise GeoError(f"{where}: {value!r} is not a month and day; write \"MM-DD\", e.g. \"10-15\" for 15 October.")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
