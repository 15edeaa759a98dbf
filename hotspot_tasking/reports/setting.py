"""What a report needs besides the tasking list: the disclosure rules, the boundaries its
maps are drawn over, the partnership's name and the time bands' labels. The pipeline reads
them from a workspace (:func:`hotspot_tasking.pipeline.exports.report_setting`); reports
never read one.

A time band is stored by its id (``"nte"``) and shown to people by its label from
``time_bands.toml`` ("Night-time economy"): :func:`band_label` is the one rule that turns
an id into its label, for reports, the app, the command line and patrol plans alike.

:class:`MapSetting` is ``[map]`` of ``tasking.toml``: the basemap style the app's maps ask
for when basemap tiles are turned on (they are off by default: the maps read without
them), and the attribution shown under the maps then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import geopandas as gpd

from ..configfile import Text, default_config_path, read_toml
from ..geo.timebands import TimeBands
from ..labels import ALL_TIMES, ALL_TIMES_LABEL
from ..validation import check_type
from .disclosure import DisclosureRules
from .errors import ReportError

#: Carto's open basemap style "Positron" (a MapLibre style JSON; needs the internet).
CARTO_POSITRON = "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json"
#: Its attribution, as Carto asks for it.
CARTO_ATTRIBUTION = "Basemap © OpenStreetMap contributors © CARTO"


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


@dataclass(frozen=True)
class MapSetting:
    """``[map]`` of ``tasking.toml``: the basemap the app's maps ask for when tiles are on.

    Attributes
    ----------
    tile_style : str
        An http(s) URL of a MapLibre (or Carto) style JSON; default Carto's Positron.
    attribution : str
        Shown under the maps while the tiles are on; default Carto's for Carto's style,
        else "Basemap: " and the style's host.

    Examples
    --------
    >>> MapSetting.load().tile_style == CARTO_POSITRON
    True
    """

    tile_style: str = CARTO_POSITRON
    attribution: str = CARTO_ATTRIBUTION

    @classmethod
    def load(cls, path: str | Path | None = None) -> MapSetting:
        """Read ``[map]`` from ``tasking.toml`` (a key left out keeps its default).

        Parameters
        ----------
        path : str or Path, optional
            ``tasking.toml``; None reads the packaged default.

        Returns
        -------
        MapSetting

        Raises
        ------
        ReportError
            The file cannot be read, or ``tile_style`` is not an http(s) URL, or a value is
            not text: one sentence naming the file, the key and the fix.
        """
        path = Path(path) if path is not None else default_config_path("tasking.toml")
        table = read_toml(path, error=ReportError).table("map")
        values = table.read({"tile_style": Text(cls.tile_style, min_len=1), "attribution": Text(None)})
        url = urlsplit(values["tile_style"].strip())
        if url.scheme not in ("http", "https") or not url.hostname or any(c.isspace() for c in url.geturl()):
            raise table.fail("tile_style", "an http(s) URL of a map style JSON", values["tile_style"],
                             f'write e.g. tile_style = "{CARTO_POSITRON}", or leave the key out for that default')
        attribution = values["attribution"]
        if attribution is None:
            attribution = cls.attribution if url.geturl() == CARTO_POSITRON else f"Basemap: {url.hostname}"
        return cls(tile_style=url.geturl(), attribution=attribution.strip())
