"""Every empty result says why in one sentence, and a workspace without area layers runs
everywhere: the City of London's police.uk records (three months, month-only dates) with
no ward or LSOA layer, built with the CLI as a person would.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import POLICE_DIR, run_cli
from shown import shown
from streamlit.testing.v1 import AppTest

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.cli import main
from hotspot_tasking.errors import UserError
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.bands import select_band, untimed_band_sentence
from hotspot_tasking.hotspots.errors import HotspotError
from hotspot_tasking.hotspots.run import HotspotRequest
from hotspot_tasking.pipeline.context import NO_AREA_LAYER, context_caveats, ranking_context
from hotspot_tasking.pipeline.tasking import tasking_list
from hotspot_tasking.ranking.request import TaskingRequest
from hotspot_tasking.ui.cache import backtest_summary, band_empty_reason

ENTRY = "../app.py"
PAGES = ["weekly_review", "explorer", "patrol_plan", "area_comparison", "exports", "data"]
NTE_AUGUST = ("none of the 100 incidents in August 2015 has a time of day (police.uk gives months only), so none "
              "falls in the 'Night-time economy' band; use all times.")


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """A workspace with incidents and no area layer at all."""
    root = tmp_path_factory.mktemp("bare") / "ws"
    run_cli("init", str(root), "--area", "531000,180400,533900,182000")
    run_cli("ingest", str(root), "--source", "police_uk", str(POLICE_DIR))
    return root


def app_on(root, monkeypatch) -> AppTest:
    monkeypatch.setenv("HOTSPOT_WORKSPACE", str(root))
    return AppTest.from_file(ENTRY, default_timeout=120).run()


# --- a workspace without area layers --------------------------------------------------------------

def test_tasking_without_layers_lists_hotspot_places(bare, capsys):
    assert main(["tasking", str(bare), "--period", "2015-08", "--no-save"]) == 0
    out = capsys.readouterr().out
    assert "Tasking list for 2015-08 (All times)" in out and "Traceback" not in out
    assert "Caveat: no ward or LSOA layer: places have no ward" in out


def test_a_context_without_ward_or_lsoa_layer_gives_the_no_layer_caveat(bare):
    ws = Workspace.open(bare)
    assert context_caveats(ranking_context(ws, TaskingRequest(period="2015-08"))) == [NO_AREA_LAYER]


def test_a_list_without_layers_carries_the_no_layer_caveat(bare):
    listed = tasking_list(Workspace.open(bare), TaskingRequest(period="2015-08"))
    assert len(listed.frame) and NO_AREA_LAYER in listed.caveats


@pytest.mark.parametrize("kind", ["ward", "lsoa"])
def test_area_candidates_without_a_layer_say_which_layer_to_add(bare, capsys, kind):
    assert main(["tasking", str(bare), "--period", "2015-08", "--candidates", kind, "--no-save"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"error: the workspace has no {kind} layer; add one with 'hotspot-tasking boundaries add', "
                   "or rank hotspots.")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_a_workspace_without_layers(bare, monkeypatch, page):
    app = app_on(bare, monkeypatch)
    app.switch_page(f"app_pages/{page}.py").run()
    assert not app.exception, app.exception


# --- the explorer's backtest ----------------------------------------------------------------------

def test_the_explorers_backtest_scores_every_month_under_a_one_month_period(monkeypatch):
    monkeypatch.setenv("HOTSPOT_WORKSPACE", str(DEMO_WORKSPACE))
    app = AppTest.from_file(ENTRY, default_timeout=180).run()
    app.switch_page("app_pages/explorer.py").run()
    start, end = app.sidebar.date_input(key="period").value
    assert (start.year, start.month) == (end.year, end.month)  # the default: one month
    app.button(key="explorer_backtest").click().run()
    assert not app.exception, app.exception
    assert len(app.dataframe[-1].value) > 0
    assert any("Backtested on all the workspace's months, not only the sidebar's period" in shown(c.value)
               for c in app.caption)


def test_the_explorers_backtest_says_why_it_is_empty(bare, monkeypatch):
    app = app_on(bare, monkeypatch)
    app.switch_page("app_pages/explorer.py").run()
    app.button(key="explorer_backtest").click().run()
    assert not app.exception, app.exception
    assert [shown(i.value) for i in app.info] == [
        "The backtest needs two consecutive months with incidents in the selection; the workspace holds 3 "
        "(October 2014, January 2015, August 2015) but no two in a row: import more months."]


def test_a_backtest_scores_every_month_whatever_the_period_and_says_why_none_pair(bare):
    ws = Workspace.open(bare)
    with pytest.raises(HotspotError) as err:
        backtest_summary(str(bare), ws.version, HotspotRequest(start="2015-08-01", end="2015-08-31"), "month")
    assert "the workspace holds 3 (October 2014, January 2015, August 2015) but no two in a row" in str(err.value)


def test_a_weekly_backtest_of_month_only_records_says_use_months(bare):
    ws = Workspace.open(bare)
    with pytest.raises(HotspotError, match=r"holds none \(its 312 month-only records fit no week\): use months\."):
        backtest_summary(str(bare), ws.version, HotspotRequest(), "week")


# --- an hour band on month-only records ------------------------------------------------------------

def test_an_hour_band_on_month_only_records_says_why_it_is_empty(bare):
    ws = Workspace.open(bare)
    table = ws.incidents()
    august = table[table["occurred_from"].dt.month.eq(8)]
    before = august.copy()
    band = select_band(august, "nte", time_bands=ws.time_bands())
    assert band.weights.eq(0).all() and band.no_time_of_day == 100
    assert band.empty_reason == band.message == NTE_AUGUST
    pd.testing.assert_frame_equal(august, before)
    august_nte = HotspotRequest(band="nte", start="2015-08-01", end="2015-08-31")
    assert band_empty_reason(str(bare), ws.version, august_nte) == NTE_AUGUST
    assert band_empty_reason(str(bare), ws.version, HotspotRequest()) is None
    assert select_band(august, "all").empty_reason is None


def test_the_untimed_sentence_for_one_record_and_for_several_months():
    one = pd.DataFrame({"occurred_from": pd.to_datetime(["2017-07-01"]).tz_localize("Europe/London"),
                        "time_precision": ["day"]})
    assert untimed_band_sentence(one, "Daytime") == (
        "the one incident in July 2017 has no time of day (their dates give the day only), so none falls in "
        "the 'Daytime' band; use all times.")
    two = pd.DataFrame({"occurred_from": pd.to_datetime(["2017-06-01", "2017-07-01"]).tz_localize("Europe/London"),
                        "time_precision": ["month", "month"]})
    assert "none of the 2 incidents from June 2017 to July 2017 has a time of day (their dates give the month " \
           "only)" in untimed_band_sentence(two, "Overnight")
    with pytest.raises(UserError, match="'time_precision'"):
        untimed_band_sentence(one.drop(columns="time_precision"), "Daytime")
    with pytest.raises(HotspotError, match="has no rows"):
        untimed_band_sentence(one.iloc[:0], "Daytime")


def test_the_hotspots_and_backtest_commands_say_why_an_hour_band_is_empty(bare, tmp_path, capsys):
    out = tmp_path / "h.gpkg"
    assert main(["hotspots", str(bare), "--band", "nte", "--period", "2015-08", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {NTE_AUGUST}"
    assert not out.exists()
    assert main(["backtest", str(bare), "--band", "nte", "--period", "2015-08"]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: none of the 312 incidents from October 2014 to August 2015 has a time of day (police.uk gives "
        "months only), so none falls in the 'Night-time economy' band; use all times.")


def test_the_explorer_says_why_an_hour_band_is_empty(bare, monkeypatch):
    app = app_on(bare, monkeypatch)
    app.switch_page("app_pages/explorer.py").run()
    app.sidebar.selectbox(key="band").set_value("nte").run()
    assert not app.exception, app.exception
    assert [shown(i.value) for i in app.info] == [NTE_AUGUST[0].upper() + NTE_AUGUST[1:]]


def test_a_tasking_list_of_an_hour_band_on_month_only_records_says_why_it_is_empty(bare, capsys):
    assert main(["tasking", str(bare), "--period", "2015-08", "--band", "nte", "--no-save"]) == 0
    out = capsys.readouterr().out
    assert "Tasking list for 2015-08 (Night-time economy): 0 places." in out
    assert ("Caveat: none of the 100 incidents in August 2015 has a time of day (police.uk gives months only), so "
            "none falls in the 'Night-time economy' band; use all times.") in out
    assert "Empty DataFrame" not in out and "Traceback" not in out


def test_the_backtest_of_a_workspace_without_incidents_is_one_sentence(tmp_path, capsys):
    root = tmp_path / "empty"
    run_cli("init", str(root), "--area", "531000,180400,533900,182000")
    assert main(["backtest", str(root)]) == 2
    assert "the workspace holds no incidents, so there is no period to review" in capsys.readouterr().err
