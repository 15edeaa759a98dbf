"""The areas and H3 cells of the workspace's distinct points, kept between commands.

Joining incidents to areas is work per distinct point (police.uk snaps records to map
points, about 50 records each), and the points hardly change: an import adds a few, a new
area layer changes every code. So each point's codes are kept in
``WORKSPACE/cache/point-areas-KEY.parquet``, where KEY names the area layers stored (their
files) and the H3 resolutions: another layer gives another file, and a stale file is never
read. A command that meets points the file lacks works them out and writes the file again
with them (atomically, beside it, then renamed); a workspace that cannot be written (a
read-only copy) simply works them out each time. The folder is a cache: deleting it loses
nothing but time.

On a cluster the new points are worked out in chunks of :data:`ASSIGN_CHUNK`, one task each
(each point's codes are its own, so the answer is the same).
"""

from __future__ import annotations

import json
import os
import uuid
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..engine import current_engine
from ..geo.coords import distinct_points
from ..geo.h3cells import h3_cells
from ..geo.workspace import Workspace
from .assign import assign_areas

#: The columns a point is known by (EPSG:27700 metres and WGS84 degrees, as stored).
POINT_COLUMNS = ["easting", "northing", "longitude", "latitude"]
#: The workspace folder of cached derived tables.
CACHE_FOLDER = "cache"
#: On a cluster, points per assignment task.
ASSIGN_CHUNK = 100_000


def point_areas(ws: Workspace, points: pd.DataFrame, layers: dict, resolutions: Sequence[int]) -> pd.DataFrame:
    """Each point's area codes (as :func:`~hotspot_tasking.boundaries.assign.assign_areas` gives
    them) and H3 cells (``h3_<res>``), from the cache where it has them.

    Parameters
    ----------
    ws : Workspace
        Whose cache to read and extend.
    points : pandas.DataFrame
        Distinct points, columns :data:`POINT_COLUMNS`, indexed 0..n-1.
    layers : dict
        ``{layer name: (kind, frame)}`` of the workspace (``area_layers(ws)``).
    resolutions : sequence of int
        H3 resolutions; none: no cells (a cache of its own).

    Returns
    -------
    pandas.DataFrame
        One row per point, in order, every column ``str``.
    """
    path = ws.root / CACHE_FOLDER / f"point-areas-{_key(ws, resolutions)}.parquet"
    cached = _read(path)
    if cached is not None and len(cached):
        found = points.merge(cached, on=POINT_COLUMNS, how="left", sort=False, indicator=True)
        known = (found.pop("_merge") == "both").to_numpy()
    else:
        found, known = None, None
    if known is not None and known.all():
        return found.drop(columns=POINT_COLUMNS)
    missing = points if known is None else points[~known].reset_index(drop=True)
    engine = current_engine()
    chunks = [missing.iloc[i:i + ASSIGN_CHUNK].reset_index(drop=True) for i in range(0, len(missing), ASSIGN_CHUNK)] \
        if engine.kind != "local" and len(missing) > ASSIGN_CHUNK else [missing]
    new = pd.concat(engine.map(_codes, chunks, layers=layers, resolutions=tuple(resolutions)), ignore_index=True)
    _write(path, pd.concat([cached, pd.concat([missing, new], axis=1)], ignore_index=True)
           if cached is not None else pd.concat([missing, new], axis=1))
    if known is None:
        return new
    out = found.drop(columns=POINT_COLUMNS)
    out.loc[~known, list(new.columns)] = new.to_numpy(dtype=object)
    return out.astype("str")


def point_rows(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(inverse, firsts)``: each row's distinct point (:data:`POINT_COLUMNS`, missing values
    alike), numbered from 0 in order of first appearance, and the row where each first appears.

    Each pair of columns is hashed once as one number (:func:`~hotspot_tasking.geo.coords.distinct_points`),
    then the two pairs' numbers together.
    """
    grid, _, _ = distinct_points(table["easting"].to_numpy(), table["northing"].to_numpy())
    degrees, _, _ = distinct_points(table["longitude"].to_numpy(), table["latitude"].to_numpy())
    inverse = pd.factorize(grid.astype(np.int64) * (int(degrees.max(initial=0)) + 1) + degrees)[0].astype(np.int64)
    seen = np.maximum.accumulate(inverse) if len(inverse) else inverse  # a new point: a new highest number
    firsts = np.flatnonzero(np.r_[True, seen[1:] > seen[:-1]]) if len(inverse) else inverse
    return inverse, firsts


def cached_point_areas(ws: Workspace, resolutions: Sequence[int] = ()) -> pd.DataFrame | None:
    """The cache's points (:data:`POINT_COLUMNS`) and their codes as kept for ``resolutions``
    (default: the reads without H3 cells), or None when there is none or it cannot be read. It
    may lack the newest points: :func:`point_areas` adds them."""
    return _read(ws.root / CACHE_FOLDER / f"point-areas-{_key(ws, resolutions)}.parquet")


def _codes(points: pd.DataFrame, *, layers: dict, resolutions: tuple[int, ...]) -> pd.DataFrame:
    """The area codes and H3 cells of some points (a task; each point's answer is its own)."""
    parts = [assign_areas(points, layers).codes.reset_index(drop=True)]
    if len(resolutions):
        parts.append(h3_cells(points["longitude"], points["latitude"], resolutions).reset_index(drop=True))
    return pd.concat(parts, axis=1)


def store_without_cells(ws: Workspace, points: pd.DataFrame, per_point: pd.DataFrame) -> None:
    """Keep the area codes of ``per_point`` (a :func:`point_areas` answer for ``points``) as the
    cache of reads that ask for no H3 cells too, so they work nothing out again."""
    codes = [c for c in per_point.columns if not c.startswith("h3_")]
    _write(ws.root / CACHE_FOLDER / f"point-areas-{_key(ws, ())}.parquet",
           pd.concat([points.reset_index(drop=True), per_point[codes].reset_index(drop=True)], axis=1))


def _key(ws: Workspace, resolutions: Sequence[int]) -> str:
    """A name for the layers stored and the resolutions: changes when any layer is replaced."""
    layers = {name: [meta.get("kind"), meta.get("file")] for name, meta in ws.layers().items()}
    text = json.dumps([layers, [int(r) for r in resolutions]], sort_keys=True)
    return f"{zlib.crc32(text.encode('utf-8')):08x}"


def _read(path: Path) -> pd.DataFrame | None:
    """The cached table, or None when there is none or it cannot be read (then it is remade)."""
    try:
        table = pd.read_parquet(path) if path.is_file() else None
    except (OSError, pa.ArrowException):
        return None
    return table if table is not None and set(POINT_COLUMNS) <= set(table.columns) else None


def _write(path: Path, table: pd.DataFrame) -> None:
    """Write the table beside ``path`` and rename it into place; leave it unwritten on a
    read-only folder or a full disk (the codes are worked out again next time)."""
    tmp = path.parent / f".{uuid.uuid4().hex}.part"
    try:
        path.parent.mkdir(exist_ok=True)
        table.to_parquet(tmp, index=False, compression="zstd")
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
