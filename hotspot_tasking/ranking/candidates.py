"""The candidate places of a tasking list and which selected incidents each holds.

Candidates are either the hotspot outlines found in the review period
(:func:`hotspot_places`, through :func:`~hotspot_tasking.hotspots.run.analyse`) or the
areas of a ward, LSOA or zone layer (:func:`area_places`); both give a
:class:`CandidatePlaces` with (incident row, place) pairs over a
:class:`~.selection.ReviewSelection`. :func:`counts_per_period` and :func:`members_now`
count and list each place's incidents; :func:`with_area_codes` gives the incidents their
ward and LSOA codes when the table loaded has none.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..boundaries.assign import assign_layer
from ..hotspots.card import MethodCard
from ..hotspots.run import HotspotRequest, analyse
from ..periods import ReviewPeriod
from .errors import RankingError
from .profile import Members
from .request import RankingContext, TaskingRequest
from .selection import ReviewSelection


@dataclass
class CandidatePlaces:
    """Candidate places and which incidents (rows of the selection) each holds.

    Attributes
    ----------
    kind : str
        hotspot, ward, lsoa or zone.
    keys : list of str
        Per place: its area code ("" for hotspots).
    names : list of str
        Per place: its area name ("" for hotspots).
    geometry : numpy.ndarray
        Per place: its shapely outline, EPSG:27700.
    row, cand : numpy.ndarray of int
        (row, cand) pairs: an incident row of the selection and the place (index) holding it.
    """

    kind: str
    keys: list[str]
    names: list[str]
    geometry: np.ndarray
    row: np.ndarray
    cand: np.ndarray

    @property
    def area_km2(self) -> np.ndarray:
        """Per place: its area in km²."""
        return shapely.area(self.geometry) / 1e6

    def take(self, keep: np.ndarray) -> CandidatePlaces:
        """Only the places ``keep`` (positions, in that order), renumbered 0..len(keep)-1."""
        new = np.full(len(self.keys), -1)
        new[keep] = np.arange(len(keep))
        on = new[self.cand] >= 0
        return CandidatePlaces(self.kind, [self.keys[i] for i in keep], [self.names[i] for i in keep],
                               self.geometry[keep], self.row[on], new[self.cand[on]])


def counts_per_period(sel: ReviewSelection, places: CandidatePlaces) -> tuple[np.ndarray, np.ndarray]:
    """``(count, harm)`` arrays of places x periods (band-weighted incidents, and harm)."""
    n = len(places.keys) * sel.periods
    slot = places.cand * sel.periods + sel.pos[places.row]
    counts = np.bincount(slot, weights=sel.weight[places.row], minlength=n).reshape(-1, sel.periods)
    harms = np.bincount(slot, weights=sel.harm[places.row], minlength=n).reshape(-1, sel.periods)
    return counts, harms


def members_now(sel: ReviewSelection, places: CandidatePlaces) -> Members:
    """The review period's (place, incident) pairs with weight, for :func:`.profile.profiles`."""
    on = (sel.pos[places.row] == sel.periods - 1) & (sel.weight[places.row] > 0)
    rows, cand = places.row[on], places.cand[on]
    return Members(sel.frame, rows, cand, sel.weight[rows], sel.harm[rows], sel.inverse, sel.points, places.kind,
                   places.keys)


def members_all(sel: ReviewSelection, places: CandidatePlaces) -> Members:
    """Every (place, incident) pair of the selection (baseline and review periods) with weight.

    What :func:`.profile.profiles` names places from (``named_from``), so one month's
    records do not rename a place.
    """
    on = sel.weight[places.row] > 0
    rows, cand = places.row[on], places.cand[on]
    return Members(sel.frame, rows, cand, sel.weight[rows], sel.harm[rows], sel.inverse, sel.points, places.kind,
                   places.keys)


def hotspot_places(sel: ReviewSelection, review: ReviewPeriod, request: TaskingRequest,
                   context: RankingContext) -> tuple[CandidatePlaces, MethodCard]:
    """The hotspot outlines of the review period's selected incidents, and the method's card.

    Parameters
    ----------
    sel : ReviewSelection
    review : ReviewPeriod
    request : TaskingRequest
        Its band, method, method parameters and filters (recorded in the hotspot request).
    context : RankingContext
        The time bands and the study area.

    Returns
    -------
    (CandidatePlaces, MethodCard)
    """
    hotspots = HotspotRequest(method=request.method, band=request.band, categories=request.categories,
                              groups=request.groups, sources=request.sources, start=review.start.strftime("%Y-%m-%d"),
                              end=review.end.strftime("%Y-%m-%d"), cell_size_m=request.cell_size_m,
                              bandwidth_m=request.bandwidth_m, eps_m=request.eps_m, min_samples=request.min_samples)
    now = sel.frame.iloc[np.flatnonzero(sel.pos == sel.periods - 1)]
    run = analyse(hotspots, now, bands=context.bands, study_area=context.study_area)
    geoms = np.asarray(run.layers["hotspots"].geometry.values, dtype=object)
    ux, uy = sel.points
    point, cand = shapely.STRtree(geoms).query(shapely.points(ux, uy), predicate="intersects") \
        if len(geoms) else (np.empty(0, np.int64), np.empty(0, np.int64))
    row, cand = _expand(sel.inverse, point, cand)
    return CandidatePlaces("hotspot", [""] * len(geoms), [""] * len(geoms), geoms, row, cand), run.card


def area_places(sel: ReviewSelection, kind: str, context: RankingContext, layer: str | None) -> CandidatePlaces:
    """The areas of a layer as candidates.

    Parameters
    ----------
    sel : ReviewSelection
    kind : {"ward", "lsoa", "zone"}
    context : RankingContext
        Its ``layers`` hold the layer(s).
    layer : str or None
        The layer; default the latest layer of ``kind`` (every zone layer for zones).

    Returns
    -------
    CandidatePlaces
        Areas in code order, layer by layer.

    Raises
    ------
    RankingError
        ``layer`` is not a layer of that kind, there is none, or zone layers share codes.
    """
    stored = context.layers
    if layer is not None:
        if stored.get(layer, ("",))[0] != kind:
            raise RankingError(f"layer {layer!r} is not a {kind} layer of the workspace; choose one of "
                               f"{', '.join(n for n, (k, _) in stored.items() if k == kind) or '(none)'}.")
        names = [layer]
    else:
        names = sorted(n for n, (k, _) in stored.items() if k == kind)
        if kind != "zone":
            names = names[-1:]
    if not names:
        raise RankingError(f"the workspace has no {kind} layer; add one with 'hotspot-tasking boundaries add', "
                           "or rank hotspots.")
    keys, labels, geoms, rows, cands = [], [], [], [], []
    for name in names:  # one step per layer
        frame = stored[name][1].sort_values("code", kind="stable")
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
        raise RankingError(f"zone layers {', '.join(names)} share area codes, which would give two places one "
                           "tasking id; rank one layer at a time (layer=...).")
    return CandidatePlaces(kind, keys, labels, np.concatenate(geoms), np.concatenate(rows), np.concatenate(cands))


def with_area_codes(frame: pd.DataFrame, context: RankingContext) -> pd.DataFrame:
    """``frame`` with ``ward_code`` and ``lsoa_code`` (computed from the latest layers when missing).

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents with ``easting`` and ``northing``. Not modified.
    context : RankingContext
        Gives the latest ward and LSOA layers ("" codes when it has none).

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself when it has both columns, else a copy with them added.
    """
    missing = [c for c in ("ward_code", "lsoa_code") if c not in frame.columns]
    if not missing:
        return frame
    out = frame.copy()
    e, n = frame["easting"].to_numpy(float), frame["northing"].to_numpy(float)
    for column in missing:  # at most two
        name = context.latest(column.removesuffix("_code"))
        codes = assign_layer(e, n, context.layers[name][1], partition=True) if name else np.full(len(out), "")
        out[column] = pd.Series(codes, index=out.index, dtype="str")
    return out


def _codes(sel: ReviewSelection, name: str, layer: gpd.GeoDataFrame, kind: str) -> np.ndarray:
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
