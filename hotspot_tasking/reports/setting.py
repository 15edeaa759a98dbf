"""What a report needs besides the tasking list: the disclosure rules, the boundaries its
maps are drawn over, the partnership's name and the time bands' labels. The pipeline reads
them from a workspace (:func:`hotspot_tasking.pipeline.exports.report_setting`); reports
never read one.

A time band is stored by its id (``"nte"``) and shown to people by its label from
``time_bands.toml`` ("Night-time economy"): :func:`band_label` is the one rule that turns
an id into its label, for reports, the app, the command line and patrol plans alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd

from ..geo.timebands import TimeBands
from ..labels import ALL_TIMES, ALL_TIMES_LABEL
from ..validation import check_type
from .disclosure import DisclosureRules


def band_labels(bands: TimeBands) -> dict[str, str]:
    """``{band id: label}`` of every band of ``bands`` in file order, after ``"all"``: "All times".

    Parameters
    ----------
    bands : TimeBands
        A loaded ``time_bands.toml``.

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> band_labels(TimeBands.load())["nte"]
    'Night-time economy'
    """
    check_type(bands, "bands", "band_labels", TimeBands, type_name="a TimeBands")
    return {ALL_TIMES: ALL_TIMES_LABEL} | {name: bands.band(name).label for name in bands.names()}


def band_label(band: str, labels: Mapping[str, str]) -> str:
    """The label people read for a band id: its label in ``labels``, "All times" for ``"all"``,
    and any other text as it is (a band no longer in the file, or "no time of day").

    Parameters
    ----------
    band : str
        A band id (``"nte"``), ``"all"``, or a word of the ranking ("no time of day").
    labels : mapping of str to str
        ``{band id: label}``, as :func:`band_labels` makes it.

    Returns
    -------
    str

    Examples
    --------
    >>> band_label("nte", {"nte": "Night-time economy"}), band_label("all", {})
    ('Night-time economy', 'All times')
    >>> band_label("no time of day", {"nte": "Night-time economy"})
    'no time of day'
    """
    band = str(band)
    return labels.get(band) or (ALL_TIMES_LABEL if band == ALL_TIMES else band)


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
    """The disclosure rules, map background, partnership name and band labels of a report.

    Attributes
    ----------
    rules : DisclosureRules
        ``[disclosure]`` of ``tasking.toml`` with the sensitive categories of the taxonomy;
        default the packaged defaults.
    background : Background
        Default: none (places drawn alone).
    partnership : str
        Printed on covers and footers ("" when not named).
    band_labels : mapping of str to str
        ``{band id: label}`` (:func:`band_labels`) of the workspace's ``time_bands.toml``:
        every band a report names (the list's band, each place's peak band) is shown by its
        label; default the packaged time bands' labels.
    """

    rules: DisclosureRules = field(default_factory=DisclosureRules.load)
    background: Background = field(default_factory=Background)
    partnership: str = ""
    band_labels: Mapping[str, str] = field(default_factory=lambda: band_labels(TimeBands.load()))
