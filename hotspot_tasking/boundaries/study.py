"""Rules every package shares about a workspace's area layers: which layer of a kind is
the latest (:func:`latest_layer`), which layer a person means by a name or a kind
(:func:`layer_named`), and what the partnership's study area is (:func:`study_area_of`: the
union of the latest ward layer, else the latest LSOA layer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import shapely

from .errors import BoundaryError

#: The kinds of area layer (roads are not one: incidents are not assigned to them).
AREA_KINDS = ("ward", "lsoa", "zone")
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


def layer_named(layers: Mapping[str, Any], name: str) -> str:
    """The layer a person means: a stored layer's name, else a kind (ward, lsoa, zone) meaning
    the latest layer of that kind.

    Parameters
    ----------
    layers : mapping
        As for :func:`latest_layer`.
    name : str
        ``"boroughs"``, ``"ward_2014"``, or ``"ward"``.

    Raises
    ------
    BoundaryError
        No such layer, or no layer of that kind: one sentence naming the stored layers.

    >>> layer_named({"lsoa_2011": "lsoa", "boroughs": "zone"}, "zone")
    'boroughs'
    """
    if name in layers and _kind(layers[name]) in AREA_KINDS:
        return name
    latest = latest_layer(layers, name) if name in AREA_KINDS else None
    if latest is not None:
        return latest
    known = ", ".join(n for n in sorted(layers) if _kind(layers[n]) in AREA_KINDS) or "none yet"
    raise BoundaryError(f"the workspace has no area layer or layer kind {name!r} (layers: {known}; kinds: "
                        f"{', '.join(AREA_KINDS)}); add one with 'hotspot-tasking boundaries add'.")


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
