"""pydeck layer builders: boundaries, hotspot outlines, density cells. Readable without
basemap tiles (boundaries are drawn as a layer); tiles are used when asked for and reachable.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk

from ..geo.mapview import view_for_bounds
from .style import CATEGORICAL

#: Carto's open basemap style (needs the internet); None draws no basemap.
TILE_STYLE = "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json"
#: viridis from low to high (colour-blind safe), RGB.
VIRIDIS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]])


def _geojson(frame: gpd.GeoDataFrame, columns: list[str]) -> dict:
    keep = frame[[c for c in columns if c in frame.columns] + [frame.geometry.name]].to_crs(4326)
    return json.loads(keep.to_json(drop_id=True))


def boundary_layer(frame: gpd.GeoDataFrame, *, layer_id: str = "boundaries") -> pdk.Layer:
    """Area outlines (thin grey lines) with their names in the tooltip."""
    return pdk.Layer("GeoJsonLayer", _geojson(frame, ["code", "name"]), id=layer_id, stroked=True, filled=True,
                     get_fill_color=[240, 240, 240, 40], get_line_color=[90, 90, 90, 200], line_width_min_pixels=1,
                     pickable=True)


def hotspot_layer(frame: gpd.GeoDataFrame, *, colour: str = CATEGORICAL[5], layer_id: str = "hotspots",
                  columns: tuple[str, ...] = ("hotspot_id", "cluster_id", "incidents", "share", "area_km2",
                                              "dominant_categories", "peak_band", "z")) -> pdk.Layer:
    """Hotspot outlines, filled semi-transparent in one colour."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return pdk.Layer("GeoJsonLayer", _geojson(frame, list(columns)), id=layer_id, stroked=True, filled=True,
                     get_fill_color=rgb + [110], get_line_color=rgb + [255], line_width_min_pixels=2, pickable=True)


def density_layer(cells: gpd.GeoDataFrame, *, layer_id: str = "density") -> pdk.Layer:
    """KDE cells coloured on viridis by density (incidents per km²)."""
    frame = cells.copy()
    d = frame["density"].to_numpy(dtype=float)
    t = (d - d.min()) / (np.ptp(d) or 1.0) if len(d) else d
    idx = np.clip((t * (len(VIRIDIS) - 1)).round().astype(int), 0, len(VIRIDIS) - 1)
    frame["fill"] = [VIRIDIS[i].tolist() + [150] for i in idx]
    frame["density"] = frame["density"].round(1)
    return pdk.Layer("GeoJsonLayer", _geojson(frame, ["density", "fill"]), id=layer_id, stroked=False, filled=True,
                     get_fill_color="properties.fill", pickable=True)


def deck(layers: list[pdk.Layer], bounds_27700: tuple[float, float, float, float], *, tiles: bool = False,
         tooltip: str | None = None, width_px: int = 940, height_px: int = 560) -> pdk.Deck:
    """A map framed on a British National Grid extent for a chart of about this size
    (:func:`hotspot_tasking.geo.mapview.view_for_bounds`)."""
    view = view_for_bounds(bounds_27700, width_px=width_px, height_px=height_px)
    return pdk.Deck(layers=layers, initial_view_state=pdk.ViewState(longitude=view.longitude, latitude=view.latitude,
                                                                     zoom=view.zoom),
                    map_style=TILE_STYLE if tiles else None, tooltip={"text": tooltip} if tooltip else True)


def rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    """``"#D55E00"`` as ``[213, 94, 0, alpha]``."""
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)] + [alpha]


def numbered_markers(frame: pd.DataFrame, text: str, layer_id: str, *, fill: list[int],
                     ink: list[int]) -> list[pdk.Layer]:
    """Numbered markers: a disc with a thin outline and the number on it (plain text, no
    background box or bold face: those draw blank under some WebGL renderers)."""
    return [pdk.Layer("ScatterplotLayer", frame, id=f"{layer_id}_disc", get_position=["lon", "lat"], get_radius=1,
                      radius_min_pixels=11, stroked=True, get_fill_color=fill, get_line_color=[0, 0, 0, 255],
                      line_width_min_pixels=1, pickable=False),
            pdk.Layer("TextLayer", frame, id=layer_id, get_position=["lon", "lat"], get_text=text, get_size=14,
                      get_color=ink, pickable=False)]
