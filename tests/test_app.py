"""The Streamlit app on the bundled demo, through Streamlit's AppTest (no browser)."""

import pytest
from streamlit.testing.v1 import AppTest

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.geo.workspace import Workspace


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
    assert any("simulated" in w.value for w in at.warning)


def test_a_folder_that_is_not_a_workspace_gives_one_clear_message(tmp_path):
    at = run_app()
    at.sidebar.text_input(key="workspace_path").set_value(str(tmp_path)).run()
    assert not at.exception
    assert len(at.error) == 1
    assert "not a workspace" in at.error[0].value and "hotspot-tasking init" in at.error[0].value


def test_workspace_from_the_environment(tmp_path, monkeypatch):
    Workspace.create(tmp_path / "empty")
    monkeypatch.setenv("HOTSPOT_WORKSPACE", str(tmp_path / "empty"))
    at = run_app()
    assert not at.exception
    assert any("No incidents yet" in i.value for i in at.info)


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
    assert "cluster_id" in at.dataframe[0].value.columns
    # each cluster's peak band by its label, never its id
    assert set(at.dataframe[0].value["peak_band"]) <= {"Night-time economy", "After school", "Overnight", "Daytime",
                                                       "no time of day"}


def test_explorer_band_filter_changes_the_selection():
    at = run_app()
    at.switch_page("app_pages/explorer.py").run()
    before = at.caption[0].value
    at.sidebar.selectbox(key="band").set_value("nte").run()
    assert not at.exception
    # the band's label from time_bands.toml, never its id
    assert "time band: Night-time economy" in at.caption[0].value and at.caption[0].value != before
    assert "nte" not in at.caption[0].value and "time band: All times" in before
