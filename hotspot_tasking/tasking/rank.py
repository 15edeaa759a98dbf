"""Ranked tasking lists: which places a joint action group should discuss first, and why.

:func:`build_tasking_list` takes a review period (a month ``"2017-07"`` or the week from a
Monday ``"2017-07-03"``) and a time band, finds the candidate places (hotspot outlines of
that period, or the areas of a ward, LSOA or zone layer) and, per place, measures:

- ``count_now`` and ``harm_now``: incidents in the period, weighted by their aoristic share
  of the band (and by ``harm_weight`` for harm); records without a time of day are left
  out of an hour band, counted and said in the caveats, never put in the band;
- ``count_before``: the mean per period over the previous ``baseline_periods`` periods (same
  band, same outline); ``change_pct``; Poisson ``z = 2(sqrt(now) - sqrt(before))`` and the
  arrow (▲ z >= 2, ▼ z <= -2, ► otherwise);
- ``persistence``: :func:`~hotspot_tasking.hotspots.persistence.persistence` class of the
  place's hot flags over the baseline and review periods, a place being hot in a period
  when its density is at least ``hot_multiple`` times the study area's mean that period;
- ``repeat_locations``: map points with at least ``repeat_min_incidents`` incidents in it;
- dominant categories, sensitive share, peak band, peak days and hours, lead agency,
  tactics (:mod:`.tactics`), status from the action log, place name;
- ``score``: the weighted sum of ``tasking.toml`` ``[ranking]`` (harm, trend, persistence,
  repeat locations; that file gives the formula and why each weight);

and ranks by score (ties: more harm, then ``tasking_id``). Every row's score is put in words
by :func:`.explain.explain`. The rules for tasking ids are in :func:`tasking_ids`.
What a place is like (names, categories, peak times, repeats) comes from :func:`.explain.profiles`.
"""

from __future__ import annotations

import datetime as dt
import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Sequence, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..boundaries.assign import assign_layer
from ..boundaries.stats import percent_change, poisson_z
from ..boundaries.store import incidents_with_areas, study_area
from ..geo.aoristic import band_weights
from ..geo.coords import distinct_points
from ..geo.h3cells import h3_cells
from ..geo.schema import BNG_EPSG, LOCAL_TZ
from ..geo.select import select_incidents
from ..geo.taxonomy import default_config_path
from ..geo.workspace import Workspace
from ..hotspots.bands import ALL_TIMES
from ..hotspots.card import MethodCard
from ..hotspots.persistence import flag_thin_periods, persistence
from ..hotspots.run import HotspotRequest, run_hotspots
from .actionlog import DB_FILE, ActionLog
from .errors import TaskingError
from .explain import Members, explain, profiles
from .schema import CANDIDATE_KINDS, TASKING_COLUMNS, CandidateKind, TaskingList, empty_tasking_frame
from .tactics import TacticMenu

log = logging.getLogger(__name__)

Every = Literal["week", "month"]
EVERY: tuple[str, ...] = get_args(Every)
RankMethod = Literal["kde", "dbscan"]
RANK_METHODS: tuple[str, ...] = get_args(RankMethod)
#: Tasking id prefixes: the area code follows (``W-E05000425``); a hotspot's H3 cell follows ``H-``.
ID_PREFIX = {"hotspot": "H-", "ward": "W-", "lsoa": "L-", "zone": "Z-"}
#: H3 resolution of hotspot ids (about 0.1 km² cells, 174 m edge).
ID_H3_RESOLUTION = 9
CARD = "tasking-rank"
WEIGHT_NAMES = ("harm", "trend", "persistence", "repeat")
_DEFAULTS = {"baseline_periods": 12, "repeat_min_incidents": 3.0, "trend_full_z": 4.0, "hot_multiple": 2.0,
             "peak_cover": 0.5, "inherit_overlap": 0.3, "disclosure_min_count": 5.0}
_DEFAULT_WEIGHTS = {"harm": 0.4, "trend": 0.2, "persistence": 0.25, "repeat": 0.15}


@dataclass(frozen=True)
class RankingConfig:
    """The ``[ranking]`` table of ``tasking.toml`` (that file explains every value).

    Attributes
    ----------
    weights : dict
        ``{"harm", "trend", "persistence", "repeat": weight >= 0}``, not all 0.
    baseline_periods : int
        Periods before the review period in the baseline.
    repeat_min_incidents : float
        Incidents at one map point in the period that make it a repeat location.
    trend_full_z : float
        z at which the trend component reaches 1.
    hot_multiple : float
        Density multiple of the study area's mean that makes a place hot in a period.
    peak_cover : float
        Share (0-1] of timed incidents the peak days and the peak hours must hold.
    inherit_overlap : float
        Intersection over the smaller outline (0-1] for a hotspot to keep a previous id.
    disclosure_min_count : float
        Incidents a sensitive category needs at a place to be named in its categories
        (default ``[disclosure] min_count``, else 5).
    path : pathlib.Path or None
        The file the table came from (None: the built-in defaults).
    """

    weights: dict[str, float] = field(default_factory=lambda: dict(_DEFAULT_WEIGHTS))
    baseline_periods: int = 12
    repeat_min_incidents: float = 3.0
    trend_full_z: float = 4.0
    hot_multiple: float = 2.0
    peak_cover: float = 0.5
    inherit_overlap: float = 0.3
    disclosure_min_count: float = 5.0
    path: Path | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> "RankingConfig":
        """Read ``[ranking]`` from ``path``; a file without it uses the packaged default's."""
        default = Path(default_config_path("tasking.toml"))
        path = default if path is None else Path(path)
        data = _toml(path)
        disclosure = data.get("disclosure", {}).get("min_count")
        table = data.get("ranking")
        if table is None and path != default:  # a workspace copy from before [ranking]: the packaged one
            path, data = default, _toml(default)
            table = data.get("ranking")
        table = dict(table or {})
        if disclosure is None:
            disclosure = data.get("disclosure", {}).get("min_count")
        if "disclosure_min_count" not in table and disclosure is not None:
            table["disclosure_min_count"] = disclosure
        where = f"{path.name}, [ranking]"
        unknown = sorted(set(table) - set(_DEFAULTS) - {"weights"})
        if unknown:
            raise TaskingError(f"{where}: unknown keys {', '.join(unknown)}; use {', '.join([*_DEFAULTS, 'weights'])}.")
        values = {k: table.get(k, v) for k, v in _DEFAULTS.items()}
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise TaskingError(f"{where}: {key} must be a number above 0, got {value!r}; fix it.")
        for key in ("peak_cover", "inherit_overlap"):
            if values[key] > 1:
                raise TaskingError(f"{where}: {key} is a share from 0 to 1, got {values[key]!r}; fix it.")
        if int(values["baseline_periods"]) != values["baseline_periods"]:
            raise TaskingError(f"{where}: baseline_periods must be a whole number, got {values['baseline_periods']!r}.")
        weights = {**_DEFAULT_WEIGHTS, **table.get("weights", {})}
        bad = [k for k in weights if k not in WEIGHT_NAMES]
        if bad or any(isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 for v in weights.values()) \
                or not sum(weights.values()) > 0:
            raise TaskingError(f"{where}.weights: give harm, trend, persistence and repeat as numbers of 0 or more, "
                               f"not all 0; got {table.get('weights')!r}.")
        return cls({k: float(weights[k]) for k in WEIGHT_NAMES}, int(values.pop("baseline_periods")),
                   **{k: float(v) for k, v in values.items()}, path=path)

    @classmethod
    def for_workspace(cls, ws: Workspace) -> "RankingConfig":
        """The workspace's ``tasking.toml`` ``[ranking]``, else the packaged default's."""
        return cls.load(ws.config_path("tasking.toml"))


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
                raise TaskingError(f"period {period!r} is a {day:%A}; a weekly period starts on a Monday: "
                                   f"use {monday:%Y-%m-%d} (or the month {day:%Y-%m}).")
            found = ReviewPeriod("week", day)
    except (ValueError, IndexError) as err:
        if isinstance(err, TaskingError):
            raise
        raise TaskingError(f"period {period!r} is not a review period; write a month (2017-07), the Monday "
                           "of a week (2017-07-03) or an ISO week (2017-W27).") from None
    if every is not None and every != found.every:
        raise TaskingError(f"period {period!r} is a {found.every} but every={every!r}; write "
                           f"{'a month such as 2017-07' if every == 'month' else 'a Monday such as 2017-07-03'}.")
    return found


def build_tasking_list(ws: Workspace, *, period: str, band: str = ALL_TIMES,
                       candidates: CandidateKind = "hotspot", method: RankMethod = "kde", top: int | None = None,
                       baseline_periods: int | None = None, every: Every | None = None,
                       categories: Sequence[str] | None = None, groups: Sequence[str] | None = None,
                       sources: Sequence[str] | None = None, incidents: pd.DataFrame | None = None,
                       layer: str | None = None, previous: TaskingList | None = None,
                       action_log: ActionLog | None = None, meeting_on: dt.date | str | None = None) -> TaskingList:
    """Rank the places of a review period and time band for a tasking meeting.

    Parameters
    ----------
    ws : Workspace
        Gives the incidents (unless passed), area layers, time bands, ``tasking.toml``
        ``[ranking]``, ``tactics.toml`` and, when it has one, the action log.
    period : str
        ``"2017-07"`` (a month), ``"2017-07-03"`` (the week from that Monday) or ``"2017-W27"``.
    band : str, default="all"
        A band of ``time_bands.toml``, or ``"all"``.
    candidates : {"hotspot", "ward", "lsoa", "zone"}, default="hotspot"
        Hotspot outlines found in the period, or the areas of a layer.
    method : {"kde", "dbscan"}, default="kde"
        How hotspots are found (``candidates="hotspot"`` only).
    top : int, optional
        Keep the first ``top`` places (scores are computed over all of them first).
    baseline_periods : int, optional
        Periods in the baseline, 1 or more; default ``[ranking] baseline_periods`` (12).
    every : {"week", "month"}, optional
        Checked against ``period``, whose form decides it.
    categories, groups, sources : sequence of str, optional
        Only these incidents (None: all).
    incidents : pandas.DataFrame, optional
        :func:`~hotspot_tasking.boundaries.store.incidents_with_areas` already loaded (area
        code columns missing from it are computed). Not modified.
    layer : str, optional
        The area layer for ward, LSOA or zone candidates; default the latest ward or LSOA
        layer, or every zone layer.
    previous : TaskingList, optional
        The last list: hotspots overlapping one of its hotspots keep its id.
    action_log : ActionLog, optional
        For ``status``; default the workspace's action log when it has one.
    meeting_on : datetime.date or str, optional
        Only meetings held before this date give the status; default the day after the
        period ends (meetings held during it reviewed earlier lists).

    Returns
    -------
    TaskingList
        ``frame`` has :data:`~.schema.TASKING_COLUMNS` and the outlines, ranked 1..n; the
        ``cards`` the ranking's method card, the hotspot method's and the persistence card.

    Raises
    ------
    TaskingError
        A bad period or option, or no incidents in the period.
    """
    _check_options(candidates, method, top, baseline_periods, categories, groups, sources, incidents, previous,
                   action_log)
    config = RankingConfig.for_workspace(ws)
    n_base = config.baseline_periods if baseline_periods is None else baseline_periods
    review = review_period(period, every)
    bands = ws.time_bands()
    band_label = "All times" if band == ALL_TIMES else bands.band(band).label
    card = _card(config, review, band, candidates, method, n_base, baseline_periods is None)
    table = incidents_with_areas(ws) if incidents is None else incidents
    sel = _select(table, review, n_base, band, bands, categories, groups, sources)
    sel.frame = _with_area_codes(ws, sel.frame)
    caveats = _caveats(sel, review, band_label, n_base)
    cards = [card]
    if candidates == "hotspot":
        places, run_card = _hotspots(ws, sel, review, band, method, categories, groups, sources)
        cards.append(run_card)
    else:
        places = _areas(ws, sel, candidates, layer)
    counts, harms = sel.per_period(places)
    keep = np.flatnonzero(counts[:, -1] > 0)
    card.data.update(incidents_now=int((sel.pos == sel.periods - 1).sum()), candidates_found=len(places.keys),
                     candidates_with_incidents=len(keep))
    thin = len(card.warnings)
    flag_thin_periods(card, sel.totals, sel.labels)
    caveats += card.warnings[thin:]
    if not len(keep):
        return TaskingList(empty_tasking_frame(), review.label, band, cards, caveats, sel.sources)
    places = places.take(keep)
    counts, harms = counts[keep], harms[keep]
    study_km2 = _study_km2(ws, sel)
    measures = _measures(counts, harms, places.area_km2, sel.totals, study_km2, config, sel.labels, cards)
    about = profiles(sel.now(places), len(places.keys), bands=bands, band=band, config=config,
                     menu=TacticMenu.load(ws.config_path("tactics.toml")), ward_names=_names(ws, "ward"))
    ids = tasking_ids(candidates, places, about, previous, config.inherit_overlap, card)
    frame = _frame(candidates, places, measures, about, ids, config)
    frame["status"] = _status(ws, frame["tasking_id"].tolist(), review, action_log, meeting_on, caveats)
    frame = _ranked(frame, top)
    details = pd.DataFrame({"baseline_periods": sel.periods - 1, "hot_periods": measures["hot_periods"],
                            "periods": measures["periods"], "peak_share": about["peak_share"]}).iloc[frame.index]
    rows = pd.concat([frame.reset_index(drop=True), details.reset_index(drop=True)], axis=1)
    frame["explanation"] = pd.Series([explain(r, every=review.every) for r in rows.to_dict("records")],
                                     index=frame.index, dtype="str")
    frame = frame.reset_index(drop=True)
    card.data["listed"] = len(frame)
    return TaskingList(frame, review.label, band, cards, caveats, sel.sources)


# --- selection ------------------------------------------------------------------------------

@dataclass
class _Selection:
    """The incidents of the baseline and review periods, with their period and band weight."""

    frame: pd.DataFrame          # rows used (positional), original columns
    pos: np.ndarray              # period position 0..periods-1 (periods-1 = the review period)
    weight: np.ndarray           # band weight (1 for all times)
    harm: np.ndarray             # weight x harm_weight
    periods: int                 # baseline periods used + 1
    labels: list[str]
    totals: np.ndarray           # weight per period over the whole selection
    untimed: tuple[int, int]     # records without a time of day left out of the band: (now, baseline)
    unplaced: int                # month-only records that fit no week
    data_start: pd.Timestamp
    sources: list[str]
    inverse: np.ndarray = field(default=None)  # distinct map point of each row
    points: tuple[np.ndarray, np.ndarray] = field(default=None)

    def per_period(self, places: "_Places") -> tuple[np.ndarray, np.ndarray]:
        """``(count, harm)`` arrays of places x periods."""
        n = len(places.keys) * self.periods
        slot = places.cand * self.periods + self.pos[places.row]
        counts = np.bincount(slot, weights=self.weight[places.row], minlength=n).reshape(-1, self.periods)
        harms = np.bincount(slot, weights=self.harm[places.row], minlength=n).reshape(-1, self.periods)
        return counts, harms

    def now(self, places: "_Places") -> Members:
        """The review period's (place, incident) pairs with weight, for :func:`.explain.profiles`."""
        on = (self.pos[places.row] == self.periods - 1) & (self.weight[places.row] > 0)
        rows, cand = places.row[on], places.cand[on]
        return Members(self.frame, rows, cand, self.weight[rows], self.harm[rows], self.inverse, self.points,
                       places.kind, places.keys)


def _select(table: pd.DataFrame, review: ReviewPeriod, n_base: int, band: str, bands, categories, groups,
            sources) -> _Selection:
    chosen = select_incidents(table, sources=sources, categories=categories, groups=groups).to_numpy(copy=True)
    start = table["occurred_from"]
    if not chosen.any():
        raise TaskingError("no incidents match the categories, groups or sources given; widen them.")
    data_start = start[chosen].min().tz_convert(LOCAL_TZ).tz_localize(None)
    first = review.shifted(-n_base).start.tz_localize(LOCAL_TZ)
    last = (review.end + pd.Timedelta(days=1)).tz_localize(LOCAL_TZ)
    chosen &= ((start >= first) & (start < last)).to_numpy()
    frame = table.loc[chosen]
    local = frame["occurred_from"].dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    pos = review.index(local) + n_base
    unplaced = 0
    if review.every == "week":
        vague = frame["time_precision"].astype("str").eq("month").to_numpy()
        unplaced = int(vague.sum())
        pos[vague] = -1
    offset = max(0, int(review.index(pd.Series([data_start]))[0]) + n_base)
    if offset > n_base:
        raise TaskingError(f"the data start on {data_start:%d/%m/%Y}, after the period {review.label}; "
                           "choose a later period.")
    periods = n_base - offset + 1
    pos = pos - offset
    used = pos >= 0
    if not (pos == periods - 1).any():
        raise TaskingError(f"no incidents match in {review.label} ({review.start:%d/%m/%Y} to "
                           f"{review.end:%d/%m/%Y}); choose a period with data or widen the filters.")
    frame, pos = frame.iloc[np.flatnonzero(used)], pos[used]
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
    return _Selection(frame, pos, weight, harm, periods, labels, np.bincount(pos, weights=weight, minlength=periods),
                      (int((untimed & now).sum()), int((untimed & ~now).sum())), unplaced, data_start,
                      sorted(frame.loc[now, "source"].astype("str").unique()), inverse, (ux, uy))


def _caveats(sel: _Selection, review: ReviewPeriod, band_label: str, n_base: int) -> list[str]:
    out = []
    now, before = sel.untimed
    if now or before:
        out.append(f"{now:,} incidents in {review.describe()} (and {before:,} in the baseline) have no time of day "
                   f"(day- or month-only dates) and are left out of the '{band_label}' band; they count under all "
                   "times.")
    if sel.unplaced:
        out.append(f"{sel.unplaced:,} month-only records (e.g. police.uk) cannot be placed in a week and are left "
                   "out; use monthly periods to include them.")
    if sel.periods - 1 < n_base:
        out.append(f"The baseline has {sel.periods - 1} {review.every}s, not {n_base}: the data start on "
                   f"{sel.data_start:%d/%m/%Y}.")
    simulated = [s for s in sel.sources if "simulated" in s]
    if simulated:
        out.append(f"Includes simulated data ({', '.join(simulated)}): for demonstration, not for operational use.")
    return out


# --- candidates ---------------------------------------------------------------------------

@dataclass
class _Places:
    """Candidate places and which incidents (rows of the selection) each holds."""

    kind: str
    keys: list[str]              # area codes, or "" for hotspots
    names: list[str]
    geometry: np.ndarray         # shapely geometries, EPSG:27700
    row: np.ndarray              # (row, cand) pairs: incident row of the selection ...
    cand: np.ndarray             # ... and candidate index

    @property
    def area_km2(self) -> np.ndarray:
        return shapely.area(self.geometry) / 1e6

    def take(self, keep: np.ndarray) -> "_Places":
        new = np.full(len(self.keys), -1)
        new[keep] = np.arange(len(keep))
        on = new[self.cand] >= 0
        return _Places(self.kind, [self.keys[i] for i in keep], [self.names[i] for i in keep], self.geometry[keep],
                       self.row[on], new[self.cand[on]])


def _hotspots(ws, sel: _Selection, review: ReviewPeriod, band: str, method: str, categories, groups,
              sources) -> tuple[_Places, MethodCard]:
    request = HotspotRequest(method=method, band=band, categories=_tuple(categories), groups=_tuple(groups),
                             sources=_tuple(sources), start=review.start.strftime("%Y-%m-%d"),
                             end=review.end.strftime("%Y-%m-%d"))
    now = sel.frame.iloc[np.flatnonzero(sel.pos == sel.periods - 1)]
    run = run_hotspots(ws, request, incidents=now)
    geoms = np.asarray(run.layers["hotspots"].geometry.values, dtype=object)
    ux, uy = sel.points
    point, cand = shapely.STRtree(geoms).query(shapely.points(ux, uy), predicate="intersects") \
        if len(geoms) else (np.empty(0, np.int64), np.empty(0, np.int64))
    row, cand = _expand(sel.inverse, point, cand)
    return _Places("hotspot", [""] * len(geoms), [""] * len(geoms), geoms, row, cand), run.card


def _areas(ws, sel: _Selection, kind: str, layer: str | None) -> _Places:
    stored = ws.layers()
    if layer is not None:
        if stored.get(layer, {}).get("kind") != kind:
            raise TaskingError(f"layer {layer!r} is not a {kind} layer of the workspace; choose one of "
                               f"{', '.join(n for n, m in stored.items() if m['kind'] == kind) or '(none)'}.")
        names = [layer]
    else:
        names = sorted(n for n, m in stored.items() if m["kind"] == kind)
        if kind != "zone":
            names = names[-1:]
    if not names:
        raise TaskingError(f"the workspace has no {kind} layer; add one with 'hotspot-tasking boundaries add', "
                           "or rank hotspots.")
    keys, labels, geoms, rows, cands = [], [], [], [], []
    for name in names:  # one step per layer
        frame = ws.read_layer(name).sort_values("code", kind="stable")
        base = len(keys)
        keys += frame["code"].astype("str").tolist()
        labels += (frame["name"] if "name" in frame else frame["code"]).astype("str").tolist()
        geoms.append(np.asarray(frame.geometry.values, dtype=object))
        codes = _codes(sel, name, frame, kind)
        if kind == "zone":
            split = pd.Series(codes, dtype="str").str.split(";").explode()
            split = split[split.ne("")]
            row, code = split.index.to_numpy(dtype=np.int64), split.to_numpy(dtype=object)
        else:
            row, code = np.arange(len(codes)), codes
        index = pd.Index(frame["code"].astype("str")).get_indexer(code)
        rows.append(row[index >= 0])
        cands.append(index[index >= 0] + base)
    if len(set(keys)) < len(keys):
        raise TaskingError(f"zone layers {', '.join(names)} share area codes, which would give two places one "
                           "tasking id; rank one layer at a time (layer=...).")
    return _Places(kind, keys, labels, np.concatenate(geoms), np.concatenate(rows), np.concatenate(cands))


def _with_area_codes(ws: Workspace, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``ward_code`` and ``lsoa_code`` (computed from the latest layers when missing)."""
    missing = [c for c in ("ward_code", "lsoa_code") if c not in frame.columns]
    if not missing:
        return frame
    out = frame.copy()
    stored = ws.layers()
    e, n = frame["easting"].to_numpy(float), frame["northing"].to_numpy(float)
    for column in missing:  # at most two
        kind = column.removesuffix("_code")
        names = sorted(name for name, meta in stored.items() if meta["kind"] == kind)
        codes = assign_layer(e, n, ws.read_layer(names[-1]), partition=True) if names else np.full(len(out), "")
        out[column] = pd.Series(codes, index=out.index, dtype="str")
    return out


def _codes(sel: _Selection, name: str, layer: gpd.GeoDataFrame, kind: str) -> np.ndarray:
    """Each selected incident's code(s) in a layer: the loaded column, else computed."""
    if name in sel.frame.columns:
        return sel.frame[name].astype("str").to_numpy(dtype=object)
    e, n = sel.frame["easting"].to_numpy(float), sel.frame["northing"].to_numpy(float)
    return assign_layer(e, n, layer, partition=kind != "zone")


def _expand(inverse: np.ndarray, point: np.ndarray, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(point, cand) pairs to (row, cand) pairs through each row's distinct point."""
    rows = pd.DataFrame({"row": np.arange(len(inverse)), "point": inverse})
    pairs = pd.DataFrame({"point": point, "cand": cand}).merge(rows, on="point").sort_values(["cand", "row"])
    return pairs["row"].to_numpy(dtype=np.int64), pairs["cand"].to_numpy(dtype=np.int64)


# --- measures and score ----------------------------------------------------------------------

def _measures(counts: np.ndarray, harms: np.ndarray, area_km2: np.ndarray, totals: np.ndarray, study_km2: float,
              config: RankingConfig, labels: list[str], cards: list[MethodCard]) -> pd.DataFrame:
    """Counts, baseline, change, z, arrow, hot periods, persistence class and score components."""
    now, harm_now = counts[:, -1], harms[:, -1]
    before = counts[:, :-1].mean(axis=1) if counts.shape[1] > 1 else np.full(len(now), np.nan)
    out = pd.DataFrame({"count_now": now, "harm_now": harm_now, "count_before": before})
    out["change_pct"] = percent_change(out["count_now"], out["count_before"])
    out["z"] = poisson_z(out["count_now"], out["count_before"])
    out["arrow"] = np.select([out["z"] >= 2, out["z"] <= -2], ["▲", "▼"], "►")
    mean_density = totals / study_km2
    with np.errstate(divide="ignore", invalid="ignore"):
        density = counts / area_km2[:, None]
    hot = (counts > 0) & ((area_km2[:, None] <= 0) | (density >= config.hot_multiple * mean_density))
    if counts.shape[1] >= 2:
        result = persistence(pd.DataFrame(hot, columns=pd.Index(labels, dtype="str")))
        cards.append(result.card)
        out["persistence"] = result.frame["class"].to_numpy()
    else:
        out["persistence"] = np.where(hot[:, -1], "new", "never")
    out["hot_periods"] = hot.sum(axis=1)
    out["periods"] = counts.shape[1]
    return out


def score(measures: pd.DataFrame, repeats: np.ndarray, config: RankingConfig) -> np.ndarray:
    """``100 x weighted mean of the components`` (see ``tasking.toml`` ``[ranking]``), 0-100.

    Components, each 0-1: harm now / the list's highest; max(z, 0) / trend_full_z capped
    at 1; hot periods / periods; repeat locations / the list's most.
    """
    harm = measures["harm_now"].to_numpy(float)
    parts = {
        "harm": harm / harm.max() if harm.max() > 0 else np.zeros(len(harm)),
        "trend": np.clip(np.nan_to_num(measures["z"].to_numpy(float)) / config.trend_full_z, 0.0, 1.0),
        "persistence": measures["hot_periods"].to_numpy(float) / measures["periods"].to_numpy(float),
        "repeat": repeats / repeats.max() if len(repeats) and repeats.max() > 0 else np.zeros(len(repeats)),
    }
    total = sum(config.weights.values())
    return 100.0 * sum(config.weights[k] * parts[k] for k in WEIGHT_NAMES) / total


# --- tasking ids ------------------------------------------------------------------------------

def tasking_ids(kind: str, places: _Places, profiles: pd.DataFrame, previous: TaskingList | None,
                min_overlap: float, card: MethodCard) -> list[str]:
    """Stable ids: the same place keeps its id from run to run.

    - An area: its code after ``W-``, ``L-`` or ``Z-`` (``"W-E05000425"``, ``"Z-NTE-BRX"``).
    - A hotspot: ``H-`` and the H3 resolution-9 cell of its busiest map point (most
      band-weighted incidents in the period; ties: lowest easting, then northing), e.g.
      ``"H-89194ad33cbffff"``. With ``previous``, a hotspot whose outline overlaps a
      previous hotspot's by at least ``min_overlap`` of the smaller outline keeps that id:
      pairs are matched greedily, largest overlap first (ties: the current hotspot with more
      incidents, then the previous one ranked higher), each id at most once. Two hotspots
      wanting one id: the one with more incidents (then harm) keeps it, the next gets
      ``-2``, ``-3``.
    """
    if kind != "hotspot":
        return [ID_PREFIX[kind] + code for code in places.keys]
    lon, lat = profiles["busiest_longitude"].to_numpy(float), profiles["busiest_latitude"].to_numpy(float)
    cells = h3_cells(lon, lat, [ID_H3_RESOLUTION])[f"h3_{ID_H3_RESOLUTION}"].astype("str").tolist()
    fresh = [ID_PREFIX["hotspot"] + c for c in cells]
    ids: list[str | None] = [None] * len(fresh)
    order = profiles["order"].to_numpy()  # 0 = most incidents
    inherited = 0
    if previous is not None and len(previous.frame):
        old = previous.frame[previous.frame["kind"].astype("str").eq("hotspot")]
        old_geoms = np.asarray(old.geometry.values, dtype=object)
        if len(old_geoms):
            cur_i, old_j = shapely.STRtree(old_geoms).query(places.geometry, predicate="intersects")
            inter = shapely.area(shapely.intersection(places.geometry[cur_i], old_geoms[old_j]))
            smaller = np.minimum(shapely.area(places.geometry[cur_i]), shapely.area(old_geoms[old_j]))
            share = np.where(smaller > 0, inter / np.where(smaller > 0, smaller, 1), 0.0)
            ok = share >= min_overlap
            old_rank = old["rank"].to_numpy()[old_j[ok]]
            pairs = np.lexsort((old_rank, order[cur_i[ok]], -np.round(share[ok], 9)))
            used: set[str] = set()
            old_ids = old["tasking_id"].astype("str").to_numpy()
            for k in pairs:  # one step per overlapping pair
                i, oid = cur_i[ok][k], old_ids[old_j[ok][k]]
                if ids[i] is None and oid not in used:
                    ids[i], inherited = oid, inherited + 1
                    used.add(oid)
    taken = {i for i in ids if i is not None}
    for i in np.argsort(order, kind="stable"):  # most incidents first keeps the plain id
        if ids[i] is None:
            candidate, n = fresh[i], 1
            while candidate in taken:
                n += 1
                candidate = f"{fresh[i]}-{n}"
            ids[i] = candidate
            taken.add(candidate)
    card.data["ids_inherited"] = inherited
    return [str(i) for i in ids]


# --- assembling the list ---------------------------------------------------------------------

def _frame(kind: str, places: _Places, measures: pd.DataFrame, profiles: pd.DataFrame, ids: list[str],
           config: RankingConfig) -> gpd.GeoDataFrame:
    geoms = places.geometry
    centroids = shapely.centroid(geoms)
    names = profiles["place_name"].tolist() if kind == "hotspot" else places.names
    repeats = profiles["repeat_locations"].to_numpy(np.int64)
    frame = pd.DataFrame({
        "rank": 0, "tasking_id": ids, "kind": kind, "place_name": names,
        "ward_code": profiles["ward_code"], "ward_name": profiles["ward_name"], "lsoa_code": profiles["lsoa_code"],
        "centroid_easting": shapely.get_x(centroids), "centroid_northing": shapely.get_y(centroids),
        "area_km2": shapely.area(geoms) / 1e6, "dominant_categories": profiles["dominant_categories"],
        "sensitive_share": profiles["sensitive_share"],
        **{c: measures[c] for c in ("count_now", "count_before", "change_pct", "z", "arrow", "harm_now",
                                    "persistence")},
        "repeat_locations": repeats,
        **{c: profiles[c] for c in ("peak_band", "peak_days", "peak_hours")},
        "score": score(measures, repeats, config), "explanation": "",
        "lead_agency": profiles["lead_agency"], "tactics": profiles["tactics"], "status": "new",
    })
    frame = frame.astype(TASKING_COLUMNS)[list(TASKING_COLUMNS)]
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=BNG_EPSG), crs=BNG_EPSG)


def _ranked(frame: gpd.GeoDataFrame, top: int | None) -> gpd.GeoDataFrame:
    """Sort by score (rounded to 1e-9 so float noise never decides), harm, then tasking id."""
    order = np.lexsort((frame["tasking_id"].to_numpy(dtype=object), -np.round(frame["harm_now"].to_numpy(), 9),
                        -np.round(frame["score"].to_numpy(), 9)))
    frame = frame.iloc[order]
    if top is not None:
        frame = frame.iloc[:top]
    frame["rank"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    return frame


def _status(ws, ids: list[str], review: ReviewPeriod, action_log: ActionLog | None, meeting_on,
            caveats: list[str]) -> pd.Series:
    """The status column: new, carried over, tasked last period: Done, ... (see :func:`status_text`)."""
    opened = None
    if action_log is None:
        if not (Path(ws.root) / DB_FILE).is_file():
            caveats.append("The workspace has no action log: every place is shown as new.")
            return pd.Series("new", index=range(len(ids)), dtype="str")
        action_log = opened = ActionLog.open(ws)
    try:
        before = meeting_on if meeting_on is not None else (review.end + pd.Timedelta(days=1)).date()
        states = action_log.last_status(ids, before=before)
        labels = {k: v["label"] for k, v in action_log.config.statuses.items()}
    finally:
        if opened is not None:
            opened.close()
    previous = review.shifted(-1).label
    return pd.Series([status_text(r, previous, labels=labels) for r in states.to_dict("records")], dtype="str")


def status_text(state: dict, previous_period: str, *, labels: dict[str, str] | None = None) -> str:
    """One row of :meth:`ActionLog.last_status` in words.

    ``"new"``; ``"carried over"`` (actions still open); ``"tasked last period: Done"`` (every
    action closed: the latest action's status label, never its free-text outcome);
    ``"listed last period, no action"``. "last period" becomes the meeting's period
    (``"tasked 2017-05: Done"``) when that was not the previous period.

    >>> status_text({"state": "actions closed", "last_period": "2017-06", "status": "done"}, "2017-06",
    ...             labels={"done": "Done"})
    'tasked last period: Done'
    >>> status_text({"state": "listed, no action", "last_period": "2017-W18"}, "2017-06")
    'listed 2017-05-01, no action'
    """
    kind = state.get("state")
    if kind in ("new", "carried over"):
        return kind
    last = _period_label(state.get("last_period"))
    when = "last period" if last == previous_period else (last or "before")
    if kind == "actions closed":
        status = state.get("status")
        label = (labels or {}).get(status, status) if isinstance(status, str) else ""
        return f"tasked {when}: {label}" if label else f"tasked {when}"
    if kind == "listed, no action":
        return f"listed {when}, no action"
    return str(kind)


def _period_label(text) -> str:
    """A meeting's period as a review-period label when it reads as one (else as written)."""
    if not isinstance(text, str):
        return ""
    try:
        return review_period(text).label
    except TaskingError:
        return text.strip()


# --- helpers ------------------------------------------------------------------------------

def _check_options(candidates, method, top, baseline_periods, categories, groups, sources, incidents, previous,
                   action_log) -> None:
    where = "build_tasking_list"
    if candidates not in CANDIDATE_KINDS:
        raise TaskingError(f"The 'candidates' parameter of {where} must be one of "
                           f"{', '.join(map(repr, CANDIDATE_KINDS))}. Got {candidates!r} instead.")
    if method not in RANK_METHODS:
        raise TaskingError(f"The 'method' parameter of {where} must be one of {', '.join(map(repr, RANK_METHODS))}. "
                           f"Got {method!r} instead.")
    for name, value in (("top", top), ("baseline_periods", baseline_periods)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"The '{name}' parameter of {where} must be an int. Got {value!r} instead.")
        if value < 1:
            raise TaskingError(f"The '{name}' parameter of {where} must be 1 or more. Got {value!r} instead.")
    for name, value in (("categories", categories), ("groups", groups), ("sources", sources)):
        if value is not None and (isinstance(value, str) or not all(isinstance(v, str) for v in value)):
            raise TypeError(f"The '{name}' parameter of {where} must be a list of str (e.g. [{value!r}]). "
                            f"Got {value!r} instead.")
    for name, value, kind in (("incidents", incidents, pd.DataFrame), ("previous", previous, TaskingList),
                              ("action_log", action_log, ActionLog)):
        if value is not None and not isinstance(value, kind):
            raise TypeError(f"The '{name}' parameter of {where} must be a {kind.__name__} or None. "
                            f"Got {type(value).__name__} instead.")


def _card(config: RankingConfig, review: ReviewPeriod, band: str, candidates: str, method: str, n_base: int,
          base_default: bool) -> MethodCard:
    card = MethodCard(CARD)
    default = config.path is None or config.path == Path(default_config_path("tasking.toml"))
    source = "tasking.toml [ranking] (packaged default)" if default else "tasking.toml [ranking] (the workspace's config)"
    card.choose("candidates", candidates, "given")
    card.choose("every", review.every, f"from the period's form ({review.label})")
    if candidates == "hotspot":
        card.choose("hotspot_method", method, "given")
    card.choose("baseline_periods", n_base, source if base_default else "given")
    for name in WEIGHT_NAMES:
        card.choose(f"weight_{name}", config.weights[name], f"{source}.weights")
    for name in ("trend_full_z", "hot_multiple", "repeat_min_incidents", "peak_cover", "inherit_overlap",
                 "disclosure_min_count"):
        card.choose(name, getattr(config, name), source)
    card.data.update(
        period=review.label, start=f"{review.start:%d/%m/%Y}", end=f"{review.end:%d/%m/%Y}", band=band,
        score="100 x (w_harm x harm/max harm + w_trend x min(max(z, 0)/trend_full_z, 1) + w_persistence x hot "
              "periods/periods + w_repeat x repeat locations/max) / sum of weights",
        baseline="mean per period over the baseline periods before the review period, same band and outline",
        change="Poisson z = 2(sqrt(now) - sqrt(baseline)); ▲ z >= 2, ▼ z <= -2, ► otherwise",
        hot="density >= hot_multiple x the study area's mean density that period, and at least 1 incident",
        ties="score, then harm now, then tasking_id",
        ids="areas: W-/L-/Z- + code; hotspots: H- + H3 res-9 cell of the busiest map point, or the id of a "
            "previous hotspot overlapping it by >= inherit_overlap of the smaller outline",
        listed_only="places with at least one incident (band-weighted) in the period")
    return card


def _study_km2(ws: Workspace, sel: _Selection) -> float:
    area = study_area(ws)
    if area is not None and area.area > 0:
        return float(area.area) / 1e6
    ux, uy = sel.points
    return max(float((ux.max() - ux.min()) * (uy.max() - uy.min())) / 1e6, 1e-6)


def _names(ws: Workspace, kind: str) -> dict[str, str]:
    names = sorted(n for n, m in ws.layers().items() if m["kind"] == kind)
    if not names:
        return {}
    layer = ws.read_layer(names[-1])
    return dict(zip(layer["code"].astype("str"), (layer["name"] if "name" in layer else layer["code"]).astype("str")))


def _tuple(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise TaskingError(f"{path.name}: not valid TOML ({err}); fix the line it names.") from err
