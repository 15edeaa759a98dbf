"""Keeping area layers and population in a workspace.

Layers are stored by :meth:`Workspace.save_layer` as GeoParquet under
``WORKSPACE/boundaries/`` with their metadata in the manifest; population as an area
table ``population_<layer>`` with the columns ``code`` and ``population``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from ..engine import current_engine
from ..geo.area import Area
from ..geo.h3cells import DEFAULT_RESOLUTIONS, check_resolutions
from ..geo.reads import file_runs
from ..geo.workspace import Workspace
from ..intake.textfiles import read_csvs
from .assign import OUTSIDE, lsoa_agreement
from .errors import BoundaryError
from .layers import AREA_KINDS, AreaLayer, is_partition
from .pointcache import POINT_COLUMNS, point_areas, point_rows, store_without_cells
from .study import STUDY_AREA_KINDS, latest_layer, study_area_of
from .validate import check_choice, check_columns, check_type
from .workbook import WORKBOOK_SUFFIXES, read_workbook

POPULATION_PREFIX = "population_"


def add_layer(ws: Workspace, layer: AreaLayer) -> list[str]:
    """Store a loaded layer (replacing one of the same name); return notes for the user.

    When the workspace has no area yet and the layer partitions it (wards, LSOAs), the
    layer's bounding box becomes the area that far-away records are rejected against.
    """
    check_workspace(ws, "add_layer")
    check_type(layer, "layer", "add_layer", AreaLayer, type_name="an AreaLayer (load_layer)")
    meta = {"kind": layer.kind, "vintage": layer.vintage, "source": layer.source,
            "features": len(layer.frame), "notes": layer.notes}
    ws.save_layer(layer.name, layer.frame, meta)
    notes = list(layer.notes)
    if ws.area is None and is_partition(layer.kind):
        minx, miny, maxx, maxy = (float(v) for v in layer.frame.total_bounds)
        ws.set_area(Area(minx, miny, maxx, maxy))
        notes.append(f"The workspace area is now this layer's extent ({minx:.0f}, {miny:.0f}) "
                     f"to ({maxx:.0f}, {maxy:.0f}) plus 5 km: records farther out are rejected at import.")
    return notes


def area_layers(ws: Workspace) -> dict[str, tuple[str, gpd.GeoDataFrame]]:
    """``{layer name: (kind, frame)}`` for every stored area layer (ward, LSOA, zone)."""
    check_workspace(ws, "area_layers")
    return {name: (meta["kind"], ws.read_layer(name)) for name, meta in ws.layers().items()
            if meta.get("kind") in AREA_KINDS}


def study_area(ws: Workspace):
    """The partnership's area as one polygon (EPSG:27700): the union of its ward layer (the
    latest), else its LSOA layer; None when it has neither."""
    check_workspace(ws, "study_area")
    stored = ws.layers()
    names = [latest_layer(stored, kind) for kind in STUDY_AREA_KINDS]
    name = next((n for n in names if n is not None), None)
    return None if name is None else study_area_of({name: (stored[name]["kind"], ws.read_layer(name))})


def incidents_with_areas(ws: Workspace, *, h3_resolutions: Sequence[int] = DEFAULT_RESOLUTIONS) -> pd.DataFrame:
    """The workspace's incidents with their area codes and H3 cells.

    Returns the incident table plus one column per area layer (named as the layer),
    ``ward_code``, ``lsoa_code``, ``zone_codes`` (see :func:`assign_areas`) and
    ``h3_<res>`` for each resolution. ``.attrs["outside"]`` holds, per layer, the
    incidents in no area of it. ``h3_resolutions``: H3 resolutions, ints 0-15.
    """
    check_workspace(ws, "incidents_with_areas")
    h3_resolutions = check_resolutions(h3_resolutions, "incidents_with_areas", name="h3_resolutions",
                                       error=BoundaryError)
    return with_areas(ws, ws.incidents(), h3_resolutions=h3_resolutions)


def with_areas(ws: Workspace, incidents: pd.DataFrame, *,
               h3_resolutions: Sequence[int] | None = DEFAULT_RESOLUTIONS) -> pd.DataFrame:
    """Some of the workspace's incidents (a read of :meth:`Workspace.incidents`, indexed 0..n-1)
    with their area codes and H3 cells, as :func:`incidents_with_areas` gives them all;
    ``h3_resolutions=None``: no H3 cells (for work that reads none).

    Areas and cells are worked out once per distinct point (``easting``, ``northing``,
    ``longitude``, ``latitude``: police.uk has about 50 records a point), kept in the
    workspace's cache for the next command (:mod:`~hotspot_tasking.boundaries.pointcache`),
    and spread to the rows as Arrow takes, so the cost follows the new points, not the rows.
    """
    resolutions = () if h3_resolutions is None else check_resolutions(
        h3_resolutions, "with_areas", name="h3_resolutions", error=BoundaryError)
    inverse, points = _distinct_points(incidents)
    layers = area_layers(ws)
    per_point = point_areas(ws, points, layers, resolutions)
    take = pa.array(inverse, type=pa.int64())
    spread = pd.DataFrame({c: pd.Series(pa.array(per_point[c].to_numpy(dtype=object), type=pa.large_string())
                                        .take(take), index=incidents.index, dtype="str")
                           for c in per_point.columns}, index=incidents.index)
    out = pd.concat([incidents, spread], axis=1)
    rows_per_point = np.bincount(inverse, minlength=len(points))
    out.attrs["outside"] = {name: int(rows_per_point[(per_point[name] == OUTSIDE).to_numpy()].sum())
                            for name in layers}
    return out


def assign_workspace(ws: Workspace, *, h3_resolutions: Sequence[int] = DEFAULT_RESOLUTIONS) -> pd.DataFrame:
    """Work out every record's areas and H3 cells now and keep them in the cache (the tasking
    list's reads, without cells, too), so later commands only read them.

    The distinct points are gathered in runs of incident files, a task each on the current
    engine, and joined in chunks (:mod:`~hotspot_tasking.boundaries.pointcache`).

    Returns
    -------
    pandas.DataFrame
        One row per distinct point: :data:`POINT_COLUMNS`, ``records``, the codes of each
        layer and ``h3_<res>``.
    """
    check_workspace(ws, "assign_workspace")
    resolutions = check_resolutions(h3_resolutions, "assign_workspace", name="h3_resolutions", error=BoundaryError)
    points = point_records(ws)
    if not len(points):
        return points
    per_point = point_areas(ws, points[POINT_COLUMNS], area_layers(ws), resolutions)
    store_without_cells(ws, points[POINT_COLUMNS], per_point)
    return pd.concat([points, per_point], axis=1)


def point_records(ws: Workspace) -> pd.DataFrame:
    """The workspace's distinct points (:data:`POINT_COLUMNS`) and ``records`` at each, sorted;
    gathered in runs of incident files, a task each on the current engine."""
    engine = current_engine()
    parts = [p for p in engine.map(_file_points, file_runs(ws.data_files, engine.workers)) if len(p)]
    if not parts:
        return pd.DataFrame(columns=[*POINT_COLUMNS, "records"])
    points = pd.concat(parts, ignore_index=True).groupby(POINT_COLUMNS, dropna=False, sort=True)["records"].sum()
    return points.reset_index()


def _file_points(paths: list[str]) -> pd.DataFrame:
    """A run of incident files' distinct points and the records at each (a task)."""
    table = pd.concat([pd.read_parquet(path, columns=POINT_COLUMNS) for path in paths], ignore_index=True)
    return table.groupby(POINT_COLUMNS, dropna=False, sort=False).size().rename("records").reset_index()


def area_coverage(ws: Workspace) -> tuple[dict[str, int], dict[str, dict[str, float]]]:
    """Over every incident: how many lie in no area of each area layer, and for each LSOA layer
    how often a source's own LSOA code agrees with the computed one (see
    :func:`~hotspot_tasking.boundaries.assign.lsoa_agreement`, summed).

    Read a batch of files at a time (:meth:`Workspace.incident_batches`) and joined per
    distinct point through the cache, so memory is set by the batch, not the workspace.
    """
    check_workspace(ws, "area_coverage")
    layers = area_layers(ws)
    lsoas = [name for name, (kind, _) in layers.items() if kind == "lsoa"]
    outside = dict.fromkeys(layers, 0)
    compared = dict.fromkeys(lsoas, 0)
    agree = dict.fromkeys(lsoas, 0)
    for batch in ws.incident_batches([*POINT_COLUMNS, "lsoa_code_given"]):
        inverse, points = _distinct_points(batch)
        per_point = point_areas(ws, points, layers, DEFAULT_RESOLUTIONS)
        rows_per_point = np.bincount(inverse, minlength=len(points))
        for name in layers:
            outside[name] += int(rows_per_point[(per_point[name] == OUTSIDE).to_numpy()].sum())
        for name in lsoas:
            counts = lsoa_agreement(batch["lsoa_code_given"], pd.Series(per_point[name].to_numpy()[inverse]))
            compared[name] += counts["compared"]
            agree[name] += counts["agree"]
    agreement = {name: {"compared": compared[name], "agree": agree[name],
                        "share": agree[name] / compared[name] if compared[name] else float("nan")} for name in lsoas}
    return outside, agreement


def _distinct_points(incidents: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """``(inverse, points)``: the distinct ``easting, northing, longitude, latitude`` of the
    rows (missing values alike), in order of first appearance, and each row's point."""
    check_columns(incidents, POINT_COLUMNS, "with_areas")
    inverse, firsts = point_rows(incidents)
    return inverse, incidents[POINT_COLUMNS].iloc[firsts].reset_index(drop=True)


def add_population(ws: Workspace, path: str | Path, *, code_col: str, value_col: str,
                   layer: str | None = None, sheet: str | None = None) -> list[str]:
    """Store resident population per area from a CSV or an Excel workbook; return notes for the user.

    Parameters
    ----------
    path : path
        CSV with one row per area, or an ``.xlsx`` workbook such as ONS's small-area
        population estimates (the header is found below its title rows:
        :func:`.workbook.read_workbook`).
    code_col, value_col : str
        The area code column and the population column (persons, all ages).
    layer : str, optional
        The layer the codes belong to (one stored in ``ws``); default: the stored layer
        sharing the most codes.
    sheet : str, optional
        A workbook's sheet (e.g. ``"Mid-2020 Persons"``); default the first whose header has
        both columns. Not used for a CSV.
    """
    where = "add_population"
    check_workspace(ws, where)
    check_type(path, "path", where, (str, os.PathLike), type_name="a path (str or pathlib.Path)")
    check_type(code_col, "code_col", where, str, type_name="a str")
    check_type(value_col, "value_col", where, str, type_name="a str")
    if layer is not None:
        check_type(layer, "layer", where, str, type_name="a str")
        check_choice(layer, "layer", where, ws.layers())
    if sheet is not None:
        check_type(sheet, "sheet", where, str, type_name="a str")
    if Path(path).suffix.lower() in WORKBOOK_SUFFIXES:
        csv = read_workbook(path, columns=[code_col, value_col], sheet=sheet)
    else:
        csv = next(read_csvs([path]))
    for col, what in ((code_col, "--code-col"), (value_col, "--value-col")):
        if col not in csv.frame.columns:
            raise BoundaryError(f"{csv.name}: has no column '{col}' ({what}); "
                                f"its columns are {', '.join(csv.frame.columns)}.")
    codes = csv.frame[code_col].str.strip()
    values = pd.to_numeric(csv.frame[value_col].str.replace(",", "", regex=False), errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        first = int(csv.rows[bad].iloc[0])
        raise BoundaryError(f"{csv.name}, row {first}, column '{value_col}': "
                            f"'{csv.frame.loc[bad, value_col].iloc[0]}' is not a "
                            f"population (a whole number of 0 or more); {int(bad.sum())} rows affected. "
                            "Fix them and add the file again.")
    layer = layer or _best_layer(ws, codes, csv.name)
    known = set(ws.read_layer(layer)["code"])
    table = pd.DataFrame({"code": codes, "population": values.astype(float)}).groupby("code", as_index=False).sum()
    matched = table["code"].isin(known)
    missing = len(known - set(table["code"]))
    ws.save_table(POPULATION_PREFIX + layer, table[matched].reset_index(drop=True),
                  {"layer": layer, "source": csv.name, "value_col": value_col,
                   "total": float(table.loc[matched, "population"].sum())})
    notes = [f"Population for {int(matched.sum()):,} of the {len(known):,} areas in '{layer}' "
             f"({table.loc[matched, 'population'].sum():,.0f} residents)."]
    if (~matched).any():
        notes.append(f"{int((~matched).sum()):,} codes in {csv.name} are not in '{layer}' and were left out.")
    if missing:
        notes.append(f"{missing:,} areas of '{layer}' have no population: their rates will be blank.")
    return notes


def population(ws: Workspace, layer: str) -> pd.Series | None:
    """Residents per area code of ``layer`` (a layer name), or None when none is stored."""
    check_workspace(ws, "population")
    check_type(layer, "layer", "population", str, type_name="a str")
    name = POPULATION_PREFIX + layer
    if name not in ws.tables():
        return None
    table = ws.read_table(name)
    return table.set_index("code")["population"]


def check_workspace(ws, where: str) -> Workspace:
    """Return ``ws`` if it is a :class:`~hotspot_tasking.geo.workspace.Workspace`, else raise TypeError."""
    return check_type(ws, "ws", where, Workspace, type_name="a Workspace (Workspace.open(path))")


def _best_layer(ws: Workspace, codes: pd.Series, file: str) -> str:
    wanted = set(codes)
    overlap = {name: len(wanted & set(ws.read_layer(name)["code"])) for name in ws.layers()}
    if not overlap or max(overlap.values()) == 0:
        raise BoundaryError(f"{file}: none of its area codes matches a layer in the workspace; "
                            "add the boundaries first, or name the layer with --layer.")
    return max(overlap, key=overlap.get)
