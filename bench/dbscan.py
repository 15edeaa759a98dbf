"""Benchmark: DBSCAN on 1,000,000 incidents against scikit-learn's DBSCAN on the raw points.

    python bench/dbscan.py [--rows 1000000] [--subsamples 20000 50000 100000 200000 400000] [--repeat 3]

The rows are resampled (with replacement) from the bundled demo workspace (data/demo), so
they sit on the demo's ~15,000 real map points, about 65 incidents per point at 1M rows, as
police.uk data does. Our :func:`hotspot_tasking.hotspots.dbscan.dbscan` runs with its
defaults (eps 150 m from the location precision; min_samples by the density rule, which
grows with the rows, so every size is cut at the same density: 5 x the mean) and includes
everything it returns: labels, the cluster table with hulls, outlines, categories and peak
times, and the method card. Its clustering alone (collapse to distinct points, scikit-learn's
DBSCAN on them, labels spread back to the rows: what scikit-learn's own run gives) is timed
too, as the like-for-like figure.

scikit-learn's DBSCAN on the raw, un-collapsed rows cannot run at 1M: every incident's
neighbourhood lists every other incident within eps, duplicates included, so its memory
and time grow with the square of the rows (at 1M: about 3 billion neighbour indices, 24 GB
for the indices alone). It runs on random subsamples of the 1M rows (default 20k to 400k),
each with the same eps and that subsample's own default min_samples (the same density
threshold, so the clusters have the same structure at every size); the rows are passed
sorted by easting then northing, the order in which its labels must equal ours exactly
(checked as partitions on every subsample; the check against the subsample's own order,
which may differ only at border points two clusters reach, is reported too). Its time is
the best of ``--repeat`` runs up to 100k rows, one run above.

Its time at 1M is extrapolated three ways, and the ratio claimed uses the lowest:

- a work model, a part per row plus a part per neighbour pair it lists (the radius query,
  its Python loop over the neighbourhoods, the cluster expansion):
  ``t = a * rows + b * pairs``, fitted by non-negative least squares on the subsamples,
  with the pairs at 1M counted exactly from the distinct points (each pair of locations
  within eps times the incidents at both);
- a power law ``t = c * rows**k`` fitted on log time against log rows of all subsamples;
- the same power law through the two largest subsamples only (the growth where it was
  last measured; at 200k-400k it is steeper than k = 2, as memory traffic grows).

Never run as a test.

Targets: our DBSCAN on 1M rows in 1 s or less; at least 100 times faster than
scikit-learn on the raw points, with identical clusters.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import nnls
from sklearn.cluster import DBSCAN
from sklearn.neighbors import KDTree

from hotspot_tasking.geo.coords import distinct_points
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots import dbscan as dbscan_module
from hotspot_tasking.hotspots.dbscan import dbscan

REPO = Path(__file__).resolve().parent.parent


def make_rows(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` demo incidents resampled with replacement (real points, real attributes)."""
    demo = Workspace.open(REPO / "data" / "demo").incidents()
    rng = np.random.default_rng(seed)
    return demo.iloc[rng.integers(0, len(demo), n)].reset_index(drop=True)


def best(fn, repeat: int) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def partition(labels: np.ndarray) -> tuple[frozenset, frozenset]:
    """Clusters as sets of row positions (labels up to renaming), and the noise rows."""
    labels = np.asarray(labels)
    groups = pd.Series(np.arange(len(labels))).groupby(labels).agg(frozenset)
    return frozenset(g for k, g in groups.items() if k >= 0), frozenset(np.flatnonzero(labels < 0))


def raw_pairs(rows: pd.DataFrame, eps: float) -> int:
    """Neighbour pairs scikit-learn lists on the raw rows (the sum of their neighbourhood
    sizes), counted from the distinct points: each pair of locations within eps times the
    incidents at both."""
    inverse, x, y = distinct_points(rows["easting"], rows["northing"])
    counts = np.bincount(inverse).astype(float)
    xy = np.c_[x, y]
    near = KDTree(xy).query_radius(xy, r=eps)
    around = np.array([counts[nb].sum() for nb in near])  # per distinct point
    return int((counts * around).sum())


def compare(sub: pd.DataFrame, eps: float, min_samples: int, ours: np.ndarray, repeat: int) -> dict:
    """Time scikit-learn on the raw rows (sorted by easting, northing; best of ``repeat``) and check the clusters."""
    xy = sub[["easting", "northing"]].to_numpy()
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    seconds, model = best(lambda: DBSCAN(eps=eps, min_samples=min_samples).fit(xy[order]), repeat)
    theirs = np.empty(len(xy), dtype=np.int64)
    theirs[order] = model.labels_
    identical = partition(ours) == partition(theirs)
    # the subsample's own row order: cores and noise must agree; only two-cluster borders may move
    own = DBSCAN(eps=eps, min_samples=min_samples).fit(xy)
    core = np.zeros(len(xy), bool)
    core[own.core_sample_indices_] = True
    moved = 0
    if partition(ours[core]) == partition(own.labels_[core]):
        to_ours = dict(zip(own.labels_[core], ours[core]))
        mapped = np.array([to_ours.get(label, -1) for label in own.labels_])
        moved = int((mapped != ours).sum())
        own_ok = set(np.flatnonzero(ours < 0)) == set(np.flatnonzero(own.labels_ < 0))
    else:
        own_ok = False
    return {"seconds": seconds, "identical": identical, "own_order_cores_ok": own_ok, "border_moved": moved}


def clustering_only(data: pd.DataFrame, eps: float, min_samples: int) -> np.ndarray:
    """Our clustering without the cluster table: the labels scikit-learn's own run gives."""
    inverse, x, y = dbscan_module._locations(data["easting"].to_numpy(float), data["northing"].to_numpy(float))
    counts = np.bincount(inverse, minlength=len(x)).astype(float)
    return dbscan_module._dbscan(x, y, counts, eps, min_samples)[inverse]


def run(rows: int = 1_000_000, subsamples: tuple[int, ...] = (20_000, 50_000, 100_000, 200_000, 400_000),
        repeat: int = 3) -> dict:
    """Run the benchmark; return (and print) the figures."""
    logging.disable(logging.WARNING)  # the card's warnings are not what is measured
    data = make_rows(rows)
    ours_s, res = best(lambda: dbscan(data), repeat)
    eps, ms_full = res.card.parameters["eps_m"], res.card.parameters["min_samples"]
    core_s, _ = best(lambda: clustering_only(data, eps, ms_full), repeat)
    distinct = res.card.data["distinct_points"]
    print(f"{rows:,} rows on {distinct:,} distinct points (eps_m={eps:g}, min_samples={ms_full:,} by the density "
          f"rule): {len(res.clusters)} clusters, noise {res.noise_share:.1%}")
    print(f"ours, dbscan() with the cluster table: {ours_s:.3f} s; clustering alone: {core_s:.3f} s "
          f"(best of {repeat})  target <= 1 s")
    rng = np.random.default_rng(2)
    table = []
    for n in subsamples:
        sub = data.iloc[np.sort(rng.choice(rows, n, replace=False))].reset_index(drop=True)
        sub_s, sub_res = best(lambda sub=sub: dbscan(sub), repeat)
        ms = sub_res.card.parameters["min_samples"]
        check = compare(sub, eps, ms, sub_res.labels.to_numpy(), repeat if n <= 100_000 else 1)
        table.append({"rows": n, "min_samples": ms, "clusters": len(sub_res.clusters), "ours_s": sub_s,
                      "sklearn_raw_s": check["seconds"], "ratio": check["seconds"] / sub_s,
                      "identical": check["identical"], "own_order_ok": check["own_order_cores_ok"],
                      "border_moved": check["border_moved"], "pairs_M": raw_pairs(sub, eps) / 1e6})
    frame = pd.DataFrame(table)
    with pd.option_context("display.width", 200, "display.float_format", "{:,.3f}".format):
        print(frame.to_string(index=False))
    pairs_full = raw_pairs(data, eps)
    n_rows, seconds = frame["rows"].to_numpy(float), frame["sklearn_raw_s"].to_numpy()
    (per_row, per_pair), _ = nnls(np.c_[n_rows, frame["pairs_M"].to_numpy() * 1e6], seconds)
    estimates = {"work model": per_row * rows + per_pair * pairs_full}
    k, log_c = np.polyfit(np.log(n_rows), np.log(seconds), 1)
    estimates[f"power law, all subsamples (k={k:.2f})"] = float(np.exp(log_c) * rows ** k)
    k_top = float(np.log(seconds[-1] / seconds[-2]) / np.log(n_rows[-1] / n_rows[-2])) if len(frame) > 1 else k
    estimates[f"power law, two largest (k={k_top:.2f})"] = float(seconds[-1] * (rows / n_rows[-1]) ** k_top)
    low = min(estimates.values())
    print(f"scikit-learn on the raw points at {rows:,} rows: {pairs_full / 1e9:,.2f} billion neighbour pairs "
          f"({pairs_full * 8 / 1e9:,.0f} GB of indices alone); work model {per_row * 1e6:.2f} us/row + "
          f"{per_pair * 1e9:.2f} ns/pair")
    for name, value in estimates.items():
        print(f"  {name:<34} {value:8,.0f} s  ratio {value / ours_s:7,.0f}x with the table, "
              f"{value / core_s:7,.0f}x clustering alone")
    print(f"ratio claimed (lowest estimate, {low:,.0f} s): {low / ours_s:,.0f}x for dbscan() with the cluster table, "
          f"{low / core_s:,.0f}x for the clustering alone  target >= 100x")
    print(f"identical clusters (as partitions) on every subsample: {bool(frame['identical'].all())}; "
          f"in the subsamples' own row order, cores and noise agree: {bool(frame['own_order_ok'].all())}, "
          f"border incidents scikit-learn gave to the other cluster they reach: {frame['border_moved'].tolist()}")
    return {"ours_s": ours_s, "clustering_s": core_s, "sklearn_estimates_s": estimates, "sklearn_low_s": low,
            "ratio": low / ours_s, "ratio_clustering": low / core_s, "subsamples": frame,
            "identical": bool(frame["identical"].all()), "pairs_full": pairs_full}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--subsamples", type=int, nargs="+", default=[20_000, 50_000, 100_000, 200_000, 400_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run(args.rows, tuple(args.subsamples), args.repeat)


if __name__ == "__main__":
    main()
