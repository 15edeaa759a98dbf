"""The weekly review's, the explorer's and the patrol plan's maps (pydeck), cached per request."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pydeck as pdk
import streamlit as st

from ..boundaries.study import latest_layer
from ..geo.workspace import Workspace
from ..hotspots.run import HotspotRequest
from ..labels import TREND_EDGES, TREND_STYLE
from ..pipeline.patrol import PatrolRequest
from ..ranking.request import TaskingRequest
from .cache import explorer_hotspots, hotspot_run, layer, map_boundaries
from .maps import boundary_layers, deck, density_layer, geojson, hotspot_layers, numbered_markers, outline_layer, rgb
from .patrol_cache import patrol
from .style import CATEGORICAL
from .tasking_cache import ranked_list

#: Places numbered on the review map (the rest are drawn unnumbered): a meeting discusses the first few.
NUMBERED_RANKS = 20


@st.cache_resource(show_spinner=False, max_entries=4)
def _wards(path: str, version: str) -> gpd.GeoDataFrame | None:
    """The latest ward layer, simplified to 5 m for the screen (a quarter of the bytes to send)."""
    name = latest_layer(Workspace.open(path).layers(), "ward")
    if name is None:
        return None
    wards = layer(path, version, name)
    return wards.set_geometry(wards.geometry.simplify(5.0))


@st.cache_resource(show_spinner=False, max_entries=16)
def _review_layers(path: str, version: str,
                   request: TaskingRequest) -> tuple[gpd.GeoDataFrame, tuple[pdk.Layer, ...], tuple[float, ...]]:
    """The review map's places (EPSG:27700, with their fill and outline colours), the layers
    that do not change with the selected row (wards, places), and the bounds to frame;
    shared, read-only: a new selection adds two small layers, not the whole map."""
    frame = ranked_list(path, version, request).frame
    shown = gpd.GeoDataFrame(frame[["rank", "tasking_id", "place_name", "arrow", "count_now", "peak_hours"]].assign(
        fill=[rgb(TREND_STYLE[a][0], 140) for a in frame["arrow"]],
        line=[rgb(TREND_EDGES[TREND_STYLE[a][0]]) for a in frame["arrow"]], count_now=frame["count_now"].round(1)),
        geometry=frame.geometry, crs=frame.crs)
    layers = []
    wards = _wards(path, version)
    if wards is not None:  # outlines only: nothing to fill, so the map redraws quickly on each selection
        layers.append(outline_layer(wards, layer_id="boundaries"))
    layers.append(pdk.Layer("GeoJsonLayer", geojson(shown, [c for c in shown.columns if c not in ("line", "geometry")]),
                            id="places", stroked=False, filled=True, get_fill_color="properties.fill", pickable=True))
    layers.append(outline_layer(shown, layer_id="places_outline", colour="line", width_px=2))
    bounds = tuple(wards.total_bounds) if wards is not None else tuple(frame.total_bounds)
    return shown, tuple(layers), bounds


@st.cache_resource(show_spinner=False, max_entries=64)
def review_deck(path: str, version: str, request: TaskingRequest, selected: str | None) -> pdk.Deck:
    """Wards, the listed places filled by trend (▲ vermillion, ► yellow, ▼ blue), the first
    :data:`NUMBERED_RANKS` and the selected one numbered by rank."""
    shown, layers, bounds = _review_layers(path, version, request)
    layers = list(layers)
    if selected is not None and (shown["tasking_id"] == selected).any():
        layers.append(outline_layer(shown[shown["tasking_id"] == selected], layer_id="selected",
                                    colour=[0, 0, 0, 255], width_px=5))
    numbered = shown[(shown["rank"] <= NUMBERED_RANKS) | (shown["tasking_id"] == selected)]
    points = numbered.to_crs(4326).representative_point()
    labels = pd.DataFrame({"lon": points.x, "lat": points.y, "label": numbered["rank"].astype(str)})
    layers += numbered_markers(labels, "label", "ranks", fill=[255, 255, 255, 235], ink=[0, 0, 0, 255])
    return deck(layers, bounds, tooltip="{rank}. {place_name}: {count_now} now {arrow}, peak {peak_hours}",
                width_px=540, height_px=520)


@st.cache_resource(show_spinner=False, max_entries=64)
def explorer_deck(path: str, version: str, request: HotspotRequest, tiles: bool) -> pdk.Deck | None:
    """The explorer's map of one analysis: the area outlines (:func:`.cache.map_boundaries`,
    simplified to 5 m for the screen), the density surface (KDE: the cells at or above the
    hotspot threshold, as one image) and the hotspots; None when there is nothing to frame."""
    run = hotspot_run(path, version, request)
    hotspots = explorer_hotspots(path, version, request)
    boundaries, _ = map_boundaries(path, version)
    layers = []
    if boundaries is not None:
        layers += boundary_layers(boundaries.set_geometry(boundaries.geometry.simplify(5.0)))
    cells = run.layers.get("density_cells")
    if run.surface is not None:
        layers.append(density_layer(cells, run.surface.grid))
    layers += hotspot_layers(hotspots, dissolve=request.method == "gistar")  # Gi* hotspots are grid cells
    shown = boundaries if boundaries is not None else (hotspots if len(hotspots) else cells)
    if shown is None or not len(shown):
        return None
    return deck(layers, tuple(shown.total_bounds), tiles=tiles)


@st.cache_resource(show_spinner=False, max_entries=32)
def patrol_deck(path: str, version: str, request: PatrolRequest) -> pdk.Deck:
    """The area outline and the places as numbered blue circles."""
    plan = patrol(path, version, request)
    frame = layer(path, version, request.area_layer)
    area = frame[frame["code"].astype(str) == request.area_code]
    places = plan.frame.assign(lon=plan.frame["longitude"], lat=plan.frame["latitude"],
                               label=plan.frame["order"].astype(str), incidents=plan.frame["incidents"].round(1))
    layers = [*boundary_layers(area, layer_id="area"),
              pdk.Layer("ScatterplotLayer", places, id="places", get_position=["lon", "lat"], get_radius=60,
                        get_fill_color=rgb(CATEGORICAL[0], 60), pickable=True),
              *numbered_markers(places, "label", "order", fill=rgb(CATEGORICAL[0], 240), ink=[255, 255, 255, 255])]
    return deck(layers, tuple(area.total_bounds),
                tooltip="{order}. {place_name}: {best_hours} ({best_days}); {incidents} incidents",
                width_px=420, height_px=380)
