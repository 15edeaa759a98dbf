"""Hotspots by time band: the weights that put incidents in a band, and which hotspots
appear in one band only (night-time economy hotspots that daytime maps miss).

A band is a name from ``time_bands.toml`` (``nte``, ``after_school``, ``overnight``,
``daytime``) or ``"all"`` for all times. Incidents count in a band by their aoristic
weight (the share of their time window in it); records without a time of day (police.uk
month-only dates, day-only logs) are left out of hour bands, counted, and said so. When
none of the records has a time of day, an hour band is empty and
:func:`untimed_band_sentence` says why in one sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.aoristic import band_weights
from ..geo.select import select_incidents
from ..geo.timebands import TimeBands
from ..labels import ALL_TIMES, LOCAL_TZ
from ..validation import check_columns, check_type
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
        When the band is empty because no record has a time of day, the sentence saying
        so (:func:`untimed_band_sentence`); else None.
    """

    band: str
    label: str
    weights: pd.Series
    no_time_of_day: int
    empty_reason: str | None = None

    @property
    def message(self) -> str | None:
        """The warning to show when records were left out (the empty reason when all were), else None."""
        if self.empty_reason:
            return self.empty_reason
        if not self.no_time_of_day:
            return None
        return (f"{self.no_time_of_day:,} incidents have no time of day (month- or day-only dates, e.g. police.uk) and "
                f"are left out of the '{self.label}' band; they count under all times.")


def select_band(incidents: pd.DataFrame, band: str = ALL_TIMES, *,
                time_bands: TimeBands | None = None) -> BandSelection:
    """The weights that put each incident in ``band`` (see the module docstring).

    When every incident lacks a time of day, the selection's ``empty_reason`` says so
    (:func:`untimed_band_sentence`).
    """
    if band == ALL_TIMES:
        return BandSelection(ALL_TIMES, "All times", pd.Series(1.0, index=incidents.index), 0)
    bands = time_bands or TimeBands.load()
    weights = band_weights(incidents, band, bands=bands)
    missing = weights.isna()
    untimed = int(missing.sum())
    label = bands.band(band).label
    reason = untimed_band_sentence(incidents, label) if len(incidents) and bool(missing.all()) else None
    return BandSelection(band, label, weights.fillna(0.0), untimed, reason)


def empty_band_reason(incidents: pd.DataFrame, band: str, *, time_bands: TimeBands,
                      categories: Sequence[str] | None = None, groups: Sequence[str] | None = None,
                      sources: Sequence[str] | None = None, start: str | None = None,
                      end: str | None = None) -> str | None:
    """Why ``band`` is empty for a selection because none of its records has a time of day, else None.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incident table (the time columns and the filter columns). Not modified.
    band : str
        A band of ``time_bands`` or ``"all"`` (never empty for this reason).
    time_bands : TimeBands
    categories, groups, sources : sequence of str, optional
        Only these incidents (None: all).
    start, end : str, optional
        Local dates, inclusive (``"2017-07-01"``).

    Returns
    -------
    str or None
        :func:`untimed_band_sentence` of the selection; None for all times, a selection with
        no incidents (other messages say that) or one with any timed record.
    """
    if band == ALL_TIMES:
        return None
    chosen = incidents[select_incidents(incidents, sources=sources, categories=categories, groups=groups,
                                        start=start, end=end)]
    if chosen.empty:
        return None
    return select_band(chosen, band, time_bands=time_bands).empty_reason


def untimed_band_sentence(incidents: pd.DataFrame, label: str) -> str:
    """Why an hour band is empty, in one sentence, when none of ``incidents`` has a time of day.

    For example "none of the 104 incidents in August 2015 has a time of day (police.uk
    gives months only), so none falls in the 'Night-time economy' band; use all times."

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incidents selected, all without a time of day: ``occurred_from`` (tz-aware) and
        ``time_precision``; ``source`` when present (police.uk is named). Not modified.
    label : str
        The band's label, e.g. ``"Night-time economy"``.

    Returns
    -------
    str

    Raises
    ------
    TypeError, HotspotError
        For a frame without ``occurred_from`` or ``time_precision``, or without rows.
    """
    where = "untimed_band_sentence"
    check_columns(incidents, ("occurred_from", "time_precision"), where, error=HotspotError)
    check_type(label, "label", where, str, type_name="a str")
    if not len(incidents):
        raise HotspotError(f"{where}: 'incidents' has no rows; give the incidents the band left out.")
    local = incidents["occurred_from"].dt.tz_convert(LOCAL_TZ)
    first, last = local.min(), local.max()
    same_month = (first.year, first.month) == (last.year, last.month)
    when = f"in {first:%B %Y}" if same_month else f"from {first:%B %Y} to {last:%B %Y}"
    precisions = set(incidents["time_precision"].astype("str"))
    police = "source" in incidents and incidents["source"].astype("str").str.startswith("police_uk").all()
    if precisions == {"month"}:
        why = "police.uk gives months only" if police else "their dates give the month only"
    elif precisions == {"day"}:
        why = "their dates give the day only"
    else:
        why = "their dates give the day or month only"
    n = len(incidents)
    if n == 1:
        return (f"the one incident {when} has no time of day ({why}), so it does not fall in the '{label}' band; "
                "use all times.")
    return (f"none of the {n:,} incidents {when} has a time of day ({why}), so none falls in the '{label}' band; "
            "use all times.")


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
