"""The weekly review's, the explorer's and the patrol plan's maps (pydeck), cached per request.

Each map draws its streets (:mod:`.streetmap`: the roads layer's lines, and street names
from the roads or the records) and needs no basemap; ``tile_style`` (None: no basemap, and no
request for one) lays the workspace's configured basemap under it when the sidebar asks.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pydeck as pdk
import shapely
import streamlit as st

from ..boundaries.roads import read_roads
from ..boundaries.study import latest_layer
from ..geo.workspace import Workspace
from ..hotspots.run import HotspotRequest
from ..labels import NUMBERED_RANKS, TREND_EDGES, TREND_STYLE
from ..pipeline.exports import map_streets
from ..pipeline.patrol import PatrolRequest
from ..ranking.request import TaskingRequest
from ..reports.setting import MapSetting
from .cache import explorer_hotspots, hotspot_run, layer, map_boundaries, request_streets
from .legend import draw_legend, explorer_caption, explorer_keys, patrol_keys, review_keys
from .maps import boundary_layers, deck, density_layer, geojson, hotspot_layers, outline_layer, rgb
from .patrol_cache import patrol
from .streetmap import (
    ScreenFrame,
    disc_shapes,
    marker_layers,
    spread_points,
    street_layers,
)
from .style import CATEGORICAL
from .tasking_cache import ranked_list

#: The charts' sizes the maps are framed for, pixels (width, height): their columns' widths on a
#: 1366 px wide screen (the meeting room's), their heights as drawn; a wider screen adds margin.
REVIEW_PX, EXPLORER_PX, PATROL_PX = (372, 458), (980, 560), (330, 380)
#: The review's markers ("12▲": the rank and the trend) and the patrol plan's ("3"): radius and font size, pixels.
REVIEW_MARKER, PATROL_MARKER = (14, 12), (11, 13)
#: Focus areas round the places, metres: the streets nearest them are named first.
NEAR_M = 150.0


@st.cache_resource(show_spinner=False, max_entries=4)
def _wards(path: str, version: str) -> gpd.GeoDataFrame | None:
    """The latest ward layer, simplified to 5 m for the screen (a quarter of the bytes to send)."""
    name = latest_layer(Workspace.open(path).layers(), "ward")
    if name is None:
        return None
    wards = layer(path, version, name)
    return wards.set_geometry(wards.geometry.simplify(5.0))


@st.cache_resource(show_spinner=False, max_entries=4)
def map_roads(path: str, version: str) -> gpd.GeoDataFrame | None:
    """The workspace's roads layer (None without one); shared, read-only."""
    return read_roads(Workspace.open(path))


@st.cache_resource(show_spinner=False, max_entries=4)
def _record_streets(path: str, data_version: str) -> pd.DataFrame:
    return map_streets(Workspace.open(path))


def record_streets(path: str) -> pd.DataFrame:
    """The street names the workspace's records carry, per map point
    (:func:`hotspot_tasking.pipeline.exports.map_streets`), cached on its data version; shared, read-only."""
    return _record_streets(path, Workspace.open(path).data_version)


def workspace_streets(path: str, version: str, frame: ScreenFrame, *, focus=(), avoid=None) -> list[pdk.Layer]:
    """:func:`.streetmap.street_layers` of the workspace's roads layer and its records' streets."""
    return street_layers(frame, roads=map_roads(path, version), streets=record_streets(path), focus=focus,
                         avoid=avoid)


@st.cache_resource(show_spinner=False, max_entries=16)
def _review_layers(path: str, version: str, request: TaskingRequest) -> tuple[pd.DataFrame, tuple[pdk.Layer, ...],
                                                                              tuple[float, ...], ScreenFrame]:
    """The review map's places (rank, id, marker text, WGS84 point), the layers that do not
    change with the selected row (roads, wards, places, street names), the bounds to frame
    and the frame; shared, read-only: a new selection adds a few small layers, not the whole map."""
    frame = ranked_list(path, version, request).frame
    shown = gpd.GeoDataFrame(frame[["rank", "tasking_id", "place_name", "arrow", "count_now", "peak_hours"]].assign(
        fill=[rgb(TREND_STYLE[a][0], 140) for a in frame["arrow"]],
        line=[rgb(TREND_EDGES[TREND_STYLE[a][0]]) for a in frame["arrow"]], count_now=frame["count_now"].round(1)),
        geometry=frame.geometry, crs=frame.crs)
    wards = _wards(path, version)
    bounds = tuple(wards.total_bounds) if wards is not None else tuple(frame.total_bounds)
    view = ScreenFrame.for_bounds(bounds, width_px=REVIEW_PX[0], height_px=REVIEW_PX[1])
    points = shown.representative_point()
    lonlat = points.to_crs(4326)
    places = pd.DataFrame({"rank": shown["rank"].to_numpy(), "tasking_id": shown["tasking_id"].to_numpy(),
                           "label": shown["rank"].astype(str).to_numpy() + shown["arrow"].astype(str).to_numpy(),
                           "lon": lonlat.x.to_numpy(), "lat": lonlat.y.to_numpy()})
    first = places[places["rank"] <= NUMBERED_RANKS]
    markers = spread_points(first["lon"], first["lat"], view, radius_px=REVIEW_MARKER[0])
    focus = [shapely.buffer(p, NEAR_M) for p in points[(shown["rank"] <= NUMBERED_RANKS).to_numpy()]]
    streets = street_layers(view, roads=map_roads(path, version), streets=request_streets(path, request), focus=focus,
                            avoid=disc_shapes(markers, radius_px=REVIEW_MARKER[0]))  # the window's records name them
    layers = [s for s in streets if s.id == "roads"]
    if wards is not None:  # outlines only: nothing to fill, so the map redraws quickly on each selection
        layers.append(outline_layer(wards, layer_id="boundaries"))
    layers.append(pdk.Layer("GeoJsonLayer", geojson(shown, [c for c in shown.columns if c not in ("line", "geometry")]),
                            id="places", stroked=False, filled=True, get_fill_color="properties.fill", pickable=True))
    layers.append(outline_layer(shown, layer_id="places_outline", colour="line", width_px=2))
    layers += [s for s in streets if s.id != "roads"]
    return places, tuple(layers), bounds, view


@st.cache_resource(show_spinner=False, max_entries=64)
def review_deck(path: str, version: str, request: TaskingRequest, selected: str | None,
                tile_style: str | None = None) -> pdk.Deck:
    """Roads, wards, the listed places filled by trend (▲ vermillion, ► yellow, ▼ blue), street
    names, the first :data:`NUMBERED_RANKS` and the selected one numbered by rank with their
    trend ("3▲": read without colour), spread apart where they would overlap; ``tile_style``:
    the basemap (None: none)."""
    places, layers, bounds, view = _review_layers(path, version, request)
    layers = list(layers)
    if selected is not None and (places["tasking_id"] == selected).any():
        shown = ranked_list(path, version, request).frame
        layers.append(outline_layer(shown[shown["tasking_id"] == selected], layer_id="selected",
                                    colour=[0, 0, 0, 255], width_px=5))
    numbered = places[(places["rank"] <= NUMBERED_RANKS) | (places["tasking_id"] == selected)]
    spread = spread_points(numbered["lon"], numbered["lat"], view, radius_px=REVIEW_MARKER[0])
    markers = spread.assign(label=numbered["label"].to_numpy())
    layers += marker_layers(markers, layer_id="ranks", fill=[255, 255, 255, 235], ink=[0, 0, 0, 255],
                            radius_px=REVIEW_MARKER[0], size_px=REVIEW_MARKER[1])
    return deck(layers, bounds, tile_style=tile_style, tooltip="{rank}. {place_name}: {count_now} now {arrow}, "
                "peak {peak_hours}", width_px=REVIEW_PX[0], height_px=REVIEW_PX[1])


@st.cache_resource(show_spinner=False, max_entries=64)
def explorer_deck(path: str, version: str, request: HotspotRequest, tile_style: str | None = None) -> pdk.Deck | None:
    """The explorer's map of one analysis: the roads, the area outlines (:func:`.cache.map_boundaries`,
    simplified to 5 m for the screen), the density surface (KDE: the cells at or above the
    hotspot threshold, as one image), the hotspots and the street names nearest them; None
    when there is nothing to frame. ``tile_style``: the basemap (None: none)."""
    run = hotspot_run(path, version, request)
    hotspots = explorer_hotspots(path, version, request)
    boundaries, _ = map_boundaries(path, version)
    cells = run.layers.get("density_cells")
    shown = boundaries if boundaries is not None else (hotspots if len(hotspots) else cells)
    if shown is None or not len(shown):
        return None
    bounds = tuple(shown.total_bounds)
    view = ScreenFrame.for_bounds(bounds, width_px=EXPLORER_PX[0], height_px=EXPLORER_PX[1])
    near = hotspots.geometry.buffer(NEAR_M).to_numpy()[:NUMBERED_RANKS] if len(hotspots) else []
    streets = workspace_streets(path, version, view, focus=list(near))
    layers = [s for s in streets if s.id == "roads"]
    if boundaries is not None:  # "tip": one tooltip field that every pickable layer fills its own way
        layers += boundary_layers(boundaries.set_geometry(boundaries.geometry.simplify(5.0)).assign(
            tip=boundaries["name"].astype(str)), columns=("tip",))
    if run.surface is not None:
        layers.append(density_layer(cells, run.surface.grid))
    layers += hotspot_layers(hotspots.assign(tip=hotspot_tips(hotspots)), columns=("tip",),
                             dissolve=request.method == "gistar")  # Gi* hotspots are grid cells
    layers += [s for s in streets if s.id != "roads"]
    return deck(layers, bounds, tile_style=tile_style, tooltip="{tip}", width_px=EXPLORER_PX[0],
                height_px=EXPLORER_PX[1])


def hotspot_tips(hotspots: pd.DataFrame) -> list[str]:
    """Each hotspot's tooltip, plain text: its name, its incidents and, for Gi* cells, z."""
    def column(name: str) -> pd.Series:
        return hotspots[name] if name in hotspots.columns else pd.Series(None, index=hotspots.index, dtype=object)

    tips = []
    for name, count, z in zip(column("place_name"), column("incidents"), column("z")):  # one step per hotspot
        tip = str(name) if pd.notna(name) and name else "Hotspot"
        tip += f": {count:,.0f} incidents" if pd.notna(count) else ""
        tips.append(tip + (f", z {z:.1f}" if pd.notna(z) else ""))
    return tips


def patrol_tooltip(by_shift: bool) -> str:
    """The patrol map's tooltip: a shift's place with its hours and days; a month's (police.uk:
    no time of day) with its incidents in the month, no empty hours or days."""
    return ("{order}. {place_name}: {best_hours} ({best_days}); {incidents} incidents" if by_shift else
            "{order}. {place_name}: {incidents} incidents in the month")


@st.cache_resource(show_spinner=False, max_entries=32)
def patrol_deck(path: str, version: str, request: PatrolRequest, tile_style: str | None = None) -> pdk.Deck:
    """The area outline, its roads and street names, and the places as numbered blue circles
    spread apart where they would overlap. The tooltip gives a shift's hours and days; a
    month's plan (no time of day) gives its incidents in the month. ``tile_style``: the basemap."""
    plan = patrol(path, version, request)
    frame = layer(path, version, request.area_layer)
    area = frame[frame["code"].astype(str) == request.area_code]
    bounds = tuple(area.total_bounds)
    view = ScreenFrame.for_bounds(bounds, width_px=PATROL_PX[0], height_px=PATROL_PX[1])
    places = plan.frame.assign(lon=plan.frame["longitude"], lat=plan.frame["latitude"],
                               incidents=plan.frame["incidents"].round(1) if plan.by_shift
                               else plan.frame["incidents"].round().astype(int))  # a month's are whole incidents
    spread = spread_points(places["lon"], places["lat"], view, radius_px=PATROL_MARKER[0])
    markers = spread.assign(label=places["order"].astype(str).to_numpy())
    near = shapely.union_all(shapely.buffer(shapely.points(places["easting"], places["northing"]), NEAR_M)) \
        if len(places) else None
    streets = workspace_streets(path, version, view, focus=[near, area.geometry.union_all()],
                            avoid=disc_shapes(markers, radius_px=PATROL_MARKER[0]))
    layers = [*[s for s in streets if s.id == "roads"], *boundary_layers(area, layer_id="area"),
              pdk.Layer("ScatterplotLayer", places, id="places", get_position=["lon", "lat"], get_radius=60,
                        get_fill_color=rgb(CATEGORICAL[0], 60), pickable=True),
              *[s for s in streets if s.id != "roads"],
              *marker_layers(markers, layer_id="order", fill=rgb(CATEGORICAL[0], 240), ink=[255, 255, 255, 255],
                             radius_px=PATROL_MARKER[0], size_px=PATROL_MARKER[1])]
    return deck(layers, bounds, tile_style=tile_style, tooltip=patrol_tooltip(plan.by_shift), width_px=PATROL_PX[0],
                height_px=PATROL_PX[1])


# --- legends: what each map drew, drawn under it ----------------------------------------

#: Attribution of boundaries (and an OS Open Roads layer) from Ordnance Survey data.
OS_NOTE = "Contains OS data © Crown copyright and database right."


def review_legend(path: str, version: str, setting: MapSetting | None) -> None:
    """The weekly review map's legend and attribution (:func:`.legend.draw_legend`)."""
    draw_legend(review_keys(wards=_wards(path, version) is not None, roads=map_roads(path, version) is not None),
                caption=OS_NOTE, setting=setting)


def explorer_legend(path: str, version: str, request: HotspotRequest, setting: MapSetting | None) -> None:
    """The explorer map's legend for its method, with units, and the caption saying what it shows."""
    run = hotspot_run(path, version, request)
    hotspots = explorer_hotspots(path, version, request)
    boundaries, boundaries_caption = map_boundaries(path, version)
    cells = run.layers.get("density_cells")
    density = (float(cells["density"].min()), float(cells["density"].max())) \
        if run.surface is not None and cells is not None and len(cells) else None
    card = run.card.parameters
    min_z = float(hotspots["z"].min()) if request.method == "gistar" and len(hotspots) else None
    noun = None if boundaries is None else ("wards" if "wards" in boundaries_caption else "LSOAs")
    draw_legend(explorer_keys(request.method, density=density, weighting=request.weighting, eps_m=card.get("eps_m"),
                              fdr_alpha=card.get("fdr_alpha"), min_z=min_z, boundaries=noun,
                              roads=map_roads(path, version) is not None),
                caption=explorer_caption(request.method, hotspots=len(hotspots), incidents=run.incidents,
                                         density=density, weighting=request.weighting, eps_m=card.get("eps_m"),
                                         min_weight=card.get("min_weight"), fdr_alpha=card.get("fdr_alpha"))
                + " " + boundaries_caption, setting=setting)


def patrol_legend(path: str, version: str, setting: MapSetting | None) -> None:
    """The patrol map's legend and attribution."""
    draw_legend(patrol_keys(roads=map_roads(path, version) is not None), caption=OS_NOTE, setting=setting)
