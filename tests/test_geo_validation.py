"""Every public geo function checks its arguments first, in scikit-learn's wording: TypeError
for a wrong type, GeoError (one sentence: what, where, the fix) for a wrong value; frames
given are never modified."""

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspot_tasking.geo import GeoError, Workspace
from hotspot_tasking.geo.aoristic import band_weights, excluded_mask
from hotspot_tasking.geo.area import Area
from hotspot_tasking.geo.coords import distinct_points, locate, to_bng, to_wgs84
from hotspot_tasking.geo.h3cells import cell_outlines, h3_cells
from hotspot_tasking.geo.hourofweek import hour_of_week, hour_of_week_by
from hotspot_tasking.geo.report import ImportReport
from hotspot_tasking.geo.select import select_incidents
from hotspot_tasking.geo.taxonomy import Taxonomy, default_config_path
from hotspot_tasking.periods import date_range

LONDON = "Europe/London"


def table():
    when = pd.Series(pd.to_datetime(["2017-07-01 10:00", "2017-07-05 22:00",
                                     "2017-08-01 03:00"])).dt.tz_localize(LONDON)
    return pd.DataFrame({"source": ["police_uk", "council_asb", "police_uk"], "category": ["Violence", "ASB", "ASB"],
                         "groups": ["violence", "asb;nte", "asb"], "occurred_from": when, "occurred_to": when,
                         "time_precision": ["minute"] * 3, "harm_weight": [2.0, 1.0, 1.0]})


# --- the workspace ------------------------------------------------------------------------------
def test_workspace_methods_check_their_arguments(tmp_path):
    with pytest.raises(TypeError, match=r"The 'root' parameter of Workspace\.create must be a path \(str or "
                                        r"pathlib\.Path\)\. Got None instead\."):
        Workspace.create(None)
    with pytest.raises(TypeError, match=r"The 'area' parameter of Workspace\.create must be an Area or None\. "
                                        r"Got '524000,168000,536000,182000' instead\."):
        Workspace.create(tmp_path / "a", area="524000,168000,536000,182000")
    with pytest.raises(TypeError, match=r"The 'root' parameter of Workspace\.open must be a path"):
        Workspace.open(3)
    ws = Workspace.create(tmp_path / "ws")
    with pytest.raises(GeoError, match=r"The 'name' parameter of Workspace\.config_path must be one of "
                                       r"'taxonomy\.toml', 'time_bands\.toml', 'tasking\.toml', 'tactics\.toml'\. "
                                       r"Got 'bands\.toml' instead\."):
        ws.config_path("bands.toml")
    with pytest.raises(TypeError, match=r"The 'sources' parameter of Workspace\.incidents must be a list of str "
                                        r"\(e\.g\. \['police_uk'\]\)"):
        ws.incidents(sources="police_uk")
    with pytest.raises(TypeError, match=r"The 'source' parameter of Workspace\.existing_ids must be a str"):
        ws.existing_ids(["police_uk"])
    with pytest.raises(TypeError, match=r"The 'area' parameter of Workspace\.set_area must be an Area or None"):
        ws.set_area((0, 0, 1, 1))
    with pytest.raises(TypeError, match=r"The 'result' parameter of Workspace\.commit must be an IngestResult"):
        ws.commit(pd.DataFrame())
    with pytest.raises(TypeError, match=r"The 'read' parameter of Workspace\.read_then_commit must be a function "
                                        r"returning an IngestResult\. Got DataFrame instead\."):
        ws.read_then_commit(pd.DataFrame())
    with pytest.raises(TypeError, match=r"Workspace\.read_then_commit: 'read' returned DataFrame, not an "
                                        r"IngestResult; return what read_incidents returns\."):
        ws.read_then_commit(pd.DataFrame)
    assert ws.imports == [] and ws.layers() == {}  # nothing was written


def test_stored_layers_and_tables_need_a_file_name_and_epsg_27700(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    square = gpd.GeoDataFrame({"code": ["A"]}, geometry=[shapely.box(0, 0, 10, 10)], crs=27700)
    with pytest.raises(GeoError, match=r"The 'name' parameter of Workspace\.save_layer must be a non-empty name "
                                       r"without '/' or '\\' \(it names a file under boundaries/\)\. Got "
                                       r"'\.\./wards' instead\."):
        ws.save_layer("../wards", square, {"kind": "ward"})
    with pytest.raises(GeoError, match=r"Workspace\.save_layer: the layer 'wards' is in WGS 84 \(EPSG:4326\), not "
                                       r"EPSG:27700 \(British National Grid\); reproject it first"):
        ws.save_layer("wards", square.to_crs(4326), {"kind": "ward"})
    with pytest.raises(TypeError, match=r"The 'frame' parameter of Workspace\.save_table must be a pandas DataFrame"):
        ws.save_table("population_wards", {"code": ["A"]}, {})
    with pytest.raises(TypeError, match=r"The 'meta' parameter of Workspace\.save_layer must be a dict"):
        ws.save_layer("wards", square, None)
    with pytest.raises(TypeError, match=r"The 'name' parameter of Workspace\.read_layer must be a str"):
        ws.read_layer(None)
    assert ws.layers() == {} and ws.tables() == {}
    ws.save_layer("wards", square, {"kind": "ward"})
    assert ws.read_layer("wards")["code"].tolist() == ["A"]


def test_area_bounds_are_numbers_in_order():
    with pytest.raises(GeoError, match=r"Area: min_easting \(536000\) is above max_easting \(524000\); swap them\."):
        Area(536_000, 168_000, 524_000, 182_000)
    with pytest.raises(GeoError, match=r"The 'margin_m' parameter of Area must be a float in the range \[0\.0, inf\)\. "
                                       r"Got -1 instead\."):
        Area(524_000, 168_000, 536_000, 182_000, margin_m=-1)
    with pytest.raises(GeoError, match=r"The 'min_northing' parameter of Area must be a float in the range "
                                       r"\(-inf, inf\)\. Got nan instead\."):
        Area(524_000, math.nan, 536_000, 182_000)
    with pytest.raises(TypeError, match=r"The 'max_easting' parameter of Area must be a float\. Got '536000'"):
        Area(524_000, 168_000, "536000", 182_000)
    area = Area(0, 0, 10, 10)
    assert area.distance_m(np.array([13.0]), np.array([14.0])).tolist() == [5.0]
    with pytest.raises(GeoError, match=r"Area\.distance_m: 'easting' has 2 values but 'northing' has 1"):
        area.distance_m([1.0, 2.0], [1.0])


# --- coordinates and H3 -------------------------------------------------------------------------
def test_coordinates_must_pair_up():
    with pytest.raises(GeoError, match=r"to_bng: 'longitude' has 2 values but 'latitude' has 1; give one of each "
                                       r"per point\."):
        to_bng([-0.1, -0.2], [51.5])
    with pytest.raises(TypeError, match=r"The 'easting' parameter of to_wgs84 must be a 1-d array of numbers"):
        to_wgs84("530000", [180000.0])
    with pytest.raises(TypeError, match=r"The 'x' parameter of distinct_points must be a 1-d array of numbers"):
        distinct_points([["a"]], [1.0])
    with pytest.raises(GeoError, match=r"locate: 'x' has 2 values but 'y' has 1; give one of each per row\."):
        locate(pd.Series(["1", "2"]), pd.Series(["3"]))
    with pytest.raises(GeoError, match=r"The 'system' parameter of locate must be one of 'auto', 'wgs84', 'bng'\. "
                                       r"Got 'osgb' instead\."):
        locate(pd.Series(["530000"]), pd.Series(["180000"]), "osgb")
    with pytest.raises(TypeError, match=r"The 'x' parameter of locate must be a pandas Series or numpy array\. "
                                        r"Got '530000' instead\."):
        locate("530000", pd.Series(["180000"]))


def test_h3_resolutions_and_cells_are_checked():
    with pytest.raises(GeoError, match=r"The 'resolutions' parameter of h3_cells must be one or more H3 resolutions, "
                                       r"ints in the range \[0, 15\]\. Got \[\] instead\."):
        h3_cells([-0.1], [51.5], [])
    with pytest.raises(TypeError, match=r"The 'resolutions' parameter of h3_cells must be a list of int \(e\.g\. "
                                        r"\[8, 9, 10\]\)\. Got 9 instead\."):
        h3_cells([-0.1], [51.5], 9)
    with pytest.raises(TypeError, match=r"must be a list of int"):
        h3_cells([-0.1], [51.5], [9.0])
    with pytest.raises(GeoError, match=r"h3_cells: 'longitude' has 1 value but 'latitude' has 2"):
        h3_cells([-0.1], [51.5, 51.6])
    with pytest.raises(GeoError, match=r"cell_outlines: 1 of the 1 distinct cells are not H3 cell ids, e\.g\. "
                                       r"'E05000416'"):
        cell_outlines(["E05000416", ""])
    with pytest.raises(TypeError, match=r"The 'cells' parameter of cell_outlines must be a list of str"):
        cell_outlines("89195da49b7ffff")


# --- choosing incidents -------------------------------------------------------------------------
def test_select_incidents_checks_filters_and_leaves_the_table_alone():
    inc = table()
    before = inc.copy(deep=True)
    with pytest.raises(TypeError, match=r"The 'sources' parameter of select_incidents must be a list of str "
                                        r"\(e\.g\. \['police_uk'\]\)"):
        select_incidents(inc, sources="police_uk")
    with pytest.raises(GeoError, match=r"The 'start' parameter of select_incidents must be a date such as "
                                       r"'2018-06-01'\. Got 'last week' instead\."):
        select_incidents(inc, start="last week")
    with pytest.raises(GeoError, match=r"select_incidents needs the incident column 'groups'; the table has 6 "
                                       r"columns"):
        select_incidents(inc.drop(columns="groups"), groups=["asb"])
    with pytest.raises(TypeError, match=r"The 'incidents' parameter of select_incidents must be a pandas DataFrame"):
        select_incidents(inc.to_dict(), sources=["police_uk"])
    mask = select_incidents(inc, sources=["police_uk"], groups=["asb"], start="2017-07-01", end="2017-08-31")
    assert mask.tolist() == [False, False, True]
    pd.testing.assert_frame_equal(inc, before)
    with pytest.raises(TypeError, match=r"The 'text' parameter of date_range must be a str\. Got 2017 instead\."):
        date_range(2017)


# --- aoristic weights and hour-of-week ----------------------------------------------------------
def test_aoristic_functions_check_their_arguments_and_leave_the_table_alone():
    inc = table()
    before = inc.copy(deep=True)
    with pytest.raises(GeoError, match=r"The 'max_window_hours' parameter of hour_of_week must be a float in the "
                                       r"range \(0\.0, inf\)\. Got inf instead\."):
        hour_of_week(inc, max_window_hours=math.inf)
    with pytest.raises(TypeError, match=r"The 'by' parameter of hour_of_week_by must be a list of str; 1 item\(s\) "
                                        r"are not, e\.g\. 1\."):
        hour_of_week_by(inc, ["category", 1])
    with pytest.raises(TypeError, match=r"The 'season' parameter of band_weights must be a season name \(str\) or a "
                                        r"Season or None"):
        band_weights(inc, "nte", season=2017)
    with pytest.raises(TypeError, match=r"The 'incidents' parameter of excluded_mask must be a pandas DataFrame"):
        excluded_mask(inc["occurred_from"])
    band_weights(inc, "nte", max_window_hours=24)
    hour_of_week_by(inc, "category", weights="harm_weight")
    pd.testing.assert_frame_equal(inc, before)


# --- the taxonomy and the import report ---------------------------------------------------------
def test_taxonomy_lookups_and_report_reading_check_their_arguments():
    taxonomy = Taxonomy.load()
    with pytest.raises(TypeError, match=r"The 'words' parameter of Taxonomy\.lookup must be a str\. Got None"):
        taxonomy.lookup("police_uk", None)
    with pytest.raises(TypeError, match=r"The 'source_category' parameter of Taxonomy\.apply must be a pandas Series\. "
                                        r"Got list instead\."):
        taxonomy.apply("police_uk", ["Burglary"])
    with pytest.raises(TypeError, match=r"The 'name' parameter of default_config_path must be a file name \(str\)"):
        default_config_path(None)
    with pytest.raises(GeoError, match=r"ImportReport\.from_dict: the import log entry 'x' has unknown key\(s\) "
                                       r"\['colour'\] and lacks \['started'\]; "
                                       r"restore workspace\.json from a backup\."):
        ImportReport.from_dict({"import_id": "x", "source": "police_uk", "colour": "red"})
    with pytest.raises(TypeError, match=r"The 'data' parameter of ImportReport\.from_dict must be a dict"):
        ImportReport.from_dict("x")
