"""The regular EPSG:27700 grid that KDE, Gi*, persistence and accuracy share.

Arrays on a grid are indexed ``[row, col]`` with row 0 at the **north** edge, as in a
GeoTIFF; ``transform`` is GDAL's ``(x_west, cell, 0, y_north, 0, -cell)``.

Default cell size (sfhotspot's rule, finer): the shorter side of the extent divided by
50, rounded down to a whole 10 m (at least 10 m).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from ..geo.schema import BNG_EPSG
from .card import MethodCard
from .validate import check_number

#: Cells: above this a grid is "too large" and the card says so, with a coarser size.
LARGE_GRID_CELLS = 4_000_000


def default_cell_size_m(width_m: float, height_m: float) -> float:
    """Shorter side / 50, rounded down to a whole 10 m, at least 10 m.

    >>> default_cell_size_m(12_000, 11_000)
    220.0
    """
    return float(max(10, math.floor(min(width_m, height_m) / 50 / 10) * 10))


@dataclass(frozen=True)
class Grid:
    """A north-up grid of square cells in EPSG:27700.

    Attributes
    ----------
    x0, y0 : float
        West and south edges, metres.
    cell_size_m : float
    nx, ny : int
        Columns (west to east) and rows.
    """

    x0: float
    y0: float
    cell_size_m: float
    nx: int
    ny: int
    #: How the cell size was chosen (for method cards); not part of the grid's identity.
    rule: str = field(default="given", compare=False)

    @classmethod
    def covering(cls, bounds: tuple[float, float, float, float], *, cell_size_m: float | None = None,
                 card: MethodCard | None = None) -> Grid:
        """The grid covering ``(minx, miny, maxx, maxy)``, edges snapped to whole cells.

        ``cell_size_m`` defaults to :func:`default_cell_size_m`; the choice is written to
        ``card`` when one is given.
        """
        minx, miny, maxx, maxy = (float(b) for b in bounds)
        if not (maxx > minx and maxy > miny):
            maxx, maxy = max(maxx, minx + 1.0), max(maxy, miny + 1.0)
        if cell_size_m is None:
            cell_size_m = default_cell_size_m(maxx - minx, maxy - miny)
            rule = "shorter side of the extent / 50, rounded down to 10 m (automatic)"
        else:
            check_number(cell_size_m, "cell_size_m", "the grid")
            rule = "given"
        x0 = math.floor(minx / cell_size_m) * cell_size_m
        y0 = math.floor(miny / cell_size_m) * cell_size_m
        nx = max(1, math.ceil((maxx - x0) / cell_size_m))
        ny = max(1, math.ceil((maxy - y0) / cell_size_m))
        grid = cls(x0, y0, float(cell_size_m), nx, ny, rule)
        if card is not None:
            card.choose("cell_size_m", float(cell_size_m), rule)
            card.data["grid"] = f"{nx} x {ny} cells from ({x0:.0f}, {y0:.0f})"
            if grid.cells > LARGE_GRID_CELLS:
                coarser = default_cell_size_m(maxx - minx, maxy - miny) if rule == "given" else cell_size_m * 2
                card.warn(f"the grid has {grid.cells:,} cells (over {LARGE_GRID_CELLS:,}): it will be slow and large; "
                          f"try cell_size_m={coarser:g}.")
        return grid

    @property
    def cells(self) -> int:
        return self.nx * self.ny

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)``."""
        return self.ny, self.nx

    @property
    def y_north(self) -> float:
        return self.y0 + self.ny * self.cell_size_m

    @property
    def transform(self) -> tuple[float, float, float, float, float, float]:
        """GDAL geotransform ``(x_west, cell, 0, y_north, 0, -cell)``."""
        return (self.x0, self.cell_size_m, 0.0, self.y_north, 0.0, -self.cell_size_m)

    @property
    def cell_area_km2(self) -> float:
        return self.cell_size_m ** 2 / 1e6

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x0 + self.nx * self.cell_size_m, self.y_north)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """``(x of each column, y of each row)``: rows run north to south."""
        c = self.cell_size_m
        xs = self.x0 + (np.arange(self.nx) + 0.5) * c
        ys = self.y_north - (np.arange(self.ny) + 0.5) * c
        return xs, ys

    def locate(self, easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(row, col)`` of the cell holding each point; -1 for points off the grid.

        A point on a cell edge belongs to the cell to its north-east (west and south edges
        are inside a cell).
        """
        c = self.cell_size_m
        col = np.floor((np.asarray(easting, float) - self.x0) / c).astype(np.int64)
        row = (self.ny - 1) - np.floor((np.asarray(northing, float) - self.y0) / c).astype(np.int64)
        off = (col < 0) | (col >= self.nx) | (row < 0) | (row >= self.ny)
        return np.where(off, -1, row), np.where(off, -1, col)

    def counts(self, easting: np.ndarray, northing: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Incidents (or weights) per cell as a ``[rows, cols]`` array; points off the grid are left out."""
        row, col = self.locate(easting, northing)
        on = row >= 0
        w = None if weights is None else np.asarray(weights, float)[on]
        flat = np.bincount(row[on] * self.nx + col[on], weights=w, minlength=self.cells)
        return flat.reshape(self.shape).astype(float)

    def cell_polygons(self, mask: np.ndarray | None = None) -> gpd.GeoDataFrame:
        """Cells as squares (EPSG:27700) with ``row`` and ``col``; only where ``mask`` is True if given."""
        rows, cols = np.nonzero(np.ones(self.shape, bool) if mask is None else mask)
        c = self.cell_size_m
        x_w = self.x0 + cols * c
        y_n = self.y_north - rows * c
        boxes = shapely.box(x_w, y_n - c, x_w + c, y_n)
        return gpd.GeoDataFrame({"row": rows, "col": cols}, geometry=boxes, crs=BNG_EPSG)

    def region_outlines(self, labels: np.ndarray, count: int) -> np.ndarray:
        """Object array of ``count`` polygons: the union of the cells labelled 1..count in
        ``labels`` (``[rows, cols]`` ints, 0 = none), EPSG:27700."""
        if count == 0:
            return np.empty(0, dtype=object)
        rows, cols = np.nonzero(labels)
        lab = labels[rows, cols]
        c = self.cell_size_m
        x_w, y_n = self.x0 + cols * c, self.y_north - rows * c
        boxes = shapely.box(x_w, y_n - c, x_w + c, y_n)
        by = np.argsort(lab, kind="stable")
        parts = np.split(boxes[by], np.searchsorted(lab[by], np.arange(2, count + 1)))
        out = np.empty(count, dtype=object)
        for i, part in enumerate(parts):  # one step per region
            out[i] = shapely.coverage_union_all(part)
        return out

    def within(self, area) -> np.ndarray:
        """``[rows, cols]`` bool: cells whose centre lies in ``area`` (a shapely polygon in EPSG:27700)."""
        xs, ys = self.centres()
        gx, gy = np.meshgrid(xs, ys)
        shapely.prepare(area)
        return shapely.contains_xy(area, gx, gy)
