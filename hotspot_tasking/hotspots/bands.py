"""Hotspots by time band: the weights that put incidents in a band, and which hotspots
appear in one band only (night-time economy hotspots that daytime maps miss).

A band is a name from ``time_bands.toml`` (``nte``, ``after_school``, ``overnight``,
``daytime``) or ``"all"`` for all times. Incidents count in a band by their aoristic
weight (the share of their time window in it); records without a time of day (police.uk
month-only dates, day-only logs) are left out of hour bands, counted, and said so.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.aoristic import band_weights
from ..geo.timebands import TimeBands
from ..labels import ALL_TIMES, LOCAL_TZ
from ..validation import check_columns
from .errors import HotspotError


@dataclass(frozen=True)
class BandSelection:
    """Per-incident weights for one band.

    Attributes
    ----------
    band : str
        Band name, or ``"all"``.
    label : str
        How people call it ("Night-time economy").
    weights : pandas.Series
        0..1 per incident, 0 for records without a time of day (they are not in any hour band).
    no_time_of_day : int
        Records left out because they have no time of day (0 for ``"all"``).
    empty_reason : str or None
        When no record has a time of day, why the band is empty (:func:`untimed_band_sentence`).
    """

    band: str
    label: str
    weights: pd.Series
    no_time_of_day: int
    empty_reason: str | None = None

    @property
    def message(self) -> str | None:
        """The warning to show when records were left out (the empty reason when all were), else None."""
        if self.empty_reason or not self.no_time_of_day:
            return self.empty_reason
        return (f"{self.no_time_of_day:,} incidents have no time of day (month- or day-only dates, e.g. police.uk) and "
                f"are left out of the '{self.label}' band; they count under all times.")


def select_band(incidents: pd.DataFrame, band: str = ALL_TIMES, *,
                time_bands: TimeBands | None = None) -> BandSelection:
    """The weights that put each incident in ``band`` (see the module docstring)."""
    if band == ALL_TIMES:
        return BandSelection(ALL_TIMES, "All times", pd.Series(1.0, index=incidents.index), 0)
    bands = time_bands or TimeBands.load()
    weights = band_weights(incidents, band, bands=bands)
    label, untimed = bands.band(band).label, int(weights.isna().sum())
    reason = untimed_band_sentence(incidents, label) if 0 < untimed == len(incidents) else None
    return BandSelection(band, label, weights.fillna(0.0), untimed, reason)


def untimed_band_sentence(incidents: pd.DataFrame, label: str) -> str:
    """Why an hour band is empty when none of ``incidents`` has a time of day, in one sentence.

    Parameters
    ----------
    incidents : pandas.DataFrame
        At least one row: ``occurred_from``, ``time_precision`` (and ``source``: police.uk is named). Not modified.
    label : str
        The band's label, e.g. "Night-time economy".
    """
    if check_columns(incidents, ("occurred_from", "time_precision"), "untimed_band_sentence", error=HotspotError).empty:
        raise HotspotError("untimed_band_sentence: 'incidents' has no rows; give the incidents the band left out.")
    local, precision = incidents["occurred_from"].dt.tz_convert(LOCAL_TZ), sorted(set(incidents["time_precision"]))
    first, last, n = f"{local.min():%B %Y}", f"{local.max():%B %Y}", len(incidents)
    why = ("police.uk gives months only" if precision == ["month"] and "source" in incidents and incidents["source"]
           .astype("str").str.startswith("police_uk").all() else f"their dates give the {' or '.join(precision)} only")
    when = f"in {first}" if first == last else f"from {first} to {last}"
    return (f"{'the one incident' if n == 1 else f'none of the {n:,} incidents'} {when} has {'no' if n == 1 else 'a'} "
            f"time of day ({why}), so none falls in the '{label}' band; use all times.")


def compare_bands(hot: dict[str, np.ndarray]) -> pd.DataFrame:
    """How the hot cells of several bands overlap.

    Parameters
    ----------
    hot : dict
        ``{band: [rows, cols] bool array of hot cells}`` on one shared grid.

    Returns
    -------
    pandas.DataFrame
        One row per band: ``hot_cells``, ``only_this_band`` (hot here and in no other band
        given), ``share_only`` (of its hot cells).
    """
    stack = np.stack([np.asarray(cells, bool).ravel() for cells in hot.values()])
    n, only = stack.sum(axis=1), (stack & (stack.sum(axis=0) == 1)).sum(axis=1)
    share = np.divide(only, n, out=np.zeros(len(n)), where=n > 0)
    return pd.DataFrame({"hot_cells": n, "only_this_band": only, "share_only": share}, pd.Index([*hot], name="band"))


def exclusive_areas(areas: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """All bands' hotspot polygons in one frame, each with the other bands whose hotspots
    it touches (``also_in``) and ``only_in_band`` (True when it touches none).

    Parameters
    ----------
    areas : dict
        ``{band: GeoDataFrame of hotspot polygons}`` (EPSG:27700).
    """
    frames = [frame.assign(band=band) for band, frame in areas.items() if len(frame)]
    if not frames:
        return gpd.GeoDataFrame({"band": [], "also_in": [], "only_in_band": []}, geometry=[], crs=27700)
    allbands = pd.concat(frames, ignore_index=True)
    geoms = allbands.geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    bands = allbands["band"].to_numpy()
    other = bands[left] != bands[right]
    pairs = pd.DataFrame({"i": left[other], "band": bands[right[other]]}).drop_duplicates()
    also = pairs.groupby("i")["band"].agg(lambda s: ", ".join(sorted(s)))
    allbands["also_in"] = also.reindex(range(len(allbands)), fill_value="").to_numpy()
    allbands["only_in_band"] = allbands["also_in"].eq("")
    return gpd.GeoDataFrame(allbands, geometry=allbands.geometry.name, crs=27700)
