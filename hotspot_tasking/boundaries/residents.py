"""Residents per area, for rates per 1,000: a layer's own population, or LSOA population
apportioned to wards and zones by the share of each LSOA's area inside them.

Area share keeps totals (the demo's ward residents add up to the LSOA total within 0.1%)
and gives small zones the residents they hold, where LSOA centroids would give many none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .validate import check_layer, check_series, check_strings, check_type

#: Share of an area the LSOAs with a population must cover for its residents to be complete.
FULL_COVER = 0.99


@dataclass(frozen=True)
class Residents:
    """Residents per area and where they came from.

    Attributes
    ----------
    per_area : pandas.Series
        Residents (persons) per area code.
    method : {"own", "area_share"}
        The layer's own population, or apportioned from LSOAs by area share.
    note : str
        The rule in words.
    cover : pandas.Series, optional
        Share (0-1) of each area inside source areas with a population (area share only).
    """

    per_area: pd.Series
    method: str
    note: str
    cover: pd.Series | None = None

    def note_for(self, codes: Sequence[str], names: Mapping[str, str] | None = None) -> str:
        """The note, plus a warning naming those of ``codes`` (area codes) the source areas do not cover.

        ``names`` maps area codes to the names to show; default the codes.
        """
        codes = check_strings(codes, "codes", "Residents.note_for")
        check_type(names, "names", "Residents.note_for", Mapping, type_name="a mapping of code to name",
                   optional=True)
        if self.cover is None:
            return self.note
        cover = self.cover.reindex(list(codes))
        short = cover[cover < FULL_COVER].sort_values()
        if short.empty:
            return self.note
        listed = ", ".join(f"{(names or {}).get(c, c)} {v:.0%}" for c, v in short.items())
        return (f"{self.note} Covered by LSOAs with a population: {listed}; nobody is counted in the rest, which is "
                "right for the river or parkland but gives too few residents (and too high a rate) if homes are there.")


def apportion_residents(source: gpd.GeoDataFrame, source_population: pd.Series, target: gpd.GeoDataFrame, *,
                        source_name: str = "LSOAs") -> Residents:
    """Residents of ``target`` areas from ``source`` areas' population, by area share.

    Parameters
    ----------
    source : geopandas.GeoDataFrame
        ``code`` and polygons (EPSG:27700), e.g. LSOAs.
    source_population : pandas.Series
        Residents per source code; areas without one add nothing.
    target : geopandas.GeoDataFrame
        ``code`` and polygons (EPSG:27700).
    source_name : str, default="LSOAs"
        Named in the note.

    Returns
    -------
    Residents
        ``per_area`` indexed by target code; method ``"area_share"``.

    Raises
    ------
    TypeError, BoundaryError
        For a layer in another CRS than EPSG:27700 (reproject it with ``.to_crs(27700)``),
        without a ``code`` column or with rows that are not polygons.
    """
    where = "apportion_residents"
    check_type(source_name, "source_name", where, str, type_name="a str")
    check_layer(source, where, param="source", name=f"source layer ({source_name})")
    check_series(source_population, "source_population", where)
    check_layer(target, where, param="target", name="target layer")
    pop = source["code"].map(source_population).astype(float).to_numpy()
    has = np.isfinite(pop)
    src = source.geometry.values[has]
    t_idx, s_idx = shapely.STRtree(src).query(target.geometry.values, predicate="intersects")
    inter = shapely.area(shapely.intersection(target.geometry.values[t_idx], src[s_idx]))
    share = inter / np.maximum(shapely.area(src[s_idx]), 1e-9)
    residents = np.bincount(t_idx, weights=share * pop[has][s_idx], minlength=len(target))
    covered = (np.bincount(t_idx, weights=inter, minlength=len(target))
               / np.maximum(shapely.area(target.geometry.values), 1e-9))
    per_area = pd.Series(residents, index=target["code"].to_numpy(), name="residents")
    note = (f"Residents apportioned from {source_name} by area share: each LSOA's residents spread evenly over its "
            "area (parks and high streets get residents they do not have).")
    per_area[covered == 0] = np.nan  # nothing known about them
    cover = pd.Series(covered, index=per_area.index, name="cover")
    return Residents(per_area, "area_share", note, cover)


def residents_for_layer(ws, layer: str) -> Residents | None:
    """Residents of a workspace layer: its own population, else apportioned from the latest
    LSOA layer that has one (area share), else None. ``layer`` is the name of a stored layer."""
    from .store import check_workspace, population

    check_workspace(ws, "residents_for_layer")
    check_type(layer, "layer", "residents_for_layer", str, type_name="a str")

    own = population(ws, layer)
    if own is not None:
        return Residents(own, "own", f"Residents: the population stored for {layer}.")
    lsoas = sorted((name for name, meta in ws.layers().items() if meta.get("kind") == "lsoa"), reverse=True)
    for name in lsoas:
        pop = population(ws, name)
        if pop is not None:
            return apportion_residents(ws.read_layer(name), pop, ws.read_layer(layer), source_name=f"LSOAs ({name})")
    return None


# --- private steps ------------------------------------------------------------------------------
