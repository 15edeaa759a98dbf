"""pydeck layer builders: boundaries, hotspot outlines, density cells, road lines, the deck.
Readable without basemap tiles (boundaries and roads are drawn as layers): a deck without a
tile style asks for no basemap at all (``map_provider=None``); with one, it asks for that style.

Drawn to be quick in a browser without a graphics card (software WebGL): outlines are
straight segments rather than GeoJSON paths (whose shader is slow to compile there), and a
density surface is one image rather than a polygon per cell.
"""

from __future__ import annotations

import base64
import io
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
from PIL import Image
from pydeck.bindings.json_tools import default_serialize
from pyproj import Transformer

from ..errors import UserError
from ..geo.mapview import view_for_bounds
from ..hotspots.grid import Grid
from ..validation import check_columns, check_type
from .style import CATEGORICAL

#: viridis from low to high (colour-blind safe), RGB.
VIRIDIS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]])
_TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)


def geojson(frame: gpd.GeoDataFrame, columns: list[str]) -> dict:
    """A frame as a GeoJSON dict in WGS84 with ``columns`` (those it has) as properties and
    coordinates rounded to 6 decimals (about 0.1 m), points in the middle of a straight edge
    left out: fewer bytes to send, nothing to see."""
    keep = frame[[c for c in columns if c in frame.columns] + [frame.geometry.name]]
    keep = keep.set_geometry(keep.geometry.simplify(0).to_crs(4326))  # simplify(0): drops points on a straight edge
    keep = keep.set_geometry(shapely.transform(keep.geometry.values, lambda xy: xy.round(6)), crs=4326)
    return json.loads(keep.to_json(drop_id=True))


class CompactDeck(pdk.Deck):
    """A pydeck Deck whose JSON has no indentation: pydeck indents by two spaces, which
    triples the bytes of a map's coordinates, sent to the browser on every rerun."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def outline_layer(frame: gpd.GeoDataFrame, *, layer_id: str, colour: list[int] | str = (90, 90, 90, 200),
                  width_px: float = 1) -> pdk.Layer:
    """The outlines of polygons as straight segments (a deck.gl LineLayer), not pickable; its
    data is a list of records, so one layer can be shared by several cached maps.

    Under software WebGL (a browser without a graphics card) the path shader that GeoJSON
    outlines use takes a second or more to compile every time a map is drawn afresh; the
    segment shader is a fraction of that, and at a few pixels wide the missing corner joins
    do not show.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Polygons (their rings are drawn, holes too), in any CRS (drawn in WGS84). Not modified.
    layer_id : str
    colour : list of int or str, default=(90, 90, 90, 200)
        RGBA, or the name of a column holding each feature's RGBA list.
    width_px : float, default=1
        Line width, pixels.
    """
    geoms = frame.geometry.simplify(0).to_crs(4326).values  # simplify(0): no point in the middle of a straight edge
    colours = frame[colour].to_numpy() if isinstance(colour, str) else None
    return _segment_layer(shapely.boundary(geoms), layer_id=layer_id, colour=colour, colours=colours,
                          width_px=width_px)


def line_layer(lines: gpd.GeoSeries, *, layer_id: str, colour: list[int] = (200, 200, 200, 255),
               width_px: float = 1) -> pdk.Layer:
    """Lines (roads) as straight segments, as :func:`outline_layer` draws outlines.

    Parameters
    ----------
    lines : geopandas.GeoSeries
        LineStrings or MultiLineStrings with a CRS (drawn in WGS84). Not modified.
    layer_id : str
    colour : list of int, default=(200, 200, 200, 255)
        RGBA.
    width_px : float, default=1
        Line width, pixels.
    """
    check_type(lines, "lines", "line_layer", gpd.GeoSeries, type_name="a GeoSeries of lines")
    return _segment_layer(lines.to_crs(4326).values, layer_id=layer_id, colour=colour, width_px=width_px)


def _segment_layer(lines, *, layer_id: str, colour, width_px: float, colours: np.ndarray | None = None) -> pdk.Layer:
    """A LineLayer of every segment of ``lines`` (WGS84), coloured by ``colours[feature]`` when given."""
    parts, feature = shapely.get_parts(lines, return_index=True)
    xy, line = shapely.get_coordinates(parts, return_index=True)
    xy = xy.round(6)  # about 0.1 m
    same = np.flatnonzero(line[1:] == line[:-1])  # a segment joins each point to the next on its line
    segments = pd.DataFrame({"s": xy[same].tolist(), "t": xy[same + 1].tolist()})
    if colours is not None:
        segments["c"] = colours[feature[line[same]]]
    return pdk.Layer("LineLayer", segments.to_dict("records"), id=layer_id, get_source_position="s",
                     get_target_position="t", get_color="c" if colours is not None else list(colour),
                     get_width=width_px, width_units=pdk.types.String("pixels"), pickable=False)


def boundary_layers(frame: gpd.GeoDataFrame, *, layer_id: str = "boundaries",
                    columns: tuple[str, ...] = ("code", "name")) -> list[pdk.Layer]:
    """Area outlines (thin grey lines) over a faint fill that gives ``columns`` to the tooltip."""
    return [pdk.Layer("GeoJsonLayer", geojson(frame, list(columns)), id=layer_id, stroked=False, filled=True,
                      get_fill_color=[240, 240, 240, 40], pickable=True),
            outline_layer(frame, layer_id=f"{layer_id}_outline")]


def hotspot_layers(frame: gpd.GeoDataFrame, *, colour: str = CATEGORICAL[5], layer_id: str = "hotspots",
                   columns: tuple[str, ...] = ("place_name", "hotspot_id", "cluster_id", "incidents", "share",
                                               "area_km2", "dominant_categories", "peak_band", "z"),
                   dissolve: bool = False) -> list[pdk.Layer]:
    """Hotspot areas filled semi-transparent in one colour (their figures in the tooltip), outlined in it.

    ``dissolve``: one outline round each group of touching hotspots rather than one per
    hotspot, for hotspots that are grid cells (Gi*): a quarter of the bytes, and the hot
    areas read as areas.
    """
    fill = rgb(colour, 110)
    edges = frame
    if dissolve and len(frame):
        edges = gpd.GeoDataFrame(geometry=[shapely.coverage_union_all(frame.geometry.values)], crs=frame.crs)
    return [pdk.Layer("GeoJsonLayer", geojson(frame, list(columns)), id=layer_id, stroked=False, filled=True,
                      get_fill_color=fill, pickable=True),
            outline_layer(edges, layer_id=f"{layer_id}_outline", colour=rgb(colour), width_px=2)]


def density_layer(cells: pd.DataFrame, grid: Grid, *, layer_id: str = "density") -> pdk.Layer:
    """KDE cells coloured on viridis by density (incidents per km²), drawn as one image.

    One pixel per cell of ``grid`` (a PNG, transparent where no cell is given), laid on the
    grid's four corners: what is sent to the browser is bounded by the grid's size, not
    the number of cells, so a fine grid draws as fast as a coarse one.

    Parameters
    ----------
    cells : pandas.DataFrame
        ``row``, ``col`` (of ``grid``, row 0 at the north edge) and ``density``; the colour
        runs from the lowest density given (dark purple) to the highest (yellow).
    grid : Grid
        The grid the cells are on (EPSG:27700).
    layer_id : str, default="density"

    Raises
    ------
    TypeError
        ``grid`` is not a :class:`Grid` or ``cells`` not a DataFrame.
    UserError
        ``cells`` lacks a column, or holds a cell off the grid.
    """
    check_type(grid, "grid", "density_layer", Grid, type_name="a Grid")
    fix = "pass the surface's to_cells() with the surface's grid."
    check_columns(cells, ("row", "col", "density"), "density_layer", name="cells", fix=fix)
    rows, cols = cells["row"].to_numpy(int), cells["col"].to_numpy(int)
    off = int(((rows < 0) | (rows >= grid.ny) | (cols < 0) | (cols >= grid.nx)).sum())
    if off:
        raise UserError(f"density_layer: {off:,} of the {len(cells):,} cells lie off the {grid.ny} x {grid.nx} grid "
                        f"(rows or columns outside it); {fix[0].upper() + fix[1:]}")
    image = np.zeros((grid.ny, grid.nx, 4), dtype=np.uint8)
    image[rows, cols] = density_colours(cells["density"].to_numpy(float))
    buffer = io.BytesIO()
    Image.fromarray(image, "RGBA").save(buffer, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    x0, y0, x1, y1 = grid.bounds
    lon, lat = _TO_WGS84.transform([x0, x0, x1, x1], [y0, y1, y1, y0])
    return pdk.Layer("BitmapLayer", None, id=layer_id, image=pdk.types.String(url),
                     bounds=[[round(x, 7), round(y, 7)] for x, y in zip(lon, lat)],
                     texture_parameters={"minFilter": "nearest", "magFilter": "nearest"}, pickable=False)


def density_colours(density: np.ndarray, *, alpha: int = 150) -> np.ndarray:
    """RGBA (uint8, one row per value) on viridis in five steps from the lowest value to the highest.

    >>> density_colours(np.array([0.0, 5.0, 10.0]))[:, :3].tolist()
    [[68, 1, 84], [33, 145, 140], [253, 231, 37]]
    """
    d = np.asarray(density, dtype=float)
    t = (d - d.min()) / (np.ptp(d) or 1.0) if len(d) else d
    idx = np.clip((t * (len(VIRIDIS) - 1)).round().astype(int), 0, len(VIRIDIS) - 1)
    out = np.full((len(d), 4), alpha, dtype=np.uint8)
    out[:, :3] = VIRIDIS[idx]
    return out


def deck(layers: list[pdk.Layer], bounds_27700: tuple[float, float, float, float], *,
         tile_style: str | None = None, tooltip: str | None = None, width_px: int = 940,
         height_px: int = 560) -> pdk.Deck:
    """A map framed on a British National Grid extent for a chart of about this size
    (:func:`hotspot_tasking.geo.mapview.view_for_bounds`).

    Parameters
    ----------
    layers : list of pydeck.Layer
    bounds_27700 : (float, float, float, float)
        The extent to frame, metres.
    tile_style : str, optional
        A basemap style JSON's URL (:class:`~hotspot_tasking.reports.setting.MapSetting`);
        None (the default) asks for no basemap and no style at all: the browser requests
        nothing from the internet (pydeck's ``map_provider=None``; a missing style would
        make Streamlit's frontend fetch Carto's).
    tooltip : str, optional
        Plain text with ``{column}`` fields (shown as text, never HTML); None: pydeck's default.
    width_px, height_px : int, default=940, 560
        The chart's size, pixels.
    """
    view = view_for_bounds(bounds_27700, width_px=width_px, height_px=height_px)
    basemap = {"map_provider": None} if tile_style is None else \
        {"map_provider": "carto" if "cartocdn" in tile_style else "maplibre", "map_style": tile_style}
    return CompactDeck(layers=layers, initial_view_state=pdk.ViewState(longitude=view.longitude,
                                                                        latitude=view.latitude, zoom=view.zoom),
                       tooltip={"text": tooltip} if tooltip else True, **basemap)


def rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    """``"#D55E00"`` as ``[213, 94, 0, alpha]``."""
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)] + [alpha]
