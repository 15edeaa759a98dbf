"""Hotspot analyses of a workspace: the runner, the files it writes, and the CLI commands."""

import json
import math
from dataclasses import replace

import geopandas as gpd
import pyogrio
import pytest
import rasterio

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.cli import main
from hotspot_tasking.errors import PeriodError
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.areas import DEFAULT_COVERAGE, MIN_HOTSPOT_INCIDENTS
from hotspot_tasking.hotspots.errors import HotspotError
from hotspot_tasking.hotspots.export import write_hotspots
from hotspot_tasking.hotspots.run import HotspotRequest, compare_band_hotspots, describe, run_hotspots
from hotspot_tasking.periods import date_range

VIOLENCE = ("Violence and sexual offences",)


@pytest.fixture(scope="module")
def demo():
    ws = Workspace.open(DEMO_WORKSPACE)
    return ws, ws.incidents()


@pytest.mark.parametrize("method,extra", [("kde", "density_cells"), ("dbscan", "hulls"), ("gistar", "gistar_cells")])
def test_each_method_writes_a_geopackage_with_its_card(demo, tmp_path, method, extra):
    ws, inc = demo
    run = run_hotspots(ws, HotspotRequest(method=method, band="nte", categories=VIOLENCE,
                                          start="2017-01-01", end="2017-12-31"), incidents=inc)
    assert run.incidents == int(((inc["category"] == VIOLENCE[0]) & (inc["occurred_from"].dt.year == 2017)).sum())
    assert len(run.layers["hotspots"]) > 0
    (out,) = write_hotspots(run, tmp_path / "h.gpkg")
    layers = dict(pyogrio.list_layers(out))
    assert set(layers) == {"hotspots", extra, "method_card"}
    card = pyogrio.read_dataframe(out, layer="method_card")
    assert {"section", "name", "value", "rule"} <= set(card.columns)
    assert ((card["name"] == "selection").any()
            and card.loc[card["name"] == "band", "value"].item() == '"Night-time economy"')
    back = gpd.read_file(out, layer="hotspots")
    assert back.crs.to_epsg() == 27700 and len(back) == len(run.layers["hotspots"])


def test_geojson_is_wgs84_with_the_card_beside_it_and_tif_needs_kde(demo, tmp_path):
    ws, inc = demo
    run = run_hotspots(ws, HotspotRequest(method="kde", categories=VIOLENCE, start="2017-07-01", end="2017-07-31"),
                       incidents=inc)
    geo, card = write_hotspots(run, tmp_path / "h.geojson")
    assert gpd.read_file(geo).crs.to_epsg() == 4326
    assert json.loads(card.read_text())["method"] == "kde"
    (tif,) = write_hotspots(run, tmp_path / "h.tif")
    with rasterio.open(tif) as src:
        assert src.crs.to_epsg() == 27700 and src.shape == run.surface.grid.shape
    clusters = run_hotspots(ws, HotspotRequest(method="dbscan", categories=VIOLENCE, start="2017-07-01",
                                               end="2017-07-31"), incidents=inc)
    with pytest.raises(HotspotError, match="only --method kde makes"):
        write_hotspots(clusters, tmp_path / "c.tif")
    with pytest.raises(HotspotError, match="unknown output format '.shp'"):
        write_hotspots(run, tmp_path / "h.shp")


def test_kde_layers_use_the_coverage_rule_and_draw_the_hot_cells(demo):
    ws, inc = demo
    run = run_hotspots(ws, HotspotRequest(method="kde", categories=VIOLENCE, start="2017-07-01", end="2017-07-31"),
                       incidents=inc)
    spots, cells, res = run.layers["hotspots"], run.layers["density_cells"], run.surface
    level = spots.attrs["threshold_value"]
    study = int(res.study_mask.sum())
    assert spots.attrs["threshold_rule"].startswith(f"the hottest {math.floor(DEFAULT_COVERAGE * study):,} of the "
                                                    f"study area's {study:,} cells (5% of its area; ties included)")
    assert spots.attrs["threshold_rule"].endswith(f"and hotspots holding at least {MIN_HOTSPOT_INCIDENTS} incidents")
    assert run.card.data["hotspot_threshold"] == spots.attrs["threshold_rule"]
    hot = res.study_mask & (res.density >= level)
    assert len(cells) == hot.sum() and (cells["density"] >= level).all()  # before: every cell above the mean
    assert spots["cells"].sum() <= len(cells) and (spots["incidents"] >= MIN_HOTSPOT_INCIDENTS).all()


def test_dbscan_and_gistar_runs_use_the_study_area(demo):
    ws, inc = demo
    request = HotspotRequest(method="dbscan", categories=VIOLENCE, start="2017-07-01", end="2017-07-31")
    run = run_hotspots(ws, request, incidents=inc)
    assert "the study area given" in run.card.rules["min_weight"]  # analyse passes the band weights
    inside = run.card.data["incidents_in_study_area"]
    assert inside + run.card.data["incidents_outside_study_area"] == run.incidents
    assert run.layers["hotspots"]["share"].sum() <= 1
    gi = run_hotspots(ws, replace(request, method="gistar"), incidents=inc)
    assert gi.card.data["counted"] + gi.card.data["incidents_outside"] == gi.incidents


def test_bands_are_compared_on_one_grid(demo):
    ws, inc = demo
    request = HotspotRequest(method="kde", categories=VIOLENCE, start="2017-01-01", end="2017-12-31")
    runs, marked = compare_band_hotspots(ws, request, ["nte", "daytime"], incidents=inc)
    assert runs["nte"].surface.grid == runs["daytime"].surface.grid  # same cells: comparable maps
    assert set(marked["band"]) == {"nte", "daytime"}
    assert marked["only_in_band"].dtype == bool
    assert len(marked) == len(runs["nte"].layers["hotspots"]) + len(runs["daytime"].layers["hotspots"])


def test_nothing_selected_is_one_clear_sentence(demo):
    ws, inc = demo
    with pytest.raises(HotspotError, match="no incidents match Robbery; all times; 01/01/2030 to 31/01/2030; counts"):
        run_hotspots(ws, HotspotRequest(categories=("Robbery",), start="2030-01-01", end="2030-01-31"), incidents=inc)


def test_period_words():
    assert date_range("2017") == ("2017-01-01", "2017-12-31")
    assert date_range("2016-02") == ("2016-02-01", "2016-02-29")
    assert date_range("01/06/2017:31/08/2017") == ("2017-06-01", "2017-08-31")
    with pytest.raises(PeriodError, match="is not a period"):
        date_range("last summer")
    with pytest.raises(PeriodError, match="ends before it starts"):
        date_range("2017-08-01:2017-06-01")
    assert describe(HotspotRequest(band="nte", weighting="harm")) == "all categories; band 'nte'; harm-weighted"


def test_cli_hotspots_and_backtest(tmp_path, capsys):
    out = tmp_path / "nte.gpkg"
    assert main(["hotspots", str(DEMO_WORKSPACE), "--method", "kde", "--band", "nte", "--category", VIOLENCE[0],
                 "--period", "2017-07", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("kde: ") and "hotspots from" in text and "bandwidth_m = " in text and out.exists()
    assert main(["backtest", str(DEMO_WORKSPACE), "--category", "Burglary", "--period", "2017-07"]) == 0
    text = capsys.readouterr().out
    assert "hit_rate" in text and "pai" in text and "naive" in text and "kde-" in text and "default (" in text
    assert main(["hotspots", str(DEMO_WORKSPACE), "--band", "teatime", "--out", str(out)]) == 2
    assert "error:" in capsys.readouterr().err
