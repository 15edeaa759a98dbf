"""Cached wrappers around pure core functions.

Each takes the workspace path and its ``version`` (which changes whenever an import
lands), so a cache entry is reused until the data change.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from ..boundaries.store import incidents_with_areas as _incidents_with_areas
from ..boundaries.study import latest_layer
from ..geo.select import select_incidents
from ..geo.workspace import Summary, Workspace
from ..hotspots.bands import select_band
from ..hotspots.errors import HotspotError
from ..hotspots.grid import Grid
from ..hotspots.persistence import period_positions
from ..hotspots.run import HotspotRequest, HotspotRun, backtest_request, run_hotspots
from ..periods import review_period
from ..pipeline import tasking
from ..pipeline.explorer import ExplorerTable, explorer_days, explorer_grid, explorer_table
from ..ranking.request import TaskingRequest
from ..reports.setting import band_label, band_labels
from ..reports.streets import record_streets

#: The cell sizes the explorer offers, metres (those whose grid is small enough: see below).
CELL_SIZES_M = (10, 20, 25, 50, 75, 100, 150, 200, 250, 500, 1000, 2000)
#: The most cells an explorer grid may have (a 20 m grid over 12.7 km by 11 km has 360,000):
#: a finer grid takes seconds to compute (Gi*) and draw, for detail finer than the records'
#: locations (police.uk's are snapped to map points).
MAX_EXPLORER_CELLS = 400_000


@st.cache_data(show_spinner="Counting incidents…")
def workspace_summary(path: str, data_version: str) -> Summary:
    """Counts by source, category and month (see :meth:`Workspace.summary`); keyed on the data
    version, so storing a list (recording a decision) does not count the incidents again."""
    return Workspace.open(path).summary()


@st.cache_data(show_spinner=False)
def import_log(path: str, version: str) -> pd.DataFrame:
    """One row per import: when, source, the files' names (as recorded: an upload's name as the
    browser sent it) and how many, rows read, accepted, rejected (of those, outside the area),
    rows sharing a Crime ID across crime types; all names plain text."""
    rows = [
        {"import": r.import_id, "started (UTC)": r.started, "source": r.source,
         "files": ", ".join(f.name for f in r.files), "file count": len(r.files),
         "rows read": r.rows_read, "accepted": r.rows_accepted, "rejected": r.rows_rejected,
         "outside the area": r.rows_out_of_area, "shared Crime IDs": r.shared_crime_ids,
         "unmapped categories": ", ".join(r.unmapped) or "", "notes": " ".join(r.notes)}
        for r in Workspace.open(path).imports
    ]
    return pd.DataFrame(rows)


def incidents_with_areas(path: str, version: str) -> pd.DataFrame:
    """The incident table with area codes and H3 cells; shared, read-only (never modify it).

    Cached on the workspace's data version, so storing a tasking list or a population
    table (which change ``version``) does not reload and re-join the incidents.
    """
    return _joined_incidents(path, Workspace.open(path).data_version)


@st.cache_resource(show_spinner="Loading incidents and joining them to areas…", max_entries=2)
def _joined_incidents(path: str, data_version: str) -> pd.DataFrame:
    return _incidents_with_areas(Workspace.open(path))


@st.cache_resource(show_spinner="Loading the period's incidents and joining them to areas…", max_entries=3)
def window_incidents(path: str, data_version: str, start: str, end: str) -> pd.DataFrame:
    """The incidents overlapping the local days ``start`` to ``end`` (ISO dates, inclusive) with
    their area codes (:func:`~hotspot_tasking.pipeline.tasking.window_incidents`); shared,
    read-only. Every band and category of a period needs the same window, so a change of them
    re-ranks without reading."""
    return tasking.window_incidents(Workspace.open(path), start, end)


def request_incidents(path: str, request: TaskingRequest) -> pd.DataFrame:
    """The incidents a list of ``request`` uses (:func:`~hotspot_tasking.pipeline.tasking.request_incidents`),
    from the cached window of its days; shared, read-only."""
    ws = Workspace.open(path)
    start, end = tasking.needed_window(ws, request)
    window = window_incidents(path, ws.data_version, start.isoformat(), end.isoformat())
    return tasking.request_incidents(ws, request, window=window)


@st.cache_resource(show_spinner=False, max_entries=3)
def window_streets(path: str, data_version: str, start: str, end: str) -> pd.DataFrame:
    """The street names the records of :func:`window_incidents` carry, per map point
    (:func:`~hotspot_tasking.reports.streets.record_streets`); shared, read-only."""
    return record_streets(window_incidents(path, data_version, start, end))


def request_streets(path: str, request: TaskingRequest) -> pd.DataFrame:
    """The street names the records of a list's window carry (:func:`window_streets` of
    :func:`~hotspot_tasking.pipeline.tasking.needed_window`): the weekly review's map names the
    streets of the period and its history, at the cost of the window, not of every record stored."""
    ws = Workspace.open(path)
    start, end = tasking.needed_window(ws, request)
    return window_streets(path, ws.data_version, start.isoformat(), end.isoformat())


def explorer_incidents(path: str, request: HotspotRequest) -> pd.DataFrame:
    """The incidents an explorer analysis needs: the cached window of the request's days when the
    workspace has a study area, else the whole table
    (:func:`~hotspot_tasking.pipeline.explorer.explorer_days`); shared, read-only."""
    ws = Workspace.open(path)
    days = explorer_days(ws, request)
    if days is None:
        return _joined_incidents(path, ws.data_version)
    return window_incidents(path, ws.data_version, *days)


@st.cache_resource(show_spinner="Finding hotspots…", max_entries=64)
def hotspot_run(path: str, version: str, request: HotspotRequest) -> HotspotRun:
    """One hotspot analysis (see :func:`run_hotspots`) on :func:`explorer_incidents`; shared, read-only."""
    ws = Workspace.open(path)
    return run_hotspots(ws, request, incidents=explorer_incidents(path, request))


@st.cache_resource(show_spinner=False, max_entries=64)
def explorer_hotspots(path: str, version: str, request: HotspotRequest) -> gpd.GeoDataFrame:
    """The analysis's hotspots with each peak band by its label, as everywhere people read a
    band, and each one's ``place_name`` (a Gi* cell: its group's, :func:`explorer_places`);
    shared, read-only."""
    hotspots = hotspot_run(path, version, request).layers["hotspots"]
    hotspots = hotspots.assign(place_name=pd.Series(explorer_places(path, version, request).names,
                                                    index=hotspots.index, dtype=object))
    if "peak_band" not in hotspots.columns:
        return hotspots
    labels = band_labels(Workspace.open(path).time_bands())
    return hotspots.assign(peak_band=hotspots["peak_band"].map(lambda band: band_label(band, labels)))


@st.cache_resource(show_spinner="Naming the hotspots…", max_entries=64)
def explorer_places(path: str, version: str, request: HotspotRequest) -> ExplorerTable:
    """The explorer's table of the analysis: each hotspot named as the tasking list names places,
    with its method's own measures, strongest first (:func:`~hotspot_tasking.pipeline.explorer.explorer_table`);
    shared, read-only."""
    return explorer_table(Workspace.open(path), hotspot_run(path, version, request),
                          incidents=explorer_incidents(path, request))


def explorer_columns(table: ExplorerTable) -> dict:
    """``st.dataframe``'s column settings for an explorer table: each header with its help text and
    number format (names and categories are plain text, never markdown), the rank as the index."""
    config = {"_index": st.column_config.NumberColumn("rank", help=f"Its place in the list: 1 is the strongest by "
                                                      f"{table.sorted_by}.", format="%d")}
    for column in table.columns:  # one step per column
        if column.format is None:
            config[column.header] = st.column_config.TextColumn(column.header, help=column.help)
        else:
            config[column.header] = st.column_config.NumberColumn(column.header, help=column.help,
                                                                  format=column.format)
    return config


@st.cache_data(show_spinner=False)
def explorer_cell_sizes(path: str, version: str) -> tuple[float, tuple[int, ...]]:
    """The automatic cell size of the workspace's grid (metres), and the sizes of
    :data:`CELL_SIZES_M` the explorer offers: those whose grid over the same extent (the study
    area's, else the incidents') has at most :data:`MAX_EXPLORER_CELLS` cells; reads no incident
    when the workspace has a study area (:func:`~hotspot_tasking.pipeline.explorer.explorer_grid`)."""
    grid = explorer_grid(Workspace.open(path))
    offered = tuple(size for size in CELL_SIZES_M
                    if Grid.covering(grid.bounds, cell_size_m=float(size)).cells <= MAX_EXPLORER_CELLS)
    return grid.cell_size_m, offered


@st.cache_resource(show_spinner=False, max_entries=8)
def layer(path: str, version: str, name: str) -> gpd.GeoDataFrame:
    """A stored area layer, in EPSG:27700."""
    return Workspace.open(path).read_layer(name)


@st.cache_data(show_spinner=False, max_entries=64)
def band_empty_reason(path: str, version: str, request: HotspotRequest) -> str | None:
    """Why the request's hour band is empty (none of its records has a time of day), else None."""
    table = explorer_incidents(path, request)
    chosen = table[select_incidents(table, sources=request.sources, categories=request.categories,
                                    groups=request.groups, start=request.start, end=request.end)]
    if chosen.empty or request.band == "all":
        return None
    return select_band(chosen, request.band, time_bands=Workspace.open(path).time_bands()).empty_reason


@st.cache_data(show_spinner="Backtesting…", max_entries=16)
def backtest_summary(path: str, version: str, request: HotspotRequest, every: str) -> tuple[pd.DataFrame, str]:
    """Mean hit rate, PAI and RRI of KDE against the naive baseline over every period of the
    workspace (the request's categories, band and method options; not its dates), and a
    sentence saying which periods were scored. It judges the method on all the history, so it
    reads the whole incident table (once, shared), run only when asked for.

    Raises HotspotError (one sentence why) when no pair of consecutive periods can be scored.
    """
    whole = replace(request, start=None, end=None)
    reason = band_empty_reason(path, version, whole) or _too_few_periods(path, version, whole, every)
    if reason:
        raise HotspotError(reason)
    result, _, _ = backtest_request(Workspace.open(path), whole, every=every,
                                    incidents=incidents_with_areas(path, version))
    if result.table.empty:
        raise HotspotError(f"the backtest found no two consecutive {every}s with incidents inside the study area "
                           "(the latest ward or LSOA layer); check that the layer covers the incidents.")
    summary = result.summary.reset_index() if result.summary.index.name else result.summary
    scored = result.table["period"].astype("str")
    pairs = int(scored.nunique())
    first = review_period(scored.min(), every).describe()
    last = review_period(result.table["next_period"].astype("str").max(), every).describe()
    words = (f"Backtested on all the workspace's {every}s, not only the sidebar's period (the backtest judges the "
             f"method): {pairs:,} pair{'s' if pairs != 1 else ''} of consecutive {every}s from {first} to {last}, "
             "for the selection's categories and band.")
    return summary, words


def _too_few_periods(path: str, version: str, request: HotspotRequest, every: str) -> str | None:
    """Why no pair of consecutive periods of the workspace can be scored, in one sentence; else None."""
    table = incidents_with_areas(path, version)
    chosen = table[select_incidents(table, sources=request.sources, categories=request.categories,
                                    groups=request.groups)]
    if chosen.empty:
        return None  # the backtest's own message names the selection
    position, order, unplaced = period_positions(chosen, every)
    held = np.unique(position[position >= 0])
    if np.any(np.diff(held) == 1):
        return None
    names = [review_period(order[i], every).describe() for i in held]
    fix = "import more months" if every == "month" else "import more weeks, or use months"
    if not names:
        vague = f" (its {unplaced:,} month-only records fit no week)" if unplaced else ""
        return (f"the backtest needs at least two {every}s with incidents in the selection; the workspace holds "
                f"none{vague}: {'use months' if unplaced else fix}.")
    if len(names) == 1:
        return (f"the backtest needs at least two {every}s with incidents in the selection; the workspace holds one "
                f"({names[0]}): {fix}.")
    return (f"the backtest needs two consecutive {every}s with incidents in the selection; the workspace holds "
            f"{len(names)} ({', '.join(names)}) but no two in a row: {fix}.")


@st.cache_data(show_spinner=False)
def quarantine_reasons(path: str, version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rejected rows by reason, and the first 200 of them."""
    rejects = Workspace.open(path).quarantine()
    if rejects.empty:
        return pd.DataFrame(columns=["reason", "rows"]), rejects
    reasons = rejects.groupby("reason").size().rename("rows").reset_index().sort_values("rows", ascending=False)
    return reasons, rejects.head(200)


@st.cache_data(show_spinner=False)
def boundary_summary(path: str, version: str) -> pd.DataFrame:
    """The area layers loaded: kind, areas, source file, population, notes."""
    ws = Workspace.open(path)
    tables = ws.tables()
    rows = [{"layer": name, "kind": meta["kind"], "areas": meta["features"], "from": meta["source"],
             "population": "yes" if f"population_{name}" in tables else "",
             "notes": " ".join(meta.get("notes", []))} for name, meta in ws.layers().items()]
    return pd.DataFrame(rows)


@st.cache_resource(show_spinner=False, max_entries=4)
def map_boundaries(path: str, version: str) -> tuple[gpd.GeoDataFrame | None, str]:
    """The area outlines drawn under the explorer's map (the latest ward layer, else LSOAs) and a caption."""
    stored = Workspace.open(path).layers()
    for kind, noun in (("ward", "wards"), ("lsoa", "LSOAs")):
        name = latest_layer(stored, kind)
        if name is not None:
            return layer(path, version, name), (f"Grey lines: {noun} (layer {name}). "
                                                "Contains OS data © Crown copyright and database right.")
    return None, "The workspace has no ward or LSOA layer to draw."
