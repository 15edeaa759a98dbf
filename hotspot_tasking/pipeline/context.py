"""Reading what the ranking needs from a workspace: the edge between the files and the pure
ranking (:func:`hotspot_tasking.ranking.rank.rank`).
"""

from __future__ import annotations

from ..boundaries.roads import AREA_MARGIN_M, read_roads
from ..boundaries.study import STUDY_AREA_KINDS, latest_layer, study_area_of
from ..geo.workspace import Workspace
from ..ranking.config import RankingConfig
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
    area = study_area_of(layers)
    return RankingContext(bands=ws.time_bands(), config=RankingConfig.load(ws.config_path("tasking.toml")),
                          tactics=TacticMenu.load(ws.config_path("tactics.toml")), layers=layers,
                          study_area=area, roads=road_index(ws, study_area=area))


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
