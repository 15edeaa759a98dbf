"""Assigning incidents to wards, LSOAs and zones."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import FIXTURES, POLICE_DIR, read

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.boundaries.assign import assign_areas, assign_layer, lsoa_agreement
from hotspot_tasking.boundaries.errors import BoundaryError
from hotspot_tasking.boundaries.layers import load_layer
from hotspot_tasking.boundaries.store import area_layers
from hotspot_tasking.geo.workspace import Workspace

# Two unit squares side by side, B left of A so that code order differs from position.
SQUARES = gpd.GeoDataFrame({"code": ["B", "A"], "name": ["b", "a"]},
                           geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], crs=27700)


def points(*xy):
    arr = np.array(xy, dtype=float)
    return pd.DataFrame({"easting": arr[:, 0], "northing": arr[:, 1]})


def test_inside_edge_corner_and_outside_points():
    inc = points((5, 5), (15, 5), (10, 5), (10, 10), (30, 5), (np.nan, np.nan))
    codes = assign_layer(inc["easting"].to_numpy(), inc["northing"].to_numpy(), SQUARES, partition=True)
    # a point on the shared edge or corner goes to exactly one area: the lower code
    assert codes.tolist() == ["B", "A", "A", "A", "", ""]


def test_edge_rule_does_not_depend_on_layer_or_point_order():
    inc = points((10, 5), (5, 5), (10, 0))
    forward = assign_layer(inc["easting"].to_numpy(), inc["northing"].to_numpy(), SQUARES, partition=True)
    backward = assign_layer(inc["easting"].to_numpy()[::-1], inc["northing"].to_numpy()[::-1],
                            SQUARES.iloc[::-1].reset_index(drop=True), partition=True)
    assert forward.tolist() == backward[::-1].tolist() == ["A", "B", "A"]


def test_zones_may_overlap_and_give_every_code():
    zones = gpd.GeoDataFrame({"code": ["Z2", "Z1"]}, geometry=[shapely.box(0, 0, 10, 10), shapely.box(5, 0, 15, 10)],
                             crs=27700)
    inc = points((2, 5), (7, 5), (12, 5), (50, 50))
    codes = assign_layer(inc["easting"].to_numpy(), inc["northing"].to_numpy(), zones, partition=False)
    assert codes.tolist() == ["Z2", "Z1;Z2", "Z1", ""]


def test_assign_areas_names_columns_by_layer_and_keeps_outside_rows():
    zones = gpd.GeoDataFrame({"code": ["Z"]}, geometry=[shapely.box(0, 0, 5, 10)], crs=27700)
    inc = points((2, 5), (15, 5), (40, 5))
    before = inc.copy()
    out = assign_areas(inc, {"lsoa_2011": ("lsoa", SQUARES), "ward_2014": ("ward", SQUARES), "nte": ("zone", zones)})
    pd.testing.assert_frame_equal(inc, before)  # input unchanged
    assert out.codes["lsoa_code"].tolist() == ["B", "A", ""]
    assert out.codes["ward_code"].tolist() == ["B", "A", ""]
    assert out.codes["zone_codes"].tolist() == ["Z", "", ""]
    assert out.outside == {"lsoa_2011": 1, "ward_2014": 1, "nte": 2}
    assert len(out.codes) == len(inc)  # nothing dropped


def test_latest_vintage_is_the_lsoa_code():
    newer = SQUARES.assign(code=["N2", "N1"])
    out = assign_areas(points((5, 5)), {"lsoa_2021": ("lsoa", newer), "lsoa_2011": ("lsoa", SQUARES)})
    assert out.codes.loc[0, "lsoa_2011"] == "B"
    assert out.codes.loc[0, "lsoa_2021"] == "N2"
    assert out.codes.loc[0, "lsoa_code"] == "N2"


def test_police_uk_given_lsoa_agrees_with_the_computed_one(capsys):
    """Real City of London records against the real 2011 LSOAs (generalised to 20 m)."""
    result = read("police_uk", POLICE_DIR)
    layer = load_layer(FIXTURES / "boundaries" / "city_lsoa_2011.gpkg", kind="lsoa")
    out = assign_areas(result.incidents, {layer.name: (layer.kind, layer.frame)})
    agree = lsoa_agreement(result.incidents["lsoa_code_given"], out.codes["lsoa_code"])
    with capsys.disabled():
        print(f"\nCity of London fixture: police.uk LSOA vs computed (gen20 2011): "
              f"{agree['agree']} of {agree['compared']} agree ({agree['share']:.1%}); outside: {out.outside}")
    # police.uk assigns with full-resolution boundaries and its map points often sit on the
    # street that is the boundary; the generalised (20 m) polygons disagree on a few points.
    assert agree["compared"] > 250
    assert agree["share"] >= 0.93  # 94.6% here; 96.7% over all 36 months of City data (README)
    # the far-away real points (Hammersmith, Thurrock) are outside this layer, and kept
    assert out.outside["lsoa_2011"] >= 3


@pytest.fixture(scope="module")
def demo():
    ws = Workspace.open(DEMO_WORKSPACE)
    inc = ws.incidents(["source", "easting", "northing", "lsoa_code_given"])
    return inc, assign_areas(inc, area_layers(ws))


def test_demo_police_records_join_wards_and_lsoas(demo, capsys):
    inc, out = demo
    police = inc["source"].eq("police_uk_times_simulated")
    agree = lsoa_agreement(inc.loc[police, "lsoa_code_given"], out.codes.loc[police, "lsoa_2011"])
    inside = police & out.codes["lsoa_2011"].ne("")
    agree_inside = lsoa_agreement(inc.loc[inside, "lsoa_code_given"], out.codes.loc[inside, "lsoa_2011"])
    with capsys.disabled():
        print(f"\nDemo police records, LSOA code in the file vs computed: {agree['share']:.2%} "
              f"of {agree['compared']:,}; of those inside the two boroughs: {agree_inside['share']:.2%}; "
              f"outside: {out.outside}")
    assert agree["share"] >= 0.97
    assert agree_inside["share"] >= 0.999
    # ~1,000 records lie just over the boroughs' edge (the API's polygon queries): kept, counted
    assert 500 < out.outside["ward_2014"] < 2000
    assert out.codes["ward_code"].ne("").sum() == len(inc) - out.outside["ward_2014"]
    # LSOAs nest in wards: nearly every incident is in its LSOA's main ward (the rest sit on
    # edges that the generalised LSOA outlines draw a few metres from the full-resolution wards)
    both = out.codes[out.codes["ward_code"].ne("") & out.codes["lsoa_code"].ne("")]
    main_ward = both.groupby("lsoa_code")["ward_code"].agg(lambda s: s.value_counts().index[0])
    assert (both["ward_code"] == both["lsoa_code"].map(main_ward)).mean() > 0.97


# --- arguments checked at the boundary ----------------------------------------------------------
def test_a_layer_in_wgs84_is_refused_by_name_not_assigned_as_all_outside():
    inc = points((5, 5), (15, 5))
    wgs84 = SQUARES.to_crs(4326)
    with pytest.raises(BoundaryError, match=r"assign_areas: the layer 'ward_wgs' is in WGS 84 \(EPSG:4326\), not "
                                            r"EPSG:27700 \(British National Grid\); reproject it first with "
                                            r"\.to_crs\(27700\)\."):
        assign_areas(inc, {"lsoa_2011": ("lsoa", SQUARES), "ward_wgs": ("ward", wgs84)})
    with pytest.raises(BoundaryError, match=r"assign_layer: the layer is in WGS 84 \(EPSG:4326\).*\.to_crs\(27700\)"):
        assign_layer(inc["easting"], inc["northing"], wgs84, partition=True)


def test_missing_easting_gives_the_house_message_not_a_key_error():
    inc = points((5, 5)).drop(columns="easting")
    with pytest.raises(BoundaryError, match=r"assign_areas needs the incident column 'easting' \(EPSG:27700 metres\); "
                                            r"the table has 1 column: 'northing'\. Fix: pass the incident table from "
                                            r"the workspace, or add the column\."):
        assign_areas(inc, {"ward_2014": ("ward", SQUARES)})
    with pytest.raises(TypeError, match=r"The 'incidents' parameter of assign_areas must be a pandas DataFrame\. "
                                        r"Got ndarray instead\."):
        assign_areas(np.zeros((2, 2)), {"ward_2014": ("ward", SQUARES)})


def test_no_layers_puts_every_incident_outside():
    inc = points((5, 5), (15, 5), (np.nan, np.nan)).set_axis([10, 20, 30])
    out = assign_areas(inc, {})
    assert list(out.codes.columns) == ["ward_code", "lsoa_code", "zone_codes"]
    assert out.codes.index.equals(inc.index)
    assert out.codes.to_numpy().tolist() == [["", "", ""]] * 3
    assert out.outside == {}
    assert (out.codes.dtypes == "str").all()
    empty = assign_areas(points((5, 5)).iloc[:0], {})
    assert empty.codes.empty and list(empty.codes.columns) == ["ward_code", "lsoa_code", "zone_codes"]


def test_bad_layers_are_named():
    inc = points((5, 5))
    with pytest.raises(TypeError, match=r"The 'layers' parameter of assign_areas must be a mapping \{layer name: "
                                        r"\(kind, frame\)\}, as area_layers\(ws\) returns\. Got list instead\."):
        assign_areas(inc, [("ward", SQUARES)])
    with pytest.raises(TypeError, match=r"must map each layer name to \(kind, frame\); layer 'w' maps to "
                                        r"GeoDataFrame instead\."):
        assign_areas(inc, {"w": SQUARES})
    with pytest.raises(BoundaryError, match=r"The 'kind' parameter of assign_areas \(layer 'w'\) must be one of "
                                            r"'ward', 'lsoa', 'zone'\. Got 'borough' instead\."):
        assign_areas(inc, {"w": ("borough", SQUARES)})
    with pytest.raises(BoundaryError, match=r"assign_areas \(layer 'w'\) needs the column 'code'; the table has 2 "
                                            r"columns: 'name', 'geometry'\. Fix: load it with "
                                            r"hotspot_tasking\.boundaries\.load_layer"):
        assign_areas(inc, {"w": ("ward", SQUARES.drop(columns="code"))})
    lines = gpd.GeoDataFrame({"code": ["L", "P"]},
                             geometry=[shapely.LineString([(0, 0), (5, 5)]), shapely.box(0, 0, 1, 1)], crs=27700)
    with pytest.raises(BoundaryError, match=r"assign_areas: 1 row of the layer 'w' \(rows \[0\]\) has LineString "
                                            r"geometry, not a polygon"):
        assign_areas(inc, {"w": ("ward", lines)})
    with pytest.raises(TypeError, match=r"The 'layers' parameter of assign_areas must be a geopandas GeoDataFrame\. "
                                        r"Got DataFrame instead\."):
        assign_areas(inc, {"w": ("ward", pd.DataFrame(SQUARES))})


def test_assign_layer_checks_points_and_options():
    with pytest.raises(BoundaryError, match=r"assign_layer: 'easting' has 2 values but 'northing' has 1; give one of "
                                            r"each per point\."):
        assign_layer([1.0, 2.0], [1.0], SQUARES, partition=True)
    with pytest.raises(TypeError, match=r"The 'easting' parameter of assign_layer must be a 1-d array of numbers"):
        assign_layer(["a"], [1.0], SQUARES, partition=True)
    with pytest.raises(TypeError, match=r"The 'partition' parameter of assign_layer must be a bool\. Got 'ward'"):
        assign_layer([1.0], [1.0], SQUARES, partition="ward")
    with pytest.raises(TypeError, match=r"The 'layer' parameter of assign_layer must be a geopandas GeoDataFrame"):
        assign_layer([1.0], [1.0], SQUARES.geometry, partition=True)
    # a layer without a CRS is taken to be in EPSG:27700, as the workspace stores it
    assert assign_layer([5.0], [5.0], SQUARES.set_crs(None, allow_override=True), partition=True).tolist() == ["B"]


def test_inputs_are_not_modified():
    inc = points((5, 5), (15, 5), (10, 10))
    layer = SQUARES.iloc[::-1]
    before_inc, before_layer = inc.copy(deep=True), layer.copy(deep=True)
    assign_areas(inc, {"ward_2014": ("ward", layer), "z": ("zone", layer)})
    assign_layer(inc["easting"], inc["northing"], layer, partition=False)
    pd.testing.assert_frame_equal(inc, before_inc)
    pd.testing.assert_frame_equal(layer, before_layer)


def test_lsoa_agreement_needs_two_series_of_one_length():
    with pytest.raises(BoundaryError, match=r"lsoa_agreement: 'given' has 2 codes but 'computed' has 1"):
        lsoa_agreement(pd.Series(["A", "B"]), pd.Series(["A"]))
    with pytest.raises(TypeError, match=r"The 'computed' parameter of lsoa_agreement must be a pandas Series"):
        lsoa_agreement(pd.Series(["A"]), ["A"])
