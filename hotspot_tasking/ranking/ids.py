"""Tasking ids: stable names for places, so the same place keeps its id from run to run.

An area's id is its code after a prefix (:data:`ID_PREFIX`); a hotspot's is ``H-`` and
the H3 cell (:data:`ID_H3_RESOLUTION`) of its busiest map point, unless it overlaps a
hotspot of the previous list enough to inherit that one's id. The rules are in
:func:`tasking_ids`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from ..geo.h3cells import h3_cells
from ..hotspots.card import MethodCard
from .candidates import CandidatePlaces
from .schema import TaskingList

#: Tasking id prefixes: the area code follows (``W-E05000425``); a hotspot's H3 cell follows ``H-``.
ID_PREFIX = {"hotspot": "H-", "ward": "W-", "lsoa": "L-", "zone": "Z-"}
#: H3 resolution of hotspot ids (about 0.1 km² cells, 174 m edge).
ID_H3_RESOLUTION = 9


def tasking_ids(kind: str, places: CandidatePlaces, profiles: pd.DataFrame, previous: TaskingList | None,
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

    Parameters
    ----------
    kind : {"hotspot", "ward", "lsoa", "zone"}
    places : CandidatePlaces
        The places listed (their codes, or their outlines for hotspots).
    profiles : pandas.DataFrame
        Per place, :func:`.profile.profiles`' ``busiest_longitude``, ``busiest_latitude``
        and ``order`` (hotspots only).
    previous : TaskingList or None
        The last list, whose hotspots' ids may be inherited.
    min_overlap : float
        Share (0-1] of the smaller outline two hotspots must share.
    card : MethodCard
        Gets ``ids_inherited`` (hotspots only).

    Returns
    -------
    list of str
        Per place, its tasking id.
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
