"""Every public boundary function checks its arguments first, in scikit-learn's wording:
TypeError for a wrong type, BoundaryError (one sentence: what, where, the fix) for a wrong
value; frames given are never modified. Assignment's own checks are in test_assign.py."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import FIXTURES

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.boundaries.compare import arrows, compare_areas, rag_status
from hotspot_tasking.boundaries.errors import BoundaryError
from hotspot_tasking.boundaries.layers import check_coverage, is_partition, layer_to_wgs84, load_layer
from hotspot_tasking.boundaries.residents import Residents, apportion_residents, residents_for_layer
from hotspot_tasking.boundaries.stats import area_stats, assign_periods, percent_change, poisson_z
from hotspot_tasking.boundaries.store import add_layer, add_population, area_layers, incidents_with_areas, population
from hotspot_tasking.geo.workspace import Workspace

KC_SHP = FIXTURES / "boundaries" / "kensington_chelsea_wards_2014.shp"
SQUARES = gpd.GeoDataFrame({"code": ["L1", "L2"]},
                           geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs=27700)


def incidents():
    frame = pd.DataFrame({"area": ["L1", "L1", "L2", ""], "harm_weight": [1.0, 2.0, 1.0, 1.0],
                          "time_precision": ["minute"] * 4, "category": ["Violence"] * 4})
    when = pd.to_datetime(["2017-06-05 10:00", "2017-07-05 10:00", "2017-07-06 10:00", "2017-07-07 10:00"])
    frame["occurred_from"] = frame["occurred_to"] = pd.Series(when).dt.tz_localize("Europe/London")
    return frame


# --- layers -------------------------------------------------------------------------------------
def test_load_layer_checks_its_options_before_reading_the_file(tmp_path):
    missing = tmp_path / "nope.shp"  # the option is refused before the missing file is noticed
    with pytest.raises(BoundaryError, match=r"The 'name' parameter of load_layer must be letters, digits, '_' or '-' "
                                            r"only \(it names the layer's file in the workspace\)\. Got 'my wards' "
                                            r"instead\."):
        load_layer(missing, kind="ward", name="my wards")
    with pytest.raises(BoundaryError, match=r"The 'vintage' parameter of load_layer must be letters.*Got '2014/15'"):
        load_layer(missing, kind="ward", vintage="2014/15")
    with pytest.raises(BoundaryError, match=r"The 'tolerance_m2' parameter of load_layer must be a float in the range "
                                            r"\[0\.0, inf\)\. Got -1 instead\."):
        load_layer(missing, kind="ward", tolerance_m2=-1)
    with pytest.raises(TypeError, match=r"The 'code_col' parameter of load_layer must be a str or None\. Got 3"):
        load_layer(missing, kind="ward", code_col=3)
    with pytest.raises(TypeError, match=r"The 'path' parameter of load_layer must be a path \(str or pathlib\.Path\)"):
        load_layer(None, kind="ward")


def test_coverage_partition_and_wgs84_check_their_arguments():
    with pytest.raises(BoundaryError, match=r"The 'tolerance_m2' parameter of check_coverage must be a float in the "
                                            r"range \[0\.0, inf\)\. Got -5 instead\."):
        check_coverage(SQUARES, tolerance_m2=-5)
    with pytest.raises(BoundaryError, match=r"check_coverage: the layer is in WGS 84 \(EPSG:4326\), not EPSG:27700"):
        check_coverage(SQUARES.to_crs(4326))
    with pytest.raises(TypeError, match=r"The 'frame' parameter of check_coverage must be a geopandas GeoDataFrame"):
        check_coverage(SQUARES.geometry)
    with pytest.raises(BoundaryError, match=r"The 'kind' parameter of is_partition must be one of 'ward', 'lsoa', "
                                            r"'zone'\. Got 'wards' instead\."):
        is_partition("wards")
    with pytest.raises(BoundaryError, match=r"layer_to_wgs84: the layer has no coordinate reference system; set it "
                                            r"with \.set_crs\(27700\)"):
        layer_to_wgs84(SQUARES.set_crs(None, allow_override=True))
    assert layer_to_wgs84(SQUARES).crs.to_epsg() == 4326


# --- the workspace's layers and population ------------------------------------------------------
def test_store_functions_need_a_workspace_and_known_layers():
    ws = Workspace.open(DEMO_WORKSPACE)
    with pytest.raises(TypeError, match=r"The 'ws' parameter of area_layers must be a Workspace "
                                        r"\(Workspace\.open\(path\)\)\. Got 'data/demo' instead\."):
        area_layers("data/demo")
    with pytest.raises(TypeError, match=r"The 'layer' parameter of add_layer must be an AreaLayer \(load_layer\)"):
        add_layer(ws, SQUARES)
    with pytest.raises(BoundaryError, match=r"The 'h3_resolutions' parameter of incidents_with_areas must be one or "
                                            r"more H3 resolutions, ints in the range \[0, 15\]\. Got \[16\] instead\."):
        incidents_with_areas(ws, h3_resolutions=[16])
    with pytest.raises(BoundaryError, match=r"The 'layer' parameter of add_population must be one of 'ward_2014', "
                                            r".*Got 'wards' instead\."):
        add_population(ws, "pop.csv", code_col="code", value_col="population", layer="wards")
    with pytest.raises(TypeError, match=r"The 'layer' parameter of population must be a str\. Got 2014 instead\."):
        population(ws, 2014)
    with pytest.raises(TypeError, match=r"The 'layer' parameter of residents_for_layer must be a str"):
        residents_for_layer(ws, None)


# --- residents ----------------------------------------------------------------------------------
def test_apportion_residents_checks_both_layers_and_leaves_them_alone():
    pop = pd.Series({"L1": 1000.0, "L2": 500.0})
    target = gpd.GeoDataFrame({"code": ["T"]}, geometry=[shapely.box(50, 0, 150, 100)], crs=27700)
    with pytest.raises(BoundaryError, match=r"apportion_residents: the target layer is in WGS 84 \(EPSG:4326\), not "
                                            r"EPSG:27700 \(British National Grid\); reproject it first"):
        apportion_residents(SQUARES, pop, target.to_crs(4326))
    with pytest.raises(BoundaryError, match=r"apportion_residents \(source layer \(LSOAs\)\) needs the column 'code'"):
        apportion_residents(SQUARES.rename(columns={"code": "LSOA11CD"}), pop, target)
    with pytest.raises(TypeError, match=r"The 'source_population' parameter of apportion_residents must be a pandas "
                                        r"Series\. Got dict instead\."):
        apportion_residents(SQUARES, pop.to_dict(), target)
    before = (SQUARES.copy(deep=True), pop.copy(), target.copy(deep=True))
    res = apportion_residents(SQUARES, pop, target)
    assert res.per_area["T"] == pytest.approx(750)
    pd.testing.assert_frame_equal(SQUARES, before[0])
    pd.testing.assert_series_equal(pop, before[1])
    pd.testing.assert_frame_equal(target, before[2])
    with pytest.raises(TypeError, match=r"The 'codes' parameter of Residents\.note_for must be a list of str "
                                        r"\(e\.g\. \['T'\]\)"):
        res.note_for("T")


def test_residents_note_for_needs_a_mapping_of_names():
    res = Residents(pd.Series({"A": 1.0}), "own", "note")
    with pytest.raises(TypeError, match=r"The 'names' parameter of Residents\.note_for must be a mapping"):
        res.note_for(["A"], names=["Alpha"])


# --- statistics ---------------------------------------------------------------------------------
def test_area_stats_checks_its_arguments_and_leaves_the_incidents_alone():
    inc = incidents()
    before = inc.copy(deep=True)
    with pytest.raises(BoundaryError, match=r"area_stats: the 'area' Series has another index than the incidents "
                                            r"\(2 against 4 rows\); compute it on the same table"):
        area_stats(inc, inc["area"].iloc[:2])
    with pytest.raises(TypeError, match=r"The 'area' parameter of area_stats must be a pandas Series\. Got list"):
        area_stats(inc, inc["area"].tolist())
    with pytest.raises(BoundaryError, match=r"The 'period' parameter of area_stats must be one of 'week', 'month'\. "
                                            r"Got 'year' instead\."):
        area_stats(inc, inc["area"], period="year")
    with pytest.raises(BoundaryError, match=r"area_stats: the period ends \(01/06/2017\) before its start "
                                            r"\(30/06/2017\); swap the dates\."):
        area_stats(inc, inc["area"], period=("2017-06-30", "2017-06-01"))
    with pytest.raises(BoundaryError, match=r"The 'period' parameter of area_stats must be a date such as "
                                            r"'2018-06-01'\. Got 'June' instead\."):
        area_stats(inc, inc["area"], period=("June", "2017-06-30"))
    with pytest.raises(TypeError, match=r"The 'period' parameter of area_stats must be 'week', 'month' or a "
                                        r"\(start, end\) pair of dates"):
        area_stats(inc, inc["area"], period=2017)
    with pytest.raises(BoundaryError, match=r"area_stats needs the incident column 'harm_weight'"):
        area_stats(inc.drop(columns="harm_weight"), inc["area"])
    with pytest.raises(BoundaryError, match=r"area_stats: column 'occurred_from' has no time zone"):
        area_stats(inc.assign(occurred_from=inc["occurred_from"].dt.tz_localize(None)), inc["area"])
    with pytest.raises(TypeError, match=r"The 'areas' parameter of area_stats must be a list of str \(e\.g\. \['L1'\]"):
        area_stats(inc, inc["area"], areas="L1")
    with pytest.raises(TypeError, match=r"The 'weights' parameter of area_stats must be a pandas Series or None"):
        area_stats(inc, inc["area"], weights=np.ones(4))
    table = area_stats(inc, inc["area"], areas=["L1", "L2"])
    assert table.groupby("area")["count"].sum().to_dict() == {"L1": 2.0, "L2": 1.0}
    pd.testing.assert_frame_equal(inc, before)


def test_assign_periods_and_the_change_helpers_check_their_arguments():
    inc = incidents()
    with pytest.raises(BoundaryError, match=r"assign_periods needs the incident column 'time_precision'"):
        assign_periods(inc.drop(columns="time_precision"), "month")
    with pytest.raises(ValueError, match="before its start"):  # BoundaryError is a ValueError
        assign_periods(inc, ("2017-06-30", "2017-06-01"))
    with pytest.raises(TypeError, match=r"The 'before' parameter of poisson_z must be a pandas Series\. "
                                        r"Got 1\.0 instead\."):
        poisson_z(pd.Series([4.0]), 1.0)
    with pytest.raises(TypeError, match=r"The 'now' parameter of percent_change must be a pandas Series"):
        percent_change([4.0], pd.Series([1.0]))


# --- comparing areas ----------------------------------------------------------------------------
def test_compare_areas_and_its_helpers_check_their_arguments():
    inc = incidents().rename(columns={"area": "ward"})
    args = {"layer": "ward", "codes": ["L1"], "start": "2017-07-01", "end": "2017-07-31"}
    with pytest.raises(BoundaryError, match=r"The 'trend_months' parameter of compare_areas must be an int in the "
                                            r"range \[1, inf\)\. Got 0 instead\."):
        compare_areas(inc, **args, trend_months=0)
    with pytest.raises(TypeError, match=r"The 'band_weights' parameter of compare_areas must be a pandas Series or "
                                        r"None\. Got ndarray instead\."):
        compare_areas(inc, **args, band_weights=np.ones(4))
    with pytest.raises(TypeError, match=r"The 'targets' parameter of compare_areas must be a float or a mapping"):
        compare_areas(inc, **args, targets="5%")
    with pytest.raises(BoundaryError, match=r"rag_status: the 'before' Series has another index than 'now' "
                                            r"\(1 against 2 rows\)"):
        rag_status(pd.Series([1.0, 2.0]), pd.Series([1.0]), pd.Series([5.0, 5.0]))
    with pytest.raises(TypeError, match=r"The 'z' parameter of arrows must be a pandas Series"):
        arrows([2.5])
    before = inc.copy(deep=True)
    assert compare_areas(inc, **args).table["incidents"].tolist() == [1.0]
    pd.testing.assert_frame_equal(inc, before)
