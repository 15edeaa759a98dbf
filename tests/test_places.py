"""hotspot_tasking.surfaces.microplaces: hot cells split into micro-places no more than
max_across_m across, on hand-made grids whose answers are worked out below, on random
surfaces (invariants) and on a real KDE of the City of London extract."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from conftest import CITY_AREA, POLICE_DIR, read
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import ndimage

from hotspot_tasking.hotspots.grid import Grid
from hotspot_tasking.hotspots.kde import kde
from hotspot_tasking.surfaces.errors import SurfaceError
from hotspot_tasking.surfaces.microplaces import MAX_PLACE_ACROSS_M, MicroPlaces, micro_places

EDGE = ndimage.generate_binary_structure(2, 1)


def across(polygon) -> float:
    """The largest distance between two vertices of a polygon's outline, metres."""
    xy = np.asarray(polygon.exterior.coords)
    return float(np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)).max())


def check_places(places: MicroPlaces, surface: np.ndarray, hot: np.ndarray) -> None:
    """The invariants every result keeps (see the module notes)."""
    valid = hot & np.isfinite(surface)
    labels, n = places.labels, places.count
    assert labels.dtype == np.int64 and labels.shape == surface.shape
    assert ((labels > 0) == valid).all()  # every hot cell in a place, no cold cell in one
    assert np.unique(labels[valid]).tolist() == list(range(1, n + 1))
    assert places.parent.dtype == np.int64 and places.parent.shape == (n,)
    assert places.peak.dtype == np.int64 and places.peak.shape == (n, 2)
    assert places.peak_value.dtype == np.float64 and places.peak_value.shape == (n,)
    regions, m = ndimage.label(valid, structure=EDGE)
    for k in range(1, n + 1):
        cells = labels == k
        assert ndimage.label(cells, structure=EDGE)[1] == 1  # 4-connected
        assert len(np.unique(regions[cells])) == 1  # in one parent
    parent_of_cell = np.concatenate([[0], places.parent])[labels]
    pairs = set(zip(regions[valid].tolist(), parent_of_cell[valid].tolist()))
    assert len(pairs) == m and {p for _, p in pairs} == set(range(1, m + 1))  # parents are the regions
    rows, cols = places.peak.T
    assert (labels[rows, cols] == np.arange(1, n + 1)).all()
    assert places.peak_value.tolist() == surface[rows, cols].tolist()
    key = list(zip((-places.peak_value).tolist(), (rows * surface.shape[1] + cols).tolist()))
    assert key == sorted(key)  # places by descending peak value, ties row-major
    tops = []
    for j in range(1, m + 1):
        inside = np.where(parent_of_cell == j, surface, -np.inf)
        top = int(np.argmax(inside))  # first of the highest: row-major
        tops.append((-float(inside.flat[top]), top))
    assert tops == sorted(tops)  # parents by their highest value, ties row-major
    assert places.card.data["places"] == n and places.card.data["parents"] == m


def fits(places: MicroPlaces, max_across_m: float) -> bool:
    """Every corner of every place's cells within max_across_m / 2 of its peak cell's centre."""
    c, (rows, cols) = places.grid.cell_size_m, np.nonzero(places.labels)
    peak = places.peak[places.labels[rows, cols] - 1]
    far = np.hypot(np.abs(rows - peak[:, 0]) + 0.5, np.abs(cols - peak[:, 1]) + 0.5) * c
    return bool((far <= max_across_m / 2 + 1e-6).all())


def test_a_small_blob_stays_one_place():
    grid = Grid(0.0, 0.0, 50.0, nx=7, ny=7)
    surface = np.zeros(grid.shape)
    surface[2:5, 2:5] = [[1, 2, 1], [2, 5, 2], [1, 2, 1]]
    hot = surface > 0
    places = micro_places(surface, grid, hot)
    check_places(places, surface, hot)
    assert places.count == 1 and places.parent.tolist() == [1]
    assert places.peak.tolist() == [[3, 3]] and places.peak_value.tolist() == [5.0]
    assert (places.labels == hot).all()
    # 3 x 3 cells of 50 m: corners 106 m from the centre, within 125 m
    assert places.outlines()[0].equals(shapely.box(100, 100, 250, 250))
    assert places.parent_outlines()[0].equals(shapely.box(100, 100, 250, 250))


def test_a_long_ridge_splits_into_places_that_fit_and_share_one_parent():
    grid = Grid(530_000.0, 180_000.0, 50.0, nx=22, ny=8)
    rows, cols = np.mgrid[0:8, 0:22]
    surface = 100 - 2 * np.abs(cols - 10.3) - 3 * np.abs(rows - 3.6) + np.sin(cols * 1.3) + 0.5 * np.cos(rows * 2.1)
    hot = np.zeros(grid.shape, bool)
    hot[1:7, 1:21] = True  # 1 km x 300 m
    places = micro_places(surface, grid, hot)
    check_places(places, surface, hot)
    assert places.parent.tolist() == [1] * places.count
    # a 250 m disc round a 50 m cell's centre takes a 3 x 3 block at most: 120 cells need 14 places or more
    assert places.count >= 14
    assert max(across(p) for p in places.outlines()) <= MAX_PLACE_ACROSS_M + 1e-6
    assert fits(places, MAX_PLACE_ACROSS_M)
    assert shapely.union_all(places.outlines()).equals(places.parent_outlines()[0])
    assert places.parent_outlines()[0].equals(shapely.box(530_050, 180_050, 531_050, 180_350))


def test_two_separate_blobs_have_two_parents_numbered_by_their_peak():
    grid = Grid(0.0, 0.0, 50.0, nx=9, ny=4)
    surface = np.zeros(grid.shape)
    surface[1:3, 1:3] = [[9, 8], [7, 6]]  # west blob, peak 9
    surface[1:3, 5:8] = [[4, 12, 4], [3, 5, 3]]  # east blob, peak 12
    hot = surface > 0
    places = micro_places(surface, grid, hot)
    check_places(places, surface, hot)
    assert places.count == 2 and places.parent.tolist() == [1, 2]
    assert places.peak.tolist() == [[1, 6], [1, 1]] and places.peak_value.tolist() == [12.0, 9.0]
    east, west = places.parent_outlines()
    assert east.equals(shapely.box(250, 50, 400, 150)) and west.equals(shapely.box(50, 50, 150, 150))


@pytest.mark.parametrize("profile, expected", [
    # peaks 10 (col 2) and 8 (col 10), 400 m apart; the valley cell (col 6, 1) touches both places and
    # goes to the higher peak
    ([5, 7, 10, 7, 5, 3, 1, 2, 4, 6, 8, 6, 4], [1] * 7 + [2] * 6),
    # mirrored: the higher peak is in the east, and takes the valley cell
    ([4, 6, 8, 6, 4, 2, 1, 3, 5, 7, 10, 7, 5], [2] * 6 + [1] * 7),
    # peaks 10 (col 2) and 8 (col 9), 350 m apart; the valley cell (col 7) is 250 m from the 10: its far
    # corners are 276 m away, more than 500 / 2, so it goes to the nearer 8
    ([5, 7, 10, 7, 5, 3, 2, 1, 4, 8, 6, 4, 3], [1] * 7 + [2] * 6),
])
def test_two_peaks_in_one_blob_split_at_the_valley(profile, expected):
    grid = Grid(0.0, 0.0, 50.0, nx=13, ny=3)
    surface = np.array([profile, profile, profile], float) + np.array([[0.0], [0.5], [0.0]])
    hot = np.ones(grid.shape, bool)
    places = micro_places(surface, grid, hot, max_across_m=500.0)
    check_places(places, surface, hot)
    assert places.count == 2 and places.parent.tolist() == [1, 1]
    assert places.labels.tolist() == [expected] * 3
    assert fits(places, 500.0)


def test_a_rise_within_min_separation_of_a_higher_one_is_not_a_peak():
    grid = Grid(0.0, 0.0, 50.0, nx=9, ny=1)
    surface = np.array([[1, 5, 9, 5, 4, 6, 8, 6, 1]], float)  # rises at cols 2 and 6, 200 m apart
    hot = np.ones(grid.shape, bool)
    one = micro_places(surface, grid, hot, max_across_m=1000.0)  # min_separation_m 500: one peak
    assert one.count == 1 and one.card.data["peaks"] == 1
    two = micro_places(surface, grid, hot, max_across_m=1000.0, min_separation_m=150.0)
    check_places(two, surface, hot)
    assert two.labels.tolist() == [[1, 1, 1, 1, 1, 2, 2, 2, 2]]  # the dip (4) goes to the higher peak
    assert two.card.parameters["min_separation_m"] == 150.0 and two.card.rules["min_separation_m"] == "given"


def test_a_plateau_gives_one_peak_at_its_north_west_cell():
    grid = Grid(0.0, 0.0, 10.0, nx=5, ny=4)
    surface = np.zeros(grid.shape)
    surface[1:3, 1:4] = 7.0
    hot = surface > 0
    places = micro_places(surface, grid, hot)
    assert places.count == 1 and places.card.data["peaks"] == 1
    assert places.peak.tolist() == [[1, 1]]


def test_equal_peaks_are_numbered_north_west_first():
    grid = Grid(0.0, 0.0, 100.0, nx=5, ny=5)
    surface = np.zeros(grid.shape)
    surface[3, 0] = surface[1, 3] = surface[1, 1] = 4.0
    hot = surface > 0
    places = micro_places(surface, grid, hot)
    check_places(places, surface, hot)
    assert places.peak.tolist() == [[1, 1], [1, 3], [3, 0]] and places.parent.tolist() == [1, 2, 3]


def test_same_result_for_the_same_input_and_inputs_unchanged():
    rng = np.random.default_rng(7)
    grid = Grid(0.0, 0.0, 20.0, nx=60, ny=40)
    surface = ndimage.gaussian_filter(rng.random(grid.shape), 3)
    surface[5, 5] = np.nan
    hot = surface >= np.nanquantile(surface, 0.7)
    hot[5, 5] = True
    before_surface, before_hot = surface.copy(), hot.copy()
    first = micro_places(surface, grid, hot)
    second = micro_places(surface, grid, hot)
    np.testing.assert_array_equal(surface, before_surface)
    np.testing.assert_array_equal(hot, before_hot)
    for name in ("labels", "parent", "peak", "peak_value"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    assert not np.shares_memory(first.labels, surface) and not np.shares_memory(first.labels, hot)
    check_places(first, surface, hot)
    assert first.labels[5, 5] == 0


@settings(max_examples=80, deadline=None)
@given(hnp.arrays(float, st.tuples(st.integers(1, 14), st.integers(1, 14)),
                  elements=st.sampled_from([0.0, 1.0, 2.0, 2.5, 3.0, 7.0, np.nan])),
       st.data(), st.sampled_from([10.0, 25.0, 50.0]), st.sampled_from([40.0, 100.0, 250.0]),
       st.sampled_from([None, 15.0, 60.0]))
def test_invariants_on_random_surfaces(surface, data, cell, max_across_m, min_separation_m):
    hot = data.draw(hnp.arrays(bool, surface.shape))
    grid = Grid(0.0, 0.0, cell, nx=surface.shape[1], ny=surface.shape[0])
    places = micro_places(surface, grid, hot, max_across_m=max_across_m, min_separation_m=min_separation_m)
    check_places(places, surface, hot)
    if cell * math.sqrt(2) <= max_across_m:
        assert fits(places, max_across_m)
    else:  # no place fits: each hot cell is one
        assert places.count == int((hot & np.isfinite(surface)).sum())


def test_a_real_kde_surface_gives_places_within_max_across():
    incidents = read("police_uk", POLICE_DIR, area=CITY_AREA).incidents
    surface = kde(incidents)
    density, grid = surface.density, surface.grid
    k = math.floor(0.05 * density.size)  # the densest 5% of the cells
    hot = density >= np.partition(density.ravel(), density.size - k)[density.size - k]
    places = micro_places(density, grid, hot)
    check_places(places, density, hot)
    assert places.count > int(places.parent.max()) >= 1
    assert max(across(p) for p in places.outlines()) <= MAX_PLACE_ACROSS_M + 1e-6
    assert fits(places, MAX_PLACE_ACROSS_M)
    area = sum(p.area for p in places.outlines())
    assert area == pytest.approx(hot.sum() * grid.cell_size_m ** 2)
    assert area == pytest.approx(sum(p.area for p in places.parent_outlines()))


def test_cells_wider_than_max_across_are_places_of_their_own_with_a_warning():
    grid = Grid(0.0, 0.0, 200.0, nx=3, ny=2)
    surface = np.array([[1, 5, 4], [2, 3, 0]], float)
    hot = surface > 0
    places = micro_places(surface, grid, hot)
    check_places(places, surface, hot)
    assert places.count == 5 and places.parent.tolist() == [1] * 5
    assert places.card.warnings == [
        "cells of 200 m are 283 m corner to corner, wider than max_across_m (250 m): no place fits, so each hot "
        "cell is a place of its own; make the surface with cell_size_m of at most 170, or raise max_across_m."]


def test_min_separation_below_the_cell_size_makes_every_cell_a_peak_with_a_warning():
    grid = Grid(0.0, 0.0, 50.0, nx=3, ny=1)
    surface = np.array([[1.0, 3.0, 2.0]])
    places = micro_places(surface, grid, surface > 0, min_separation_m=40.0)
    assert places.count == 3 and places.labels.tolist() == [[3, 1, 2]]
    assert places.card.warnings == [
        "min_separation_m (40 m) is less than the cell size (50 m): every hot cell is a peak and a place of its "
        "own; use min_separation_m of at least 50."]


def test_hot_cells_without_a_value_are_left_out_with_a_warning():
    grid = Grid(0.0, 0.0, 50.0, nx=3, ny=1)
    surface = np.array([[1.0, np.nan, 2.0]])
    places = micro_places(surface, grid, np.ones(grid.shape, bool))
    assert places.labels.tolist() == [[2, 0, 1]] and places.parent.tolist() == [1, 2]
    assert places.card.warnings == [
        "1 hot cells have no surface value (NaN or infinite) and are in no place; pass a mask of cells with "
        "values, e.g. hot & np.isfinite(surface)."]


def test_no_hot_cell_gives_no_place():
    grid = Grid(0.0, 0.0, 50.0, nx=4, ny=3)
    places = micro_places(np.ones(grid.shape), grid, np.zeros(grid.shape, bool))
    assert places.count == 0 and (places.labels == 0).all()
    assert places.parent.shape == (0,) and places.peak.shape == (0, 2) and places.peak_value.shape == (0,)
    assert places.outlines().shape == (0,) and places.parent_outlines().shape == (0,)
    assert places.card.data["places"] == 0 and places.card.warnings == []


def test_the_card_says_what_was_done():
    grid = Grid(0.0, 0.0, 50.0, nx=8, ny=1)
    surface = np.array([[3, 9, 4, 2, 1, 5, 7, 6]], float)
    card = micro_places(surface, grid, surface > 0).card
    assert card.method == "micro_places"
    assert card.parameters == {"max_across_m": 250.0, "min_separation_m": 125.0}
    assert "Weisburd 2015" in card.rules["max_across_m"] and card.rules["min_separation_m"] == \
        "max_across_m / 2 (default)"
    assert {k: card.data[k] for k in ("cell_size_m", "hot_cells", "parents", "peaks", "places")} == {
        "cell_size_m": 50.0, "hot_cells": 8, "parents": 1, "peaks": 2, "places": 3}
    # places of 3 cells round the 9 and the 7; the 2 and the 1 between them fit neither: the 2 starts a place
    assert card.data["places_started_by_the_size_cap"] == 1
    assert "highest cell left starts a place" in card.data["rule"]
    given = micro_places(surface, grid, surface > 0, max_across_m=300).card
    assert given.rules["max_across_m"] == "given"


GRID = Grid(0.0, 0.0, 50.0, nx=4, ny=3)
SURFACE = np.arange(12, dtype=float).reshape(3, 4)
HOT = SURFACE > 6


@pytest.mark.parametrize("args, kwargs, error, message", [
    ((SURFACE.tolist(), GRID, HOT), {}, TypeError,
     "The 'surface' parameter of micro_places must be a float numpy array of the grid's shape. Got list instead."),
    ((SURFACE.astype(str), GRID, HOT), {}, TypeError,
     "The 'surface' parameter of micro_places must be a float numpy array of the grid's shape. Got an array of "
     "<U32 instead."),
    ((SURFACE, (0, 0, 50), HOT), {}, TypeError,
     "The 'grid' parameter of micro_places must be a Grid. Got tuple instead."),
    ((SURFACE, GRID, HOT.astype(int)), {}, TypeError,
     "The 'hot' parameter of micro_places must be a bool numpy array of the grid's shape. Got an array of int64 "
     "instead."),
    ((SURFACE.T, GRID, HOT), {}, SurfaceError,
     "micro_places: 'surface' has shape (4, 3) but the grid is (3, 4) (rows, cols); pass the grid the surface was "
     "made on and a mask of that surface."),
    ((SURFACE, GRID, HOT[:2]), {}, SurfaceError,
     "micro_places: 'hot' has shape (2, 4) but the grid is (3, 4) (rows, cols); pass the grid the surface was "
     "made on and a mask of that surface."),
    ((SURFACE, GRID, HOT), {"max_across_m": -1}, SurfaceError,
     "The 'max_across_m' parameter of micro_places must be a float in the range (0.0, inf). Got -1 instead."),
    ((SURFACE, GRID, HOT), {"max_across_m": "250"}, TypeError,
     "The 'max_across_m' parameter of micro_places must be a float. Got '250' instead."),
    ((SURFACE, GRID, HOT), {"min_separation_m": 0.0}, SurfaceError,
     "The 'min_separation_m' parameter of micro_places must be a float in the range (0.0, inf). Got 0.0 instead."),
])
def test_validation_messages(args, kwargs, error, message):
    with pytest.raises(error) as info:
        micro_places(*args, **kwargs)
    assert str(info.value) == message


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        micro_places(SURFACE, GRID, HOT, 250.0)  # type: ignore[misc]
