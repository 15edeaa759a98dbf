"""Ranked tasking lists (tasking.rank), their words (tasking.explain), tactics and storage.

Hand-made incidents with hand-checked answers, and the demo workspace (read only; a copy
under tmp_path when a test writes or appends a month).
"""

from __future__ import annotations

import math
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from hotspot_tasking.actions.log import ActionLog
from hotspot_tasking.actions.status import status_text
from hotspot_tasking.boundaries.store import incidents_with_areas
from hotspot_tasking.errors import PeriodError, TaskingError
from hotspot_tasking.geo.hourofweek import peak_times
from hotspot_tasking.geo.schema import INCIDENT_COLUMNS, LOCAL_TZ
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.intake.store import ingest_files
from hotspot_tasking.periods import review_period
from hotspot_tasking.pipeline.context import ranking_context
from hotspot_tasking.pipeline.store import (
    latest_before,
    load_tasking_list,
    outline_of,
    save_tasking_list,
    stored_lists,
    table_name,
)
from hotspot_tasking.pipeline.tasking import tasking_list
from hotspot_tasking.ranking.config import RankingConfig
from hotspot_tasking.ranking.explain import explain
from hotspot_tasking.ranking.rank import rank
from hotspot_tasking.ranking.request import TaskingRequest
from hotspot_tasking.ranking.schema import TASKING_COLUMNS, TaskingList
from hotspot_tasking.ranking.tactics import TacticMenu, describe

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
COLDHARBOUR, BISHOPS = "E05000420", "E05000416"
_TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)


@pytest.fixture(scope="module")
def demo() -> Workspace:
    return Workspace.open(DEMO)


@pytest.fixture(scope="module")
def demo_incidents(demo) -> pd.DataFrame:
    return incidents_with_areas(demo)


@pytest.fixture(scope="module")
def july(demo, demo_incidents) -> TaskingList:
    return build(demo, period="2017-07", incidents=demo_incidents)


def build(ws: Workspace, *, incidents=None, previous=None, action_log=None, meeting_on=None, **request) -> TaskingList:
    """The pipeline's list for a request (no previous list unless given, as a first run)."""
    return tasking_list(ws, TaskingRequest(**request), incidents=incidents, previous=previous, action_log=action_log,
                        meeting_on=meeting_on)


def ward_point(ws: Workspace, code: str) -> tuple[float, float]:
    wards = ws.read_layer("ward_2014").set_index("code")
    p = shapely.point_on_surface(wards.loc[code, "geometry"])
    return float(p.x), float(p.y)


def incidents(rows: list[dict]) -> pd.DataFrame:
    """A hand-made incident table (no area columns: ranking computes them).

    Each row: ``at`` (easting, northing), ``when`` (local "YYYY-MM-DD HH:MM", or a day for
    ``precision="day"``), ``category``, ``harm`` and optionally ``sensitive``.
    """
    n = len(rows)
    e = np.array([r["at"][0] for r in rows], float)
    north = np.array([r["at"][1] for r in rows], float)
    lon, lat = _TO_WGS84.transform(e, north)
    day = np.array([r.get("precision", "minute") == "day" for r in rows])
    start = pd.Series(pd.to_datetime([r["when"] for r in rows], format="ISO8601")).dt.tz_localize(LOCAL_TZ)
    end = start.where(~day, start + pd.Timedelta(hours=23, minutes=59))
    frame = pd.DataFrame({
        "incident_id": [f"t{i}" for i in range(n)], "source": "test", "source_category": [r["category"] for r in rows],
        "category": [r["category"] for r in rows], "subcategory": "", "groups": "",
        "occurred_from": start, "occurred_to": end,
        "time_precision": ["day" if d else "minute" for d in day], "easting": e, "northing": north,
        "longitude": lon, "latitude": lat, "location_precision_m": 0.0,
        "location_text": [r.get("text", "On or near Test Street") for r in rows], "lsoa_code_given": "",
        "harm_weight": [r["harm"] for r in rows], "lead_agency": [r.get("lead", "Police") for r in rows],
        "sensitive": [r.get("sensitive", False) for r in rows], "import_id": "test"})
    return frame.astype(INCIDENT_COLUMNS)


def repeat(n: int, **row) -> list[dict]:
    return [dict(row) for _ in range(n)]


@pytest.fixture(scope="module")
def hand_made(demo) -> pd.DataFrame:
    """Coldharbour: 2 burglaries a month April-June 2017, then 6 burglaries and 2 robberies in
    July on Friday night and Tuesday noon. Bishop's: 4 other thefts a month on Monday 09:00,
    and in July 2 domestic abuse incidents (sensitive) on Wednesday 20:00."""
    a, b = ward_point(demo, COLDHARBOUR), ward_point(demo, BISHOPS)
    rows = []
    for month in ("04", "05", "06"):
        rows += repeat(2, at=a, when=f"2017-{month}-12 10:00", category="Burglary", harm=8.0)
        rows += repeat(4, at=b, when=f"2017-{month}-03 09:00", category="Other theft", harm=1.5)
    rows += repeat(2, at=a, when="2017-07-07 22:00", category="Burglary", harm=8.0)        # Friday
    rows += repeat(1, at=a, when="2017-07-14 23:00", category="Burglary", harm=8.0)        # Friday
    rows += repeat(3, at=a, when="2017-07-08 01:00", category="Burglary", harm=8.0)        # Friday night
    rows += repeat(2, at=a, when="2017-07-11 12:00", category="Robbery", harm=15.0)        # Tuesday
    rows += repeat(4, at=b, when="2017-07-03 09:00", category="Other theft", harm=1.5)     # Monday
    rows += repeat(2, at=b, when="2017-07-05 20:00", category="Domestic abuse", harm=5.0, sensitive=True,
                   text="On or near Private Road")
    return incidents(rows)


@pytest.fixture(scope="module")
def hand_list(demo, hand_made) -> TaskingList:
    return build(demo, period="2017-07", candidates="ward", baseline_periods=3, incidents=hand_made)


# --- the list's shape -----------------------------------------------------------------------

def check_shape(tl: TaskingList) -> None:
    frame = tl.frame
    assert list(frame.columns) == [*TASKING_COLUMNS, "geometry"]
    assert {c: str(frame[c].dtype) for c in TASKING_COLUMNS} == TASKING_COLUMNS
    assert frame.crs.to_epsg() == 27700
    assert frame["rank"].tolist() == list(range(1, len(frame) + 1))
    assert frame["tasking_id"].is_unique
    assert (np.diff(frame["score"].to_numpy()) <= 1e-9).all()
    assert frame["explanation"].str.len().gt(0).all()
    assert set(frame["arrow"]) <= {"▲", "▼", "►"}


def test_demo_month_has_the_documented_columns_and_ranks(july):
    check_shape(july)
    frame = july.frame
    assert len(frame) > 5 and frame["kind"].eq("hotspot").all()
    assert frame["tasking_id"].str.fullmatch(r"H-[0-9a-f]{15}(-\d+)?").all()
    assert frame["count_now"].gt(0).all() and frame["place_name"].str.len().gt(0).all()
    assert frame["tactics"].str.contains(r"\((?:Prevent|Intelligence|Enforcement|Reassure), ").all()
    assert [c.method for c in july.cards] == ["tasking-rank", "surface", "micro_places", "persistence"]
    card = july.cards[0]
    assert card.parameters["weight_harm"] == 0.4 and card.parameters["baseline_periods"] == 12
    assert card.rules["baseline_periods"] == "tasking.toml [ranking] (the workspace's config)"
    assert "Poisson z" in card.data["change"] and card.data["listed"] == len(frame)
    assert july.period == "2017-07" and july.band == "all"
    assert any("simulated" in c for c in july.caveats)
    assert "police_uk_times_simulated" in july.sources


def test_two_runs_give_the_same_list(demo, demo_incidents, july):
    again = build(demo, period="2017-07", incidents=demo_incidents)
    pd.testing.assert_frame_equal(again.frame, july.frame)


def test_top_keeps_the_first_places_with_the_same_scores(demo, demo_incidents, july):
    top = build(demo, period="2017-07", incidents=demo_incidents, top=3)
    assert top.frame["rank"].tolist() == [1, 2, 3]
    pd.testing.assert_frame_equal(top.frame, july.frame.iloc[:3])


# --- hand-checked numbers ----------------------------------------------------------------

def test_hand_made_measures(hand_list, demo):
    frame = hand_list.frame.set_index("tasking_id")
    assert hand_list.frame["tasking_id"].tolist() == [f"W-{COLDHARBOUR}", f"W-{BISHOPS}"]
    a, b = frame.loc[f"W-{COLDHARBOUR}"], frame.loc[f"W-{BISHOPS}"]
    assert (a.count_now, a.count_before, a.change_pct, a.harm_now) == (8.0, 2.0, 300.0, 78.0)
    assert a.z == pytest.approx(2 * (math.sqrt(8) - math.sqrt(2))) and a.arrow == "▲"
    assert (b.count_now, b.count_before, b.change_pct, b.harm_now) == (6.0, 4.0, 50.0, 16.0)
    assert b.z == pytest.approx(2 * (math.sqrt(6) - 2)) and b.arrow == "►"
    assert (a.place_name, a.ward_code, a.ward_name) == ("Coldharbour", COLDHARBOUR, "Coldharbour")
    assert a.lsoa_code.startswith("E01")
    assert a.persistence == b.persistence == "persistent"
    assert a.repeat_locations == b.repeat_locations == 1
    assert a.dominant_categories == "Burglary 75%, Robbery 25%"
    # 2 domestic abuse incidents (sensitive) are fewer than disclosure_min_count (5): not named
    assert b.dominant_categories == "Other theft 67%" and b.sensitive_share == pytest.approx(2 / 6)
    assert a.sensitive_share == 0.0
    assert (a.peak_band, a.peak_days, a.peak_hours) == ("nte", "Fri", "23:00-02:00")
    assert (b.peak_band, b.peak_days, b.peak_hours) == ("daytime", "Mon", "09:00-10:00")
    assert a.lead_agency == "Police"
    assert a.tactics == ("Crime prevention advice (Prevent, Police); Licensing visit (Prevent, Licensing); "
                         "Alley-gating (Prevent, Council community safety)")
    # score = 100 x (0.4 harm + 0.2 trend + 0.25 persistence + 0.15 repeat), components hand-computed
    assert a.score == pytest.approx(100 * (0.4 * 1 + 0.2 * (2 * (math.sqrt(8) - math.sqrt(2))) / 4 + 0.25 + 0.15))
    assert b.score == pytest.approx(100 * (0.4 * 16 / 78 + 0.2 * (2 * (math.sqrt(6) - 2)) / 4 + 0.25 + 0.15))
    assert a.explanation == ("8 incidents this month (harm-weighted 78), 4.0 times the 3-month average (z = 2.8, ▲); "
                             "persistent, hot in 4 of the last 4 months; 50% on Friday 23:00-02:00; 1 repeat location")
    assert b.explanation == ("6 incidents this month (harm-weighted 16), 1.5 times the 3-month average (z = 0.9, ►); "
                             "persistent, hot in 4 of the last 4 months; 67% on Monday 09:00-10:00; 1 repeat location")
    assert a.status == "new"
    assert "The workspace has no action log: every place is shown as new." in hand_list.caveats


def test_a_band_leaves_untimed_records_out_and_says_so(demo):
    a = ward_point(demo, COLDHARBOUR)
    rows = (repeat(5, at=a, when="2017-06-02 22:00", category="Public order", harm=2.0)
            + repeat(2, at=a, when="2017-06-02", precision="day", category="Public order", harm=2.0)
            + repeat(5, at=a, when="2017-07-07 22:00", category="Public order", harm=2.0)
            + repeat(3, at=a, when="2017-07-07", precision="day", category="Public order", harm=2.0))
    tl = build(demo, period="2017-07", band="nte", candidates="ward", baseline_periods=1,
                            incidents=incidents(rows))
    (row,) = tl.frame.itertuples()
    assert (row.count_now, row.count_before, row.harm_now) == (5.0, 5.0, 10.0)
    assert ("3 incidents in July 2017 (and 2 in the baseline) have no time of day (day- or month-only dates) and are "
            "left out of the 'Night-time economy' band; they count under all times.") in tl.caveats
    everything = build(demo, period="2017-07", candidates="ward", baseline_periods=1,
                                    incidents=incidents(rows))
    assert everything.frame["count_now"].tolist() == [8.0]
    assert not any("no time of day" in c for c in everything.caveats)


def test_inputs_are_left_unmodified(demo, hand_made, hand_list):
    before = hand_made.copy(deep=True)
    previous_frame = hand_list.frame.copy(deep=True)
    build(demo, period="2017-07", candidates="ward", baseline_periods=3, incidents=hand_made,
                       previous=hand_list)
    pd.testing.assert_frame_equal(hand_made, before)
    pd.testing.assert_frame_equal(hand_list.frame, previous_frame)


# --- areas -----------------------------------------------------------------------------------

def test_area_candidates_use_their_codes_and_names(demo, demo_incidents):
    wards = build(demo, period="2017-07", candidates="ward", incidents=demo_incidents)
    check_shape(wards)
    layer = demo.read_layer("ward_2014").set_index("code")
    assert len(wards.frame) == 41 and wards.frame["tasking_id"].str.fullmatch(r"W-E05\d{6}").all()
    codes = wards.frame["tasking_id"].str[2:]
    assert (wards.frame["ward_code"] == codes).all()
    assert (wards.frame["place_name"] == layer.loc[codes, "name"].to_numpy()).all()
    lsoas = build(demo, period="2017-07", candidates="lsoa", incidents=demo_incidents, top=10)
    assert lsoas.frame["tasking_id"].str.fullmatch(r"L-E01\d{6}").all()
    assert (lsoas.frame["lsoa_code"] == lsoas.frame["tasking_id"].str[2:]).all()
    zones = build(demo, period="2017-07", candidates="zone", layer="nte_zones_illustrative",
                               incidents=demo_incidents)
    assert set(zones.frame["tasking_id"]) <= {"Z-NTE-BRX", "Z-NTE-CLH", "Z-NTE-VXH", "Z-NTE-CLJ", "Z-NTE-TOO"}
    assert "Z-NTE-BRX" in set(zones.frame["tasking_id"])


def test_wrong_layer_or_kind_is_an_error(demo, demo_incidents):
    with pytest.raises(TaskingError, match="'boroughs' is not a ward layer"):
        build(demo, period="2017-07", candidates="ward", layer="boroughs", incidents=demo_incidents)
    with pytest.raises(TaskingError, match="'candidates' parameter .* Got 'street'"):
        build(demo, period="2017-07", candidates="street")
    with pytest.raises(TypeError, match="'categories' parameter .* must be a list of str"):
        build(demo, period="2017-07", categories="Robbery")


# --- periods ---------------------------------------------------------------------------------

def test_periods_as_people_write_them():
    assert review_period("2017-07").every == "month"
    assert review_period("2017-W27") == review_period("2017-07-03")
    assert review_period("2017-07-03").end == pd.Timestamp("2017-07-09")
    assert review_period("2017-07-03").describe() == "the week beginning 3 July 2017"
    assert review_period("2017-07").describe() == "July 2017"
    with pytest.raises(PeriodError, match="'2017-07-05' is a Wednesday; a weekly period starts on a Monday: "
                                           "use 2017-07-03"):
        review_period("2017-07-05")
    with pytest.raises(PeriodError, match="is a month but every='week'"):
        review_period("2017-07", "week")
    with pytest.raises(PeriodError, match="is not a review period"):
        review_period("July")


def test_a_week_and_a_period_without_data(demo, demo_incidents):
    week = build(demo, period="2017-07-03", incidents=demo_incidents)
    check_shape(week)
    assert "this week" in week.frame["explanation"].iloc[0] and "12-week average" in week.frame["explanation"].iloc[0]
    with pytest.raises(TaskingError, match="no incidents match in 2019-01"):
        build(demo, period="2019-01", incidents=demo_incidents)


def test_a_short_history_shortens_the_baseline(demo, demo_incidents):
    tl = build(demo, period="2016-03", candidates="ward", incidents=demo_incidents)
    assert "The baseline has 2 months, not 12: the data start on 01/01/2016." in tl.caveats


# --- tasking ids ----------------------------------------------------------------------------

def test_a_drifting_hotspot_keeps_the_previous_id(demo, demo_incidents, july):
    june = build(demo, period="2017-06", incidents=demo_incidents)
    renamed = june.frame.assign(tasking_id=[f"H-OLD-{r}" for r in june.frame["rank"]])
    previous = TaskingList(renamed, june.period, june.band, june.cards)
    linked = build(demo, period="2017-07", incidents=demo_incidents, previous=previous)
    inherited = linked.frame[linked.frame["tasking_id"].str.startswith("H-OLD-")]
    assert 0 < len(inherited) == linked.cards[0].data["ids_inherited"]
    assert linked.frame["tasking_id"].is_unique
    old = renamed.set_index("tasking_id").geometry
    for row in inherited.itertuples():  # each pair overlaps by at least 0.3 of the smaller outline
        other = old[row.tasking_id]
        assert row.geometry.intersection(other).area >= 0.3 * min(row.geometry.area, other.area)
    fresh = linked.frame[~linked.frame["tasking_id"].str.startswith("H-OLD-")]
    assert set(fresh["tasking_id"]) <= set(july.frame["tasking_id"]) | {f"{i}-2" for i in july.frame["tasking_id"]}


def test_ids_are_stable_when_a_month_of_data_is_added(demo, demo_incidents):
    """The fast version (in memory): July 2017's council ASB records again as July 2018."""
    july_asb = demo_incidents[demo_incidents["source"].eq("council_asb_simulated")
                              & demo_incidents["occurred_from"].dt.strftime("%Y-%m").eq("2017-07")]
    shifted = july_asb.assign(occurred_from=july_asb["occurred_from"] + pd.DateOffset(years=1),
                              occurred_to=july_asb["occurred_to"] + pd.DateOffset(years=1),
                              incident_id="2018-" + july_asb["incident_id"])
    longer = pd.concat([demo_incidents, shifted], ignore_index=True)
    before = build(demo, period="2018-06", incidents=demo_incidents)
    after = build(demo, period="2018-06", incidents=longer)
    pd.testing.assert_frame_equal(after.frame, before.frame)
    new = build(demo, period="2018-07", incidents=longer, previous=after)
    assert set(new.frame["tasking_id"]) & set(after.frame["tasking_id"])
    assert new.cards[0].data["ids_inherited"] >= 1


@pytest.mark.slow
def test_ids_are_stable_after_a_month_is_ingested(tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    ws = Workspace.open(root)
    before = build(ws, period="2018-06")
    csv = tmp_path / "council_asb_2018-07.csv"
    raw = pd.read_csv(DEMO / "raw" / "council_asb_simulated.csv", dtype=str)
    month = raw[raw["Received date"].str.endswith("/07/2017")].copy()
    month["Received date"] = month["Received date"].str.replace("/2017", "/2018")
    month["Case reference"] = month["Case reference"].str.replace("ASB/2017/", "ASB/2018/9")
    month.to_csv(csv, index=False)
    report = ingest_files(ws, [csv], "council_asb", mapping=DEMO / "raw" / "council_asb_simulated_mapping.toml")
    assert report.rows_accepted == len(month) > 300
    after = build(ws, period="2018-06")
    pd.testing.assert_frame_equal(after.frame, before.frame)
    save_tasking_list(ws, after, TaskingRequest("2018-06"))
    previous = latest_before(ws, TaskingRequest("2018-07"))
    pd.testing.assert_frame_equal(previous.frame, after.frame)
    new = build(ws, period="2018-07", previous=previous)
    check_shape(new)
    kept = set(new.frame["tasking_id"]) & set(after.frame["tasking_id"])
    assert kept and new.cards[0].data["ids_inherited"] >= 1
    assert not (DEMO / "actions.sqlite").exists()


# --- status from the action log --------------------------------------------------------------

def test_status_comes_from_the_action_log(tmp_path, demo, demo_incidents):
    log = ActionLog.open(f"sqlite:///{tmp_path / 'actions.sqlite'}")
    may = log.record_meeting("2017-05-03", group="Lambeth JAG", period="2017-05",
                             items=[{"tasking_id": "W-E05000421", "rank": 1}])
    done_in_may = log.add_action(may, "W-E05000421", agency="Police", action="Patrols", status="done")
    june = log.record_meeting("2017-07-04", group="Lambeth JAG", period="2017-06",
                              items=[{"tasking_id": f"W-{BISHOPS}", "rank": 1}, {"tasking_id": f"W-{COLDHARBOUR}"},
                                     {"tasking_id": "W-E05000417"}])
    log.add_action(june, f"W-{BISHOPS}", agency="Police", action="High-visibility patrols", status="done",
                   outcome="Reports down from 14 to 5")
    log.add_action(june, f"W-{COLDHARBOUR}", agency="Council ASB team", action="Deployable CCTV")
    log.record_meeting("2017-08-03", group="Lambeth JAG", period="2017-07",
                       items=[{"tasking_id": "W-E05000418"}])  # the meeting this list is for: not yet
    tl = build(demo, period="2017-07", candidates="ward", incidents=demo_incidents, action_log=log)
    status = tl.frame.set_index("tasking_id")["status"]
    assert status[f"W-{BISHOPS}"] == "tasked last period: Done"   # the free-text outcome is never shown
    assert status[f"W-{COLDHARBOUR}"] == "carried over"
    assert status["W-E05000417"] == "listed last period, no action"
    assert status["W-E05000421"] == "tasked 2017-05: Done"
    assert status["W-E05000418"] == "new"
    assert log.action(done_in_may)["status"] == "done"
    assert not any("no action log" in c for c in tl.caveats)
    log.close()


def test_status_words():
    labels = {"done": "Done", "cancelled": "Cancelled"}
    assert status_text({"state": "new"}, "2017-06") == "new"
    assert status_text({"state": "actions closed", "last_period": "2017-W22", "status": "cancelled"},
                       "2017-05-29", labels=labels) == "tasked last period: Cancelled"
    assert status_text({"state": "listed, no action", "last_period": "spring"}, "2017-06") == \
        "listed spring, no action"


# --- explanations ---------------------------------------------------------------------------

@pytest.mark.parametrize("row, every, text", [
    ({"count_now": 12, "harm_now": 86, "count_before": 5.2, "baseline_periods": 12, "z": 2.8, "arrow": "▲",
      "persistence": "persistent", "hot_periods": 6, "periods": 8, "peak_days": "Fri, Sat",
      "peak_hours": "21:00-04:00", "peak_share": 0.7, "repeat_locations": 4}, "week",
     ("12 incidents this week (harm-weighted 86), 2.3 times the 12-week average (z = 2.8, ▲); persistent, hot in 6 "
     "of the last 8 weeks; 70% on Friday and Saturday 21:00-04:00; 4 repeat locations")),
    ({"count_now": 1, "harm_now": 12, "count_before": 0.0, "baseline_periods": 12, "z": 2.0, "arrow": "▲",
      "persistence": "new", "hot_periods": 1, "periods": 13, "peak_days": "Sun", "peak_hours": "all day",
      "peak_share": 1.0, "repeat_locations": 0}, "month",
     ("1 incident this month (harm-weighted 12), none in the previous 12 months (z = 2.0, ▲); new, hot in 1 of the "
     "last 13 months; 100% on Sunday")),
    ({"count_now": 10.5, "harm_now": 31.25, "count_before": 10.2, "baseline_periods": 4, "z": 0.09, "arrow": "►",
      "persistence": "never", "hot_periods": 0, "periods": 5, "peak_days": "", "peak_hours": "",
      "peak_share": float("nan"), "repeat_locations": 1}, "week",
     ("10.5 incidents this week (harm-weighted 31.2), about the 4-week average (z = 0.1, ►); not hot in any of the "
     "last 5 weeks; 1 repeat location")),
    ({"count_now": 3, "harm_now": 3, "count_before": 9, "baseline_periods": 12, "z": -2.5, "arrow": "▼",
      "persistence": "former", "hot_periods": 5, "periods": 13, "peak_days": "Mon, Tue, Wed",
      "peak_hours": "15:00-18:00", "peak_share": 0.42, "repeat_locations": 1}, "month",
     ("3 incidents this month (harm-weighted 3), 0.3 times the 12-month average (z = -2.5, ▼); former, hot in 5 of "
     "the last 13 months; 42% on Monday, Tuesday and Wednesday 15:00-18:00; 1 repeat location")),
    ({"count_now": 1204, "harm_now": 5000.0, "count_before": float("nan"), "persistence": ""}, "month",
     "1,204 incidents this month (harm-weighted 5,000)"),
])
def test_explanations_in_words(row, every, text):
    assert explain(row, every=every) == text


def test_peak_times_rules():
    cells = np.zeros((7, 24))
    cells[4, 22], cells[5, 1], cells[1, 12] = 4, 3, 3
    assert peak_times(cells) == ("Fri", "22:00-02:00", 0.7)
    assert peak_times(np.ones((7, 24)))[1] == "00:00-12:00"
    assert peak_times(np.zeros((7, 24)))[:2] == ("", "")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=168, max_size=168))
def test_peak_hours_are_the_shortest_run_holding_half(values):
    cells = np.array(values, float).reshape(7, 24)
    days, hours, share = peak_times(cells)
    if cells.sum() == 0:
        assert (days, hours) == ("", "")
        return
    by_hour = cells.sum(axis=0)
    start = int(hours[:2]) if hours != "all day" else 0
    length = 24 if hours == "all day" else (int(hours[6:8]) - start) % 24 or 24
    window = [(start + i) % 24 for i in range(length)]
    assert by_hour[window].sum() >= 0.5 * cells.sum() - 1e-9
    shorter = max(sum(by_hour[(s + i) % 24] for i in range(length - 1)) for s in range(24)) if length > 1 else 0
    assert shorter < 0.5 * cells.sum() - 1e-9 * cells.sum()
    assert 0 < share <= 1


# --- tactics ----------------------------------------------------------------------------------

def test_tactic_menu_takes_what_and_when_in_turn():
    menu = TacticMenu.load()
    assert describe(menu.suggest("Violence and sexual offences", band="nte")) == (
        "Patrol (Enforcement, Police); Licensing visit (Prevent, Licensing); "
        "Deployable CCTV (Intelligence, Council CCTV)")
    assert [t.name for t in menu.suggest("Anti-social behaviour", subcategory="Street drinking")] == [
        "Dispersal order / PSPO", "Outreach", "Warden patrol"]
    assert [t.name for t in menu.suggest("Something new")] == ["Patrol", "Warden patrol", "Deployable CCTV"]
    assert all(t.source for t in menu.tactics.values())


def test_tactic_menu_errors_name_the_table(tmp_path):
    path = tmp_path / "tactics.toml"
    path.write_text('[tactics.patrol]\nname = "Patrol"\npier = "Deter"\nagency = "Police"\n', encoding="utf-8")
    with pytest.raises(TaskingError, match=r"tactics.toml, \[tactics.patrol\]: pier 'Deter' is not a PIER tag"):
        TacticMenu.load(path)
    path.write_text('[tactics.patrol]\nname = "Patrol"\npier = "Enforcement"\nagency = "Police"\n'
                    '[categories.Robbery]\ntactics = ["cctv"]\n', encoding="utf-8")
    with pytest.raises(TaskingError, match=r"\[categories.\"Robbery\"\]: 'cctv' is not a tactic of the file"):
        TacticMenu.load(path)


def test_ranking_config_errors_name_the_key(tmp_path):
    path = tmp_path / "tasking.toml"
    path.write_text("[ranking]\npeak_cover = 2\n", encoding="utf-8")
    with pytest.raises(TaskingError, match=r"^tasking.toml, \[ranking\]: peak_cover must be a number above 0 and at "
                                           r"most 1; got 2. Fix: write e.g. peak_cover = 0.5.$"):
        RankingConfig.load(path)
    path.write_text("[ranking.weights]\nharm = 1\nvolume = 2\n", encoding="utf-8")
    with pytest.raises(TaskingError, match=r"^tasking.toml, \[ranking.weights\]: unknown key 'volume'; the keys it "
                                           r"takes are harm, trend, persistence, repeat. Fix: correct the spelling"):
        RankingConfig.load(path)
    path.write_text("[ranking.weights]\nharm = 0\ntrend = 0\npersistence = 0\nrepeat = 0\n", encoding="utf-8")
    with pytest.raises(TaskingError, match=r"\[ranking.weights\]: harm, trend, persistence and repeat "
                                           r"must not all be 0"):
        RankingConfig.load(path)
    path.write_text("[ranking]\nbaseline_periods = 2.5\n", encoding="utf-8")
    with pytest.raises(TaskingError, match=r"baseline_periods must be a whole number above 0 \(review periods\); "
                                           r"got 2.5"):
        RankingConfig.load(path)
    path.write_text("default_status = 'open'\n[disclosure]\nmin_count = 3\n", encoding="utf-8")
    config = RankingConfig.load(path)  # a workspace copy from before [ranking]: the packaged values
    assert config.weights == {"harm": 0.4, "trend": 0.2, "persistence": 0.25, "repeat": 0.15}
    assert (config.baseline_periods, config.disclosure_min_count) == (12, 3.0)


# --- storage ----------------------------------------------------------------------------------

def test_store_round_trip_and_outlines(tmp_path, july, hand_list):
    ws = Workspace.create(tmp_path / "ws")
    asked, wards = TaskingRequest("2017-07"), TaskingRequest("2017-07", candidates="ward", baseline_periods=3)
    assert latest_before(ws, TaskingRequest("2017-08")) is None
    name = save_tasking_list(ws, july, asked)
    assert name == f"tasking-hotspot-all-2017-07-{asked.key()}"
    save_tasking_list(ws, hand_list, wards)
    back = load_tasking_list(ws, asked)
    pd.testing.assert_frame_equal(back.frame, july.frame)
    assert [c.to_dict() for c in back.cards] == [c.to_dict() for c in july.cards]
    assert back.caveats == july.caveats and back.sources == july.sources
    assert latest_before(ws, TaskingRequest("2017-08")).period == "2017-07"
    assert latest_before(ws, asked) is None  # never the period's own list
    assert latest_before(ws, replace(wards, period="2017-08")).frame["tasking_id"].tolist() == \
        hand_list.frame["tasking_id"].tolist()
    assert latest_before(ws, TaskingRequest("2017-08", candidates="ward")) is None  # another baseline
    first = july.frame.iloc[0]
    assert outline_of(ws, first["tasking_id"]).equals(first.geometry)
    stored = stored_lists(ws)
    assert stored["name"].tolist() == [name, f"tasking-ward-all-2017-07-{wards.key()}"]
    assert stored["key"].tolist() == [asked.key(), wards.key()]
    assert ws.tables()[name]["request"]["period"] == "2017-07" and ws.tables()[name]["key"] == asked.key()
    assert ws.layers() == {}  # tasking lists are not area layers
    with pytest.raises(TaskingError, match="no stored tasking list has the place 'H-nowhere'"):
        outline_of(ws, "H-nowhere")
    with pytest.raises(TaskingError, match="no lsoa tasking list for 2017-07"):
        load_tasking_list(ws, TaskingRequest("2017-07", candidates="lsoa"))
    with pytest.raises(TaskingError, match="no hotspot tasking list for 2017-07 .all. with this request's method"):
        load_tasking_list(ws, TaskingRequest("2017-07", method="dbscan"))
    with pytest.raises(TaskingError, match=r"the request is for the hotspot list of 2017-08 \(all\) but the list is "
                                           r"the hotspot list of 2017-07 \(all\); pass the request"):
        save_tasking_list(ws, july, TaskingRequest("2017-08"))
    with pytest.raises(TypeError, match="'request' parameter of save_tasking_list must be a TaskingRequest"):
        save_tasking_list(ws, july, "2017-07")


def test_lists_of_the_older_version_answer_only_when_no_keyed_list_does(tmp_path, july):
    ws = Workspace.create(tmp_path / "ws")
    name = save_tasking_list(ws, july, None)  # as the older version stored it: no key
    assert name == "tasking-hotspot-all-2017-07" and stored_lists(ws)["key"].tolist() == [""]
    august, dbscan = TaskingRequest("2017-08"), TaskingRequest("2017-08", method="dbscan")
    assert latest_before(ws, august).period == "2017-07"
    assert latest_before(ws, dbscan).period == "2017-07"  # it may be any question of its band and kind
    assert latest_before(ws, august, unkeyed=False) is None
    assert load_tasking_list(ws, TaskingRequest("2017-07")).period == "2017-07"
    june = TaskingList(july.frame.iloc[:2].copy(), "2017-06", "all", list(july.cards))
    save_tasking_list(ws, june, TaskingRequest("2017-06"))
    assert latest_before(ws, august).period == "2017-06"  # a keyed list of the question comes first
    assert latest_before(ws, dbscan).period == "2017-07"


def test_request_keys_name_the_question_and_are_safe_file_names():
    base = TaskingRequest("2017-07", band="nte", categories=("Robbery", "Burglary"))
    assert base.key() == TaskingRequest("2017-05", band="nte", categories=["Burglary", "Robbery"], top=3).key()
    assert base.key() == TaskingRequest("2017-07", band="nte", categories=("Robbery", "Burglary"), eps_m=50).key()
    assert base.key() == TaskingRequest("2017-07", band="nte", categories=("Robbery", "Burglary"), layer="x").key()
    others = [replace(base, band="all"), replace(base, method="dbscan"), replace(base, surface="naive"),
              replace(base, cell_size_m=50.0), replace(base, bandwidth_m=300.0), replace(base, categories=None),
              replace(base, groups=("violence",)), replace(base, sources=("police_uk",)),
              replace(base, baseline_periods=6), replace(base, candidates="ward"),
              replace(base, method="dbscan", eps_m=50.0), replace(base, method="dbscan", min_samples=3)]
    keys = [r.key() for r in others]
    assert base.key() not in keys and len(set(keys)) == len(keys)
    assert replace(base, cell_size_m=50).key() == replace(base, cell_size_m=50.0).key()
    wards = TaskingRequest("2017-07", candidates="ward")
    assert wards.key() != replace(wards, layer="ward_2014").key()
    assert wards.key() == replace(wards, method="dbscan").key()  # areas have no hotspot method
    assert table_name("2017-07", "late night/weekend", "hotspot", key="0a1b2c3d4e") == \
        "tasking-hotspot-late_night_weekend-2017-07-0a1b2c3d4e"


# --- every band and method (slow) -------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("method", ["surface", "dbscan"])
@pytest.mark.parametrize("band", ["nte", "after_school", "overnight", "daytime"])
def test_every_band_and_method(demo, demo_incidents, method, band):
    tl = build(demo, period="2017-07", band=band, method=method, incidents=demo_incidents)
    check_shape(tl)
    assert tl.band == band and tl.cards[1].method == method
    assert tl.frame["count_now"].gt(0).all()


def test_ranking_reads_nothing_and_leaves_its_inputs_alone(tmp_path, july):
    """rank() needs only its arguments: with the workspace gone it gives the pipeline's list."""
    root = tmp_path / "ws"
    shutil.copytree(DEMO, root)
    ws = Workspace.open(root)
    request = TaskingRequest(period="2017-07")
    context = ranking_context(ws, request)
    table = incidents_with_areas(ws)
    before = table.copy(deep=True)
    shutil.rmtree(root)
    ranked = rank(table, request, context)
    pd.testing.assert_frame_equal(table, before)
    same = [c for c in TASKING_COLUMNS if c != "status"]
    pd.testing.assert_frame_equal(pd.DataFrame(ranked.frame[same]), pd.DataFrame(july.frame[same]))
    assert (ranked.frame["status"] == "new").all()
