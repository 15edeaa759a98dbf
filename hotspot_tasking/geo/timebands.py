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
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from .errors import GeoError
from .taxonomy import default_config_path
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
_BAND_KEYS = {"label", "days", "start", "end", "dates", "description", "source"}
_SEASON_KEYS = {"label", "ranges", "description", "source"}
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
    def load(cls, path: str | Path | None = None) -> "TimeBands":
        """Read ``time_bands.toml`` (the packaged default when ``path`` is None).

        Raises :class:`GeoError` naming the file, the table and the bad value.
        """
        path = Path(path) if path is not None else default_config_path("time_bands.toml")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise GeoError(f"{path.name}: not valid TOML ({err}); fix the line it names.") from err
        except OSError as err:
            raise GeoError(f"{path}: cannot be read ({err.strerror}); check the path.") from err
        unknown = sorted(set(data) - {"bands", "seasons", "excluded_dates"})
        if unknown:
            raise GeoError(f"{path.name}: unknown top-level key(s) {unknown}; expected [bands.NAME], "
                           "[seasons.NAME] and excluded_dates.")
        if not isinstance(data.get("bands"), dict) or not data["bands"]:
            raise GeoError(f"{path.name}: defines no bands; add at least one [bands.NAME] table "
                           "(see the packaged data/config/time_bands.toml).")
        bands = {name: _band(path, name, entry) for name, entry in data["bands"].items()}
        seasons = {name: _season(path, name, entry) for name, entry in data.get("seasons", {}).items()}
        excluded: set[dt.date] = set()
        for start, end in _date_ranges(f"{path.name}, excluded_dates", "excluded_dates",
                                       data.get("excluded_dates", []), single=True):
            excluded.update(start + dt.timedelta(days=k) for k in range((end - start).days + 1))
        return cls(bands, seasons, tuple(sorted(excluded)), path)

    def names(self) -> tuple[str, ...]:
        """Band names in file order (options for a UI select box; labels in ``bands[name].label``)."""
        return tuple(self.bands)

    def season_names(self) -> tuple[str, ...]:
        """Season names in file order."""
        return tuple(self.seasons)

    def band(self, band: "str | Band") -> Band:
        """The band called ``band`` (a :class:`Band` is returned as it is)."""
        if isinstance(band, Band):
            return band
        check_type(band, "band", "TimeBands.band", str, type_name="a band name (str) or a Band")
        if band not in self.bands:
            raise GeoError(f"{self._file}: no time band {band!r}; choose one of {', '.join(self.bands)}.")
        return self.bands[band]

    def season(self, season: "str | Season") -> Season:
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

def _check_table(where: str, entry: object, keys: set[str], what: str) -> None:
    """Raise GeoError unless ``entry`` is a TOML table with only the known keys."""
    if not isinstance(entry, dict):
        raise GeoError(f"{where}: must be a table with {what}.")
    unknown = sorted(set(entry) - keys)
    if unknown:
        raise GeoError(f"{where}: unknown key(s) {unknown}; expected {', '.join(sorted(keys))}.")


def _band(path: Path, name: str, entry: object) -> Band:
    where = f"{path.name}, [bands.{name}]"
    _check_table(where, entry, _BAND_KEYS, "days, start and end")
    for key in ("days", "start", "end"):
        if key not in entry:
            raise GeoError(f"{where}: has no '{key}'; add one (see the comments at the top of the file).")
    days = entry["days"]
    if not isinstance(days, list) or not days:
        raise GeoError(f"{where}: days must be a list of day names such as [\"Friday\", \"Saturday\"], got {days!r}.")
    numbers = []
    for day in days:
        if not isinstance(day, str) or day.strip().casefold() not in _DAYS:
            raise GeoError(f"{where}: days has {day!r}, which is not a day of the week; "
                           "write Monday..Sunday or Mon..Sun.")
        numbers.append(_DAYS[day.strip().casefold()])
    start = _minutes(where, "start", entry["start"], end=False)
    end = _minutes(where, "end", entry["end"], end=True)
    if start == end:
        raise GeoError(f"{where}: start and end are both {_hhmm(start)}; for a whole day write start = \"00:00\", "
                       "end = \"24:00\".")
    return Band(name, _text(where, "label", entry.get("label", name)), tuple(sorted(set(numbers))), start, end,
                _date_ranges(where, "dates", entry.get("dates", []), single=False),
                _text(where, "description", entry.get("description", "")),
                _text(where, "source", entry.get("source", "")))


def _season(path: Path, name: str, entry: object) -> Season:
    where = f"{path.name}, [seasons.{name}]"
    _check_table(where, entry, _SEASON_KEYS, "ranges")
    ranges = entry.get("ranges")
    if not isinstance(ranges, list) or not ranges:
        raise GeoError(f"{where}: ranges must be a list such as [{{ from = \"10-15\", to = \"11-10\" }}], "
                       f"got {ranges!r}.")
    out = []
    for item in ranges:
        if not isinstance(item, dict) or set(item) != {"from", "to"}:
            raise GeoError(f"{where}: each of ranges must be {{ from = \"MM-DD\", to = \"MM-DD\" }}, got {item!r}.")
        out.append((_month_day(where, item["from"]), _month_day(where, item["to"])))
    return Season(name, _text(where, "label", entry.get("label", name)), tuple(out),
                  _text(where, "description", entry.get("description", "")),
                  _text(where, "source", entry.get("source", "")))


def _minutes(where: str, key: str, value: object, *, end: bool) -> int:
    if isinstance(value, dt.time) and not value.second and not value.microsecond:
        return value.hour * 60 + value.minute
    match = _HHMM.match(value.strip()) if isinstance(value, str) else None
    if match:
        minutes = int(match[1]) * 60 + int(match[2])
        if int(match[2]) < 60 and (minutes < 1440 or (end and minutes == 1440)):
            return minutes
    also = " (or 24:00 for midnight at the end of the day)" if end else ""
    raise GeoError(f"{where}: {key} {value!r} is not a time of day; write \"HH:MM\" from 00:00 to 23:59{also}.")


def _date(where: str, key: str, value: object) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise GeoError(f"{where}: {key} {value!r} is not a date; write YYYY-MM-DD, e.g. 2011-08-08.")


def _date_ranges(where: str, key: str, value: object, *, single: bool) -> tuple[DateRange, ...]:
    if not isinstance(value, list):
        raise GeoError(f"{where}: {key} must be a list such as [{{ from = 2024-09-04, to = 2024-10-25 }}], "
                       f"got {value!r}.")
    out = []
    for item in value:
        if isinstance(item, dict):
            if set(item) != {"from", "to"}:
                raise GeoError(f"{where}: each of {key} must be {{ from = YYYY-MM-DD, to = YYYY-MM-DD }}, "
                               f"got {item!r}.")
            start, end = _date(where, f"{key} from", item["from"]), _date(where, f"{key} to", item["to"])
            if end < start:
                raise GeoError(f"{where}: {key} range {start} to {end} ends before it starts; swap the dates.")
        elif single:
            start = end = _date(where, key, item)
        else:
            raise GeoError(f"{where}: each of {key} must be {{ from = YYYY-MM-DD, to = YYYY-MM-DD }}, got {item!r}.")
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


def _text(where: str, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise GeoError(f"{where}: {key} must be text in quotes, got {value!r}.")
    return value


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
