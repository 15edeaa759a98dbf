"""Area statistics of a whole workspace, added up file by file on an engine.

A force's or the nation's table of counts, harm and change per area and period
(:func:`~hotspot_tasking.boundaries.stats.area_stats`) does not need every record in one
process. Each record's area is its map point's, looked up in the workspace's point cache
(which ``boundaries assign``, the reads without H3 cells and this table itself fill); the
incident files are read in runs, a task each, and each task gives the count and harm of
every area and period in its files as integer parts
(:func:`~hotspot_tasking.boundaries.stats.area_period_sums`). A run meeting points the cache
lacks (a new import, a new layer) gives those points instead: the caller places them
(:func:`~hotspot_tasking.boundaries.pointcache.point_areas`, which keeps them) and reads
those runs again. The caller adds the parts and makes the table. Integer parts add up
alike in any order, so the table is the one ``area_stats`` gives for the whole incident
table in one process, bit for bit (tested on a cluster).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..boundaries.errors import BoundaryError
from ..boundaries.pointcache import POINT_COLUMNS, cached_point_areas, point_areas, point_rows
from ..boundaries.stats import PeriodKind, area_period_sums, assign_periods, period_order, stats_table
from ..boundaries.store import area_layers, check_workspace, population
from ..boundaries.validate import check_period
from ..engine import Engine, current_engine, using
from ..geo.reads import file_runs, read_incidents
from ..geo.workspace import Workspace

#: The incident columns a task reads.
READ_COLUMNS = [*POINT_COLUMNS, "occurred_from", "time_precision", "harm_weight"]


@dataclass(frozen=True)
class RunSums:
    """One run of files' part of the table (a task's answer), or the points it could not place."""
    sums: pd.DataFrame  # area, period and the integer parts of count and harm
    outside: tuple[int, int]  # the weight in no area, as integer parts
    unplaced: int  # records too vague for the period
    first: pd.Timestamp | None  # the earliest and latest placed record's start
    last: pd.Timestamp | None
    unknown: pd.DataFrame | None = None  # points the lookup lacks: then nothing else is filled


def workspace_area_stats(ws: Workspace, layer: str, *, period: PeriodKind | tuple[str, str] = "month",
                         engine: Engine | None = None) -> pd.DataFrame:
    """Counts, harm, rates, share and change for every area of ``layer`` and every period.

    Parameters
    ----------
    ws : Workspace
    layer : str
        A stored area layer's name (``boundaries list``).
    period : {"week", "month"} or (start, end), default="month"
        As :func:`~hotspot_tasking.boundaries.stats.area_stats` takes it.
    engine : Engine, optional
        Default: the current engine; each run of incident files is a task.

    Returns
    -------
    pandas.DataFrame
        :func:`~hotspot_tasking.boundaries.stats.area_stats`'s table for every record, every
        area of the layer (zeros included) and the layer's population when stored.
    """
    where = "workspace_area_stats"
    check_workspace(ws, where)
    check_period(period, where)
    layers = area_layers(ws)
    if layer not in layers:
        known = ", ".join(sorted(layers)) or "none yet (add one with 'hotspot-tasking boundaries add')"
        raise BoundaryError(f"{where}: the workspace has no area layer {layer!r}; its area layers: {known}.")
    engine = engine if engine is not None else current_engine()
    cached = cached_point_areas(ws)
    lookup = _lookup(cached[POINT_COLUMNS], cached[layer]) if cached is not None and layer in cached \
        else _lookup(pd.DataFrame(columns=POINT_COLUMNS, dtype=float), pd.Series([], dtype="str"))
    runs = file_runs(ws.data_files, engine.workers)
    parts = engine.map(_run_sums, runs, lookup=lookup, period=period)
    again = [i for i, p in enumerate(parts) if p.unknown is not None]
    if again:  # points the cache lacks (a new import, a new layer): place them, keep them, read those runs again
        unknown = pd.concat([parts[i].unknown for i in again], ignore_index=True).drop_duplicates(ignore_index=True)
        with using(engine):
            codes = point_areas(ws, unknown, layers, ())[layer]
        lookup = pd.concat([lookup, _lookup(unknown, codes)], ignore_index=True)
        for i, part in zip(again, engine.map(_run_sums, [runs[i] for i in again], lookup=lookup, period=period)):
            parts[i] = part
    firsts = [p.first for p in parts if p.first is not None]
    lasts = [p.last for p in parts if p.last is not None]
    order = period_order(min(firsts, default=None), max(lasts, default=None), period) \
        if firsts or isinstance(period, tuple) else []
    sums = pd.concat([_no_sums(), *(p.sums for p in parts)], ignore_index=True)
    return stats_table(sums, period, order,
                       areas=list(layers[layer][1]["code"]), population=population(ws, layer),
                       outside=tuple(sum(p.outside[i] for p in parts) for i in (0, 1)),
                       unplaced=sum(p.unplaced for p in parts))


def _run_sums(paths: list[str], *, lookup: pd.DataFrame, period) -> RunSums:
    """A run of incident files' part of the table (a task)."""
    table = read_incidents(paths, READ_COLUMNS, None)
    group, firsts = point_rows(table)
    found = table.loc[firsts, POINT_COLUMNS].merge(lookup, on=POINT_COLUMNS, how="left", sort=False)
    if found["area"].isna().any():
        return RunSums(_no_sums(), (0, 0), 0, None, None,
                       unknown=found.loc[found["area"].isna(), POINT_COLUMNS].reset_index(drop=True))
    point_code, codes = pd.factorize(found["area"])
    area = pd.Series(pd.Categorical.from_codes(point_code[group], categories=codes), index=table.index)
    periods = assign_periods(table, period)
    sums, outside = area_period_sums(table, area, periods.label, None)
    starts = table["occurred_from"][periods.label.ne("").to_numpy()]
    return RunSums(sums, outside, periods.unplaced, starts.min() if len(starts) else None,
                   starts.max() if len(starts) else None)


def _lookup(points: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """Points (:data:`POINT_COLUMNS`) and their ``area`` code, each point once."""
    return points.reset_index(drop=True).assign(area=codes.to_numpy(dtype=object)) \
        .drop_duplicates(POINT_COLUMNS, ignore_index=True)


def _no_sums() -> pd.DataFrame:
    return pd.DataFrame({"area": pd.Series([], dtype="str"), "period": pd.Series([], dtype="str"),
                         **{c: pd.Series([], dtype="int64") for c in ("count_whole", "count_units", "harm_whole",
                                                                       "harm_units")}})
