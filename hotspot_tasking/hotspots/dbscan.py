"""DBSCAN clusters of incidents (and HDBSCAN for uneven densities), on EPSG:27700 metres.

How it runs
-----------
Identical coordinates are collapsed into one location first (police.uk data has about
fifty incidents per map point), and scikit-learn's ``DBSCAN`` rule runs on the distinct
locations with ``sample_weight`` = the incidents there (or their weight):
:mod:`hotspot_tasking.partitions.dbscan_rule`, which on a cluster works in strips with a
halo and stitches the clusters that cross them, to the same labels. A location is
*core* when the incidents (weight) within ``eps_m`` of it, itself included and a
neighbour at exactly ``eps_m`` included, reach ``min_samples`` (``min_weight``): the same
test scikit-learn applies to every raw incident, so the core incidents are the same.

Border locations (not core, within ``eps_m`` of a core location) reachable from two
clusters: scikit-learn gives them to the cluster it finds first, i.e. whose first core
point comes first in the input order, so its answer depends on the row order. Here the
distinct locations are sorted by easting, then northing, before clustering, so the result
does not depend on the row order and equals scikit-learn's on the raw incidents sorted
the same way (tested, as partitions). Against scikit-learn on the raw rows in any other
order, only such two-cluster border locations can differ, and each is in one of the
clusters it can reach either way (tested). Every incident at one location gets the same
label, as in scikit-learn (duplicates share one neighbourhood).

Defaults (written into the method card with their rules)
--------------------------------------------------------
- ``eps_m``: the median ``location_precision_m`` of the incidents rounded up to 10 m, at
  least 100 m (:data:`MIN_EPS_M`). 100 m is about a street segment, the micro-place scale
  patrols work at; a smaller eps than the locations' own precision splits a place along
  the snapping grid (the KDE bandwidth is floored at the location precision for the same
  reason). police.uk data (150 m) gets 150 m.
- ``min_samples``: :data:`DENSITY_FACTOR` (5) times the incidents an eps disc would hold
  if the study area's incidents were spread evenly over it, rounded up, at least
  :data:`MIN_SAMPLES_FLOOR` (20). The study area is the ``study_area`` given (its area and
  the incidents inside it, on its boundary included: those in an import margin round the
  wards neither set the rule nor count in ``share`` and ``noise_share``, though they still
  cluster), else the convex hull of the locations (at least :data:`MIN_STUDY_AREA_KM2`)
  and every incident.
  A fixed count means nothing across one month and one year of data; a density relative
  to the mean is Chainey's rule for KDE hotspots (twice the mean; Chainey, Tompson and
  Uhlig 2008 in docs/sources.md). DBSCAN tests
  each incident's own neighbourhood, which already lies where incidents are (along
  streets), so twice the mean makes most of the street network core (demo, eps 150 m:
  76% of incidents clustered, one cluster of 50,000 over 7.8 km²); five times keeps
  clusters patrol-sized (25 clusters, 33% of incidents on 8% of the area).
- With ``weights`` and no ``min_samples``, the core test counts the weights against
  ``min_weight`` (default: the same rule on the total weight). ``min_samples`` given with
  ``weights`` counts incidents; the weights then only feed ``weight`` and ``noise_share``.

HDBSCAN (``method="hdbscan"``)
------------------------------
scikit-learn's ``HDBSCAN`` takes no ``sample_weight``, and on raw police.uk points it is
degenerate: a map point holding ``min_samples`` records has core distance 0 and infinite
stability. So it runs on the distinct locations, with the density counting incidents:
each location's core distance is the distance at which the incidents (weight) around it,
itself included, reach ``min_samples`` (``min_weight``); the mutual-reachability distances
``max(core_p, core_q, d(p, q))`` go to ``HDBSCAN(metric="precomputed", min_samples=1)`` as
a sparse graph (complete up to :data:`HDBSCAN_COMPLETE_GRAPH` locations, else each
location's :data:`HDBSCAN_GRAPH_NEIGHBOURS` nearest, disconnected parts joined above
every other distance). ``min_cluster_size`` counts distinct locations. With unit weights
and a complete graph this is scikit-learn's HDBSCAN on the points (tested). ``eps_m``
then only sets the outline buffer.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.coords import distinct_points
from ..geo.timebands import TimeBands
from ..partitions.dbscan_rule import dbscan_labels
from .card import MethodCard
from .clusters import HULL_BUFFER_M, ClusterResult, summarise
from .errors import HotspotError
from .validate import check_choice, check_number, check_points, study_polygon, weights_of

if TYPE_CHECKING:  # scikit-learn is imported where it runs: importing this module stays light
    from sklearn.neighbors import KDTree

log = logging.getLogger(__name__)

WHERE = "dbscan"

ClusterMethod = Literal["dbscan", "hdbscan"]
CLUSTER_METHODS: tuple[str, ...] = get_args(ClusterMethod)

#: Smallest default eps, metres (about a street segment).
MIN_EPS_M = 100.0
#: Default density threshold: this many times the study area's mean density.
DENSITY_FACTOR = 5.0
#: Smallest default min_samples (or min_weight): fewer incidents do not make a stable hotspot.
MIN_SAMPLES_FLOOR = 20
#: Smallest study area for the default min_samples, km² (a tight selection is not a borough).
MIN_STUDY_AREA_KM2 = 1.0
#: A cluster holding more than this share of the incidents gets a "too spread out" warning...
LARGE_CLUSTER_SHARE = 0.5
#: ... when its outline is also larger than this, km².
LARGE_CLUSTER_KM2 = 1.0
#: HDBSCAN: default smallest cluster, in distinct locations (scikit-learn's default).
HDBSCAN_MIN_CLUSTER_SIZE = 5
#: HDBSCAN: up to this many locations the graph is complete (exact).
HDBSCAN_COMPLETE_GRAPH = 2000
#: HDBSCAN: above that, each location's nearest locations kept in the graph.
HDBSCAN_GRAPH_NEIGHBOURS = 30


def dbscan(incidents: pd.DataFrame, *, eps_m: float | None = None, min_samples: int | None = None,
           min_weight: float | None = None, weights: str | pd.Series | None = None,
           method: ClusterMethod = "dbscan", bands: TimeBands | None = None,
           min_cluster_size: int | None = None, study_area=None) -> ClusterResult:
    """Density clusters of incidents, one row per cluster (see the module notes).

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``easting`` and ``northing`` (EPSG:27700 metres); ``location_precision_m``,
        ``category``, ``harm_weight``, ``occurred_from``, ``occurred_to`` and
        ``time_precision`` are used when present. Not modified.
    eps_m : float, optional
        Neighbourhood radius in metres, > 0; a neighbour at exactly ``eps_m`` counts.
        Default: the median location precision rounded up to 10 m, at least 100 m.
    min_samples : int, optional
        Incidents within ``eps_m`` of a location, itself included, that make it core; >= 1.
        Default: 5 times the count an eps disc holds at the study area's mean density,
        at least 20 (not used when ``weights`` are given, unless set).
    min_weight : float, optional
        Instead of ``min_samples``: the weight within ``eps_m`` that makes a location core;
        > 0, needs ``weights``. Default with ``weights``: the rule of ``min_samples`` on
        the total weight.
    weights : str or pandas.Series, optional
        A column name (e.g. ``"harm_weight"``) or a Series on the incidents' index (e.g.
        time band weights); NaN counts as 0, negatives are refused. Default: none.
    method : {"dbscan", "hdbscan"}, default="dbscan"
        ``"hdbscan"`` for uneven densities (module notes); ``min_samples`` (``min_weight``)
        then sets the core distance.
    bands : TimeBands, optional
        The time bands for ``peak_band``; default: the packaged ``time_bands.toml``.
    min_cluster_size : int, optional
        HDBSCAN only: smallest cluster in distinct locations, >= 2. Default 5.
    study_area : shapely geometry, GeoSeries or GeoDataFrame, optional
        EPSG:27700 polygons (a frame without a CRS is taken to be in it). The default
        ``min_samples`` (``min_weight``) uses its area and the incidents inside it, and
        ``share`` and ``noise_share`` are of those incidents. Default: none (all incidents).

    Returns
    -------
    ClusterResult
        ``labels`` (per incident, 1 = most incidents, -1 noise), ``clusters`` (one row
        per cluster: ``cluster_id``, ``incidents``, ``share``, ``weight``, ``harm``,
        ``distinct_points``, ``area_km2``, ``centroid_easting``, ``centroid_northing``,
        ``dominant_categories``, ``peak_band``, ``peak_band_share``, ``peak_day``,
        ``peak_hour``, ``hull``, ``outline``; see :class:`.clusters.ClusterResult`),
        ``noise_share`` and ``card``; ``share`` and ``noise_share`` are of the study
        area's incidents when one is given.

    Raises
    ------
    TypeError, HotspotError
        For a wrong option (scikit-learn's wording) or incidents without coordinates.

    Examples
    --------
    >>> pts = pd.DataFrame({"easting": [0.0, 0.0, 100.0, 5000.0], "northing": [0.0, 0.0, 0.0, 0.0]})
    >>> res = dbscan(pts, eps_m=100, min_samples=3)
    >>> res.labels.tolist(), float(res.noise_share)
    ([1, 1, 1, -1], 0.25)
    """
    _check_args(incidents, eps_m, min_samples, min_weight, weights, method, bands, min_cluster_size, study_area)
    area = study_polygon(study_area, WHERE)
    card = MethodCard(method)
    card.choose("method", method, "given" if method != "dbscan" else "DBSCAN (default)")
    e, n = check_points(incidents, WHERE)
    raw = weights_of(incidents, weights, WHERE)
    inverse, x, y = _locations(e, n)
    counts = np.bincount(inverse, minlength=len(x)).astype(float)
    loc_weight = np.bincount(inverse, weights=raw, minlength=len(x))
    card.data.update(incidents=len(incidents), distinct_points=len(x))
    inside = np.ones(len(e), bool)  # per incident: in the study area (all without one)
    if area is not None:
        shapely.prepare(area)
        inside = shapely.intersects_xy(area, x, y)[inverse]
        card.data.update(incidents_in_study_area=int(inside.sum()), incidents_outside_study_area=int((~inside).sum()))
        if not inside.any():
            card.warn(f"none of the {len(inside):,} incidents is in the study area, so every share is 0; check that "
                      "both are in EPSG:27700 (British National Grid).")
    if weights is not None:
        card.choose("weights", weights if isinstance(weights, str) else f"Series {weights.name!r}", "given")
        card.data["total_weight"] = float(raw.sum())
    eps = _eps(eps_m, incidents, card)
    by_weight = min_weight is not None or (weights is not None and min_samples is None)
    threshold = _threshold(min_samples, min_weight, by_weight, x, y, eps,
                           float(raw[inside].sum()) if by_weight else float(inside.sum()), method, card, area)
    sample_weight = loc_weight if by_weight else counts
    if method == "dbscan":
        card.data["border_rule"] = ("a border location reachable from two clusters joins the one whose first "
                                    "core location comes first by easting, then northing (scikit-learn's rule "
                                    "on sorted rows)")
        labels = _dbscan(x, y, sample_weight, eps, threshold)
    else:
        size = HDBSCAN_MIN_CLUSTER_SIZE if min_cluster_size is None else min_cluster_size
        card.choose("min_cluster_size", size, "given" if min_cluster_size is not None
                    else f"{HDBSCAN_MIN_CLUSTER_SIZE} distinct locations (scikit-learn's default)")
        labels = _hdbscan(x, y, sample_weight, threshold, size)
    config = bands if bands is not None else TimeBands.load()
    ids, clusters = summarise(incidents, labels, inverse, x, y, raw, outline_m=eps / 2, bands=config, card=card,
                              inside=inside)
    card.data.update(
        outline=f"discs of eps_m / 2 = {eps / 2:g} m around the cluster's locations, dissolved",
        hull=f"convex hull of the cluster's locations; a point or a line buffered by {HULL_BUFFER_M:g} m",
        peak_band="the band with the highest share of the cluster's timed aoristic weight per hour it runs in "
                  f"a week; bands from {config.path if config.path is not None else 'the TimeBands given'}",
        peak_day_hour="most aoristic weight by local (Europe/London) day of week and by hour")
    noise = (ids < 0) & inside
    total = float(raw[inside].sum()) if weights is not None else float(inside.sum())
    noise_share = (float(raw[noise].sum()) if weights is not None else float(noise.sum())) / total if total else 0.0
    card.data["noise_share"] = round(noise_share, 4)
    _warn(card, clusters, x, y, sample_weight, eps, threshold, by_weight, method, area is not None)
    labels_series = pd.Series(ids, index=incidents.index, name="cluster_id", dtype="int64")
    return ClusterResult(labels_series, clusters, noise_share, card)


# --- private steps ----------------------------------------------------------------------

def _check_args(incidents, eps_m, min_samples, min_weight, weights, method, bands, min_cluster_size,
                study_area) -> None:
    if not isinstance(incidents, pd.DataFrame):
        raise TypeError(f"The 'incidents' parameter of {WHERE} must be a pandas DataFrame. "
                        f"Got {type(incidents).__name__} instead.")
    if study_area is not None and not isinstance(study_area, (shapely.Geometry, gpd.GeoSeries, gpd.GeoDataFrame)):
        raise TypeError(f"The 'study_area' parameter of {WHERE} must be a shapely geometry, GeoSeries, GeoDataFrame "
                        f"or None. Got {type(study_area).__name__} instead.")
    check_choice(method, "method", WHERE, CLUSTER_METHODS)
    if eps_m is not None:
        check_number(eps_m, "eps_m", WHERE)
    if min_samples is not None:
        check_number(min_samples, "min_samples", WHERE, low=1, low_open=False, integer=True)
    if min_weight is not None:
        check_number(min_weight, "min_weight", WHERE)
    if min_samples is not None and min_weight is not None:
        raise HotspotError(f"{WHERE}: give min_samples (incidents) or min_weight (weight), not both.")
    if weights is not None and not isinstance(weights, (str, pd.Series)):
        raise TypeError(f"The 'weights' parameter of {WHERE} must be a column name (str), a pandas Series or None. "
                        f"Got {type(weights).__name__} instead.")
    if min_weight is not None and weights is None:
        raise HotspotError(f"{WHERE}: min_weight needs weights, e.g. weights='harm_weight'; "
                           "to count incidents use min_samples.")
    if bands is not None and not isinstance(bands, TimeBands):
        raise TypeError(f"The 'bands' parameter of {WHERE} must be a TimeBands (TimeBands.load(path)) or None. "
                        f"Got {type(bands).__name__} instead.")
    if min_cluster_size is not None:
        check_number(min_cluster_size, "min_cluster_size", WHERE, low=2, low_open=False, integer=True)
        if method != "hdbscan":
            raise HotspotError(f"{WHERE}: min_cluster_size applies to method='hdbscan' only; "
                               "DBSCAN's clusters are set by eps_m and min_samples.")


def _locations(e: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct locations sorted by easting then northing, and each incident's location."""
    inverse, ux, uy = distinct_points(e, n)
    order = np.lexsort((uy, ux))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[inverse], ux[order], uy[order]


def _eps(eps_m, incidents: pd.DataFrame, card: MethodCard) -> float:
    precision = _median_precision(incidents)
    card.data["median_location_precision_m"] = precision
    if eps_m is not None:
        card.choose("eps_m", float(eps_m), "given")
        return float(eps_m)
    eps = max(MIN_EPS_M, math.ceil(precision / 10.0) * 10.0) if precision is not None else MIN_EPS_M
    card.choose("eps_m", eps, f"median location precision ({precision:g} m) rounded up to 10 m, at least "
                f"{MIN_EPS_M:g} m (automatic)" if precision is not None
                else f"{MIN_EPS_M:g} m, about a street segment: no location_precision_m (automatic)")
    return eps


def _median_precision(incidents: pd.DataFrame) -> float | None:
    if "location_precision_m" not in incidents.columns:
        return None
    values = incidents["location_precision_m"].to_numpy(dtype=float, na_value=np.nan)
    values = values[np.isfinite(values)]
    if not len(values):
        return None
    middle = (len(values) - 1) // 2
    return float(np.partition(values, middle)[middle])  # the lower median


def _threshold(min_samples, min_weight, by_weight: bool, x, y, eps: float, total: float, method: str,
               card: MethodCard, study_area):
    """min_samples (int) or min_weight (float): given, or the density rule of the module notes."""
    name = "min_weight" if by_weight else "min_samples"
    given = min_weight if by_weight else min_samples
    what = "weight" if by_weight else "incidents"
    card.data["core_test"] = (f"a location is core when the {what} within eps_m of it (itself included, a neighbour "
                              f"at exactly eps_m too) reach {name}" if method == "dbscan" else
                              f"a location's core distance is the distance at which the {what} around it (itself "
                              f"included) reach {name}")
    if given is not None:
        card.choose(name, given, "given")
        return given
    if study_area is not None:
        area = study_area.area
        which = f"the study area given, {area / 1e6:.1f} km², with {total:,.6g} {what} inside it"
    else:
        hull = shapely.convex_hull(shapely.multipoints(np.c_[x, y])).area if len(x) else 0.0
        area = max(hull, MIN_STUDY_AREA_KM2 * 1e6)
        which = f"convex hull of the locations, {area / 1e6:.1f} km²"
    card.data["study_area_km2"] = round(area / 1e6, 3)
    expected = total * math.pi * eps ** 2 / area
    value = DENSITY_FACTOR * expected
    value = max(MIN_SAMPLES_FLOOR, math.ceil(value)) if not by_weight \
        else max(float(MIN_SAMPLES_FLOOR), math.ceil(value * 10) / 10)
    card.choose(name, value, f"{DENSITY_FACTOR:g} x the {expected:.1f} {what} an eps disc holds at the mean "
                f"density of the study area ({which}), at least {MIN_SAMPLES_FLOOR} (automatic)")
    return value


def _dbscan(x, y, sample_weight, eps: float, threshold) -> np.ndarray:
    """scikit-learn's DBSCAN rule on the sorted distinct locations, in strips on a cluster (same labels)."""
    if not sample_weight.sum() >= threshold:  # no neighbourhood can reach it (and all-zero weights)
        return np.full(len(x), -1, dtype=np.int64)
    return dbscan_labels(x, y, sample_weight, eps, float(threshold))


def _core_distances(X: np.ndarray, tree: KDTree, sample_weight: np.ndarray, threshold: float) -> np.ndarray:
    """Distance at which the weight around each location, itself included, reaches threshold (inf if never)."""
    m = len(X)
    core = np.full(m, np.inf)
    todo = np.arange(m)
    k = min(m, 32)
    while len(todo):  # a few rounds, doubling k
        dist, idx = tree.query(X[todo], k=k)
        cum = np.cumsum(sample_weight[idx], axis=1)
        done = cum[:, -1] >= threshold
        first = np.argmax(cum >= threshold, axis=1)
        core[todo[done]] = dist[done, first[done]]
        if k == m:
            break
        todo, k = todo[~done], min(m, 2 * k)
    return core


def _hdbscan(x, y, sample_weight, threshold, min_cluster_size: int) -> np.ndarray:
    """HDBSCAN on the distinct locations with weighted core distances (module notes)."""
    m = len(x)
    if m < 2 or not sample_weight.sum() >= threshold:
        return np.full(m, -1, dtype=np.int64)
    from scipy.sparse import csgraph, csr_matrix
    from sklearn.cluster import HDBSCAN
    from sklearn.neighbors import KDTree
    X = np.c_[x, y]
    tree = KDTree(X)
    core = _core_distances(X, tree, sample_weight, float(threshold))
    k = m if m <= HDBSCAN_COMPLETE_GRAPH else min(m, HDBSCAN_GRAPH_NEIGHBOURS + 1)
    dist, idx = tree.query(X, k=k)
    rows = np.repeat(np.arange(m), k - 1)
    cols = idx[:, 1:].ravel()
    mrd = np.maximum(np.maximum(core[rows], core[cols]), dist[:, 1:].ravel())
    finite = np.isfinite(mrd)
    top = 2.0 * (float(mrd[finite].max()) if finite.any() else 1.0) + 1.0  # above every real distance
    mrd[~finite] = top
    graph = csr_matrix((mrd, (rows, cols)), shape=(m, m))
    graph = graph.maximum(graph.T)
    parts, part = csgraph.connected_components(graph, directed=False)
    if parts > 1:  # join the parts at the top of the hierarchy
        reps = np.unique(part, return_index=True)[1]
        link = csr_matrix((np.full(parts - 1, top), (reps[:-1], reps[1:])), shape=(m, m))
        graph = graph.maximum(link).maximum(link.T)
    model = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=1, metric="precomputed", copy=True)
    labels = model.fit(graph).labels_.astype(np.int64)
    return np.where(labels >= 0, labels, -1)


def _warn(card: MethodCard, clusters, x, y, sample_weight, eps: float, threshold, by_weight: bool, method: str,
          has_area: bool) -> None:
    """Warnings a person can act on: eps below the location precision, too few incidents, no or huge clusters."""
    name = "min_weight" if by_weight else "min_samples"
    what = "weight" if by_weight else "incidents"
    precision = card.data.get("median_location_precision_m")
    if precision is not None and eps < precision:
        card.warn(f"eps_m={eps:g} is smaller than the location precision of most incidents (median {precision:g} m; "
                  "police.uk moves each crime to an anonymised map point nearby): incidents of one place snapped "
                  "to neighbouring map points do not link up, so clusters split or vanish. "
                  f"Use eps_m={math.ceil(precision / 10) * 10:g} or more.")
    total = float(sample_weight.sum())
    if total < threshold:
        card.warn(f"only {total:,.6g} {what} in this selection, fewer than {name}={threshold:g}: no cluster can form "
                  f"and no hotspot is stable on so few; widen the period, band or categories, or lower {name}.")
    elif len(clusters) == 0 and method == "dbscan":
        from sklearn.neighbors import KDTree
        X = np.c_[x, y]
        near = KDTree(X).query_radius(X, r=eps)
        best = max(float(sample_weight[nb].sum()) for nb in near)  # only when there is no cluster
        card.warn(f"no clusters: no location has {name}={threshold:g} {what} within eps_m={eps:g} m (the most is "
                  f"{best:,.6g}); lower {name} to {best:,.6g} or less, or raise eps_m.")
    elif len(clusters) == 0:
        card.warn(f"no clusters: lower min_cluster_size (now {card.parameters['min_cluster_size']}) or {name}.")
    if len(clusters) and clusters["share"].iloc[0] > LARGE_CLUSTER_SHARE and \
            clusters["area_km2"].iloc[0] > LARGE_CLUSTER_KM2:
        top = clusters.iloc[0]
        whose = "the study area's" if has_area else "the"
        card.warn(f"cluster 1 holds {top['share']:.0%} of {whose} incidents over {top['area_km2']:.1f} km²: too "
                  f"spread out to patrol as one hotspot; raise {name} (now {threshold:g}) or lower eps_m "
                  f"(now {eps:g} m).")
