"""Persistence classes over periods: a constructed example with every class, hand-checked;
the hot-in-a-period rule; counts per cell and period from incidents; the demo."""

import numpy as np
import pandas as pd
import pytest
import shapely

from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.errors import HotspotError
from hotspot_tasking.hotspots.grid import Grid
from hotspot_tasking.hotspots.persistence import PERSISTENCE_CLASSES, grid_counts_by_period, hot_flags, persistence

MONTHS = [str(p) for p in pd.period_range("2016-01", periods=20, freq="M")]  # 2016-01 .. 2017-08


def hot_in(*periods, n=20):
    """Counts over n periods: 9 in the 1-based periods given, 1 elsewhere (hot means count >= 5)."""
    row = [1] * n
    for p in periods:
        row[p - 1] = 9
    return row


# 20 periods: the last floor(0.2 x 20) = 4 (P17-P20) are recent, P1-P16 older. min_share 0.1:
# "hot there" = at least 2 of 20 overall, 2 of 16 older (0.125), 1 of 4 recent (0.25).
CASES = {
    "persistent": (hot_in(*range(1, 17)), "persistent"),        # 16/20 = 0.8 (also older-only: precedence)
    "new": (hot_in(20), "new"),                                  # last period only
    "emerging": (hot_in(18, 20), "emerging"),                    # recent 2/4, older 0/16
    "emerging_rare_past": (hot_in(1, 19), "emerging"),           # older 1/16 = 0.0625 < 0.1, recent 1/4
    "former": (hot_in(1, 2, 3, 4, 5), "former"),                 # older 5/16, recent 0/4
    "intermittent": (hot_in(2, 9, 18), "intermittent"),          # older 2/16, recent 1/4, all 3/20
    "no_pattern": (hot_in(7), "no pattern"),                     # 1/20 = 0.05; older 1/16; recent 0
    "never": (hot_in(), "never"),
}


def constructed() -> pd.DataFrame:
    return pd.DataFrame([row for row, _ in CASES.values()], index=pd.Index(list(CASES), name="cell"), columns=MONTHS)


def test_every_class_on_a_constructed_example():
    counts = constructed()
    out = persistence(counts, hot_share=None, min_count=5)
    f = out.frame
    assert f["class"].to_dict() == {cell: klass for cell, (_, klass) in CASES.items()}
    assert set(f["class"]) == set(PERSISTENCE_CLASSES)
    assert f.loc["intermittent", ["hot_periods", "periods", "recent_hot", "recent_periods"]].tolist() == [3, 20, 1, 4]
    assert f.loc["intermittent", ["first_hot", "last_hot"]].tolist() == ["2016-02", "2017-06"]
    assert f.loc["former", ["first_hot", "last_hot"]].tolist() == ["2016-01", "2016-05"]
    assert f.loc["new", ["hot_periods", "first_hot", "last_hot"]].tolist() == [1, "2017-08", "2017-08"]
    assert f.loc["never", ["hot_periods", "first_hot", "last_hot"]].tolist() == [0, "", ""]
    assert out.hot.loc["emerging"].sum() == 2 and out.hot.columns.tolist() == MONTHS
    assert out.card.parameters["recent_periods"] == 4 and out.card.data["recent"] == "2017-05 to 2017-08"
    assert out.card.parameters["persistent_share"] == 0.8 and "sfhotspot" in out.card.rules["persistent_share"]


def test_thresholds_are_configurable_and_carded():
    counts = constructed()
    out = persistence(counts, hot_share=None, min_count=5, persistent_share=0.7, recent_share=0.25, min_share=0.3)
    assert out.card.rules["persistent_share"] == "given" and out.card.parameters["min_share"] == 0.3
    assert out.frame.loc["intermittent", "class"] == "no pattern"  # 3/20 < 0.3 now
    assert out.frame.loc["persistent", "recent_periods"] == 5


def test_bool_flags_are_taken_as_given():
    flags = constructed() >= 5
    out = persistence(flags)
    assert out.frame["class"].to_dict() == {cell: klass for cell, (_, klass) in CASES.items()}
    assert out.card.parameters["hot_rule"] == "given hot flags"


def test_top_share_rule_with_ties_and_min_count():
    values = np.array([[5.0, 0.0, 0.0], [3.0, 2.0, 0.0], [3.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    # top 25% of 4 cells = 1 cell; period 1 has one top cell; period 2 one; period 3 none (all 0 < min_count).
    assert hot_flags(values, hot_share=0.25).tolist() == [[True, False, False], [False, True, False],
                                                          [False, False, False], [False, False, False]]
    # top 50% = 2 cells: cells 2 and 3 tie on 3 behind cell 1, all three are hot; in period 2 cells 3 and 4 tie on 1.
    assert hot_flags(values, hot_share=0.5)[:, :2].tolist() == [[True, False], [True, True], [True, True],
                                                                [False, True]]
    assert hot_flags(values, hot_share=None, min_count=2).sum() == 4


def test_empty_periods_are_left_out_and_thin_ones_flagged():
    counts = constructed()
    counts["2017-09"] = 0
    counts["2016-03"] = [0, 0, 0, 0, 0, 0, 0, 1]  # one incident in a month the others fill with 16
    out = persistence(counts, hot_share=None, min_count=5)
    assert out.frame["periods"].eq(20).all()  # 21 columns, 2017-09 left out
    assert "2017-09" not in out.hot.columns
    assert any("no incidents and are left out: 2017-09" in w for w in out.card.warnings)
    assert any("2016-03 (1)" in w for w in out.card.warnings)


def test_few_periods_take_one_recent_period():
    counts = pd.DataFrame([[5, 1, 9], [0, 1, 9]], index=["a", "b"], columns=["2017-01", "2017-02", "2017-03"])
    out = persistence(counts, hot_share=None, min_count=5)
    assert out.frame["recent_periods"].eq(1).all()
    # a: 2/3 < 0.8; older 1/2 and recent 1/1: hot both sides
    assert out.frame["class"].tolist() == ["intermittent", "new"]
    assert "last period only" in out.card.rules["recent_periods"]


def test_inputs_are_left_alone():
    counts = constructed()
    snapshot = counts.copy()
    persistence(counts, hot_share=0.2)
    pd.testing.assert_frame_equal(counts, snapshot)


def test_errors():
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        persistence(np.zeros((2, 3)))
    with pytest.raises(HotspotError, match="at least 2 periods"):
        persistence(pd.DataFrame({"2017-01": [1, 2]}))
    with pytest.raises(HotspotError, match="1 values that are missing, infinite or negative"):
        persistence(pd.DataFrame({"2017-01": [1, -2], "2017-02": [1, 2]}))
    with pytest.raises(HotspotError, match=r"The 'persistent_share' parameter of persistence must be a float in the "
                                           r"range \(0.0, 1.0\]"):
        persistence(constructed(), persistent_share=1.5)
    with pytest.raises(HotspotError, match="'period' parameter of grid_counts_by_period must be one of "
                                           "'week', 'month'"):
        grid_counts_by_period(incidents(), Grid(0.0, 0.0, 100.0, 2, 2), "year")


def incidents():
    rows = [  # easting, northing, from, to, precision
        (50, 150, "2024-01-03 10:00", "2024-01-03 10:00", "minute"),   # row 0, col 0; week of Mon 1 Jan
        (150, 50, "2024-01-09 22:00", "2024-01-09 22:00", "minute"),   # row 1, col 1; week of 8 Jan
        (150, 50, "2024-01-10 09:00", "2024-01-10 09:00", "minute"),
        (150, 150, "2024-01-01 00:00", "2024-01-31 23:59", "month"),   # row 0, col 1; police.uk month
        (150, 60, "2024-02-14 12:00", "2024-02-14 12:00", "day"),      # row 1, col 1; February
        (950, 950, "2024-02-01 12:00", "2024-02-01 12:00", "minute"),  # off the grid
    ]
    frame = pd.DataFrame(rows, columns=["easting", "northing", "from", "to", "time_precision"])
    return pd.DataFrame({
        "easting": frame["easting"].astype(float), "northing": frame["northing"].astype(float),
        "occurred_from": pd.to_datetime(frame["from"]).dt.tz_localize("Europe/London"),
        "occurred_to": pd.to_datetime(frame["to"]).dt.tz_localize("Europe/London"),
        "time_precision": frame["time_precision"].astype("str"),
        "harm_weight": [1.0, 2.0, 2.0, 3.0, 1.0, 1.0],
    })


def test_counts_by_month_and_week():
    grid = Grid(0.0, 0.0, 100.0, 2, 2)
    inc = incidents()
    snapshot = inc.copy()
    months = grid_counts_by_period(inc, grid, "month")
    assert months.columns.tolist() == ["2024-01", "2024-02"]
    assert months.index.tolist() == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert months.to_numpy().tolist() == [[1, 0], [1, 0], [0, 0], [2, 1]]
    assert months.attrs["outside"] == 1 and months.attrs["unplaced"] == 0
    weeks = grid_counts_by_period(inc, grid, "week")
    assert weeks.columns[:2].tolist() == ["2024-01-01", "2024-01-08"]
    assert weeks.loc[(1, 1), "2024-01-08"] == 2 and weeks.loc[(0, 1)].sum() == 0  # the month-only record is out
    assert weeks.attrs["unplaced"] == 1
    harm = grid_counts_by_period(inc, grid, "month", weights="harm_weight")
    assert harm.loc[(1, 1)].tolist() == [4.0, 1.0]
    masked = grid_counts_by_period(inc, grid, "month", study_mask=np.array([[True, False], [False, True]]))
    assert masked.index.tolist() == [(0, 0), (1, 1)] and masked.attrs["outside"] == 2
    pd.testing.assert_frame_equal(inc, snapshot)


def test_demo_months_on_a_300_m_grid():
    ws = Workspace.open("data/demo")
    inc = ws.incidents()
    area = shapely.union_all(ws.read_layer("boroughs").geometry.values)
    grid = Grid.covering(area.bounds, cell_size_m=300)
    counts = grid_counts_by_period(inc, grid, "month", study_mask=grid.within(area))
    assert counts.shape[1] == 30 and counts.to_numpy().sum() + counts.attrs["outside"] == len(inc)
    out = persistence(counts)
    assert set(out.frame["class"]) <= set(PERSISTENCE_CLASSES)
    assert (out.frame["class"] == "persistent").sum() > 10  # real crime concentrates in the same places
    assert any("2016-03" in w for w in out.card.warnings)  # no police data that month
    mapped = out.on_grid(grid)
    assert len(mapped) == len(counts) and mapped.crs.to_epsg() == 27700 and "class" in mapped.columns
