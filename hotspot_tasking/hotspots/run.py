"""One hotspot analysis of a workspace, as a person asks for it: a method, a time band,
categories or groups, a period; the incidents chosen, the method run, its layers and card.

The CLI (``hotspot-tasking hotspots``) and the app both call :func:`run_hotspots`, so a map
made in one can be reproduced in the other from its method card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

import geopandas as gpd
import pandas as pd

from ..boundaries.store import study_area
from ..geo.select import select_incidents
from ..geo.timebands import TimeBands
from ..geo.workspace import Workspace
from .accuracy import BacktestResult, backtest
from .bands import ALL_TIMES, BandSelection, exclusive_areas, select_band
from .card import MethodCard
from .dbscan import dbscan
from .errors import HotspotError
from .gistar import gistar
from .grid import Grid
from .kde import KdeResult, kde
from .validate import check_choice

Method = Literal["kde", "dbscan", "gistar"]
METHODS: tuple[str, ...] = get_args(Method)
Weighting = Literal["count", "harm"]


@dataclass(frozen=True)
class HotspotRequest:
    """What to analyse.

    Attributes
    ----------
    method : {"kde", "dbscan", "gistar"}
    band : str
        A band of ``time_bands.toml`` or ``"all"``.
    categories, groups, sources : tuple of str, optional
        Incidents in any of these (None: all).
    start, end : str, optional
        Local dates, inclusive (``"2017-07-01"``).
    weighting : {"count", "harm"}
        Count incidents, or weight them by the taxonomy's harm weights.
    cell_size_m, bandwidth_m, eps_m, min_samples, distance_m
        Method parameters; None leaves each to its documented rule.
    """

    method: Method = "kde"
    band: str = ALL_TIMES
    categories: tuple[str, ...] | None = None
    groups: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    start: str | None = None
    end: str | None = None
    weighting: Weighting = "count"
    cell_size_m: float | None = None
    bandwidth_m: float | None = None
    eps_m: float | None = None
    min_samples: int | None = None
    distance_m: float | None = None


@dataclass
class HotspotRun:
    """An analysis done.

    Attributes
    ----------
    request : HotspotRequest
    layers : dict
        ``{name: GeoDataFrame}`` in EPSG:27700; ``"hotspots"`` always (hotspot polygons,
        clusters, or hot Gi* cells), plus method-specific ones.
    card : MethodCard
    surface : KdeResult or None
        The density surface (KDE only), for GeoTIFF export and maps.
    incidents : int
        Incidents selected (before band weighting).
    """

    request: HotspotRequest
    layers: dict[str, gpd.GeoDataFrame]
    card: MethodCard
    surface: KdeResult | None = None
    incidents: int = 0
    notes: list[str] = field(default_factory=list)


def run_hotspots(ws: Workspace, request: HotspotRequest, *, incidents: pd.DataFrame | None = None) -> HotspotRun:
    """Select the incidents a request describes and run its method on them (:func:`analyse`
    with the workspace's time bands and study area).

    Parameters
    ----------
    ws : Workspace
        Gives the incidents (unless passed), the time bands and the study area (the ward layer).
    request : HotspotRequest
    incidents : pandas.DataFrame, optional
        The workspace's incident table, if already loaded (the app caches it).

    Returns
    -------
    HotspotRun
    """
    table = ws.incidents() if incidents is None else incidents
    return analyse(request, table, bands=ws.time_bands(), study_area=study_area(ws))


def analyse(request: HotspotRequest, incidents: pd.DataFrame, *, bands: TimeBands, study_area=None) -> HotspotRun:
    """Select the incidents a request describes and run its method on them; no I/O.

    Parameters
    ----------
    request : HotspotRequest
    incidents : pandas.DataFrame
        The incident table to select from (``easting``, ``northing``, the time columns and
        the filter columns). Not modified.
    bands : TimeBands
        The time bands (``time_bands.toml``).
    study_area : shapely geometry, optional
        The partnership's area (EPSG:27700): the grid covers it, and the KDE bandwidth,
        the hotspot threshold and shares, DBSCAN's default ``min_samples`` and shares and
        Gi*'s mean and spread use its cells and the incidents in it (those around it
        still add density and cluster); None: the grid covers ``incidents``, all count.

    Returns
    -------
    HotspotRun
        For KDE, ``"hotspots"`` by the coverage rule (the hottest
        :data:`.areas.DEFAULT_COVERAGE` of the study area's cells, hotspots of at least
        :data:`.areas.MIN_HOTSPOT_INCIDENTS` incidents; the rule in the card's
        ``hotspot_threshold``) and ``"density_cells"``, the cells at or above its threshold.
    """
    check_choice(request.method, "method", "run_hotspots", METHODS)
    check_choice(request.weighting, "weighting", "run_hotspots", get_args(Weighting))
    chosen, band, weights = select_request(request, incidents, bands)
    grid = _grid(incidents, cell_size_m=request.cell_size_m, area=study_area)
    if request.method == "kde":
        result = kde(chosen, grid=grid, bandwidth_m=request.bandwidth_m, weights=weights, study_area=study_area)
        spots = result.hotspots()
        level = spots.attrs["threshold_value"]  # inf when the study area has no cell
        cells = result.to_cells(min_density=level) if level < float("inf") else result.to_cells().iloc[:0]
        run = HotspotRun(request, {"hotspots": spots, "density_cells": cells}, result.card, surface=result)
        run.card.data["hotspot_threshold"] = spots.attrs["threshold_rule"]
    elif request.method == "dbscan":
        result = dbscan(chosen, eps_m=request.eps_m, min_samples=request.min_samples, weights=weights, bands=bands,
                        study_area=study_area)
        layers = result.layers()
        run = HotspotRun(request, {"hotspots": layers["outline"], "hulls": layers["hull"]}, result.card)
    else:
        result = gistar(chosen, grid=grid, distance_m=request.distance_m, weights=weights, study_mask=study_area)
        frame = result.frame
        run = HotspotRun(request, {"hotspots": frame[frame["class"] == "hot"].reset_index(drop=True),
                                   "gistar_cells": frame}, result.card)
    run.incidents = len(chosen)
    run.card.data.update(selection=describe(request), incidents_selected=len(chosen), band=band.label)
    if band.message:
        run.card.warn(band.message)
    return run


def select_request(request: HotspotRequest, incidents: pd.DataFrame,
                   bands: TimeBands) -> tuple[pd.DataFrame, BandSelection, pd.Series]:
    """The incidents a request selects (rows of ``incidents``, its index kept), its band, and each
    incident's weight (band share, times harm when the request weights by harm) on that index;
    HotspotError naming the selection when nothing matches. What :func:`analyse` runs on."""
    chosen = incidents[select_incidents(incidents, sources=request.sources, categories=request.categories,
                                        groups=request.groups, start=request.start, end=request.end)]
    if chosen.empty:
        raise HotspotError(f"no incidents match {describe(request)}; widen the period, band or categories.")
    band = select_band(chosen, request.band, time_bands=bands)
    weights = band.weights * (chosen["harm_weight"].astype(float) if request.weighting == "harm" else 1.0)
    return chosen, band, weights


def backtest_request(ws: Workspace, request: HotspotRequest, *, every: str = "month",
                     incidents: pd.DataFrame | None = None) -> tuple[BacktestResult, BandSelection, Grid]:
    """Rolling accuracy of KDE hotspots for a request's selection, beside the naive baseline
    (see :func:`hotspots.accuracy.backtest`), on the workspace grid.

    The bandwidth is the request's, else the rule's on the study area's incidents of the whole
    selection, and the same in every period (a surface recomputed each period would be
    smoothed differently month to month); the card says which.
    """
    table = ws.incidents() if incidents is None else incidents
    chosen, band, weights = select_request(request, table, ws.time_bands())
    area = study_area(ws)
    grid = workspace_grid(ws, table, cell_size_m=request.cell_size_m, area=area)
    whole = kde(chosen, grid=grid, bandwidth_m=request.bandwidth_m, weights=weights, study_area=area)
    bandwidth = float(whole.card.parameters["bandwidth_m"])

    def kde_density(period_incidents: pd.DataFrame, g: Grid):
        return kde(period_incidents, grid=g, bandwidth_m=bandwidth, weights="weight").density

    result = backtest(chosen, grid=grid, score_fn=kde_density, period=every, study_mask=area,
                      weights=weights, method_name="kde")
    result.card.choose("bandwidth_m", bandwidth, whole.card.rules["bandwidth_m"] + " (over every period, "
                       "the same in each)")
    return result, band, grid


def workspace_grid(ws: Workspace, incidents: pd.DataFrame, *, cell_size_m: float | None = None, area=None) -> Grid:
    """The grid for a workspace: over its study area (else all its incidents), so that every
    band, period and category is mapped on the same cells and can be compared.

    The cell size defaults to the shorter side of that extent / 50, rounded down to 10 m.
    """
    return _grid(incidents, cell_size_m=cell_size_m, area=study_area(ws) if area is None else area)


def _grid(incidents: pd.DataFrame, *, cell_size_m: float | None, area) -> Grid:
    if area is not None:
        bounds = area.bounds
    else:
        bounds = (incidents["easting"].min(), incidents["northing"].min(),
                  incidents["easting"].max(), incidents["northing"].max())
    return Grid.covering(bounds, cell_size_m=cell_size_m)


def compare_band_hotspots(ws: Workspace, request: HotspotRequest, bands: Sequence[str], *,
                          incidents: pd.DataFrame | None = None) -> tuple[dict[str, HotspotRun], gpd.GeoDataFrame]:
    """Run one request in several bands on the same grid; return the runs and every band's
    hotspots marked with the other bands they touch (``only_in_band`` True when none).

    For example night-time economy against daytime: the hotspots that appear only at night.
    """
    table = ws.incidents() if incidents is None else incidents
    runs = {band: run_hotspots(ws, replace(request, band=band), incidents=table) for band in bands}
    return runs, exclusive_areas({band: run.layers["hotspots"] for band, run in runs.items()})


def describe(request: HotspotRequest) -> str:
    """The selection in words, e.g. "violence, night-time economy band, 01/07/2017 to 31/07/2017"."""
    parts = [", ".join(request.categories) if request.categories else "all categories"]
    if request.groups:
        parts.append("groups " + ", ".join(request.groups))
    if request.sources:
        parts.append("sources " + ", ".join(request.sources))
    parts.append("all times" if request.band == ALL_TIMES else f"band '{request.band}'")
    if request.start or request.end:
        fmt = lambda d: pd.Timestamp(d).strftime("%d/%m/%Y") if d else "…"  # noqa: E731
        parts.append(f"{fmt(request.start)} to {fmt(request.end)}")
    parts.append("harm-weighted" if request.weighting == "harm" else "counts")
    return "; ".join(parts)
