"""A tasking list for every area of a layer (``hotspot-tasking tasking --each-area``).

Each area of the layer (a ward, an LSOA, a zone such as a community safety partnership, a
local authority or a force) gets the list a partnership whose study area is that one area
would get on its own: the request with ``area=(layer, code)``
(:attr:`~hotspot_tasking.ranking.request.TaskingRequest.area`; the study area and the
incidents read follow :func:`~hotspot_tasking.pipeline.context.area_reach`). The areas are
tasks of the command's engine (:func:`hotspot_tasking.engine.current_engine`): each
(:func:`area_list`) gets its area's position, code and name, opens the workspace itself,
reads only its own incidents, writes its files into its own folder and returns one small
summary row, so the driver never holds more than the layer's codes and the rows.

Files, under the output folder ``DIR``:

- ``DIR/NNN-CODE/`` per area: ``NNN`` the area's position in the layer (1-based, zero-padded
  to at least 3 digits), ``CODE`` its code reduced to ``[A-Za-z0-9_-]`` and cut to 40
  characters (:func:`area_slug`: codes and names come from data files, so they never make a
  path); in it one file per format asked for (:data:`AREA_FILES`: ``tasking.csv``,
  ``briefing.pdf``, ...);
- ``DIR/summary.csv``: :data:`SUMMARY_COLUMNS`, one row per area in layer order, text made
  plain and spreadsheet formulas neutralised (:mod:`hotspot_tasking.formulaguard`).

Nothing is stored in the workspace (``save=False``): an area's list asks its own question
(``area`` is part of :meth:`~hotspot_tasking.ranking.request.TaskingRequest.key`), so a stored
list of the whole partnership is neither read nor replaced.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import shapely

from ..boundaries.study import layer_named
from ..engine import current_engine
from ..errors import TaskingError, UserError
from ..formulaguard import neutralise_frame
from ..geo.schema import LOCAL_TZ
from ..geo.select import select_incidents
from ..geo.workspace import Workspace
from ..periods import review_period
from ..ranking.request import TaskingRequest
from ..reports.tables import disclose_list
from ..validation import check_type
from .context import area_outline, area_reach
from .exports import export_list, report_setting
from .tasking import request_incidents, tasking_list

#: Per format (the export's extension), the file each area's folder gets.
AREA_FILES = {"csv": "tasking.csv", "xlsx": "tasking.xlsx", "gpkg": "tasking.gpkg", "geojson": "tasking.geojson",
              "pdf": "briefing.pdf", "png": "map.png"}
#: The formats written when none are named.
DEFAULT_FORMATS = ("csv", "pdf")
#: The summary's columns: the area's position in the layer (1-based), code and name; the
#: incidents of the review period in the area (its outline, edges included) matching the
#: request's categories, groups and sources, at all times of day; the places listed; the
#: first place's name (as the exports disclose it) and score (0-100); the files written
#: (relative to the output folder, ";"-separated); and why the list failed ("" when it did not).
SUMMARY_COLUMNS = ("position", "area_code", "area_name", "incidents", "places", "top_place", "top_score", "files",
                   "error")
#: Characters an area's code keeps in its folder's name, and how many at most.
SLUG_KEEPS = re.compile(r"[^A-Za-z0-9_-]")
SLUG_MAX_CHARS = 40


@dataclass(frozen=True)
class AreaItem:
    """One area's task: its position in the layer (1-based), code (as stored), name (plain text)
    and folder name (:func:`area_slug`)."""

    position: int
    code: str
    name: str
    folder: str


def area_slug(position: int, code: str, *, width: int = 3) -> str:
    """A safe folder name for an area: its position, zero-padded, and its code reduced to
    ``[A-Za-z0-9_-]`` and cut to 40 characters (the position keeps two codes that reduce
    alike apart).

    >>> area_slug(3, "E05009288")
    '003-E05009288'
    >>> area_slug(12, "../../x"), area_slug(7, "=HYPERLINK(\\"http://x\\")")
    ('012-x', '007-HYPERLINKhttpx')
    >>> area_slug(1, "..")
    '001'
    """
    kept = SLUG_KEEPS.sub("", str(code))[:SLUG_MAX_CHARS]
    number = f"{position:0{width}d}"
    return f"{number}-{kept}" if kept else number


def plain_text(value) -> str:
    """Text with its control characters (line breaks, escapes) made spaces, trimmed."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in str(value)).strip()


def check_formats(formats) -> tuple[str, ...]:
    """The formats named (``"csv,pdf"`` or a list), lower-case, each once, in order.

    Raises
    ------
    TaskingError
        None named, or one :data:`AREA_FILES` does not know.
    """
    words = formats.split(",") if isinstance(formats, str) else list(formats)
    names = tuple(dict.fromkeys(w.strip().lower().lstrip(".") for w in words if w.strip()))
    unknown = [n for n in names if n not in AREA_FILES]
    if unknown or not names:
        raise TaskingError(f"--formats {','.join(unknown) or '(none)'}: not an export format; "
                           f"name one or more of {', '.join(AREA_FILES)}, comma-separated.")
    return names


def plan_areas(ws: Workspace, layer: str) -> tuple[str, list[AreaItem]]:
    """The layer a person means (a name, or ward|lsoa|zone for the latest of that kind) and its
    areas in layer order, each with its folder name.

    Raises
    ------
    BoundaryError, TaskingError
        No such layer, or the layer holds no area.
    """
    name = layer_named(ws.layers(), layer)
    frame = ws.read_layer(name)
    codes = frame["code"].astype("str").tolist()
    names = (frame["name"] if "name" in frame else frame["code"]).astype("str").tolist()
    if not codes:
        raise TaskingError(f"the area layer {name!r} holds no area; add its boundaries again.")
    width = max(3, len(str(len(codes))))
    return name, [AreaItem(i, code, plain_text(label), area_slug(i, code, width=width))
                  for i, (code, label) in enumerate(zip(codes, names, strict=True), start=1)]


def each_area(ws: Workspace, request: TaskingRequest, layer: str, out: str | Path, *,
              formats=DEFAULT_FORMATS) -> pd.DataFrame:
    """One tasking list per area of ``layer``, exported into ``out``, with the summary.

    The areas run as tasks of the current engine (:func:`~hotspot_tasking.engine.current_engine`).

    Parameters
    ----------
    ws : Workspace
    request : TaskingRequest
        The question every area's list asks (its ``area`` is set per area).
    layer : str
        A layer's name, or ``"ward"``, ``"lsoa"``, ``"zone"`` for the latest of that kind.
    out : str or Path
        The output folder; created if missing.
    formats : str or sequence of str, default=("csv", "pdf")
        Keys of :data:`AREA_FILES`.

    Returns
    -------
    pandas.DataFrame
        :data:`SUMMARY_COLUMNS`, one row per area in layer order (plain text, not guarded);
        also written, guarded, to ``out/summary.csv``.
    """
    check_type(ws, "ws", "each_area", Workspace, type_name="a Workspace")
    check_type(request, "request", "each_area", TaskingRequest, type_name="a TaskingRequest")
    formats = check_formats(formats)
    name, items = plan_areas(ws, layer)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = current_engine().map(area_list, items, root=str(ws.root), request=replace(request, area=None),
                                layer=name, out=str(out), formats=formats)
    summary = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    write_summary(summary, out / "summary.csv")
    return summary


def area_list(item: AreaItem, *, root: str, request: TaskingRequest, layer: str, out: str,
              formats: tuple[str, ...]) -> dict:
    """One area's list, built and exported in this process (an engine's task); its summary row.

    A :class:`~hotspot_tasking.errors.UserError` (no incidents, a failed export) becomes the
    row's ``error``; anything else is a bug and is raised.
    """
    row = {"position": item.position, "area_code": plain_text(item.code), "area_name": item.name, "incidents": 0,
           "places": 0, "top_place": "", "top_score": float("nan"), "files": "", "error": ""}
    written: list[str] = []
    try:
        ws = Workspace.open(root)
        asked = replace(request, area=(layer, item.code))
        table = request_incidents(ws, asked)
        if not len(table):
            reach = area_reach(ws, asked)
            raise TaskingError(f"no incident is recorded within {reach.margin_m / 1000:g} km of the area's "
                               "bounding box (the import margin); there is nothing to rank.")
        row["incidents"] = period_incidents(table, asked, area_outline(ws, asked))
        listed = tasking_list(ws, asked, incidents=table, save=False)
        del table
        row["places"] = len(listed.frame)
        shown = disclose_list(listed, setting=report_setting(ws, maps=False), top=1).shown
        if len(shown):
            row["top_place"] = plain_text(shown["place_name"].iloc[0])
            row["top_score"] = float(shown["score"].iloc[0])
        folder = Path(out) / item.folder
        folder.mkdir(parents=True, exist_ok=True)
        for fmt in formats:
            export_list(ws, listed, folder / AREA_FILES[fmt], top=request.top)
            written.append(f"{item.folder}/{AREA_FILES[fmt]}")
    except UserError as err:
        row["error"] = plain_text(err)
    row["files"] = ";".join(written)
    return row


def period_incidents(table: pd.DataFrame, request: TaskingRequest, outline) -> int:
    """Records of the request's review period (by ``occurred_from``, local time) matching its
    categories, groups and sources whose map point lies in ``outline`` (edges included)."""
    review = review_period(request.period)
    start = review.start.tz_localize(LOCAL_TZ)
    end = review.shifted(1).start.tz_localize(LOCAL_TZ)
    when = table["occurred_from"]
    chosen = table[select_incidents(table, sources=request.sources, categories=request.categories,
                                    groups=request.groups) & (when >= start) & (when < end)]
    if outline is None or not len(chosen):
        return len(chosen)
    shapely.prepare(outline)
    return int(shapely.intersects_xy(outline, chosen["easting"].to_numpy(float),
                                     chosen["northing"].to_numpy(float)).sum())


def write_summary(summary: pd.DataFrame, path: Path) -> None:
    """Write the summary as CSV, every text cell guarded, beside ``path`` then renamed into place
    (its folder made when missing; nothing is left behind when the write fails)."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give a file to write, e.g. {path / 'table.csv'}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        neutralise_frame(summary).to_csv(tmp, index=False, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
