"""The study area's rule, the same in KDE, hotspot areas, DBSCAN and Gi*: cell size,
bandwidth, thresholds and shares come from the incidents and cells of the study area, so
that a workspace's import margin round its wards changes none of them.

Real records: the City of London's police.uk street records (tests/fixtures/police_uk) in
the City's six LSOAs, with the real police.uk API records of Lambeth and Wandsworth that
lie within 5 km of the City as the margin a workspace would import round it; and the demo
workspace (real police.uk places) for the coverage rule.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import API_CSV, CITY_AREA, FIXTURES, LAMBETH_WANDSWORTH_AREA, POLICE_DIR, read

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.boundaries.store import study_area
from hotspot_tasking.geo.timebands import TimeBands
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.areas import DEFAULT_COVERAGE, MIN_HOTSPOT_INCIDENTS
from hotspot_tasking.hotspots.dbscan import dbscan
from hotspot_tasking.hotspots.gistar import gistar
from hotspot_tasking.hotspots.kde import kde
from hotspot_tasking.hotspots.run import HotspotRequest, analyse, backtest_request

MARGIN_M = 5000.0


@pytest.fixture(scope="module")
def city():
    """``(the City as one polygon, its own records, its records plus the margin's, the margin's nearest distance)``."""
    lsoas = gpd.read_file(FIXTURES / "boundaries" / "city_lsoa_2011.gpkg")
    area = shapely.union_all(lsoas.loc[lsoas["LAD11NM"] == "City of London"].geometry.values)
    own = read("police_uk", POLICE_DIR, area=CITY_AREA).incidents
    api = read("police_uk_api", API_CSV, area=LAMBETH_WANDSWORTH_AREA).incidents
    distance = shapely.distance(area, shapely.points(api["easting"], api["northing"]))
    near = (distance > 0) & (distance <= MARGIN_M)
    assert near.sum() == 70  # real records south of the river, 0.6 to 5 km from the City
    return area, own, pd.concat([own, api[near]], ignore_index=True), float(distance[near].min())


def test_the_margin_is_real_and_would_change_every_rule(city):
    """Without a study area, the margin widens the bandwidth and lowers DBSCAN's min_samples."""
    _, own, with_margin, _ = city
    assert kde(own).card.parameters["bandwidth_m"] == 222.0
    assert kde(with_margin).card.parameters["bandwidth_m"] == 394.0
    assert dbscan(own).card.parameters["min_samples"] == 45
    assert dbscan(with_margin).card.parameters["min_samples"] == 20


def test_kde_bandwidth_and_grid_ignore_the_margin(city):
    area, own, with_margin, _ = city
    alone, more = kde(own, study_area=area), kde(with_margin, study_area=area)
    assert alone.card.parameters == more.card.parameters
    assert alone.card.parameters["bandwidth_m"] == 208.0 and alone.grid == more.grid
    assert "n = 295 incidents inside the study area (17 outside it left out" in alone.card.rules["bandwidth_m"]
    assert "n = 295 incidents inside the study area (87 outside it left out" in more.card.rules["bandwidth_m"]


def test_kde_threshold_and_shares_ignore_the_margin(city):
    area, own, with_margin, nearest = city
    alone, more = kde(own, study_area=area), kde(with_margin, study_area=area)
    assert nearest > alone.card.parameters["bandwidth_m"]  # so no margin record reaches a study area cell
    np.testing.assert_array_equal(more.density[more.study_mask], alone.density[alone.study_mask])
    before, after = alone.hotspots(), more.hotspots()
    pd.testing.assert_frame_equal(after, before)
    assert after.attrs == before.attrs and len(after) > 0
    # the reported case: the share is of the study area's incidents, not of all given
    inside = alone.study_mask[more.grid.locate(with_margin["easting"], with_margin["northing"])].sum()
    assert after.attrs["study_incidents"] == inside < len(with_margin)
    assert after["share"].tolist() == pytest.approx((after["incidents"] / inside).tolist())


def test_incidents_just_outside_add_density_but_choose_nothing(city):
    area, own, _, _ = city
    inside = own[shapely.intersects_xy(area, own["easting"], own["northing"])]
    assert len(own) - len(inside) == 17  # police.uk map points on streets just outside the City
    a, b = kde(inside, study_area=area), kde(own, study_area=area)
    assert a.card.parameters == b.card.parameters
    assert (b.density >= a.density).all() and (b.density[b.study_mask] > a.density[a.study_mask]).any()


def test_dbscan_rule_and_shares_ignore_the_margin(city):
    area, own, with_margin, _ = city
    alone, more = dbscan(own, study_area=area), dbscan(with_margin, study_area=area)
    assert alone.card.parameters == more.card.parameters and alone.card.parameters["min_samples"] == 36
    assert alone.card.rules["min_samples"] == more.card.rules["min_samples"]
    assert "the study area given, 2.9 km², with 295 incidents inside it" in alone.card.rules["min_samples"]
    pd.testing.assert_frame_equal(pd.DataFrame(more.clusters.drop(columns=["hull", "outline"])),
                                  pd.DataFrame(alone.clusters.drop(columns=["hull", "outline"])))
    assert more.noise_share == alone.noise_share
    inside = shapely.intersects_xy(area, own["easting"], own["northing"])
    labels = alone.labels.to_numpy()
    assert alone.clusters["share"].tolist() == [((labels == c) & inside).sum() / inside.sum()
                                                for c in alone.clusters["cluster_id"]]


def test_gistar_statistics_ignore_the_margin(city):
    area, own, with_margin, _ = city
    alone, more = gistar(own, study_mask=area), gistar(with_margin, study_mask=area)
    pd.testing.assert_frame_equal(more.frame, alone.frame)
    keys = ("cells", "counted", "count_mean", "count_sd")
    assert {k: more.card.data[k] for k in keys} == {k: alone.card.data[k] for k in keys}
    counts = alone.frame["count"].to_numpy()
    assert alone.card.data["count_mean"] == counts.mean() and alone.card.data["count_sd"] == counts.std()
    assert more.card.data["incidents_outside"] - alone.card.data["incidents_outside"] == 70


@pytest.mark.parametrize("method", ["kde", "dbscan", "gistar"])
def test_a_workspace_analysis_ignores_the_margin(city, method):
    area, own, with_margin, _ = city
    request = HotspotRequest(method=method)
    bands = TimeBands.load()
    alone, more = analyse(request, own, bands=bands, study_area=area), analyse(request, with_margin, bands=bands,
                                                                               study_area=area)
    assert alone.card.parameters == more.card.parameters
    for name, layer in alone.layers.items():
        pd.testing.assert_frame_equal(more.layers[name], layer)


def coverage_checks(res, spots_all) -> None:
    """The hottest DEFAULT_COVERAGE of the study area's cells are hot: k of them, plus ties at the level."""
    values = res.density[res.study_mask]
    k = math.floor(DEFAULT_COVERAGE * values.size)
    level = spots_all.attrs["threshold_value"]
    ties = int((values == level).sum())
    hot = int(spots_all["cells"].sum())
    assert level == np.sort(values)[-k] and k <= hot <= k - 1 + ties
    assert hot == int(((values >= level) & (values > 0)).sum())


def test_the_coverage_rule_makes_five_percent_of_the_city_hot(city):
    area, own, _, _ = city
    res = kde(own, study_area=area)
    coverage_checks(res, res.hotspots(min_incidents=0))
    assert res.hotspots()["cells"].sum() / res.study_mask.sum() == pytest.approx(DEFAULT_COVERAGE, abs=0.002)


@pytest.fixture(scope="module")
def demo():
    ws = Workspace.open(DEMO_WORKSPACE)
    return ws.incidents(), study_area(ws), ws.time_bands()


def test_the_coverage_rule_on_the_demo_and_small_hotspots_dropped(demo):
    inc, area, bands = demo
    run = analyse(HotspotRequest(start="2017-07-01", end="2017-07-31", cell_size_m=50, bandwidth_m=150), inc,
                  bands=bands, study_area=area)
    res = run.surface
    every = res.hotspots(min_incidents=0)
    coverage_checks(res, every)
    spots = run.layers["hotspots"]
    small = every["incidents"] < MIN_HOTSPOT_INCIDENTS
    assert small.sum() == spots.attrs["dropped"] == 5  # hot regions round one or two incidents
    kept = every[~small].reset_index(drop=True).assign(hotspot_id=lambda f: np.arange(1, len(f) + 1))
    pd.testing.assert_frame_equal(spots, kept)
    assert spots["share"].sum() == pytest.approx(every["share"].sum() - every.loc[small, "share"].sum())
    # the old rule on the same surface: twice the mean makes a far larger area "hot"
    old = res.hotspots(threshold="mean_multiple", min_incidents=0)
    assert old["cells"].sum() > 2.5 * spots["cells"].sum()


def test_the_kde_backtest_uses_one_bandwidth_from_the_study_area_in_every_period():
    ws = Workspace.open(DEMO_WORKSPACE)
    request = HotspotRequest(categories=("Burglary",))
    result, _, grid = backtest_request(ws, request)
    chosen = ws.incidents().pipe(lambda t: t[t["category"].astype(str).eq("Burglary")])
    whole = kde(chosen, grid=grid, study_area=study_area(ws))
    assert result.card.parameters["bandwidth_m"] == whole.card.parameters["bandwidth_m"]
    assert "the same in each" in result.card.rules["bandwidth_m"]
    assert "incidents inside the study area" in result.card.rules["bandwidth_m"]
