"""Framing a web map on an area: the one rule for the centre and zoom of every map in the app.

Web maps (deck.gl, as pydeck draws them) use the Web Mercator zoom: at zoom z the world is
``512 * 2**z`` pixels wide. An extent in British National Grid is converted to WGS84, and
the zoom is the largest that fits both its width and its Mercator height into the chart,
less a small margin, capped so a tiny area is not shown at street-sign scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pyproj import Transformer

from ..validation import check_number

_TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)
#: The deck.gl world width at zoom 0, pixels.
WORLD_PX = 512
#: Zoom taken off the exact fit, so the outline does not touch the chart's edge.
MARGIN_ZOOM = 0.15


@dataclass(frozen=True)
class MapView:
    """A web map's centre (WGS84 degrees) and Web Mercator zoom."""

    longitude: float
    latitude: float
    zoom: float


def view_for_bounds(bounds_27700: tuple[float, float, float, float], *, width_px: int, height_px: int,
                    max_zoom: float = 17.0) -> MapView:
    """The centre and zoom that fit a British National Grid extent into a chart.

    Parameters
    ----------
    bounds_27700 : (float, float, float, float)
        ``(min easting, min northing, max easting, max northing)``, metres.
    width_px, height_px : int
        The chart's size, pixels.
    max_zoom : float, default=17.0
        The closest zoom allowed (17: a few streets across).

    Returns
    -------
    MapView

    >>> v = view_for_bounds((524000, 168000, 536000, 182000), width_px=540, height_px=520)
    >>> round(v.longitude, 3), round(v.latitude, 3), v.zoom
    (-0.13, 51.459, 10.7)
    """
    check_number(width_px, "width_px", "view_for_bounds", integer=True)
    check_number(height_px, "height_px", "view_for_bounds", integer=True)
    x0, y0, x1, y1 = (float(v) for v in bounds_27700)
    lon, lat = _TO_WGS84.transform([x0, x1], [y0, y1])
    merc = [math.log(math.tan(math.pi / 4 + math.radians(v) / 2)) for v in lat]
    zoom_x = math.log2(width_px * 360 / (WORLD_PX * max(abs(lon[1] - lon[0]), 1e-6)))
    zoom_y = math.log2(height_px * 2 * math.pi / (WORLD_PX * max(abs(merc[1] - merc[0]), 1e-9)))
    return MapView(float((lon[0] + lon[1]) / 2), float((lat[0] + lat[1]) / 2),
                   round(min(zoom_x, zoom_y, max_zoom) - MARGIN_ZOOM, 2))
