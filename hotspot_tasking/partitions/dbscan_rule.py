"""DBSCAN's labels for weighted locations, whole or in strips with a halo, stitched exactly.

The rule is scikit-learn's ``DBSCAN`` on locations sorted by easting, then northing
(:mod:`hotspot_tasking.hotspots.dbscan` sorts them):

- a location is *core* when the weight within ``eps`` of it (itself included, a
  neighbour at exactly ``eps`` too, distances as scikit-learn's ``KDTree`` works them
  out) reaches the threshold;
- core locations within ``eps`` of each other are in one cluster;
- a border location (not core, within ``eps`` of a core one) joins, of the clusters it
  can reach, the one whose first core location comes first: scikit-learn finds clusters
  in that order and gives a border location to the first that reaches it;
- clusters are numbered 0, 1, ... in that order; -1 is noise.

Weights are counted in whole units of 2^-:data:`FRACTION_BITS` (fewer bits when the
locations' weights could overflow 63-bit sums), so a neighbourhood's sum is an exact
integer whatever order its terms come in: with counts (whole numbers) this is exactly
scikit-learn's test; a fractional weight moves by at most 2^-41.

Strips
------
On a cluster, the sorted locations are cut into strips of
equal counts; a task per strip works on its own locations plus a halo of two ``eps``
(with a hair more for rounding) each side. In the task, the locations within one ``eps``
of its own are tested for core (their whole neighbourhoods lie in the halo, so the test
is exactly the whole data's) and the core ones joined into components by their
neighbours. Each core location in a component is then linked to the component's first
location. Every link of two core locations is seen whole by the strip that owns one of
them, so joining all the strips' links gives the clusters of the whole data; each
cluster is found once, however many strips it crosses. A border location's cluster is
the first (by first core location) of those its core neighbours are in. The labels are
the whole data's, exactly (tested on a cluster, with clusters across the cuts).
"""

from __future__ import annotations

import math

import numpy as np

from ..engine import Engine, current_engine

#: Binary digits kept after the point in each weight (1 / 2^40: about a millionth of a millionth).
FRACTION_BITS = 40
#: On a cluster, strips per worker thread.
STRIPS_PER_WORKER = 2
#: The halo is widened by this share of eps, so a rounding in a distance cannot drop a neighbour.
_HALO_SLACK = 1e-9


def dbscan_labels(x: np.ndarray, y: np.ndarray, weight: np.ndarray, eps: float, threshold: float, *,
                  engine: Engine | None = None) -> np.ndarray:
    """Cluster label of each location (0, 1, ... in discovery order; -1 noise), as scikit-learn's DBSCAN.

    Parameters
    ----------
    x, y : numpy.ndarray
        Distinct locations in metres, sorted by ``x`` then ``y``.
    weight : numpy.ndarray
        Each location's weight (incidents there, or their weight), >= 0.
    eps : float
        Neighbourhood radius in metres, > 0.
    threshold : float
        The weight within ``eps`` that makes a location core, > 0.
    engine : Engine, optional
        Default: the current engine; on a cluster the strips are tasks.

    Returns
    -------
    numpy.ndarray of int64
    """
    x, y, weight = (np.asarray(a, dtype=float) for a in (x, y, weight))
    n = len(x)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    bits = _fraction_bits(weight)
    fixed = np.rint(np.ldexp(weight, bits)).astype(np.int64)
    need = math.ceil(math.ldexp(float(threshold), bits))  # a whole number: sum >= threshold <=> sum >= need
    engine = engine if engine is not None else current_engine()
    strips = engine.workers * STRIPS_PER_WORKER if engine.kind != "local" else 1
    bounds = np.linspace(0, n, min(strips, n) + 1).round().astype(int)
    halo = 2 * eps * (1 + _HALO_SLACK) + _HALO_SLACK
    items = []
    for own0, own1 in zip(bounds[:-1], bounds[1:]):
        if own1 <= own0:
            continue
        lo = int(np.searchsorted(x, x[own0] - halo, side="left"))
        hi = int(np.searchsorted(x, x[own1 - 1] + halo, side="right"))
        items.append((x[lo:hi], y[lo:hi], fixed[lo:hi], lo, own0, own1))
    parts = engine.map(_strip, items, eps=eps, need=need) if len(items) > 1 else [_strip(items[0], eps=eps, need=need)]
    return _stitch(n, parts)


def _fraction_bits(weight: np.ndarray) -> int:
    """Bits after the point: :data:`FRACTION_BITS`, fewer if all the weights together could pass 2^62."""
    if not len(weight) or not np.isfinite(weight).all() or (weight < 0).any():
        raise ValueError("dbscan_labels: weights must be finite numbers >= 0.")
    bound = float(weight.max()) * len(weight)
    return int(max(0, min(FRACTION_BITS, 62 - math.ceil(math.log2(bound + 1))))) if bound > 0 else FRACTION_BITS


def _strip(item, *, eps: float, need: int) -> dict[str, np.ndarray]:
    """One strip (a task): core tests, components, links and border candidates; global indices.

    ``item`` is ``(x, y, fixed weights, first global index, own start, own end)`` of the
    strip with its halo.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from sklearn.neighbors import KDTree

    x, y, fixed, first, own0, own1 = item
    margin = eps * (1 + _HALO_SLACK) + _HALO_SLACK
    e0 = int(np.searchsorted(x, x[own0 - first] - margin, side="left"))  # tested locations: own +- one eps
    e1 = int(np.searchsorted(x, x[own1 - 1 - first] + margin, side="right"))
    points = np.c_[x, y]
    near = KDTree(points).query_radius(points[e0:e1], r=eps)
    sizes = np.fromiter((len(a) for a in near), dtype=np.int64, count=len(near))
    flat = np.concatenate(near).astype(np.int64) if len(near) else np.empty(0, np.int64)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    sums = np.add.reduceat(fixed[flat], starts) if len(flat) else np.zeros(0, np.int64)  # never empty: itself
    core = np.zeros(len(x), bool)
    core[e0:e1] = sums >= need
    source = np.repeat(np.arange(e0, e1), sizes)
    both = core[source] & core[flat]
    m = e1 - e0
    graph = coo_matrix((np.ones(int(both.sum()), np.int8), (source[both] - e0, flat[both] - e0)), shape=(m, m))
    _, component = connected_components(graph, directed=False)
    tested_core = np.flatnonzero(core[e0:e1]) + e0
    first_of = np.full(component.max() + 1 if m else 0, np.iinfo(np.int64).max)
    np.minimum.at(first_of, component[tested_core - e0], tested_core + first)
    rep = first_of[component[tested_core - e0]]
    own = (source >= own0 - first) & (source < own1 - first)
    border = own & ~core[source] & core[flat]
    pairs = np.unique(np.c_[source[border] + first, first_of[component[flat[border] - e0]]], axis=0) \
        if border.any() else np.empty((0, 2), np.int64)
    return {"own": np.arange(own0, own1), "core": core[own0 - first:own1 - first], "node": tested_core + first,
            "rep": rep, "border": pairs}


def _stitch(n: int, parts: list[dict[str, np.ndarray]]) -> np.ndarray:
    """The whole data's labels from the strips' core flags, links and border candidates."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    core = np.zeros(n, bool)
    for part in parts:
        core[part["own"]] = part["core"]
    node = np.concatenate([p["node"] for p in parts])
    rep = np.concatenate([p["rep"] for p in parts])
    _, component = connected_components(coo_matrix((np.ones(len(node), np.int8), (node, rep)), shape=(n, n)),
                                        directed=False)
    labels = np.full(n, -1, dtype=np.int64)
    cores = np.flatnonzero(core)
    if not len(cores):
        return labels
    first_core = np.full(component.max() + 1, n, dtype=np.int64)
    np.minimum.at(first_core, component[cores], cores)
    found = np.unique(first_core[component[cores]])  # each cluster's first core location, in order
    number = np.full(n + 1, -1, dtype=np.int64)
    number[found] = np.arange(len(found))
    labels[cores] = number[first_core[component[cores]]]
    pairs = np.concatenate([p["border"] for p in parts])
    if len(pairs):
        candidate = number[first_core[component[pairs[:, 1]]]]
        best = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, pairs[:, 0], candidate)
        reached = np.unique(pairs[:, 0])
        labels[reached] = best[reached]
    return labels
