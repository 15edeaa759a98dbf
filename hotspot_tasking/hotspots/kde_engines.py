"""The two ways :func:`hotspot_tasking.hotspots.kde.kde` adds kernels onto a grid.

- ``exact``: every distinct point's kernel added into the cells within the bandwidth
  (:mod:`hotspot_tasking.partitions.kde_sums`: in column strips on a cluster, the same
  bits); equal to the direct sum of kernels at the cell centres (to 1e-9).
- ``fft``: points binned linearly onto a finer sub-grid, convolved with the kernel in the
  frequency domain; every run checks itself against the exact sum on a few windows and
  writes the measured error into the method card.

Densities here are per square metre; :mod:`.kde` converts to per km².
"""

from __future__ import annotations

import math

import numpy as np

from ..engine import LOCAL
from ..partitions.kde_sums import KERNEL_PEAK, exact, footprint  # noqa: F401 (footprint: the kernels' reach)
from .card import MethodCard
from .grid import Grid

#: Sub-grid step: at most bandwidth / this; the sub-grid factor s is capped at FFT_MAX_SUBCELLS.
FFT_SUBCELL_TARGET = 40
FFT_MAX_SUBCELLS = 8
#: The FFT's binned sub-grid is kept under this many values (memory), lowering s if need be.
_FFT_MAX_VALUES = 40_000_000
#: Tested bound (tests/test_kde.py) on the FFT's error, quartic kernel, sub-cells at most h / 40:
#: |fft - exact| <= this x the peak density.
FFT_ERROR_BOUND = 1e-3
#: The FFT's in-run check: windows of this many cells a side, this many of them.
_CHECK_WINDOW, _CHECK_WINDOWS = 16, 5


def subcells(h: float, grid: Grid) -> int:
    """Sub-grid factor s: sub-cells of at most h / FFT_SUBCELL_TARGET, 1..FFT_MAX_SUBCELLS, memory permitting."""
    s = min(FFT_MAX_SUBCELLS, max(1, math.ceil(FFT_SUBCELL_TARGET * grid.cell_size_m / h)))
    r = math.ceil(h / grid.cell_size_m) + 1
    padded = (grid.ny + 2 * r) * (grid.nx + 2 * r)
    return max(1, min(s, math.isqrt(max(1, _FFT_MAX_VALUES // padded))))


def fft(u, v, w, h: float, grid: Grid, kernel: str, s: int) -> np.ndarray:
    """Binned kernel sum per m²: s² sub-cell phases, each convolved with its shifted kernel."""
    from scipy import fft as sfft
    c, ny, nx = grid.cell_size_m, grid.ny, grid.nx
    r = math.ceil(h / c) + 1
    big_y, big_x = ny + 2 * r, nx + 2 * r  # the grid padded by r cells each side
    fu, fv = (u / c - 0.5 + r) * s, (v / c - 0.5 + r) * s  # sub-grid coordinates (node 0 = padded centre 0)
    k0, l0 = np.floor(fu), np.floor(fv)
    tu, tv = fu - k0, fv - l0
    k0, l0 = k0.astype(np.int64), l0.astype(np.int64)
    binned = np.zeros(s * s * big_y * big_x)
    for dk, wk in ((0, 1.0 - tu), (1, tu)):  # linear binning: four nodes per point
        j, a = np.divmod(k0 + dk, s)
        for dl, wl in ((0, 1.0 - tv), (1, tv)):
            i, b = np.divmod(l0 + dl, s)
            ok = (j >= 0) & (j < big_x) & (i >= 0) & (i < big_y)
            np.add.at(binned, (((b * s + a) * big_y + i) * big_x + j)[ok], (w * wk * wl)[ok])
    binned = binned.reshape(s, s, big_y, big_x)
    shape = (sfft.next_fast_len(big_y + 2 * r, real=True), sfft.next_fast_len(big_x + 2 * r, real=True))
    off = np.arange(-r, r + 1, dtype=float)
    total = None
    for b in range(s):  # one step per sub-cell phase
        dy = ((off[:, None] - b / s) * c / h) ** 2
        for a in range(s):
            if not binned[b, a].any():
                continue
            t = 1.0 - ((off[None, :] - a / s) * c / h) ** 2 - dy  # 1 - d²/h² at the cell offsets
            profile = {"quartic": np.maximum(t, 0.0) ** 2, "epanechnikov": np.maximum(t, 0.0), "uniform": t > 0}
            kern = profile[kernel] * (KERNEL_PEAK[kernel] / (math.pi * h * h))
            term = sfft.rfft2(binned[b, a], shape, workers=-1) * sfft.rfft2(kern, shape, workers=-1)
            total = term if total is None else total + term
    if total is None:
        return np.zeros(grid.shape)
    full = sfft.irfft2(total, shape, workers=-1)
    return np.maximum(full[2 * r:2 * r + ny, 2 * r:2 * r + nx], 0.0)


def fft_check(per_m2: np.ndarray, u, v, w, h: float, grid: Grid, kernel: str, card: MethodCard) -> None:
    """Compare the FFT with the exact sum on windows of cells; write the errors into the card."""
    peak = float(per_m2.max())
    if peak <= 0:
        card.data.update(fft_max_relative_error=0.0, fft_max_error_of_peak=0.0, fft_cells_checked=0)
        return
    rng = np.random.default_rng(0)  # reproducible windows
    flat = per_m2.ravel()
    picks = [int(flat.argmax())] + list(rng.choice(flat.size, _CHECK_WINDOWS - 1, p=flat / flat.sum()))
    c, half = grid.cell_size_m, _CHECK_WINDOW // 2
    hot = 2.0 * float(flat.mean())
    err_peak = err_rel = 0.0
    checked = 0
    for pick in picks:  # one step per window
        i0 = min(max(pick // grid.nx - half, 0), max(grid.ny - _CHECK_WINDOW, 0))
        j0 = min(max(pick % grid.nx - half, 0), max(grid.nx - _CHECK_WINDOW, 0))
        rows, cols = min(_CHECK_WINDOW, grid.ny), min(_CHECK_WINDOW, grid.nx)
        sub = Grid(grid.x0 + j0 * c, grid.y_north - (i0 + rows) * c, c, cols, rows)
        su, sv = u - j0 * c, v - i0 * c
        truth = exact(su, sv, w, h, sub, kernel, engine=LOCAL)  # a few windows: not worth tasks
        approx = per_m2[i0:i0 + rows, j0:j0 + cols]
        diff = np.abs(approx - truth)
        err_peak = max(err_peak, float(diff.max()) / peak)
        big = truth >= hot
        if big.any():
            err_rel = max(err_rel, float((diff[big] / truth[big]).max()))
        checked += truth.size
    card.data.update(fft_max_relative_error=err_rel, fft_max_error_of_peak=err_peak, fft_cells_checked=checked)
    s = card.parameters.get("fft_subcells", 1)
    bound = (f"tested bound {FFT_ERROR_BOUND:g} of the peak" if kernel == "quartic" and grid.cell_size_m / s <= h / 40
             else f"no tested bound: {kernel} kernel, sub-cells of {grid.cell_size_m / s:.3g} m")
    card.data["fft_check"] = (f"exact sum at {checked:,} cells in {len(picks)} windows of {_CHECK_WINDOW} x "
                              f"{_CHECK_WINDOW} (the peak's, the rest drawn by density): max |fft - exact| = "
                              f"{err_peak:.1e} of the peak; max relative error {err_rel:.1e} where the density is at "
                              f"least twice the grid's mean ({bound})")
