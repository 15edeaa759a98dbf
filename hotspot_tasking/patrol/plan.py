"""Patrol plans: for a supervisor's area and a shift, the places to be, in order, and the
hours to be there (the printable page is :func:`hotspot_tasking.reports.patrol_pdf.patrol_plan_pdf`).

:func:`patrol_plan` rules:

- **area**: the incidents whose ``area_layer`` column holds ``area_code`` (a zone column
  may hold several codes joined by ``;``);
- **window**: the ``weeks`` weeks ending on ``until`` (a local date, inclusive; default the
  last local date with an incident in the frame);
- **shift**: ``days`` x ``start_hour`` to ``end_hour`` (Europe/London local time); an end at
  or before the start wraps past midnight and the hours after midnight belong to the day
  the shift began (Saturday 02:00 is Friday's night shift), as in a time band. An incident
  counts by the share of its time window inside the shift (aoristic weight); records with
  no time of day are left out and counted in the caveats;
- **places**: H3 cells at ``cell_resolution`` (10: about 130 m across), ranked by incidents
  in the shift (ties: cell id); the first ``top`` are the plan. Each is placed at the mean
  easting/northing of its incidents and named by its commonest location text ("On or near"
  dropped); police.uk's generic words, and texts found in more than 15% (and at least 4)
  of the wards in the window, are read as :mod:`hotspot_tasking.locations` reads them for
  tasking lists and come before the place's commonest specific text, or the nearest
  place's ("Nightclub near Coldharbour Lane");
- **best hours**: the shortest run of whole shift hours holding at least ``cover`` of the
  place's shift incidents (ties: more incidents, then earlier); **best days**: the fewest
  shift days holding at least ``cover`` of them, in week order;
- **categories**: the two leading categories with their share; sensitive categories only
  as "sensitive (aggregated)".
- **no time of day**: when none of the area's records in the window has a time of day
  (police.uk gives months only), the plan is the month's: the window becomes the calendar
  month of its last day (or ``month``), every record counts once, the places are ranked over
  the whole month, not split by shift, and one note says why; when only some records have
  a time of day, the summary says how many the hours come from.

Example: ``patrol_plan(table, area_code="E05000420", area_layer="ward_2014",
days=["Fri", "Sat"], start_hour=21, end_hour=4)`` gives Coldharbour's Friday and Saturday
night plan over the last 8 weeks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import PeriodError
from ..geo.aoristic import band_weights
from ..geo.h3cells import h3_cells
from ..geo.hourofweek import fewest_days, hour_of_week_by
from ..geo.schema import LOCAL_TZ
from ..geo.timebands import DAY_NAMES, Band, TimeBands
from ..hotspots.card import MethodCard
from ..labels import SENSITIVE_LABEL as SENSITIVE
from ..locations import GENERIC_LOCATIONS, clean_location_text, generic_texts
from ..periods import ReviewPeriod, review_period
from ..validation import check_columns, check_number, check_type
from .errors import PatrolError
from .words import incidents_text, no_time_of_day_reason, time_of_day_cover

#: Columns of :attr:`PatrolPlan.frame`, in order.
PLACE_COLUMNS = {"order": "int64", "place_name": "str", "h3_cell": "str", "easting": "float64",
                 "northing": "float64", "longitude": "float64", "latitude": "float64", "incidents": "float64",
                 "share": "float64", "best_hours": "str", "best_days": "str", "categories": "str"}
#: ``best_hours`` and ``best_days`` of a place in a plan not split by shift (no record has a time of day).
NO_HOURS, WHOLE_MONTH = "no time of day", "whole month"


@dataclass
class PatrolPlan:
    """A patrol plan: :data:`PLACE_COLUMNS` (``order`` 1 = first), what it covers, and why.

    ``incidents`` is the area's shift-weighted total in the window; ``start``/``end`` its
    first and last days (naive local dates). ``month`` names the calendar month the window
    is, when it is one ("August 2017"); ``by_shift`` is False when no record has a time of
    day, so the places are the month's, over all times, and ``best_hours``/``best_days``
    say so instead of giving hours. ``records`` and ``timed`` count the area's records in
    the window and those with a time of day; ``time_note`` says why the places are not
    split by shift ("" when they are).
    """

    frame: pd.DataFrame
    area_code: str
    area_name: str
    shift: str
    start: pd.Timestamp
    end: pd.Timestamp
    incidents: float
    card: MethodCard
    caveats: list[str] = field(default_factory=list)
    month: str = ""
    by_shift: bool = True
    records: int = 0
    timed: int = 0
    time_note: str = ""

    @property
    def title(self) -> str:
        return f"Patrol plan: {self.area_name}, {self.shift if self.by_shift else self.month}"

    @property
    def summary(self) -> str:
        """``"8 weeks, 05/05/2018 to 29/06/2018: 312 incidents in the area during the shift."``

        A month's window is named ("August 2017, 01/08/2017 to 31/08/2017: ..."); a plan
        not split by shift counts "incidents in the area"; when only some records have a
        time of day, the sentence ends with how many ("; times of day from 412 of 1,030
        records (40%).").
        """
        weeks = (self.end - self.start).days // 7 + 1
        window = self.month or f"{weeks} weeks"
        text = (f"{window}, {self.start:%d/%m/%Y} to {self.end:%d/%m/%Y}: {incidents_text(self.incidents)} "
                f"incidents in the area{' during the shift' if self.by_shift else ''}")
        if self.by_shift and 0 < self.timed < self.records:
            text += f"; {time_of_day_cover(self.timed, self.records)}"
        return text + "."

    def lines(self) -> list[str]:
        """The plan in words: a heading line, then one line per place."""
        out = [f"{self.title}. {self.summary}"]
        out += [f"{r.order}. {r.place_name}: "
                + (f"be there {r.best_hours} ({r.best_days}); " if self.by_shift else "")
                + f"{incidents_text(r.incidents)} incidents, "
                f"{r.share:.0%} of the area's; {r.categories}." for r in self.frame.itertuples()]
        return out


def patrol_plan(incidents: pd.DataFrame, *, area_code: str, area_layer: str, days: Sequence[str | int],
                start_hour: int, end_hour: int, weeks: int = 8, until=None, top: int = 8,
                area_name: str | None = None, cell_resolution: int = 10, cover: float = 0.5,
                bands: TimeBands | None = None, shift_label: str = "", month: str | None = None) -> PatrolPlan:
    """The places to patrol in an area during a shift, in order, with the hours to be there.

    When no record of the area in the window has a time of day (police.uk's month-only
    records), the plan is the month's instead: the window becomes the calendar month of its
    last day (or ``month``), every record counts once, the places are ranked over the whole
    month, not by shift, and ``time_note`` (also the first caveat) says why.

    Parameters
    ----------
    incidents : pandas.DataFrame
        :func:`~hotspot_tasking.boundaries.store.incidents_with_areas` (needs ``area_layer``,
        the time columns, ``easting``, ``northing``, ``longitude``, ``latitude``,
        ``location_text``, ``category``, ``sensitive``, ``ward_code``; ``source`` names
        police.uk in the note). Not modified.
    area_code, area_layer : str
        The area, and the stored layer (column) it belongs to, e.g. ``"E05000420"``, ``"ward_2014"``.
    days : sequence of str or int
        Shift days: ``"Friday"``, ``"Fri"`` or 0 (Monday) to 6.
    start_hour, end_hour : int
        Local hours, start 0-23 (inclusive), end 0-24 (exclusive); end <= start wraps midnight.
    weeks : int, default=8
        Weeks of data before ``until``, 1-104.
    until : date or str, optional
        Last day of the window (local, inclusive); default the last day with data.
    top : int, default=8
        Places in the plan.
    area_name : str, optional
        For the title (default the code).
    cell_resolution : int, default=10
        H3 resolution of a place (9: about 350 m across; 10: 130 m; 11: 50 m).
    cover : float, default=0.5
        Share (0-1] of a place's incidents its best hours, and its best days, must each hold.
    bands : TimeBands, optional
        For excluded dates (the packaged default when None).
    shift_label : str, default=""
        The time band's label when the shift is one ("Night-time economy"), put before its
        days and hours in the title: "Night-time economy (Fri, Sat 21:00-04:00)".
    month : str, optional
        A calendar month, ``"2017-08"``: the window is that month instead of ``weeks``
        ending on ``until``.

    Returns
    -------
    PatrolPlan
        An empty frame (same columns) when nothing happened in the shift.
    """
    shift, first, last = _checked(incidents, area_code, area_layer, days, start_hour, end_hour, weeks, top, cover,
                                  cell_resolution, until)
    check_type(shift_label, "shift_label", "patrol_plan", str, type_name="a str")
    chosen = _month(month)
    if chosen is not None:
        first, last = chosen.start, chosen.end
    shift_text = f"{shift_label} ({_shift_text(shift)})" if shift_label else _shift_text(shift)
    card = MethodCard("patrol-plan")
    for name, value in (("area_layer", area_layer), ("area_code", area_code), ("days", shift.days),
                        ("start_hour", start_hour), ("end_hour", end_hour), ("weeks", weeks), ("top", top),
                        ("cell_resolution", cell_resolution), ("cover", cover), ("month", month)):
        card.choose(name, value, "given")
    everywhere, table = _window(incidents, area_layer, area_code, first, last)
    weight = band_weights(table, shift, bands=bands).to_numpy()
    untimed = int(np.isnan(weight).sum())
    by_shift = not (untimed == len(table) and (len(table) or chosen is not None))
    if not by_shift:  # no time of day: the month's places over all times
        chosen = chosen or ReviewPeriod.of(last, "month")
        first, last = chosen.start, chosen.end
        everywhere, table = _window(incidents, area_layer, area_code, first, last)
        weight = np.ones(len(table))
    card.data.update(window=f"{first:%d/%m/%Y} to {last:%d/%m/%Y}",
                     shift=shift.summary() if by_shift else "Not split by shift: no record has a time of day",
                     places="H3 cells ranked by " + ("shift-weighted incidents" if by_shift else
                                                     "incidents in the month") + " (ties: cell id)")
    caveats = []
    note = f"The records give no times of day ({no_time_of_day_reason(table)}), so these places are for the " \
        f"whole of {chosen.describe()} and are not split by shift." if not by_shift and len(table) else ""
    if note:
        caveats.append(note)
    elif untimed:
        caveats.append(f"{untimed:,} incidents in the area have no time of day (day- or month-only dates) and are "
                       "left out of the shift.")
    on = np.nan_to_num(weight) > 0
    plan = PatrolPlan(pd.DataFrame({c: pd.Series(dtype=t) for c, t in PLACE_COLUMNS.items()}), area_code,
                      area_name or area_code, shift_text, first, last, float(np.nansum(weight)), card, caveats,
                      month=chosen.describe() if chosen else "", by_shift=by_shift, records=len(table),
                      timed=len(table) - untimed if by_shift else 0, time_note=note)
    card.data.update(incidents_in_area=len(table), incidents_in_shift=round(plan.incidents, 2))
    if not on.any():
        caveats.append(f"No incidents in {plan.area_name} in {plan.month}; choose another month." if not by_shift
                       else f"No incidents in {plan.area_name} during {plan.shift} from {first:%d/%m/%Y} to "
                       f"{last:%d/%m/%Y}; choose more weeks, other days or hours.")
        return plan
    sub = table.loc[on, ["occurred_from", "occurred_to", "time_precision", "easting", "northing", "location_text",
                         "category", "sensitive", "ward_code"]].reset_index(drop=True)
    column = f"h3_{cell_resolution}"
    sub["cell"] = (table.loc[on, column].to_numpy() if column in table.columns else h3_cells(
        table.loc[on, "longitude"], table.loc[on, "latitude"], [cell_resolution])[column].to_numpy())
    sub["w"] = weight[on]
    places = _places(sub, top)
    places["share"] = places["incidents"] / plan.incidents
    places["place_name"] = _names(sub, places, _generic(everywhere))
    places["categories"] = _categories(sub, places.index)
    hours, days_text = (_best_times(sub, places.index, shift, cover) if by_shift
                        else ([NO_HOURS] * len(places), [WHOLE_MONTH] * len(places)))
    places["best_hours"], places["best_days"] = hours, days_text
    lonlat = _lonlat(places["easting"].to_numpy(), places["northing"].to_numpy())
    places["longitude"], places["latitude"] = lonlat
    places["h3_cell"] = places.index.astype("str")
    places["order"] = np.arange(1, len(places) + 1)
    plan.frame = places.reset_index(drop=True)[list(PLACE_COLUMNS)].astype(PLACE_COLUMNS)
    return plan


# --- steps of patrol_plan -------------------------------------------------------------------

def _checked(incidents, area_code, area_layer, days, start_hour, end_hour, weeks, top, cover, resolution, until):
    where = "patrol_plan"
    check_columns(incidents, ("occurred_from", "occurred_to", "time_precision", "easting", "northing"), where,
                  error=PatrolError)
    if area_layer not in incidents.columns:
        raise PatrolError(f"the incidents have no area layer {area_layer!r}; choose a stored ward or zone layer.")
    for name, value, lo, hi in (("start_hour", start_hour, 0, 23), ("end_hour", end_hour, 0, 24),
                                ("weeks", weeks, 1, 104), ("top", top, 1, 100), ("cell_resolution", resolution, 7, 12)):
        check_number(value, name, where, low=lo, high=hi, low_open=False, high_open=False, integer=True,
                     error=PatrolError)
    check_number(cover, "cover", where, high=1, high_open=False, error=PatrolError)
    picked = sorted({_day(d) for d in days})
    if not picked:
        raise PatrolError("patrol plan: choose at least one day for the shift.")
    if not str(area_code):
        raise PatrolError("patrol plan: choose an area.")
    # an end at 0 or 24 ends at midnight; an end equal to the start makes a 24-hour shift
    shift = Band("shift", "Shift", tuple(picked), start_hour * 60, end_hour * 60 or 1440)
    if until is None:
        if not len(incidents):
            raise PatrolError("patrol plan: the workspace has no incidents yet; import some first.")
        until = incidents["occurred_from"].max()
    last = pd.Timestamp(until)
    last = (last.tz_convert(LOCAL_TZ).tz_localize(None) if last.tzinfo else last).normalize()
    return shift, last - pd.Timedelta(days=7 * weeks - 1), last


def _month(month: str | None) -> ReviewPeriod | None:
    check_type(month, "month", "patrol_plan", str, type_name="a str such as '2017-08'", optional=True)
    if month is None:
        return None
    try:
        return review_period(month, "month")
    except PeriodError:
        raise PatrolError(f"patrol plan: {month!r} is not a calendar month; write it as 2017-08.") from None


def _window(incidents: pd.DataFrame, area_layer: str, area_code: str, first: pd.Timestamp,
            last: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every area's incidents from ``first`` to ``last`` (local dates, inclusive), and the area's."""
    local = incidents["occurred_from"].dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    everywhere = incidents.loc[((local >= first) & (local < last + pd.Timedelta(days=1))).to_numpy()]
    codes = ";" + everywhere[area_layer].astype("str") + ";"  # a zone column may hold "Z1;Z2"
    return everywhere, everywhere.loc[codes.str.contains(f";{area_code};", regex=False).to_numpy()]


def _day(value) -> int:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and 0 <= value <= 6:
        return int(value)
    names = {n.casefold(): i for i, n in enumerate(DAY_NAMES)} | {n[:3].casefold(): i for i, n in enumerate(DAY_NAMES)}
    if isinstance(value, str) and value.strip().casefold() in names:
        return names[value.strip().casefold()]
    raise PatrolError(f"patrol plan: {value!r} is not a day; use Monday..Sunday, Mon..Sun or 0 (Monday) to 6.")


def _places(sub: pd.DataFrame, top: int) -> pd.DataFrame:
    """Per cell: weighted count and mean position; the first ``top`` by count (ties: cell id)."""
    sub = sub.assign(we=sub["w"] * sub["easting"], wn=sub["w"] * sub["northing"])
    cells = sub.groupby("cell", sort=True)[["w", "we", "wn"]].sum()
    cells = cells.assign(neg=-cells["w"].round(9)).sort_values(["neg"], kind="stable").head(top)
    return pd.DataFrame({"incidents": cells["w"], "easting": cells["we"] / cells["w"],
                         "northing": cells["wn"] / cells["w"]}, index=cells.index)


def _generic(window: pd.DataFrame) -> set[str]:
    """police.uk's generic words and the texts spread over many wards, casefolded."""
    texts = clean_location_text(window["location_text"])
    spread = generic_texts(texts, window["ward_code"].astype("str"))
    return {t.casefold() for t in (*GENERIC_LOCATIONS, *spread)}


def _names(sub: pd.DataFrame, places: pd.DataFrame, generic: set[str]) -> list[str]:
    """Commonest text; a generic one gets the cell's (else the nearest cell's) commonest specific text."""
    texts = clean_location_text(sub["location_text"])
    mine = sub.assign(t=texts)[texts.ne("") & ~sub["sensitive"].astype(bool)]
    counts = mine.groupby(["cell", "t"])["w"].sum().reset_index().sort_values(["cell", "w", "t"],
                                                                             ascending=[True, False, True])
    top_any = counts.drop_duplicates("cell").set_index("cell")["t"]
    specific = counts[~counts["t"].str.casefold().isin(generic)].drop_duplicates("cell").set_index("cell")["t"]
    centres = sub.groupby("cell")[["easting", "northing"]].mean().loc[specific.index].to_numpy()
    out = []
    for cell, row in places.iterrows():  # one step per place (at most `top`)
        first = top_any.get(cell)
        if first is None or first.casefold() not in generic:
            out.append(first or f"Unnamed spot (E {row['easting']:.0f}, N {row['northing']:.0f})")
        elif cell in specific.index:
            own = specific[cell]
            out.append(own if first.casefold() in own.casefold() else f"{first} near {own}")
        elif len(specific):
            gap = np.hypot(centres[:, 0] - row["easting"], centres[:, 1] - row["northing"])
            out.append(f"{first} near {specific.iloc[int(np.argmin(gap))]}")
        else:
            out.append(first)
    return out


def _categories(sub: pd.DataFrame, cells: pd.Index) -> list[str]:
    mine = sub[sub["cell"].isin(cells)]
    label = mine["category"].astype("str").where(~mine["sensitive"].astype(bool), SENSITIVE)
    mix = mine.assign(c=label).groupby(["cell", "c"])["w"].sum().reset_index()
    mix["share"] = mix["w"] / mix.groupby("cell")["w"].transform("sum")
    mix = mix.sort_values(["cell", "w", "c"], ascending=[True, False, True]).groupby("cell").head(2)
    text = mix.assign(s=mix["c"] + " " + (100 * mix["share"]).round().astype(int).astype(str) + "%")
    return text.groupby("cell")["s"].agg(", ".join).reindex(cells).fillna("").tolist()


def _best_times(sub: pd.DataFrame, cells: pd.Index, shift: Band, cover: float) -> tuple[list[str], list[str]]:
    """Best hours and best days per place from its hour-of-week profile inside the shift."""
    mine = sub[sub["cell"].isin(cells)]
    long = hour_of_week_by(mine, "cell", weights=mine["w"])
    grids = long["count"].to_numpy().reshape(-1, 169)[:, :168].reshape(-1, 7, 24)
    order = long["cell"].drop_duplicates().tolist()
    start_h, end_h = shift.start_minute // 60, -(-shift.end_minute // 60)
    length = (end_h - start_h) % 24 or 24
    hours = (start_h + np.arange(length)) % 24  # shift hours in order
    in_hours = np.zeros(24, bool)
    in_hours[hours] = True
    after = np.zeros(24, bool)
    if shift.wraps:
        after[: end_h % 24 if end_h % 24 else 0] = True
    out_hours, out_days = [], []
    for cell in cells:  # one step per place (at most `top`)
        grid = grids[order.index(cell)]
        band_day = np.where(after, np.roll(grid, -1, axis=0), grid)  # after midnight: the day before
        in_shift = np.zeros((7, 24))
        in_shift[list(shift.days)] = band_day[list(shift.days)]
        in_shift[:, ~in_hours] = 0.0
        by_hour = in_shift.sum(axis=0)[hours]
        total = by_hour.sum()
        need = cover * total - 1e-9 * total
        best = None
        for n in range(1, length + 1):  # the shortest run first; at most 24 x 24 steps
            sums = np.array([by_hour[i:i + n].sum() for i in range(length - n + 1)])
            if sums.max() >= need:
                best = (int(np.argmax(np.round(sums, 9))), n)
                break
        i, n = best if best else (0, length)
        out_hours.append(f"{hours[i]:02d}:00-{(hours[i] + n) % 24:02d}:00")
        by_day = in_shift.sum(axis=1)
        out_days.append(days_text(by_day, need))
    return out_hours, out_days


def days_text(by_day: np.ndarray, need: float) -> str:
    """The days to be there, each with its share when more than one holds incidents.

    The fewest days holding ``need`` (busiest first), any day as busy as the least of them
    (a tie names both, never the earlier day alone) and any day with a quarter or more.

    >>> days_text(np.array([0, 0, 0, 0, 2.0, 2.0, 0]), 2.0), days_text(np.array([0, 0, 0, 0, 3.0, 0, 0]), 1.5)
    ('Fri 50%, Sat 50%', 'Fri')
    >>> days_text(np.array([0, 0, 0, 0, 3.0, 1.0, 0]), 2.0)
    'Fri 75%, Sat 25%'
    """
    total = float(by_day.sum())
    if total <= 0:
        return ""
    shown = np.round(by_day, 9)
    chosen = fewest_days(by_day, need)
    days = np.flatnonzero((shown > 0) & ((shown >= shown[chosen].min()) | (by_day >= total / 4)))
    if len(days) == 1:
        return DAY_NAMES[days[0]][:3]
    return ", ".join(f"{DAY_NAMES[d][:3]} {by_day[d] / total:.0%}" for d in days)


def _lonlat(easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(easting, northing)
    return np.asarray(lon, float), np.asarray(lat, float)


def _shift_text(shift: Band) -> str:
    days = "every day" if len(shift.days) == 7 else ", ".join(DAY_NAMES[d][:3] for d in shift.days)
    start, end = shift.start_minute // 60, shift.end_minute // 60 % 24
    if (shift.end_minute - shift.start_minute) % 1440 == 0:
        return f"{days}, all day" if start == 0 else f"{days}, 24 hours from {start:02d}:00"
    return f"{days} {start:02d}:00-{end:02d}:00"
