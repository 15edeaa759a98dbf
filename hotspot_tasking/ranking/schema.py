"""The tasking list: what a joint action group takes into the room.

One row per place, ranked. Ranking (:mod:`.rank`) builds it; reports
(:mod:`hotspot_tasking.reports.exports`) write it; the action log
(:mod:`hotspot_tasking.actions.log`) keys its items on ``tasking_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

import geopandas as gpd
import pandas as pd

from ..hotspots.card import MethodCard

CandidateKind = Literal["hotspot", "ward", "lsoa", "zone"]
CANDIDATE_KINDS: tuple[str, ...] = get_args(CandidateKind)
ReviewStatus = Literal["new", "carried over", "tasked last period", "listed before"]

#: Columns of a tasking list, in order (``geometry``: the place's outline, EPSG:27700).
TASKING_COLUMNS: dict[str, str] = {
    "rank": "int64",                # 1 = first to discuss
    "tasking_id": "str",            # stable: the same place keeps it from run to run
    "kind": "str",                  # hotspot, ward, lsoa, zone
    "place_name": "str",            # e.g. "Brixton Road (Coldharbour ward)"
    "ward_code": "str",
    "ward_name": "str",
    "lsoa_code": "str",
    "centroid_easting": "float64",
    "centroid_northing": "float64",
    "area_km2": "float64",
    "hotspot_group": "str",         # "part of the hotspot round Above Bar Street (5 places)"; "" when alone
    "dominant_categories": "str",   # "Violence and sexual offences 46%, Public order 18%"
    "sensitive_share": "float64",   # share of the place's incidents in sensitive categories
    "count_now": "float64",         # incidents (band-weighted) in the review period
    "count_before": "float64",      # mean per period over the baseline periods
    "change_pct": "float64",
    "z": "float64",                 # Poisson z = 2(sqrt(now) - sqrt(before))
    "arrow": "str",                 # ▲ (z >= 2), ▼ (z <= -2), ► otherwise
    "harm_now": "float64",
    "persistence": "str",           # persistent, emerging, new, former, intermittent, no pattern, never
    "repeat_locations": "int64",    # map points with at least k incidents in the period
    "peak_band": "str",
    "peak_days": "str",             # "Fri, Sat"
    "peak_hours": "str",            # "21:00-03:00"
    "score": "float64",
    "explanation": "str",           # the score in words
    "lead_agency": "str",
    "tactics": "str",               # "Patrol (Enforcement, Police); Licensing visit (Prevent, Licensing)"
    "status": "str",                # from the action log: new, carried over, tasked last period: outcome
}


@dataclass
class TaskingList:
    """A ranked tasking list and everything needed to explain and export it.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        ``TASKING_COLUMNS`` plus ``geometry`` (EPSG:27700), sorted by rank.
    period : str
        The review period, e.g. ``"2017-07"`` or ``"2017-07-03"`` (week of) or a range.
    band : str
        The time band name, or ``"all"``.
    cards : list of MethodCard
        The ranking's card and the hotspot method's.
    caveats : list of str
        Data caveats in words (month-only police times, simulated sources, gaps).
    sources : list of str
        Sources included.
    """

    frame: gpd.GeoDataFrame
    period: str
    band: str
    cards: list[MethodCard] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def empty_tasking_frame() -> gpd.GeoDataFrame:
    """A tasking list with no rows and the documented columns."""
    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in TASKING_COLUMNS.items()})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=27700))
