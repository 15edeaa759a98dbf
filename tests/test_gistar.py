"""Getis-Ord Gi*: hand-checked toy grids, agreement with esda on the demo's real grids and
H3 cells, the false discovery rate, and inputs left alone."""

import math

import esda
import h3
import libpysal
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.errors import HotspotError
from hotspot_tasking.hotspots.gistar import GISTAR_CLASSES, gistar, gistar_z, grid_neighbours
from hotspot_tasking.hotspots.grid import Grid

DEMO = "data/demo"


@pytest.fixture(scope="module")
def demo():
    ws = Workspace.open(DEMO)
    area = shapely.union_all(ws.read_layer("boroughs").geometry.values)
    return ws.incidents(), area


def points(*xy):
    return pd.DataFrame({"easting": [float(x) for x, _ in xy], "northing": [float(y) for _, y in xy]})


ROW = Grid(0.0, 0.0, 100.0, 5, 1)  # five 100 m cells west to east


def test_five_cells_in_a_row_by_hand():
    # n = 5, mean 1, S^2 = 25/5 - 1 = 4; the middle cell: W = 3, sum = 5,
    # z = (5 - 1*3) / (2 * sqrt((5*3 - 9) / 4)) = 1 / sqrt(1.5); the ends: (0 - 2) / (2 sqrt(1.5)).
    out = gistar(points(*[(250, 50)] * 5), grid=ROW)
    f = out.frame
    assert f[["row", "col"]].values.tolist() == [[0, c] for c in range(5)]
    assert f["count"].tolist() == [0, 0, 5, 0, 0]
    assert f["neighbours"].tolist() == [2, 3, 3, 3, 2]
    assert f["local_count"].tolist() == [0, 5, 5, 5, 0]
    z = 1 / math.sqrt(1.5)
    assert f["z"].to_numpy() == pytest.approx([-z, z, z, z, -z], abs=1e-12)
    assert f["p"].to_numpy() == pytest.approx(2 * (1 - 0.5 * (1 + math.erf(z / math.sqrt(2)))), abs=1e-12)
    assert f["class"].eq("not significant").all()
    assert out.frame.crs.to_epsg() == 27700
    assert out.frame.geometry.iloc[2].equals(shapely.box(200, 0, 300, 100))
    assert out.card.parameters["distance_m"] == pytest.approx(141.421, abs=1e-3)
    assert "sfhotspot" in out.card.rules["distance_m"]


def test_a_dense_block_is_hot_and_the_rest_cold_or_not():
    grid = Grid(0.0, 0.0, 100.0, 9, 9)
    block = [(x, y) for x in (350, 450, 550) for y in (350, 450, 550) for _ in range(20)]
    scatter = [(50 + 100 * i, 50 + 100 * j) for i in range(9) for j in range(9) if (i + j) % 4 == 0]
    out = gistar(points(*block, *scatter), grid=grid)
    classes = out.class_array()
    assert classes[4, 4] == "hot" and classes[0, 0] == "not significant"
    assert set(out.frame["class"]) <= set(GISTAR_CLASSES)
    hot = out.frame["class"].eq("hot")
    assert (out.frame.loc[hot, "z"] > 0).all() and (out.frame.loc[hot, "p_fdr"] <= 0.05).all()
    assert out.card.data["hot_cells"] == int(hot.sum())


def test_benjamini_hochberg_by_hand():
    grid = Grid(0.0, 0.0, 100.0, 12, 12)
    rng = np.random.default_rng(4)
    xy = rng.normal(600, 180, size=(400, 2))
    out = gistar(points(*map(tuple, xy)), grid=grid)
    p = out.frame["p"].to_numpy()
    m = p.size
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1].clip(max=1)
    expected = np.empty(m)
    expected[order] = adjusted
    assert out.frame["p_fdr"].to_numpy() == pytest.approx(expected, rel=1e-12)
    sig = out.frame["p_fdr"] <= 0.05
    assert (out.frame["class"] != "not significant").eq(sig).all()


def test_agrees_with_esda_on_a_real_demo_grid(demo):
    inc, area = demo
    out = gistar(inc, cell_size_m=300, study_mask=area, weights="harm_weight")
    f = out.frame
    assert len(f) > 500
    centres = np.column_stack([f.geometry.centroid.x, f.geometry.centroid.y])
    # A fresh weights object (G_Local changes the one it is given): 1.5 cells takes the
    # same 8 neighbours as our cell size x sqrt(2) and no more (the next is 2 cells away).
    w = libpysal.weights.DistanceBand(centres, threshold=1.5 * 300, binary=True, silence_warnings=True)
    g = esda.G_Local(f["count"].to_numpy(), w, star=True, transform="B", permutations=0)
    assert np.abs(g.Zs - f["z"].to_numpy()).max() < 1e-8
    assert f["neighbours"].to_numpy() == pytest.approx(np.asarray(w.sparse.sum(axis=1)).ravel() + 1)


def test_agrees_with_esda_on_a_wider_band_with_zero_cells(demo):
    inc, _ = demo
    grid = Grid.covering((527000.0, 173000.0, 531000.0, 177000.0), cell_size_m=200)
    out = gistar(inc, grid=grid, distance_m=650.0)  # (3,0), (3,1) at 632 m and (2,2) are in; (3,2) at 721 m is out
    f = out.frame
    assert len(f) == grid.cells and (f["count"] == 0).any()
    centres = np.column_stack([f.geometry.centroid.x, f.geometry.centroid.y])
    w = libpysal.weights.DistanceBand(centres, threshold=650.0, binary=True, silence_warnings=True)
    g = esda.G_Local(f["count"].to_numpy(), w, star=True, transform="B", permutations=0)
    assert np.abs(g.Zs - f["z"].to_numpy()).max() < 1e-8


def test_agrees_with_esda_on_h3_cells(demo):
    inc, area = demo
    out = gistar(inc, h3_resolution=9, study_mask=area)
    f = out.frame
    cells = f["cell"].tolist()
    ids = set(cells)
    adjacency = {c: [d for d in h3.grid_disk(c, 1) if d in ids and d != c] for c in cells}
    w = libpysal.weights.W(adjacency, id_order=cells, silence_warnings=True)
    g = esda.G_Local(f["count"].to_numpy(), w, star=True, transform="B", permutations=0)
    assert np.abs(g.Zs - f["z"].to_numpy()).max() < 1e-8
    assert f["count"].sum() + out.card.data["incidents_outside"] == pytest.approx(len(inc))
    assert f["neighbours"].max() == 7 and out.card.parameters["k_ring"] == 1
    assert f.crs.to_epsg() == 27700 and f.geometry.iloc[0].area / 1e6 == pytest.approx(0.105, rel=0.2)


def test_h3_ring_from_distance():
    lat, lng = 51.4627, -0.1146
    inc = pd.DataFrame({"longitude": [lng] * 30, "latitude": [lat] * 30})
    spacing = math.sqrt(3) * h3.average_hexagon_edge_length(9, unit="m")
    area = shapely.Point(531000.0, 175600.0).buffer(1500)  # about 1.5 km around the point, EPSG:27700
    out = gistar(inc, h3_resolution=9, distance_m=2.2 * spacing, study_mask=area)
    assert out.card.parameters["k_ring"] == 2
    assert out.frame["neighbours"].max() == 19
    assert out.frame.loc[out.frame["cell"] == h3.latlng_to_cell(lat, lng, 9), "count"].item() == 30


def test_grid_neighbours_match_a_direct_distance_test():
    mask = np.ones((6, 7), bool)
    mask[2, 3] = mask[0, 0] = False
    w = grid_neighbours(mask, 50.0, 110.0).toarray()
    rows, cols = np.nonzero(mask)
    xy = np.column_stack([cols * 50.0, rows * 50.0])
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    assert (w == (d <= 110.0)).all()


def test_gistar_z_general_weights_formula():
    y = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    wm = np.array([[1, .5, 0, 0, 0], [.5, 1, .5, 0, 0], [0, .5, 1, .5, 0], [0, 0, .5, 1, 2], [0, 0, 0, 2, 1]])
    n, mean, s = 5, y.mean(), y.std()
    expected = [(wm[i] @ y - mean * wm[i].sum())
                / (s * math.sqrt((n * (wm[i] ** 2).sum() - wm[i].sum() ** 2) / (n - 1)))
                for i in range(n)]
    assert gistar_z(y, wm) == pytest.approx(expected, rel=1e-12)


def test_same_counts_everywhere_give_no_classes_and_a_warning():
    out = gistar(points(*[(50 + 100 * i, 50) for i in range(5)]), grid=ROW)
    assert out.frame["z"].isna().all() and out.frame["class"].eq("not significant").all()
    assert any("same count" in w for w in out.card.warnings)
    assert any("too few" in w for w in out.card.warnings)


def test_study_mask_leaves_cells_and_incidents_out():
    mask = np.array([[True, True, True, False, False]])
    before = mask.copy()
    out = gistar(points((50, 50), (150, 50), (150, 50), (450, 50)), grid=ROW, study_mask=mask)
    assert out.frame["col"].tolist() == [0, 1, 2]
    assert out.card.data["incidents_outside"] == 1
    assert (mask == before).all()
    assert out.class_array()[0, 4] == ""


def test_with_a_study_area_n_mean_and_sd_are_its_cells_and_incidents_only():
    # study area: the first three cells; inside, counts 1, 2, 0: n = 3, mean 1, S² = (0 + 1 + 1) / 3
    mask = np.array([[True, True, True, False, False]])
    inside = points((50, 50), (150, 50), (150, 50))
    out = gistar(inside, grid=ROW, study_mask=mask)
    assert out.card.data["cells"] == 3 and out.card.data["counted"] == 3.0
    assert out.card.data["count_mean"] == 1.0 and out.card.data["count_sd"] == pytest.approx(math.sqrt(2 / 3))
    # cell 1 (W = 3, the whole study area): undefined; cell 0: W = 2, z = (3 - 2) / (S sqrt((3*2 - 4) / 2))
    assert out.frame["z"].to_numpy()[0] == pytest.approx(1 / math.sqrt(2 / 3))
    assert np.isnan(out.frame["z"].to_numpy()[1])
    # a margin: many incidents in the two cells outside and off the grid change nothing
    margin = points(*[(350, 50)] * 40, *[(450, 50)] * 7, (-300, 50), (50, 900))
    more = gistar(pd.concat([inside, margin], ignore_index=True), grid=ROW, study_mask=mask)
    pd.testing.assert_frame_equal(more.frame, out.frame)
    assert {k: more.card.data[k] for k in ("cells", "counted", "count_mean", "count_sd")} == \
        {k: out.card.data[k] for k in ("cells", "counted", "count_mean", "count_sd")}
    assert more.card.data["incidents_outside"] == 49
    # a polygon study area: the same cells (those whose centre is inside)
    polygon = shapely.box(0, 0, 290, 100)
    pd.testing.assert_frame_equal(gistar(pd.concat([inside, margin]), grid=ROW, study_mask=polygon).frame, out.frame)


def test_large_grid_runs():
    grid = Grid(0.0, 0.0, 10.0, 400, 300)  # 120,000 cells
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 3000, size=(20_000, 2))
    out = gistar(points(*map(tuple, xy)), grid=grid)
    assert len(out.frame) == 120_000 and out.frame["neighbours"].max() == 9


def test_inputs_are_left_alone(demo):
    inc, area = demo
    sample = inc.iloc[:2000].copy()
    snapshot = sample.copy()
    area_before = shapely.to_wkb(area)
    gistar(sample, cell_size_m=250, study_mask=area, weights="harm_weight")
    gistar(sample, h3_resolution=9)
    pd.testing.assert_frame_equal(sample, snapshot)
    assert shapely.to_wkb(area) == area_before


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 499), st.integers(0, 99)), min_size=1, max_size=40), st.randoms())
def test_incident_order_does_not_matter(xy, rnd):
    shuffled = list(xy)
    rnd.shuffle(shuffled)
    a = gistar(points(*xy), grid=ROW).frame
    b = gistar(points(*shuffled), grid=ROW).frame
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))


def test_errors_name_the_parameter():
    inc = points((50, 50))
    with pytest.raises(HotspotError, match=r"The 'fdr_alpha' parameter of gistar must be a float in the range "
                                           r"\(0.0, 1.0\). Got 0 instead."):
        gistar(inc, grid=ROW, fdr_alpha=0)
    with pytest.raises(HotspotError, match="either a grid .* or h3_resolution, not both"):
        gistar(inc, grid=ROW, h3_resolution=9)
    with pytest.raises(HotspotError, match="either grid or cell_size_m"):
        gistar(inc, grid=ROW, cell_size_m=50)
    with pytest.raises(TypeError, match="'study_mask' parameter of gistar must be a shapely geometry"):
        gistar(inc, grid=ROW, study_mask=[1, 2])
    with pytest.raises(HotspotError, match=r"bool array of the grid's shape \(1, 5\)"):
        gistar(inc, grid=ROW, study_mask=np.ones((2, 2), bool))
    with pytest.raises(HotspotError, match="The 'h3_resolution' parameter of gistar must be an int in the range"):
        gistar(inc, h3_resolution=16)
    with pytest.raises(HotspotError, match="'easting' and 'northing'"):
        gistar(pd.DataFrame({"x": [1.0]}), grid=ROW)
