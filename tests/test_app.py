"""The Streamlit app on the bundled demo, through Streamlit's AppTest (no browser)."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image
from shown import shown
from streamlit.testing.v1 import AppTest

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.grid import Grid
from hotspot_tasking.ui.cache import MAX_EXPLORER_CELLS

#: The extent of the demo's wards (its study area), EPSG:27700 metres.
WARDS_EXTENT = (521054.9, 169648.0, 533716.6, 180688.1)


@pytest.fixture(scope="module")
def demo_counts():
    return Workspace.open(DEMO_WORKSPACE).summary()


def run_app() -> AppTest:
    return AppTest.from_file("../app.py", default_timeout=60).run()


def test_data_page_shows_the_demo_counts(demo_counts):
    at = run_app()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Incidents"] == f"{demo_counts.incidents:,}"
    assert metrics["From"] == "01/01/2016" and metrics["To"] == "30/06/2018"
    # the demo's simulated sources are labelled as such on the page
    assert any("simulated" in shown(w.value) for w in at.warning)


def test_a_folder_that_is_not_a_workspace_gives_one_clear_message(tmp_path):
    at = run_app()
    at.sidebar.text_input(key="workspace_path").set_value(str(tmp_path)).run()
    assert not at.exception
    assert len(at.error) == 1
    assert "not a workspace" in shown(at.error[0].value) and "hotspot-tasking init" in shown(at.error[0].value)


def test_workspace_from_the_environment(tmp_path, monkeypatch):
    Workspace.create(tmp_path / "empty")
    monkeypatch.setenv("HOTSPOT_WORKSPACE", str(tmp_path / "empty"))
    at = run_app()
    assert not at.exception
    assert any("No incidents yet" in shown(i.value) for i in at.info)


def test_hotspot_explorer_draws_a_map_and_a_table():
    at = run_app()
    at.switch_page("app_pages/explorer.py").run()
    assert not at.exception
    assert len(at.get("deck_gl_json_chart")) == 1
    spec = at.get("deck_gl_json_chart")[0].proto.json
    assert '"GeoJsonLayer"' in spec and '"hotspots"' in spec and '"boundaries"' in spec
    assert at.dataframe and len(at.dataframe[0].value) > 0
    at.radio(key="explorer_method").set_value("dbscan").run()
    assert not at.exception
    assert "cluster id" in at.dataframe[0].value.columns
    # each cluster's peak band by its label, never its id
    assert set(at.dataframe[0].value["peak band"]) <= {"Night-time economy", "After school", "Overnight", "Daytime",
                                                       "no time of day"}


def test_explorer_band_filter_changes_the_selection():
    at = run_app()
    at.switch_page("app_pages/explorer.py").run()
    before = shown(at.caption[0].value)
    at.sidebar.selectbox(key="band").set_value("nte").run()
    assert not at.exception
    # the band's label from time_bands.toml, never its id
    assert "time band: Night-time economy" in shown(at.caption[0].value) and shown(at.caption[0].value) != before
    assert "nte" not in shown(at.caption[0].value) and "time band: All times" in before


def test_the_explorer_offers_cell_sizes_down_to_a_bounded_grid():
    at = run_app()
    at.switch_page("app_pages/explorer.py").run()
    cell = at.selectbox(key="explorer_cell")
    assert cell.value is None and cell.options[0] == "automatic (220 m)"
    sizes = [float(o.removesuffix(" m")) for o in cell.options[1:]]
    assert sizes == [20, 25, 50, 75, 100, 150, 200, 250, 500, 1000, 2000]  # not 10 m: a grid over 400,000 cells
    assert Grid.covering(WARDS_EXTENT, cell_size_m=20.0).cells <= MAX_EXPLORER_CELLS
    assert Grid.covering(WARDS_EXTENT, cell_size_m=10.0).cells > MAX_EXPLORER_CELLS


@pytest.mark.parametrize("method", ["kde", "gistar"])
def test_the_finest_grid_the_explorer_offers_is_sent_in_well_under_a_megabyte(method):
    at = run_app()
    at.switch_page("app_pages/explorer.py").run()
    at.radio(key="explorer_method").set_value(method).run()
    at.selectbox(key="explorer_cell").set_value(20).run()
    assert not at.exception
    text = at.get("deck_gl_json_chart")[0].proto.json
    assert len(text) < 1_000_000
    layers = {layer["id"]: layer for layer in json.loads(text)["layers"]}
    assert {"boundaries", "boundaries_outline", "hotspots", "hotspots_outline"} <= set(layers)
    if method == "kde":  # the surface is one image, a pixel per 20 m cell over the wards' extent
        assert layers["density"]["@@type"] == "BitmapLayer"
        image = Image.open(io.BytesIO(base64.b64decode(layers["density"]["image"].split(",", 1)[1])))
        grid = Grid.covering(WARDS_EXTENT, cell_size_m=20.0)
        assert image.size == (grid.nx, grid.ny)
        coloured = int((np.asarray(image.convert("RGBA"))[..., 3] > 0).sum())
        assert coloured > 5000  # the hottest 5% of the wards' 156,000 cells
        assert "in yellow" in " ".join(shown(c.value) for c in at.caption)
