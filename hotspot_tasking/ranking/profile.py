"""What a place on a tasking list is like (:func:`profiles`): its name, ward and LSOA,
dominant categories, sensitive share, repeat locations and busiest map point, peak band,
days and hours (:func:`peak_times`), lead agency and suggested tactics.

The rules, over the place's incidents in the review period (:class:`Members`), each
weighted by its band weight; ties always go to the alphabetically first value:

- ``place_name`` (hotspots): :func:`.names.place_names` over the place's incidents in every
  period of the selection (``named_from``: the baseline and the review period, so one
  month's mix does not rename it): the commonest ``location_text`` of its non-sensitive
  incidents ("On or near " removed); police.uk's generic words (:data:`~hotspot_tasking.locations.GENERIC_LOCATIONS`,
  and texts found in more than :data:`~hotspot_tasking.locations.GENERIC_WARD_SHARE` (15%, and at least 4) of
  the wards with incidents) only as "Nightclub near Above Bar Street" (a place with no
  street of its own takes the nearest street of any record within ``place_max_across_m`` of
  its busiest point: :func:`.names.near_streets`); then in brackets the wards holding at least
  :data:`~.names.WARD_NAME_SHARE` (20%) of its incidents, at most two, most first:
  "Brixton Road (Coldharbour)" (after " – " when the text ends in brackets of its own);
  the wards alone when no text is known, "Unnamed place" when nothing is.
- ``ward_code``/``lsoa_code``: the ward and LSOA holding most of its incidents (an area's
  own code for a ward or LSOA).
- ``dominant_categories``: the top :data:`TOP_CATEGORIES` (3) categories with their share
  of the place's incidents, "Violence and sexual offences 46%, Public order 18%"; a
  sensitive category is named only with at least ``disclosure_min_count`` incidents there.
- ``repeat_locations``: distinct map points with at least ``repeat_min_incidents``.
- ``peak_band``: the band (``time_bands.toml``) that holds the most of the place's timed
  incidents *within its peak days and hours* (below), so the band, days and hours shown
  side by side always agree: a place busiest on Fri, Sat, Sun 13:00-21:00 gets a daytime
  band, never the night-time economy. Both are read on the hour-of-week grid (a band
  counts the share of each hour it runs in; the hours after midnight of a band that wraps
  belong to the next day of the week; a band limited to dates counts on its days all
  year). Ties: the band running fewer hours a week (the more specific one: the night-time
  economy before overnight for Friday 23:00-02:00), then file order; "no time of day"
  without timed records; :data:`OUTSIDE_BANDS` when no band runs in the peak hours. When
  the peak days and hours hold none of the incidents (days and hours are chosen each on
  their own, so two incidents, Friday 22:41 and Sunday 03:24, give "Fri 03:00-04:00"),
  the band holding the most of all its timed incidents. (It used to be the band with the
  highest share per band hour, which a few late incidents could win for a place busiest
  in the afternoon.)
- ``peak_hours``: the shortest run of whole local hours (wrapping midnight) holding at least
  ``peak_cover`` (50%) of the timed incidents, written start to end ("21:00-04:00": 21:00
  up to 04:00); ties: the run with more incidents, then the earliest start; "all day" when
  only 24 hours will do.
- ``peak_days``: the fewest days holding at least ``peak_cover`` of them, in week order
  ("Fri, Sat"); when the peak hours pass midnight, the hours after it count for the day
  before (Saturday 02:00 is Friday night, as in the time bands); ties: Monday first.
- ``peak_share``: the share of the timed incidents on the peak days within the peak hours.
- ``lead_agency``: the commonest ``lead_agency`` (from the taxonomy) of its incidents in
  its dominant category; ``tactics`` from :class:`~.tactics.TacticMenu` for that category,
  its leading subcategory and the list's band (the place's peak band on an all-times list).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..geo.hourofweek import ALL_DAY, hour_of_week_by, peak_times
from ..geo.timebands import DAY_NAMES, NO_TIME_OF_DAY, Band, TimeBands
from ..hotspots.bands import ALL_TIMES
from ..locations import clean_location_text, generic_texts
from ..validation import check_type
from .config import RankingConfig
from .names import RoadIndex, near_streets, place_names
from .tactics import TacticMenu, describe

#: Categories named in ``dominant_categories``.
TOP_CATEGORIES = 3
#: ``peak_band`` of a place whose peak days and hours fall in none of the time bands.
OUTSIDE_BANDS = "outside the time bands"
_TIME_COLUMNS = ["occurred_from", "occurred_to", "time_precision"]
#: Columns of :func:`profiles`.
PROFILE_COLUMNS = ("place_name", "ward_code", "ward_name", "lsoa_code", "dominant_categories", "sensitive_share",
                   "repeat_locations", "peak_band", "peak_days", "peak_hours", "peak_share", "lead_agency",
                   "tactics", "busiest_longitude", "busiest_latitude", "order")


@dataclass(frozen=True)
class Members:
    """The incidents of each place, as (place, incident) pairs: the review period's, or every period's.

    Attributes
    ----------
    frame : pandas.DataFrame
        The incidents (positional rows): ``category``, ``subcategory``, ``sensitive``,
        ``location_text``, ``lead_agency``, ``longitude``, ``latitude``, the time columns and,
        when loaded, ``ward_code`` and ``lsoa_code``. Not modified.
    rows, cand : numpy.ndarray of int
        Per pair: the incident's row and the place (0..n-1).
    weight, harm : numpy.ndarray of float
        Per pair: band weight, and band weight x harm weight.
    inverse : numpy.ndarray of int
        Per row of ``frame``: its distinct map point.
    points : (numpy.ndarray, numpy.ndarray)
        Easting and northing of the distinct map points (metres).
    kind : str
        hotspot, ward, lsoa or zone.
    codes : list of str
        Per place: its area code ("" for hotspots).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    cand: np.ndarray
    weight: np.ndarray
    harm: np.ndarray
    inverse: np.ndarray
    points: tuple[np.ndarray, np.ndarray]
    kind: str
    codes: list[str]

    def column(self, name: str) -> np.ndarray:
        """Per pair, a column's values as objects ("" where missing)."""
        if name not in self.frame.columns:
            return np.full(len(self.rows), "", dtype=object)
        values = self.frame[name].to_numpy(dtype=object)[self.rows]
        return np.where(pd.isna(values), "", values)


def profiles(members: Members, n: int, *, bands: TimeBands, band: str, config: RankingConfig,
             menu: TacticMenu, ward_names: Mapping[str, str], named_from: Members | None = None,
             roads: RoadIndex | None = None) -> pd.DataFrame:
    """What each place is like in the review period (see the module notes for every rule).

    Parameters
    ----------
    members : Members
    n : int
        Places (``members.cand`` runs 0..n-1).
    bands : TimeBands
    band : str
        The list's band or ``"all"``.
    config : RankingConfig
        ``repeat_min_incidents``, ``peak_cover``, ``disclosure_min_count``.
    menu : TacticMenu
    ward_names : mapping
        Ward code -> name (the latest ward layer).
    named_from : Members, optional
        The places' incidents over every period of the selection
        (:func:`.candidates.members_all`), which ``place_name`` is made from; default
        ``members`` (the review period's).

    Returns
    -------
    pandas.DataFrame
        ``n`` rows, columns :data:`PROFILE_COLUMNS`; ``busiest_longitude/latitude``: the
        busiest map point (ties: lowest easting, then northing); ``order``: 0 for the place
        with the most incidents (ties: more harm, then its busiest point's easting, northing).
    """
    check_type(members, "members", "profiles", Members, type_name="a Members")
    check_type(named_from, "named_from", "profiles", Members, type_name="a Members", optional=True)
    m, cand, w = members, members.cand, members.weight
    out = pd.DataFrame(index=range(n))
    total = np.bincount(cand, weights=w, minlength=n)
    sensitive = m.column("sensitive").astype(bool)
    out["sensitive_share"] = np.where(total > 0, np.bincount(cand, weights=w * sensitive, minlength=n) / total, 0.0)
    out = out.join(_points(m, n, config.repeat_min_incidents))
    harm = np.bincount(cand, weights=m.harm, minlength=n)
    out["order"] = np.argsort(np.lexsort((out["busiest_northing"], out["busiest_easting"], -harm, -total)),
                              kind="stable")
    categories = _top(cand, m.column("category"), w, TOP_CATEGORIES, sensitive=sensitive,
                      min_sensitive=config.disclosure_min_count)
    out["dominant_categories"] = _shares(categories, total, n)
    lead = categories.drop_duplicates("c").set_index("c")["v"].reindex(range(n), fill_value="")
    in_lead = m.column("category") == lead.to_numpy(dtype=object)[cand]
    agency = _top(cand[in_lead], m.column("lead_agency")[in_lead], w[in_lead], 1, skip_empty=True)
    out["lead_agency"] = _first(agency, n)
    sub = _top(cand[in_lead], m.column("subcategory")[in_lead], w[in_lead], 1)
    out = out.join(_peaks(m, n, bands, config.peak_cover))
    subs = _first(sub, n)
    out["tactics"] = [describe(menu.suggest(c, subcategory=s, band=band if band != ALL_TIMES else p))
                      for c, s, p in zip(lead, subs, out["peak_band"])]  # one step per place
    out = out.join(_where(m, n, ward_names))
    out["place_name"] = _names(m if named_from is None else named_from, n, ward_names, out,
                               config.place_max_across_m, roads)
    return out[list(PROFILE_COLUMNS)]


def _top(cand: np.ndarray, values: np.ndarray, weight: np.ndarray, k: int, *, skip_empty: bool = False,
         sensitive: np.ndarray | None = None, min_sensitive: float = 0.0) -> pd.DataFrame:
    """Per place, its ``k`` values with the most weight (``c, v, w``; ties: alphabetical)."""
    frame = pd.DataFrame({"c": cand, "v": values.astype(str), "w": weight,
                          "s": np.zeros(len(cand), bool) if sensitive is None else sensitive})
    if skip_empty:
        frame = frame[frame["v"] != ""]
    sums = frame.groupby(["c", "v"], sort=False).agg(w=("w", "sum"), s=("s", "max")).reset_index()
    sums = sums[(sums["w"] > 0) & ~(sums["s"] & (sums["w"] < min_sensitive))]
    sums = sums.sort_values(["c", "w", "v"], ascending=[True, False, True], kind="stable")
    return sums.groupby("c", sort=False).head(k)


def _first(top: pd.DataFrame, n: int) -> pd.Series:
    return top.drop_duplicates("c").set_index("c")["v"].astype(object).reindex(range(n), fill_value="")


def _shares(top: pd.DataFrame, total: np.ndarray, n: int) -> list[str]:
    share = top["w"].to_numpy() / np.maximum(total[top["c"].to_numpy()], 1e-300)
    text = top.assign(t=[f"{v} {s:.0%}" for v, s in zip(top["v"], share)])
    joined = text.groupby("c", sort=False)["t"].agg(", ".join)
    return joined.astype(object).reindex(range(n), fill_value="").tolist()


def _points(m: Members, n: int, k: float) -> pd.DataFrame:
    """Repeat locations and the busiest map point per place."""
    ux, uy = m.points
    point = m.inverse[m.rows]
    key = m.cand.astype(np.int64) * len(ux) + point
    uniq, inv = np.unique(key, return_inverse=True)
    sums = np.bincount(inv.ravel(), weights=m.weight)
    c, p = uniq // len(ux), uniq % len(ux)
    repeats = np.bincount(c[sums >= k - 1e-9], minlength=n)
    order = np.lexsort((uy[p], ux[p], -np.round(sums, 9), c))
    first = order[np.r_[True, c[order][1:] != c[order][:-1]]] if len(order) else order
    lon = pd.Series(m.frame["longitude"].to_numpy(float)).groupby(m.inverse).first()
    lat = pd.Series(m.frame["latitude"].to_numpy(float)).groupby(m.inverse).first()
    out = pd.DataFrame({"repeat_locations": repeats, "busiest_easting": np.nan, "busiest_northing": np.nan,
                        "busiest_longitude": np.nan, "busiest_latitude": np.nan}, index=range(n))
    at = c[first]
    out.loc[at, "busiest_easting"], out.loc[at, "busiest_northing"] = ux[p[first]], uy[p[first]]
    out.loc[at, "busiest_longitude"] = lon.reindex(p[first]).to_numpy()
    out.loc[at, "busiest_latitude"] = lat.reindex(p[first]).to_numpy()
    return out


def _where(m: Members, n: int, ward_names: Mapping[str, str]) -> pd.DataFrame:
    """Ward and LSOA per place."""
    ward_code = _first(_top(m.cand, m.column("ward_code"), m.weight, 1, skip_empty=True), n)
    lsoa = _first(_top(m.cand, m.column("lsoa_code"), m.weight, 1, skip_empty=True), n)
    if m.kind == "ward":
        ward_code = pd.Series(m.codes, dtype=object)
    if m.kind == "lsoa":
        lsoa = pd.Series(m.codes, dtype=object)
    out = pd.DataFrame({"ward_code": ward_code.to_numpy(), "lsoa_code": lsoa.to_numpy()}, index=range(n))
    out["ward_name"] = [ward_names.get(c, "") for c in out["ward_code"]]
    return out


def _names(m: Members, n: int, ward_names: Mapping[str, str], where: pd.DataFrame, within_m: float,
           roads: RoadIndex | None = None) -> list[str]:
    """Place names from ``m``'s incidents (a sensitive one counts for its ward, never its street),
    by the road under most of them when there are ``roads``, with the nearest street within
    ``within_m`` of the busiest point for a generic word alone."""
    frame = m.frame
    raw = frame["location_text"] if "location_text" in frame.columns else pd.Series("", index=frame.index)
    texts = clean_location_text(raw)
    generic = generic_texts(texts, frame["ward_code"]) if "ward_code" in frame.columns else []
    text = np.where(m.column("sensitive").astype(bool), "", texts.to_numpy(dtype=object)[m.rows])
    road = None
    if roads is not None:  # each record's road; a sensitive record's never names its street
        near = roads.nearest(frame["easting"].to_numpy(float), frame["northing"].to_numpy(float), texts=texts)
        road = np.where(m.column("sensitive").astype(bool), "", near[m.rows]).astype(object)
    names = place_names(text.astype(object), m.column("ward_code"), m.cand, m.weight, n, ward_names=ward_names,
                        generic=generic, roads=road)
    blank = texts.where(~frame["sensitive"].astype(bool).to_numpy(), "") if "sensitive" in frame.columns else texts
    return near_streets(names, where["busiest_easting"].to_numpy(float), where["busiest_northing"].to_numpy(float),
                        blank, frame["easting"].to_numpy(float), frame["northing"].to_numpy(float),
                        within_m=within_m, generic=generic)


def _peaks(m: Members, n: int, bands: TimeBands, cover: float) -> pd.DataFrame:
    """Peak days, hours, the share in them and the band holding most of them, per place."""
    out = pd.DataFrame({"peak_band": NO_TIME_OF_DAY, "peak_days": "", "peak_hours": "", "peak_share": np.nan},
                       index=range(n))
    if not len(m.rows):
        return out
    pairs = m.frame.iloc[m.rows][_TIME_COLUMNS].reset_index(drop=True).assign(_place=m.cand)
    long = hour_of_week_by(pairs, "_place", weights=pd.Series(m.weight))
    groups = np.unique(m.cand)
    cells = long["count"].to_numpy().reshape(len(groups), 169)[:, :168].reshape(len(groups), 7, 24)
    found = [peak_times(cells[g], cover=cover) for g in range(len(groups))]  # one step per place
    days, hours_text, share = zip(*found)
    out.loc[groups, "peak_days"], out.loc[groups, "peak_hours"] = list(days), list(hours_text)
    out.loc[groups, "peak_share"] = np.asarray(share, dtype=float)
    peak = np.stack([_peak_cells(d, h) for d, h in zip(days, hours_text)])  # one step per place
    names = list(bands.names())
    running = np.stack([_band_cells(bands.band(b)) for b in names])  # one step per band
    in_peak = cells * peak
    in_peak = np.where(in_peak.sum(axis=(1, 2), keepdims=True) > 0, in_peak, cells)  # peak cells holding none
    held = np.round(np.einsum("gdh,bdh->gb", in_peak, running), 9)
    most = held.max(axis=1, keepdims=True)
    hours = np.array([_band_hours(bands.band(b)) for b in names])
    pick = np.argmax(np.where(held == most, -hours, -np.inf), axis=1)  # ties: fewer hours, then file order
    timed = cells.sum(axis=(1, 2)) > 0
    band = np.where(most[:, 0] > 0, np.asarray(names, dtype=object)[pick], OUTSIDE_BANDS)
    out.loc[groups[timed], "peak_band"] = band[timed]
    return out


def _peak_cells(days: str, hours: str) -> np.ndarray:
    """7 x 24 booleans: the hour-of-week cells of peak days ``"Fri, Sat"`` and hours
    ``"21:00-04:00"`` (:func:`peak_times`' wording; hours after midnight on the next day)."""
    out = np.zeros((7, 48), bool)
    if not days:
        return out[:, :24]
    start, end = (0, 24) if hours == ALL_DAY else (int(hours[:2]), int(hours[6:8]))
    end = end + 24 if end <= start else end
    short = [d[:3] for d in DAY_NAMES]
    out[[short.index(d) for d in days.split(", ")], start:end] = True
    return out[:, :24] | np.roll(out[:, 24:], 1, axis=0)


def _band_cells(band: Band) -> np.ndarray:
    """7 x 24: the share of each hour of the week a band runs in (the hours after midnight of
    a band that wraps on the day after its band day; its date limits are not on the grid)."""
    start = band.start_minute
    end = band.end_minute + 1440 if band.wraps else band.end_minute
    slot = np.arange(48) * 60
    share = np.clip(np.minimum(end, slot + 60) - np.maximum(start, slot), 0, 60) / 60.0
    out = np.zeros((7, 48))
    out[list(band.days)] = share
    return out[:, :24] + np.roll(out[:, 24:], 1, axis=0)


def _band_hours(band: Band) -> float:
    """Hours a band runs in a week."""
    minutes = (band.end_minute - band.start_minute) % 1440 or 1440
    return len(band.days) * minutes / 60.0
