"""A workspace's distinct points and the records at each, counted file by file on an engine.

A force's or the nation's KDE or DBSCAN does not need every record in one process: police.uk
puts about fifty records on each map point, and both methods work on the distinct points
with their counts as weights. The incident files (a month and a coarse H3 cell each) are
read and counted in runs, a task each; the counts are added on the caller's side. The counts are whole numbers,
so the sum is exact in any order, and the points come back sorted by easting, then
northing: the same table on one machine or many.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine import Engine, current_engine
from ..geo.coords import distinct_points
from ..geo.reads import check_read, file_runs, months_needed, read_incidents
from ..geo.workspace import Workspace

#: The columns :func:`workspace_points` returns.
POINT_COUNT_COLUMNS = ["easting", "northing", "incidents"]


def workspace_points(ws: Workspace, *, start=None, end=None,
                     engine: Engine | None = None) -> pd.DataFrame:
    """The distinct points of the workspace's records and how many records each holds.

    Parameters
    ----------
    ws : Workspace
    start, end : datetime.date or str, optional
        Records whose window overlaps these local days, both inclusive, as
        :meth:`Workspace.incidents` reads them; default every record.
    engine : Engine, optional
        Default: the current engine; each incident file is one task.

    Returns
    -------
    pandas.DataFrame
        ``easting``, ``northing`` (EPSG:27700 metres) and ``incidents`` (int64), one row per
        distinct point, sorted by easting, then northing.
    """
    if not isinstance(ws, Workspace):
        raise TypeError(f"The 'ws' parameter of workspace_points must be a Workspace. Got {type(ws).__name__} instead.")
    _, _, lo, hi, _ = check_read(["easting", "northing"], None, start, end, None, "workspace_points")
    engine = engine if engine is not None else current_engine()
    runs = file_runs(months_needed(ws.data_files, lo, hi), engine.workers)
    parts = [p for p in engine.map(_file_points, runs, lo=lo, hi=hi) if len(p)]
    if not parts:
        return pd.DataFrame({"easting": np.zeros(0), "northing": np.zeros(0), "incidents": np.zeros(0, np.int64)})
    both = pd.concat(parts, ignore_index=True)
    return _counted(both["easting"].to_numpy(), both["northing"].to_numpy(), both["incidents"].to_numpy())


def _file_points(paths: list[str], *, lo, hi) -> pd.DataFrame:
    """A run of files' distinct points and their records in ``[lo, hi)`` (a task)."""
    table = read_incidents(paths, ["easting", "northing"], None, lo=lo, hi=hi)
    return _counted(table["easting"].to_numpy(), table["northing"].to_numpy(), np.ones(len(table), np.int64))


def _counted(easting: np.ndarray, northing: np.ndarray, records: np.ndarray) -> pd.DataFrame:
    """The distinct points with their records summed (whole numbers: exact in any order),
    sorted by easting, then northing."""
    inverse, x, y = distinct_points(easting, northing)
    summed = np.bincount(inverse, weights=records, minlength=len(x)).astype(np.int64)
    order = np.lexsort((y, x))
    return pd.DataFrame({"easting": x[order], "northing": y[order], "incidents": summed[order]})
