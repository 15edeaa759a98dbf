"""Reading what the ranking needs from a workspace: the edge between the files and the pure
ranking (:func:`hotspot_tasking.ranking.rank.rank`).

A request for one area (``TaskingRequest.area``) is listed as a partnership whose study area
is that area would list it on its own (:func:`area_reach`): the area's outline is the study
area, and the incidents are those its own workspace would have imported, within the import
margin (``margin_m``, 5 km by default, metres in EPSG:27700) of the outline's bounding box.
"""

from __future__ import annotations

import numpy as np
import shapely

from ..boundaries.roads import AREA_MARGIN_M, read_roads
from ..boundaries.study import STUDY_AREA_KINDS, latest_layer, study_area_of
from ..geo.area import DEFAULT_AREA_MARGIN_M, Area
from ..geo.workspace import Workspace
from ..ranking.config import RankingConfig
from ..ranking.errors import RankingError
from ..ranking.names import ROAD_NAME_WITHIN_M, RoadIndex
from ..ranking.request import RankingContext, TaskingRequest
from ..ranking.tactics import TacticMenu

#: Caveat of a hotspot list from a workspace with no ward or LSOA layer (its study area is
#: then the box round the incidents).
NO_AREA_LAYER = "no ward or LSOA layer: places have no ward; add one with 'hotspot-tasking boundaries add'."


def ranking_context(ws: Workspace, request: TaskingRequest) -> RankingContext:
    """The workspace's time bands, ``[ranking]``, tactics, and the area layers ``request`` needs.

    Layers read: the latest ward and LSOA layers (area codes, ward names, the study area)
    and, for area candidates, every layer of the candidates' kind and the request's layer.
    A request for one area (``request.area``) has that area's outline as its study area.

    Parameters
    ----------
    ws : Workspace
    request : TaskingRequest

    Returns
    -------
    RankingContext
    """
    stored = ws.layers()
    wanted = {latest_layer(stored, kind) for kind in STUDY_AREA_KINDS} - {None}
    if request.candidates != "hotspot":  # every layer of the kind, so a wrong name can be told the right ones
        wanted.update(n for n, meta in stored.items() if meta.get("kind") == request.candidates)
        wanted.add(request.layer)
    layers = {name: (stored[name]["kind"], ws.read_layer(name)) for name in sorted(wanted - {None}) if name in stored}
    area = study_area_of(layers) if request.area is None else area_outline(ws, request)
    return RankingContext(bands=ws.time_bands(), config=RankingConfig.load(ws.config_path("tasking.toml")),
                          tactics=TacticMenu.load(ws.config_path("tactics.toml")), layers=layers,
                          study_area=area, roads=road_index(ws, study_area=area))


def area_outline(ws: Workspace, request: TaskingRequest):
    """The outline of the request's one area (``request.area``: layer, code), EPSG:27700; None without one.

    Raises
    ------
    GeoError, RankingError
        The layer is not stored, or holds no area of that code.
    """
    if request.area is None:
        return None
    layer, code = request.area
    frame = ws.read_layer(layer)
    rows = frame[frame["code"].astype("str") == code]
    if not len(rows):
        raise RankingError(f"the area layer {layer!r} has no area coded {code!r}; "
                           "see 'hotspot-tasking boundaries list' for its areas.")
    return shapely.union_all(rows.geometry.values)


def area_reach(ws: Workspace, request: TaskingRequest) -> Area | None:
    """Where the incidents of a one-area request may lie: the box round the area's outline
    with the workspace's import margin (``Area.margin_m``; 5 km when the workspace has no
    area), as that area's own workspace would have imported them; None without ``request.area``.

    Use :func:`in_reach` to keep the records inside it.
    """
    outline = area_outline(ws, request)
    if outline is None:
        return None
    margin = ws.area.margin_m if ws.area is not None else DEFAULT_AREA_MARGIN_M
    return Area(*outline.bounds, margin_m=margin)


def in_reach(reach: Area, easting, northing) -> np.ndarray:
    """Per point (EPSG:27700 metres), True when it is no farther than the margin from the box:
    the import's own rule (a record farther is "far outside the workspace area")."""
    return np.nan_to_num(reach.distance_m(np.asarray(easting, float), np.asarray(northing, float)),
                         nan=0.0) <= reach.margin_m


def reach_box(reach: Area) -> tuple[float, float, float, float]:
    """The box (metres) holding every point :func:`in_reach` keeps, for a read's ``bbox``."""
    m = reach.margin_m
    return (reach.min_easting - m, reach.min_northing - m, reach.max_easting + m, reach.max_northing + m)


def road_index(ws: Workspace, *, study_area=None, within_m: float = ROAD_NAME_WITHIN_M) -> RoadIndex | None:
    """The workspace's named roads, prepared for naming places by their nearest road.

    Parameters
    ----------
    ws : Workspace
    study_area : shapely geometry, optional
        Only the links within :data:`~hotspot_tasking.boundaries.roads.AREA_MARGIN_M` (500 m)
        of its bounding box are indexed (EPSG:27700); None: every stored link.
    within_m : float, default=60
        Metres a road may be from a record's map point to name it.

    Returns
    -------
    RoadIndex or None
        None when the workspace has no roads layer, or none of its links has a name or number.
    """
    bbox = None
    if study_area is not None and not study_area.is_empty:
        minx, miny, maxx, maxy = study_area.bounds
        bbox = (minx - AREA_MARGIN_M, miny - AREA_MARGIN_M, maxx + AREA_MARGIN_M, maxy + AREA_MARGIN_M)
    return RoadIndex.from_frame(read_roads(ws, bbox=bbox), within_m=within_m)


def context_caveats(context: RankingContext) -> list[str]:
    """What a list ranked with ``context`` should be read with because of the workspace's layers.

    Parameters
    ----------
    context : RankingContext

    Returns
    -------
    list of str
        :data:`NO_AREA_LAYER` when the context has no ward or LSOA layer (hotspot places
        still rank, over the box round the incidents, but have no ward); else empty.

    Examples
    --------
    >>> from hotspot_tasking.geo.timebands import TimeBands
    >>> context_caveats(RankingContext(bands=TimeBands.load()))
    ["no ward or LSOA layer: places have no ward; add one with 'hotspot-tasking boundaries add'."]
    """
    if any(latest_layer(context.layers, kind) for kind in STUDY_AREA_KINDS):
        return []
    return [NO_AREA_LAYER]
