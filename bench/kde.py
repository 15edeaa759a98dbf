"""Benchmark: kernel density of 1,000,000 incidents on a grid of over 100,000 cells.

    python bench/kde.py [--rows 1000000]

Two inputs over the two-borough extent of the demo workspace (Lambeth and Wandsworth),
35 m cells (over 100,000 cells on the boroughs' extent widened by the bandwidth):

(a) ``rows`` incidents resampled from the demo's real police.uk-like points, so that, like
    police.uk data, about fifty records share each map point (~15,000 distinct points);
(b) the same incidents each moved by up to 75 m (uniform), so that every one is distinct.

Ours: ``hotspot_tasking.hotspots.kde`` with the default rule's bandwidth, timed as the best of
three runs: "auto" (quartic, the default), the exact path forced, and the exact path with
the Epanechnikov kernel. Compared in the same run with scikit-learn's ``KernelDensity``
(Epanechnikov, the same bandwidth, exact: rtol = atol = 0) evaluated at the same grid's
cell centres, and ``scipy.stats.gaussian_kde`` (Gaussian kernel, Scott's bandwidth: timed
only). Neither can run on the full input in reasonable time: each is fitted on a random
subsample of incidents and evaluated on a random subsample of cells, and its time is
scaled **linearly** by (rows / incidents fitted) for the fit and by (rows / incidents
fitted) x (cells / cells evaluated) for the evaluation. (Linear in the incidents is fair to
KernelDensity on a compact kernel: the neighbours each cell must visit grow in proportion.)
The largest difference is between our exact Epanechnikov density and KernelDensity's on
the same subsample and cells (its per-m² density x incidents x 1e6 = per km²).

Targets: (a) 0.5 s or less; (b) 2 s or less; at least 50 times faster than
KernelDensity at equal accuracy. Prints figures; never run as a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy.stats import gaussian_kde
from sklearn.neighbors import KernelDensity

from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.kde import kde

REPO = Path(__file__).resolve().parent.parent
CELL_M = 35.0
JITTER_M = 75.0


def _best(fn, repeat: int = 3) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _inputs(rows: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    ws = Workspace.open(REPO / "data" / "demo")
    real = ws.incidents(["easting", "northing", "location_precision_m"])
    rng = np.random.default_rng(seed)
    few = real.iloc[rng.integers(0, len(real), rows)].reset_index(drop=True)
    distinct = few.copy()
    distinct["easting"] += rng.uniform(-JITTER_M, JITTER_M, rows)
    distinct["northing"] += rng.uniform(-JITTER_M, JITTER_M, rows)
    return few, distinct, ws.read_layer("boroughs")


def _sklearn(inc: pd.DataFrame, grid, h: float, rng, n_fit: int, n_cells: int) -> dict:
    """KernelDensity on a subsample, scaled to all incidents and cells; and our exact density on the same."""
    sub = inc.iloc[rng.choice(len(inc), n_fit, replace=False)]
    cells = rng.choice(grid.cells, n_cells, replace=False)
    rows, cols = np.divmod(cells, grid.nx)
    xs, ys = grid.centres()
    at = np.column_stack([xs[cols], ys[rows]])
    pts = sub[["easting", "northing"]].to_numpy()
    t0 = time.perf_counter()
    model = KernelDensity(kernel="epanechnikov", bandwidth=h).fit(pts)
    t1 = time.perf_counter()
    theirs = np.exp(model.score_samples(at)) * len(sub) * 1e6  # per m² per incident -> incidents per km²
    t2 = time.perf_counter()
    ours = kde(sub, grid=grid, bandwidth_m=h, kernel="epanechnikov", method="exact").density[rows, cols]
    scale_fit = len(inc) / n_fit
    scaled = (t1 - t0) * scale_fit + (t2 - t1) * scale_fit * grid.cells / n_cells
    diff = np.abs(ours - theirs)
    some = theirs >= 1e-6 * theirs.max()  # leaves out cells only grazed by a kernel's edge (d ~ h, ~1e-16)
    return {"seconds": scaled, "fit_s": t1 - t0, "eval_s": t2 - t1, "n_fit": n_fit, "n_cells": n_cells,
            "max_rel_diff": float((diff[some] / theirs[some]).max()), "cells_compared": int(some.sum()),
            "max_diff_of_peak": float(diff.max() / theirs.max())}


def _gaussian(inc: pd.DataFrame, grid, rng, n_fit: int, n_cells: int) -> dict:
    sub = inc.iloc[rng.choice(len(inc), n_fit, replace=False)][["easting", "northing"]].to_numpy().T
    cells = rng.choice(grid.cells, n_cells, replace=False)
    rows, cols = np.divmod(cells, grid.nx)
    xs, ys = grid.centres()
    t0 = time.perf_counter()
    gaussian_kde(sub)(np.vstack([xs[cols], ys[rows]]))
    t1 = time.perf_counter()
    return {"seconds": (t1 - t0) * (len(inc) / n_fit) * (grid.cells / n_cells), "measured_s": t1 - t0,
            "n_fit": n_fit, "n_cells": n_cells}


def run(rows: int = 1_000_000, *, seed: int = 3) -> dict:
    """Time our KDE and the references on (a) few distinct and (b) all-distinct locations.

    Returns
    -------
    dict
        ``{"setup": {...}, "few": {...}, "distinct": {...}}``: seconds for ours ("auto",
        "exact", "epanechnikov") and the references (scaled), ratios and differences.
    """
    few, distinct, boroughs = _inputs(rows, seed)
    rng = np.random.default_rng(seed + 1)
    out: dict = {}
    for name, inc in (("few", few), ("distinct", distinct)):
        t_auto, res = _best(lambda: kde(inc, study_area=boroughs, cell_size_m=CELL_M))
        grid, h = res.grid, res.card.parameters["bandwidth_m"]
        t_exact, _ = _best(lambda: kde(inc, grid=grid, bandwidth_m=h, method="exact"))
        t_epa, _ = _best(lambda: kde(inc, grid=grid, bandwidth_m=h, kernel="epanechnikov", method="exact"))
        t_fft, fft = _best(lambda: kde(inc, grid=grid, bandwidth_m=h, method="fft"))
        sk = _sklearn(inc, grid, h, rng, n_fit=100_000, n_cells=20_000)
        ga = _gaussian(inc, grid, rng, n_fit=20_000, n_cells=2_000)
        out[name] = {"auto_s": t_auto, "method": res.card.parameters["method"], "exact_s": t_exact,
                     "epanechnikov_exact_s": t_epa, "distinct_points": res.card.data["distinct_points"],
                     "fft_s": t_fft, "fft_check": fft.card.data["fft_check"], "sklearn": sk, "gaussian_kde": ga,
                     "ratio_vs_sklearn": sk["seconds"] / t_epa, "ratio_auto_vs_sklearn": sk["seconds"] / t_auto,
                     "ratio_vs_gaussian_kde": ga["seconds"] / t_auto}
        out.setdefault("setup", {"rows": rows, "cells": grid.cells, "grid": f"{grid.nx} x {grid.ny}",
                                 "cell_size_m": grid.cell_size_m, "bandwidth_m": h})
        out[name]["bandwidth_m"] = h
    out["setup"]["machine"] = (f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, numpy {np.__version__}, "
                               f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}")
    return out


def _report(fig: dict) -> None:
    s = fig["setup"]
    print(f"{s['rows']:,} incidents; grid {s['grid']} = {s['cells']:,} cells of {s['cell_size_m']:g} m over "
          f"Lambeth and Wandsworth; {s['machine']}")
    titles = {"few": "(a) resampled real points (few distinct locations), target <= 0.5 s",
              "distinct": f"(b) every incident moved by up to {JITTER_M:g} m (all distinct), target <= 2 s"}
    for name in ("few", "distinct"):
        f, sk, ga = fig[name], fig[name]["sklearn"], fig[name]["gaussian_kde"]
        print(f"\n{titles[name]}: {f['distinct_points']:,} distinct points, "
              f"bandwidth {f['bandwidth_m']:g} m (default rule)")
        print(f"  ours, default (auto -> {f['method']}, quartic, incl. bandwidth rule, grid, study mask): "
              f"{f['auto_s']:.3f} s")
        print(f"  ours, exact, quartic: {f['exact_s']:.3f} s; exact, epanechnikov: {f['epanechnikov_exact_s']:.3f} s; "
              f"FFT forced, quartic: {f['fft_s']:.3f} s (best of 3)")
        print(f"    FFT check: {f['fft_check']}")
        print(f"  scikit-learn KernelDensity (epanechnikov, exact): {sk['seconds']:,.1f} s scaled from fit on "
              f"{sk['n_fit']:,} incidents ({sk['fit_s']:.2f} s) and {sk['n_cells']:,} cells ({sk['eval_s']:.2f} s)")
        print(f"  scipy gaussian_kde: {ga['seconds']:,.0f} s scaled from {ga['n_fit']:,} incidents x "
              f"{ga['n_cells']:,} cells ({ga['measured_s']:.2f} s)")
        print(f"  ratios: exact epanechnikov vs KernelDensity {f['ratio_vs_sklearn']:,.0f}x (target >= 50x); "
              f"default vs KernelDensity {f['ratio_auto_vs_sklearn']:,.0f}x; default vs gaussian_kde "
              f"{f['ratio_vs_gaussian_kde']:,.0f}x")
        print(f"  ours (exact, epanechnikov) vs KernelDensity on the same {sk['n_fit']:,} incidents and "
              f"{sk['n_cells']:,} cells: largest relative difference {sk['max_rel_diff']:.1e} (the "
              f"{sk['cells_compared']:,} cells above 1e-6 of the peak), largest difference "
              f"{sk['max_diff_of_peak']:.1e} of the peak (all cells)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    _report(run(args.rows))


if __name__ == "__main__":
    main()
