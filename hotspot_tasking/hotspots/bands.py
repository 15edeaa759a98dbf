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
from ..labels import ALL_TIMES


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
    """

    band: str
    label: str
    weights: pd.Series
    no_time_of_day: int

    @property
    def message(self) -> str | None:
        """The warning to show when records were left out, else None."""
        if not self.no_time_of_day:
            return None
        return (f"{self.no_time_of_day:,} incidents have no time of day (month- or day-only dates, e.g. police.uk) and "
                f"are left out of the '{self.label}' band; they count under all times.")


def select_band(incidents: pd.DataFrame, band: str = ALL_TIMES, *,
                time_bands: TimeBands | None = None) -> BandSelection:
    """The weights that put each incident in ``band`` (see the module docstring)."""
    if band == ALL_TIMES:
        return BandSelection(ALL_TIMES, "All times", pd.Series(1.0, index=incidents.index), 0)
    bands = time_bands or TimeBands.load()
    weights = band_weights(incidents, band, bands=bands)
    untimed = int(weights.isna().sum())
    return BandSelection(band, bands.band(band).label, weights.fillna(0.0), untimed)


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
    names = list(hot)
    stack = np.stack([np.asarray(hot[b], bool) for b in names])
    others = stack.sum(axis=0)
    rows = []
    for i, band in enumerate(names):
        mine = stack[i]
        only = mine & (others == 1)
        rows.append({"band": band, "hot_cells": int(mine.sum()), "only_this_band": int(only.sum()),
                     "share_only": float(only.sum() / mine.sum()) if mine.any() else 0.0})
    return pd.DataFrame(rows).set_index("band")


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
