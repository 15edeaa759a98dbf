"""The candidate places of a tasking list and which selected incidents each holds.

Candidates are either the hotspot outlines found in the review period
(:func:`hotspot_places`, through :func:`~hotspot_tasking.hotspots.run.run_hotspots`) or the
areas of a ward, LSOA or zone layer (:func:`area_places`); both give a
:class:`CandidatePlaces` with (incident row, place) pairs over a
:class:`~.selection.ReviewSelection`. :func:`with_area_codes` gives the incidents their
ward and LSOA codes when the table loaded has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..boundaries.assign import assign_layer
from ..geo.workspace import Workspace
from ..hotspots.card import MethodCard
from ..hotspots.run import HotspotRequest, run_hotspots
from .errors import RankingError
from ..periods import ReviewPeriod

if TYPE_CHECKING:
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

    def take(self, keep: np.ndarray) -> "CandidatePlaces":
        """Only the places ``keep`` (positions, in that order), renumbered 0..len(keep)-1."""
        new = np.full(len(self.keys), -1)
        new[keep] = np.arange(len(keep))
        on = new[self.cand] >= 0
        return CandidatePlaces(self.kind, [self.keys[i] for i in keep], [self.names[i] for i in keep],
                               self.geometry[keep], self.row[on], new[self.cand[on]])


def hotspot_places(ws: Workspace, sel: ReviewSelection, review: ReviewPeriod, band: str, method: str,
                   categories: Sequence[str] | None, groups: Sequence[str] | None,
                   sources: Sequence[str] | None) -> tuple[CandidatePlaces, MethodCard]:
    """The hotspot outlines of the review period's selected incidents, and the method's card.

    Parameters
    ----------
    ws : Workspace
    sel : ReviewSelection
    review : ReviewPeriod
    band : str
        A band of the workspace's ``time_bands.toml``, or ``"all"``.
    method : {"kde", "dbscan"}
    categories, groups, sources : sequence of str or None
        The filters the selection used (recorded in the hotspot request).

    Returns
    -------
    (CandidatePlaces, MethodCard)
    """
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
    return CandidatePlaces("hotspot", [""] * len(geoms), [""] * len(geoms), geoms, row, cand), run.card


def area_places(ws: Workspace, sel: ReviewSelection, kind: str, layer: str | None) -> CandidatePlaces:
    """The areas of a layer of the workspace as candidates.

    Parameters
    ----------
    ws : Workspace
    sel : ReviewSelection
    kind : {"ward", "lsoa", "zone"}
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
    stored = ws.layers()
    if layer is not None:
        if stored.get(layer, {}).get("kind") != kind:
            raise RankingError(f"layer {layer!r} is not a {kind} layer of the workspace; choose one of "
                               f"{', '.join(n for n, m in stored.items() if m['kind'] == kind) or '(none)'}.")
        names = [layer]
    else:
        names = sorted(n for n, m in stored.items() if m["kind"] == kind)
        if kind != "zone":
            names = names[-1:]
    if not names:
        raise RankingError(f"the workspace has no {kind} layer; add one with 'hotspot-tasking boundaries add', "
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
        raise RankingError(f"zone layers {', '.join(names)} share area codes, which would give two places one "
                           "tasking id; rank one layer at a time (layer=...).")
    return CandidatePlaces(kind, keys, labels, np.concatenate(geoms), np.concatenate(rows), np.concatenate(cands))


def with_area_codes(ws: Workspace, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``ward_code`` and ``lsoa_code`` (computed from the latest layers when missing).

    Parameters
    ----------
    ws : Workspace
        Gives the latest ward and LSOA layers ("" codes when it has none).
    frame : pandas.DataFrame
        Incidents with ``easting`` and ``northing``. Not modified.

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself when it has both columns, else a copy with them added.
    """
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


def _tuple(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)
