"""Grid surfaces as GeoTIFF files: float32, EPSG:27700, north-up, the method card as a tag.

>>> import tempfile, pathlib
>>> grid = Grid(530_000.0, 180_000.0, 100.0, nx=3, ny=2)
>>> path = write_geotiff(pathlib.Path(tempfile.mkdtemp()) / "d.tif", np.arange(6.0).reshape(2, 3), grid)
>>> values, back, tags = read_geotiff(path)
>>> back == grid, values[0].tolist(), tags["units"]
(True, [0.0, 1.0, 2.0], 'incidents per km2')
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..geo.schema import BNG_EPSG
from .card import MethodCard
from .errors import HotspotError
from .grid import Grid

#: The GeoTIFF tag holding the method card (JSON).
CARD_TAG = "method_card"


def write_geotiff(path: str | Path, values: np.ndarray, grid: Grid, *, card: MethodCard | None = None,
                  valid: np.ndarray | None = None, units: str = "incidents per km2") -> Path:
    """Write one ``[rows, cols]`` surface on ``grid`` as a single-band float32 GeoTIFF.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write (overwritten); its folder must exist.
    values : numpy.ndarray, shape (rows, cols)
        Row 0 is the north edge, as ``grid`` indexes. Not modified.
    grid : Grid
        Gives the transform ``(x_west, cell, 0, y_north, 0, -cell)``; CRS EPSG:27700.
    card : MethodCard, optional
        Written as JSON into the dataset tag ``method_card``.
    valid : numpy.ndarray of bool, shape (rows, cols), optional
        Cells to keep; the others are written as nodata (NaN). Default: all.
    units : str, default="incidents per km2"
        Written as the dataset and band tag ``units``.

    Returns
    -------
    pathlib.Path
        ``path``. Compressed with DEFLATE (floating-point predictor).
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise HotspotError(f"write_geotiff: the folder {str(path.parent)!r} does not exist; "
                           "create it or choose another path.")
    values = np.asarray(values)
    if values.shape != grid.shape:
        raise HotspotError(f"write_geotiff: the values have shape {values.shape} "
                           f"but the grid is {grid.shape} (rows, cols).")
    import rasterio  # its crs and transform modules come with it
    data = values.astype(np.float32)  # a copy
    if valid is not None:
        data[~np.asarray(valid, bool)] = np.nan
    profile = dict(driver="GTiff", height=grid.ny, width=grid.nx, count=1, dtype="float32", nodata=np.nan,
                   crs=rasterio.crs.CRS.from_epsg(BNG_EPSG), compress="deflate", predictor=3,
                   transform=rasterio.transform.Affine.from_gdal(*grid.transform))
    tags = {"units": units}
    if card is not None:
        tags[CARD_TAG] = card.to_json()
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
        dst.update_tags(**tags)
        dst.update_tags(1, units=units)
        dst.set_band_description(1, f"{card.method if card else 'surface'} ({units})")
    return path


def read_geotiff(path: str | Path) -> tuple[np.ndarray, Grid, dict]:
    """Read a surface written by :func:`write_geotiff` (or any north-up EPSG:27700 GeoTIFF).

    Returns
    -------
    values : numpy.ndarray of float32, shape (rows, cols)
        Nodata cells as NaN.
    grid : Grid
    tags : dict
        Dataset tags, ``method_card`` (JSON) among them when written.
    """
    import rasterio
    with rasterio.open(path) as src:
        t = src.transform
        if src.crs is None or src.crs.to_epsg() != BNG_EPSG:
            raise HotspotError(f"read_geotiff: {str(path)!r} is in {src.crs}, not EPSG:27700; reproject it first.")
        if t.b != 0 or t.d != 0 or t.e != -t.a:
            raise HotspotError(f"read_geotiff: {str(path)!r} is not a north-up grid of square cells ({tuple(t)[:6]}).")
        values = src.read(1, masked=True).astype(np.float32).filled(np.nan)
        grid = Grid(t.c, t.f - src.height * t.a, t.a, src.width, src.height)
        return values, grid, src.tags()
