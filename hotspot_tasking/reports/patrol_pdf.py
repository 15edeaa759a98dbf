"""The printable patrol plan: one A4 page with the title, shift and window, a map of the
numbered places over the area's outline, the table and the notes. A plan not split by shift
(no record has a time of day) says why under its title and has no hours or days columns.

The map (:func:`patrol_map`) names the streets around the places, from the records' own
street names (:func:`.streets.record_streets`) or a roads layer, written into the PDF as
text; numbers that would hide each other are spread apart, each with a thin line to its
place (:mod:`.placement`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from ..geo.schema import LOCAL_TZ
from ..patrol.plan import PatrolPlan
from ..patrol.words import incidents_text
from ..validation import check_type
from .placement import MARKER_GID, circle_radius, draw_roads, figure_parts, label_streets, spread_markers, write_texts
from .streets import check_streets

#: The map's size on the page, mm, and its figure's size, inches.
MAP_MM, MAP_IN = (186, 105), (7.3, 4.1)
PLACE_COLOUR = "#0072B2"


def patrol_plan_pdf(plan: PatrolPlan, path: str | Path | None = None, *, outline=None,
                    marking: str = "OFFICIAL", streets: pd.DataFrame | None = None, roads=None) -> bytes:
    """One A4 page: title, shift and window, a map of the numbered places, the table, notes.

    Parameters
    ----------
    plan : PatrolPlan
    path : str or Path, optional
        Also write the PDF there.
    outline : shapely geometry, optional
        The area's outline (EPSG:27700), drawn under the places.
    marking : str, default="OFFICIAL"
        Protective marking printed at the top and bottom ("" for none).
    streets : pandas.DataFrame, optional
        The street names the records carry (:func:`.streets.record_streets`), named on the map.
    roads : geopandas.GeoDataFrame, optional
        A roads layer (``name``, ``number``, ``kind``, line ``geometry``, EPSG:27700), drawn
        under the places and named before the records' streets.

    Returns
    -------
    bytes
        The PDF.
    """
    import matplotlib
    from fpdf import FPDF

    check_type(plan, "plan", "patrol_plan_pdf", PatrolPlan, type_name="a PatrolPlan")
    fig = patrol_map(plan, outline=outline, streets=streets, roads=roads)

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    if marking:
        pdf.set_font("DejaVu", "B", 9)
        pdf.text(105 - pdf.get_string_width(marking) / 2, 8, marking)
        pdf.text(105 - pdf.get_string_width(marking) / 2, 292, marking)
    pdf.set_xy(12, 12)
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(186, 7, plan.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.set_x(12)
    intro, table, notes = plan_words(plan)
    pdf.multi_cell(186, 4.5, intro, new_x="LMARGIN", new_y="NEXT")
    image, texts = figure_parts(fig, dpi=170)
    top = pdf.get_y() + 2
    pdf.image(image, x=12, y=top, w=MAP_MM[0], h=MAP_MM[1])
    write_texts(pdf, texts, x=12, y=top, w=MAP_MM[0], h=MAP_MM[1], figure_width_in=MAP_IN[0])
    pdf.set_y(top + 108)
    widths, align = ((8, 64, 24, 28, 20, 42), ("RIGHT", "LEFT", "LEFT", "LEFT", "RIGHT", "LEFT")) if plan.by_shift \
        else ((8, 96, 26, 56), ("RIGHT", "LEFT", "RIGHT", "LEFT"))
    with pdf.table(col_widths=widths, text_align=align, line_height=4.6, first_row_as_headings=True) as grid:
        pdf.set_font("DejaVu", "", 8)
        for row in table:  # the header, then one row per place (at most `top`)
            grid.row(row)
    pdf.set_font("DejaVu", "", 7)
    notes += [f"Produced {pd.Timestamp.now(tz=LOCAL_TZ):%d/%m/%Y} by hotspot-tasking. "
              "Contains OS data © Crown copyright and database right."]
    pdf.set_xy(12, max(pdf.get_y() + 3, 262))
    pdf.multi_cell(186, 3.4, "\n".join(notes))
    data = bytes(pdf.output())
    if path is not None:
        Path(path).write_bytes(data)
    return data


def plan_words(plan: PatrolPlan) -> tuple[str, list[list[str]], list[str]]:
    """What the page prints in words: the line under the title, the table (its header first)
    and the notes. A plan not split by shift (no time of day) says why in the line under the
    title and has no hours or days columns.

    Parameters
    ----------
    plan : PatrolPlan

    Returns
    -------
    intro : str
    table : list of list of str
    notes : list of str
    """
    timed = plan.by_shift
    intro = plan.summary + (" Places in order of incidents in the shift; be there in the hours shown." if timed
                            else f" Places in order of incidents in the month. {plan.time_note}")
    table = [["#", "Place", *(["Be there", "Days"] if timed else []), "Incidents", "Mostly"]]
    table += [[str(r.order), r.place_name, *([r.best_hours, r.best_days] if timed else []),
               f"{incidents_text(r.incidents)} ({r.share:.0%})", r.categories.split(",")[0]]
              for r in plan.frame.itertuples()]
    notes = [c for c in plan.caveats if c != plan.time_note]  # the time note is under the title
    return intro, table, notes + [f"Method: {plan.card.data.get('places')}. {plan.card.data.get('shift')}."]


def patrol_map(plan: PatrolPlan, *, outline=None, streets: pd.DataFrame | None = None, roads=None):
    """The plan's map: the area outline, roads, the places as numbered circles (spread apart,
    with a line to their place, where they would overlap), street names, scale bar and north arrow.

    Parameters
    ----------
    plan : PatrolPlan
    outline : shapely geometry, optional
        The area's outline (EPSG:27700).
    streets : pandas.DataFrame, optional
        :func:`.streets.record_streets`. Not modified.
    roads : geopandas.GeoDataFrame, optional
        ``name``, ``number``, ``kind``, line ``geometry`` (EPSG:27700). Not modified.

    Returns
    -------
    matplotlib.figure.Figure
        7.3 by 4.1 inches; the markers are texts with ``gid`` "marker", the street names
        texts with ``gid`` "street-label".
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    streets = check_streets(streets, "patrol_map")
    fig = Figure(figsize=MAP_IN)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_aspect("equal")
    ax.axis("off")
    xs, ys = plan.frame["easting"].to_numpy(), plan.frame["northing"].to_numpy()
    if outline is not None:
        for poly in getattr(outline, "geoms", [outline]):  # one step per polygon part
            x, y = poly.exterior.xy
            ax.fill(x, y, facecolor="#f2f2f2", edgecolor="#5a5a5a", linewidth=1.2)
        x0, y0, x1, y1 = outline.bounds
    else:
        x0, y0, x1, y1 = (xs.min(), ys.min(), xs.max(), ys.max()) if len(xs) else (0, 0, 1, 1)
    pad = max(x1 - x0, y1 - y0, 400) * 0.06
    cx, cy, half_w, half_h = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2 + pad, (y1 - y0) / 2 + pad
    half_w, half_h = max(half_w, half_h * MAP_IN[0] / MAP_IN[1]), max(half_h, half_w * MAP_IN[1] / MAP_IN[0])
    extent = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.apply_aspect()
    draw_roads(ax, roads, extent, linewidth=0.7, zorder=1.5)
    markers = _markers(ax, xs, ys, plan.frame["order"].to_numpy())
    near = shapely.union_all(shapely.buffer(shapely.points(xs, ys), 150)) if len(xs) else None
    label_streets(ax, extent, streets=streets, roads=roads, avoid=markers, focus=[near, outline], size=7.0)
    bar = next((s for s in (2000, 1000, 500, 250, 100, 50) if s <= half_w * 0.6), 50)
    bx, by = cx - half_w * 0.95, cy - half_h * 0.92
    ax.plot([bx, bx + bar], [by, by], color="black", linewidth=2.5)
    ax.text(bx + bar / 2, by + half_h * 0.03, f"{bar:,} m" if bar < 1000 else f"{bar / 1000:g} km", ha="center",
            fontsize=8)
    ax.annotate("N", xy=(cx + half_w * 0.93, cy + half_h * 0.9), xytext=(cx + half_w * 0.93, cy + half_h * 0.7),
                ha="center", fontsize=10, weight="bold", arrowprops={"arrowstyle": "-|>", "color": "black"})
    return fig


def _markers(ax, xs: np.ndarray, ys: np.ndarray, numbers: np.ndarray) -> list:
    """Numbered blue circles at the places, spread apart where they would overlap, each moved
    one joined to a dot at its place by a thin line."""
    if not len(xs):
        return []
    px = ax.figure.dpi / 72
    style = {"fontsize": 9, "weight": "bold", "bbox": {"boxstyle": "circle,pad=0.5", "facecolor": PLACE_COLOUR,
                                                       "edgecolor": "white", "linewidth": 1.2}}
    radius = circle_radius(ax, str(int(numbers.max())), **style)
    true = ax.transData.transform(np.column_stack([xs, ys]))
    at = ax.transData.inverted().transform(spread_markers(true, radius=radius, gap=1.5 * px,
                                                          bounds=tuple(ax.bbox.extents)))
    moved = np.hypot(*(ax.transData.transform(at) - true).T) > 0.5 * px
    if moved.any():
        ax.plot(np.vstack([xs[moved], at[moved, 0]]), np.vstack([ys[moved], at[moved, 1]]), color="#333333",
                linewidth=0.8, zorder=2.5)
        ax.scatter(xs[moved], ys[moved], s=9, color=PLACE_COLOUR, edgecolor="white", linewidth=0.5, zorder=2.6)
    return [ax.text(x, y, str(k), color="white", ha="center", va="center", zorder=4, gid=MARKER_GID, **style)
            for (x, y), k in zip(at, numbers)]  # one step per place
