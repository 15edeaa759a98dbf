"""What a report needs besides the tasking list: the disclosure rules, the boundaries its
maps are drawn over and the partnership's name. The pipeline reads them from a workspace
(:func:`hotspot_tasking.pipeline.exports.report_setting`); reports never read one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd

from .disclosure import DisclosureRules


@dataclass(frozen=True)
class Background:
    """The boundaries a map is drawn over (EPSG:27700); either may be None.

    Attributes
    ----------
    wards : geopandas.GeoDataFrame or None
        Columns ``code``, ``name``, ``geometry``.
    boroughs : geopandas.GeoDataFrame or None
        Columns ``name``, ``geometry``.
    """

    wards: gpd.GeoDataFrame | None = None
    boroughs: gpd.GeoDataFrame | None = None


@dataclass(frozen=True)
class ReportSetting:
    """The disclosure rules, map background and partnership name of a report.

    Attributes
    ----------
    rules : DisclosureRules
        ``[disclosure]`` of ``tasking.toml`` with the sensitive categories of the taxonomy;
        default the packaged defaults.
    background : Background
        Default: none (places drawn alone).
    partnership : str
        Printed on covers and footers ("" when not named).
    """

    rules: DisclosureRules = field(default_factory=DisclosureRules.load)
    background: Background = field(default_factory=Background)
    partnership: str = ""
