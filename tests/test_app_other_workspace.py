"""The app on a workspace that is not the demo: another city (the City of London's police.uk
records), month-only dates, and area layers with other names (``ward_2022``, ``lsoa_2011``).
Pages must read what the workspace has, never the demo's layer names.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, POLICE_DIR, run_cli
from shown import shown
from streamlit.testing.v1 import AppTest

ENTRY = "../app.py"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """A City of London workspace: three months of police.uk records, its 2011 LSOAs loaded
    twice, once as LSOAs and once as a ward layer of another vintage (a stand-in for the
    City's own wards, which the fixtures do not hold)."""
    root = tmp_path_factory.mktemp("city") / "ws"
    lsoas = FIXTURES / "boundaries" / "city_lsoa_2011.gpkg"
    run_cli("init", str(root), "--area", "531000,180400,533900,182000")
    run_cli("ingest", str(root), "--source", "police_uk", str(POLICE_DIR))
    run_cli("boundaries", "add", str(root), "--kind", "lsoa", str(lsoas))
    run_cli("boundaries", "add", str(root), "--kind", "ward", "--vintage", "2022", "--code-col", "LSOA11CD",
        "--name-col", "LSOA11NM", str(lsoas))
    return root


@pytest.fixture
def app(city, monkeypatch) -> AppTest:
    monkeypatch.setenv("HOTSPOT_WORKSPACE", str(city))
    return AppTest.from_file(ENTRY, default_timeout=120).run()


def test_the_explorer_draws_the_workspaces_own_ward_layer(app):
    app.switch_page("app_pages/explorer.py").run()
    assert not app.exception, app.exception
    assert not app.error, [shown(e.value) for e in app.error]
    layers = {layer["id"]: layer for layer in json.loads(app.get("deck_gl_json_chart")[0].proto.json)["layers"]}
    assert {"boundaries", "density", "hotspots"} <= set(layers)
    assert any("layer ward_2022" in shown(c.value) for c in app.caption)


@pytest.mark.parametrize("page", ["weekly_review", "patrol_plan", "area_comparison", "exports", "data"])
def test_every_page_runs_without_an_exception(app, page):
    app.switch_page(f"app_pages/{page}.py").run()
    assert not app.exception, app.exception


def test_the_weekly_review_of_police_uk_months(app):
    """Months only: no weeks (with the reason), the latest month complete, no peak columns, and
    one sentence instead of the hour-of-week grid."""
    assert not app.exception, app.exception
    assert app.sidebar.get("segmented_control")[0].options == ["Month"]
    assert any("100% of the records have only a month (police.uk)" in shown(c.value) for c in app.sidebar.caption)
    period = app.sidebar.selectbox(key="weekly_period_month")
    assert period.options[0] == "August 2015" and period.value == "2015-08"  # a police.uk month is whole
    listed = app.dataframe[0]
    assert "peak band" not in listed.proto.column_order and "peak" not in listed.proto.column_order
    assert any("None of the" in shown(c.value) and "has a time of day (police.uk gives months only)" in shown(c.value)
               for c in app.caption)
    app.session_state[listed.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    assert not app.exception, app.exception
    assert any("so there is no hour-of-week grid" in shown(c.value) for c in app.caption)
    assert len(app.get("vega_lite_chart")) == 2  # the category mix and the trend; no empty grid
