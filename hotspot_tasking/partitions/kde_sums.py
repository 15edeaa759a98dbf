"""The exact kernel sums of a KDE, over the whole grid or in column strips on an engine.

Every distinct point's kernel is added into the cells within the bandwidth, one
vectorised step per kernel-footprint offset, points in blocks of :data:`BLOCK` (so the
work stays in the processor's cache). The result is the direct sum of kernels at the
cell centres, per m² (:mod:`hotspot_tasking.hotspots.kde` converts to per km²).

Strips, bit for bit
-------------------
On a cluster the grid is cut into column strips, each
computed by one task from the points whose footprint reaches it (its halo: the
bandwidth, in whole cells). A cell's value is a sum of floating-point terms, so its bits
depend on the order they are added in: a strip adds them in the order the whole grid
would. Each point keeps the block number it has in the whole list, and its offsets,
kernel values and cell are worked out from the whole grid's origin; a strip runs the
same blocks in the same order, so each of its cells receives the same terms in the same
sequence (points that do not reach a cell add nothing to it either way: a kernel value
of +0.0 leaves a sum as it is). The strips, side by side, are the whole grid's sums
exactly, whatever the cuts (tested against the whole grid on a cluster).

Cuts fall at quantiles of the points' columns, so strips hold similar work; a city
centre does not land on one worker.
"""

from __future__ import annotations

import math

import numpy as np

from ..engine import Engine, current_engine

#: Kernel height at d = 0 times π h²: the kernels integrate to 1 over the plane.
KERNEL_PEAK = {"quartic": 3.0, "epanechnikov": 2.0, "uniform": 1.0}
#: Points per block (the block's arrays stay in the processor's cache).
BLOCK = 8192
#: On a cluster, strips per worker thread (a few each, so a slow strip does not hold up the rest).
STRIPS_PER_WORKER = 2


def footprint(h: float, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Cell offsets ``(rows, cols)`` whose centre can lie within h of a point in the centre cell."""
    r = math.ceil(h / c + 0.5)
    di, dj = np.meshgrid(np.arange(-r, r + 1), np.arange(-r, r + 1), indexing="ij")
    gap = (np.maximum(np.abs(di) - 0.5, 0) ** 2 + np.maximum(np.abs(dj) - 0.5, 0) ** 2) * c * c
    keep = gap < h * h
    return di[keep], dj[keep]


def exact(u, v, w, h: float, grid, kernel: str, *, engine: Engine | None = None) -> np.ndarray:
    """Sum of kernels at the cell centres, per m², shape ``(grid.ny, grid.nx)``.

    Parameters
    ----------
    u, v : numpy.ndarray
        Metres east of the grid's west edge and south of its north edge.
    w : numpy.ndarray
        Each point's weight (points of weight 0 are skipped).
    h : float
        Bandwidth, metres.
    grid : Grid
        Anything with ``cell_size_m`` (metres), ``ny`` and ``nx`` (cells).
    kernel : {"quartic", "epanechnikov", "uniform"}
    engine : Engine, optional
        Default: the current engine. On a cluster, column strips are summed as tasks (the
        module notes: the result is the same, bit for bit).
    """
    c, ny, nx = float(grid.cell_size_m), int(grid.ny), int(grid.nx)
    u, v, w = (np.asarray(a, dtype=float) for a in (u, v, w))
    near = (u > -h) & (u < nx * c + h) & (v > -h) & (v < ny * c + h) & (w != 0)
    u, v, w = u[near], v[near], w[near]
    block = np.arange(len(u)) // BLOCK
    engine = engine if engine is not None else current_engine()
    cuts = strip_cuts(np.floor(u / c), nx, engine.workers * STRIPS_PER_WORKER if engine.kind != "local" else 1)
    if len(cuts) == 2:
        return window_sums(u, v, w, block, h, c, ny, (0, nx), kernel)
    reach = reach_cells(h, c)
    col = np.floor(u / c)
    items = []
    for c0, c1 in zip(cuts[:-1], cuts[1:]):
        mine = (col >= c0 - reach) & (col < c1 + reach)
        items.append((u[mine], v[mine], w[mine], block[mine], (c0, c1)))
    out = np.zeros((ny, nx))
    for (c0, _), (rows, cols, values) in zip(zip(cuts[:-1], cuts[1:]),
                                             engine.map(_strip, items, h=h, c=c, ny=ny, kernel=kernel)):
        out[rows, cols + c0] = values
    return out


def reach_cells(h: float, c: float) -> int:
    """How many cells a kernel of bandwidth ``h`` reaches beyond a point's own cell."""
    return math.ceil(h / c + 0.5)


def strip_cuts(col: np.ndarray, nx: int, strips: int) -> list[int]:
    """Column cuts ``[0, ..., nx]`` into at most ``strips`` strips of similar point counts.

    ``col`` holds each point's column; cuts fall at its quantiles, without repeats.
    """
    if strips <= 1 or nx <= 1 or len(col) == 0:
        return [0, nx]
    inside = np.clip(col, 0, nx - 1)
    inner = np.quantile(inside, np.arange(1, strips) / strips, method="higher").astype(int) if len(inside) else []
    return sorted({0, nx, *(int(k) for k in inner if 0 < k < nx)})


def _strip(item, *, h: float, c: float, ny: int, kernel: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One strip's sums (a task): ``item`` is ``(u, v, w, block, (first col, end col))``; the
    answer is its cells above 0 as ``(rows, strip columns, values)`` (a force's grid is mostly
    empty, so little travels back)."""
    u, v, w, block, cols = item
    sums = window_sums(u, v, w, block, h, c, ny, cols, kernel)
    rows, strip_cols = np.nonzero(sums)
    return rows, strip_cols, sums[rows, strip_cols]


def window_sums(u, v, w, block, h: float, c: float, ny: int, cols: tuple[int, int], kernel: str) -> np.ndarray:
    """The sums in the columns ``cols`` = ``(c0, c1)`` of the whole grid, per m².

    ``u``, ``v`` are from the whole grid's edges and ``block`` is each point's block in
    the whole list (non-decreasing): the arithmetic of every term, and the order terms
    reach a cell, are the whole grid's (the module notes). Points must lie within
    :func:`reach_cells` of the grid's rows; those not reaching the columns are left out.
    """
    c0, c1 = cols
    col = np.floor(u / c).astype(np.int64)
    mine = (col >= c0 - reach_cells(h, c)) & (col < c1 + reach_cells(h, c))
    if not mine.all():
        u, v, w, block, col = u[mine], v[mine], w[mine], block[mine], col[mine]
    row = np.floor(v / c).astype(np.int64)
    pad = 2 * reach_cells(h, c) + 1
    wide = (c1 - c0) + 2 * pad
    out = np.zeros((ny + 2 * pad) * wide)
    cell = (row + pad) * wide + (col - c0 + pad)
    fx, fy = ((col + 0.5) * c - u) / h, ((row + 0.5) * c - v) / h  # to the own cell's centre, in bandwidths
    wk = w * (KERNEL_PEAK[kernel] / (math.pi * h * h))
    di, dj = footprint(h, c)
    step = c / h
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]]) if len(block) else np.array([], int)
    for start, end in zip(starts, np.r_[starts[1:], len(block)]):  # one step per block of points...
        bx, by, bw, bc = fx[start:end], fy[start:end], wk[start:end], cell[start:end]
        t, ty, idx = np.empty(len(bx)), np.empty(len(bx)), np.empty(len(bx), np.int64)
        for i in np.unique(di):  # ...then per footprint offset, all the block's points at once
            np.add(by, i * step, out=ty)
            np.multiply(ty, ty, out=ty)
            np.subtract(1.0, ty, out=ty)  # 1 - dy²/h²
            for j in dj[di == i]:
                np.add(bx, j * step, out=t)
                np.multiply(t, t, out=t)
                np.subtract(ty, t, out=t)  # 1 - d²/h²
                if kernel == "uniform":
                    np.greater(t, 0.0, out=t, casting="unsafe")
                else:
                    np.maximum(t, 0.0, out=t)
                    if kernel == "quartic":
                        np.multiply(t, t, out=t)
                np.multiply(t, bw, out=t)
                np.add(bc, i * wide + j, out=idx)
                np.add.at(out, idx, t)
    return out.reshape(-1, wide)[pad:pad + ny, pad:pad + (c1 - c0)].copy()
