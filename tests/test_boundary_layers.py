"""Loading area layers: formats, CRS, repair, columns, coverage."""

import geopandas as gpd
import pytest
import shapely
from conftest import FIXTURES

from hotspot_tasking.boundaries.errors import BoundaryError
from hotspot_tasking.boundaries.layers import check_coverage, load_layer

B = FIXTURES / "boundaries"
KC_SHP = B / "kensington_chelsea_wards_2014.shp"
KC_ZIP = B / "kensington_chelsea_wards_2014.zip"


def test_esri_prj_is_read_as_british_national_grid_and_said_so():
    assert gpd.read_file(KC_SHP).crs.to_epsg() is None  # pyproj cannot name ESRI's words outright
    layer = load_layer(KC_SHP, kind="ward", vintage="2014")
    assert layer.frame.crs.to_epsg() == 27700
    assert any("ESRI" in n and "EPSG:27700" in n for n in layer.notes)
    # not reprojected: coordinates are unchanged
    raw = gpd.read_file(KC_SHP).sort_values("GSS_CODE")
    assert layer.frame.total_bounds == pytest.approx(raw.total_bounds)


def test_the_two_invalid_2014_wards_are_repaired_and_named():
    layer = load_layer(KC_SHP, kind="ward", vintage="2014")
    assert layer.frame.geometry.is_valid.all()
    note = next(n for n in layer.notes if "invalid" in n)
    assert "2 invalid geometries" in note and "Colville" in note and "Pembridge" in note
    assert set(layer.frame.geom_type) <= {"Polygon", "MultiPolygon"}
    # repair keeps the area (make_valid, not buffer(0) dropping parts)
    raw = gpd.read_file(KC_SHP).set_index("GSS_CODE")
    fixed = layer.frame.set_index("code")
    for code in ("E05009392", "E05009400"):
        assert fixed.loc[code, "geometry"].area == pytest.approx(shapely.make_valid(raw.loc[code, "geometry"]).area,
                                                                 rel=1e-9)


def test_code_and_name_columns_are_detected_per_vintage():
    wards = load_layer(KC_SHP, kind="ward")
    assert (wards.frame.columns.tolist()) == ["code", "name", "geometry"]
    assert wards.frame.loc[wards.frame["code"] == "E05009392", "name"].item() == "Colville"
    assert wards.name == "ward" and wards.vintage == ""  # GSS_CODE carries no vintage
    lsoa11 = load_layer(B / "city_lsoa_2011.gpkg", kind="lsoa")
    assert lsoa11.name == "lsoa_2011" and lsoa11.vintage == "2011"
    assert lsoa11.frame["code"].str.startswith("E01").all()
    lsoa21 = load_layer(B / "city_lsoa_2021.geojson", kind="lsoa")
    assert lsoa21.name == "lsoa_2021" and len(lsoa21.frame) == 6
    assert lsoa21.frame.crs.to_epsg() == 27700 and any("Reprojected from WGS 84" in n for n in lsoa21.notes)
    assert set(lsoa21.frame["name"]) >= {"City of London 001A"}


def test_zipped_shapefile_reads_like_the_shapefile():
    a = load_layer(KC_SHP, kind="ward", vintage="2014")
    b = load_layer(KC_ZIP, kind="ward", vintage="2014")
    assert a.frame["code"].tolist() == b.frame["code"].tolist()
    assert a.frame.geometry.area.sum() == pytest.approx(b.frame.geometry.area.sum())


def test_columns_given_by_hand_and_a_missing_one_named():
    layer = load_layer(KC_SHP, kind="zone", code_col="POLY_ID", name_col="NAME", name="kc_polys")
    assert layer.name == "kc_polys" and layer.kind == "zone"
    with pytest.raises(BoundaryError, match=r"kensington_chelsea_wards_2014.shp: has no column 'WARDCODE' "
                                            r"\(--code-col\); its columns are NAME, GSS_CODE"):
        load_layer(KC_SHP, kind="ward", code_col="WARDCODE")


def test_bad_inputs_give_one_clear_sentence(tmp_path):
    with pytest.raises(BoundaryError, match="no such file"):
        load_layer(tmp_path / "nope.shp", kind="ward")
    with pytest.raises(BoundaryError, match=r"The 'kind' parameter of load_layer must be one of 'ward', 'lsoa', "
                                            r"'zone'\. Got 'borough' instead\."):
        load_layer(KC_SHP, kind="borough")
    points = gpd.GeoDataFrame({"code": ["A"]}, geometry=[shapely.Point(530000, 180000)], crs=27700)
    points.to_file(tmp_path / "points.gpkg")
    with pytest.raises(BoundaryError, match="points.gpkg: has Point geometries; area layers must be polygons"):
        load_layer(tmp_path / "points.gpkg", kind="zone")
    no_code = gpd.GeoDataFrame({"label": ["A"]}, geometry=[shapely.box(0, 0, 10, 10)], crs=27700)
    no_code.to_file(tmp_path / "nocode.gpkg")
    with pytest.raises(BoundaryError, match="no area code column found among label; name it with --code-col"):
        load_layer(tmp_path / "nocode.gpkg", kind="zone")


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_no_crs_is_inferred_from_the_coordinates(tmp_path):
    frame = gpd.GeoDataFrame({"code": ["Z1"], "name": ["Zone"]}, geometry=[shapely.box(530000, 180000, 531000, 181000)])
    frame.to_file(tmp_path / "nocrs.shp")
    (tmp_path / "nocrs.prj").unlink(missing_ok=True)
    layer = load_layer(tmp_path / "nocrs.shp", kind="zone")
    assert layer.frame.crs.to_epsg() == 27700
    assert any("EPSG:27700 was assumed" in n for n in layer.notes)


def test_rows_sharing_a_code_become_one_area(tmp_path):
    frame = gpd.GeoDataFrame({"code": ["A", "A", "B"], "name": ["Ay", "Ay", "Bee"]},
                             geometry=[shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10),
                                       shapely.box(10, 0, 20, 10)],
                             crs=27700)
    frame.to_file(tmp_path / "parts.gpkg")
    layer = load_layer(tmp_path / "parts.gpkg", kind="zone")
    assert layer.frame["code"].tolist() == ["A", "B"]
    assert layer.frame.geometry.area.tolist() == [200.0, 100.0]
    assert any("merged" in n for n in layer.notes)


def test_coverage_reports_overlaps_and_gaps_above_the_tolerance():
    # two squares overlapping by 10 x 100 m, and a ring of four squares around a 50 x 50 m hole
    frame = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[shapely.box(0, 0, 100, 100), shapely.box(90, 0, 190, 100)],
                             crs=27700)
    cov = check_coverage(frame, tolerance_m2=100)
    assert cov.overlaps == 1 and cov.overlap_area_m2 == pytest.approx(1000) and cov.worst_overlap[:2] == ("A", "B")
    assert cov.gaps == 0
    ring = shapely.box(0, 0, 150, 150).difference(shapely.box(50, 50, 100, 100))
    frame = gpd.GeoDataFrame({"code": ["R"]}, geometry=[ring], crs=27700)
    cov = check_coverage(frame, tolerance_m2=100)
    assert cov.gaps == 1 and cov.gap_area_m2 == pytest.approx(2500)
    assert check_coverage(frame, tolerance_m2=3000).gaps == 0
    assert "1 gaps inside the layer" in cov.describe()


def test_the_real_layers_have_no_overlaps_or_gaps_worth_reporting():
    for path, kind in ((KC_SHP, "ward"), (B / "city_lsoa_2011.gpkg", "lsoa")):
        layer = load_layer(path, kind=kind)
        assert layer.coverage.overlaps == 0, layer.coverage.describe()
