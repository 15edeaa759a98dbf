"""Ranked tasking lists: which places a joint action group should discuss first, and why.

:func:`build_tasking_list` takes a review period (a month ``"2017-07"`` or the week from a
Monday ``"2017-07-03"``, :mod:`.periods`) and a time band, selects the incidents of the
period and its baseline (:mod:`.selection`), finds the candidate places (hotspot outlines of
that period, or the areas of a ward, LSOA or zone layer: :mod:`.candidates`) and, per place,
measures:

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
  tactics (:mod:`.tactics`), place name (:func:`.profile.profiles`) and status from the
  action log (:func:`.status.status_column`);
- ``score``: the weighted sum of ``tasking.toml`` ``[ranking]`` (:mod:`.ranking_config`:
  harm, trend, persistence, repeat locations; that file gives the formula and why each
  weight);

and ranks by score (ties: more harm, then ``tasking_id``). Every row's score is put in words
by :func:`.explain.explain`. The rules for tasking ids are in :func:`.ids.tasking_ids`.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Literal, Sequence, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..boundaries.stats import percent_change, poisson_z
from ..boundaries.store import incidents_with_areas, study_area
from ..geo.schema import BNG_EPSG
from ..geo.taxonomy import default_config_path
from ..geo.workspace import Workspace
from ..hotspots.bands import ALL_TIMES
from ..hotspots.card import MethodCard
from ..hotspots.persistence import flag_thin_periods, persistence
from ..actions.log import ActionLog
from .candidates import CandidatePlaces, area_places, hotspot_places, with_area_codes
from .errors import RankingError
from .explain import explain
from .ids import tasking_ids
from ..periods import Every, ReviewPeriod, review_period
from .profile import profiles
from .config import WEIGHT_NAMES, RankingConfig
from .schema import CANDIDATE_KINDS, TASKING_COLUMNS, CandidateKind, TaskingList, empty_tasking_frame
from .selection import ReviewSelection, select_review_incidents, selection_caveats
from ..actions.status import status_column
from .tactics import TacticMenu

log = logging.getLogger(__name__)

RankMethod = Literal["kde", "dbscan"]
RANK_METHODS: tuple[str, ...] = get_args(RankMethod)
CARD = "tasking-rank"


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
    RankingError
        A bad period or option, or no incidents in the period.
    """
    _check_options(candidates, method, top, baseline_periods, categories, groups, sources, incidents, previous,
                   action_log)
    config = RankingConfig.load(ws.config_path("tasking.toml"))
    n_base = config.baseline_periods if baseline_periods is None else baseline_periods
    review = review_period(period, every)
    bands = ws.time_bands()
    band_label = "All times" if band == ALL_TIMES else bands.band(band).label
    card = _card(config, review, band, candidates, method, n_base, baseline_periods is None)
    table = incidents_with_areas(ws) if incidents is None else incidents
    sel = select_review_incidents(table, review, n_base, band, bands, categories, groups, sources)
    sel.frame = with_area_codes(ws, sel.frame)
    caveats = selection_caveats(sel, review, band_label, n_base)
    cards = [card]
    if candidates == "hotspot":
        places, run_card = hotspot_places(ws, sel, review, band, method, categories, groups, sources)
        cards.append(run_card)
    else:
        places = area_places(ws, sel, candidates, layer)
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
    frame["status"] = status_column(ws, frame["tasking_id"].tolist(), review, action_log, meeting_on, caveats)
    frame = _ranked(frame, top)
    details = pd.DataFrame({"baseline_periods": sel.periods - 1, "hot_periods": measures["hot_periods"],
                            "periods": measures["periods"], "peak_share": about["peak_share"]}).iloc[frame.index]
    rows = pd.concat([frame.reset_index(drop=True), details.reset_index(drop=True)], axis=1)
    frame["explanation"] = pd.Series([explain(r, every=review.every) for r in rows.to_dict("records")],
                                     index=frame.index, dtype="str")
    frame = frame.reset_index(drop=True)
    card.data["listed"] = len(frame)
    return TaskingList(frame, review.label, band, cards, caveats, sel.sources)


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


# --- assembling the list ---------------------------------------------------------------------

def _frame(kind: str, places: CandidatePlaces, measures: pd.DataFrame, profiles: pd.DataFrame, ids: list[str],
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


# --- helpers ------------------------------------------------------------------------------

def _check_options(candidates, method, top, baseline_periods, categories, groups, sources, incidents, previous,
                   action_log) -> None:
    where = "build_tasking_list"
    if candidates not in CANDIDATE_KINDS:
        raise RankingError(f"The 'candidates' parameter of {where} must be one of "
                           f"{', '.join(map(repr, CANDIDATE_KINDS))}. Got {candidates!r} instead.")
    if method not in RANK_METHODS:
        raise RankingError(f"The 'method' parameter of {where} must be one of {', '.join(map(repr, RANK_METHODS))}. "
                           f"Got {method!r} instead.")
    for name, value in (("top", top), ("baseline_periods", baseline_periods)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"The '{name}' parameter of {where} must be an int. Got {value!r} instead.")
        if value < 1:
            raise RankingError(f"The '{name}' parameter of {where} must be 1 or more. Got {value!r} instead.")
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


def _study_km2(ws: Workspace, sel: ReviewSelection) -> float:
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
