"""The roads layer (boundaries.roads): reading OS Open Roads, OpenStreetMap and other line
layers, keeping them in a workspace apart from the area layers, and reading them back."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import FIXTURES, POLICE_2014_10, tree_snapshot

from hotspot_tasking.boundaries.errors import BoundaryError
from hotspot_tasking.boundaries.layers import load_layer
from hotspot_tasking.boundaries.roads import (
    ROADS_TABLE,
    add_roads,
    check_bounds,
    load_roads,
    read_roads,
    roads_meta,
    workspace_bounds,
)
from hotspot_tasking.boundaries.store import add_layer, area_layers, incidents_with_areas
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.intake.store import ingest_files

B = FIXTURES / "boundaries"
ROADS = B / "city_roads_open_roads_schema.gpkg"
WARDS = B / "city_wards_2014.gpkg"
#: The City's wards' extent, metres.
CITY_BOX = (530967.7, 180406.7, 533839.6, 182206.1)


def lines_file(tmp_path, name: str, columns: dict, *, crs=27700, geometry=None) -> str:
    """A small line layer in the City (or ``geometry``) with the given attribute columns."""
    n = len(next(iter(columns.values()))) if columns else 2
    geometry = geometry if geometry is not None else [
        shapely.LineString([(531100 + 100 * i, 181100), (531150 + 100 * i, 181150)]) for i in range(n)]
    frame = gpd.GeoDataFrame(columns or {"id": list(range(n))}, geometry=geometry, crs=27700)
    path = tmp_path / name
    frame.to_crs(crs).to_file(path)
    return str(path)


# --- reading --------------------------------------------------------------------------------

def test_os_open_roads_roadlink_layer_is_read_and_every_feature_accounted_for():
    roads = load_roads(ROADS, bounds=CITY_BOX)
    assert roads.rows_read == 37 and roads.accepted == 35
    assert roads.rejected == {"outside the workspace's area and 500 m round it": 1, "without a geometry": 1}
    assert roads.rows_read == roads.accepted + sum(roads.rejected.values())
    assert roads.columns == {"name": "name1", "number": "roadNumber", "kind": "class"}
    assert "The file has 2 layers (RoadLink, RoadNode); read 'RoadLink'." in roads.notes
    frame = roads.frame
    assert list(frame.columns) == ["name", "number", "kind", "geometry"] and frame.crs.to_epsg() == 27700
    assert set(frame.geom_type) == {"LineString"}
    assert "Brixton Road" not in set(frame["name"]) and "Shoe Lane" not in set(frame["name"])
    bishopsgate = frame[frame["name"] == "Bishopsgate"].iloc[0]
    assert (bishopsgate["number"], bishopsgate["kind"]) == ("A10", "A Road")
    aldgate = frame[frame["number"] == "A11"].iloc[0]
    assert aldgate["name"] == ""  # a number only: it names places by its number
    assert int(((frame["name"] == "") & (frame["number"] == "")).sum()) == 2  # drawn, never naming a place
    assert roads.describe() == (
        "37 road links read from city_roads_open_roads_schema.gpkg: 35 kept, 2 rejected (1 outside the "
        "workspace's area and 500 m round it; 1 without a geometry); of those kept, 32 have a name and 1 only a "
        "road number (these can name places), 2 neither (drawn only).")


def test_without_bounds_every_link_with_a_geometry_is_kept():
    roads = load_roads(ROADS)
    assert (roads.rows_read, roads.accepted, roads.rejected) == (37, 36, {"without a geometry": 1})
    assert "Brixton Road" in set(roads.frame["name"])


@pytest.mark.parametrize("column", ["name1", "NAME", "Name_1", "road_name", "RoadName", "street", "STREET_NAME"])
def test_the_name_column_is_detected_whatever_its_case_and_separators(tmp_path, column):
    path = lines_file(tmp_path, "roads.geojson", {"id": [1, 2], column: ["Cheapside", None]})
    roads = load_roads(path)
    assert roads.columns["name"] == column
    assert roads.frame["name"].tolist() == ["Cheapside", ""]


def test_name1_is_preferred_to_name_and_name2_fills_a_blank_name1(tmp_path):
    path = lines_file(tmp_path, "roads.gpkg", {"name": ["Wrong", "Wrong"], "name1": ["Heol y Frenhines", None],
                                               "name2": ["Queen Street", "Stryd y Castell"]})
    assert load_roads(path).frame["name"].tolist() == ["Heol y Frenhines", "Stryd y Castell"]


def test_name_col_overrides_and_a_missing_one_is_named(tmp_path):
    path = lines_file(tmp_path, "roads.geojson", {"name": ["Cheapside", "Poultry"], "label": ["Cheap", "Poult"]})
    assert load_roads(path, name_col="label").frame["name"].tolist() == ["Cheap", "Poult"]
    with pytest.raises(BoundaryError, match=r"^roads.geojson: has no column 'NAME1' \(--name-col\); its columns "
                                            r"are name, label\.$"):
        load_roads(path, name_col="NAME1")


def test_an_openstreetmap_geojson_in_wgs84_is_reprojected(tmp_path):
    path = lines_file(tmp_path, "osm.geojson", {"name": ["Cheapside", None], "highway": ["primary", "service"],
                                                "ref": ["A40", None]}, crs=4326)
    roads = load_roads(path, bounds=CITY_BOX)
    assert roads.columns == {"name": "name", "number": "ref", "kind": "highway"}
    assert any("Reprojected from WGS 84 to British National Grid" in n for n in roads.notes)
    frame = roads.frame
    assert frame.crs.to_epsg() == 27700 and frame[["name", "number", "kind"]].values.tolist() == [
        ["Cheapside", "A40", "primary"], ["", "", "service"]]
    start = shapely.get_point(frame.geometry.values[0], 0)
    assert abs(start.x - 531100) < 0.01 and abs(start.y - 181100) < 0.01


def test_a_polygon_file_is_refused_in_one_sentence():
    with pytest.raises(BoundaryError, match=r"^city_wards_2014.gpkg: has Polygon geometries; a roads layer must be "
                                            r"lines \(LineString or MultiLineString\), such as OS Open Roads' "
                                            r"RoadLink layer\.$"):
        load_roads(WARDS)


def test_a_file_without_a_name_column_uses_its_road_numbers_or_is_refused(tmp_path):
    numbers = lines_file(tmp_path, "numbers.geojson", {"roadNumber": ["A4", None]})
    roads = load_roads(numbers)
    assert roads.frame["number"].tolist() == ["A4", ""] and roads.frame["name"].tolist() == ["", ""]
    assert "No road name column; links are named by their road number ('roadNumber') only." in roads.notes
    bare = lines_file(tmp_path, "bare.geojson", {"surface": ["asphalt", "sett"]})
    with pytest.raises(BoundaryError, match=r"^bare.geojson: no road name column found among surface \(looked for "
                                            r"name1, name, .*\); name it with --name-col\.$"):
        load_roads(bare)


def test_bad_inputs_give_one_clear_sentence(tmp_path):
    with pytest.raises(BoundaryError, match="no such file; check the path"):
        load_roads(tmp_path / "missing.gpkg")
    (tmp_path / "junk.geojson").write_text("not json")
    with pytest.raises(BoundaryError, match=r"^junk.geojson: could not be read as GeoPackage, Shapefile or GeoJSON"):
        load_roads(tmp_path / "junk.geojson")
    with pytest.raises(TypeError, match="The 'path' parameter of load_roads must be a path"):
        load_roads(3)
    with pytest.raises(BoundaryError, match=r"The 'margin_m' parameter of load_roads must be a float in the range "
                                            r"\[0.0, inf\)\. Got -1 instead\."):
        load_roads(ROADS, margin_m=-1)
    with pytest.raises(TypeError, match="The 'bounds' parameter of load_roads must be a tuple of four numbers"):
        load_roads(ROADS, bounds=(1, 2, 3))


def test_check_bounds_wants_four_finite_numbers_min_before_max():
    assert check_bounds((1, 2, 3, 4), "bbox", "read_roads") == (1.0, 2.0, 3.0, 4.0)
    with pytest.raises(BoundaryError, match=r"The 'bbox' parameter of read_roads must be four finite numbers with "
                                            r"each minimum at most its maximum .* Got \(3, 2, 1, 4\) instead\."):
        check_bounds((3, 2, 1, 4), "bbox", "read_roads")
    with pytest.raises(BoundaryError, match="four finite numbers"):
        check_bounds((0, 0, np.inf, 1), "bbox", "read_roads")
    with pytest.raises(TypeError, match="Got 'abcd' instead"):
        check_bounds("abcd", "bbox", "read_roads")


# --- in a workspace ---------------------------------------------------------------------------

@pytest.fixture
def ws(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    add_layer(ws, load_layer(WARDS, kind="ward", vintage="2014"))
    return ws


def test_roads_are_stored_read_back_and_replaced(ws):
    assert read_roads(ws) is None and roads_meta(ws) is None
    add_roads(ws, load_roads(ROADS, bounds=workspace_bounds(ws)))
    frame = read_roads(ws)
    assert len(frame) == 35 and list(frame.columns) == ["name", "number", "kind", "geometry"]
    assert frame.crs.to_epsg() == 27700 and set(frame.geom_type) == {"LineString"}
    assert frame["name"].map(type).eq(str).all() and frame["number"].map(type).eq(str).all()
    meta = roads_meta(ws)
    assert (meta["rows_read"], meta["features"], meta["source"]) == (37, 35, "city_roads_open_roads_schema.gpkg")
    fleet = read_roads(ws, bbox=(531000.0, 181000.0, 531500.0, 181300.0))
    assert set(fleet["name"]) == {"Fleet Street", "Fetter Lane"}
    frame.loc[0, "name"] = "Changed"  # a new frame each call
    assert read_roads(ws).loc[0, "name"] != "Changed"
    files = sorted(p.name for p in (ws.root / "boundaries").iterdir())
    add_roads(ws, load_roads(lines_file(ws.root.parent, "two.geojson", {"name": ["Cheapside", "Poultry"]})))
    assert read_roads(Workspace.open(ws.root))["name"].tolist() == ["Cheapside", "Poultry"]
    assert len(list((ws.root / "boundaries").iterdir())) == len(files)  # replaced, not added


def test_roads_never_become_an_area_layer(ws, tmp_path):
    add_roads(ws, load_roads(ROADS, bounds=workspace_bounds(ws)))
    ws = Workspace.open(ws.root)
    assert list(ws.layers()) == ["ward_2014"] and ROADS_TABLE in ws.tables()
    assert list(area_layers(ws)) == ["ward_2014"]
    ingest_files(ws, [POLICE_2014_10], "police_uk")
    joined = incidents_with_areas(ws)
    assert "ward_2014" in joined.columns and not any("road" in c for c in joined.columns)


def test_workspace_bounds_is_the_area_else_the_incidents_else_none(tmp_path, ws):
    assert workspace_bounds(ws) == pytest.approx(CITY_BOX, abs=0.1)
    bare = Workspace.create(tmp_path / "bare")
    assert workspace_bounds(bare) is None
    ingest_files(bare, [POLICE_2014_10], "police_uk")
    box = workspace_bounds(bare)
    assert 530000 < box[0] < box[2] < 535000


def test_a_bad_roads_file_leaves_the_workspace_unchanged(ws):
    before = tree_snapshot(ws.root)
    with pytest.raises(BoundaryError):
        add_roads(ws, load_roads(WARDS))
    assert tree_snapshot(ws.root) == before


def test_read_roads_checks_its_arguments(ws):
    with pytest.raises(TypeError, match="The 'ws' parameter of read_roads must be a Workspace"):
        read_roads(str(ws.root))
    with pytest.raises(TypeError, match="The 'bbox' parameter of read_roads must be a tuple of four numbers"):
        read_roads(ws, bbox=[1, 2])
    with pytest.raises(TypeError, match="The 'roads' parameter of add_roads must be a RoadsLayer"):
        add_roads(ws, pd.DataFrame())
