"""Disclosure control for hotspot exports (the GeoPackage, GeoJSON and GeoTIFF of a KDE,
DBSCAN or Gi* run), by the rules the tasking lists follow (:mod:`.disclosure`).

A hotspot that holds a sensitive incident of the selection (``sensitive = true`` in the
taxonomy) is aggregated:

- its outline becomes the ``grid_m`` squares it reaches (a DBSCAN hull's vertices and
  disc centres are report addresses; a small KDE contour is centred on one), and its
  centroid a square's centre;
- its counts (``incidents``, ``weight``, ``count``, ``local_count``) above 0 and below
  ``min_count`` are left empty, the rest rounded to the nearest ``round_to``; ``harm`` to
  ``round_to`` times the heaviest sensitive weight; ``share`` is worked from the rounded
  count;
- what gives a count or an address back is left empty: ``distinct_points``,
  ``peak_band_share``, ``peak_density``, Gi*'s ``z``, ``p`` and ``p_fdr``;
- its category list names no sensitive category (the label instead), and none at all
  when they are at least ``sensitive_share`` of it.

Layers of cells at the analysis resolution (``density_cells``, ``gistar_cells``) and the
GeoTIFF density surface show each sensitive address as a peak, so with sensitive
incidents selected they are left out (the GeoTIFF is refused). ``exact=True`` keeps
everything as computed and says so: for files that stay inside the partnership.
Every step is written on the method card as a warning, so the file says what was done.
"""

from __future__ import annotations

import copy

import geopandas as gpd
import numpy as np
import shapely

from ..hotspots.card import MethodCard
from ..ranking.explain import number, plural
from .disclosure_rules import DisclosureRules
from .errors import ReportError
from .redaction import grid_outlines, merge_sensitive, round_to_base, snap_to_grid, without_shares

#: Layers of cells at the analysis resolution: left out when sensitive incidents are selected.
CELL_LAYERS = ("density_cells", "gistar_cells")
COUNT_COLUMNS = ("incidents", "weight", "count", "local_count")
#: Columns left empty on an aggregated hotspot: they give a count or an address back.
HIDDEN_COLUMNS = ("distinct_points", "peak_band_share", "peak_density", "z", "p", "p_fdr", "neighbours")


def aggregate_hotspots(layers: dict[str, gpd.GeoDataFrame], card: MethodCard, sensitive_points: np.ndarray, *,
                       categories: list[str], rules: DisclosureRules, exact: bool = False,
                       suffix: str = ".gpkg") -> tuple[dict[str, gpd.GeoDataFrame], MethodCard, list[str]]:
    """A hotspot run's layers and method card fit to leave the room, and what was done, in sentences.

    Parameters
    ----------
    layers : dict
        ``{name: GeoDataFrame}`` of a hotspot run (EPSG:27700); left unchanged.
    card : MethodCard
        The run's card; left unchanged (the notices go on a copy).
    sensitive_points : numpy.ndarray, shape (n, 2)
        Easting and northing (metres, EPSG:27700) of the selection's sensitive incidents
        in its band.
    categories : list of str
        Their categories, named in the notice (the file itself never names them).
    rules : DisclosureRules
    exact : bool, default=False
        Keep exact outlines, counts and cells, with a notice saying so.
    suffix : str, default=".gpkg"
        The output's extension: a ``.tif``/``.tiff`` density surface of sensitive
        incidents is refused unless ``exact``.

    Returns
    -------
    (dict, MethodCard, list of str)
        The layers and card to write and the notices (also on the card); the inputs
        themselves and no notice when nothing sensitive is selected.

    Raises
    ------
    ReportError
        For a GeoTIFF of sensitive incidents without ``exact``.
    """
    points = np.asarray(sensitive_points, dtype="float64").reshape(-1, 2)
    if not len(points):
        return layers, card, []
    which = ", ".join(categories) or "sensitive categories"
    held = plural(len(points), "sensitive incident")
    if exact:
        notice = (f"Exact: the selection holds {held} ({which}); hotspot outlines, counts, centroids and cells are "
                  "written as computed, and outlines may pass through report addresses. Keep the file inside the "
                  "partnership.")
        card = copy.deepcopy(card)
        card.warn(notice)
        return layers, card, [notice]
    if suffix.lower() in (".tif", ".tiff"):
        raise ReportError(f"A density surface of a selection holding {held} ({which}) shows each address as a peak, "
                          "so it is not written as a GeoTIFF; write .gpkg or .geojson (aggregated), or ask for exact "
                          "output (--exact) for use inside the partnership only.")
    safe, notices, aggregated = {}, [], 0
    for name, layer in layers.items():
        if name in CELL_LAYERS:
            notices.append(f"The {name} layer (cells of the analysis grid) is left out: the selection holds {held}.")
            continue
        inside = _held(layer, points)
        if name == "hotspots":  # the other layers (DBSCAN's hulls) draw the same hotspots again
            aggregated = int((inside > 0).sum())
        safe[name] = _aggregate(layer, inside, rules) if (inside > 0).any() else layer
    if aggregated:
        notices.insert(0, f"{plural(aggregated, 'hotspot')} holding sensitive incidents ({which}) "
                          f"{'is' if aggregated == 1 else 'are'} aggregated: outlines as the {number(rules.grid_m)} m "
                          f"grid squares they reach, centroids at a square's centre, counts below {rules.min_count} "
                          f"left empty and the rest rounded to the nearest {rules.round_to}, no sensitive category "
                          "named.")
    card = copy.deepcopy(card)
    for notice in notices:
        card.warn(notice)
    return safe, card, notices


def _held(layer: gpd.GeoDataFrame, points: np.ndarray) -> np.ndarray:
    """Per feature, how many of ``points`` it holds (boundary included)."""
    if layer.empty:
        return np.zeros(0, np.int64)
    tree = shapely.STRtree(shapely.points(points))
    feature, _ = tree.query(layer.geometry.values, predicate="intersects")
    return np.bincount(feature, minlength=len(layer))


def _aggregate(layer: gpd.GeoDataFrame, held: np.ndarray, rules: DisclosureRules) -> gpd.GeoDataFrame:
    out = layer.copy()
    rows = held > 0
    count_col = next((c for c in ("incidents", "count", "weight") if c in out), None)
    counts = out[count_col].to_numpy(dtype="float64") if count_col else np.full(len(out), np.nan)
    small = rows & (counts > 0) & (counts < rules.min_count)
    for col in COUNT_COLUMNS:
        if col in out:
            values = out[col].to_numpy(dtype="float64")
            hide = rows & (values > 0) & (values < rules.min_count)
            out[col] = np.where(hide, np.nan, np.where(rows, round_to_base(values, rules.round_to), values))
    if "harm" in out:  # harm / weight is a count: hidden with a small one, else rounded coarser
        values = out["harm"].to_numpy(dtype="float64")
        step = rules.round_to * max(rules.sensitive_weight, 1.0)
        out["harm"] = np.where(small, np.nan, np.where(rows, round_to_base(values, step), values))
    if "share" in out and count_col:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = out[count_col].to_numpy(dtype="float64") / counts
        out["share"] = np.where(rows, np.round(out["share"].to_numpy(dtype="float64") * ratio, 3),
                                out["share"].to_numpy(dtype="float64"))
    for col in HIDDEN_COLUMNS:
        if col in out:
            out[col] = np.where(rows, np.nan, out[col].to_numpy(dtype="float64"))
    geoms = out.geometry.to_numpy().copy()
    geoms[rows] = grid_outlines(geoms[rows], rules.grid_m)
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=out.crs)
    if "area_km2" in out:
        out["area_km2"] = np.where(rows, shapely.area(geoms) / 1e6, out["area_km2"].to_numpy(dtype="float64"))
    for col in ("centroid_easting", "centroid_northing"):
        if col in out:
            values = out[col].to_numpy(dtype="float64")
            out[col] = np.where(rows, snap_to_grid(values, rules.grid_m), values)
    if "dominant_categories" in out:
        out["dominant_categories"] = [_categories(text, held[i] / counts[i] if counts[i] > 0 else 1.0,
                                                  small[i], rules) if rows[i] else text
                                      for i, text in enumerate(out["dominant_categories"].tolist())]
    return out


def _categories(text, share: float, small: bool, rules: DisclosureRules):
    if not isinstance(text, str):
        return text
    if share >= rules.sensitive_share:
        return rules.sensitive_label
    names = sorted(rules.sensitive_categories, key=len, reverse=True)
    merged = merge_sensitive(text, names, rules.sensitive_label) if names else text
    return without_shares(merged) if small else merged
