"""Exporting a tasking list or a hotspot analysis from a workspace: what the reports need from
it (disclosure rules, the boundaries maps are drawn over, the partnership's name, the time
bands' labels, the action log's last actions, the selection's sensitive incidents) read
here, at the edge, so :mod:`hotspot_tasking.reports` reads no files.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..boundaries.roads import read_roads
from ..boundaries.study import latest_layer
from ..geo.workspace import Workspace
from ..hotspots.export import write_hotspots
from ..hotspots.run import HotspotRun, select_request
from ..ranking.schema import TaskingList
from ..reports.disclosure import DisclosureRules
from ..reports.exports import export_tasking
from ..reports.hotspot_disclosure import aggregate_hotspots
from ..reports.setting import Background, ReportSetting, band_labels
from ..reports.streets import StreetBackground, record_streets
from .tasking import workspace_action_log

logger = logging.getLogger(__name__)


#: Exports that draw a map (and so need the street names and roads).
MAP_SUFFIXES = (".pdf", ".png")


def report_setting(ws: Workspace, *, maps: bool = True) -> ReportSetting:
    """The workspace's disclosure rules, its map background, its name and its time bands' labels;
    without the streets and roads (which read the incidents) when the export draws no ``maps``."""
    return ReportSetting(rules=disclosure_rules(ws), background=background_layers(ws, streets=maps),
                         partnership=ws.name, band_labels=band_labels(ws.time_bands()))


def export_hotspots(ws: Workspace, run: HotspotRun, path: str | Path, *, incidents: pd.DataFrame | None = None,
                    exact: bool = False) -> tuple[list[Path], list[str]]:
    """Write a hotspot analysis under the workspace's disclosure rules; return the files and notices.

    Hotspots holding sensitive incidents of the run's selection are aggregated (see
    :mod:`hotspot_tasking.reports.hotspot_disclosure`) unless ``exact``.

    Parameters
    ----------
    ws : Workspace
    run : HotspotRun
    path : str or Path
        ``.gpkg``, ``.geojson`` or ``.tif``.
    incidents : pandas.DataFrame, optional
        The workspace's incident table, if already loaded.
    exact : bool, default=False
        Write exact outlines, counts and cells (for use inside the partnership), with a notice.

    Returns
    -------
    (list of Path, list of str)
    """
    table = ws.incidents() if incidents is None else incidents
    chosen, _, weights = select_request(run.request, table, ws.time_bands())
    sensitive = chosen["sensitive"].astype(bool).to_numpy() & (pd.Series(weights).to_numpy(dtype="float64") > 0)
    points = chosen.loc[sensitive, ["easting", "northing"]].to_numpy(dtype="float64")
    categories = sorted(chosen.loc[sensitive, "category"].astype(str).unique())
    layers, card, notices = aggregate_hotspots(run.layers, run.card, points, categories=categories,
                                               rules=disclosure_rules(ws), exact=exact, suffix=Path(path).suffix)
    return write_hotspots(replace(run, layers=layers, card=card), path), notices


def disclosure_rules(ws: Workspace) -> DisclosureRules:
    """``[disclosure]`` of the workspace's ``tasking.toml`` with its taxonomy's sensitive categories."""
    return DisclosureRules.load(ws.config_path("tasking.toml"), taxonomy=ws.taxonomy())


def background_layers(ws: Workspace, *, streets: bool = True) -> Background:
    """The workspace's latest ward layer and its borough layer (a layer named ``*borough*``), if
    stored, and with ``streets`` the street names its records carry (:func:`map_streets`), named
    on the maps, and its roads layer when it has one (drawn under everything, its names first)."""
    layers = ws.layers()
    wards = latest_layer(layers, "ward")
    boroughs = next((n for n in sorted(layers) if "borough" in n.lower()), None)
    return StreetBackground(_named(ws.read_layer(wards)) if wards else None,
                            _named(ws.read_layer(boroughs)) if boroughs else None,
                            streets=map_streets(ws) if streets else None, roads=read_roads(ws) if streets else None)


def map_streets(ws: Workspace, *, bbox: tuple[float, float, float, float] | None = None) -> pd.DataFrame:
    """The street names the workspace's records carry, per map point
    (:func:`hotspot_tasking.reports.streets.record_streets`: sensitive records and generic
    words left out), within ``bbox`` (``minx, miny, maxx, maxy``, metres, EPSG:27700) when given.
    A workspace whose incident files cannot be read gives no streets (logged): the maps are
    drawn without street names rather than not at all."""
    columns = ["location_text", "easting", "northing", "sensitive"]
    try:
        incidents = ws.incidents(columns=columns, bbox=bbox)
    except OSError as exc:
        logger.warning("map_streets: the incident files of %s cannot be read (%s); the maps name no streets. "
                       "Fix: run 'hotspot-tasking status' on the workspace.", ws.root, exc)
        incidents = pd.DataFrame({c: pd.Series(dtype=float if c in ("easting", "northing") else object)
                                  for c in columns})
    return record_streets(incidents)


def export_list(ws: Workspace, tasking_list: TaskingList, path: str | Path, *, top: int | None = None,
                min_count: int | None = None, include_free_text: bool = False) -> list[Path]:
    """Write a tasking list of the workspace to ``path`` (the extension choosing the format).

    The briefing pack (``.pdf``) shows each place's last actions from the workspace's action
    log, when it has one (free text only with ``include_free_text``).

    Parameters
    ----------
    ws : Workspace
    tasking_list : TaskingList
        As :func:`hotspot_tasking.pipeline.tasking.tasking_list` makes it. Not modified.
    path : str or Path
        ``.csv``, ``.xlsx``, ``.gpkg``, ``.geojson``, ``.pdf`` or ``.png``.
    top, min_count, include_free_text
        See :func:`hotspot_tasking.reports.exports.export_tasking`.

    Returns
    -------
    list of Path
    """
    actions = None
    suffix = Path(str(path)).suffix.lower()
    if suffix == ".pdf":  # only the pack shows last actions
        actions = last_actions(ws, tasking_list, include_free_text=include_free_text)
    setting = report_setting(ws, maps=suffix in MAP_SUFFIXES)
    return export_tasking(tasking_list, path, setting=setting, top=top, min_count=min_count,
                          include_free_text=include_free_text, actions=actions)


def last_actions(ws: Workspace, tasking_list: TaskingList, *, include_free_text: bool = False) -> pd.DataFrame | None:
    """The action log's rows for the list's places (None when the workspace has no log)."""
    log = workspace_action_log(ws)
    if log is None:
        return None
    with log:
        frame = log.to_frame(include_free_text=include_free_text)
    ids = set(tasking_list.frame["tasking_id"].astype("str"))
    return frame[frame["tasking_id"].astype("str").isin(ids)].reset_index(drop=True)


def _named(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``code``, ``name`` and the outlines in EPSG:27700, whatever the layer's own columns."""
    layer = layer.to_crs(27700) if layer.crs is not None and layer.crs.to_epsg() != 27700 else layer
    cols = {c.lower(): c for c in layer.columns}
    code = cols.get("code") or next((c for c in layer.columns if c != "geometry"), None)
    name = cols.get("name") or code
    return gpd.GeoDataFrame({"code": layer[code].astype(str) if code else "",
                             "name": layer[name].astype(str) if name else ""}, geometry=layer.geometry.values,
                            crs=27700)
