"""Static maps of a tasking list: the area's real boundaries with the numbered hotspots.

No internet tiles: the background is the workspace's own ward (and borough) outlines, a
roads layer when there is one (thin grey lines) and the street names the records carry
(:mod:`.streets`), so a map draws offline and reads the same on paper. Numbered markers
that would overlap are spread apart with a leader line to their place, and street names
are placed clear of each other and of the markers (:mod:`.placement`). Colours are Okabe-Ito (safe for the
common kinds of colour blindness) and every colour is also said in words (the legend,
the rank number, the arrow in the tables). Every map has a scale bar in metres or
kilometres, a north arrow (British National Grid north), a title with the period and
the band's label, and the Ordnance Survey attribution.

matplotlib is used without ``pyplot`` (a :class:`~matplotlib.figure.Figure` with the Agg
canvas), so drawing needs no display and leaves no global state behind.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.path import Path as MplPath
from shapely.ops import polylabel

from ..labels import ALL_TIMES_LABEL, NUMBERED_RANKS, OKABE_ITO, OS_DATA, TREND_EDGES, TREND_STYLE
from ..periods import describe_period
from .placement import MARKER_GID, ROAD_EDGE, circle_radius, draw_roads, label_streets, spread_markers
from .setting import Background
from .streets import StreetBackground

OTHER_COLOUR = OKABE_ITO["reddish purple"]
WARD_EDGE = "#8c8c8c"
BOROUGH_EDGE = "#3a3a3a"
#: Street labels' font size, points.
STREET_SIZE = 6.5
#: Nice scale-bar lengths, metres.
_SCALE_STEPS_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)
_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]
_CIRCLE = {"boxstyle": "circle,pad=0.25", "facecolor": "white", "edgecolor": "black", "linewidth": 1.0}
#: Overview layout, inches: title above the map, legend and attribution below it.
_TOP_IN, _BOTTOM_IN, _SIDE_IN = 0.5, 0.95, 0.15


def map_title(period: str, band: str) -> str:
    """A map's title with the period and the band's label (:func:`.setting.band_label`).

    Examples
    --------
    >>> map_title("2017-07", "Night-time economy")
    'Tasking hotspots, July 2017, Night-time economy'
    >>> map_title("2017-07", "All times")
    'Tasking hotspots, July 2017, All times'
    """
    return f"Tasking hotspots, {describe_period(period)}, {band or ALL_TIMES_LABEL}"


def overview_figure(frame: gpd.GeoDataFrame, *, background: Background | None = None, title: str = "",
                    width_in: float = 7.5, max_height_in: float = 9.6, streets: pd.DataFrame | None = None,
                    roads: gpd.GeoDataFrame | None = None, numbered: int = NUMBERED_RANKS) -> Figure:
    """The whole area with every place of ``frame`` filled, the first ``numbered`` numbered by rank.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A (disclosed) tasking list: ``rank``, ``arrow``, ``ward_code``, ``geometry`` (EPSG:27700).
    background : Background, optional
        Wards drawn as light outlines (those holding a listed place labelled), boroughs darker.
    title : str, default=""
    width_in : float, default=7.5
        Figure width, inches; the height follows the area's shape (legend below the map).
    max_height_in : float, default=9.6
        Inches.
    streets, roads : optional
        The street names to label (:func:`.streets.record_streets`) and a roads layer
        (``name``, ``number``, ``kind``, line ``geometry``); default the background's, when
        it is a :class:`.streets.StreetBackground`.
    numbered : int, default=NUMBERED_RANKS
        How many places get their rank in a circle (the lowest ranks); the legend says so
        when the list is longer.

    Returns
    -------
    matplotlib.figure.Figure
    """
    background = Background() if background is None else background
    extent = _extent([g for g in (background.wards, background.boroughs) if g is not None] or [frame], pad=0.03)
    map_h = (width_in - 2 * _SIDE_IN) * (extent[3] - extent[1]) / (extent[2] - extent[0])
    height = float(np.clip(map_h + _TOP_IN + _BOTTOM_IN, 4.0, max_height_in))
    fig, ax = _figure((width_in, height), title, bottom_in=_BOTTOM_IN)
    extent = _set_view(ax, extent)
    draw_roads(ax, roads if roads is not None else _roads(background), extent)
    others = []
    if background.wards is not None:
        _draw(ax, background.wards.geometry, facecolor="none", edgecolor=WARD_EDGE, linewidth=0.5, zorder=1)
        listed = set(frame["ward_code"].dropna().astype(str))
        others += _label_areas(ax, background.wards[background.wards["code"].isin(listed)], limit=14, size=6.5,
                               avoid=_avoid(frame, extent))
    if background.boroughs is not None:
        _draw(ax, background.boroughs.geometry, facecolor="none", edgecolor=BOROUGH_EDGE, linewidth=1.3, zorder=2)
        others += _label_areas(ax, background.boroughs, limit=6, size=11, colour="#9a9a9a", zorder=1.5,
                               avoid=_avoid(frame, extent, margin=0.04))
    _draw_places(ax, frame, highlight=None)
    markers = _rank_markers(ax, frame.nsmallest(numbered, "rank"), size=9.0)
    places = frame.geometry.union_all()  # too small at this scale to be read under a label
    _streets(ax, extent, background, streets, roads, markers + others, [places.buffer(150)], clear_of=places)
    _furniture(fig, ax, extent, background, roads=roads is not None or _roads(background) is not None,
               ranks=f"Rank in the tasking list{f' (the first {numbered})' if len(frame) > numbered else ''}")
    return fig


def hotspot_figure(frame: gpd.GeoDataFrame, rank: int, *, background: Background | None = None, title: str = "",
                   size_in: tuple[float, float] = (3.9, 3.9), min_side_m: float = 1200.0,
                   streets: pd.DataFrame | None = None, roads: gpd.GeoDataFrame | None = None) -> Figure:
    """One place zoomed to its outline, with the wards around it and its neighbours faded.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A (disclosed) tasking list.
    rank : int
        The place to centre on.
    background : Background, optional
    title : str, default=""
    size_in : (float, float), default=(3.9, 3.9)
        Inches.
    min_side_m : float, default=1200.0
        The view is at least this wide and high, metres.
    streets, roads : optional
        As :func:`overview_figure`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    background = Background() if background is None else background
    fig, ax = _figure(size_in, title, title_size=9, bottom_in=0.22, top_in=0.3 if title else 0.05)
    row = frame[frame["rank"] == rank]
    geom = row.geometry.iloc[0] if len(row) else None
    if geom is None or geom.is_empty:
        extent = _extent([frame], pad=0.05)
    else:
        minx, miny, maxx, maxy = geom.bounds
        side = max(maxx - minx, maxy - miny, min_side_m) * 1.35
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        extent = (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
    extent = _set_view(ax, extent)
    view = shapely.box(*extent)
    draw_roads(ax, roads if roads is not None else _roads(background), extent)
    others = []
    if background.wards is not None:
        near = background.wards[background.wards.intersects(view)]
        _draw(ax, near.geometry, facecolor="none", edgecolor=WARD_EDGE, linewidth=0.8, zorder=1)
        others = _label_areas(ax, near, limit=10, size=6.5, clip=view, avoid=_avoid(frame, extent))
    if background.boroughs is not None:
        _draw(ax, background.boroughs.geometry, facecolor="none", edgecolor=BOROUGH_EDGE, linewidth=1.4, zorder=2)
    _draw_places(ax, frame, highlight=rank)
    markers = _rank_markers(ax, frame[frame.intersects(view)], size=10.0, highlight=rank)
    focus = [geom.buffer(100) if geom is not None else None, frame.geometry.union_all().buffer(100)]
    _streets(ax, extent, background, streets, roads, markers + others, focus)
    _furniture(fig, ax, extent, background, compact=True)
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor="none", edgecolor="#8c8c8c",
                           linewidth=0.8, zorder=8))
    return fig


def figure_png(fig: Figure, *, dpi: int = 200) -> bytes:
    """The figure as PNG bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : int, default=200
        Dots per inch.

    Returns
    -------
    bytes
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def figure_image(fig: Figure, *, dpi: int = 150):
    """The figure as an RGB image, for the PDF (no PNG encoding and decoding on the way).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : int, default=150
        Dots per inch.

    Returns
    -------
    PIL.Image.Image
    """
    from PIL import Image

    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")


def save_png(fig: Figure, path: str | Path, *, dpi: int = 200) -> Path:
    """Write the figure as a PNG file (the overview at 200 dpi is 1,500 pixels wide).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or Path
    dpi : int, default=200
        Dots per inch.

    Returns
    -------
    Path
    """
    path = Path(path)
    path.write_bytes(figure_png(fig, dpi=dpi))
    return path


# --- drawing helpers ------------------------------------------------------------------------
def _figure(size_in: tuple[float, float], title: str, *, title_size: float = 12, bottom_in: float = 0.3,
            top_in: float = _TOP_IN) -> tuple[Figure, object]:
    """A figure with one map axes: ``top_in`` inches above it for the title, ``bottom_in`` below."""
    width, height = size_in
    fig = Figure(figsize=size_in)
    FigureCanvasAgg(fig)
    side = min(_SIDE_IN, 0.02 * width)
    ax = fig.add_axes((side / width, bottom_in / height, 1 - 2 * side / width, 1 - (bottom_in + top_in) / height))
    ax.set_axis_off()
    if title:
        fig.text(0.5, 1 - 0.12 / height, title, ha="center", va="top", fontsize=title_size, weight="bold", wrap=True,
                 parse_math=False)  # a place name is text: "$" is a pound sign, not mathtext
    return fig, ax


def _extent(frames: list[gpd.GeoDataFrame], *, pad: float) -> tuple[float, float, float, float]:
    bounds = np.array([f.total_bounds for f in frames if len(f) and np.isfinite(f.total_bounds).all()])
    if not len(bounds):
        return (0.0, 0.0, 1000.0, 1000.0)
    minx, miny = bounds[:, 0].min(), bounds[:, 1].min()
    maxx, maxy = bounds[:, 2].max(), bounds[:, 3].max()
    dx, dy = max(maxx - minx, 500.0), max(maxy - miny, 500.0)
    return (minx - pad * dx, miny - pad * dy, minx + dx * (1 + pad), miny + dy * (1 + pad))


def _set_view(ax, extent) -> tuple[float, float, float, float]:
    """Widen ``extent`` to the axes' shape (one metre the same length both ways); return it."""
    fig_w, fig_h = ax.figure.get_size_inches()
    box = ax.get_position()
    shape = (box.width * fig_w) / (box.height * fig_h)
    minx, miny, maxx, maxy = extent
    cx, cy, w, h = (minx + maxx) / 2, (miny + maxy) / 2, maxx - minx, maxy - miny
    w, h = max(w, h * shape), max(h, w / shape)
    extent = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal", adjustable="box")
    return extent


def _paths(geoms) -> list[MplPath]:
    """matplotlib paths of polygons (holes kept) and lines; points are never drawn."""
    out = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        for part in shapely.get_parts(geom):
            if isinstance(part, shapely.Polygon):
                rings = [part.exterior, *part.interiors]
                out.append(MplPath.make_compound_path(*[MplPath(np.asarray(r.coords)[:, :2], closed=True)
                                                        for r in rings]))
            elif isinstance(part, shapely.LineString):
                out.append(MplPath(np.asarray(part.coords)[:, :2]))
    return out


def _draw(ax, geoms, **style) -> None:
    paths = _paths(list(geoms))
    if paths:
        ax.add_collection(PathCollection(paths, **style), autolim=False)


def _draw_places(ax, frame: gpd.GeoDataFrame, *, highlight: int | None) -> None:
    arrows = frame["arrow"].astype(object).where(frame["arrow"].notna(), "")
    for arrow in _unique(arrows):
        part = frame[arrows == arrow]
        colour = TREND_STYLE.get(arrow, (OTHER_COLOUR, ""))[0]
        edge = TREND_EDGES.get(colour, "black")
        if highlight is None:
            _draw(ax, part.geometry, facecolor=colour, edgecolor="none", alpha=0.6, zorder=3)
            _draw(ax, part.geometry, facecolor="none", edgecolor=edge, linewidth=1.0, zorder=3)
            continue
        focus = (part["rank"] == highlight).to_numpy()
        _draw(ax, part.geometry[~focus], facecolor=colour, edgecolor="none", alpha=0.3, zorder=3)
        _draw(ax, part.geometry[~focus], facecolor="none", edgecolor=edge, linewidth=0.6, zorder=3)
        _draw(ax, part.geometry[focus], facecolor=colour, edgecolor="none", alpha=0.6, zorder=4)
        _draw(ax, part.geometry[focus], facecolor="none", edgecolor="black", linewidth=1.6, zorder=4)


def _unique(values) -> list:
    """Distinct values in order of first appearance."""
    return list(dict.fromkeys(values))


def _rank_markers(ax, frame: gpd.GeoDataFrame, *, size: float, highlight: int | None = None) -> list:
    """The rank in a white circle inside each place; a place smaller than the circle gets it
    beside, so its colour stays visible. A circle that would overlap one of a lower rank moves
    to the nearest clear point inside the map (:func:`.placement.spread_markers`); a moved one
    is joined to its place by a line."""
    rows = [(int(r), g) for r, g in zip(frame["rank"], frame.geometry) if g is not None and not g.is_empty]
    if not rows:
        return []
    ax.apply_aspect()
    px = ax.figure.dpi / 72
    radius = circle_radius(ax, str(max(r for r, _ in rows)), fontsize=size, weight="bold", bbox=_CIRCLE)
    x0, x1 = ax.get_xlim()
    circle_m = 2.2 * size * px * (x1 - x0) / ax.bbox.width
    true = np.array([(p.x, p.y) for p in (_inside(g) for _, g in rows)])
    bounds = np.array([g.bounds for _, g in rows])
    small = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) < 1.5 * circle_m
    wanted = np.where(small[:, None], bounds[:, 2:] + [0.8 * circle_m, 0.5 * circle_m], true)
    at = ax.transData.inverted().transform(spread_markers(ax.transData.transform(wanted), radius=radius, gap=px,
                                                          bounds=tuple(ax.bbox.extents)))
    texts = []
    for (rank, _), (tx, ty), (x, y) in zip(rows, true, at):  # one step per place shown
        if np.hypot(x - tx, y - ty) > 0.3 * circle_m:
            ax.plot([tx, x], [ty, y], color="black", linewidth=0.7, zorder=5)
        strong = highlight is None or rank == highlight
        texts.append(ax.text(x, y, str(rank), ha="center", va="center", fontsize=size if strong else size - 1.5,
                             weight="bold", color="black" if strong else "#4d4d4d", zorder=6, gid=MARKER_GID,
                             bbox=_CIRCLE | {"edgecolor": "black" if strong else "#8c8c8c"}))
    return texts


def _roads(background):
    return background.roads if isinstance(background, StreetBackground) else None


def _streets(ax, extent, background, streets, roads, avoid: list, focus: list, clear_of=None) -> list:
    """Street names clear of each other and of ``avoid`` (:func:`.placement.label_streets`)."""
    if streets is None and isinstance(background, StreetBackground):
        streets = background.streets
    return label_streets(ax, extent, streets=streets, roads=roads if roads is not None else _roads(background),
                         avoid=avoid, focus=focus, clear_of=clear_of, size=STREET_SIZE)


def _inside(geom):
    """The point deepest inside the largest part (the pole of inaccessibility), for a label."""
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, shapely.Polygon)]
    if not parts:
        return geom.representative_point()
    part = max(parts, key=lambda p: p.area)
    return polylabel(part, tolerance=max(part.length / 200, 1.0))


def _avoid(frame: gpd.GeoDataFrame, extent, *, margin: float = 0.012):
    """Where labels must not go: the places and their rank circles widened by ``margin`` of the
    map's width, the scale bar's corner and the north arrow's."""
    geoms = [g for g in frame.geometry if g is not None and not g.is_empty]
    width, height = extent[2] - extent[0], extent[3] - extent[1]
    markers = [_inside(g).buffer(0.035 * width) for g in geoms]
    furniture = [shapely.box(extent[0], extent[1], extent[0] + 0.36 * width, extent[1] + 0.13 * height),  # scale bar
                 shapely.box(extent[2] - 0.12 * width, extent[3] - 0.2 * height, extent[2], extent[3])]  # north
    return shapely.union_all(geoms + markers).buffer(margin * width).union(shapely.union_all(furniture))


def _label_areas(ax, areas: gpd.GeoDataFrame, *, limit: int, size: float, colour: str = "#5f5f5f",
                 zorder: float = 5, clip=None, avoid=None) -> list:
    """Name the largest areas, each inside its largest part that is clear of ``avoid``; return the texts."""
    texts = []
    if areas is None or not len(areas):
        return texts
    areas = areas.assign(_area=areas.geometry.area).sort_values("_area", ascending=False).head(limit)
    for name, geom in zip(areas["name"], areas.geometry):
        piece = geom if clip is None else geom.intersection(clip)
        if avoid is not None:
            piece = piece.difference(avoid)
        parts = [p for p in shapely.get_parts(piece) if isinstance(p, shapely.Polygon)]
        if not parts:
            continue
        piece = max(parts, key=lambda p: p.area)
        if piece.area < 0.05 * geom.area:
            continue
        point = polylabel(piece, tolerance=max(piece.length / 200, 1.0))
        texts.append(ax.text(point.x, point.y, name, ha="center", va="center", fontsize=size, color=colour,
                             style="italic", zorder=zorder, path_effects=_HALO, clip_on=True, parse_math=False))
    return texts


def _furniture(fig: Figure, ax, extent, background: Background, *, compact: bool = False, roads: bool = False,
               ranks: str = "Rank in the tasking list") -> None:
    """Scale bar, north arrow, legend and attribution."""
    _scale_bar(ax, extent, size=6.5 if compact else 8)
    _north_arrow(ax, size=8 if compact else 11)
    handles = [Patch(facecolor=(*to_rgb(c), 0.6), edgecolor=TREND_EDGES[c], label=f"Place, {words}")
               for c, words in TREND_STYLE.values()]
    if background.wards is not None:
        handles.append(Line2D([], [], color=WARD_EDGE, linewidth=0.8, label="Ward boundary"))
    if background.boroughs is not None:
        handles.append(Line2D([], [], color=BOROUGH_EDGE, linewidth=1.4, label="Borough boundary"))
    if roads:
        handles.append(Line2D([], [], color=ROAD_EDGE, linewidth=0.8, label="Road"))
    if not compact:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=9, markerfacecolor="white",
                              markeredgecolor="black", label=ranks))
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.28 / fig.get_size_inches()[1]),
                   ncol=3, fontsize=7.5, frameon=False)
    note = OS_DATA.format(year=dt.date.today().year)
    if background.wards is None:
        note += " No boundaries in the workspace: places drawn alone."
    fig.text(0.02, 0.012, note, fontsize=5.5 if compact else 6.5, color="#4d4d4d", ha="left", va="bottom")


def _scale_bar(ax, extent, *, size: float) -> None:
    width = extent[2] - extent[0]
    length = max([s for s in _SCALE_STEPS_M if s <= width / 4] or [_SCALE_STEPS_M[0]])
    x0 = extent[0] + 0.04 * width
    y0 = extent[1] + 0.04 * (extent[3] - extent[1])
    height = 0.012 * (extent[3] - extent[1])
    half = length / 2
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(Rectangle((x0 + i * half, y0), half, height, facecolor=colour, edgecolor="black",
                               linewidth=0.8, zorder=7))
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length} m"
    for x, label in ((x0, "0"), (x0 + length, text)):
        ax.text(x, y0 + 2.2 * height, label, ha="center", va="bottom", fontsize=size, zorder=7, path_effects=_HALO)


def _north_arrow(ax, *, size: float) -> None:
    ax.annotate("N", xy=(0.95, 0.96), xytext=(0.95, 0.86), xycoords="axes fraction", ha="center", va="center",
                fontsize=size, weight="bold", zorder=7,
                arrowprops={"arrowstyle": "-|>", "facecolor": "black", "linewidth": 1.2, "mutation_scale": size * 1.4},
                path_effects=_HALO)
