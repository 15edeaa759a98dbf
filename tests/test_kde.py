"""hotspot_tasking.hotspots.kde: kernel density on the grid, exact and FFT paths, the
bandwidth rule, warnings, validation, GeoTIFF export and the demo workspace."""

from __future__ import annotations

import json
import logging
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from rasterio.transform import Affine

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.hotspots import kde as kde_module
from hotspot_tasking.hotspots.areas import DEFAULT_COVERAGE, MIN_HOTSPOT_INCIDENTS
from hotspot_tasking.hotspots.errors import HotspotError
from hotspot_tasking.hotspots.geotiff import read_geotiff
from hotspot_tasking.hotspots.grid import Grid
from hotspot_tasking.hotspots.kde import KdeResult, kde
from hotspot_tasking.hotspots.kde_engines import FFT_ERROR_BOUND

X0, Y0 = 530_000.0, 180_000.0
PEAK = {"quartic": 3.0, "epanechnikov": 2.0, "uniform": 1.0}


def frame(x, y, **columns) -> pd.DataFrame:
    return pd.DataFrame({"easting": np.asarray(x, float), "northing": np.asarray(y, float), **columns})


def brute_force(inc: pd.DataFrame, grid: Grid, h: float, kernel: str, w=None) -> np.ndarray:
    """The direct sum of kernels at every cell centre over every incident (no collapsing), per km²."""
    xs, ys = grid.centres()
    gx, gy = np.meshgrid(xs - grid.x0, ys - grid.y0)
    px = inc["easting"].to_numpy() - grid.x0
    py = inc["northing"].to_numpy() - grid.y0
    w = np.ones(len(inc)) if w is None else np.asarray(w, float)
    d2 = (gx[..., None] - px) ** 2 + (gy[..., None] - py) ** 2
    q = d2 / h ** 2
    shape = {"quartic": (1 - q) ** 2, "epanechnikov": 1 - q, "uniform": np.ones_like(q)}[kernel]
    k = np.where(q < 1, PEAK[kernel] / (math.pi * h * h) * shape, 0.0)
    return (k * w).sum(axis=-1) * 1e6


def clustered(n: int, seed: int = 0, spread: float = 300.0, centres: int = 6) -> pd.DataFrame:
    """Incidents around a few centres, snapped to 10 m so that many share a location."""
    rng = np.random.default_rng(seed)
    c = rng.uniform([X0, Y0], [X0 + 3000, Y0 + 2500], (centres, 2))
    pts = c[rng.integers(0, centres, n)] + rng.normal(0, spread, (n, 2))
    pts = np.round(pts / 10) * 10
    return frame(pts[:, 0], pts[:, 1])


# --- hand-checked tiny cases --------------------------------------------------------------

@pytest.mark.parametrize("kernel", ["quartic", "epanechnikov", "uniform"])
def test_one_point_at_a_cell_centre_by_hand(kernel):
    h, c = 200.0, 50.0
    grid = Grid(X0, Y0, c, nx=21, ny=21)
    xs, ys = grid.centres()
    res = kde(frame([xs[10]], [ys[10]]), grid=grid, bandwidth_m=h, kernel=kernel)
    d = res.density
    assert d[10, 10] == pytest.approx(PEAK[kernel] / (math.pi * h * h) * 1e6, rel=1e-12)
    # two cells east is h/2 = 100 m: quartic 3/(π h²) (1 - 1/4)² = 3/(π h²) x 0.5625
    by_hand = {"quartic": 0.5625, "epanechnikov": 0.75, "uniform": 1.0}[kernel]
    assert d[10, 12] == pytest.approx(PEAK[kernel] / (math.pi * h * h) * 1e6 * by_hand, rel=1e-12)
    assert d[10, 14] == 0.0  # exactly h away: d < h only
    assert d[10, 10 - 4] == 0.0 and d[10 + 4, 10] == 0.0
    assert d[10, 10] == pytest.approx(d.max())
    assert np.array_equal(d, d[:, ::-1]) and np.array_equal(d, d.T)  # symmetric about the point


def test_quartic_centre_value_matches_the_formula_for_the_docstring_numbers():
    res = kde(frame([530_050.0], [180_050.0]), cell_size_m=100, bandwidth_m=200)
    assert res.density.max() == pytest.approx(3 / (math.pi * 200 ** 2) * 1e6)  # 23.873 per km²
    assert res.density.max() == pytest.approx(23.873, abs=5e-4)


# --- the exact path against the direct sum ----------------------------------------------------

@pytest.mark.parametrize("kernel", ["quartic", "epanechnikov", "uniform"])
def test_exact_matches_the_direct_sum_within_1e9(kernel):
    rng = np.random.default_rng(7)
    inc = clustered(400, seed=1, spread=120)
    w = rng.uniform(0, 3, len(inc))
    # the grid does not cover every point: those outside still add density near its edge
    grid = Grid(X0 + 500, Y0 + 400, 30.0, nx=60, ny=50)
    res = kde(inc, grid=grid, bandwidth_m=170.0, kernel=kernel, weights=pd.Series(w), method="exact")
    ref = brute_force(inc, grid, 170.0, kernel, w)
    assert ref.max() > 0
    np.testing.assert_allclose(res.density, ref, rtol=1e-9, atol=1e-9 * ref.max())
    assert res.card.parameters["method"] == "exact"
    assert res.card.data["distinct_points"] < len(inc)  # identical coordinates were collapsed


def test_density_integrates_to_the_total_weight():
    inc = clustered(300, seed=2, spread=150)
    w = pd.Series(np.random.default_rng(2).uniform(0.5, 2, len(inc)))
    res = kde(inc, cell_size_m=10, bandwidth_m=400, weights=w)  # the grid covers points +- h
    total = res.density.sum() * res.grid.cell_area_km2
    assert total == pytest.approx(w.sum(), rel=0.01)


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(60)))
def test_result_does_not_depend_on_point_order(order):
    inc = clustered(60, seed=3, spread=200)
    inc["harm_weight"] = np.arange(60) % 4 + 0.5
    base = kde(inc, cell_size_m=40, weights="harm_weight")
    shuffled = kde(inc.iloc[list(order)], grid=base.grid, weights="harm_weight")
    assert shuffled.card.parameters["bandwidth_m"] == base.card.parameters["bandwidth_m"]
    np.testing.assert_allclose(shuffled.density, base.density, rtol=1e-12, atol=1e-12 * base.density.max())


def test_inputs_are_not_modified():
    inc = clustered(200, seed=4)
    inc["location_precision_m"] = np.float32(10)
    inc["harm_weight"] = np.float32(2)
    weights = pd.Series(np.r_[np.full(150, 0.5), np.full(50, np.nan)], index=inc.index)
    area = gpd.GeoDataFrame({"code": ["A"]}, geometry=[shapely.box(X0, Y0, X0 + 2000, Y0 + 2000)], crs=27700)
    copies = inc.copy(deep=True), weights.copy(deep=True), area.copy(deep=True)
    res = kde(inc, weights=weights, study_area=area, cell_size_m=50)
    res.hotspots()
    res.to_cells()
    pd.testing.assert_frame_equal(inc, copies[0])
    pd.testing.assert_series_equal(weights, copies[1])
    pd.testing.assert_frame_equal(area, copies[2])


# --- weights --------------------------------------------------------------------------------

def test_harm_weight_two_doubles_the_density_with_the_same_bandwidth():
    inc = clustered(300, seed=5)
    inc["harm_weight"] = 2.0
    plain = kde(inc)
    harm = kde(inc, weights="harm_weight")
    assert harm.card.parameters["bandwidth_m"] == plain.card.parameters["bandwidth_m"]
    assert harm.grid == plain.grid
    np.testing.assert_allclose(harm.density, 2 * plain.density, rtol=1e-12)


def test_nan_band_weights_count_as_zero_and_are_announced():
    inc = clustered(200, seed=6)
    w = pd.Series(np.where(np.arange(200) % 3 == 0, np.nan, 0.5), index=inc.index, name="nte")
    grid = Grid.covering((X0 - 1000, Y0 - 1000, X0 + 4000, Y0 + 3500), cell_size_m=50)
    res = kde(inc, weights=w, grid=grid, bandwidth_m=200)
    kept = inc[w.notna().to_numpy()]
    ref = kde(kept, weights=pd.Series(0.5, index=kept.index), grid=grid, bandwidth_m=200)
    np.testing.assert_allclose(res.density, ref.density, rtol=1e-12, atol=1e-12 * ref.density.max())
    assert any("67 of 200 incidents have no weight (NaN" in m for m in res.card.warnings)
    assert res.card.parameters["weights"] == "Series 'nte'"


# --- the bandwidth rule -----------------------------------------------------------------------

def test_bandwidth_rule_by_hand_on_four_corners():
    a = 1000.0
    inc = frame([X0 - a, X0 + a, X0 - a, X0 + a], [Y0 - a, Y0 - a, Y0 + a, Y0 + a])
    res = kde(inc)
    # SD = Dm = a√2; min(SD, √(1/ln 2) Dm) = SD; h = 0.9 a√2 4^-0.2 = 964.6 -> 965 m
    assert res.card.parameters["bandwidth_m"] == round(0.9 * a * math.sqrt(2) * 4 ** -0.2) == 965
    rule = res.card.rules["bandwidth_m"]
    assert "standard-distance" in rule and "SD = 1,414 m" in rule and "Dm = 1,414 m" in rule and "n = 4" in rule
    # the grid covers the points widened by the bandwidth
    minx, miny, maxx, maxy = res.grid.bounds
    assert minx <= X0 - a - 965 and maxx >= X0 + a + 965 and miny <= Y0 - a - 965 and maxy >= Y0 + a + 965


def test_bandwidth_uses_the_median_distance_when_it_is_smaller():
    # 9 points on top of each other and one far away: Dm = the 9's distance, SD much larger
    inc = frame([X0] * 9 + [X0 + 9000.0], [Y0] * 10)
    res = kde(inc)
    sd, dm = math.sqrt(0.9 * 900 ** 2 + 0.1 * 8100 ** 2), 900.0
    assert res.card.parameters["bandwidth_m"] == round(0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * 10 ** -0.2)


def test_bandwidth_is_floored_at_the_weighted_median_location_precision():
    rng = np.random.default_rng(8)
    inc = frame(X0 + rng.normal(0, 20, 200), Y0 + rng.normal(0, 20, 200))
    inc["location_precision_m"] = np.float32(np.where(np.arange(200) < 120, 150, 0))  # 60% at 150 m
    res = kde(inc)
    assert res.card.parameters["bandwidth_m"] == 150.0
    assert "raised to the weighted median location precision, 150 m" in res.card.rules["bandwidth_m"]
    inc["location_precision_m"] = np.float32(np.where(np.arange(200) < 80, 150, 0))  # 40%: median 0
    res = kde(inc)
    assert res.card.parameters["bandwidth_m"] < 150
    assert "above the weighted median location precision, 0 m" in res.card.rules["bandwidth_m"]


def test_given_bandwidth_is_not_floored():
    inc = clustered(50, seed=9)
    inc["location_precision_m"] = np.float32(150)
    res = kde(inc, bandwidth_m=60.0, cell_size_m=50)
    assert res.card.parameters["bandwidth_m"] == 60.0 and res.card.rules["bandwidth_m"] == "given"


# --- warnings ----------------------------------------------------------------------------------

def test_warns_when_bandwidth_is_below_the_cell_size(caplog):
    inc = clustered(100, seed=10)
    with caplog.at_level(logging.WARNING, logger="hotspot_tasking.hotspots.card"):
        res = kde(inc, cell_size_m=100, bandwidth_m=50)
    expected = ("the bandwidth (50 m) is smaller than the cell size (100 m): most incidents reach only their own cell "
                "and the surface is spiky; use bandwidth_m of at least 100 or cell_size_m of at most 20.")
    assert expected in res.card.warnings
    assert expected in caplog.text


def test_warns_about_too_few_incidents():
    res = kde(clustered(12, seed=11), bandwidth_m=200)
    assert ("only 12 incidents: a hotspot from fewer than 30 is not stable; widen the period, the categories "
            "or the area.") in res.card.warnings
    assert not any("only" in m for m in kde(clustered(30, seed=11), bandwidth_m=200).card.warnings)


def test_warns_when_all_weights_are_zero_and_returns_zeros():
    inc = clustered(100, seed=12)
    res = kde(inc, weights=pd.Series(0.0, index=inc.index))
    assert (res.density == 0).all()
    assert ("all weights are 0 (e.g. no incident has a time of day in this band): the density is 0 everywhere."
            in res.card.warnings)
    assert "weights all 0: unweighted" in res.card.rules["bandwidth_m"]
    assert res.hotspots().empty


def test_warns_when_a_given_grid_is_too_large():
    grid = Grid(X0, Y0, 1.0, nx=2100, ny=2000)
    res = kde(frame([X0 + 50], [Y0 + 50]), grid=grid, bandwidth_m=5.0)
    assert any(m.startswith("the grid has 4,200,000 cells (over 4,000,000)") for m in res.card.warnings)


def test_warns_when_the_default_grid_is_too_large():
    res = kde(frame([X0, X0 + 30_000], [Y0, Y0 + 30_000]), bandwidth_m=20.0, cell_size_m=10.0)
    assert any("cells (over 4,000,000): it will be slow and large" in m for m in res.card.warnings)


# --- validation ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, message", [
    ({"bandwidth_m": -1}, HotspotError,
     "The 'bandwidth_m' parameter of kde must be a float in the range (0.0, inf). Got -1 instead."),
    ({"bandwidth_m": 0.0}, HotspotError,
     "The 'bandwidth_m' parameter of kde must be a float in the range (0.0, inf). Got 0.0 instead."),
    ({"bandwidth_m": "200"}, TypeError, "The 'bandwidth_m' parameter of kde must be a float. Got '200' instead."),
    ({"cell_size_m": -5}, HotspotError,
     "The 'cell_size_m' parameter of kde must be a float in the range (0.0, inf). Got -5 instead."),
    ({"kernel": "gaussian"}, HotspotError,
     "The 'kernel' parameter of kde must be one of 'quartic', 'epanechnikov', 'uniform'. Got 'gaussian' instead."),
    ({"method": "binned"}, HotspotError,
     "The 'method' parameter of kde must be one of 'auto', 'exact', 'fft'. Got 'binned' instead."),
    ({"grid": (0, 0, 10)}, TypeError, "The 'grid' parameter of kde must be a Grid or None. Got tuple instead."),
    ({"grid": Grid(X0, Y0, 10.0, 5, 5), "cell_size_m": 10}, HotspotError,
     "kde: give either 'grid' or 'cell_size_m', not both (the grid has its cell size)."),
    ({"weights": [1, 2]}, TypeError,
     "The 'weights' parameter of kde must be a column name (str), a pandas Series or None. Got list instead."),
    ({"weights": "harm"}, HotspotError,
     "kde: weights column 'harm' is not in the incident table; name one of its columns (e.g. 'harm_weight') "
     "or pass None."),
    ({"study_area": "Lambeth"}, TypeError,
     "The 'study_area' parameter of kde must be a shapely geometry, GeoSeries, GeoDataFrame, a bool array of the "
     "grid's shape, or None. Got str instead."),
])
def test_validation_messages(kwargs, error, message):
    with pytest.raises(error) as info:
        kde(clustered(10), **kwargs)
    assert str(info.value) == message


def test_validation_of_incidents_and_crs():
    with pytest.raises(TypeError, match="The 'incidents' parameter of kde must be a pandas DataFrame. "
                                        "Got list instead."):
        kde([(1, 2)])
    with pytest.raises(HotspotError, match="kde needs the incident columns 'easting' and 'northing'"):
        kde(pd.DataFrame({"x": [1.0]}))
    wgs = gpd.GeoDataFrame(geometry=[shapely.box(-0.2, 51.4, -0.1, 51.5)], crs=4326)
    with pytest.raises(HotspotError, match=r"not EPSG:27700 \(British National Grid\); "
                                           r"reproject it first with \.to_crs\(27700\)"):
        kde(clustered(10), study_area=wgs)
    with pytest.raises(HotspotError, match="all 5 incidents are at one location and their location precision is 0; "
                                           "pass bandwidth_m"):
        kde(frame([X0] * 5, [Y0] * 5))
    with pytest.raises(HotspotError, match="no incidents to choose a bandwidth from"):
        kde(frame([], []))


def test_no_incidents_on_a_given_grid_is_zero_with_a_warning():
    res = kde(frame([], []), grid=Grid(X0, Y0, 50.0, 10, 10), bandwidth_m=100)
    assert res.density.shape == (10, 10) and (res.density == 0).all()
    assert res.hotspots().empty
    assert any(m.startswith("all weights are 0") for m in res.card.warnings)


# --- study area, cells, GeoTIFF ----------------------------------------------------------------

def test_study_area_sets_the_grid_and_the_mask():
    inc = clustered(200, seed=13)
    area = shapely.Polygon([(X0, Y0), (X0 + 3000, Y0), (X0, Y0 + 2500)])
    res = kde(inc, study_area=area, cell_size_m=50, bandwidth_m=150)
    assert np.array_equal(res.study_mask, res.grid.within(area))
    assert res.grid.bounds[0] <= X0 - 150 and res.grid.bounds[2] >= X0 + 3150
    assert 0 < res.study_mask.sum() < res.grid.cells
    assert res.card.data["study_area_cells"] == int(res.study_mask.sum())
    cells = res.to_cells()
    assert list(cells.columns) == ["row", "col", "density", "geometry"]
    assert res.study_mask[cells["row"], cells["col"]].all() and (cells["density"] > 0).all()
    assert cells["density"].is_monotonic_decreasing
    assert cells.crs.to_epsg() == 27700
    assert len(res.to_cells(min_density=float(cells["density"].median()))) < len(cells)
    no_area = kde(inc, grid=res.grid, bandwidth_m=150)
    assert no_area.study_mask.all()
    np.testing.assert_array_equal(no_area.density, res.density)  # every incident still counts


def margin(n: int, area, seed: int = 0, width_m: float = 5000.0, gap_m: float = 0.0) -> pd.DataFrame:
    """n incidents spread over the ring from gap_m to width_m round the study area."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = area.bounds
    xy = rng.uniform([minx - width_m, miny - width_m], [maxx + width_m, maxy + width_m], (20 * n, 2))
    d = shapely.distance(area, shapely.points(xy))
    xy = xy[(d > gap_m) & (d <= width_m)][:n]
    assert len(xy) == n
    return frame(np.round(xy[:, 0]), np.round(xy[:, 1]))


def test_bandwidth_rule_uses_the_study_areas_incidents_and_every_incident_adds_density():
    a = 1000.0
    corners = frame([X0 - a, X0 + a, X0 - a, X0 + a], [Y0 - a, Y0 - a, Y0 + a, Y0 + a])
    area = shapely.box(X0 - 1500, Y0 - 1500, X0 + 1500, Y0 + 1500)
    alone = kde(corners, study_area=area)
    more = kde(pd.concat([corners, margin(40, area)], ignore_index=True), study_area=area)
    assert alone.card.parameters["bandwidth_m"] == more.card.parameters["bandwidth_m"] == 965  # the 4 corners'
    assert more.grid == alone.grid and more.card.parameters["cell_size_m"] == alone.card.parameters["cell_size_m"]
    assert ("SD = 1,414 m, Dm = 1,414 m, n = 4 incidents inside the study area (40 outside it left out of the rule; "
            "all add density) -> 965 m") in more.card.rules["bandwidth_m"]
    assert more.card.data["incidents_in_study_area"] == 4 and more.card.data["incidents_outside_study_area"] == 40
    assert (more.density >= alone.density).all() and (more.density > alone.density).any()
    assert kde(pd.concat([corners, margin(40, area)]), grid=alone.grid).card.parameters["bandwidth_m"] != 965


def test_precision_floor_uses_the_study_areas_incidents():
    rng = np.random.default_rng(8)
    inside = frame(X0 + rng.normal(0, 20, 200), Y0 + rng.normal(0, 20, 200), location_precision_m=0.0)
    area = shapely.Point(X0, Y0).buffer(500)
    outside = margin(300, area, seed=2, width_m=300).assign(location_precision_m=500.0)  # coarse, just outside
    both = pd.concat([inside, outside], ignore_index=True)
    assert kde(both, cell_size_m=100).card.parameters["bandwidth_m"] == 500.0
    res = kde(both, study_area=area, cell_size_m=100)
    assert res.card.parameters["bandwidth_m"] == kde(inside, study_area=area, cell_size_m=100).card.parameters[
        "bandwidth_m"] < 150
    assert "(above the weighted median location precision, 0 m)" in res.card.rules["bandwidth_m"]


def test_with_no_incident_in_the_study_area_the_rule_uses_all_and_warns():
    inc = clustered(100, seed=21)
    far = shapely.box(X0 + 20_000, Y0, X0 + 21_000, Y0 + 1000)
    res = kde(inc, study_area=far, cell_size_m=100)
    assert res.card.parameters["bandwidth_m"] == kde(inc).card.parameters["bandwidth_m"]
    assert ("none of the 100 incidents is in the study area, so the bandwidth rule used all of them; check that "
            "both are in EPSG:27700 (British National Grid), or pass bandwidth_m (metres).") in res.card.warnings
    assert "inside the study area" not in res.card.rules["bandwidth_m"]
    assert "only 0 incidents in the study area: a hotspot from fewer than 30 is not stable" in res.card.warnings[-1]


def test_a_bool_study_area_on_a_grid():
    polygon = shapely.box(X0, Y0, X0 + 3000, Y0 + 2500)
    inc = clustered(200, seed=22)
    inc = pd.concat([inc + 1.0, margin(100, polygon)], ignore_index=True)  # + 1 m: none on the polygon's edges
    grid = Grid(X0 - 1000, Y0 - 1000, 100.0, 50, 45)  # cell edges on the polygon's
    by_mask = kde(inc, grid=grid, study_area=grid.within(polygon))
    by_polygon = kde(inc, grid=grid, study_area=polygon)
    np.testing.assert_array_equal(by_mask.study_mask, by_polygon.study_mask)
    inside = int(shapely.intersects_xy(polygon, inc["easting"], inc["northing"]).sum())
    assert by_mask.card.data["incidents_in_study_area"] == by_polygon.card.data["incidents_in_study_area"] == inside
    assert by_mask.card.parameters["bandwidth_m"] == by_polygon.card.parameters["bandwidth_m"]
    assert by_mask.card.parameters["bandwidth_m"] != kde(inc, grid=grid).card.parameters["bandwidth_m"]
    with pytest.raises(HotspotError, match="kde: a bool study_area needs the grid it was made on; pass grid= as well."):
        kde(inc, study_area=grid.within(polygon))


def test_too_few_incidents_counts_the_study_area():
    area = shapely.box(X0, Y0, X0 + 3000, Y0 + 2500)
    inc = pd.concat([frame(X0 + 50 + 200 * np.arange(12), np.full(12, Y0 + 500)), margin(100, area, seed=4)],
                    ignore_index=True)
    res = kde(inc, study_area=area, bandwidth_m=200)
    assert ("only 12 incidents in the study area: a hotspot from fewer than 30 is not stable; widen the period, "
            "the categories or the area.") in res.card.warnings


def test_hotspots_default_to_the_coverage_rule():
    inc = clustered(500, seed=17, spread=150)
    area = shapely.box(X0, Y0, X0 + 3000, Y0 + 2500)
    res = kde(inc, study_area=area, cell_size_m=50, bandwidth_m=200)
    spots = res.hotspots()
    n = int(res.study_mask.sum())
    k = math.floor(DEFAULT_COVERAGE * n)
    level = spots.attrs["threshold_value"]
    assert spots.attrs["threshold_rule"] == (f"the hottest {k:,} of the study area's {n:,} cells (5% of its area; "
                                             f"ties included), at least {level:.4g} per km², and hotspots holding "
                                             f"at least {MIN_HOTSPOT_INCIDENTS} incidents")
    explicit = res.hotspots(threshold="top_share", top_share=DEFAULT_COVERAGE, min_incidents=MIN_HOTSPOT_INCIDENTS)
    pd.testing.assert_frame_equal(spots, explicit)
    hot = res.study_mask & (res.density >= level)
    assert hot.sum() >= k and res.hotspots(min_incidents=0)["cells"].sum() == hot.sum()
    cells = res.to_cells(min_density=level)  # the hot cells, the k-th itself included
    assert len(cells) == hot.sum() and hot[cells["row"], cells["col"]].all()
    assert "2 x the mean" in res.hotspots(threshold="mean_multiple").attrs["threshold_rule"]


def test_geotiff_round_trip(tmp_path):
    inc = clustered(300, seed=14)
    area = shapely.box(X0 + 500, Y0 + 500, X0 + 2500, Y0 + 2000)
    res = kde(inc, cell_size_m=40, bandwidth_m=200, study_area=area)
    path = res.to_geotiff(tmp_path / "kde.tif")
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 27700
        assert src.transform == Affine.from_gdal(*res.grid.transform)
        assert (src.height, src.width) == res.grid.shape and src.dtypes == ("float32",)
        band = src.read(1)
        card = json.loads(src.tags()["method_card"])
        # north-up: rasterio puts the densest cell's centre in that same row and column
        r, c = np.unravel_index(np.nanargmax(np.where(res.study_mask, res.density, np.nan)), res.grid.shape)
        xs, ys = res.grid.centres()
        assert src.index(xs[c], ys[r]) == (r, c)
    inside = res.study_mask
    np.testing.assert_allclose(band[inside], res.density[inside].astype(np.float32))
    assert np.isnan(band[~inside]).all()
    assert card["parameters"]["bandwidth_m"] == 200.0 and card["method"] == "kde"
    values, grid, tags = read_geotiff(path)
    assert grid == res.grid and tags["units"] == "incidents per km2"
    np.testing.assert_array_equal(values, band)


def test_geotiff_folder_must_exist(tmp_path):
    res = kde(clustered(40), bandwidth_m=200)
    with pytest.raises(HotspotError, match="does not exist; create it"):
        res.to_geotiff(tmp_path / "missing" / "kde.tif")


# --- the FFT path ------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", ["clustered", "one point"])
def test_fft_is_within_its_stated_error_and_measures_it(data):
    rng = np.random.default_rng(15)
    if data == "clustered":
        inc = clustered(20_000, seed=15, spread=250, centres=12)
        inc["easting"] += rng.uniform(-5, 5, len(inc))  # distinct locations
    else:
        inc = frame([X0 + 1003.3], [Y0 + 1207.7])
    grid = Grid(X0 - 400, Y0 - 600, 35.0, nx=110, ny=100)  # points run off its edges
    exact = kde(inc, grid=grid, bandwidth_m=190.0, method="exact").density
    res = kde(inc, grid=grid, bandwidth_m=190.0, method="fft")
    err = np.abs(res.density - exact)
    assert err.max() <= FFT_ERROR_BOUND * exact.max()
    card = res.card
    assert card.parameters["method"] == "fft" and card.rules["method"] == "given"
    assert card.parameters["fft_subcells"] == 8  # 35 m / 8 = 4.4 m <= 190 m / 40
    assert card.data["fft_cells_checked"] == 5 * 16 * 16
    # the in-run check is a sample of the cells: never more than the true largest error
    assert 0 < card.data["fft_max_error_of_peak"] <= err.max() / res.density.max() * (1 + 1e-9)
    hot = exact >= 2 * exact.mean()
    assert card.data["fft_max_relative_error"] <= (err[hot] / exact[hot]).max() * (1 + 1e-9)
    assert "(tested bound 0.001 of the peak)" in card.data["fft_check"]


def test_fft_with_other_kernels_reports_its_error_without_a_bound():
    inc = clustered(3000, seed=18)
    grid = Grid(X0 - 400, Y0 - 600, 35.0, nx=110, ny=100)
    exact = kde(inc, grid=grid, bandwidth_m=190.0, kernel="uniform", method="exact").density
    res = kde(inc, grid=grid, bandwidth_m=190.0, kernel="uniform", method="fft")
    measured = res.card.data["fft_max_error_of_peak"]
    assert 0 < measured <= np.abs(res.density - exact).max() / res.density.max() * (1 + 1e-9)
    assert "no tested bound: uniform kernel, sub-cells of 4.38 m" in res.card.data["fft_check"]


def test_auto_switches_to_fft_above_the_documented_work(monkeypatch):
    inc = clustered(2000, seed=16)
    assert kde(inc, cell_size_m=20, bandwidth_m=200).card.parameters["method"] == "exact"
    monkeypatch.setattr(kde_module, "FFT_MIN_WORK", 0)
    monkeypatch.setattr(kde_module, "FFT_POINT_COST", 0)
    monkeypatch.setattr(kde_module, "FFT_SUBCELL_COST", 0)
    res = kde(inc, cell_size_m=20, bandwidth_m=200)
    assert res.card.parameters["method"] == "fft"
    assert "distinct points x" in res.card.rules["method"] and "(auto)" in res.card.rules["method"]
    for kernel in ("epanechnikov", "uniform"):  # a kink or a jump at h: binning errors are first order
        assert kde(inc, cell_size_m=20, bandwidth_m=200, kernel=kernel).card.parameters["method"] == "exact"


def test_auto_picks_fft_for_a_wide_bandwidth_on_a_fine_grid():
    rng = np.random.default_rng(19)
    inc = clustered(300_000, seed=19, spread=400)
    inc["easting"] += rng.uniform(-5, 5, len(inc))
    res = kde(inc, cell_size_m=10, bandwidth_m=200)
    assert res.card.parameters["method"] == "fft"
    assert res.card.data["fft_max_error_of_peak"] <= FFT_ERROR_BOUND


# --- result objects -------------------------------------------------------------------------------------

def test_result_hotspots_use_the_incidents_and_the_study_mask():
    inc = clustered(500, seed=17, spread=150)
    res = kde(inc, cell_size_m=50, bandwidth_m=200)
    assert isinstance(res, KdeResult) and res.transform == res.grid.transform
    spots = res.hotspots()
    assert list(spots["hotspot_id"]) == list(range(1, len(spots) + 1))
    assert spots["incidents"].is_monotonic_decreasing
    assert spots["incidents"].sum() <= len(inc) and 0 < spots["share"].sum() <= 1
    top = res.hotspots(threshold="top_share", top_share=0.01)
    assert top["cells"].sum() == math.floor(0.01 * res.grid.cells)


# --- the demo workspace ------------------------------------------------------------------------------

def test_default_kde_of_demo_violence():
    from hotspot_tasking.geo.workspace import Workspace

    ws = Workspace.open(DEMO_WORKSPACE)
    inc = ws.incidents()
    violence = inc[inc["category"] == "Violence and sexual offences"]
    boroughs = ws.read_layer("boroughs")
    res = kde(violence, study_area=boroughs)
    card = res.card
    assert card.parameters["kernel"] == "quartic" and card.parameters["method"] == "exact"
    assert card.parameters["bandwidth_m"] >= 150  # police.uk's snap precision is the floor
    assert card.data["incidents"] == len(violence) and card.data["distinct_points"] < len(violence) / 5
    total = res.density.sum() * res.grid.cell_area_km2
    assert total == pytest.approx(len(violence), rel=0.05)  # nearly all mass falls on the grid
    spots = res.hotspots()
    assert len(spots) > 0
    assert list(spots["hotspot_id"]) == list(range(1, len(spots) + 1))
    assert spots["share"].sum() <= 1 and spots["incidents"].is_monotonic_decreasing
    assert (spots.geometry.geom_type == "Polygon").all() and spots.crs.to_epsg() == 27700
    assert spots["area_km2"].sum() < boroughs.area.sum() / 1e6
