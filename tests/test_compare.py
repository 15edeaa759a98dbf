"""Comparing areas: counts, rates, share, change, the target's RAG status, residents by area
share, hour-of-week, category mix and trend; hand-made incidents, then the demo."""

import copy

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.boundaries.compare import OTHER, TABLE_COLUMNS, AreaComparison, arrows, compare_areas, rag_status
from hotspot_tasking.boundaries.errors import BoundaryError
from hotspot_tasking.boundaries.residents import apportion_residents, residents_for_layer
from hotspot_tasking.boundaries.store import incidents_with_areas
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.bands import select_band

JUNE = ("2018-06-01", "2018-06-30")  # 30 days: previous 02/05-31/05/2018, last year June 2017


def incidents(rows):
    """rows: (local start, local end or None, area code(s), category, harm, precision)."""
    frame = pd.DataFrame(rows, columns=["start", "end", "ward", "category", "harm_weight", "time_precision"])
    frame["occurred_from"] = pd.to_datetime(frame["start"]).dt.tz_localize("Europe/London")
    frame["occurred_to"] = pd.to_datetime(frame["end"].fillna(frame["start"])).dt.tz_localize("Europe/London")
    return frame.drop(columns=["start", "end"])


def toy():
    rows = [("2018-06-04 22:00", None, "A", "Violence", 2.0, "minute")] * 12          # Monday 22:00
    rows += [("2018-06-09 01:00", "2018-06-09 02:59", "A", "Robbery", 1.0, "minute")] * 4  # Saturday 01-03
    rows += [("2018-05-10 12:00", None, "A", "Violence", 2.0, "minute")] * 9          # previous period
    rows += [("2017-06-15 12:00", None, "A", "Violence", 2.0, "minute")] * 16         # last year
    rows += [("2018-06-20 10:00", None, "B", "Burglary", 3.0, "minute")]              # B: 1 now ...
    rows += [("2018-05-20 10:00", None, "B", "Burglary", 3.0, "minute")] * 4          # ... 4 before
    # C: no time of day, no baseline
    rows += [("2018-06-21 00:00", "2018-06-21 23:59", "C", "Burglary", 3.0, "day")] * 2
    rows += [("2018-06-05 12:00", None, "", "Violence", 1.0, "minute")] * 3           # outside every area
    return incidents(rows)


def test_counts_rates_share_and_change_by_hand():
    inc = toy()
    result = compare_areas(inc, layer="ward", codes=["A", "B", "C"], start=JUNE[0], end=JUNE[1],
                           population=pd.Series({"A": 2000.0, "B": 500.0}), names={"A": "Alpha", "B": "Beta", "C": "C"})
    assert isinstance(result, AreaComparison) and list(result.table.columns) == list(TABLE_COLUMNS)
    t = result.table.set_index("area_code")
    assert t.loc["A", "area_name"] == "Alpha"
    assert t.loc["A", "incidents"] == 16 and t.loc["A", "harm_weighted_incidents"] == 28
    assert t.loc["A", "rate_per_1000_residents"] == pytest.approx(8.0)
    assert np.isnan(t.loc["C", "rate_per_1000_residents"])  # no residents known
    assert t.loc["A", "share_of_total_pct"] == pytest.approx(100 * 16 / 22)  # of all 22, outside ones included
    assert t.loc["A", "previous_incidents"] == 9 and t.loc["A", "z_vs_previous"] == pytest.approx(2.0)
    assert t.loc["A", "change_vs_previous_pct"] == pytest.approx(100 * 7 / 9)
    assert t.loc["A", "arrow_vs_previous"] == "▲" and t.loc["B", "arrow_vs_previous"] == "▼"  # z = 2(1 - 2) = -2
    assert t.loc["A", "last_year_incidents"] == 16 and t.loc["A", "arrow_vs_last_year"] == "►"
    assert t.loc["C", "no_time_of_day_incidents"] == 2
    assert result.period == JUNE and result.previous == ("2018-05-02", "2018-05-31")
    assert result.last_year == ("2017-06-01", "2017-06-30")
    assert result.residents == "own"


def test_rag_against_the_previous_period_and_last_year():
    inc = toy()
    prev = compare_areas(inc, layer="ward", codes=["A", "B", "C"], start=JUNE[0], end=JUNE[1], targets=5).table
    prev = prev.set_index("area_code")
    # A: 16 against a target of 9 x 0.95 = 8.55: +78 %, z = 2(4 - 2.92) = 2.15 -> red
    assert prev.loc["A", "target_incidents"] == pytest.approx(8.55)
    assert prev.loc["A", "z_vs_target"] == pytest.approx(2 * (4 - np.sqrt(8.55)))
    assert prev.loc["A", "rag"] == "red" and "off target" in prev.loc["A", "status"]
    assert prev.loc["B", "rag"] == "green" and "on target" in prev.loc["B", "status"]
    assert prev.loc["C", "rag"] == "not judged" and "no baseline" in prev.loc["C", "status"]
    year = compare_areas(inc, layer="ward", codes=["A"], start=JUNE[0], end=JUNE[1], targets={"A": 5},
                         baseline="last_year").table
    assert year["rag"].item() == "amber" and year["status"].item() == "Amber ! near target"  # 0 %, within 5 points
    none = compare_areas(inc, layer="ward", codes=["A", "B"], start=JUNE[0], end=JUNE[1], targets={"A": 5}).table
    assert none["status"].tolist()[1] == "Not judged: no target"


def test_rag_rule_edges():
    s = lambda *v: pd.Series(v, dtype=float)  # noqa: E731
    out = rag_status(s(95, 100, 101, 1000, 12, 5), s(100, 100, 100, 800, 10, 0), s(5, 5, 5, 5, 5, 5))
    # exactly at the target (-5 %): green; exactly 5 points above it (0 %): amber; +1 %: amber, within chance
    assert out["rag"].tolist()[:3] == ["green", "amber", "amber"]
    assert out["status"].tolist()[3] == "Red ✗ off target"  # +25 % on 800: z vs 760 = 2(31.6 - 27.6) = 8.2
    assert out["status"].tolist()[4] == "Amber ! above target, could be chance"  # +20 % on 10: z = 1.03
    assert out["rag"].tolist()[5] == "not judged"
    assert arrows(s(2.0, -2.0, 1.9, np.nan)).tolist() == ["▲", "▼", "►", ""]


def test_hour_of_week_category_mix_and_band_weights():
    inc = toy()
    result = compare_areas(inc, layer="ward", codes=["A", "C"], start=JUNE[0], end=JUNE[1])
    how = result.hour_of_week.set_index(["area_code", "day", "hour"])["incidents"]
    assert len(result.hour_of_week) == 2 * 168
    assert how[("A", "Monday", 22)] == 12
    assert how[("A", "Saturday", 1)] == pytest.approx(2.0) and how[("A", "Saturday", 2)] == pytest.approx(2.0)
    assert how.loc["C"].sum() == 0  # day-only records have no time of day
    share = result.hour_of_week.groupby("area_code")["share_pct"].sum()
    assert share["A"] == pytest.approx(100.0)
    mix = result.category_mix.set_index(["area_code", "category"])["incidents"]
    assert mix[("A", "Violence")] == 12 and mix[("A", "Robbery")] == 4 and mix[("C", "Burglary")] == 2
    # a band: half of every incident's weight in it
    weights = pd.Series(0.5, index=inc.index)
    half = compare_areas(inc, layer="ward", codes=["A"], start=JUNE[0], end=JUNE[1], band_weights=weights).table
    assert half["incidents"].item() == 8 and half["previous_incidents"].item() == 4.5


def test_overlapping_zones_count_an_incident_in_each():
    inc = incidents([("2018-06-04 22:00", None, "Z1;Z2", "Violence", 1.0, "minute"),
                     ("2018-06-04 23:00", None, "Z2", "Violence", 1.0, "minute")])
    t = compare_areas(inc, layer="ward", codes=["Z1", "Z2"], start=JUNE[0], end=JUNE[1]).table
    assert t["incidents"].tolist() == [1, 2]
    assert t["share_of_total_pct"].tolist() == [50.0, 100.0]  # of the 2 incidents, each counted once in the total


def test_trend_counts_months_and_marks_partial_and_thin_months():
    rows = [(f"2018-{m:02d}-10 12:00", None, "A", "Violence", 1.0, "minute") for m in range(1, 7) for _ in range(10)]
    rows = ([r for r in rows if not r[0].startswith("2018-03")]
            + [("2018-03-10 12:00", None, "A", "Violence", 1.0, "minute")])
    rows += [("2018-06-20 12:00", None, "A", "Violence", 1.0, "minute")] * 5  # after the period's end
    result = compare_areas(incidents(rows), layer="ward", codes=["A"], start="2018-06-01", end="2018-06-15")
    trend = result.trend.set_index("month")
    assert list(trend.index.strftime("%Y-%m")) == ["2018-01", "2018-02", "2018-03", "2018-04", "2018-05", "2018-06"]
    assert trend.loc["2018-06-01", "incidents"] == 10  # the 5 after 15/06 are left out
    assert trend.loc["2018-06-01", "partial"] and not trend.loc["2018-05-01", "partial"]
    assert trend.loc["2018-03-01", "thin"] and trend["thin"].sum() == 1
    assert any("March 2018" in n for n in result.notes)


def test_inputs_are_left_unchanged_and_order_is_kept():
    inc = toy()
    before = copy.deepcopy(inc)
    weights = pd.Series(1.0, index=inc.index)
    result = compare_areas(inc, layer="ward", codes=["C", "A", "A"], start=JUNE[0], end=JUNE[1], band_weights=weights)
    pd.testing.assert_frame_equal(inc, before)
    assert result.table["area_code"].tolist() == ["C", "A"]


@pytest.mark.parametrize("kwargs, message", [
    ({"layer": "lsoa"}, "no column(s) 'lsoa'"),
    ({"start": "2018-06-30", "end": "2018-06-01"}, "ends (01/06/2018) before it starts (30/06/2018)"),
    ({"codes": ["A", "Z"], "names": {"A": "Alpha"}}, "Z is not in layer 'ward'"),
    ({"codes": []}, "choose one or more areas"),
    ({"baseline": "2016"}, "baseline must be one of previous, last_year"),
])
def test_errors_say_what_and_how_to_fix(kwargs, message):
    args = {"layer": "ward", "codes": ["A"], "start": JUNE[0], "end": JUNE[1]} | kwargs
    with pytest.raises(BoundaryError) as err:
        compare_areas(toy(), **args)
    assert message in str(err.value)


def squares(spec):
    return gpd.GeoDataFrame({"code": [c for c, *_ in spec], "name": [c for c, *_ in spec]},
                            geometry=[shapely.box(*box) for _, *box in spec], crs=27700)


def test_residents_by_area_share_by_hand():
    lsoas = squares([("L1", 0, 0, 100, 100), ("L2", 100, 0, 200, 100)])
    pop = pd.Series({"L1": 1000.0, "L2": 500.0})
    wards = squares([("T1", 0, 0, 150, 100), ("T2", 150, 0, 200, 100)])
    res = apportion_residents(lsoas, pop, wards)
    assert res.method == "area_share"
    assert res.per_area["T1"] == pytest.approx(1250) and res.per_area["T2"] == pytest.approx(250)
    assert res.per_area.sum() == pytest.approx(pop.sum())  # a partition shares out exactly the residents
    zones = squares([("Z", 150, 0, 250, 100), ("SEA", 300, 0, 400, 100)])
    res = apportion_residents(lsoas, pop, zones)
    assert res.per_area["Z"] == pytest.approx(250) and np.isnan(res.per_area["SEA"])
    assert res.cover["Z"] == pytest.approx(0.5)
    assert "Z 50%" in res.note_for(["Z"]) and res.note_for(["T1"]) == res.note


def test_residents_need_one_crs():
    lsoas = squares([("L1", 0, 0, 100, 100)])
    with pytest.raises(BoundaryError, match="reproject"):
        apportion_residents(lsoas, pd.Series({"L1": 1.0}), lsoas.to_crs(4326))


# --- the demo -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo():
    ws = Workspace.open(DEMO_WORKSPACE)
    return ws, incidents_with_areas(ws)


def test_two_demo_wards_match_direct_counts(demo):
    ws, table = demo
    wards = ws.read_layer("ward_2014")
    names = dict(zip(wards["code"], wards["name"]))
    codes = ["E05000416", "E05000426"]  # Bishop's, Oval
    result = compare_areas(table, layer="ward_2014", codes=codes, start=JUNE[0], end=JUNE[1], targets=5,
                           population=residents_for_layer(ws, "ward_2014"), names=names)
    day = table["occurred_from"].dt.tz_localize(None).dt.normalize()
    in_june = (day >= "2018-06-01") & (day <= "2018-06-30")
    direct = table[in_june & table["ward_2014"].isin(codes)].groupby("ward_2014").size()
    t = result.table.set_index("area_code")
    assert t["incidents"].to_dict() == {c: float(direct[c]) for c in codes}
    assert t.loc["E05000416", "area_name"] == "Bishop's"
    assert (t["residents"] > 5000).all() and (t["rate_per_1000_residents"] > 0).all()
    assert set(t["rag"]) <= {"green", "amber", "red", "not judged"}
    assert result.residents == "area_share" and "area share" in result.notes[0]
    profile = result.hour_of_week.groupby("area_code")["incidents"].sum()
    assert (profile + t["no_time_of_day_incidents"]).to_dict() == pytest.approx(t["incidents"].to_dict())
    assert (result.category_mix.groupby("area_code")["incidents"].sum().to_dict()
            == pytest.approx(t["incidents"].to_dict()))
    assert result.category_mix["category"].nunique() <= 8 and OTHER in set(result.category_mix["category"])
    assert len(result.trend) == 2 * 24 and result.trend["month"].max() == pd.Timestamp("2018-06-01")


def test_demo_ward_residents_add_up_to_the_lsoas(demo):
    ws, _ = demo
    res = residents_for_layer(ws, "ward_2014")
    lsoa = residents_for_layer(ws, "lsoa_2011")
    assert lsoa.method == "own" and res.method == "area_share"
    assert res.per_area.sum() == pytest.approx(lsoa.per_area.sum(), rel=0.002)


def test_demo_nte_zones_in_the_night_time_economy_band(demo):
    ws, table = demo
    zones = ws.read_layer("nte_zones_illustrative")
    band = select_band(table, "nte", time_bands=ws.time_bands())
    result = compare_areas(table, layer="nte_zones_illustrative", codes=list(zones["code"]), start=JUNE[0],
                           end=JUNE[1], band_weights=band.weights, targets=5, baseline="last_year",
                           population=residents_for_layer(ws, "nte_zones_illustrative"))
    t = result.table
    assert len(t) == 5 and (t["incidents"] > 0).all()
    everything = compare_areas(table, layer="nte_zones_illustrative", codes=list(zones["code"]), start=JUNE[0],
                               end=JUNE[1]).table
    assert (t["incidents"].to_numpy() < everything["incidents"].to_numpy()).all()
    assert t["residents"].notna().all()
