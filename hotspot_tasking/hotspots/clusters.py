"""Cluster summaries for :func:`~hotspot_tasking.hotspots.dbscan.dbscan`: one row per cluster
with its size, harm, shapes, centroid, dominant categories and peak times.

Rules (written here once, quoted by the method card):

- ``cluster_id`` 1 is the cluster with the most incidents (ties: more weight, then the
  cluster whose first core location comes first by easting, then northing).
- ``hull`` is the convex hull of the cluster's distinct locations; a cluster whose locations
  are all on one spot or one straight line has a point or a line for a hull, so it is
  buffered by :data:`HULL_BUFFER_M` (5 m) to stay a polygon (area near 0, drawable).
- ``outline`` (the active geometry) is the union of discs of radius eps/2 around the
  cluster's locations: two core locations of one cluster are at most eps apart, so their
  discs touch and a DBSCAN cluster's outline is one piece; with radius eps, neighbouring
  clusters' outlines would overlap and the area would double-count streets no core
  location reaches.
- ``dominant_categories``: the top :data:`TOP_CATEGORIES` (3) categories by incidents, with
  their share of the cluster's incidents in whole percent.
- ``peak_band``: of the time bands (``time_bands.toml``), the one where the cluster's
  records are most concentrated: the highest aoristic weight share
  (:func:`~hotspot_tasking.geo.aoristic.band_weights`, over the records with a time of day)
  per hour the band runs in a week, so the 14-hour ``nte`` band is not outweighed by the
  105-hour ``overnight`` band that contains it (ties: the larger share, then file order).
  ``peak_band_share`` is that band's share. ``"no time of day"`` when none of the
  cluster's records has one (police.uk month-only dates).
- ``peak_day`` and ``peak_hour``: the local (Europe/London) day of week and hour with the
  most aoristic weight (:func:`~hotspot_tasking.geo.aoristic.hour_of_week_by`); ties go to
  the earlier day (Monday first) or hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..engine import current_engine
from ..geo.aoristic import band_weights
from ..geo.hourofweek import hour_of_week_by
from ..geo.schema import BNG_EPSG
from ..geo.timebands import DAY_NAMES, NO_TIME_OF_DAY, TimeBands
from .card import MethodCard

#: Buffer (metres) that turns a point or line hull into a polygon.
HULL_BUFFER_M = 5.0
#: How many categories ``dominant_categories`` names.
TOP_CATEGORIES = 3
#: Segments per quarter circle of the outline discs: 16-gons, within 2% of the radius (1.4 m at 75 m)
#: of a true circle, twice as fast to dissolve as shapely's default of 8.
OUTLINE_QUAD_SEGS = 4
#: On a cluster, outline tasks per worker (clusters grouped by similar numbers of locations).
OUTLINE_TASKS_PER_WORKER = 4
#: Columns of :attr:`ClusterResult.clusters` and their dtypes (the geometries after them).
CLUSTER_COLUMNS: dict[str, str] = {
    "cluster_id": "int64",
    "incidents": "int64",
    "share": "float64",
    "weight": "float64",
    "harm": "float64",
    "distinct_points": "int64",
    "area_km2": "float64",
    "centroid_easting": "float64",
    "centroid_northing": "float64",
    "dominant_categories": "str",
    "peak_band": "str",
    "peak_band_share": "float64",
    "peak_day": "str",
    "peak_hour": "Int64",
}
_TIME_COLUMNS = ["occurred_from", "occurred_to", "time_precision"]


@dataclass(frozen=True)
class ClusterResult:
    """What :func:`~hotspot_tasking.hotspots.dbscan.dbscan` returns.

    Attributes
    ----------
    labels : pandas.Series of int64
        Aligned to the incidents' index, named ``cluster_id``: the cluster of each
        incident (1 = the most incidents), -1 for noise.
    clusters : geopandas.GeoDataFrame
        One row per cluster, in ``cluster_id`` order (EPSG:27700), with the columns of
        :data:`CLUSTER_COLUMNS`:

        - ``cluster_id``; ``incidents`` (count); ``share``: its incidents in the study area
          over all the incidents in the study area (every incident given without one);
        - ``weight``: sum of the weights (equal to ``incidents`` without weights);
        - ``harm``: sum of ``harm_weight`` (NaN when the table has no such column);
        - ``distinct_points``: distinct locations; ``area_km2``: area of ``outline``;
        - ``centroid_easting``, ``centroid_northing``: mean of its incidents' coordinates, metres;
        - ``dominant_categories``: e.g. ``"Violence and sexual offences 46%, Public order 18%,
          Anti-social behaviour 10%"`` ("" without a ``category`` column);
        - ``peak_band``, ``peak_band_share``, ``peak_day``, ``peak_hour`` (0-23, <NA> when no
          record has a time of day; then the text columns say ``"no time of day"``);
        - ``hull`` (convex hull polygon) and ``outline`` (the active geometry: eps/2 discs
          dissolved); see the module notes.

        No clusters gives an empty frame with the same columns.
    noise_share : float
        Share (0-1) of the incidents, or of the weight when weights were given, that are
        noise; of the study area's when one was given.
    card : MethodCard
        Parameters, the rules that chose them, the data and the warnings.
    """

    labels: pd.Series
    clusters: gpd.GeoDataFrame
    noise_share: float
    card: MethodCard

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The clusters as two single-geometry layers, ``{"outline": ..., "hull": ...}``, each
        with every attribute column: GeoPackage and GeoJSON hold one geometry column per layer.
        """
        attributes = pd.DataFrame(self.clusters.drop(columns=["hull", "outline"]))
        return {name: gpd.GeoDataFrame(attributes.copy(), geometry=gpd.GeoSeries(self.clusters[name].values,
                                                                                   index=attributes.index),
                                       crs=BNG_EPSG)
                for name in ("outline", "hull")}


def empty_clusters() -> gpd.GeoDataFrame:
    """A cluster table with no rows and the documented columns."""
    frame = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in CLUSTER_COLUMNS.items()})
    frame["hull"] = gpd.GeoSeries([], crs=BNG_EPSG)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=BNG_EPSG), crs=BNG_EPSG).rename_geometry("outline")


def summarise(incidents: pd.DataFrame, labels: np.ndarray, inverse: np.ndarray, x: np.ndarray, y: np.ndarray,
              weights: np.ndarray, *, outline_m: float, bands: TimeBands,
              card: MethodCard, inside: np.ndarray | None = None) -> tuple[np.ndarray, gpd.GeoDataFrame]:
    """Renumber clusters by size and summarise them.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incidents given (not modified).
    labels : numpy.ndarray of int
        Per distinct location: 0, 1, ... in any order, -1 for noise.
    inverse : numpy.ndarray of int
        Per incident: its distinct location.
    x, y : numpy.ndarray of float
        Distinct locations, EPSG:27700 metres.
    weights : numpy.ndarray of float
        Per incident.
    outline_m : float
        Radius of the outline discs, metres.
    bands : TimeBands
        The bands for ``peak_band``.
    card : MethodCard
        Gets the number of clusters.
    inside : numpy.ndarray of bool, optional
        Per incident: in the study area, for ``share``. Default: every incident.

    Returns
    -------
    (numpy.ndarray, geopandas.GeoDataFrame)
        Per incident ``cluster_id`` (-1 noise), and the cluster table.
    """
    k = int(labels.max()) + 1 if len(labels) else 0
    card.data["clusters"] = k
    row_label = labels[inverse] if len(inverse) else np.empty(0, dtype=np.int64)
    if k == 0:
        return np.full(len(inverse), -1, dtype=np.int64), empty_clusters()
    count_at = np.bincount(inverse, minlength=len(x))
    n = np.bincount(labels[labels >= 0], weights=count_at[labels >= 0], minlength=k)
    w = np.bincount(row_label[row_label >= 0], weights=weights[row_label >= 0], minlength=k)
    # cluster_id 1 = most incidents; ties: more weight, then the internal (canonical) order
    order = np.lexsort((np.arange(k), -w, -n))
    new_id = np.empty(k, dtype=np.int64)
    new_id[order] = np.arange(1, k + 1)
    loc_id = np.where(labels >= 0, new_id[np.maximum(labels, 0)], -1)
    ids = loc_id[inverse]
    frame = _sizes(incidents, loc_id, ids, count_at, x, y, weights, k,
                   np.ones(len(ids), bool) if inside is None else inside)
    frame["dominant_categories"] = dominant_categories(incidents, ids, k)
    frame = pd.concat([frame, peaks(incidents, ids, k, bands)], axis=1)
    hull, outline = _shapes(loc_id, x, y, k, outline_m)
    frame["area_km2"] = shapely.area(outline) / 1e6
    frame = frame.astype(CLUSTER_COLUMNS)[list(CLUSTER_COLUMNS)]
    frame["hull"] = gpd.GeoSeries(hull, crs=BNG_EPSG)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(outline, crs=BNG_EPSG), crs=BNG_EPSG)
    return ids, gdf.rename_geometry("outline")


def dominant_categories(incidents: pd.DataFrame, ids: np.ndarray, k: int) -> list[str]:
    """``"Name 46%, Name 18%, Name 10%"`` per group, by incidents; ties by name. ``ids``: per row of
    ``incidents``, its group 1..k (a cluster, or a KDE hotspot), 0 or -1 for none; each group holds a row."""
    if "category" not in incidents.columns:
        return [""] * k
    on = ids > 0
    codes, names = pd.factorize(incidents["category"], use_na_sentinel=False)
    names = pd.Series(names, dtype=object).fillna("(no category)").to_numpy(dtype=object)
    alphabetical = np.argsort(names, kind="stable")
    rank = np.empty(len(names), dtype=np.int64)
    rank[alphabetical] = np.arange(len(names))
    names, c = names[alphabetical], len(names)
    table = np.bincount((ids[on] - 1) * c + rank[codes[on]], minlength=k * c).reshape(k, c)
    top = np.argsort(-table, axis=1, kind="stable")[:, :TOP_CATEGORIES]  # names sorted, so ties go by name
    shares = np.take_along_axis(table, top, axis=1) / table.sum(axis=1, keepdims=True)
    return [", ".join(f"{names[j]} {s:.0%}" for j, s in zip(row, share) if s > 0)
            for row, share in zip(top, shares)]  # one step per cluster


def peaks(incidents: pd.DataFrame, ids: np.ndarray, k: int, bands: TimeBands) -> pd.DataFrame:
    """``peak_band``, ``peak_band_share``, ``peak_day``, ``peak_hour`` per group 1..k (rows 0..k-1; the
    rules in the module notes); ``ids`` as in :func:`dominant_categories`."""
    out = pd.DataFrame({"peak_band": [NO_TIME_OF_DAY] * k, "peak_band_share": np.nan,
                        "peak_day": [NO_TIME_OF_DAY] * k, "peak_hour": pd.array([pd.NA] * k, dtype="Int64")})
    if any(c not in incidents.columns for c in _TIME_COLUMNS):
        return out
    on = ids > 0
    sub = incidents.loc[on, _TIME_COLUMNS].reset_index(drop=True) if not on.all() \
        else incidents[_TIME_COLUMNS].reset_index(drop=True)
    slot = ids[on] - 1
    # peak band: share of the timed records' aoristic weight per band, per hour the band runs
    names = list(bands.names())
    shares = np.zeros((k, len(names)))
    timed = None
    for j, name in enumerate(names):  # one step per band
        bw = band_weights(sub, name, bands=bands).to_numpy()
        if timed is None:
            timed = np.bincount(slot, weights=np.isfinite(bw).astype(float), minlength=k)
        shares[:, j] = np.bincount(slot, weights=np.nan_to_num(bw), minlength=k)
    has_time = timed > 0
    shares[has_time] /= timed[has_time, None]
    hours = np.array([_band_hours(bands.band(b)) for b in names])
    rate = shares / hours
    best_rate = rate.max(axis=1, keepdims=True)
    near = np.isclose(rate, best_rate, rtol=1e-9, atol=0.0)
    pick = np.argmax(np.where(near, shares, -1.0), axis=1)  # ties: larger share, then file order
    out.loc[has_time, "peak_band"] = np.asarray(names, dtype=object)[pick[has_time]]
    out.loc[has_time, "peak_band_share"] = shares[np.arange(k), pick][has_time]
    # peak day and hour from the hour-of-week profile
    profile = hour_of_week_by(sub.assign(_cluster=slot), "_cluster")
    cells = profile["count"].to_numpy().reshape(k, 169)[:, :168].reshape(k, 7, 24)
    has_profile = cells.sum(axis=(1, 2)) > 0
    day = np.argmax(cells.sum(axis=2), axis=1)
    hour = np.argmax(cells.sum(axis=1), axis=1)
    out.loc[has_profile, "peak_day"] = np.asarray(DAY_NAMES, dtype=object)[day[has_profile]]
    out.loc[has_profile, "peak_hour"] = hour[has_profile]
    return out


# --- private steps ----------------------------------------------------------------------

def _sizes(incidents, loc_id, ids, count_at, x, y, weights, k, inside) -> pd.DataFrame:
    """Counts, shares (of the study area's incidents), weights, harm, distinct points and
    centroids per cluster (index 0..k-1 = id - 1)."""
    on = loc_id > 0
    slot = loc_id[on] - 1
    n = np.bincount(slot, weights=count_at[on], minlength=k)
    harm = np.full(k, np.nan)
    if "harm_weight" in incidents.columns:
        h = np.nan_to_num(incidents["harm_weight"].to_numpy(dtype=float, na_value=np.nan))
        harm = np.bincount(ids[ids > 0] - 1, weights=h[ids > 0], minlength=k)
    return pd.DataFrame({
        "cluster_id": np.arange(1, k + 1),
        "incidents": n.astype(np.int64),
        "share": np.bincount(ids[inside & (ids > 0)] - 1, minlength=k) / max(int(inside.sum()), 1),
        "weight": np.bincount(ids[ids > 0] - 1, weights=weights[ids > 0], minlength=k),
        "harm": harm,
        "distinct_points": np.bincount(slot, minlength=k),
        "centroid_easting": np.bincount(slot, weights=x[on] * count_at[on], minlength=k) / n,
        "centroid_northing": np.bincount(slot, weights=y[on] * count_at[on], minlength=k) / n,
    })


def _band_hours(band) -> float:
    """Hours a band runs in a week (its date limits aside)."""
    minutes = (band.end_minute - band.start_minute) % 1440 or 1440
    return len(band.days) * minutes / 60.0


def _shapes(loc_id: np.ndarray, x: np.ndarray, y: np.ndarray, k: int, outline_m: float):
    """Convex hulls (degenerate ones buffered) and eps/2 outlines, one per cluster, in id order."""
    on = np.flatnonzero(loc_id > 0)
    order = on[np.argsort(loc_id[on], kind="stable")]
    slot = loc_id[order] - 1
    hull = shapely.convex_hull(shapely.multipoints(np.c_[x[order], y[order]], indices=slot))
    flat = shapely.get_type_id(hull) != shapely.GeometryType.POLYGON
    hull[flat] = shapely.buffer(hull[flat], HULL_BUFFER_M)
    starts = np.searchsorted(slot, np.arange(k + 1))
    engine = current_engine()
    groups = [0, k] if engine.kind == "local" or k < 2 else np.unique(np.searchsorted(  # similar point counts
        starts, np.linspace(0, starts[-1], engine.workers * OUTLINE_TASKS_PER_WORKER + 1)[1:-1])).tolist()
    cuts = sorted({0, k, *(int(g) for g in groups if 0 < g < k)})
    xs, ys = x[order], y[order]
    items = [(xs[starts[a]:starts[b]], ys[starts[a]:starts[b]], starts[a:b + 1] - starts[a]) for a, b in pairwise(cuts)]
    parts = engine.map(_outlines, items, outline_m=outline_m) if len(items) > 1 else \
        [_outlines(item, outline_m=outline_m) for item in items]
    outline = np.empty(k, dtype=object)
    outline[:] = [shape for part in parts for shape in part]
    return hull, outline


def _outlines(item, *, outline_m: float) -> list:
    """Some clusters' outlines (a task): ``item`` is their locations ``(x, y)`` in cluster order
    and where each cluster starts; each outline is the union of eps/2 discs, the same shape
    on any machine (the same discs, united in the same order)."""
    x, y, starts = item
    discs = shapely.buffer(shapely.points(x, y), outline_m, quad_segs=OUTLINE_QUAD_SEGS)
    return [shapely.union_all(discs[a:b]) for a, b in pairwise(starts)]
