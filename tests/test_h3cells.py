"""H3 cells per distinct point, and their outlines."""

import h3
import numpy as np
import pandas as pd
import pytest

from hotspot_tasking.geo.h3cells import cell_outlines, h3_cells


def test_cells_match_h3_per_point_and_nest():
    lon = pd.Series([-0.1146, -0.1146, -0.1703, np.nan])
    lat = pd.Series([51.4627, 51.4627, 51.4642, 51.5])
    cells = h3_cells(lon, lat)
    assert cells.columns.tolist() == ["h3_8", "h3_9", "h3_10"]
    for res in (8, 9, 10):
        assert cells.loc[0, f"h3_{res}"] == h3.latlng_to_cell(51.4627, -0.1146, res)
    assert cells.loc[0].tolist() == cells.loc[1].tolist()
    assert h3.cell_to_parent(cells.loc[2, "h3_10"], 8) == cells.loc[2, "h3_8"]
    assert cells.loc[3].tolist() == ["", "", ""]


def test_bad_resolution_is_refused():
    with pytest.raises(ValueError, match=r"ints in the range \[0, 15\]\. Got \[16\]"):
        h3_cells([0.0], [51.0], (16,))


def test_outlines_are_hexagons_of_the_right_size():
    cell = h3.latlng_to_cell(51.4627, -0.1146, 9)
    outlines = cell_outlines([cell, cell, ""])
    assert len(outlines) == 1 and outlines.crs.to_epsg() == 4326
    area_km2 = outlines.to_crs(27700).area.item() / 1e6
    assert area_km2 == pytest.approx(h3.cell_area(cell, unit="km^2"), rel=0.01)


def test_every_point_lies_in_the_box_of_its_partition_cell():
    import h3

    from hotspot_tasking.geo.coords import to_bng
    from hotspot_tasking.geo.h3cells import PARTITION_RESOLUTION, partition_box

    rng = np.random.default_rng(5)
    lng, lat = rng.uniform(-5.7, 1.7, 20_000), rng.uniform(50.0, 55.8, 20_000)  # England and Wales, and sea
    e, n = to_bng(lng, lat)
    for x, y, east, north in zip(lng, lat, e, n):
        minx, miny, maxx, maxy = partition_box(f"h3_r{PARTITION_RESOLUTION}={h3.latlng_to_cell(y, x, 4)}")
        assert minx <= east <= maxx and miny <= north <= maxy
    assert partition_box("month=2017-01") is None and partition_box("h3_r4=zzz") is None
