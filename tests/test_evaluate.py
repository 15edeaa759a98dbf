"""Evaluation of tasked places: counts before and after in the place, its ring and the
control area, Wheeler and Ratcliffe's WDD test; hand-computed cases, window edges, month-only
records, wording, pooling per action type, the demo workspace and a real action log."""

from __future__ import annotations

import datetime as dt
import doctest
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from hotspot_tasking.actions.log import ActionLog
from hotspot_tasking.errors import TaskingError
from hotspot_tasking.evaluation import evaluate as ev
from hotspot_tasking.evaluation.evaluate import (
    BY_ACTION_TYPE_COLUMNS,
    EVALUATION_COLUMNS,
    evaluate_by_action_type,
    evaluate_places,
)
from hotspot_tasking.evaluation.wdd import wdd_test
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.pipeline.evaluation import evaluate_log

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
TZ = "Europe/London"
START = dt.date(2017, 7, 1)
YEAR = ("2017-01-01", "2017-12-31")
SQUARE = shapely.box(0, 0, 100, 100)
# Where the constructed incidents lie: in the square, in its 250 m ring, far away (control).
TARGET, RING, CONTROL = (50.0, 50.0), (50.0, 130.0), (5000.0, 5000.0)
BEFORE, AFTER = "2017-06-15 12:00", "2017-07-15 12:00"


def incident(xy, when, until=None) -> dict:
    t = pd.Timestamp(when, tz=TZ) if not isinstance(when, pd.Timestamp) else when
    u = t if until is None else pd.Timestamp(until, tz=TZ)
    return {"easting": xy[0], "northing": xy[1], "occurred_from": t, "occurred_to": u}


def counts_to_incidents(t0, t1, d0, d1, c0, c1, at=(TARGET, RING, CONTROL)) -> pd.DataFrame:
    """Incidents giving these counts for a place tasked on START (windows of 28 days)."""
    rows = []
    for xy, (before, after) in zip(at, ((t0, t1), (d0, d1), (c0, c1))):
        rows += [incident(xy, BEFORE)] * before + [incident(xy, AFTER)] * after
    return pd.DataFrame(rows, columns=["easting", "northing", "occurred_from", "occurred_to"])


def place(*, tasking_id="A", outline=SQUARE, start=START, action_type=None) -> gpd.GeoDataFrame:
    data = {"tasking_id": [tasking_id], "start": [start]}
    if action_type is not None:
        data["action_type"] = [action_type]
    return gpd.GeoDataFrame(data, geometry=[outline], crs=27700)


def one(incidents, places=None, **options) -> pd.Series:
    options.setdefault("data_period", YEAR)
    return evaluate_places(incidents, place() if places is None else places, **options).iloc[0]


def test_the_module_examples_run():
    assert doctest.testmod(ev).failed == 0


def test_wdd_test_reproduces_the_paper():
    # Wheeler & Ratcliffe (2018): treated 207 -> 110, displacement 178 -> 157, their controls
    # 308 -> 318 and 150 -> 140: WDD -118, variance 1568, z -2.98.
    out = wdd_test(207, 110, 178, 157, 308, 318, 150, 140).iloc[0]
    assert out["wdd"] == -118 and out["wdd_var"] == 1568
    assert out["wdd_z"] == pytest.approx(-118 / math.sqrt(1568)) and round(out["wdd_z"], 2) == -2.98
    assert out["p_value"] == pytest.approx(2 * norm.sf(118 / math.sqrt(1568)))


def test_hand_computed_example():
    # T 6 -> 2, D 2 -> 1, C 40 -> 30: k_T = 6/40, k_D = 2/40, dC = -10.
    # WDD = (2 - 6) - 0.15(-10) + (1 - 2) - 0.05(-10) = -4 + 1.5 - 1 + 0.5 = -3
    # Var = 6 + 2 + 2 + 1 + (0.15 + 0.05)^2 (40 + 30) = 11 + 2.8 = 13.8
    out = one(counts_to_incidents(6, 2, 2, 1, 40, 30))
    assert out[["T0", "T1", "D0", "D1", "C0", "C1"]].tolist() == [6, 2, 2, 1, 40, 30]
    assert out["wdd"] == pytest.approx(-3.0) and out["wdd_var"] == pytest.approx(13.8)
    z = -3 / math.sqrt(13.8)
    assert out["wdd_z"] == pytest.approx(z) and out["p_value"] == pytest.approx(2 * norm.cdf(z))
    assert out["change_pct"] == pytest.approx(-200 / 3)
    assert out["z_target"] == pytest.approx(2 * (math.sqrt(2) - math.sqrt(6)))
    assert out["verdict"] == "no clear change against the control area (p = 0.42)"
    assert out["left_out"] == 0 and out["action_type"] == "unspecified"
    assert out["start"] == pd.Timestamp("2017-07-01")


def test_control_as_large_as_the_target_before_and_no_ring_counts_is_the_papers_formula():
    # C0 = T0 and D0 = 0: k_T = 1, k_D = 0, so WDD = dT - dC + dD and the variance is the
    # paper's sum of counts (with an empty displacement control).
    out = one(counts_to_incidents(10, 4, 0, 3, 10, 12))
    paper = wdd_test(10, 4, 0, 3, 10, 12, 0, 0).iloc[0]
    assert out["wdd"] == paper["wdd"] == (4 - 10) - (12 - 10) + 3
    assert out["wdd_var"] == pytest.approx(paper["wdd_var"]) and paper["wdd_var"] == 39


def test_weighted_counts_use_squared_weights_for_the_variance():
    inc = counts_to_incidents(2, 1, 0, 0, 4, 4)
    w = pd.Series([3.0, 1.0, 2.0] + [1.0] * 8, index=inc.index)  # target before 3 + 1, after 2
    out = one(inc, weights=w)
    assert out[["T0", "T1", "C0", "C1"]].tolist() == [4, 2, 4, 4]
    # WDD = (2 - 4) - 1 x 0 = -2; Var = (9 + 1) + 4 + (4/4)^2 (4 + 4) = 22
    assert out["wdd"] == pytest.approx(-2) and out["wdd_var"] == pytest.approx(22)


def test_window_edges_are_local_midnights_inclusive_at_the_start_exclusive_at_the_end():
    # start 1 July 2017 (BST): before 3 June 00:00 .. 30 June 24:00, after 1 July .. 28 July 24:00
    rows = [
        incident(TARGET, "2017-06-03 00:00"),                       # first instant: before
        incident(TARGET, "2017-06-02 23:59"),                       # too early: not counted
        incident(TARGET, pd.Timestamp("2017-06-30 23:59:59.999999", tz=TZ)),  # last instant: before
        incident(TARGET, "2017-06-10 18:00", "2017-06-11 08:00"),    # a span inside: before
        incident(TARGET, "2017-07-01 00:00"),                       # start: after
        incident(TARGET, pd.Timestamp("2017-06-30 23:30", tz="UTC").tz_convert(TZ)),  # 00:30 BST: after
        incident(TARGET, "2017-07-28 23:59"),                       # last day: after
        incident(TARGET, "2017-07-29 00:00"),                       # too late: not counted
        incident(TARGET, "2017-06-30 22:00", "2017-07-01 02:00"),    # spans the start: left out
        incident(CONTROL, "2017-06-20"), incident(CONTROL, "2017-07-20"),
    ]
    out = one(pd.DataFrame(rows))
    assert out[["T0", "T1", "C0", "C1"]].tolist() == [3, 3, 1, 1]
    assert out["left_out"] == 1


def test_month_only_records_count_only_when_the_whole_month_fits_a_window():
    def month(xy, first, last):
        return incident(xy, f"{first} 00:00", f"{last} 23:59")
    rows = [month(TARGET, "2017-02-01", "2017-02-28"), month(TARGET, "2017-02-01", "2017-02-28"),
            month(TARGET, "2017-03-01", "2017-03-31"), month(RING, "2017-03-01", "2017-03-31"),
            month(CONTROL, "2017-02-01", "2017-02-28"), month(CONTROL, "2017-03-01", "2017-03-31")]
    inc = pd.DataFrame(rows)
    # 28-day windows from 1 March 2017: February fits the before window, March not the after one.
    res = evaluate_places(inc, place(start="2017-03-01"), data_period=YEAR)
    out = res.iloc[0]
    assert out[["T0", "T1", "D0", "D1", "C0", "C1"]].tolist() == [2, 0, 0, 0, 1, 0]
    assert out["left_out"] == 2 and res.attrs["left_out_control"] == 1
    card = res.attrs["card"]
    assert card["data"]["left_out_places"] == 2 and any("span a window edge" in w for w in card["warnings"])
    # From 1 July no month fits a 28-day window: every record is outside or left out.
    july = evaluate_places(inc.assign(occurred_from=inc["occurred_from"] + pd.DateOffset(months=4),
                                      occurred_to=inc["occurred_to"] + pd.DateOffset(months=4)),
                           place(start="2017-07-01"), data_period=YEAR).iloc[0]
    assert july[["T0", "T1", "D0", "D1"]].tolist() == [0, 0, 0, 0] and july["left_out"] == 4


@pytest.mark.parametrize("d1, verdict, note", [
    (30, "fell more than the control area, net of possible displacement into the 250 m ring (p = 0.02)",
     "possible displacement into the 250 m ring (20 to 30; 20 expected from the control area's trend)"),
    (10, "fell more than the control area, with diffusion of benefit into the 250 m ring (p < 0.001)",
     "diffusion of benefit: the 250 m ring fell too (20 to 10; 20 expected from the control area's trend)"),
    (20, "fell more than the control area; no sign of displacement (p < 0.001)",
     ("no change in the 250 m ring against the control area's trend (20 to 20; 20 expected from the control "
      "area's trend)")),
])
def test_displacement_and_diffusion_wording(d1, verdict, note):
    # T 40 -> 5, D 20 -> d1, C 400 -> 400: WDD = -35 + (d1 - 20); Var = 65 + d1 + 0.15^2 x 800
    out = one(counts_to_incidents(40, 5, 20, d1, 400, 400))
    assert out["wdd"] == pytest.approx(-35 + d1 - 20)
    assert out["wdd_var"] == pytest.approx(65 + d1 + 0.15 ** 2 * 800)
    assert out["verdict"] == verdict and out["displacement"] == note


def test_rises_small_counts_and_missing_windows_are_worded():
    rose = one(counts_to_incidents(40, 70, 20, 20, 400, 400))
    assert rose["verdict"] == "rose more than the control area (p = 0.02)"
    assert rose["displacement"] == "not assessed: the place did not fall against the control area"
    empty = one(counts_to_incidents(0, 0, 0, 0, 5, 5))
    assert empty["verdict"] == "no incidents in the place or its ring in either window"
    assert math.isnan(empty["wdd_z"]) and math.isnan(empty["change_pct"])
    no_control = one(counts_to_incidents(3, 1, 0, 0, 0, 4))
    assert no_control["verdict"].startswith("not judged: no control-area") and math.isnan(no_control["wdd"])
    # Without data_period the data end on 15 July, before the after window does.
    late = evaluate_places(counts_to_incidents(3, 1, 0, 0, 4, 4), place())
    assert late.loc[0, "verdict"] == "not judged: the windows reach outside the data's dates"
    assert late.loc[0, "T0"] == 3 and math.isnan(late.loc[0, "wdd"])


def test_no_ring_with_buffer_zero():
    out = one(counts_to_incidents(40, 5, 20, 30, 400, 400), buffer_m=0)
    assert out[["D0", "D1"]].tolist() == [0, 0] and out["C0"] == 420  # the ring is control now
    assert out["verdict"].startswith("fell more than the control area (p") and out["displacement"] == ""


def test_control_excludes_every_place_and_ring_and_can_be_a_polygon():
    far = pd.DataFrame([incident((9000, 9000), BEFORE)] * 3 + [incident((9000, 9000), AFTER)] * 5)
    inc = pd.concat([counts_to_incidents(4, 2, 1, 1, 10, 10), far], ignore_index=True)
    alone = evaluate_places(inc, place(), data_period=YEAR)
    assert alone.loc[0, ["C0", "C1"]].tolist() == [13, 15]
    # B covers the points at (5000, 5000): they leave A's control, and A's ring is not in B's.
    two = pd.concat([place(), place(tasking_id="B", outline=shapely.box(4900, 4900, 5100, 5100))],
                    ignore_index=True)
    out = evaluate_places(inc, two, data_period=YEAR)
    assert out["C0"].tolist() == [3, 3] and out["C1"].tolist() == [5, 5]
    assert out.loc[1, ["T0", "T1", "D0", "D1"]].tolist() == [10, 10, 0, 0]
    # A control polygon round the far points only.
    area = gpd.GeoSeries([shapely.box(8000, 8000, 10000, 10000)], crs=27700)
    out = evaluate_places(inc, place(), control=area, data_period=YEAR)
    assert out.loc[0, ["C0", "C1"]].tolist() == [3, 5]
    assert "given area of 4.00 km²" in out.attrs["card"]["parameters"]["control"]


def test_pooling_per_action_type():
    inc = pd.concat([counts_to_incidents(40, 5, 20, 30, 400, 400),
                     counts_to_incidents(12, 10, 3, 2, 0, 0, at=((1050, 50), (1050, 130), CONTROL)),
                     counts_to_incidents(9, 3, 0, 0, 0, 0, at=((2050, 50), (2050, 130), CONTROL))],
                    ignore_index=True)
    places = pd.concat([place(action_type="patrol"),
                        place(tasking_id="B", outline=shapely.box(1000, 0, 1100, 100), action_type="patrol"),
                        place(tasking_id="C", outline=shapely.box(2000, 0, 2100, 100), action_type="CCTV"),
                        place(tasking_id="D", outline=SQUARE, start="2018-01-01", action_type="CCTV")],
                       ignore_index=True)
    res = evaluate_places(inc, places, data_period=YEAR)
    assert res.loc[3, "verdict"].startswith("not judged")
    pooled = evaluate_by_action_type(res).set_index("action_type")
    assert list(pooled.reset_index().columns) == list(BY_ACTION_TYPE_COLUMNS)
    assert pooled.index.tolist() == ["CCTV", "patrol"]
    patrol = res.iloc[:2]
    assert pooled.loc["patrol", "places"] == 2 and pooled.loc["patrol", "not_evaluated"] == 0
    assert pooled.loc["CCTV", "places"] == 1 and pooled.loc["CCTV", "not_evaluated"] == 1
    for col in ("T0", "T1", "D0", "D1", "C0", "C1", "wdd", "wdd_var"):
        assert pooled.loc["patrol", col] == pytest.approx(patrol[col].sum())
    z = patrol["wdd"].sum() / math.sqrt(patrol["wdd_var"].sum())
    assert pooled.loc["patrol", "wdd_z"] == pytest.approx(z)
    assert pooled.loc["patrol", "p_value"] == pytest.approx(2 * norm.sf(abs(z)))
    assert pooled.loc["patrol", "fell"] == 1 and pooled.loc["patrol", "rose"] == 0
    assert pooled.loc["patrol", "verdict"].startswith("fell more than the control area over 2 places (p ")
    assert pooled.loc["CCTV", "T0"] == 9  # the unjudged place is not summed
    # by hand: A: WDD -35 + 10 = -25, Var 113; B: WDD -2 - 1 = -3, Var 27 + (15/400)^2 x 800 = 28.125
    assert pooled.loc["patrol", "wdd"] == pytest.approx(-28)
    assert pooled.loc["patrol", "wdd_var"] == pytest.approx(113 + 28.125)


def test_inputs_are_not_modified():
    inc = counts_to_incidents(6, 2, 2, 1, 40, 30).assign(harm_weight=2.0)
    places = place(action_type="patrol")
    w = pd.Series(1.5, index=inc.index)
    before_inc, before_places, before_w = inc.copy(deep=True), places.copy(deep=True), w.copy()
    res = evaluate_places(inc, places, weights=w, data_period=YEAR)
    evaluate_places(inc, places, weights="harm_weight", control=SQUARE.buffer(10_000), data_period=YEAR)
    res_before = res.copy(deep=True)
    evaluate_by_action_type(res)
    pd.testing.assert_frame_equal(inc, before_inc)
    pd.testing.assert_frame_equal(places, before_places)
    pd.testing.assert_series_equal(w, before_w)
    pd.testing.assert_frame_equal(res, res_before)


@settings(max_examples=25, deadline=None)
@given(counts=st.lists(st.integers(0, 6), min_size=6, max_size=6), seed=st.integers(0, 1000))
def test_row_order_does_not_matter_and_wdd_is_observed_minus_expected(counts, seed):
    inc = counts_to_incidents(*counts)
    a = evaluate_places(inc, place(), data_period=YEAR)
    b = evaluate_places(inc.sample(frac=1, random_state=seed), place(), data_period=YEAR)
    pd.testing.assert_frame_equal(a, b)
    t0, t1, d0, d1, c0, c1 = counts
    if c0 > 0 and t1 + d1 + c1 > 0:
        assert a.loc[0, "wdd"] == pytest.approx((t1 + d1) - (t0 + d0) * c1 / c0)
    elif c0 > 0:  # July holds no record at all: missing, not zero
        assert a.loc[0, "verdict"] == "not judged: no data for 2017-07 in its 28-day after window"


def test_errors_say_what_to_fix():
    inc = counts_to_incidents(1, 1, 0, 0, 1, 1)
    with pytest.raises(TaskingError, match=r"evaluate_places: the 'places' frame is in WGS 84 \(EPSG:4326\), not "
                                           r"EPSG:27700 \(British National Grid\); reproject it first with "
                                           r"\.to_crs\(27700\)\."):
        evaluate_places(inc, place().set_crs(4326, allow_override=True))
    with pytest.raises(TaskingError, match=r"evaluate_places needs the column 'start'; the table has 2 columns: "
                                           r"'tasking_id', 'geometry'\. Fix: give each place its tasking_id, start"):
        evaluate_places(inc, place().drop(columns="start"))
    with pytest.raises(TaskingError, match="rows \\[0\\]\\) have no readable start date"):
        evaluate_places(inc, place(start="someday"))
    with pytest.raises(TaskingError, match="no polygon outline.*buffer a point"):
        evaluate_places(inc, place(outline=shapely.Point(50, 50)))
    with pytest.raises(TaskingError, match=r"The 'window_days' parameter of evaluate_places must be an int in the "
                                           r"range \[1, inf\)\. Got 0 instead\."):
        evaluate_places(inc, place(), window_days=0)
    with pytest.raises(TypeError, match=r"The 'window_days' parameter of evaluate_places must be an int\. Got 2\.5"):
        evaluate_places(inc, place(), window_days=2.5)
    with pytest.raises(TaskingError, match=r"The 'buffer_m' parameter of evaluate_places must be a float in the "
                                           r"range \[0\.0, 10000\.0\)\. Got -5 instead\."):
        evaluate_places(inc, place(), buffer_m=-5)
    with pytest.raises(TaskingError, match=r"The 'alpha' parameter of evaluate_places must be a float in the range "
                                           r"\(0\.0, 0\.5\)\. Got 0\.5 instead\."):
        evaluate_places(inc, place(), alpha=0.5)
    with pytest.raises(TaskingError, match=r"evaluate_places needs the incident column 'occurred_to' \(a timestamp\); "
                                           r"the table has 3 columns"):
        evaluate_places(inc.drop(columns="occurred_to"), place())
    with pytest.raises(TaskingError, match=r"evaluate_places: column 'occurred_from' has no time zone; localise it "
                                           r"first with \.dt\.tz_localize\('Europe/London'\)\."):
        evaluate_places(inc.assign(occurred_from=inc["occurred_from"].dt.tz_localize(None)), place())
    with pytest.raises(TaskingError, match=r"evaluate_places: column 'occurred_to' is empty in 1 of 4 rows; drop "
                                           r"those rows first\."):
        evaluate_places(inc.assign(occurred_to=inc["occurred_to"].where(inc.index > 0)), place())
    with pytest.raises(TaskingError, match=r"evaluate_places: 1 of 4 incidents have no coordinates; drop them first"):
        evaluate_places(inc.assign(easting=inc["easting"].where(inc.index > 0)), place())
    with pytest.raises(TaskingError, match="weights must be finite and 0 or more; 1 are negative or infinite"):
        evaluate_places(inc, place(), weights=pd.Series([-1.0, 1, 1, 1], index=inc.index))
    with pytest.raises(TaskingError, match="weights must be finite and 0 or more; 1 are negative or infinite"):
        evaluate_places(inc, place(), weights=pd.Series([math.inf, 1, 1, 1], index=inc.index))
    with pytest.raises(TaskingError, match=r"evaluate_places: the 'weights' Series has another index than the "
                                           r"incidents \(2 against 4 rows\)"):
        evaluate_places(inc, place(), weights=pd.Series([1.0, 1.0]))
    with pytest.raises(TaskingError, match=r"evaluate_places: weights column 'harm' is not in the incident table"):
        evaluate_places(inc, place(), weights="harm")
    with pytest.raises(TypeError, match=r"The 'weights' parameter of evaluate_places must be a column name \(str\), "
                                        r"a pandas Series or None\. Got list instead\."):
        evaluate_places(inc, place(), weights=[1.0, 1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match=r"The 'places' parameter of evaluate_places must be a geopandas GeoDataFrame"):
        evaluate_places(inc, pd.DataFrame(place()))
    with pytest.raises(TypeError, match=r"The 'incidents' parameter of evaluate_places must be a pandas DataFrame"):
        evaluate_places(inc.to_dict(), place())
    with pytest.raises(TypeError, match=r"The 'control' parameter of evaluate_places must be a shapely geometry"):
        evaluate_places(inc, place(), control="boroughs")
    with pytest.raises(TaskingError, match=r"evaluate_places: the control area is in WGS 84 \(EPSG:4326\)"):
        evaluate_places(inc, place(), control=gpd.GeoSeries([SQUARE], crs=4326))
    with pytest.raises(TaskingError, match=r"evaluate_places: the control area has no area"):
        evaluate_places(inc, place(), control=shapely.Polygon())
    with pytest.raises(TaskingError, match=r"The 'data_period' parameter of evaluate_places must be a date such as "
                                           r"'2018-06-01'\. Got 'soon' instead\."):
        evaluate_places(inc, place(), data_period=("2017-01-01", "soon"))
    with pytest.raises(TypeError, match=r"The 'data_period' parameter of evaluate_places must be a \(first, last\) "
                                        r"pair of dates"):
        evaluate_places(inc, place(), data_period="2017")
    with pytest.raises(TaskingError, match=r"evaluate_places: data_period ends \(2017-01-01\) before it starts "
                                           r"\(2017-12-31\); swap the dates\."):
        evaluate_places(inc, place(), data_period=("2017-12-31", "2017-01-01"))


def test_pooling_refuses_a_frame_that_is_not_an_evaluation():
    res = evaluate_places(counts_to_incidents(1, 1, 0, 0, 1, 1), place(), data_period=YEAR)
    with pytest.raises(TaskingError, match=r"evaluate_by_action_type needs the columns 'wdd' and 'p_value'; the table "
                                           r"has 16 columns: .* Fix: pass the frame evaluate_places returns"):
        evaluate_by_action_type(res.drop(columns=["wdd", "p_value"]))
    with pytest.raises(TaskingError, match=r"The 'alpha' parameter of evaluate_by_action_type must be a float in the "
                                           r"range \(0\.0, 0\.5\)\. Got 0 instead\."):
        evaluate_by_action_type(res, alpha=0)
    with pytest.raises(TypeError, match=r"The 'results' parameter of evaluate_by_action_type must be a pandas "
                                        r"DataFrame\. Got dict instead\."):
        evaluate_by_action_type(res.to_dict())


def test_wdd_test_refuses_negative_or_mismatched_counts():
    with pytest.raises(TaskingError, match=r"wdd_test: the counts must be finite and 0 or more; 't0' has 1 that is "
                                           r"not"):
        wdd_test(-1, 1, 0, 0, 1, 1, 0, 0)
    with pytest.raises(TaskingError, match=r"wdd_test: the counts must have one value per place, or one for all; "
                                           r"got lengths 2, 3"):
        wdd_test([1, 2], [1, 2, 3], 0, 0, 1, 1, 0, 0)
    with pytest.raises(TypeError, match=r"The 't1' parameter of wdd_test must be numbers \(a number or an array of "
                                        r"numbers\)\. Got 'many' instead\."):
        wdd_test(1, "many", 0, 0, 1, 1, 0, 0)


# --- months without data -------------------------------------------------------------------------
def month_only(xy, month: str, source: str = "police_uk") -> dict:
    """A police.uk record: the whole month, 00:00 on the first to 23:59 on the last day."""
    first = pd.Timestamp(f"{month}-01", tz=TZ)
    last = first + pd.offsets.MonthEnd(0) + pd.Timedelta(hours=23, minutes=59)
    return {"easting": xy[0], "northing": xy[1], "occurred_from": first, "occurred_to": last, "source": source}


def test_a_window_in_months_without_data_is_missing_not_zero():
    # Incidents in June and August 2017 only: a place tasked on 1 July has its after window
    # (1-28 July) in a month without data, so the fall from 3 to 0 is not a fall.
    inc = pd.concat([counts_to_incidents(3, 0, 1, 0, 20, 0), pd.DataFrame([incident(CONTROL, "2017-08-10")] * 5)],
                    ignore_index=True)
    out = one(inc)
    assert out["verdict"] == "not judged: no data for 2017-07 in its 28-day after window"
    assert out[["T0", "D0", "C0"]].tolist() == [3, 1, 20]
    assert out[["T1", "D1", "C1"]].isna().all()  # not zeros
    assert all(math.isnan(out[c]) for c in ("change_pct", "z_target", "wdd", "wdd_var", "p_value"))
    # A window touching a month without data is not covered either (31 days from 1 August: 1-31 July).
    late = one(inc, places=place(start="2017-08-01"), window_days=31)
    assert late["verdict"] == "not judged: no data for 2017-07 in its 31-day before window"
    both = one(inc, places=place(start="2017-07-15"), window_days=10)
    assert both["verdict"] == "not judged: no data for 2017-07 in its 10-day before and after windows"


def test_a_source_missing_from_one_window_leaves_the_place_unjudged():
    # police.uk (month-only) reports every month; the council's ASB log starts in July: its
    # cases in the after window would invent a rise against a before window without them.
    police = [month_only(CONTROL, m) for m in ("2017-05", "2017-06", "2017-07", "2017-08")]
    council = [{**incident(TARGET, "2017-07-10"), "source": "council_asb"}] * 4
    control = [{**incident(CONTROL, "2017-07-12"), "source": "council_asb"}]
    inc = pd.DataFrame(police + council + control)
    out = one(inc)  # the run of months without the council's records, as far as it goes
    assert out["verdict"] == "not judged: no data for 2017-05 to 2017-06 in its 28-day before window"
    assert math.isnan(out["T0"]) and out["T1"] == 4
    # Evaluating the council's log alone, June is no longer expected to hold its records...
    alone = one(inc[inc["source"] == "council_asb"])
    assert alone["verdict"] == "not judged: no data for 2017-06 in its 28-day before window"
    # ...and from 1 August both windows hold both sources, so the place is judged.
    inc = pd.concat([inc, pd.DataFrame([{**incident(TARGET, "2017-08-10"), "source": "council_asb"}])])
    judged = one(inc, places=place(start="2017-08-01"))
    assert not judged["verdict"].startswith("not judged: no data")
    assert judged[["T0", "T1"]].tolist() == [4, 1]


def test_coverage_records_say_which_months_hold_data():
    # Burglaries only: none at all in the after window. With every category's records the
    # after window holds data, so the fall to zero is real; from the burglaries alone July
    # looks like a month without data.
    burglary = counts_to_incidents(4, 0, 0, 0, 8, 0)  # and none in the control area after
    everything = pd.concat([burglary, pd.DataFrame([incident(CONTROL, AFTER)] * 6)], ignore_index=True)
    alone = one(burglary)
    assert alone["verdict"].startswith("not judged: no data for 2017-07")
    before = everything.copy(deep=True)
    out = one(burglary, coverage_records=everything)
    pd.testing.assert_frame_equal(everything, before)
    assert out[["T0", "T1", "C0", "C1"]].tolist() == [4, 0, 8, 0]
    assert out["wdd"] == 0 and out["change_pct"] == -100  # the control area fell to zero too
    assert out["verdict"] == "no clear change against the control area (p = 1.00)"
    with pytest.raises(TypeError, match=r"The 'coverage_records' parameter of evaluate_places must be a pandas "
                                        r"DataFrame \(the incident table\) or None\. Got list instead\."):
        one(burglary, coverage_records=[1, 2])
    with pytest.raises(TaskingError, match=r"evaluate_places needs the column 'occurred_from' \(a timestamp\); the "
                                           r"table has 1 column: 'when'\. Fix: pass as coverage_records every record"):
        one(burglary, coverage_records=pd.DataFrame({"when": [1]}))
    naive = everything.assign(occurred_from=everything["occurred_from"].dt.tz_localize(None))
    with pytest.raises(TaskingError, match=r"evaluate_places: column 'occurred_from' has no time zone"):
        one(burglary, coverage_records=naive)


def test_the_summary_counts_judged_and_not_judged_actions(tmp_path):
    inc = pd.concat([counts_to_incidents(6, 2, 2, 1, 40, 30),
                     pd.DataFrame([incident(CONTROL, "2017-10-10")] * 3)], ignore_index=True)
    outlines = gpd.GeoDataFrame({"tasking_id": ["SQ-1"]}, geometry=[SQUARE], crs=27700)
    with ActionLog.open("sqlite:///" + str(tmp_path / "a.sqlite")) as log:
        july = log.record_meeting(START, group="Lambeth JAG", period="2017-07", items=[{"tasking_id": "SQ-1"}])
        log.add_action(july, "SQ-1", agency="Police", action="Patrols", tactic="patrol")
        log.add_action(july, "SQ-1", agency="Wardens", action="Patrols", tactic="patrol")
        september = log.record_meeting(dt.date(2017, 9, 1), group="Lambeth JAG", period="2017-09",
                                       items=[{"tasking_id": "SQ-1"}])
        log.add_action(september, "SQ-1", agency="Police", action="Patrols", tactic="patrol")
        result = evaluate_log(inc, log, outlines, data_period=YEAR)
    assert result.places["verdict"].tolist()[1] == ("not judged: no data for 2017-08 to 2017-09 in its 28-day "
                                                    "before and after windows")
    assert result.summary == "2 of 3 actions judged; 1 not judged (1: no data in the months of a window)."
    assert result.card.data["judged"] == result.summary
    assert result.by_action_type[["places", "not_evaluated"]].values.tolist() == [[1, 1]]
    res = evaluate_places(inc, place(), data_period=YEAR)
    assert res.attrs["card"]["data"]["judged"] == "1 of 1 places judged."


def test_no_places_gives_empty_frames_with_the_columns():
    res = evaluate_places(counts_to_incidents(1, 1, 0, 0, 1, 1), place().iloc[:0])
    assert list(res.columns) == list(EVALUATION_COLUMNS) and res.empty
    pooled = evaluate_by_action_type(res)
    assert list(pooled.columns) == list(BY_ACTION_TYPE_COLUMNS) and pooled.empty


# --- the demo workspace --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_incidents() -> pd.DataFrame:
    return Workspace.open(DEMO).incidents(columns=["easting", "northing", "occurred_from", "occurred_to"])


def busiest_square(incidents: pd.DataFrame, half: float = 150.0):
    e, n = incidents.groupby(["easting", "northing"]).size().idxmax()
    return shapely.box(e - half, n - half, e + half, n + half)


def test_demo_place_counts_equal_a_direct_recount(demo_incidents):
    square = busiest_square(demo_incidents)
    res = evaluate_places(demo_incidents, place(tasking_id="DEMO-1", outline=square, action_type="patrol"))
    assert list(res.columns) == list(EVALUATION_COLUMNS) and len(res) == 1
    assert res["start"].dtype == "datetime64[s]" and res["left_out"].dtype == "int64"
    assert res["tasking_id"].dtype == "str" and res["T0"].dtype == "float64"
    out = res.iloc[0]
    pts = shapely.points(demo_incidents["easting"].to_numpy(), demo_incidents["northing"].to_numpy())
    in_t = shapely.covers(square, pts)
    in_b = shapely.covers(square.buffer(250), pts)
    lo, mid, hi = (pd.Timestamp(d, tz=TZ) for d in ("2017-06-03", "2017-07-01", "2017-07-29"))
    f, t = demo_incidents["occurred_from"], demo_incidents["occurred_to"]
    before = ((f >= lo) & (t < mid)).to_numpy()
    after = ((f >= mid) & (t < hi)).to_numpy()
    expected = [(in_t & before).sum(), (in_t & after).sum(), (in_b & ~in_t & before).sum(),
                (in_b & ~in_t & after).sum(), (~in_b & before).sum(), (~in_b & after).sum()]
    assert out[["T0", "T1", "D0", "D1", "C0", "C1"]].tolist() == expected
    assert min(expected[:4]) > 20  # a real hotspot, not an empty square
    t0, t1, d0, d1, c0, c1 = expected
    assert out["wdd"] == pytest.approx((t1 + d1) - (t0 + d0) * c1 / c0)
    assert out["wdd_var"] == pytest.approx(t0 + t1 + d0 + d1 + ((t0 + d0) / c0) ** 2 * (c0 + c1))
    assert 0 <= out["p_value"] <= 1 and out["verdict"] and out["left_out"] == 0
    assert res.attrs["card"]["data"]["data_period"] == "2016-01-01 to 2018-06-30"


# --- the action log ------------------------------------------------------------------------------
def test_evaluate_log_through_a_real_action_log(tmp_path):
    squares = {"SQ-1": SQUARE, "SQ-2": shapely.box(1000, 0, 1100, 100)}
    outlines = gpd.GeoDataFrame({"tasking_id": list(squares)}, geometry=list(squares.values()), crs=27700)
    inc = pd.concat([counts_to_incidents(40, 5, 20, 30, 400, 400),
                     counts_to_incidents(12, 10, 3, 2, 0, 0, at=((1050, 50), (1050, 130), CONTROL))],
                    ignore_index=True)
    with ActionLog.open("sqlite:///" + str(tmp_path / "a.sqlite")) as log:
        m = log.record_meeting(START, group="Lambeth JAG", period="2017-07",
                               items=[{"tasking_id": t, "rank": i + 1} for i, t in enumerate([*squares, "NO-OUTLINE"])])
        a1 = log.add_action(m, "SQ-1", agency="Police", action="Patrols Fri-Sat nights", tactic="patrol",
                            pier="Enforcement")
        a2 = log.add_action(m, "SQ-1", agency="Wardens", action="Evening patrols", tactic="patrol", pier="Reassure")
        a3 = log.add_action(m, "SQ-2", agency="Council ASB team", action="Letters to residents", pier="Prevent")
        log.add_action(m, "SQ-2", agency="Council ASB team", action="Deployable CCTV", tactic="CCTV",
                       status="cancelled")
        log.add_action(m, "NO-OUTLINE", agency="Police", action="Visit", tactic="patrol")
        before = outlines.copy(deep=True)
        result = evaluate_log(inc, log, outlines, data_period=YEAR)
    pd.testing.assert_frame_equal(outlines, before)
    table = result.places
    assert list(table.columns) == ["meeting_id", "action_ids", *EVALUATION_COLUMNS]
    assert table[["tasking_id", "action_type", "action_ids"]].values.tolist() == [
        ["SQ-1", "patrol", f"{a1}; {a2}"], ["SQ-2", "unspecified", str(a3)]]
    assert (table["meeting_id"] == m).all() and (table["start"] == pd.Timestamp(START)).all()
    direct = evaluate_places(inc, gpd.GeoDataFrame(
        {"tasking_id": ["SQ-1", "SQ-2"], "start": [START] * 2, "action_type": ["patrol", "unspecified"]},
        geometry=list(squares.values()), crs=27700), data_period=YEAR)
    pd.testing.assert_frame_equal(table[list(EVALUATION_COLUMNS)], direct)
    assert table.loc[0, "wdd"] == pytest.approx(-25)
    assert result.by_action_type["action_type"].tolist() == ["patrol", "unspecified"]
    card = result.card
    assert card.parameters["window_days"] == 28 and card.parameters["buffer_m"] == 250
    assert "every incident outside the places" in card.parameters["control"]
    assert card.rules["time_spans"].startswith("counted only if the whole")
    assert card.parameters["exclude_statuses"] == ["cancelled"]
    assert any("NO-OUTLINE" in w for w in card.warnings)


def test_evaluate_log_on_the_demo_workspace_with_a_layer_as_control(tmp_path, demo_incidents):
    square = busiest_square(demo_incidents)
    outlines = gpd.GeoDataFrame({"tasking_id": ["DEMO-1"]}, geometry=[square], crs=27700)
    with ActionLog.open("sqlite:///" + str(tmp_path / "a.sqlite")) as log:
        m = log.record_meeting(START, group="Lambeth JAG", period="2017-07", items=[{"tasking_id": "DEMO-1"}])
        log.add_action(m, "DEMO-1", agency="Police", action="Patrols", tactic="patrol", pier="Enforcement")
        result = evaluate_log(Workspace.open(DEMO), log, outlines, control="boroughs", action_type="pier")
    row = result.places.iloc[0]
    assert row["action_type"] == "Enforcement"
    plain = evaluate_places(demo_incidents, place(tasking_id="DEMO-1", outline=square)).iloc[0]
    assert row[["T0", "T1", "D0", "D1"]].tolist() == plain[["T0", "T1", "D0", "D1"]].tolist()
    assert 0 < row["C0"] <= plain["C0"]  # the two boroughs hold most, not all, of the workspace's incidents
    assert "given area" in result.card.parameters["control"]
    with pytest.raises(TaskingError, match="names a layer, which needs a workspace"):
        evaluate_log(demo_incidents, log, outlines, control="boroughs")


def test_evaluate_log_checks_its_arguments_before_reading_anything(tmp_path):
    outlines = gpd.GeoDataFrame({"tasking_id": ["SQ-1"]}, geometry=[SQUARE], crs=27700)
    inc = counts_to_incidents(1, 1, 0, 0, 1, 1)
    with ActionLog.open("sqlite:///" + str(tmp_path / "a.sqlite")) as log:
        with pytest.raises(TaskingError, match=r"The 'action_type' parameter of evaluate_log must be one of 'tactic', "
                                               r"'pier', 'agency'\. Got 'owner' instead\."):
            evaluate_log(inc, log, outlines, action_type="owner")
        with pytest.raises(TaskingError, match=r"evaluate_log: the 'outlines' frame is in WGS 84 \(EPSG:4326\), not "
                                               r"EPSG:27700"):
            evaluate_log(inc, log, outlines.set_crs(4326, allow_override=True))
        with pytest.raises(TaskingError, match=r"evaluate_log needs the column 'tasking_id'; the table has 1 column: "
                                               r"'geometry'\. Fix: give each outline its tasking_id"):
            evaluate_log(inc, log, outlines.drop(columns="tasking_id"))
        with pytest.raises(TaskingError, match=r"evaluate_log: outlines has tasking ids SQ-1 more than once \(1 in "
                                               r"all\); give one outline each\."):
            evaluate_log(inc, log, pd.concat([outlines, outlines]))
        with pytest.raises(TaskingError, match=r"The 'window_days' parameter of evaluate_log must be an int"):
            evaluate_log(inc, log, outlines, window_days=0)
        with pytest.raises(TypeError, match=r"The 'exclude_statuses' parameter of evaluate_log must be a list of str "
                                            r"\(e\.g\. \['cancelled'\]\)"):
            evaluate_log(inc, log, outlines, exclude_statuses="cancelled")
        with pytest.raises(TypeError, match=r"The 'action_log' parameter of evaluate_log must be an ActionLog"):
            evaluate_log(inc, str(tmp_path / "a.sqlite"), outlines)
        with pytest.raises(TypeError, match=r"The 'ws_or_incidents' parameter of evaluate_log must be a Workspace or "
                                            r"a pandas DataFrame"):
            evaluate_log(str(DEMO), log, outlines)
        with pytest.raises(TaskingError, match=r"The 'control' parameter of evaluate_log must be one of 'ward_2014', "
                                               r".*Got 'wards' instead\."):
            evaluate_log(Workspace.open(DEMO), log, outlines, control="wards")
