"""The hotspot explorer's table (:func:`explorer_table`): every hotspot of one analysis named as
the tasking list names its places, with its method's own measures, strongest first.

A hotspot's incidents are the run's own (the request's selection: categories, dates, band,
each incident weighted by its share of the band: :func:`~hotspot_tasking.hotspots.run.select_request`):

- KDE: those in its grid cells (the cells :func:`~hotspot_tasking.hotspots.areas.hotspot_areas`
  counted, all in the study area); its dominant categories and peak band, day and hour
  follow DBSCAN's rules (:func:`~hotspot_tasking.hotspots.clusters.dominant_categories`,
  :func:`~hotspot_tasking.hotspots.clusters.peaks`) over those in the band, so the two read alike;
- DBSCAN: those whose map point is inside its outline (as the tasking list's DBSCAN places);
  its measures are the cluster table's;
- Gi*: hot cells sharing an edge make one hotspot (the rule KDE's hotspots follow, so both
  tables list places, not cells), holding the incidents of its cells; its z, p and FDR p
  are those of its strongest cell (the highest z has the lowest p and FDR p). A group with
  no incident of its own (hot through its neighbours alone) is named from the incidents
  within the Gi* distance band of its cells, those that made it hot.

The name is :func:`~hotspot_tasking.ranking.profile.profiles`' ``place_name`` over those
incidents, each weighted by its band weight (:mod:`~hotspot_tasking.ranking.names`): the
street their records name most, or the named road under most of them when the workspace
has a roads layer, then the wards holding at least 20% of them in brackets; the wards alone
where no street is known.

Rows are ranked 1..n by the method's strength: KDE by peak density (ties: more incidents,
then the hotspot id), DBSCAN by incidents (ties: the cluster id), Gi* by z (ties: more
incidents, then the group north-west first). The peak band, day and hour columns are left
out when no hotspot holds a record with a time of day (police.uk's months).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from ..boundaries.store import study_area
from ..boundaries.study import latest_layer
from ..geo.coords import distinct_points
from ..geo.timebands import NO_TIME_OF_DAY
from ..geo.workspace import Workspace
from ..hotspots.bands import ALL_TIMES
from ..hotspots.clusters import dominant_categories, peaks
from ..hotspots.errors import HotspotError
from ..hotspots.grid import Grid
from ..hotspots.run import HotspotRequest, HotspotRun, select_request, workspace_grid
from ..ranking.config import RankingConfig
from ..ranking.profile import Members, profiles
from ..ranking.request import RankingContext
from ..ranking.tactics import TacticMenu
from ..reports.setting import band_label, band_labels
from ..validation import check_frame, check_type
from .context import road_index

_EDGE = np.array([[False, True, False], [True, True, True], [False, True, False]])  # cells sharing an edge
PLACE_HELP = ("The place as the tasking list names it: the street its incidents' records name most (the named road "
              "under most of them when the workspace has a roads layer), then in brackets the wards holding at least "
              "20% of them; the wards alone where no street is known.")


@dataclass(frozen=True)
class Column:
    """One column of the explorer's table.

    Attributes
    ----------
    header : str
        The column's name in the frame, with its units ("area, km²").
    help : str
        What the measure is, in a sentence or two (the column header's tooltip).
    format : str or None
        How to show its numbers: printf-style (``"%.3g"``) or ``"percent"``; None for text.
    """

    header: str
    help: str
    format: str | None = None


@dataclass(frozen=True)
class ExplorerTable:
    """The explorer's table of one analysis.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per hotspot (Gi*: per group of hot cells), strongest first; index ``rank``
        1..n; columns the headers of ``columns``, in their order, the place name first.
    columns : tuple of Column
    names : tuple of str
        Per row of the run's ``"hotspots"`` layer, its place name (a Gi* cell: its group's).
    sorted_by : str
        The header of the column the rows are ranked on.
    """

    frame: pd.DataFrame
    columns: tuple[Column, ...]
    names: tuple[str, ...]
    sorted_by: str


def explorer_days(ws: Workspace, request: HotspotRequest) -> tuple[str, str] | None:
    """The days whose incidents an explorer analysis of ``request`` needs, or None for all of them.

    With a study area the grid covers the area, whatever the incidents, so a run, its table
    and its grid from the request's own days (``start`` to ``end``, local, inclusive) are
    those from the whole table; without one the grid spans every incident, so all are needed
    (likewise when the request has no start or no end).

    Returns
    -------
    (str, str) or None
        ``(request.start, request.end)``, or None.
    """
    check_type(ws, "ws", "explorer_days", Workspace, type_name="a Workspace")
    check_type(request, "request", "explorer_days", HotspotRequest, type_name="a HotspotRequest")
    if request.start is None or request.end is None or study_area(ws) is None:
        return None
    return request.start, request.end


def explorer_grid(ws: Workspace) -> Grid:
    """The workspace's grid (:func:`~hotspot_tasking.hotspots.run.workspace_grid`) at its automatic
    cell size, reading no incident when the workspace has a study area (the grid covers it), else
    only their points."""
    check_type(ws, "ws", "explorer_grid", Workspace, type_name="a Workspace")
    area = study_area(ws)
    points = ws.incidents(["easting", "northing"]) if area is None else pd.DataFrame({"easting": [], "northing": []})
    return workspace_grid(ws, points, area=area)


def explorer_table(ws: Workspace, run: HotspotRun, *, incidents: pd.DataFrame | None = None) -> ExplorerTable:
    """The explorer's table of a run on a workspace (:func:`hotspot_table` with what the workspace gives).

    Reads the time bands, ``tasking.toml`` ``[ranking]``, ``tactics.toml``, the latest ward layer
    (ward names), the study area and the roads layer (when there is one).

    Parameters
    ----------
    ws : Workspace
    run : HotspotRun
        The analysis (:func:`~hotspot_tasking.hotspots.run.run_hotspots` on ``ws``).
    incidents : pandas.DataFrame, optional
        The workspace's incident table with its area codes, if already loaded
        (:func:`~hotspot_tasking.boundaries.store.incidents_with_areas`). Not modified.

    Returns
    -------
    ExplorerTable
    """
    check_type(ws, "ws", "explorer_table", Workspace, type_name="a Workspace")
    check_type(run, "run", "explorer_table", HotspotRun, type_name="a HotspotRun")
    table = ws.incidents() if incidents is None else check_frame(incidents, "incidents", "explorer_table")
    area = study_area(ws)
    ward = latest_layer(ws.layers(), "ward")
    context = RankingContext(bands=ws.time_bands(), config=RankingConfig.load(ws.config_path("tasking.toml")),
                             tactics=TacticMenu.load(ws.config_path("tactics.toml")),
                             layers={} if ward is None else {ward: ("ward", ws.read_layer(ward))},
                             study_area=area, roads=road_index(ws, study_area=area))
    grid = None
    if run.request.method == "gistar":  # the grid analyse made (the surface carries KDE's)
        grid = workspace_grid(ws, table, cell_size_m=run.request.cell_size_m, area=area)
    return hotspot_table(run, table, context, grid=grid)


def hotspot_table(run: HotspotRun, incidents: pd.DataFrame, context: RankingContext, *,
                  grid: Grid | None = None) -> ExplorerTable:
    """The explorer's table of a run: each hotspot named, with its method's measures (module notes).

    Parameters
    ----------
    run : HotspotRun
        The analysis.
    incidents : pandas.DataFrame
        The incident table the run selected from (with ``ward_code`` for the ward names). Not modified.
    context : RankingContext
        Time bands, ``[ranking]`` (``place_max_across_m``: how far a place named by a generic
        word alone looks for a street, metres), tactics, the ward layer, the roads.
    grid : Grid, optional
        The grid a Gi* run was made on (:func:`~hotspot_tasking.hotspots.run.workspace_grid`);
        needed for Gi* only (KDE's is its surface's).

    Returns
    -------
    ExplorerTable

    Raises
    ------
    TypeError
        An argument of the wrong type.
    HotspotError
        A Gi* run without its grid, or with a grid its cells are not on.
    """
    where = "hotspot_table"
    check_type(run, "run", where, HotspotRun, type_name="a HotspotRun")
    check_frame(incidents, "incidents", where)
    check_type(context, "context", where, RankingContext, type_name="a RankingContext")
    check_type(grid, "grid", where, Grid, type_name="a Grid", optional=True)
    chosen, band, _ = select_request(run.request, incidents, context.bands)
    frame = chosen.reset_index(drop=True)
    weight = np.nan_to_num(band.weights.to_numpy(dtype=float))
    inverse, ux, uy = distinct_points(frame["easting"].to_numpy(float), frame["northing"].to_numpy(float))
    method = run.request.method
    if method == "kde":
        rows, cand, table, order, of_row = _kde(run, frame, weight, inverse, ux, uy, context)
    elif method == "dbscan":
        rows, cand, table, order, of_row = _dbscan(run, inverse, ux, uy, context)
    else:
        rows, cand, table, order, of_row = _gistar(run, weight, inverse, ux, uy, _checked(grid, run))
    names = _names(frame, weight, inverse, (ux, uy), rows, cand, len(table), run, context)
    table.insert(0, "place", pd.Series(names, dtype=object))
    columns = _columns(method, run, timed="peak band" in table and table["peak band"].ne(NO_TIME_OF_DAY).any())
    out = table.iloc[order][[c.header for c in columns]]
    out.index = pd.RangeIndex(1, len(out) + 1, name="rank")
    return ExplorerTable(out, columns, tuple(np.asarray(names, dtype=object)[of_row].tolist()),
                         {"kde": _density_header(run), "dbscan": "incidents"}.get(method, "z"))


# --- per method --------------------------------------------------------------------------------

def _kde(run, frame, weight, inverse, ux, uy, context):
    """Members by grid cell; incidents, share, peak density, area, categories, peaks; by peak density."""
    spots, cells, surface = run.layers["hotspots"], run.layers["density_cells"], run.surface
    grid, n = surface.grid, len(spots)
    label = np.full(grid.shape, -1, np.int64)
    if n:  # each hot cell's centre lies in one hotspot (none: its region held too few incidents)
        r, c = cells["row"].to_numpy(np.int64), cells["col"].to_numpy(np.int64)
        centres = shapely.points(grid.x0 + (c + 0.5) * grid.cell_size_m, grid.y_north - (r + 0.5) * grid.cell_size_m)
        cell, spot = shapely.STRtree(np.asarray(spots.geometry.values)).query(centres, predicate="intersects")
        label[r[cell], c[cell]] = spot
    at, inside = _on_grid(grid, ux, uy, label, surface.study_mask)
    at, inside = at[inverse], inside[inverse]
    rows = np.flatnonzero((at >= 0) & (weight > 0))
    cand = at[rows]
    count = np.bincount(cand, weights=weight[rows], minlength=n)
    total = float(weight[inside].sum())
    ids = np.zeros(len(frame), np.int64)
    ids[rows] = cand + 1
    table = pd.DataFrame({"incidents": count, "share": count / total if total > 0 else np.zeros(n),
                          "peak density": spots["peak_density"].to_numpy(float),
                          "area, km²": spots["area_km2"].to_numpy(float),
                          "dominant categories": dominant_categories(frame, ids, n) if n else [],
                          "hotspot id": spots["hotspot_id"].to_numpy(np.int64)})
    table = table.join(_peak_columns(peaks(frame, ids, n, context.bands) if n else None, context))
    order = np.lexsort((table["hotspot id"], -table["incidents"], -table["peak density"]))
    return rows, cand, table.rename(columns={"peak density": _density_header(run)}), order, np.arange(n)


def _dbscan(run, inverse, ux, uy, context):
    """Members by outline; the cluster table's own measures; by incidents."""
    spots = run.layers["hotspots"]
    n = len(spots)
    point, spot = (shapely.STRtree(np.asarray(spots.geometry.values)).query(shapely.points(ux, uy),
                                                                           predicate="intersects")
                   if n else (np.empty(0, np.int64), np.empty(0, np.int64)))
    rows, cand = _expand(inverse, point, spot)
    table = pd.DataFrame({"incidents": spots["incidents"].to_numpy(np.int64),
                          "area, km²": spots["area_km2"].to_numpy(float),
                          "dominant categories": spots["dominant_categories"].astype(str).to_numpy(object),
                          "share": spots["share"].to_numpy(float),
                          "cluster id": spots["cluster_id"].to_numpy(np.int64)})
    table = table.join(_peak_columns(spots[["peak_band", "peak_day", "peak_hour"]].reset_index(drop=True)
                                     if n else None, context))
    order = np.lexsort((table["cluster id"], -table["incidents"]))
    return rows, cand, table, order, np.arange(n)


def _gistar(run, weight, inverse, ux, uy, grid: Grid):
    """Hot cells grouped by shared edges; members by cell; the strongest cell's z, p and FDR p; by z."""
    from scipy import ndimage  # imported here: the explorer's other methods do not need it

    hot = run.layers["hotspots"]
    r, c = hot["row"].to_numpy(np.int64), hot["col"].to_numpy(np.int64)
    on = np.zeros(grid.shape, bool)
    on[r, c] = True
    labels, n = ndimage.label(on, structure=_EDGE)
    group = labels[r, c] - 1  # per hot cell
    at, _ = _on_grid(grid, ux, uy, labels - 1, None)
    at = at[inverse]
    rows = np.flatnonzero((at >= 0) & (weight > 0))
    cand = at[rows]
    count = np.bincount(cand, weights=weight[rows], minlength=n)
    held = np.concatenate([[1.0], count])[labels]  # each cell's group's incidents; 1 off every group
    bare = np.where(held <= 0, labels, 0)  # a group hot through its neighbours alone
    if bare.any():  # such a group is named from its neighbourhood's incidents, those that made it hot
        reach = float(run.card.parameters.get("distance_m", grid.cell_size_m * 2 ** 0.5)) / grid.cell_size_m
        k = int(np.floor(reach * (1 + 1e-9)))
        dr, dc = np.mgrid[-k:k + 1, -k:k + 1]
        near, _ = _on_grid(grid, ux, uy, ndimage.grey_dilation(bare, footprint=dr * dr + dc * dc <= reach * reach
                                                                * (1 + 1e-9)) - 1, None)
        extra = np.flatnonzero((near[inverse] >= 0) & (weight > 0))
        rows, cand = np.concatenate([rows, extra]), np.concatenate([cand, near[inverse][extra]])
    cells = pd.DataFrame({"g": group, "z": hot["z"].to_numpy(float), "p": hot["p"].to_numpy(float),
                          "q": hot["p_fdr"].to_numpy(float)})
    best = cells.groupby("g").agg(z=("z", "max"), p=("p", "min"), q=("q", "min"), cells=("z", "size"))
    best = best.reindex(range(n))
    table = pd.DataFrame({"z": best["z"].to_numpy(float), "p": best["p"].to_numpy(float),
                          "FDR p": best["q"].to_numpy(float),
                          "incidents": count,
                          "area, km²": best["cells"].to_numpy(float) * grid.cell_area_km2,
                          "hot cells": best["cells"].to_numpy(np.int64)})
    order = np.lexsort((np.arange(n), -table["incidents"].to_numpy(), -table["z"].to_numpy()))
    return rows, cand, table, order, group


# --- columns ---------------------------------------------------------------------------------

def _density_header(run: HotspotRun) -> str:
    return f"peak density, {'harm' if run.request.weighting == 'harm' else 'incidents'} per km²"


def _columns(method: str, run: HotspotRun, *, timed: bool) -> tuple[Column, ...]:
    """The method's columns in their order, with help texts that say what the run measured."""
    banded = run.request.band != ALL_TIMES
    counted = "%.1f" if banded else "%d"
    in_band = " Each counts its share of the time band." if banded else ""
    place = Column("place", PLACE_HELP + (" A group with no incident in its own cells (hot through its neighbours) "
                                          "is named from its neighbourhood's." if method == "gistar" else ""))
    share = Column("share", "Its share of the study area's incidents in the selection."
                   + (" Every incident of the selection counts, whatever its time." if method == "dbscan"
                      else in_band), "percent")
    categories = Column("dominant categories", "The three categories with the most of its incidents, with their "
                        "share of them.")
    when = "its records with a time of day (local time)"
    times = (Column("peak band", f"The time band in which {when} are most concentrated, per hour the band runs."),
             Column("peak day", f"The day of the week holding the most of {when}."),
             Column("peak hour", f"The hour holding the most of {when}: 16:00 is 16:00 to 16:59.")) if timed else ()
    area = "the area of its outline (discs of half eps round its locations)" if method == "dbscan" else \
        "the area of its grid cells"
    area_km2 = Column("area, km²", f"Its size: {area}, km².", "%.3g")
    if method == "kde":
        per = "harm" if run.request.weighting == "harm" else "incidents"
        return (place, Column("incidents", "Incidents in its grid cells." + in_band, counted), share,
                Column(_density_header(run), f"The highest kernel density among its cells, {per} per km²: how "
                       "concentrated it is at its heart. The list is sorted on it.", "%.1f"),
                area_km2, categories, *times,
                Column("hotspot id", "Its number on the map (in the tooltip); 1 holds the most incidents.", "%d"))
    if method == "dbscan":
        return (place, Column("incidents", "Incidents at its locations, whatever their time of day"
                              + (" (the band's weights decide which locations cluster)" if banded else "")
                              + ". The list is sorted on it.", "%d"),
                area_km2, *times, categories, share,
                Column("cluster id", "Its number on the map (in the tooltip); 1 holds the most incidents.", "%d"))
    alpha = run.card.parameters.get("fdr_alpha", 0.05)
    what = "harm-weighted count" if run.request.weighting == "harm" else "count"
    return (place,
            Column("z", f"Getis-Ord Gi* z-score of its strongest cell: how many standard deviations the {what} of "
                   "that cell's neighbourhood (it and the cells round it) lies above the study area's mean. The list "
                   "is sorted on it.", "%.2f"),
            Column("p", "The two-sided p-value of that z (normal approximation): how likely a neighbourhood this "
                   "busy would be if the incidents were spread at random.", "%.3g"),
            Column("FDR p", "That p adjusted for testing every cell of the study area (Benjamini-Hochberg false "
                   f"discovery rate), never below p; a cell is hot when it is at most {alpha:g}.", "%.3g"),
            Column("incidents", "Incidents in its hot cells." + in_band, counted), area_km2,
            Column("hot cells", "Its hot cells (sharing an edge, as KDE's hotspot cells do), each drawn on the map.",
                   "%d"))


# --- shared steps ------------------------------------------------------------------------------

def _names(frame, weight, inverse, points, rows, cand, n, run, context) -> list[str]:
    """Each hotspot's place name by the tasking list's rules (:func:`.profile.profiles`), in ``cand`` order."""
    if not n:
        return []
    keep = weight[rows] > 0
    rows, cand = rows[keep], cand[keep]
    harm = weight * (np.nan_to_num(frame["harm_weight"].to_numpy(dtype=float, na_value=np.nan))
                     if "harm_weight" in frame.columns else 1.0)
    members = Members(frame, rows, cand, weight[rows], harm[rows], inverse, points, "hotspot", [""] * n)
    with np.errstate(divide="ignore", invalid="ignore"):  # a place holding no incident is "Unnamed place"
        about = profiles(members, n, bands=context.bands, band=run.request.band, config=context.config,
                         menu=context.tactics, ward_names=context.names("ward"), roads=context.roads)
    return about["place_name"].astype(str).tolist()


def _on_grid(grid: Grid, x, y, label, mask):
    """Per point: its cell's label (-1 off the grid), and whether its cell is in ``mask`` (all: None)."""
    row, col = grid.locate(x, y)
    off = row < 0
    row, col = np.maximum(row, 0), np.maximum(col, 0)
    at = np.where(off, -1, label[row, col])
    inside = ~off if mask is None else ~off & mask[row, col]
    return at, inside


def _expand(inverse: np.ndarray, point: np.ndarray, place: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, place) pairs from (distinct point, place) pairs: every row at each point."""
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], np.arange(int(inverse.max(initial=-1)) + 2))
    size = starts[point + 1] - starts[point]
    offset = np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size)
    rows = order[np.repeat(starts[point], size) + offset]
    return rows, np.repeat(place, size)


def _peak_columns(found: pd.DataFrame | None, context: RankingContext) -> pd.DataFrame:
    """``peak band`` (its label), ``peak day``, ``peak hour`` ("16:00") from :func:`.clusters.peaks`' columns."""
    if found is None:
        return pd.DataFrame({"peak band": pd.Series(dtype=object), "peak day": pd.Series(dtype=object),
                             "peak hour": pd.Series(dtype=object)})
    labels = band_labels(context.bands)
    hour = found["peak_hour"].astype("Int64")
    return pd.DataFrame({"peak band": [band_label(str(b), labels) for b in found["peak_band"]],  # per hotspot
                         "peak day": found["peak_day"].astype(str).to_numpy(object),
                         "peak hour": np.where(hour.isna(), NO_TIME_OF_DAY,
                                               hour.fillna(0).astype(int).map("{:02d}:00".format))})


def _checked(grid: Grid | None, run: HotspotRun) -> Grid:
    """The Gi* run's grid, checked against its first cell."""
    if grid is None:
        raise HotspotError("hotspot_table: a Gi* run needs the grid it was made on; pass grid=workspace_grid(ws, "
                           "incidents, cell_size_m=run.request.cell_size_m).")
    cells = run.layers["gistar_cells"]
    if len(cells):
        r, c = int(cells["row"].iloc[0]), int(cells["col"].iloc[0])
        s = grid.cell_size_m
        box = (grid.x0 + c * s, grid.y_north - (r + 1) * s, grid.x0 + (c + 1) * s, grid.y_north - r * s)
        if not np.allclose(cells.geometry.iloc[0].bounds, box, atol=1e-6):
            raise HotspotError(f"hotspot_table: the Gi* cells are not on the grid given ({grid.cell_size_m:g} m cells "
                               f"from ({grid.x0:.0f}, {grid.y0:.0f})); pass the grid the run was made on.")
    return grid
