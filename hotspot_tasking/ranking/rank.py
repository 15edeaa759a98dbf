"""Ranked tasking lists: which places a joint action group should discuss first, and why.

:func:`rank` takes the incidents, a :class:`~.request.TaskingRequest` (a review period: a
month ``"2017-07"`` or the week from a Monday ``"2017-07-03"``, and a time band) and a
:class:`~.request.RankingContext` (time bands, ``[ranking]``, tactics, area layers, the
study area), selects the incidents of the period and its baseline (:mod:`.selection`),
finds the candidate places (hotspot outlines of that period, or the areas of a ward, LSOA
or zone layer: :mod:`.candidates`) and, per place, measures:

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
  tactics (:mod:`.tactics`) (:func:`.profile.profiles`) and place name (:mod:`.names`:
  street words over the baseline and review period, kept while the place keeps its id);
- ``score``: the weighted sum of ``tasking.toml`` ``[ranking]`` (:mod:`.config`: harm,
  trend, persistence, repeat locations; that file gives the formula and why each weight);

and ranks by score (ties: more harm, then ``tasking_id``). Every row's score is put in words
by :func:`.explain.explain`. The rules for tasking ids are in :func:`.ids.tasking_ids`.
Pure: no file or database is read; ``status`` is "new" until the pipeline fills it from
the action log (:func:`hotspot_tasking.pipeline.tasking.with_status`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..boundaries.stats import percent_change, poisson_z
from ..geo.schema import BNG_EPSG
from ..geo.taxonomy import default_config_path
from ..hotspots.bands import untimed_band_sentence
from ..hotspots.card import MethodCard
from ..hotspots.persistence import flag_thin_periods, persistence
from ..labels import ALL_TIMES, ALL_TIMES_LABEL
from ..periods import ReviewPeriod, review_period
from ..validation import check_frame, check_type
from .candidates import (
    CandidatePlaces,
    area_places,
    counts_per_period,
    hotspot_places,
    members_all,
    members_now,
    with_area_codes,
)
from .config import WEIGHT_NAMES, RankingConfig
from .explain import explain, hotspot_groups, too_few
from .ids import tasking_ids
from .micro import history_periods, surface_places
from .names import keep_names
from .profile import profiles
from .request import RankingContext, TaskingRequest
from .schema import TASKING_COLUMNS, TaskingList, empty_tasking_frame
from .selection import select_review_incidents, selection_caveats

log = logging.getLogger(__name__)

CARD = "tasking-rank"


def rank(incidents: pd.DataFrame, request: TaskingRequest, context: RankingContext, *,
         previous: TaskingList | None = None) -> TaskingList:
    """Rank the places of a review period and time band for a tasking meeting.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incident table, as
        :func:`~hotspot_tasking.boundaries.store.incidents_with_areas` gives it (ward and
        LSOA codes missing from it are computed from ``context.layers``). Not modified.
    request : TaskingRequest
        The period, band, places, method and filters.
    context : RankingContext
        Time bands, ``[ranking]``, tactics, the area layers and the study area.
    previous : TaskingList, optional
        The last list: hotspots overlapping one of its hotspots keep its id.

    Returns
    -------
    TaskingList
        ``frame`` has :data:`~.schema.TASKING_COLUMNS` and the outlines, ranked 1..n, with
        ``status`` "new"; the ``cards`` the ranking's method card, the hotspot method's and
        the persistence card.

    Raises
    ------
    RankingError
        A bad period or layer, or no incidents in the period.
    """
    where = "rank"
    check_frame(incidents, "incidents", where)
    check_type(request, "request", where, TaskingRequest, type_name="a TaskingRequest")
    check_type(context, "context", where, RankingContext, type_name="a RankingContext")
    check_type(previous, "previous", where, TaskingList, type_name="a TaskingList", optional=True)
    config = context.config
    n_base = config.baseline_periods if request.baseline_periods is None else request.baseline_periods
    review = review_period(request.period)
    bands = context.bands
    band = request.band
    band_label = ALL_TIMES_LABEL if band == ALL_TIMES else bands.band(band).label
    card = _card(config, review, request, n_base)
    on_surface = request.candidates == "hotspot"
    n_long = max(n_base, history_periods(config)) if on_surface else n_base
    long = select_review_incidents(incidents, review, n_long, band, bands, request.categories, request.groups,
                                   request.sources)
    sel = long.last(n_base + 1)
    sel.frame = with_area_codes(sel.frame, context)
    now = sel.pos == sel.periods - 1
    if band != ALL_TIMES and not (sel.weight[now] > 0).any():  # month-only records: nothing falls in an hour band
        caveats = [untimed_band_sentence(sel.frame.iloc[np.flatnonzero(now)], band_label),
                   *selection_caveats(sel, review, band_label, n_base, untimed=False)]
        return TaskingList(empty_tasking_frame(), review.label, band, [card], caveats, sel.sources)
    caveats = selection_caveats(sel, review, band_label, n_base, timed_share=band == ALL_TIMES)
    cards = [card]
    hot = group = None
    if on_surface:
        within = None
        if request.method != "surface":  # DBSCAN's clusters, split on the same surface
            found_outlines, run_card = hotspot_places(sel, review, request, context)
            within = found_outlines.geometry
            cards.append(run_card)
            if not len(within):  # why there is nothing to list
                caveats += run_card.warnings
        found = surface_places(long, sel, review, request, context, within=within)
        places, hot, group = found.places, found.hot, found.group
        cards += found.cards
    else:
        places = area_places(sel, request.candidates, context, request.layer)
    counts, harms = counts_per_period(sel, places)
    keep = np.flatnonzero(counts[:, -1] > 0)
    base = sel.covered[:-1]  # the baseline periods holding data
    card.data.update(incidents_now=int((sel.pos == sel.periods - 1).sum()), candidates_found=len(places.keys),
                     candidates_with_incidents=len(keep),
                     incidents_now_band_weighted=round(float(sel.totals[-1]), 2),
                     baseline_mean_band_weighted=round(float(sel.totals[:-1][base].mean()), 2) if base.any() else None)
    thin = len(card.warnings)
    flag_thin_periods(card, sel.totals[sel.covered], [lab for lab, c in zip(sel.labels, sel.covered) if c])
    caveats += card.warnings[thin:]
    if not len(keep):
        return TaskingList(empty_tasking_frame(), review.label, band, cards, caveats, sel.sources)
    places = places.take(keep)
    counts, harms = counts[keep], harms[keep]
    study_km2 = _study_km2(context, sel)
    measures = _measures(counts, harms, places.area_km2, sel.totals, study_km2, config, sel.labels, cards,
                         hot=None if hot is None else hot[keep], covered=sel.covered)
    about = profiles(members_now(sel, places), len(places.keys), bands=bands, band=band, config=config,
                     menu=context.tactics, ward_names=context.names("ward"),
                     named_from=members_all(sel, places) if request.candidates == "hotspot" else None,
                     roads=context.roads)
    ids = tasking_ids(request.candidates, places, about, previous, config.inherit_overlap, card)
    if request.candidates == "hotspot":
        about["place_name"] = keep_names(ids, about["place_name"].tolist(), previous)
    frame = _frame(request.candidates, places, measures, about, ids, config)
    if group is not None:
        frame["hotspot_group"] = hotspot_groups(group[keep], frame["place_name"].to_numpy(dtype=object),
                                                frame["count_now"].to_numpy(float))
    frame = _ranked(frame, request.top)
    if request.top is not None and len(frame) < request.top:
        caveats.append(too_few(len(frame), request, review, band_label, config))
    details = pd.DataFrame({"baseline_periods": sel.baseline_covered, "hot_periods": measures["hot_periods"],
                            "periods": measures["periods"], "peak_share": about["peak_share"]}).iloc[frame.index]
    rows = pd.concat([frame.reset_index(drop=True), details.reset_index(drop=True)], axis=1)
    frame["explanation"] = pd.Series([explain(r, every=review.every) for r in rows.to_dict("records")],
                                     index=frame.index, dtype="str")
    frame = frame.reset_index(drop=True)
    card.data["listed"] = len(frame)
    return TaskingList(frame, review.label, band, cards, caveats, sel.sources)


# --- measures and score ----------------------------------------------------------------------

def _measures(counts: np.ndarray, harms: np.ndarray, area_km2: np.ndarray, totals: np.ndarray, study_km2: float,
              config: RankingConfig, labels: list[str], cards: list[MethodCard], *,
              hot: np.ndarray | None = None, covered: np.ndarray | None = None) -> pd.DataFrame:
    """Counts, baseline, change, z, arrow, hot periods, persistence class and score components.

    ``hot`` (places x periods) gives the hot flags (hotspot places: from the list's own
    surface); without it a place is hot when its density is at least ``hot_multiple`` times
    the study area's mean that period. Only the periods ``covered`` (default all) count:
    a period without data is missing from the baseline and the persistence, not a zero.
    """
    covered = np.ones(counts.shape[1], bool) if covered is None else np.asarray(covered, bool)
    now, harm_now = counts[:, -1], harms[:, -1]
    base = covered[:-1]
    before = counts[:, :-1][:, base].mean(axis=1) if base.any() else np.full(len(now), np.nan)
    out = pd.DataFrame({"count_now": now, "harm_now": harm_now, "count_before": before})
    out["change_pct"] = percent_change(out["count_now"], out["count_before"])
    out["z"] = poisson_z(out["count_now"], out["count_before"])
    out["arrow"] = np.select([out["z"] >= 2, out["z"] <= -2], ["▲", "▼"], "►")
    mean_density = totals / study_km2
    with np.errstate(divide="ignore", invalid="ignore"):
        density = counts / area_km2[:, None]
    if hot is None:
        hot = (counts > 0) & ((area_km2[:, None] <= 0) | (density >= config.hot_multiple * mean_density))
    hot = hot[:, covered]
    if hot.shape[1] >= 2:
        kept = [label for label, c in zip(labels, covered) if c]
        result = persistence(pd.DataFrame(hot, columns=pd.Index(kept, dtype="str")))
        cards.append(result.card)
        out["persistence"] = result.frame["class"].to_numpy()
    else:
        out["persistence"] = np.where(hot[:, -1], "new", "never")
    out["hot_periods"] = hot.sum(axis=1)
    out["periods"] = hot.shape[1]
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
        "area_km2": shapely.area(geoms) / 1e6, "hotspot_group": "",
        "dominant_categories": profiles["dominant_categories"],
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

def _card(config: RankingConfig, review: ReviewPeriod, request: TaskingRequest, n_base: int) -> MethodCard:
    card = MethodCard(CARD)
    default = config.path is None or Path(config.path) == Path(default_config_path("tasking.toml"))
    source = ("tasking.toml [ranking] (packaged default)" if default
              else "tasking.toml [ranking] (the workspace's config)")
    candidates = request.candidates
    card.choose("candidates", candidates, "given")
    card.choose("every", review.every, f"from the period's form ({review.label})")
    if candidates == "hotspot":
        card.choose("hotspot_method", request.method, "given")
    card.choose("baseline_periods", n_base, source if request.baseline_periods is None else "given")
    for name in WEIGHT_NAMES:
        card.choose(f"weight_{name}", config.weights[name], f"{source}.weights")
    for name in ("trend_full_z", "hot_multiple", "repeat_min_incidents", "peak_cover", "inherit_overlap",
                 "disclosure_min_count"):
        card.choose(name, getattr(config, name), source)
    card.data.update(
        period=review.label, start=f"{review.start:%d/%m/%Y}", end=f"{review.end:%d/%m/%Y}", band=request.band,
        score="100 x (w_harm x harm/max harm + w_trend x min(max(z, 0)/trend_full_z, 1) + w_persistence x hot "
              "periods/periods + w_repeat x repeat locations/max) / sum of weights",
        baseline="mean per period over the baseline periods before the review period that hold data (every "
                 "source of the review period reported), same band and outline; periods without data are left out",
        change="Poisson z = 2(sqrt(now) - sqrt(baseline)); ▲ z >= 2, ▼ z <= -2, ► otherwise",
        hot=("one of the place's cells among the hottest hot_coverage of the study area's cells on the list's "
             "surface that period" if request.candidates == "hotspot" and request.method == "surface" else
             "density >= hot_multiple x the study area's mean density that period, and at least 1 incident"),
        ties="score, then harm now, then tasking_id",
        ids="areas: W-/L-/Z- + code; hotspots: H- + H3 res-9 cell of the busiest map point, or the id of a "
            "previous hotspot overlapping it by >= inherit_overlap of the smaller outline",
        listed_only="places with at least one incident (band-weighted) in the period")
    return card


def _study_km2(context: RankingContext, sel) -> float:
    """The study area in km² (else the box round the selected map points)."""
    area = context.study_area
    if area is not None and area.area > 0:
        return float(area.area) / 1e6
    ux, uy = sel.points
    return max(float((ux.max() - ux.min()) * (uy.max() - uy.min())) / 1e6, 1e-6)
