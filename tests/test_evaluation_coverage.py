"""Evaluation uses only months that hold data: the City of London's real police.uk files of
2016-09 to 2017-08 with January to April 2017 left out of the import, and actions agreed at
four meetings, two of them with a window in the gap."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import CITY_WARDS, city_year_workspace

from hotspot_tasking.actions.log import ActionLog
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.pipeline.evaluation import evaluate_log

GAP = ("2017-01", "2017-02", "2017-03", "2017-04")
MEETINGS = ("2016-12-01", "2017-01-01", "2017-05-01", "2017-08-01")
WARDS = ("Bishopsgate", "Farringdon Without")
#: 31 days: from 1 December the before window holds all of November (and 31 October), the
#: after window all of December, so month-only records of those months are counted.
WINDOW = 31
#: What the evaluation gave for the covered meetings before it knew which months hold data
#: (same workspace, same actions): tasking id, start, T0, T1, D0, D1, C0, C1, WDD, its
#: variance, left out, verdict.
BEFORE_THE_CHANGE = [
    ("E05009292", "2016-12-01", 92, 97, 110, 131, 291, 306, 15.5876288660, 717.6676940518, 211,
     "no clear change against the control area (p = 0.56)"),
    ("E05009292", "2017-08-01", 47, 55, 61, 70, 190, 223, -1.7578947368, 366.4413296399, 0,
     "no clear change against the control area (p = 0.93)"),
    ("E05009305", "2016-12-01", 26, 24, 91, 75, 291, 306, -24.0309278351, 312.5072802636, 109,
     "no clear change against the control area (p = 0.17)"),
    ("E05009305", "2017-08-01", 21, 30, 64, 75, 190, 223, 5.2368421053, 272.6572022161, 0,
     "no clear change against the control area (p = 0.75)"),
]


@pytest.fixture(scope="module")
def gapped(tmp_path_factory):
    """The gapped workspace, the two wards' outlines and the evaluation of its action log."""
    tmp = tmp_path_factory.mktemp("gapped_evaluation")
    root = city_year_workspace(tmp, leave_out=GAP, wards=False)
    wards = gpd.read_file(CITY_WARDS)
    outlines = (wards[wards["NAME"].isin(WARDS)].rename(columns={"GSS_CODE": "tasking_id"})[["tasking_id", "geometry"]]
                .reset_index(drop=True))
    ws = Workspace.open(root)
    with ActionLog.open("sqlite:///" + str(tmp / "actions.sqlite")) as log:
        for day in MEETINGS:
            meeting = log.record_meeting(pd.Timestamp(day).date(), group="City JAG", period=day[:7],
                                         items=[{"tasking_id": t} for t in outlines["tasking_id"]])
            for tasking_id in outlines["tasking_id"]:
                log.add_action(meeting, tasking_id, agency="City of London Police", action="Patrols",
                               tactic="patrol")
        result = evaluate_log(ws, log, outlines, window_days=WINDOW)
    return ws, outlines, result


def _row(result, tasking_id: str, start: str) -> pd.Series:
    places = result.places
    return places[(places["tasking_id"] == tasking_id) & (places["start"] == pd.Timestamp(start))].iloc[0]


BEFORE, AFTER = ["T0", "D0", "C0"], ["T1", "D1", "C1"]


@pytest.mark.parametrize("start, verdict, missing, kept", [
    ("2017-01-01", "not judged: no data for 2017-01 to 2017-04 in its 31-day after window", AFTER, BEFORE),
    ("2017-05-01", "not judged: no data for 2017-01 to 2017-04 in its 31-day before window", BEFORE, AFTER),
])
def test_an_action_with_a_window_in_the_gap_is_not_judged_and_says_why(gapped, start, verdict, missing, kept):
    _, outlines, result = gapped
    for tasking_id in outlines["tasking_id"]:
        row = _row(result, tasking_id, start)
        assert row["verdict"] == verdict and row["displacement"] == ""
        assert row[missing].isna().all()  # missing, not zero
        assert (row[kept] > 0).all()  # the covered window keeps its counts
        for column in ("change_pct", "z_target", "wdd", "wdd_var", "wdd_z", "p_value"):
            assert math.isnan(row[column]), column  # no change computed from zeros


def test_the_summary_counts_judged_and_not_judged_actions(gapped):
    _, _, result = gapped
    assert result.summary == "4 of 8 actions judged; 4 not judged (4: no data in the months of a window)."
    assert result.card.data["judged"] == result.summary
    assert any(w.startswith("4 places were not judged: a window falls in months without data")
               for w in result.card.warnings)
    assert result.card.rules["coverage"].startswith("judged only if every month a window touches")
    pooled = result.by_action_type.iloc[0]
    assert pooled["action_type"] == "patrol" and pooled["places"] == 4 and pooled["not_evaluated"] == 4
    covered = result.places[result.places["wdd"].notna()]
    assert pooled["T0"] == covered["T0"].sum() and pooled["wdd"] == pytest.approx(covered["wdd"].sum())


def test_covered_actions_give_the_figures_they_gave_before(gapped):
    _, _, result = gapped
    for tasking_id, start, *counts, wdd, var, left_out, verdict in BEFORE_THE_CHANGE:
        row = _row(result, tasking_id, start)
        assert row[["T0", "T1", "D0", "D1", "C0", "C1"]].tolist() == counts
        assert row["wdd"] == pytest.approx(wdd) and row["wdd_var"] == pytest.approx(var)
        assert row["left_out"] == left_out and row["verdict"] == verdict


def test_covered_figures_are_the_whole_months_inside_each_window(gapped):
    """A recount by hand: month-only records count when their whole month lies in a window."""
    ws, outlines, result = gapped
    table = ws.incidents()
    pts = shapely.points(table["easting"].to_numpy(float), table["northing"].to_numpy(float))
    month = table["occurred_from"].dt.strftime("%Y-%m").to_numpy()
    rings = shapely.union_all([shapely.buffer(g, 250) for g in outlines.geometry])
    control = ~shapely.covers(rings, pts)
    for start, before, after in (("2016-12-01", "2016-11", "2016-12"), ("2017-08-01", "2017-07", "2017-08")):
        for outline, tasking_id in zip(outlines.geometry, outlines["tasking_id"]):
            in_t = shapely.covers(outline, pts)
            in_d = shapely.covers(shapely.buffer(outline, 250), pts) & ~in_t
            expected = [int((area & (month == m)).sum()) for area in (in_t, in_d, control) for m in (before, after)]
            row = _row(result, tasking_id, start)
            assert row[["T0", "T1", "D0", "D1", "C0", "C1"]].tolist() == expected
    assert np.all(table["time_precision"].astype(str) == "month")  # police.uk: month-only records throughout
