"""hotspots.dbscan: tiny exact cases, equivalence with scikit-learn on the raw points,
weights, HDBSCAN, the cluster summaries, messages, invariants and the demo workspace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.cluster import DBSCAN, HDBSCAN
from sklearn.neighbors import KDTree

from hotspot_tasking.geo.schema import LOCAL_TZ
from hotspot_tasking.hotspots.clusters import CLUSTER_COLUMNS, HULL_BUFFER_M
from hotspot_tasking.hotspots.dbscan import dbscan
from hotspot_tasking.hotspots.errors import HotspotError


def frame(points, **columns) -> pd.DataFrame:
    """Incidents at ``points`` [(easting, northing), ...] with extra columns."""
    xy = np.asarray(points, dtype=float).reshape(-1, 2)
    return pd.DataFrame({"easting": xy[:, 0], "northing": xy[:, 1], **columns})


def at(when: str, n: int, precision: str = "minute") -> dict:
    """Time columns for ``n`` records all at local time ``when``."""
    stamp = pd.Series(pd.to_datetime([when] * n)).dt.tz_localize(LOCAL_TZ)
    return {"occurred_from": stamp, "occurred_to": stamp, "time_precision": [precision] * n}


def partition(labels) -> tuple[frozenset, frozenset]:
    """``(clusters as sets of row positions, noise rows)``: labels compared up to renaming."""
    labels = np.asarray(labels)
    groups = pd.Series(np.arange(len(labels))).groupby(labels).agg(frozenset)
    return frozenset(g for k, g in groups.items() if k >= 0), frozenset(np.flatnonzero(labels < 0))


def sklearn_raw(points: np.ndarray, eps: float, min_samples: int, weight=None, order=None):
    """scikit-learn's DBSCAN on the raw rows taken in ``order``; labels and core flags back in row order.

    With the k-d tree, which scikit-learn picks itself from 12 points on (below, brute force).
    """
    order = np.arange(len(points)) if order is None else order
    model = DBSCAN(eps=eps, min_samples=min_samples, algorithm="kd_tree")
    model.fit(points[order], sample_weight=None if weight is None else weight[order])
    labels = np.empty(len(points), dtype=np.int64)
    labels[order] = model.labels_
    core = np.zeros(len(points), bool)
    core[order[model.core_sample_indices_]] = True
    return labels, core


def assert_same_as_sklearn(points: np.ndarray, eps: float, min_samples: int, weight=None) -> None:
    """Ours equals scikit-learn on the raw rows sorted by (easting, northing); against the
    rows in their own order, only border points within reach of two clusters may differ,
    and each is then in one of the clusters it can reach."""
    inc = frame(points)
    if weight is None:
        ours = dbscan(inc, eps_m=eps, min_samples=min_samples).labels.to_numpy()
    else:
        ours = dbscan(inc, eps_m=eps, min_weight=float(min_samples), weights=pd.Series(weight)).labels.to_numpy()
    if weight is not None and weight.sum() < min_samples:  # scikit-learn refuses all-zero weights
        assert (ours < 0).all()
        return
    order = np.lexsort((points[:, 1], points[:, 0]))
    sorted_labels, _ = sklearn_raw(points, eps, min_samples, weight, order)
    assert partition(ours) == partition(sorted_labels)
    theirs, core = sklearn_raw(points, eps, min_samples, weight)
    assert partition(ours[core]) == partition(theirs[core])
    assert set(np.flatnonzero(ours < 0)) == set(np.flatnonzero(theirs < 0))
    to_ours = dict(zip(theirs[core], ours[core]))  # a bijection on core points (checked just above)
    near = KDTree(points).query_radius(points, r=eps)
    for i in np.flatnonzero((ours != pd.Series(theirs).map(to_ours).fillna(-1).to_numpy()) & ~core):
        reachable = set(ours[near[i][core[near[i]]]])
        assert len(reachable) >= 2 and ours[i] in reachable  # an ambiguous border point, nothing else


# --- tiny exact cases ----------------------------------------------------------------------

def two_groups() -> pd.DataFrame:
    # group A: 3 at (0, 0) and 1 at exactly eps = 100 m east; group B: 4 at one spot; 1 noise
    pts = [(0, 0)] * 3 + [(100, 0)] + [(1000, 1000)] * 4 + [(5000, 0)]
    cats = ["Burglary"] * 4 + ["Robbery", "Robbery", "Robbery", "Drugs", "Drugs"]
    return frame(pts, category=cats, harm_weight=np.array([1, 1, 1, 1, 5, 5, 5, 5, 9], dtype="float32"))


def test_two_tight_groups_and_noise_with_the_eps_boundary_inclusive():
    res = dbscan(two_groups(), eps_m=100, min_samples=4)
    # (0, 0) sees 3 + the one at exactly 100 m = 4: core; B is core by itself; the far one is noise
    assert res.labels.tolist() == [1, 1, 1, 1, 2, 2, 2, 2, -1]
    assert res.noise_share == pytest.approx(1 / 9)
    c = res.clusters
    assert c["cluster_id"].tolist() == [1, 2] and c["incidents"].tolist() == [4, 4]
    assert c["harm"].tolist() == [4.0, 20.0] and c["weight"].tolist() == [4.0, 4.0]
    assert c["distinct_points"].tolist() == [2, 1]
    assert c["centroid_easting"].tolist() == [25.0, 1000.0] and c["centroid_northing"].tolist() == [0.0, 1000.0]
    assert c["dominant_categories"].tolist() == ["Burglary 100%", "Robbery 75%, Drugs 25%"]


def test_just_inside_eps_is_not_enough():
    res = dbscan(two_groups(), eps_m=99.999, min_samples=4)
    assert res.labels.tolist() == [-1, -1, -1, -1, 1, 1, 1, 1, -1]


def test_ties_in_size_are_numbered_by_weight_then_position():
    inc = frame([(0, 0)] * 3 + [(1000, 0)] * 3)
    assert dbscan(inc, eps_m=50, min_samples=3).labels.tolist() == [1, 1, 1, 2, 2, 2]
    weighted = dbscan(inc, eps_m=50, min_samples=3, weights=pd.Series([1.0, 1, 1, 2, 2, 2]))
    assert weighted.labels.tolist() == [2, 2, 2, 1, 1, 1]
    assert weighted.noise_share == 0.0


def test_border_point_between_two_clusters_goes_by_the_first_core_location():
    # cores at x=0 (with 3 at x=-100) and x=300 (with 3 at x=400); the incident at x=150 sees
    # only 3 incidents (itself, x=0 and x=300): a border point both clusters reach
    inc = frame([(400, 0)] * 3 + [(300, 0), (150, 0), (0, 0)] + [(-100, 0)] * 3)
    res = dbscan(inc, eps_m=150, min_samples=4)
    assert res.labels.tolist() == [2, 2, 2, 2, 1, 1, 1, 1, 1]  # joins the westernmost core's cluster
    assert res.clusters["incidents"].tolist() == [5, 4]
    mirrored = inc.assign(easting=-inc["easting"])
    assert dbscan(mirrored, eps_m=150, min_samples=4).labels.tolist() == [1, 1, 1, 1, 1, 2, 2, 2, 2]


def test_border_point_against_sklearn_in_row_order():
    # scikit-learn on these rows meets the eastern core first and gives it the border point
    points = np.array([(400, 0)] * 3 + [(300, 0), (150, 0), (0, 0)] + [(-100, 0)] * 3, dtype=float)
    theirs, _ = sklearn_raw(points, 150.0, 4)
    assert theirs.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert_same_as_sklearn(points, 150.0, 4)  # differs only there, as documented


def test_eps_boundary_is_inclusive_at_national_grid_magnitudes():
    inc = frame([(530_000.0, 180_000.0)] * 2 + [(530_100.0, 180_000.0), (530_000.0, 180_100.0)])
    assert dbscan(inc, eps_m=100, min_samples=4).labels.tolist() == [1, 1, 1, 1]
    assert (dbscan(inc, eps_m=99.99999, min_samples=4).labels < 0).all()


def test_shapes_hull_buffer_and_outline():
    inc = frame([(0, 0)] * 5 + [(0, 0), (60, 0), (60, 80)] * 3, category=["x"] * 14)
    res = dbscan(inc, eps_m=100, min_samples=3)
    c = res.clusters
    assert c.crs.to_epsg() == 27700 and c.geometry.name == "outline"
    hull = c["hull"].iloc[0]
    assert hull.geom_type == "Polygon" and hull.area == pytest.approx(60 * 80 / 2)
    outline = c.geometry.iloc[0]
    assert outline.geom_type == "Polygon"  # eps/2 discs of one DBSCAN cluster always touch
    assert outline.contains(shapely.points([(0, 0), (60, 0), (60, 80)])).all()
    assert c["area_km2"].iloc[0] == pytest.approx(outline.area / 1e6)
    single = dbscan(frame([(10, 20)] * 4), eps_m=100, min_samples=4).clusters
    assert single["hull"].iloc[0].geom_type == "Polygon"  # a point buffered by HULL_BUFFER_M
    assert single["hull"].iloc[0].area == pytest.approx(np.pi * HULL_BUFFER_M ** 2, rel=0.02)
    assert single.geometry.iloc[0].area == pytest.approx(np.pi * 50 ** 2, rel=0.03)  # a 16-gon


def test_layers_for_export_have_one_geometry_each(tmp_path):
    res = dbscan(two_groups(), eps_m=100, min_samples=4)
    layers = res.layers()
    assert list(layers) == ["outline", "hull"]
    for name, layer in layers.items():
        assert layer.geometry.name == "geometry" and layer.crs.to_epsg() == 27700
        assert list(layer.columns) == [*CLUSTER_COLUMNS, "geometry"]
        assert layer.geometry.equals(res.clusters[name])
        layer.to_file(tmp_path / "clusters.gpkg", layer=name)
    empty = dbscan(frame([(0, 0)]), eps_m=100, min_samples=2).layers()
    assert all(len(layer) == 0 for layer in empty.values())


def test_no_clusters_is_an_empty_frame_with_the_columns_and_an_actionable_warning():
    res = dbscan(frame([(0, 0), (1000, 0), (0, 1000)]), eps_m=100, min_samples=2)
    assert len(res.clusters) == 0
    assert list(res.clusters.columns) == [*CLUSTER_COLUMNS, "hull", "outline"]
    assert res.clusters.dtypes.astype(str).to_dict() == {**CLUSTER_COLUMNS, "hull": "geometry", "outline": "geometry"}
    assert res.labels.tolist() == [-1, -1, -1] and res.noise_share == 1.0
    assert any("no clusters" in w and "the most is 1" in w and "lower min_samples to 1" in w
               for w in res.card.warnings)


def test_no_incidents():
    res = dbscan(frame([]), eps_m=100, min_samples=2)
    assert len(res.labels) == 0 and len(res.clusters) == 0 and res.noise_share == 0.0
    assert any("only 0 incidents" in w for w in res.card.warnings)


# --- weights -------------------------------------------------------------------------------

def test_min_weight_counts_harm_not_incidents():
    inc = frame([(0, 0)] * 2 + [(1000, 0)] * 5, harm_weight=np.array([10, 10, 1, 1, 1, 1, 1], dtype="float32"))
    by_count = dbscan(inc, eps_m=50, min_samples=5)
    assert by_count.labels.tolist() == [-1, -1, 1, 1, 1, 1, 1]
    by_harm = dbscan(inc, eps_m=50, min_weight=20.0, weights="harm_weight")
    assert by_harm.labels.tolist() == [1, 1, -1, -1, -1, -1, -1]
    assert by_harm.clusters["weight"].tolist() == [20.0]
    assert by_harm.noise_share == pytest.approx(5 / 25)  # by weight when weighted
    assert by_harm.card.parameters["min_weight"] == 20.0 and by_harm.card.rules["min_weight"] == "given"
    just_short = dbscan(inc, eps_m=50, min_weight=20.5, weights="harm_weight")
    assert len(just_short.clusters) == 0


def test_weights_series_nan_counts_zero_and_fractional_threshold_is_exact():
    inc = frame([(0, 0)] * 4)
    w = pd.Series([0.5, 0.25, 0.25, np.nan])
    assert dbscan(inc, eps_m=10, min_weight=1.0, weights=w).labels.tolist() == [1, 1, 1, 1]
    assert len(dbscan(inc, eps_m=10, min_weight=1.0000001, weights=w).clusters) == 0


def test_weights_without_a_threshold_use_the_weighted_rule():
    inc = frame([(0, 0)] * 30, harm_weight=np.ones(30, dtype="float32"))
    res = dbscan(inc, eps_m=100, weights="harm_weight")
    assert "min_weight" in res.card.parameters and "min_samples" not in res.card.parameters


WEIGHTED_CASES = (st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(0, 3)), min_size=1,
                           max_size=60), st.sampled_from([10.0, 20.0, 25.0, 30.0, 15.0]), st.integers(1, 9))
RAW_CASES = (st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), min_size=1, max_size=80),
             st.sampled_from([10.0, 14.142135623730951, 20.0, 25.0, 30.0]), st.integers(1, 8), st.randoms())
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MANY = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def weighted_case(rows, eps, threshold):
    points = np.array([(10.0 * a, 10.0 * b) for a, b, _ in rows])
    weight = np.array([float(w) for *_, w in rows])  # 0 to 3, zeros included
    assert_same_as_sklearn(points, eps, threshold, weight)


def raw_case(cells, eps, min_samples, rnd):
    points = np.array([(10.0 * a, 10.0 * b) for a, b in cells])
    points = np.concatenate([points, points[: rnd.randint(0, len(points))]])  # more duplicates
    rnd.shuffle(points)
    assert_same_as_sklearn(points, eps, min_samples)


test_weighted_equals_sklearn_on_raw_points = FAST(given(*WEIGHTED_CASES)(weighted_case))

# --- equivalence with scikit-learn on the raw points -----------------------------------------

test_same_clusters_as_sklearn_on_raw_points_with_duplicates = FAST(given(*RAW_CASES)(raw_case))
test_weighted_many_examples = pytest.mark.slow(MANY(given(*WEIGHTED_CASES)(weighted_case)))
test_raw_many_examples = pytest.mark.slow(MANY(given(*RAW_CASES)(raw_case)))


def test_same_clusters_as_sklearn_on_demo_subsets(demo):
    rng = np.random.default_rng(4)
    for rows, eps, min_samples in ((3000, 150.0, 40), (4000, 100.0, 25), (2500, 200.0, 60)):
        sub = demo.iloc[rng.choice(len(demo), rows, replace=False)]
        assert_same_as_sklearn(sub[["easting", "northing"]].to_numpy(), eps, min_samples)


# --- invariants -------------------------------------------------------------------------------

@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), min_size=1, max_size=60),
       st.sampled_from([10.0, 15.0, 20.0]), st.integers(1, 6), st.randoms())
@settings(max_examples=30, deadline=None)
def test_row_order_does_not_change_the_clusters(cells, eps, min_samples, rnd):
    inc = frame([(10.0 * a, 10.0 * b) for a, b in cells], category=[f"c{a % 3}" for a, _ in cells])
    res = dbscan(inc, eps_m=eps, min_samples=min_samples)
    order = list(range(len(inc)))
    rnd.shuffle(order)
    shuffled = dbscan(inc.iloc[order], eps_m=eps, min_samples=min_samples)
    pd.testing.assert_series_equal(shuffled.labels.sort_index(), res.labels)  # even the ids agree
    pd.testing.assert_frame_equal(pd.DataFrame(shuffled.clusters.drop(columns=["hull", "outline"])),
                                  pd.DataFrame(res.clusters.drop(columns=["hull", "outline"])))


def test_inputs_are_not_modified(demo):
    inc = demo.iloc[:3000].copy()
    inc.index = inc.index[::-1] + 7  # a non-default index is kept in the labels
    weights = inc["harm_weight"].astype(float).rename("harm")
    before, before_w = inc.copy(deep=True), weights.copy(deep=True)
    res = dbscan(inc, eps_m=150, min_weight=100.0, weights=weights)
    pd.testing.assert_frame_equal(inc, before)
    pd.testing.assert_series_equal(weights, before_w)
    assert res.labels.index.equals(inc.index)


# --- summaries ------------------------------------------------------------------------------

def test_dominant_categories_text_top_three_with_ties_by_name():
    cats = ["Violence and sexual offences"] * 6 + ["Public order"] * 2 + ["Drugs", "Arson", "Burglary"] + [None]
    res = dbscan(frame([(0, 0)] * 12, category=cats), eps_m=100, min_samples=5)
    assert res.clusters["dominant_categories"].iloc[0] == \
        "Violence and sexual offences 50%, Public order 17%, (no category) 8%"
    cats = ["Violence and sexual offences"] * 5 + ["Public order"] * 2 + ["Drugs", "Arson", "Burglary"]
    res = dbscan(frame([(0, 0)] * 10, category=cats), eps_m=100, min_samples=5)
    assert res.clusters["dominant_categories"].iloc[0] == \
        "Violence and sexual offences 50%, Public order 20%, Arson 10%"


def test_peak_band_day_and_hour_of_friday_23h_records_is_nte():
    # 2024-06-07 is a Friday: 23:00 is in both nte (21:00-04:00) and overnight (18:00-09:00); nte is tighter
    inc = frame([(0, 0)] * 6, **at("2024-06-07 23:00", 6))
    c = dbscan(inc, eps_m=100, min_samples=5).clusters
    assert c["peak_band"].iloc[0] == "nte" and c["peak_band_share"].iloc[0] == 1.0
    assert c["peak_day"].iloc[0] == "Friday" and c["peak_hour"].iloc[0] == 23


def test_peak_band_daytime_and_no_time_of_day():
    day = frame([(0, 0)] * 5, **at("2024-06-04 11:30", 5))  # a Tuesday morning
    c = dbscan(day, eps_m=100, min_samples=5).clusters
    assert (c["peak_band"].iloc[0], c["peak_day"].iloc[0], c["peak_hour"].iloc[0]) == ("daytime", "Tuesday", 11)
    untimed = frame([(0, 0)] * 5, **at("2024-06-04 00:00", 5, precision="day"))
    c = dbscan(untimed, eps_m=100, min_samples=5).clusters
    assert c["peak_band"].iloc[0] == "no time of day" and c["peak_day"].iloc[0] == "no time of day"
    assert pd.isna(c["peak_hour"].iloc[0]) and pd.isna(c["peak_band_share"].iloc[0])


def test_summaries_without_optional_columns():
    c = dbscan(frame([(0, 0)] * 5), eps_m=100, min_samples=5).clusters
    assert c["dominant_categories"].iloc[0] == "" and pd.isna(c["harm"].iloc[0])
    assert c["peak_band"].iloc[0] == "no time of day"


# --- card and warnings ------------------------------------------------------------------------

def test_defaults_and_their_rules_in_the_card():
    inc = frame([(0, 0)] * 30, location_precision_m=np.full(30, 150.0, dtype="float32"))
    res = dbscan(inc)
    assert res.card.parameters["eps_m"] == 150.0 and "median location precision" in res.card.rules["eps_m"]
    assert res.card.parameters["min_samples"] == 20 and "at least 20" in res.card.rules["min_samples"]
    assert res.labels.tolist() == [1] * 30
    assert dbscan(frame([(0, 0)] * 30)).card.parameters["eps_m"] == 100.0


def test_warns_when_eps_is_below_the_location_precision():
    inc = frame([(0, 0)] * 30, location_precision_m=np.full(30, 150.0, dtype="float32"))
    warnings = dbscan(inc, eps_m=50, min_samples=5).card.warnings
    assert any("eps_m=50 is smaller than the location precision" in w and "Use eps_m=150 or more" in w
               for w in warnings)
    assert not dbscan(inc, eps_m=150, min_samples=5).card.warnings


def test_warns_about_too_few_incidents_and_one_huge_cluster():
    res = dbscan(frame([(0, 0)] * 3), eps_m=100, min_samples=20)
    assert any("only 3 incidents in this selection, fewer than min_samples=20" in w for w in res.card.warnings)
    grid = [(100.0 * i, 100.0 * j) for i in range(13) for j in range(13)]  # 1.2 km x 1.2 km
    res = dbscan(frame(grid + [(9000.0 + 300 * k, 0.0) for k in range(31)]), eps_m=100, min_samples=3)
    assert any(w.startswith("cluster 1 holds 84% of the incidents over 1.3 km²: too spread out to patrol")
               for w in res.card.warnings)
    assert not dbscan(frame([(0, 0)] * 9 + [(900, 0)]), eps_m=100, min_samples=3).card.warnings  # dense, small


# --- the study area ----------------------------------------------------------------------------

SQUARE_KM = shapely.box(0, 0, 1000, 1000)  # a 1 km² study area


def study_case() -> pd.DataFrame:
    """200 incidents at one point and 10 scattered ones in the square; 100 at one point 5 km east."""
    scattered = [(50.0 + 100 * i, 950.0) for i in range(10)]
    return frame([(500, 500)] * 200 + scattered + [(5000, 0)] * 100)


def test_study_area_sets_the_default_min_samples_by_hand():
    res = dbscan(study_case(), eps_m=100, study_area=SQUARE_KM)
    # 210 incidents in 1 km²: an eps disc holds 210 x π 100² / 1e6 = 6.597; x 5 = 32.99 -> 33
    assert res.card.parameters["min_samples"] == 33
    assert res.card.rules["min_samples"] == ("5 x the 6.6 incidents an eps disc holds at the mean density of the "
                                             "study area (the study area given, 1.0 km², with 210 incidents inside "
                                             "it), at least 20 (automatic)")
    assert res.card.data["incidents_in_study_area"] == 210 and res.card.data["incidents_outside_study_area"] == 100
    # without it: all 310 over the convex hull of the locations, 1.3275 km²: 5 x 7.34 = 36.7 -> 37
    assert dbscan(study_case(), eps_m=100).card.parameters["min_samples"] == 37


def test_shares_are_of_the_study_areas_incidents():
    res = dbscan(study_case(), eps_m=100, study_area=SQUARE_KM)
    c = res.clusters
    assert c["incidents"].tolist() == [200, 100]  # the margin still clusters...
    assert c["share"].tolist() == [200 / 210, 0.0]  # ...but is no share of the study area
    assert res.noise_share == 10 / 210
    plain = dbscan(study_case(), eps_m=100, min_samples=33)
    assert plain.clusters["share"].tolist() == [200 / 310, 100 / 310] and plain.noise_share == 10 / 310
    pd.testing.assert_series_equal(res.labels, plain.labels)
    weighted = dbscan(study_case().assign(harm_weight=2.0), eps_m=100, study_area=SQUARE_KM, weights="harm_weight")
    assert weighted.card.parameters["min_weight"] == 66.0  # 5 x 420 x π 100² / 1e6 = 65.97, up to 0.1
    assert weighted.noise_share == 20 / 420


def test_a_margin_changes_neither_the_rule_nor_the_shares():
    inside = study_case().iloc[:210]
    alone = dbscan(inside, eps_m=100, study_area=SQUARE_KM)
    rng = np.random.default_rng(3)
    ring = rng.uniform(-5000, 6000, (3000, 2))
    ring = ring[~shapely.intersects_xy(SQUARE_KM.buffer(200), ring[:, 0], ring[:, 1])]  # more than eps away
    more = dbscan(pd.concat([inside, frame(ring)], ignore_index=True), eps_m=100, study_area=SQUARE_KM)
    assert more.card.parameters == alone.card.parameters
    assert more.card.rules["min_samples"] == alone.card.rules["min_samples"]
    assert more.clusters["share"].tolist() == alone.clusters["share"].tolist()
    assert more.noise_share == alone.noise_share


def test_study_area_checks_and_warnings():
    with pytest.raises(TypeError, match="The 'study_area' parameter of dbscan must be a shapely geometry, GeoSeries, "
                                        "GeoDataFrame or None. Got ndarray instead."):
        dbscan(two_groups(), study_area=np.ones((2, 2), bool))
    with pytest.raises(HotspotError, match="dbscan: the study area has no area"):
        dbscan(two_groups(), study_area=shapely.Point(0, 0))
    res = dbscan(study_case(), eps_m=100, study_area=shapely.box(-9000, -9000, -8000, -8000))
    assert res.card.parameters["min_samples"] == 20 and (res.clusters["share"] == 0).all()
    assert res.noise_share == 0.0
    assert ("none of the 310 incidents is in the study area, so every share is 0; check that both are in "
            "EPSG:27700 (British National Grid).") in res.card.warnings


# --- validation -----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, message", [
    ({"eps_m": -1}, HotspotError,
     "The 'eps_m' parameter of dbscan must be a float in the range (0.0, inf). Got -1 instead."),
    ({"eps_m": "100"}, TypeError, "The 'eps_m' parameter of dbscan must be a float. Got '100' instead."),
    ({"min_samples": 0}, HotspotError,
     "The 'min_samples' parameter of dbscan must be an int in the range [1, inf). Got 0 instead."),
    ({"min_samples": 2.5}, TypeError, "The 'min_samples' parameter of dbscan must be an int. Got 2.5 instead."),
    ({"min_weight": 0.0, "weights": "harm_weight"}, HotspotError,
     "The 'min_weight' parameter of dbscan must be a float in the range (0.0, inf). Got 0.0 instead."),
    ({"method": "optics"}, HotspotError,
     "The 'method' parameter of dbscan must be one of 'dbscan', 'hdbscan'. Got 'optics' instead."),
    ({"min_weight": 5.0}, HotspotError, "dbscan: min_weight needs weights, e.g. weights='harm_weight'"),
    ({"min_weight": 5.0, "min_samples": 3, "weights": "harm_weight"}, HotspotError,
     "dbscan: give min_samples (incidents) or min_weight (weight), not both."),
    ({"min_cluster_size": 5}, HotspotError, "dbscan: min_cluster_size applies to method='hdbscan' only"),
    ({"bands": "nte"}, TypeError, "The 'bands' parameter of dbscan must be a TimeBands"),
    ({"weights": 3}, TypeError, "The 'weights' parameter of dbscan must be a column name (str)"),
    ({"weights": "harm"}, HotspotError,
     "dbscan: weights column 'harm' is not in the incident table; name one of its columns (e.g. 'harm_weight') "
     "or pass None."),
])
def test_messages_in_sklearn_wording(kwargs, error, message):
    with pytest.raises(error) as info:
        dbscan(two_groups(), **kwargs)
    assert str(info.value).startswith(message)


def test_incidents_must_be_a_frame_with_coordinates():
    with pytest.raises(TypeError, match="The 'incidents' parameter of dbscan must be a pandas DataFrame. Got list"):
        dbscan([(0, 0)])
    with pytest.raises(HotspotError, match="dbscan needs the incident columns 'easting' and 'northing'"):
        dbscan(pd.DataFrame({"x": [1.0]}))


# --- HDBSCAN --------------------------------------------------------------------------------

def test_hdbscan_with_unit_weights_is_sklearn_hdbscan():
    rng = np.random.default_rng(7)
    points = np.concatenate([rng.normal((0, 0), 30, (60, 2)), rng.normal((500, 0), 40, (50, 2)),
                             rng.normal((200, 400), 20, (30, 2)), rng.uniform(-300, 800, (40, 2))])
    ours = dbscan(frame(points), method="hdbscan", min_samples=5, min_cluster_size=8, eps_m=50).labels
    theirs = HDBSCAN(min_cluster_size=8, min_samples=5, copy=True).fit(points).labels_
    assert partition(ours) == partition(theirs)
    assert ours.max() >= 3


def test_hdbscan_counts_duplicates_as_density():
    # 12 locations on a line 20 m apart: one of them holds 40 incidents
    xs = np.arange(12) * 20.0
    pts = [(x, 0.0) for x in xs] + [(0.0, 5000.0)] * 40 + [(x, 5000.0) for x in xs[1:]]
    res = dbscan(frame(pts), method="hdbscan", min_samples=10, min_cluster_size=3, eps_m=50)
    assert res.card.method == "hdbscan" and res.card.parameters["min_cluster_size"] == 3
    assert len(res.clusters) >= 1
    assert (res.labels.iloc[12:52] == res.labels.iloc[12]).all() and res.labels.iloc[12] > 0


def test_hdbscan_runs_on_a_demo_subset(demo):
    sub = demo.iloc[np.random.default_rng(1).choice(len(demo), 20_000, replace=False)]
    res = dbscan(sub, method="hdbscan", min_cluster_size=10)
    assert len(res.clusters) > 0 and 0 <= res.noise_share < 1
    assert res.clusters["incidents"].is_monotonic_decreasing
    assert set(res.labels.unique()) == {-1, *res.clusters["cluster_id"]}


# --- the demo workspace -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    from hotspot_tasking.geo.workspace import Workspace
    return Workspace.open("data/demo").incidents()


def test_demo_workspace_defaults(demo):
    res = dbscan(demo)
    card, c = res.card, res.clusters
    assert card.parameters["eps_m"] == 150.0  # police.uk precision
    assert card.data["incidents"] == len(demo) and card.data["distinct_points"] < 20_000
    assert 5 <= len(c) <= 100 and 0.3 < res.noise_share < 0.9
    assert c["incidents"].sum() == (res.labels > 0).sum()
    assert c["incidents"].is_monotonic_decreasing and c["cluster_id"].tolist() == list(range(1, len(c) + 1))
    assert res.noise_share == pytest.approx((res.labels < 0).mean())
    assert c["harm"].gt(0).all() and c["dominant_categories"].str.contains("%").all()
    assert c["peak_band"].isin(["nte", "after_school", "overnight", "daytime"]).all()
    assert c.geometry.is_valid.all() and c["hull"].is_valid.all()
    inside = shapely.contains_xy(c.geometry.iloc[0], demo.loc[res.labels == 1, "easting"],
                                 demo.loc[res.labels == 1, "northing"])
    assert inside.all()
    assert not card.warnings
