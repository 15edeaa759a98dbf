"""Area layers and population in a workspace, through the CLI and the store."""

import json

import pytest
from conftest import FIXTURES, POLICE_DIR, tree_snapshot

from hotspot_tasking.boundaries.store import add_population, area_layers, population
from hotspot_tasking.cli import main
from hotspot_tasking.geo.workspace import Workspace

B = FIXTURES / "boundaries"


@pytest.fixture
def ws_path(tmp_path):
    path = tmp_path / "ws"
    assert main(["init", str(path)]) == 0
    return path


def test_add_layers_and_population_then_status(ws_path, capsys):
    assert main(["boundaries", "add", str(ws_path), "--kind", "ward", "--vintage", "2014",
                 str(B / "kensington_chelsea_wards_2014.zip")]) == 0
    out = capsys.readouterr().out
    assert "Added ward layer 'ward_2014': 18 areas" in out
    assert "invalid geometries were repaired" in out and "ESRI" in out
    assert "The workspace area is now this layer's extent" in out
    assert main(["boundaries", "add", str(ws_path), "--kind", "lsoa", str(B / "city_lsoa_2011.gpkg")]) == 0
    assert main(["boundaries", "population", str(ws_path), str(B / "city_lsoa11_population.csv"),
                 "--code-col", "LSOA11CD", "--value-col", "Persons_All-Ages"]) == 0
    out = capsys.readouterr().out
    assert "Population for 200 of the 200 areas in 'lsoa_2011'" in out
    ws = Workspace.open(ws_path)
    assert list(ws.layers()) == ["ward_2014", "lsoa_2011"]
    assert ws.area is not None  # set from the first ward layer
    assert population(ws, "lsoa_2011").loc["E01000001"] == 1749  # the real ONS figure
    # an import now checks the area: the City's far-away rows are rejected as far outside
    main(["ingest", str(ws_path), "--source", "police_uk", str(POLICE_DIR)])
    capsys.readouterr()
    assert main(["status", str(ws_path)]) == 0
    out = capsys.readouterr().out
    assert "lsoa_2011 (lsoa, 200 areas from city_lsoa_2011.gpkg with population)" in out
    assert "LSOA code in the source file vs computed from 'lsoa_2011'" in out


def test_replacing_a_layer_keeps_one_file(ws_path):
    for _ in range(2):
        assert main(["boundaries", "add", str(ws_path), "--kind", "lsoa", str(B / "city_lsoa_2021.geojson")]) == 0
    files = [p for p in (ws_path / "boundaries").iterdir()]
    assert len(files) == 1
    assert json.loads((ws_path / "workspace.json").read_text())["layers"]["lsoa_2021"]["features"] == 6
    assert len(area_layers(Workspace.open(ws_path))["lsoa_2021"][1]) == 6


def test_bad_layer_leaves_the_workspace_unchanged(ws_path, capsys):
    before = tree_snapshot(ws_path)
    assert main(["boundaries", "add", str(ws_path), "--kind", "ward", "--code-col", "NOPE",
                 str(B / "kensington_chelsea_wards_2014.shp")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: kensington_chelsea_wards_2014.shp: has no column 'NOPE' (--code-col)")
    assert "Traceback" not in err
    assert tree_snapshot(ws_path) == before


def test_population_errors_name_file_row_and_column(ws_path, tmp_path, capsys):
    main(["boundaries", "add", str(ws_path), "--kind", "lsoa", str(B / "city_lsoa_2011.gpkg")])
    bad = tmp_path / "pop.csv"
    bad.write_text("code,people\nE01000001,1749\nE01000002,lots\n", encoding="utf-8")
    assert main(["boundaries", "population", str(ws_path), str(bad), "--code-col", "code",
                 "--value-col", "people"]) == 2
    err = capsys.readouterr().err
    assert "pop.csv, row 3, column 'people': 'lots' is not a population" in err
    with pytest.raises(Exception, match="none of its area codes matches a layer"):
        other = tmp_path / "other.csv"
        other.write_text("code,people\nX1,5\n", encoding="utf-8")
        add_population(Workspace.open(ws_path), other, code_col="code", value_col="people")


def test_the_demo_has_its_layers_and_population():
    from hotspot_tasking import DEMO_WORKSPACE
    ws = Workspace.open(DEMO_WORKSPACE)
    layers = ws.layers()
    assert {"ward_2014", "lsoa_2011", "boroughs", "nte_zones_illustrative"} <= set(layers)
    assert layers["ward_2014"]["features"] == 41 and layers["lsoa_2011"]["features"] == 357
    assert any("repaired" in n or "ESRI" in n for n in layers["ward_2014"]["notes"])


def test_roads_through_the_cli_are_counted_listed_and_kept_apart(ws_path, capsys):
    assert main(["boundaries", "add", str(ws_path), "--kind", "ward", str(B / "city_wards_2014.gpkg")]) == 0
    capsys.readouterr()
    roads = str(B / "city_roads_open_roads_schema.gpkg")
    assert main(["boundaries", "add", str(ws_path), "--kind", "roads", roads]) == 0
    out = capsys.readouterr().out
    assert ("Added the roads layer: 37 road links read from city_roads_open_roads_schema.gpkg: 35 kept, 2 rejected "
            "(1 outside the workspace's area and 500 m round it; 1 without a geometry)") in out
    assert "Note: Columns: name from 'name1', number from 'roadNumber', kind from 'class'." in out
    assert main(["boundaries", "add", str(ws_path), "--kind", "roads", roads]) == 0  # replaced
    capsys.readouterr()
    assert main(["boundaries", "list", str(ws_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "ward (ward, 25 areas from city_wards_2014.gpkg)",
        "roads (roads, 35 road links from city_roads_open_roads_schema.gpkg, 32 named; not an area layer)"]
    ws = Workspace.open(ws_path)
    assert list(ws.layers()) == ["ward"] and list(area_layers(ws)) == ["ward"]
    main(["ingest", str(ws_path), "--source", "police_uk", str(POLICE_DIR)])
    capsys.readouterr()
    assert main(["status", str(ws_path)]) == 0  # the area layers' report never meets the roads
    out = capsys.readouterr().out
    assert "ward (ward, 25 areas" in out
    assert out.endswith("\nRoads:\n  roads (roads, 35 road links from city_roads_open_roads_schema.gpkg, 32 named; "
                        "not an area layer)\n")


def test_roads_refuse_area_options_and_a_polygon_file(ws_path, capsys):
    before = tree_snapshot(ws_path)
    roads = str(B / "city_roads_open_roads_schema.gpkg")
    assert main(["boundaries", "add", str(ws_path), "--kind", "roads", "--code-col", "id", roads]) == 2
    assert "error: --code-col: not used for the roads layer" in capsys.readouterr().err
    assert main(["boundaries", "add", str(ws_path), "--kind", "roads", str(B / "city_wards_2014.gpkg")]) == 2
    assert capsys.readouterr().err == ("error: city_wards_2014.gpkg: has Polygon geometries; a roads layer must be "
                                       "lines (LineString or MultiLineString), such as OS Open Roads' RoadLink "
                                       "layer.\n")
    assert tree_snapshot(ws_path) == before
    assert main(["boundaries", "list", str(ws_path)]) == 0
    assert "No area layers or roads yet" in capsys.readouterr().out
