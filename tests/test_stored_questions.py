"""Stored tasking lists keyed by the whole request (pipeline.store, TaskingRequest.key) and
"what changed" between lists of the same question, on a copy of the demo.

June and July 2017 night-time economy lists are stored for both hotspot methods (surface
and DBSCAN), side by side; every test reads them back from the workspace.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
import shapely

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.boundaries.store import incidents_with_areas
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.pipeline.review import changes_since
from hotspot_tasking.pipeline.store import latest_before, load_tasking_list, stored_lists
from hotspot_tasking.pipeline.tasking import tasking_list
from hotspot_tasking.ranking.changes import compare_lists, what_changed
from hotspot_tasking.ranking.explain import number
from hotspot_tasking.ranking.request import TaskingRequest

METHODS = ("surface", "dbscan")


def asked(period: str, method: str, **options) -> TaskingRequest:
    return TaskingRequest(period, band="nte", method=method, **options)


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A demo copy with June and July lists of both methods stored; ``(ws, incidents, {(period, method): list})``."""
    root = tmp_path_factory.mktemp("stored") / "ws"
    shutil.copytree(DEMO_WORKSPACE, root)
    ws = Workspace.open(root)
    incidents = incidents_with_areas(ws)
    lists = {(p, m): tasking_list(ws, asked(p, m), incidents=incidents, save=True)
             for m in METHODS for p in ("2017-06", "2017-07")}
    return ws, incidents, lists


def test_rerunning_a_stored_period_gives_the_same_ids(stored):
    ws, incidents, lists = stored
    request = asked("2017-07", "surface")
    assert latest_before(ws, request).period == "2017-06"  # not July's own stored list
    again = tasking_list(ws, request, incidents=incidents, save=True)
    third = tasking_list(ws, request, incidents=incidents, save=True)
    first = lists[("2017-07", "surface")].frame
    assert len(first) > 10 and first["tasking_id"].is_unique
    for rerun in (again, third):
        assert rerun.frame["tasking_id"].tolist() == first["tasking_id"].tolist()
        assert rerun.frame["rank"].tolist() == first["rank"].tolist()
    assert len(stored_lists(ws)) == 4  # the re-runs replaced July's list, nothing was added


def test_a_surface_list_and_a_dbscan_list_are_kept_side_by_side(stored):
    ws, _, lists = stored
    table = stored_lists(ws)
    assert sorted(table["period"]) == ["2017-06", "2017-06", "2017-07", "2017-07"]
    assert table["name"].is_unique and table["key"].nunique() == 2
    texts = {}
    for method in METHODS:
        june = load_tasking_list(ws, asked("2017-06", method))
        assert june.frame["tasking_id"].tolist() == lists[("2017-06", method)].frame["tasking_id"].tolist()
        assert {c.method for c in june.cards} >= {"tasking-rank"}
        july = lists[("2017-07", method)]
        changes = changes_since(ws, asked("2017-07", method), july)
        assert changes.since == "2017-06"
        assert changes.text == what_changed(july, june, band_label="Night-time economy")  # its own method's June list
        texts[method] = changes.text
    assert texts["surface"] != texts["dbscan"]
    dbscan_june = set(lists[("2017-06", "dbscan")].frame["tasking_id"])
    assert set(compare_lists(lists[("2017-07", "dbscan")], lists[("2017-06", "dbscan")])["tasking_id"]) == \
        dbscan_june | set(lists[("2017-07", "dbscan")].frame["tasking_id"])  # no surface place comes in


def test_an_unchanged_outline_compares_the_two_list_rows(stored):
    ws, _, _ = stored
    june = load_tasking_list(ws, asked("2017-06", "surface")).frame.set_index("tasking_id")
    july_list = load_tasking_list(ws, asked("2017-07", "surface"))
    july = july_list.frame.set_index("tasking_id")
    table = compare_lists(july_list, load_tasking_list(ws, asked("2017-06", "surface"))).set_index("tasking_id")
    same = table[table["change"].isin(["up", "down", "no change"])]
    assert len(same) >= 10 and (same["change"] != "no change").any()
    ids = same.index
    assert shapely.equals(july.loc[ids].geometry.values, june.loc[ids].geometry.values).all()
    np.testing.assert_array_equal(same["count_now"].to_numpy(), july.loc[ids, "count_now"].to_numpy())
    np.testing.assert_array_equal(same["count_then"].to_numpy(), june.loc[ids, "count_now"].to_numpy())
    np.testing.assert_allclose(same["z_change"], 2 * (np.sqrt(july.loc[ids, "count_now"])
                                                      - np.sqrt(june.loc[ids, "count_now"])))
    text = changes_since(ws, asked("2017-07", "surface"), july_list).text
    for tid, row in same[same["change"] != "no change"].iterrows():  # the words carry the same two counts
        assert (f"#{july.loc[tid, 'rank']} {july.loc[tid, 'place_name']}, {number(july.loc[tid, 'count_now'])} "
                f"from {number(june.loc[tid, 'count_now'])} (z = {row['z_change']:.1f}), "
                f"was #{june.loc[tid, 'rank']}") in text
    moved = table[table["change"] == "outline changed"]
    assert moved["z_change"].isna().all()
    for tid in moved.index:  # no counts shown for a re-outlined place
        assert f"{july.loc[tid, 'place_name']}, {number(july.loc[tid, 'count_now'])} from" not in text


def test_a_missing_period_or_question_is_said(stored):
    ws, incidents, _ = stored
    september = tasking_list(ws, asked("2017-09", "dbscan"), incidents=incidents)
    changes = changes_since(ws, asked("2017-09", "dbscan"), september)
    assert changes.since == "2017-07"
    assert changes.text.splitlines()[1] == ("No list of this question is stored for 2017-08; the last one is for "
                                            "2017-07, two months earlier.")
    other = asked("2017-07", "surface", categories=("Violence and sexual offences",))
    assert changes_since(ws, other, tasking_list(ws, other, incidents=incidents)) is None
    assert pd.Series(stored_lists(ws)["period"]).isin(["2017-06", "2017-07"]).all()  # nothing was saved
