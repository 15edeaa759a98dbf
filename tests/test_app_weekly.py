"""The weekly review and patrol plan pages on the bundled demo, through Streamlit's AppTest.

Runs app.py; anything written goes to a copy of the demo in tmp_path.
"""

import json
import shutil
from pathlib import Path

import pytest
from shown import shown
from streamlit.testing.v1 import AppTest

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.actions.log import ActionLog
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.pipeline.store import stored_lists

HERE = Path(__file__).resolve().parent
ENTRY, PAGES = "../app.py", "app_pages/"


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=90).run()
    at.switch_page(f"{PAGES}{page}.py").run()  # the weekly review is meant to be the landing page; be sure
    assert not at.exception, at.exception
    return at


def deck_spec(at: AppTest, n: int = 0) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[n].proto.json)


def select_row(at: AppTest, row: int) -> AppTest:
    at.session_state[at.dataframe[0].key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


@pytest.fixture
def demo_copy(tmp_path, monkeypatch):
    """A copy of the demo workspace, chosen through $HOTSPOT_WORKSPACE."""
    target = tmp_path / "demo"
    shutil.copytree(DEMO_WORKSPACE, target)
    monkeypatch.setenv("HOTSPOT_WORKSPACE", str(target))
    return target


def test_weekly_review_shows_the_latest_complete_week_ranked_with_a_map():
    at = open_page("weekly_review")
    assert at.get("segmented_control")[0].value == "week"
    period = at.selectbox(key="weekly_period_week")
    assert period.value == "2018-06-18"  # the week from 25/06/2018 runs past the data's last day (30/06/2018)
    assert period.options[:2] == ["The week beginning 25 June 2018 (incomplete)", "The week beginning 18 June 2018"]
    table = at.dataframe[0].value
    assert {"rank", "place", "trend", "now", "before", "peak band", "lead", "status"} <= set(table.columns)
    assert len(table) > 3 and table["rank"].tolist() == list(range(1, len(table) + 1))
    assert set(table["trend"]) <= {"▲", "▼", "►"}
    layers = {layer["id"]: layer for layer in deck_spec(at)["layers"]}
    assert {"boundaries", "places", "ranks"} <= set(layers) and "selected" not in layers
    assert len(layers["places"]["data"]["features"]) == len(table)
    assert any("Select a row" in shown(i.value) for i in at.info)


def test_months_and_the_sidebar_band():
    at = open_page("weekly_review")
    at.sidebar.get("segmented_control")[0].set_value("month").run()
    assert at.selectbox(key="weekly_period_month").value == "2018-06"
    at.sidebar.selectbox(key="band").set_value("nte").run()
    assert not at.exception and not at.error
    # the band's label from time_bands.toml, never its id
    assert shown(at.caption[0].value).startswith("June 2018; time band: Night-time economy; all categories.")
    assert set(at.dataframe[0].value["peak band"]) <= {"Night-time economy", "After school", "Overnight", "Daytime"}


def test_selecting_a_row_shows_the_place_detail_and_the_form():
    at = select_row(open_page("weekly_review"), 1)
    assert not at.exception
    place = at.dataframe[0].value.iloc[1]
    assert [shown(s.value) for s in at.subheader] == [f"#2 {place['place']}", "Previous actions"]
    assert {"**When: hour of the week**", "**What: category mix**", "**Trend over the baseline**"} <= \
        {shown(m.value) for m in at.markdown}
    mix, heat, trend = (json.loads(c.proto.spec) for c in at.get("vega_lite_chart"))  # in page order
    assert heat["mark"]["type"] == "rect" and heat["encoding"]["color"]["title"] == "incidents"
    assert heat["encoding"]["color"]["scale"]["scheme"] == "viridis"  # colour-blind safe
    assert mix["encoding"]["x"]["field"] == "incidents" and mix["mark"]["type"] == "bar"
    assert trend["layer"][0]["encoding"]["y"]["title"] == "incidents per week"
    layers = {layer["id"] for layer in deck_spec(at)["layers"]}
    assert "selected" in layers
    tid = place["tasking_id"]
    assert at.text_area(key=f"decision_action_{tid}_0") is not None  # _0: no actions recorded yet
    assert at.selectbox(key=f"decision_pier_{tid}_0").options == ["Prevent", "Intelligence", "Enforcement", "Reassure"]
    assert any(b.label == "Record decision" for b in at.button)


def test_a_recorded_decision_lands_in_the_action_log(demo_copy):
    at = select_row(open_page("weekly_review"), 0)
    place = at.dataframe[0].value.iloc[0]
    key = f"{place['tasking_id']}_0"
    at.text_area(key=f"decision_action_{key}").input("High-visibility patrols Fri-Sat 21:00-03:00")
    at.text_input(key=f"decision_owner_{key}").input("Neighbourhood sergeant")
    at.selectbox(key=f"decision_agency_{key}").set_value("Police")
    at.selectbox(key=f"decision_pier_{key}").set_value("Enforcement")
    at.number_input(key=f"decision_bid_{key}").set_value(1500.0)
    next(b for b in at.button if b.label == "Record decision").click().run()
    assert not at.exception and not at.error, [shown(e.value) for e in at.error]
    recorded = shown(at.success[0].value)
    assert "Recorded action 1" in recorded and "final approval by the partnership" in recorded

    tid = place["tasking_id"]
    with ActionLog.open(demo_copy) as log:
        actions = log.actions_for()
        assert len(actions) == 1
        action = actions.iloc[0]
        assert (action["tasking_id"], action["agency"], action["pier"], action["approval_route"]) == \
            (tid, "Police", "Enforcement", "partnership")
        assert action["owner_role"] == "Neighbourhood sergeant" and action["status"] == "open"
        meeting = log.meetings().iloc[0]
        assert (meeting["period"], str(meeting["held_on"].date())) == ("2018-06-18", "2018-06-25")
        assert str(action["due_on"].date()) == "2018-07-09"
        assert len(log.history(tid)) == 1
    assert stored_lists(Workspace.open(demo_copy))["period"].tolist() == ["2018-06-18"]
    assert at.dataframe[1].value["agency"].tolist() == ["Police"]  # the place's previous actions, refreshed

    # the next run shows a fresh form (no double recording); a due date before the meeting is one
    # clear message, nothing is written, and what was typed stays
    at.run()
    key = f"{tid}_1"
    assert at.text_area(key=f"decision_action_{key}").value == ""
    at.date_input(key=f"decision_due_{key}").set_value("2018-06-01")
    at.text_area(key=f"decision_action_{key}").input("Another action")
    next(b for b in at.button if b.label == "Record decision").click().run()
    assert not at.exception and len(at.error) == 1
    assert "before the meeting on 25/06/2018" in shown(at.error[0].value)
    assert at.text_area(key=f"decision_action_{key}").value == "Another action"
    with ActionLog.open(demo_copy) as log:
        assert len(log.actions_for()) == 1

    # an empty action is refused before anything is written
    at.text_area(key=f"decision_action_{key}").input("   ")
    next(b for b in at.button if b.label == "Record decision").click().run()
    assert [shown(e.value) for e in at.error] == ["Give the action agreed: it is needed to record the decision."]

    # the meeting listed every place: another one shows it was listed without an action
    select_row(at, 1)
    assert at.dataframe[1].value[["meeting", "status", "agency"]].astype(str).values.tolist() == \
        [["2018-06-25", "listed, no action", ""]]


def test_a_decision_shows_in_the_list_it_was_made_from_and_the_address_reopens_the_view(demo_copy):
    at = open_page("weekly_review")
    at.sidebar.get("segmented_control")[0].set_value("month").run()
    at.sidebar.selectbox(key="weekly_period_month").set_value("2018-05").run()
    place = select_row(at, 2).dataframe[0].value.iloc[2]
    tid = place["tasking_id"]
    assert place["status"] == "new"
    figures = {m.label: m.value for m in at.metric}
    assert figures["Places ranked"] == f"{len(at.dataframe[0].value):,}" and figures["Actions open"] == "0"
    assert int(figures["Rising ▲"]) == (at.dataframe[0].value["trend"] == "▲").sum()
    assert at.query_params == {"every": "month", "period": "2018-05", "method": "surface", "place": tid}
    key = f"{tid}_0"
    assert at.date_input(key=f"decision_held_{key}").value.isoformat() == "2018-06-01"  # the day after May
    at.text_area(key=f"decision_action_{key}").input("Licensing visit to the late-night premises")
    next(b for b in at.button if b.label == "Record decision").click().run()
    assert not at.exception and not at.error
    assert "Recorded action 1" in shown(at.success[0].value)  # shown once, after the page reran
    table = at.dataframe[0].value.set_index("tasking_id")
    assert table.loc[tid, "status"] == "tasked this period: Open"  # in the list it was made from, at once
    assert {m.label: m.value for m in at.metric}["Actions open"] == "1"
    others = table.drop(index=tid)["status"]
    assert set(others) == {"new"}  # listed at the meeting without an action: their history is unchanged

    # a reload (a new session) from the page address opens the same view, the place selected
    again = AppTest.from_file(ENTRY, default_timeout=90)
    again.query_params.update(at.query_params)
    again.run()
    assert not again.exception
    assert again.sidebar.get("segmented_control")[0].value == "month"
    assert again.sidebar.selectbox(key="weekly_period_month").value == "2018-05"
    assert again.dataframe[0].value.set_index("tasking_id").loc[tid, "status"] == "tasked this period: Open"
    assert shown(again.subheader[0].value) == f"#{place['rank']} {place['place']}"
    # the next month's list reads it as history
    again.sidebar.selectbox(key="weekly_period_month").set_value("2018-06").run()
    june = again.dataframe[0].value.set_index("tasking_id")
    if tid in june.index:
        assert june.loc[tid, "status"] == "carried over"


def test_a_shared_address_with_a_band_and_dbscan_opens_that_view():
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.query_params.update({"every": "week", "period": "2018-06-11", "method": "dbscan", "band": "nte",
                            "category": ["Violence and sexual offences", "Public order"]})
    at.run()
    assert not at.exception and not at.error
    assert at.sidebar.selectbox(key="band").value == "nte"
    assert at.sidebar.multiselect(key="categories").value == ["Violence and sexual offences", "Public order"]
    assert at.sidebar.selectbox(key="weekly_period_week").value == "2018-06-11"
    assert at.sidebar.radio(key="weekly_method").value == "dbscan"
    assert shown(at.caption[0].value).startswith("The week beginning 11 June 2018; time band: Night-time economy; "
                                          "Violence and sexual offences, Public order.")
    assert at.query_params["category"] == ["Violence and sexual offences", "Public order"]
    # a period the data do not hold falls back to the latest complete one
    bad = AppTest.from_file(ENTRY, default_timeout=90)
    bad.query_params.update({"period": "1999-01", "method": "nonsense", "place": "H-0"})
    bad.run()
    assert not bad.exception and bad.sidebar.selectbox(key="weekly_period_week").value == "2018-06-18"
    assert bad.sidebar.radio(key="weekly_method").value == "surface"


def test_the_demo_itself_is_never_written():
    before = sorted(p.name for p in Path(DEMO_WORKSPACE).iterdir())
    select_row(open_page("weekly_review"), 0)
    assert sorted(p.name for p in Path(DEMO_WORKSPACE).iterdir()) == before


def test_patrol_plan_lists_places_hours_a_map_and_a_printable_page():
    at = open_page("patrol_plan")
    assert at.selectbox(key="patrol_layer").options == ["ward_2014", "boroughs", "nte_zones_illustrative"]
    wards = at.selectbox(key="patrol_area_ward_2014").options  # shown by name, in order
    assert len(wards) == 41 and wards == sorted(wards) and "Coldharbour" in wards
    at.selectbox(key="patrol_area_ward_2014").set_value("E05000420").run()  # Coldharbour
    at.selectbox(key="patrol_shift").set_value("nte").run()
    assert not at.exception and not at.error
    assert at.multiselect(key="patrol_days_nte").value == ["Friday", "Saturday"]
    assert shown(at.subheader[0].value) == "Patrol plan: Coldharbour, Night-time economy (Fri, Sat 21:00-04:00)"
    places = at.dataframe[0].value
    assert 1 <= len(places) <= 8 and places["order"].tolist() == list(range(1, len(places) + 1))
    assert places["best_hours"].str.fullmatch(r"\d\d:00-\d\d:00").all()
    layers = {layer["id"]: layer for layer in deck_spec(at)["layers"]}
    assert {"area", "places", "order"} <= set(layers) and len(layers["places"]["data"]) == len(places)
    assert at.get("download_button")[0].proto.label.startswith("Printable plan")

    at.selectbox(key="patrol_shift").set_value("custom").run()
    at.selectbox(key="patrol_start_custom").set_value(15).run()
    at.selectbox(key="patrol_end_custom").set_value(18).run()
    assert not at.exception and shown(at.subheader[0].value) == "Patrol plan: Coldharbour, every day 15:00-18:00"


def test_record_decision_reuses_a_meeting_and_adds_a_place_missing_from_its_list(tmp_path):
    import datetime as dt

    import geopandas as gpd
    import pandas as pd
    import shapely

    from hotspot_tasking.ranking.schema import TASKING_COLUMNS, TaskingList
    from hotspot_tasking.ui.decision_form import record_decision

    def listed(ids, period):
        rows = {c: [""] * len(ids) if t == "str" else [0] * len(ids) for c, t in TASKING_COLUMNS.items()}
        rows.update(rank=list(range(1, len(ids) + 1)), tasking_id=ids, kind=["ward"] * len(ids),
                    place_name=[f"Place {i}" for i in ids])
        frame = gpd.GeoDataFrame(pd.DataFrame(rows).astype(TASKING_COLUMNS),
                                 geometry=[shapely.box(0, 0, 1, 1)] * len(ids), crs=27700)
        return TaskingList(frame, period, "all")

    ws = Workspace.create(tmp_path / "ws")
    day = dt.date(2018, 7, 2)
    with ActionLog.open(ws) as log:
        first = record_decision(ws, log, listed(["W-1", "W-2"], "2018-06"), "W-1", group="JAG", held_on=day,
                                agency="Police", action="Patrols", due_on=day)
        second = record_decision(ws, log, listed(["W-3"], "2018-06-25"), "W-3", group="JAG", held_on=day,
                                 agency="Council ASB team", action="Clean-up", funding_bid_gbp="1000.00")
        assert first.new_meeting and not second.new_meeting and first.meeting_id == second.meeting_id
        assert second.approval == "Approved by the JAG"  # exactly £1,000: the JAG's limit is inclusive
        assert sorted(log.to_frame()["tasking_id"]) == ["W-1", "W-2", "W-3"]  # W-3 added to the meeting's list
        assert len(log.meetings()) == 1
    assert stored_lists(Workspace.open(ws.root))["period"].tolist() == ["2018-06"]  # the meeting's list
