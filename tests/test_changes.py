"""What changed between two tasking lists (tasking.changes): exact text on constructed pairs."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from hotspot_tasking.ranking.changes import CHANGE_COLUMNS, compare_lists, what_changed
from hotspot_tasking.ranking.schema import TASKING_COLUMNS, TaskingList

_DEFAULTS = {"int64": 0, "float64": 0.0, "str": ""}


def tasking_list(rows: list[tuple[str, str, float]], period: str, band: str = "all", outlines=None) -> TaskingList:
    """A list from ``(tasking_id, place_name, count_now)`` in rank order (other columns empty),
    every outline the same 100 m square unless ``outlines`` are given."""
    frame = pd.DataFrame({c: pd.Series([_DEFAULTS[t]] * len(rows), dtype=t) for c, t in TASKING_COLUMNS.items()})
    frame["rank"] = range(1, len(rows) + 1)
    frame["tasking_id"] = pd.Series([r[0] for r in rows], dtype="str")
    frame["place_name"] = pd.Series([r[1] for r in rows], dtype="str")
    frame["count_now"] = [float(r[2]) for r in rows]
    frame["kind"] = "hotspot"
    outlines = gpd.GeoSeries(outlines or [shapely.box(0, 0, 100, 100)] * len(rows), crs=27700)
    return TaskingList(gpd.GeoDataFrame(frame, geometry=outlines), period, band)


JULY = tasking_list([("H-a", "Brixton Road (Coldharbour)", 20), ("H-b", "Tooting High Street (Tooting)", 30),
                     ("H-c", "Lavender Hill (Shaftesbury)", 4), ("H-d", "Acre Lane (Ferndale)", 10)], "2017-07")
JUNE = tasking_list([("H-c", "Lavender Hill (Shaftesbury)", 16), ("H-e", "Clapham High Street (Clapham Town)", 14),
                     ("H-b", "Tooting High Street (Tooting)", 12), ("H-d", "Acre Lane (Ferndale)", 9)], "2017-06")


def test_new_gone_up_and_down():
    assert what_changed(JULY, JUNE) == (
        "Tasking list 2017-07 (All times) against 2017-06: 1 new, 1 gone, 1 up, 1 down.\n"
        "New: #1 Brixton Road (Coldharbour).\n"
        "Gone: Clapham High Street (Clapham Town), was #2.\n"
        "Up: #2 Tooting High Street (Tooting), 30 from 12 (z = 4.0), was #3.\n"
        "Down: #3 Lavender Hill (Shaftesbury), 4 from 16 (z = -4.0), was #1.")


def test_several_in_a_group_and_a_band():
    now = tasking_list([("W-1", "Oval", 12.5), ("W-2", "Stockwell", 3), ("W-3", "Vassall", 7)], "2017-07-10", "nte")
    before = tasking_list([("W-9", "Larkhall", 5), ("W-8", "Prince's", 4)], "2017-07-03", "nte")
    assert what_changed(now, before) == (
        "Tasking list 2017-07-10 (nte) against 2017-07-03: 3 new, 2 gone, 0 up, 0 down.\n"
        "New: #1 Oval; #2 Stockwell; #3 Vassall.\n"
        "Gone: Larkhall, was #1; Prince's, was #2.")


def test_nothing_changed_is_one_line():
    assert what_changed(JUNE, JUNE) == "Tasking list 2017-06 (All times) against 2017-06: 0 new, 0 gone, 0 up, 0 down."


def test_a_change_just_under_the_flag_is_not_up():
    # z = 2(sqrt(16) - sqrt(9)) = 2: up; 2(sqrt(15) - 3) = 1.75: not
    up = tasking_list([("H-x", "X", 16)], "2017-07")
    flat = tasking_list([("H-x", "X", 15)], "2017-07")
    was = tasking_list([("H-x", "X", 9)], "2017-06")
    assert "1 up" in what_changed(up, was) and "Up: #1 X, 16 from 9 (z = 2.0), was #1." in what_changed(up, was)
    assert "0 up" in what_changed(flat, was)


def test_inputs_unmodified_and_types_checked():
    before = (JULY.frame.copy(deep=True), JUNE.frame.copy(deep=True))
    what_changed(JULY, JUNE)
    pd.testing.assert_frame_equal(JULY.frame, before[0])
    pd.testing.assert_frame_equal(JUNE.frame, before[1])
    with pytest.raises(TypeError, match="'previous' parameter of what_changed must be a TaskingList"):
        what_changed(JULY, JUNE.frame)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=8),
       st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=8))
def test_every_place_is_counted_once(now_ids, then_ids):
    now = tasking_list([(f"H-{i}", i.upper(), 5) for i in now_ids], "2017-07")
    then = tasking_list([(f"H-{i}", i.upper(), 5) for i in then_ids], "2017-06")
    first = what_changed(now, then).splitlines()[0]
    both = len(set(now_ids) & set(then_ids))
    assert f"{len(now_ids) - both} new, {len(then_ids) - both} gone, 0 up, 0 down." in first


def test_a_place_whose_outline_changed_is_not_compared_by_counts():
    # the reported case: the id was inherited by a smaller outline; 82 belonged to the bigger one
    square = shapely.box(0, 0, 100, 100)
    now = tasking_list([("H-v", "Vineyard Close (Vauxhall)", 11), ("H-w", "W", 30)], "2017-07",
                       outlines=[shapely.box(0, 0, 100, 30), square])
    then = tasking_list([("H-w", "W", 12), ("H-v", "Vineyard Close (Vauxhall)", 82)], "2017-06",
                        outlines=[shapely.box(0, 0, 95, 100), square])  # W: IoU 0.95, the same place
    assert what_changed(now, then) == (
        "Tasking list 2017-07 (All times) against 2017-06: 0 new, 0 gone, 1 up, 0 down, 1 outline changed.\n"
        "Up: #2 W, 30 from 12 (z = 4.0), was #1.\n"
        "Outline changed (counts over different outlines not compared): #1 Vineyard Close (Vauxhall), was #2.")


def test_a_gap_of_periods_is_said_plainly():
    may = tasking_list([("H-b", "Tooting High Street (Tooting)", 30)], "2017-05")
    lines = what_changed(JULY, may).splitlines()
    assert lines[0].startswith("Tasking list 2017-07 (All times) against 2017-05: 3 new, 0 gone, 0 up, 0 down.")
    assert lines[1] == ("No list of this question is stored for 2017-06; the last one is for 2017-05, two months "
                        "earlier.")
    weeks = what_changed(tasking_list([], "2017-07-24"), tasking_list([], "2017-07-03"))
    assert weeks.splitlines()[1] == ("No list of this question is stored for 2017-07-17; the last one is for "
                                     "2017-07-03, three weeks earlier.")
    assert len(what_changed(JULY, JUNE).splitlines()) == 5  # the period just before: no such line


def test_compare_lists_gives_each_place_once_with_both_rows():
    table = compare_lists(JULY, JUNE)
    assert list(table.columns) == list(CHANGE_COLUMNS)
    assert table["tasking_id"].tolist() == ["H-a", "H-b", "H-c", "H-d", "H-e"]
    assert table["change"].tolist() == ["new", "up", "down", "no change", "gone"]
    assert table["rank"].tolist() == [1, 2, 3, 4, -1] and table["rank_then"].tolist() == [-1, 3, 1, 4, 2]
    assert table["count_then"].tolist()[1:] == [12.0, 16.0, 9.0, 14.0] and pd.isna(table["count_then"].iloc[0])
    assert table["z_change"].round(2).tolist()[1:4] == [4.03, -4.0, 0.32]
    assert table["z_change"].iloc[[0, 4]].isna().all()
