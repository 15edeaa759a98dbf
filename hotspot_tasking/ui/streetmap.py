"""Streets and numbered markers on the app's web maps, placed as the static maps place them.

There are no basemap tiles by default (no internet), so the app's maps draw their streets
from the data, as the PDFs do (:mod:`hotspot_tasking.reports.streets`): a roads layer's
lines in thin light grey under everything, and street names as text (deck.gl TextLayer):
the roads' names when the workspace has a roads layer, else the names the records carry.

Where the names and markers go is decided once, in screen pixels at the map's first zoom
(:class:`ScreenFrame`: deck.gl's Web Mercator, ``512 * 2**zoom`` pixels round the world),
by the static maps' own rules (:mod:`hotspot_tasking.reports.placement`): markers that would
overlap are moved to the nearest clear point (:func:`~hotspot_tasking.reports.placement.spread_markers`),
each joined to its true point by a thin line, and up to :func:`label_limit` street names are
placed greedily where none overlaps another, a marker or the map's edge
(:func:`~hotspot_tasking.reports.placement.place_labels`, on an off-screen matplotlib
figure one point per pixel, in the font the browser is asked to draw them in). Zooming in
only moves them further apart.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
from pyproj import Transformer

from ..geo.mapview import WORLD_PX, view_for_bounds
from ..reports.placement import place_labels, spread_markers
from ..reports.streets import street_labels
from ..validation import check_number
from .maps import line_layer

#: The font street names and marker numbers are drawn in (matplotlib measures them in DejaVu Sans).
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
#: Street names' size, pixels.
STREET_SIZE_PX = 11
#: Street names' ink (dark grey), and the roads' light grey, RGBA.
STREET_INK = [60, 60, 60, 255]
ROAD_GREY = [190, 190, 190, 255]
#: Screen pixels per street name a map takes at most (one per 150 x 160 px), 4 to 20.
PX_PER_LABEL, MIN_LABELS, MAX_LABELS = 24_000, 4, 20
_EARTH_M = 40_075_016.686  # the equator's length, metres (Web Mercator's sphere)
_TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)
_TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)


class ScreenFrame:
    """A web map's first view: its centre, zoom and size; converts between WGS84 and the
    chart's pixels (x right, y down, from its top left corner).

    Parameters
    ----------
    longitude, latitude : float
        The centre, degrees.
    zoom : float
        Web Mercator zoom (deck.gl's: the world is ``512 * 2**zoom`` pixels wide).
    width_px, height_px : int
        The chart's size, pixels.

    Examples
    --------
    >>> f = ScreenFrame(-0.1, 51.5, 14.0, width_px=400, height_px=300)
    >>> [round(float(v), 1) for v in f.to_px(-0.1, 51.5)]
    [200.0, 150.0]
    >>> [round(float(v), 4) for v in f.to_lonlat(200.0, 150.0)]
    [-0.1, 51.5]
    """

    def __init__(self, longitude: float, latitude: float, zoom: float, *, width_px: int, height_px: int):
        for value, name in ((width_px, "width_px"), (height_px, "height_px")):
            check_number(value, name, "ScreenFrame", integer=True)
        self.longitude, self.latitude, self.zoom = float(longitude), float(latitude), float(zoom)
        self.width_px, self.height_px = int(width_px), int(height_px)
        self.world_px = WORLD_PX * 2.0 ** self.zoom

    @classmethod
    def for_bounds(cls, bounds_27700: tuple[float, float, float, float], *, width_px: int,
                   height_px: int) -> ScreenFrame:
        """The frame :func:`hotspot_tasking.ui.maps.deck` opens on for this extent (metres, EPSG:27700)."""
        view = view_for_bounds(bounds_27700, width_px=width_px, height_px=height_px)
        return cls(view.longitude, view.latitude, view.zoom, width_px=width_px, height_px=height_px)

    @staticmethod
    def _merc(lat) -> np.ndarray:
        return np.log(np.tan(np.pi / 4 + np.radians(np.asarray(lat, dtype=float)) / 2))

    def to_px(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Pixels (x right, y down) of WGS84 points."""
        x = (np.asarray(lon, dtype=float) - self.longitude) / 360.0 * self.world_px + self.width_px / 2
        y = -(self._merc(lat) - self._merc(self.latitude)) / (2 * np.pi) * self.world_px + self.height_px / 2
        return x, y

    def to_lonlat(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """WGS84 degrees of pixels (x right, y down)."""
        lon = self.longitude + (np.asarray(x, dtype=float) - self.width_px / 2) * 360.0 / self.world_px
        merc = self._merc(self.latitude) - (np.asarray(y, dtype=float) - self.height_px / 2) * 2 * np.pi / self.world_px
        return lon, np.degrees(2 * np.arctan(np.exp(merc)) - np.pi / 2)

    def bng_to_px(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Pixels of British National Grid points (metres)."""
        return self.to_px(*_TO_WGS84.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float)))

    def extent_27700(self, *, margin_px: float = 0.0) -> tuple[float, float, float, float]:
        """The box (metres, EPSG:27700) holding the whole chart, ``margin_px`` wider each side."""
        xs = np.array([-margin_px, self.width_px + margin_px] * 2)
        ys = np.array([-margin_px] * 2 + [self.height_px + margin_px] * 2)
        e, n = _TO_BNG.transform(*self.to_lonlat(xs, ys))
        return float(e.min()), float(n.min()), float(e.max()), float(n.max())

    @property
    def metres_per_px(self) -> float:
        """Ground metres one pixel spans at the centre."""
        return _EARTH_M * np.cos(np.radians(self.latitude)) / self.world_px


def label_limit(width_px: int, height_px: int) -> int:
    """Street names a chart of this size takes: one per :data:`PX_PER_LABEL` pixels, 4 to 20.

    >>> label_limit(540, 520), label_limit(420, 380), label_limit(940, 560)
    (12, 7, 20)
    """
    return int(np.clip(round(width_px * height_px / PX_PER_LABEL), MIN_LABELS, MAX_LABELS))


def road_layer(roads: gpd.GeoDataFrame | None, frame: ScreenFrame, *, layer_id: str = "roads") -> pdk.Layer | None:
    """The roads in the chart (a roads layer's lines, EPSG:27700) as thin light-grey lines,
    clipped to the chart's frame and simplified to half a pixel; None without roads in view.

    Parameters
    ----------
    roads : geopandas.GeoDataFrame or None
        :func:`hotspot_tasking.boundaries.roads.read_roads`. Not modified.
    frame : ScreenFrame
    layer_id : str, default="roads"
    """
    if roads is None or not len(roads):
        return None
    view = shapely.box(*frame.extent_27700(margin_px=20))
    geoms = roads.geometry.to_numpy()
    near = geoms[shapely.intersects(geoms, view)]
    lines = shapely.simplify(shapely.intersection(near, view), frame.metres_per_px / 2)
    lines = lines[~shapely.is_empty(lines)]
    if not len(lines):
        return None
    return line_layer(gpd.GeoSeries(lines, crs=27700), layer_id=layer_id, colour=ROAD_GREY, width_px=1.5)


def spread_points(lon, lat, frame: ScreenFrame, *, radius_px: float, gap_px: float = 3.0) -> pd.DataFrame:
    """Marker centres spread apart at the frame's zoom so no two discs of ``radius_px`` overlap
    (:func:`hotspot_tasking.reports.placement.spread_markers`).

    Returns
    -------
    pandas.DataFrame
        ``lon``, ``lat`` (the true points), ``x``, ``y`` (the markers' pixels), ``at_lon``,
        ``at_lat`` (where the markers go) and ``moved`` (bool), one row per point, in order.
    """
    x, y = frame.to_px(lon, lat)
    true = np.column_stack([x, y])
    at = (spread_markers(true, radius=radius_px, gap=gap_px, bounds=(0.0, 0.0, frame.width_px, frame.height_px))
          if len(true) else true)
    at_lon, at_lat = frame.to_lonlat(at[:, 0], at[:, 1])
    return pd.DataFrame({"lon": np.asarray(lon, dtype=float), "lat": np.asarray(lat, dtype=float), "x": at[:, 0],
                         "y": at[:, 1], "at_lon": at_lon, "at_lat": at_lat,
                         "moved": np.hypot(*(at - true).T) > 0.5})


def marker_layers(points: pd.DataFrame, *, layer_id: str, fill: list[int], ink: list[int], radius_px: float,
                  size_px: float) -> list[pdk.Layer]:
    """Numbered discs at :func:`spread_points`' places (``at_lon``, ``at_lat``, ``label``), a
    moved one joined to a small dot at its true point by a thin dark line.

    The number is plain text in its own layer (no background box or bold face: those draw
    blank under some WebGL renderers), from every character it holds (``character_set="auto"``:
    deck.gl draws only ASCII otherwise, and the review's numbers carry ▲ ► ▼).
    """
    layers = []
    moved = points[points["moved"]]
    if len(moved):
        leaders = pd.DataFrame({"s": moved[["lon", "lat"]].round(6).to_numpy().tolist(),
                                "t": moved[["at_lon", "at_lat"]].round(6).to_numpy().tolist()})
        layers += [pdk.Layer("LineLayer", leaders.to_dict("records"), id=f"{layer_id}_leaders", get_source_position="s",
                             get_target_position="t", get_color=[50, 50, 50, 255], get_width=1,
                             width_units=pdk.types.String("pixels"), pickable=False),
                   pdk.Layer("ScatterplotLayer", moved[["lon", "lat"]], id=f"{layer_id}_dots",
                             get_position=["lon", "lat"], get_radius=1, radius_min_pixels=2.5, stroked=False,
                             get_fill_color=[50, 50, 50, 255], pickable=False)]
    shown = points[["at_lon", "at_lat", "label"]]
    layers += [pdk.Layer("ScatterplotLayer", shown, id=f"{layer_id}_disc", get_position=["at_lon", "at_lat"],
                         get_radius=1, radius_min_pixels=radius_px, radius_max_pixels=radius_px, stroked=True,
                         get_fill_color=fill, get_line_color=[0, 0, 0, 255], line_width_min_pixels=1,
                         pickable=False),
               pdk.Layer("TextLayer", shown, id=layer_id, get_position=["at_lon", "at_lat"], get_text="label",
                         get_size=size_px, get_color=ink, font_family=pdk.types.String(FONT_FAMILY),
                         character_set=pdk.types.String("auto"), pickable=False)]
    return layers


def place_street_names(frame: ScreenFrame, *, streets: pd.DataFrame | None = None,
                       roads: gpd.GeoDataFrame | None = None, focus=(), avoid=None, limit: int | None = None,
                       size_px: float = STREET_SIZE_PX) -> pd.DataFrame:
    """The street names to draw on a chart, none overlapping another, ``avoid`` or the edge.

    The candidates are :func:`hotspot_tasking.reports.streets.street_labels` of the chart's
    extent (roads first, then the records' streets; those in the first of ``focus`` first);
    :func:`hotspot_tasking.reports.placement.place_labels` places them in pixels.

    Parameters
    ----------
    frame : ScreenFrame
    streets : pandas.DataFrame, optional
        :func:`hotspot_tasking.reports.streets.record_streets`. Not modified.
    roads : geopandas.GeoDataFrame, optional
        A roads layer (``name``, ``number``, line ``geometry``, EPSG:27700). Not modified.
    focus : sequence of shapely geometry, default=()
        Where streets matter most, most first (metres, EPSG:27700).
    avoid : shapely geometry, optional
        Where no name may go, in the chart's pixels (x right, y down): the markers' discs.
    limit : int, optional
        Names at most; default :func:`label_limit` of the chart.
    size_px : float, default=11
        Font size, pixels.

    Returns
    -------
    pandas.DataFrame
        ``text``, ``lon``, ``lat`` (the middle of the name) and ``angle`` (degrees
        anticlockwise), one row per name placed.
    """
    out = pd.DataFrame({"text": pd.Series(dtype=object), "lon": pd.Series(dtype=float),
                        "lat": pd.Series(dtype=float), "angle": pd.Series(dtype=float)})
    limit = label_limit(frame.width_px, frame.height_px) if limit is None else int(limit)
    if limit <= 0 or ((streets is None or not len(streets)) and (roads is None or not len(roads))):
        return out
    labels = street_labels(frame.extent_27700(), streets=streets, roads=roads, focus=list(focus)).head(8 * limit)
    if not len(labels):
        return out
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    w, h = frame.width_px, frame.height_px
    x, y = frame.bng_to_px(labels["x"], labels["y"])
    theta = np.radians(labels["angle"].to_numpy(dtype=float))
    ax_, ay_ = frame.bng_to_px(labels["x"] + 20 * np.cos(theta), labels["y"] + 20 * np.sin(theta))
    angle = np.degrees(np.arctan2(-(ay_ - y), ax_ - x))  # on screen, anticlockwise from east
    angle = np.where(angle > 90, angle - 180, np.where(angle <= -90, angle + 180, angle))
    fig = Figure(figsize=(w / 72, h / 72), dpi=72)  # one point per pixel
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.axis("off")
    ax.set_xlim(0, w)
    ax.set_ylim(-h, 0)  # data y = -pixel y: up is up
    flipped = None if avoid is None else shapely.transform(avoid, lambda xy: np.column_stack([xy[:, 0],
                                                                                            h - xy[:, 1]]))
    texts = place_labels(ax, pd.DataFrame({"text": labels["text"].to_numpy(), "x": x, "y": -y, "angle": angle}),
                         limit=limit, size=size_px, avoid=flipped)
    if not texts:
        return out
    renderer = fig.canvas.get_renderer()
    boxes = np.array([t.get_window_extent(renderer).extents for t in texts])  # display: y up from the bottom
    lon, lat = frame.to_lonlat((boxes[:, 0] + boxes[:, 2]) / 2, h - (boxes[:, 1] + boxes[:, 3]) / 2)
    turned = np.array([t.get_rotation() for t in texts], dtype=float)
    return pd.DataFrame({"text": [t.get_text() for t in texts], "lon": lon.round(6), "lat": lat.round(6),
                         "angle": ((turned + 180) % 360 - 180).round(1)})


def street_name_layers(names: pd.DataFrame, *, layer_id: str = "street_names",
                       size_px: float = STREET_SIZE_PX) -> list[pdk.Layer]:
    """:func:`place_street_names` as two TextLayers: a white halo, then the names in dark grey
    over every halo (one layer with an outline lets a letter's halo hide its thin neighbours,
    "i" and "l"). Plain text (never HTML), every character the names hold (accents too)."""
    if names is None or not len(names):
        return []
    common = dict(get_position=["lon", "lat"], get_text="text", get_angle="angle", get_size=size_px,
                  font_family=pdk.types.String(FONT_FAMILY), character_set=pdk.types.String("auto"),
                  get_text_anchor=pdk.types.String("middle"), get_alignment_baseline=pdk.types.String("center"),
                  pickable=False)
    # the halo needs a signed-distance font; the letters are drawn from a plain one, in which
    # thin letters ("i", "l") stay sharp at this size under software WebGL
    return [pdk.Layer("TextLayer", names, id=f"{layer_id}_halo", get_color=[255, 255, 255, 220],
                      font_settings={"sdf": True}, outline_width=4, outline_color=[255, 255, 255, 220], **common),
            pdk.Layer("TextLayer", names, id=layer_id, get_color=STREET_INK, **common)]


def disc_shapes(points: pd.DataFrame, *, radius_px: float) -> shapely.Geometry | None:
    """The markers' discs (:func:`spread_points`' ``x``, ``y``) as one shape in pixels, for
    :func:`place_street_names`' ``avoid``."""
    if points is None or not len(points):
        return None
    return shapely.union_all(shapely.buffer(shapely.points(points["x"].to_numpy(), points["y"].to_numpy()),
                                            radius_px + 1))


def street_layers(frame: ScreenFrame, *, roads: gpd.GeoDataFrame | None = None, streets: pd.DataFrame | None = None,
                  focus=(), avoid=None) -> list[pdk.Layer]:
    """A map's streets: the roads in view (:func:`road_layer`, id ``"roads"``: put it under
    everything) and the street names (:func:`street_name_layers`: put them above the areas,
    below the markers): the roads layer's names first, then the records' streets it does not
    name, as the static maps name them (:func:`place_street_names`)."""
    names = place_street_names(frame, roads=roads, streets=streets, focus=focus, avoid=avoid)
    drawn = road_layer(roads, frame)
    return [*([drawn] if drawn is not None else []), *street_name_layers(names)]
