"""Two rules every package shares about a workspace's area layers: which layer of a kind is
the latest (:func:`latest_layer`), and what the partnership's study area is
(:func:`study_area_of`: the union of the latest ward layer, else the latest LSOA layer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import shapely

#: Layer kinds whose union is the study area, in order of preference.
STUDY_AREA_KINDS = ("ward", "lsoa")


def latest_layer(layers: Mapping[str, Any], kind: str) -> str | None:
    """The layer of a kind with the highest name (``lsoa_2021`` over ``lsoa_2011``), or None.

    Parameters
    ----------
    layers : mapping
        ``{name: kind}``, ``{name: (kind, frame)}`` or ``{name: {"kind": kind, ...}}``
        (the workspace manifest's form).
    kind : str

    >>> latest_layer({"lsoa_2011": "lsoa", "lsoa_2021": "lsoa", "ward_2014": "ward"}, "lsoa")
    'lsoa_2021'
    """
    names = sorted(name for name, value in layers.items() if _kind(value) == kind)
    return names[-1] if names else None


def study_area_of(layers: Mapping[str, tuple[str, Any]]):
    """The partnership's area as one polygon (EPSG:27700), or None without a ward or LSOA layer.

    Parameters
    ----------
    layers : mapping
        ``{name: (kind, GeoDataFrame)}``.
    """
    for kind in STUDY_AREA_KINDS:
        name = latest_layer(layers, kind)
        if name is not None:
            return shapely.union_all(layers[name][1].geometry.values)
    return None


def _kind(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return value[0]
    if isinstance(value, Mapping):
        return value.get("kind")
    return None
