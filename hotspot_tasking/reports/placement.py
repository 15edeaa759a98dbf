"""Where the numbers and street names go on a static map, so none hides another.

- **Numbered markers** (:func:`spread_markers`): greedy, in the order given (rank order):
  each marker takes its true point when its circle is clear of the markers already placed,
  else the nearest clear point on rings round it (half a marker apart, twelve directions,
  the first facing away from the marker in the way), inside the map when its box is given.
  A marker moves only as far as it must, so a dense city centre stays a cluster of
  numbers near their places rather than a ring flung past the map's edge. The map draws
  a thin leader line from a moved marker to its true point.
- **Street labels** (:func:`place_labels`): greedy, in the order given (roads first, then
  the most recorded streets): each label tries its own point, then points beside it across
  and along the street, and takes the first whose box (turned with the text, in display
  coordinates, with a margin) stays inside the map and clear of the markers, the map's
  furniture and the labels already placed; a label with no such point is left out.
- **PDF text** (:func:`figure_parts`, :func:`write_texts`): the street labels are written
  into the PDF as text (so they can be searched, copied and read out), over the map's
  picture drawn without them, at the same places, angles and sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from .streets import check_streets, street_labels

#: The ``gid`` of the street labels' matplotlib texts.
STREET_GID = "street-label"
#: The ``gid`` of the numbered markers' matplotlib texts.
MARKER_GID = "marker"
STREET_COLOUR = "#333333"
ROAD_EDGE = "#b0b0b0"
#: A moved marker's search: rings half a marker apart, out to this many, in this many directions.
SPREAD_RINGS, SPREAD_DIRECTIONS = 40, 12
#: The white halo round a street label, points wide.
HALO_PT = 2.2


def spread_markers(xy: np.ndarray, *, radius: float, gap: float = 0.0,
                   bounds: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """Marker centres moved apart, each as little as it must, until no two circles of ``radius`` overlap.

    Parameters
    ----------
    xy : numpy.ndarray
        ``(n, 2)`` true centres, in display units (points or pixels, both axes alike), in
        the order markers claim their places (the first never moves).
    radius : float
        Every marker's radius, same units.
    gap : float, default=0.0
        Room left between two circles, same units.
    bounds : tuple of float, optional
        ``(x0, y0, x1, y1)``: the map's box, same units; a moved marker's circle stays inside
        it (a marker whose own point is outside is not held to it).

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` centres: a marker clear of those before it stays where it is; one in the
        way takes the nearest clear point on rings round its own point, searched out to
        :data:`SPREAD_RINGS` half-steps (past that it keeps its point and may overlap).

    Examples
    --------
    >>> spread_markers(np.array([[0.0, 0.0], [1.0, 0.0], [50.0, 0.0]]), radius=5.0).round(2).tolist()
    [[0.0, 0.0], [11.0, 0.0], [50.0, 0.0]]
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    out = xy.copy()
    step = 2 * radius + gap
    turns = 2 * np.pi * np.arange(SPREAD_DIRECTIONS) / SPREAD_DIRECTIONS
    rings = 0.5 * step * np.arange(1, SPREAD_RINGS + 1)
    for i in range(1, len(xy)):  # one step per marker: each is placed against those before it
        placed = out[:i]
        gaps = np.hypot(*(placed - xy[i]).T)
        if gaps.min() >= step * 0.999:
            continue
        away = xy[i] - placed[np.argmin(gaps)]
        start = np.arctan2(away[1], away[0]) if np.hypot(*away) > 1e-9 else np.pi / 2
        angle = (start + turns)[None, :]
        cand = (xy[i][None, None, :] + rings[:, None, None]
                * np.stack([np.cos(angle), np.sin(angle)], axis=-1)).reshape(-1, 2)
        free = (np.hypot(*(cand[:, None, :] - placed[None, :, :]).transpose(2, 0, 1)) >= step * 0.999).all(axis=1)
        if bounds is not None and _inside_box(xy[i], bounds, 0.0):
            free &= _inside_box(cand, bounds, radius)
        if free.any():
            out[i] = cand[np.argmax(free)]  # rings nearest first, then the directions from "away"
    return out


def _inside_box(xy: np.ndarray, bounds: tuple[float, float, float, float], margin: float) -> np.ndarray:
    """Whether points lie inside ``bounds`` shrunk by ``margin`` (display units)."""
    x0, y0, x1, y1 = bounds
    x, y = np.asarray(xy, dtype=float).T
    return (x >= x0 + margin) & (x <= x1 - margin) & (y >= y0 + margin) & (y <= y1 - margin)


def circle_radius(ax, text: str, **style) -> float:
    """The radius, in pixels, of the circle box matplotlib draws round ``text`` with ``style``
    (``fontsize``, ``weight``, ``bbox``...), its edge included: measured on a text drawn and removed."""
    probe = ax.text(0, 0, text, ha="center", va="center", parse_math=False, **style)
    renderer = ax.figure.canvas.get_renderer()
    probe.update_bbox_position_size(renderer)
    patch = probe.get_bbox_patch()
    x0, _, x1, _ = patch.get_window_extent(renderer).extents
    probe.remove()
    return (x1 - x0) / 2 + patch.get_linewidth() * ax.figure.dpi / 72 / 2


@dataclass(frozen=True)
class PageText:
    """A street label as the PDF writes it: ``x``, ``y`` the middle of its baseline as
    fractions of the figure's width and height from its bottom left; ``angle`` degrees
    anticlockwise; ``size`` points at the figure's size; ``colour`` 0-255 RGB."""

    text: str
    x: float
    y: float
    angle: float
    size: float
    colour: tuple[int, int, int]


def place_labels(ax, labels: pd.DataFrame, *, limit: int, size: float, avoid=None, margin_pt: float = 1.5) -> list:
    """Draw up to ``limit`` of ``labels`` (:func:`.streets.street_labels`) where none overlaps
    another label, ``avoid`` or the map's edge; return their matplotlib texts.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The map, its limits set (one metre the same length both ways).
    labels : pandas.DataFrame
        ``text``, ``x``, ``y`` (metres), ``angle`` (degrees), in the order to try them.
    limit : int
        Labels at most.
    size : float
        Font size, points.
    avoid : shapely geometry, optional
        Where no label may go, in display coordinates (pixels): markers, scale bar, north arrow.
    margin_pt : float, default=1.5
        Room kept round each label, points.

    Returns
    -------
    list of matplotlib.text.Text
    """
    if labels is None or not len(labels) or limit <= 0:
        return []
    from matplotlib import patheffects
    from matplotlib.font_manager import FontProperties

    halo = [patheffects.withStroke(linewidth=HALO_PT, foreground="white")]
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72.0
    font = FontProperties(size=size)
    frame = shapely.box(*ax.get_window_extent(renderer).extents).buffer(-2 * px)
    for geom in (frame, avoid):
        if geom is not None:
            shapely.prepare(geom)
    placed, texts = [], []
    anchors = ax.transData.transform(labels[["x", "y"]].to_numpy(dtype=float))
    for text, (ax_x, ax_y), angle in zip(labels["text"].astype(str), anchors, labels["angle"].to_numpy(float)):
        width, height, descent = renderer.get_text_width_height_descent(text, font, ismath=False)
        theta = np.radians(angle)
        along, across = np.array([np.cos(theta), np.sin(theta)]), np.array([-np.sin(theta), np.cos(theta)])
        half_w, half_h = width / 2 + margin_pt * px, height / 2 + margin_pt * px
        box = None
        for da, dc in _CANDIDATES:  # a few tries per label
            centre = np.array([ax_x, ax_y]) + da * width * along + dc * height * across
            corners = centre + np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) @ np.array([half_w * along,
                                                                                          half_h * across])
            trial = shapely.Polygon(corners)
            if not frame.contains(trial) or (avoid is not None and trial.intersects(avoid)) \
                    or (placed and shapely.intersects(trial, placed).any()):
                continue
            box = trial
            break
        if box is None:
            continue
        placed.append(box)
        base = centre - (height / 2 - descent) * across  # the middle of the baseline
        bx, by = ax.transData.inverted().transform(base)
        texts.append(ax.text(bx, by, text, rotation=angle, rotation_mode="anchor", ha="center", va="baseline",
                             fontsize=size, color=STREET_COLOUR, zorder=5.5, path_effects=halo, gid=STREET_GID,
                             clip_on=False, parse_math=False))  # measured as text (ismath=False) above
        if len(texts) >= limit:
            break
    return texts


def draw_roads(ax, roads, extent, *, linewidth: float = 0.6, zorder: float = 0.5) -> None:
    """A roads layer's lines in view (``extent``, metres) as thin grey lines, under the places."""
    if roads is None or not len(roads):
        return
    from matplotlib.collections import LineCollection

    geoms = shapely.intersection(roads.geometry.to_numpy(), shapely.box(*extent))
    parts = shapely.get_parts(geoms[~shapely.is_empty(geoms)])
    lines = [shapely.get_coordinates(p) for p in parts[shapely.get_type_id(parts) == 1]]  # LineStrings
    if lines:
        ax.add_collection(LineCollection(lines, colors=ROAD_EDGE, linewidths=linewidth, zorder=zorder),
                          autolim=False)


def label_streets(ax, extent, *, streets: pd.DataFrame | None = None, roads=None, avoid=(), focus=(),
                  clear_of=None, size: float = 6.5) -> list:
    """Name the streets of a map's extent (:func:`.streets.street_labels`), as many as the
    figure's size takes (:func:`label_limit`), clear of each other, of ``avoid``, of the
    scale bar's corner (bottom left) and of the north arrow's (top right).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The map, its limits set.
    extent : (float, float, float, float)
        The map's extent, metres (EPSG:27700).
    streets : pandas.DataFrame, optional
        :func:`.streets.record_streets`. Not modified.
    roads : geopandas.GeoDataFrame, optional
        ``name``, ``number``, line ``geometry``; named before the records' streets. Not modified.
    avoid : sequence of matplotlib.text.Text, default=()
        Texts to keep clear of: numbered markers (their circles) and other labels.
    focus : sequence of shapely geometry, default=()
        Where streets matter most, most first (:func:`.streets.street_labels`).
    clear_of : shapely geometry, optional
        Map areas no label may cover (metres, EPSG:27700), e.g. places too small to read under one.
    size : float, default=6.5
        Font size, points.

    Returns
    -------
    list of matplotlib.text.Text
    """
    streets = check_streets(streets, "label_streets")
    if (streets is None or not len(streets)) and (roads is None or not len(roads)):
        return []
    renderer = ax.figure.canvas.get_renderer()
    corners = (((0, 0), (0.38, 0.14)), ((0.88, 0.78), (1, 1)))
    keep_clear = [shapely.box(*ax.transAxes.transform([a, b]).ravel()) for a, b in corners]
    keep_clear += display_circles([t for t in avoid if t.get_bbox_patch() is not None], renderer)
    keep_clear += [shapely.box(*t.get_window_extent(renderer).extents) for t in avoid if t.get_bbox_patch() is None]
    if clear_of is not None:
        keep_clear.append(shapely.transform(clear_of, ax.transData.transform))
    focus = [shapely.simplify(g, 5.0) if g is not None else None for g in focus]  # fewer vertices, same tiers
    limit = label_limit(ax.figure)
    labels = street_labels(extent, streets=streets, roads=roads, focus=focus).head(8 * limit)  # enough to try
    return place_labels(ax, labels, limit=limit, size=size, avoid=shapely.union_all(keep_clear))


#: Candidate label centres: (along the street, across it) in label widths and heights.
_CANDIDATES = ((0, 0), (0, 1.1), (0, -1.1), (0.6, 0), (-0.6, 0), (0.6, 1.1), (-0.6, -1.1), (0.6, -1.1),
               (-0.6, 1.1), (0, 2.2), (0, -2.2))


def display_circles(texts, renderer) -> list:
    """The circles round numbered markers (texts with a circle box), as shapely polygons in pixels."""
    out = []
    for t in texts:
        patch = t.get_bbox_patch()
        if patch is None:
            continue
        t.update_bbox_position_size(renderer)
        x0, y0, x1, y1 = patch.get_window_extent(renderer).extents
        out.append(shapely.Point((x0 + x1) / 2, (y0 + y1) / 2).buffer((x1 - x0) / 2))
    return out


def label_limit(fig) -> int:
    """Street labels a figure of this size takes: one per two square inches, at least 4."""
    width, height = fig.get_size_inches()
    return max(4, int(round(0.5 * width * height)))


def street_texts(fig) -> list:
    """The figure's street labels (matplotlib texts with ``gid`` :data:`STREET_GID`)."""
    return [t for ax in fig.axes for t in ax.texts if t.get_gid() == STREET_GID]


def page_texts(fig) -> list[PageText]:
    """The figure's street labels as :class:`PageText`."""
    from matplotlib.colors import to_rgb

    out = []
    to_figure = fig.transFigure.inverted()
    for t in street_texts(fig):
        x, y = to_figure.transform(t.get_transform().transform(t.get_position()))
        colour = tuple(int(round(255 * c)) for c in to_rgb(t.get_color()))
        out.append(PageText(t.get_text(), float(x), float(y), float(t.get_rotation()), float(t.get_fontsize()),
                            colour))
    return out


def figure_parts(fig, *, dpi: int):
    """The figure as an RGB image with only the white halos of its street labels, and the
    labels as :class:`PageText` to write over it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : int
        Dots per inch of the image.

    Returns
    -------
    image : PIL.Image.Image
    texts : list of PageText
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import to_rgb
    from PIL import Image

    labels = street_texts(fig)
    texts = page_texts(fig)
    colours = [t.get_color() for t in labels]
    for t, colour in zip(labels, colours):
        t.set_color((*to_rgb(colour), 0.0))  # the halo (its own white) is drawn, the letters are not
    try:
        fig.set_dpi(dpi)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        image = image.convert("RGB")
    finally:
        for t, colour in zip(labels, colours):
            t.set_color(colour)
    return image, texts


def write_texts(pdf, texts: list[PageText], *, x: float, y: float, w: float, h: float, family: str = "DejaVu",
                figure_width_in: float) -> None:
    """Write street labels into an fpdf2 page over their map's image placed at ``x``, ``y``
    (its top left, mm) ``w`` by ``h`` mm (the image has their halos: :func:`figure_parts`).

    Parameters
    ----------
    pdf : fpdf.FPDF
        With ``family`` (DejaVu Sans, matplotlib's own font) added in its regular style.
    texts : list of PageText
    x, y, w, h : float
        Where the image is on the page, mm.
    family : str, default="DejaVu"
    figure_width_in : float
        The figure's width, inches (font sizes are scaled from it to ``w``).
    """
    scale = w / (figure_width_in * 25.4)
    for t in texts:  # one step per label placed
        ax, ay = x + t.x * w, y + (1 - t.y) * h
        with pdf.local_context(font_family=family, font_style="", font_size_pt=t.size * scale):
            half = pdf.get_string_width(t.text) / 2
            with pdf.rotation(t.angle, x=ax, y=ay), pdf.local_context(text_color=t.colour):
                pdf.text(ax - half, ay, t.text)
