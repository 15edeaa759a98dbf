"""``hotspot-tasking tasking --each-area``: a list per area of a layer, each the list of that
area alone, in safe folders, with a summary; the same on a Dask cluster."""

import csv
import re
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hotspot_tasking.cli import main
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.pipeline.context import ranking_context
from hotspot_tasking.pipeline.each_area import SUMMARY_COLUMNS, area_slug
from hotspot_tasking.pipeline.exports import export_list
from hotspot_tasking.pipeline.store import stored_lists
from hotspot_tasking.pipeline.tasking import request_incidents, tasking_list, with_status
from hotspot_tasking.ranking.rank import rank
from hotspot_tasking.ranking.request import TaskingRequest

PERIOD = "2018-06"
#: The demo's real borough outlines under codes and names a hostile file could carry, and a
#: square 10 km beyond the demo's records (no incident within the 5 km import margin).
HOSTILE_CODES = ["../../x", '=HYPERLINK("http://x")', "FAR\x1b[2J"]
HOSTILE_NAMES = ['=HYPERLINK("http://evil")', "Wands\nworth\x1b[31m", "@far"]


def _summary(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def boroughs_run(demo_copy, tmp_path_factory):
    """The demo's two boroughs (zones), one list each for June 2018, on the local engine."""
    out = tmp_path_factory.mktemp("each") / "lists"
    before = len(stored_lists(Workspace.open(demo_copy)))
    status = main(["tasking", str(demo_copy), "--period", PERIOD, "--top", "10", "--each-area", "boroughs",
                   "--out", str(out), "--engine", "local"])
    return status, out, before


def test_a_folder_and_a_summary_row_per_area_and_nothing_stored(demo_copy, boroughs_run):
    status, out, before = boroughs_run
    assert status == 0
    layer = Workspace.open(demo_copy).read_layer("boroughs")
    rows = _summary(out / "summary.csv")
    assert len(rows) == len(layer) == 2  # rows read = areas in the layer
    assert list(rows[0]) == list(SUMMARY_COLUMNS)
    assert [r["area_code"] for r in rows] == layer["code"].tolist()
    assert [r["area_name"] for r in rows] == ["Lambeth", "Wandsworth"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["001-E09000022", "002-E09000032"]
    for row in rows:
        assert row["error"] == "" and int(row["places"]) == 10 and int(row["incidents"]) > 1000
        files = row["files"].split(";")
        assert files == [f"{area_slug(int(row['position']), row['area_code'])}/{name}"
                         for name in ("tasking.csv", "briefing.pdf")]
        assert all((out / f).stat().st_size > 0 for f in files)
        assert float(row["top_score"]) > 0 and row["top_place"]
    assert len(stored_lists(Workspace.open(demo_copy))) == before  # --each-area stores nothing


def test_an_areas_csv_is_the_list_the_pipeline_gives_that_area(demo_copy, boroughs_run, tmp_path):
    _, out, _ = boroughs_run
    ws = Workspace.open(demo_copy)
    whole = TaskingRequest(PERIOD, top=10)
    asked = replace(whole, area=("boroughs", "E09000032"))
    export_list(ws, tasking_list(ws, asked), tmp_path / "direct.csv", top=10)
    written = (out / "002-E09000032" / "tasking.csv").read_bytes()
    assert written == (tmp_path / "direct.csv").read_bytes()
    # and it is not the whole partnership's list cut down
    export_list(ws, tasking_list(ws, whole), tmp_path / "whole.csv", top=10)
    assert written != (tmp_path / "whole.csv").read_bytes()


def test_one_area_is_ranked_on_its_outline_and_the_records_within_the_import_margin(demo_copy, tmp_path):
    ws = Workspace.open(demo_copy)
    whole = TaskingRequest(PERIOD, top=10)
    wards = ws.read_layer("ward_2014")
    ward = wards.iloc[int(np.argmin(wards.geometry.centroid.x))]  # the westmost: the margin leaves records out
    # By hand: the ward's outline as the study area, the records within the 5 km import margin
    # of its bounding box (as the import would keep them for a workspace of that ward).
    table = request_incidents(ws, whole)
    minx, miny, maxx, maxy = ward.geometry.bounds
    dx = np.maximum(np.maximum(minx - table["easting"], table["easting"] - maxx), 0)
    dy = np.maximum(np.maximum(miny - table["northing"], table["northing"] - maxy), 0)
    near = table[np.hypot(dx, dy) <= ws.area.margin_m].reset_index(drop=True)
    assert 0 < len(near) < len(table)
    asked = replace(whole, area=("ward_2014", ward["code"]))
    context = replace(ranking_context(ws, whole), study_area=ward.geometry)
    export_list(ws, with_status(ws, rank(near, asked, context)), tmp_path / "by_hand.csv", top=10)
    export_list(ws, tasking_list(ws, asked), tmp_path / "pipeline.csv", top=10)
    assert (tmp_path / "pipeline.csv").read_bytes() == (tmp_path / "by_hand.csv").read_bytes()


def test_hostile_codes_and_names_make_no_path_and_no_formula(demo_copy, tmp_path, capsys):
    boroughs = Workspace.open(demo_copy).read_layer("boroughs")
    far = shapely.box(541000, 160000, 542000, 161000)
    zones = gpd.GeoDataFrame({"ZID": HOSTILE_CODES, "ZNAME": HOSTILE_NAMES},
                             geometry=[*boroughs.geometry.values, far], crs=27700)
    zones.to_file(tmp_path / "hostile.geojson", driver="GeoJSON")
    assert main(["boundaries", "add", str(demo_copy), "--kind", "zone", "--name", "hostile", "--code-col", "ZID",
                 "--name-col", "ZNAME", str(tmp_path / "hostile.geojson")]) == 0
    out = tmp_path / "deep" / "lists"  # created, parents too
    assert main(["tasking", str(demo_copy), "--period", PERIOD, "--top", "5", "--each-area", "hostile",
                 "--out", str(out), "--formats", "csv"]) == 0  # two areas made, one failed: 0
    printed = capsys.readouterr().out
    assert "2 of 3 made" in printed and "\x1b" not in printed
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "hostile.geojson"]
    assert written and all(p.resolve().is_relative_to(out.resolve()) for p in written)
    assert sorted(p.name for p in out.iterdir()) == ["001-x", "002-HYPERLINKhttpx", "summary.csv"]
    assert not (tmp_path / "x").exists()
    rows = _summary(out / "summary.csv")
    assert [r["area_code"] for r in rows] == ["../../x", "'" + HOSTILE_CODES[1], "FAR [2J"]
    assert [r["area_name"] for r in rows] == ["'" + HOSTILE_NAMES[0], "Wands worth [31m", "'@far"]
    cells = [cell for row in rows for cell in row.values()]
    assert not any(cell.startswith(("=", "+", "@")) or re.search(r"[\x00-\x1f]", cell) for cell in cells)
    assert rows[2]["error"].startswith("no incident is recorded within 5 km of the area")
    assert (rows[2]["places"], rows[2]["files"]) == ("0", "")


def test_every_area_failing_exits_2_and_says_why_per_area(demo_copy, tmp_path, capsys):
    out = tmp_path / "none"
    assert main(["tasking", str(demo_copy), "--period", PERIOD, "--each-area", "boroughs", "--category",
                 "No such category", "--out", str(out), "--formats", "csv"]) == 2
    rows = _summary(out / "summary.csv")
    assert len(rows) == 2 and all(r["error"] and not r["files"] for r in rows)
    assert "0 of 2 made" in capsys.readouterr().out


@pytest.mark.parametrize("args, words", [
    (["--each-area", "boroughs"], "give exactly one --out DIR (got 0)"),
    (["--each-area", "boroughs", "--out", "a", "--out", "b"], "give exactly one --out DIR (got 2)"),
    (["--each-area", "no_such_layer", "--out", "a"], "no area layer or layer kind 'no_such_layer'"),
    (["--each-area", "zone", "--out", "a", "--formats", "csv,docx"], "--formats docx: not an export format"),
    (["--formats", "csv", "--out", "a.csv"], "--formats chooses the files of --each-area"),
])
def test_wrong_each_area_options_are_one_sentence(demo_copy, tmp_path, capsys, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    assert main(["tasking", str(demo_copy), "--period", PERIOD, *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and words in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_a_dask_cluster_writes_the_same_summary_and_lists(demo_copy, tmp_path):
    pytest.importorskip("distributed")
    outs = {}
    for engine in (["--engine", "local"], ["--engine", "dask", "--workers", "2"]):
        outs[engine[1]] = out = tmp_path / engine[1]
        assert main(["tasking", str(demo_copy), "--period", PERIOD, "--top", "10", "--each-area", "boroughs",
                     "--out", str(out), "--formats", "csv", *engine]) == 0
    local, dask = (sorted(p.relative_to(outs[k]) for p in outs[k].rglob("*") if p.is_file()) for k in outs)
    assert local == dask == [Path("001-E09000022/tasking.csv"), Path("002-E09000032/tasking.csv"),
                             Path("summary.csv")]
    for name in local:
        assert (outs["local"] / name).read_bytes() == (outs["dask"] / name).read_bytes()
