"""hotspot_tasking.hotspots.areas: hotspot polygons from a surface, on hand-made grids
whose answers are worked out below."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely

from hotspot_tasking.hotspots.areas import HOTSPOT_COLUMNS, hotspot_areas
from hotspot_tasking.hotspots.errors import HotspotError
from hotspot_tasking.hotspots.grid import Grid

#: 6 columns x 5 rows of 100 m cells; row 0 is the north edge (y 500-400).
GRID = Grid(0.0, 0.0, 100.0, nx=6, ny=5)
#: Mean = 120 / 30 = 4, so the default threshold (2 x mean) is 8.
SURFACE = np.array([
    [10, 12, 0, 0, 0, 0],
    [9, 0, 0, 0, 0, 20],
    [0, 0, 0, 0, 8, 0],
    [0, 0, 0, 0, 0, 0],
    [0, 0, 7, 7, 0, 47],
], dtype=float)


def at(row: int, col: int, n: int = 1) -> list[tuple[float, float]]:
    """n incidents at the centre of cell (row, col) of GRID."""
    return [(col * 100 + 50.0, 500 - row * 100 - 50.0)] * n


def incidents(*cells) -> pd.DataFrame:
    pts = [p for c in cells for p in at(*c)]
    return pd.DataFrame({"easting": [p[0] for p in pts], "northing": [p[1] for p in pts]})


#: 3 in the north-west hotspot, 4 at (1, 5), 1 at (2, 4), 2 at the south-east corner cell, 2 in cold cells.
INCIDENTS = incidents((0, 0, 2), (1, 0, 1), (1, 5, 4), (2, 4, 1), (4, 5, 2), (3, 3, 2))


def test_hand_made_example_with_known_answers():
    spots = hotspot_areas(SURFACE, GRID, INCIDENTS)
    assert list(spots.columns) == [*HOTSPOT_COLUMNS, "geometry"]
    # hot (>= 8): (0,0) (0,1) (1,0) joined by edges; (1,5) alone; (2,4) touches (1,5) only at a corner: alone;
    # (4,5) = 47 alone; the 7s are below 8.
    assert spots["hotspot_id"].tolist() == [1, 2, 3, 4]
    assert spots["incidents"].tolist() == [4.0, 3.0, 2.0, 1.0]
    assert spots["share"].tolist() == [4 / 12, 3 / 12, 2 / 12, 1 / 12]
    assert spots["cells"].tolist() == [1, 3, 1, 1]
    assert spots["peak_density"].tolist() == [20.0, 12.0, 47.0, 8.0]
    assert spots["area_km2"].tolist() == pytest.approx([0.01, 0.03, 0.01, 0.01])
    assert spots.geometry.iloc[0].equals(shapely.box(500, 300, 600, 400))
    l_shape = shapely.Polygon([(0, 300), (0, 500), (200, 500), (200, 400), (100, 400), (100, 300)])
    assert spots.geometry.iloc[1].equals(l_shape)
    assert spots.geometry.iloc[3].equals(shapely.box(400, 200, 500, 300))
    assert spots.crs.to_epsg() == 27700
    assert spots.attrs["threshold_value"] == 8.0
    assert "2 x the mean of the study area's 30 cells" in spots.attrs["threshold_rule"]


def test_ties_in_incidents_are_broken_by_peak_then_position():
    inc = incidents((0, 0), (1, 5), (4, 5))
    spots = hotspot_areas(SURFACE, GRID, inc)
    assert spots["peak_density"].tolist()[:3] == [47.0, 20.0, 12.0]  # one incident each: highest peak first


def test_multiple_changes_the_threshold():
    spots = hotspot_areas(SURFACE, GRID, INCIDENTS, multiple=1.5)  # >= 6: the 7s join as one hotspot
    assert len(spots) == 5
    pair = spots[spots["peak_density"] == 7.0]
    assert pair["cells"].tolist() == [2] and pair.geometry.iloc[0].equals(shapely.box(200, 0, 400, 100))


def test_top_share_takes_the_densest_cells_with_ties():
    spots = hotspot_areas(SURFACE, GRID, INCIDENTS, threshold="top_share", top_share=0.1)  # floor(3) cells
    assert spots["cells"].sum() == 3 and sorted(spots["peak_density"]) == [12.0, 20.0, 47.0]
    assert spots.attrs["threshold_rule"] == ("the hottest 3 of the study area's 30 cells (10% of its area; "
                                             "ties included), at least 12")
    # 47 20 12 10 9 8 7 7: the 7th densest is a 7, so the other 7 comes in too
    tied = hotspot_areas(SURFACE, GRID, INCIDENTS, threshold="top_share", top_share=7 / 30)
    assert tied["cells"].sum() == 8


def test_a_fixed_threshold():
    spots = hotspot_areas(SURFACE, GRID, INCIDENTS, threshold=20.0)
    assert spots["peak_density"].tolist() == [20.0, 47.0] and spots.attrs["threshold_value"] == 20.0


def test_study_mask_sets_the_mean_and_excludes_cells():
    mask = np.zeros(GRID.shape, bool)
    mask[:, 3:] = True  # east half: 20 + 8 + 47 = 75 over 15 cells, mean 5, threshold 10
    spots = hotspot_areas(SURFACE, GRID, INCIDENTS, study_mask=mask)
    assert spots["peak_density"].tolist() == [20.0, 47.0]
    # of the study area's incidents: 4 + 1 + 2 + 2 in the east half; the 3 in the west count nowhere
    assert spots["share"].tolist() == [4 / 9, 2 / 9] and spots.attrs["study_incidents"] == 9.0


def test_incidents_outside_the_study_mask_change_no_share():
    mask = np.zeros(GRID.shape, bool)
    mask[:, 3:] = True
    west = incidents((0, 0, 50), (1, 0, 20), (4, 0, 7))  # 77 more in the west: a hotspot there if it were in
    more = pd.concat([INCIDENTS, west, pd.DataFrame({"easting": [-500.0], "northing": [50.0]})], ignore_index=True)
    before = hotspot_areas(SURFACE, GRID, INCIDENTS, study_mask=mask, threshold="top_share", top_share=0.2)
    after = hotspot_areas(SURFACE, GRID, more, study_mask=mask, threshold="top_share", top_share=0.2)
    pd.testing.assert_frame_equal(after, before)
    assert after.attrs == before.attrs


def test_min_incidents_drops_small_hotspots_and_numbers_the_rest():
    every = hotspot_areas(SURFACE, GRID, INCIDENTS)
    assert every["incidents"].tolist() == [4.0, 3.0, 2.0, 1.0] and every.attrs["dropped"] == 0
    spots = hotspot_areas(SURFACE, GRID, INCIDENTS, min_incidents=3)
    assert spots["incidents"].tolist() == [4.0, 3.0] and spots["hotspot_id"].tolist() == [1, 2]
    assert spots["share"].tolist() == [4 / 12, 3 / 12]  # the total still holds every incident
    assert spots.attrs["dropped"] == 2 and spots.attrs["threshold_value"] == 8.0
    assert spots.attrs["threshold_rule"] == ("at least 2 x the mean of the study area's 30 cells (4), "
                                             "and hotspots holding at least 3 incidents")
    pd.testing.assert_frame_equal(spots, every.iloc[:2])
    assert hotspot_areas(SURFACE, GRID, INCIDENTS, min_incidents=5).empty


def test_min_incidents_counts_weight_and_allows_band_rounding():
    w = pd.Series(0.1, index=INCIDENTS.index)  # 0.1 x 3 is 0.30000000000000004, x 4 is 0.4
    spots = hotspot_areas(SURFACE, GRID, INCIDENTS, weights=w, min_incidents=0.3)
    assert spots["incidents"].tolist() == pytest.approx([0.4, 0.3]) and spots.attrs["dropped"] == 2
    w.iloc[:3] = 0.3  # the north-west hotspot's 3 x 0.3 adds up to 0.8999999999999999
    spots = hotspot_areas(SURFACE, GRID, INCIDENTS, weights=w, min_incidents=0.9)
    assert spots["cells"].tolist() == [3] and spots["incidents"].item() < 0.9


def test_units_go_into_the_rule():
    spots = hotspot_areas(SURFACE, GRID, INCIDENTS, threshold=20.0, units="per km²")
    assert spots.attrs["threshold_rule"] == "at least 20 per km² (given)"
    spots = hotspot_areas(SURFACE, GRID, INCIDENTS, units="per km²")
    assert spots.attrs["threshold_rule"] == "at least 2 x the mean of the study area's 30 cells (4 per km²)"


def test_weights_count_weight_inside():
    inc = INCIDENTS.assign(harm_weight=np.arange(len(INCIDENTS), dtype=float))
    spots = hotspot_areas(SURFACE, GRID, inc, weights="harm_weight")
    w = inc["harm_weight"]
    assert spots.loc[spots["peak_density"] == 12.0, "incidents"].item() == w[:3].sum()
    assert spots["share"].sum() == pytest.approx(w[:10].sum() / w.sum())


def test_ring_of_hot_cells_is_one_polygon_with_a_hole():
    surface = np.zeros((5, 5))
    surface[1:4, 1:4] = 9
    surface[2, 2] = 0
    spots = hotspot_areas(surface, Grid(0.0, 0.0, 10.0, 5, 5), incidents((2, 2)))
    assert len(spots) == 1 and spots["cells"].item() == 8
    geom = spots.geometry.item()
    assert geom.geom_type == "Polygon" and len(geom.interiors) == 1 and geom.area == 800
    assert spots["incidents"].item() == 0.0  # the incident sits in the hole


def test_no_hotspot_is_an_empty_frame_with_the_columns():
    spots = hotspot_areas(np.zeros(GRID.shape), GRID, INCIDENTS)
    assert spots.empty and list(spots.columns) == [*HOTSPOT_COLUMNS, "geometry"]
    assert dict(spots.dtypes.drop("geometry").astype(str)) == HOTSPOT_COLUMNS
    assert spots.crs.to_epsg() == 27700
    assert hotspot_areas(SURFACE, GRID, INCIDENTS, threshold=100.0).empty


def test_nan_cells_are_never_hot_and_off_grid_incidents_count_in_the_share_without_a_study_mask():
    surface = SURFACE.copy()
    surface[4, 5] = np.nan
    inc = pd.concat([INCIDENTS, pd.DataFrame({"easting": [-500.0], "northing": [-500.0]})], ignore_index=True)
    spots = hotspot_areas(surface, GRID, inc)
    assert 47.0 not in spots["peak_density"].tolist() and not spots["peak_density"].isna().any()
    assert spots["share"].iloc[0] == 4 / 13


def test_inputs_are_not_modified():
    surface, inc, mask = SURFACE.copy(), INCIDENTS.copy(), np.ones(GRID.shape, bool)
    hotspot_areas(surface, GRID, inc, study_mask=mask, threshold="top_share", top_share=0.2)
    np.testing.assert_array_equal(surface, SURFACE)
    pd.testing.assert_frame_equal(inc, INCIDENTS)
    assert mask.all()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"threshold": "top_share"}, HotspotError,
     "hotspot_areas: threshold='top_share' needs top_share, the share of the study area, e.g. 0.05."),
    ({"top_share": 0.05}, HotspotError,
     "hotspot_areas: 'top_share' is used only with threshold='top_share'; pass both, e.g. threshold='top_share', "
     "top_share=0.05."),
    ({"threshold": "top_share", "top_share": 1.5}, HotspotError,
     "The 'top_share' parameter of hotspot_areas must be a float in the range (0.0, 1.0]. Got 1.5 instead."),
    ({"threshold": "mean"}, HotspotError,
     "The 'threshold' parameter of hotspot_areas must be one of 'mean_multiple', 'top_share'. Got 'mean' instead."),
    ({"threshold": -3.0}, HotspotError,
     "The 'threshold' parameter of hotspot_areas must be a float in the range (0.0, inf). Got -3.0 instead."),
    ({"multiple": 0}, HotspotError,
     "The 'multiple' parameter of hotspot_areas must be a float in the range (0.0, inf). Got 0 instead."),
    ({"study_mask": np.ones((2, 2), bool)}, HotspotError,
     "hotspot_areas: study_mask must be a bool array of the grid's shape (5, 6); got bool (2, 2)."),
    ({"min_incidents": -1}, HotspotError,
     "The 'min_incidents' parameter of hotspot_areas must be a float in the range [0.0, inf). Got -1 instead."),
    ({"min_incidents": "3"}, TypeError,
     "The 'min_incidents' parameter of hotspot_areas must be a float. Got '3' instead."),
    ({"units": 3}, TypeError, "The 'units' parameter of hotspot_areas must be a str. Got int instead."),
])
def test_validation_messages(kwargs, error, message):
    with pytest.raises(error) as info:
        hotspot_areas(SURFACE, GRID, INCIDENTS, **kwargs)
    assert str(info.value) == message


def test_surface_must_match_the_grid():
    with pytest.raises(HotspotError, match=r"the surface has shape \(6, 5\) but the grid is \(5, 6\)"):
        hotspot_areas(SURFACE.T, GRID, INCIDENTS)
    with pytest.raises(TypeError, match="The 'grid' parameter of hotspot_areas must be a Grid. Got tuple instead."):
        hotspot_areas(SURFACE, (0, 0, 100), INCIDENTS)


def test_area_is_cells_times_cell_area():
    spots = hotspot_areas(SURFACE, GRID, INCIDENTS, multiple=1.0)
    assert np.allclose(spots["area_km2"], spots.geometry.area / 1e6)
    assert math.isclose(spots["area_km2"].sum(), spots["cells"].sum() * GRID.cell_area_km2)
