"""Accuracy: hit rate, PAI and RRI on hand-computed examples, the tie rule, invariants,
and a rolling backtest on the demo against the naive baseline."""

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.accuracy import ACCURACY_COLUMNS, accuracy, backtest, naive_scores, summarise
from hotspot_tasking.hotspots.errors import HotspotError
from hotspot_tasking.hotspots.grid import Grid

SCORES = np.array([9, 7, 5, 5, 3, 2, 1, 0, 0, 0], float)
AFTER = np.array([4, 2, 0, 1, 1, 0, 0, 2, 0, 0], float)   # N(t+1) = 10
BEFORE = np.array([6, 3, 2, 1, 0, 1, 1, 0, 0, 0], float)  # N(t) = 14


def test_hit_rate_pai_and_rri_by_hand():
    out = accuracy(SCORES, AFTER, cell_area_km2=0.01, shares=(0.1, 0.2, 0.3, 0.5), counts_before=BEFORE)
    assert out.columns.tolist() == list(ACCURACY_COLUMNS)
    # 10% = 1 cell (score 9): 4 of 10 incidents in 10% of the area.
    # 20% = cells 1-2: 6 of 10 in 20%.  30% = cells 1-3 (the tie on 5 takes the third, not
    # the fourth cell): still 6, one tied cell left out.  50% = cells 1-5: 4+2+0+1+1 = 8.
    assert out["cells"].tolist() == [1, 2, 3, 5]
    assert out["area_km2"].to_numpy() == pytest.approx([0.01, 0.02, 0.03, 0.05])
    assert out["hits"].tolist() == [4, 6, 6, 8]
    assert out["hit_rate"].to_numpy() == pytest.approx([0.4, 0.6, 0.6, 0.8])
    assert out["pai"].to_numpy() == pytest.approx([4.0, 3.0, 2.0, 1.6])
    # RRI = (n(t+1)/n(t)) / (N(t+1)/N(t)): hotspot counts before 6, 9, 11, 12.
    assert out["hits_before"].tolist() == [6, 9, 11, 12]
    assert out["rri"].to_numpy() == pytest.approx([(4 / 6) / (10 / 14), (6 / 9) / (10 / 14), (6 / 11) / (10 / 14),
                                                   (8 / 12) / (10 / 14)])
    assert out["tied_left_out"].tolist() == [0, 0, 1, 0]


def test_study_mask_and_a_grid_shaped_array():
    scores = np.array([[100.0, 3.0, 2.0], [1.0, 0.0, 0.0]])
    after = np.array([[50.0, 2.0, 1.0], [1.0, 0.0, 0.0]])
    mask = np.array([[False, True, True], [True, True, True]])  # the best-scored cell is outside
    out = accuracy(scores, after, cell_area_km2=0.25, shares=(0.2, 0.4), study_mask=mask)
    assert out["cells"].tolist() == [1, 2] and out["total"].tolist() == [4, 4]
    assert out["hits"].tolist() == [2, 3]
    assert out["pai"].to_numpy() == pytest.approx([(2 / 4) / (1 / 5), (3 / 4) / (2 / 5)])
    assert out["rri"].isna().all()  # no counts_before


def test_ties_follow_row_major_order_and_nan_ranks_last():
    scores = np.array([[1.0, np.nan], [1.0, 1.0]])
    after = np.array([[0.0, 5.0], [1.0, 2.0]])
    out = accuracy(scores, after, cell_area_km2=1.0, shares=(0.25, 0.5, 0.75, 1.0))
    assert out["hits"].tolist() == [0, 1, 3, 8]  # (0,0), then (1,0), (1,1); NaN cell last
    assert out["tied_left_out"].tolist() == [2, 1, 0, 0]


def test_no_incidents_gives_nan_not_an_error():
    out = accuracy(SCORES, np.zeros(10), cell_area_km2=1.0, counts_before=BEFORE)
    assert out["hit_rate"].isna().all() and out["pai"].isna().all() and out["rri"].isna().all()
    assert out["cells"].tolist() == [1, 1, 1, 1]  # 10 cells: floor(share x 10), at least 1


def test_naive_scores_are_a_copy():
    counts = np.array([[0, 3], [1, 0]])
    scores = naive_scores(counts)
    scores[0, 0] = 99
    assert counts[0, 0] == 0 and scores.dtype == float


def test_inputs_are_left_alone():
    s, a, b = SCORES.copy(), AFTER.copy(), BEFORE.copy()
    accuracy(s, a, cell_area_km2=0.01, counts_before=b)
    assert (s == SCORES).all() and (a == AFTER).all() and (b == BEFORE).all()


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(float, 30, elements=st.floats(0, 50, allow_nan=False)),
       hnp.arrays(float, 30, elements=st.integers(0, 9).map(float)),
       st.permutations(range(30)))
def test_invariants(scores, after, perm):
    shares = (0.1, 0.2, 0.5, 1.0)
    out = accuracy(scores, after, cell_area_km2=0.09, shares=shares)
    assert (np.diff(out["hits"]) >= 0).all() and (out["hits"] <= out["total"]).all()
    assert out["hits"].iloc[-1] == after.sum()
    if after.sum() > 0:
        assert out["hit_rate"].to_numpy() == pytest.approx((out["pai"] * out["area_share"]).to_numpy())
    if len(np.unique(scores)) == scores.size:  # no ties: cell order does not matter
        moved = accuracy(scores[list(perm)], after[list(perm)], cell_area_km2=0.09, shares=shares)
        assert moved["hits"].tolist() == out["hits"].tolist()


def test_errors():
    with pytest.raises(HotspotError, match="'outcomes' has shape"):
        accuracy(SCORES, AFTER[:5], cell_area_km2=1.0)
    with pytest.raises(HotspotError, match="1 values that are missing, infinite or negative"):
        accuracy(SCORES, np.r_[AFTER[:9], -1.0], cell_area_km2=1.0)
    with pytest.raises(HotspotError, match=r"The 'shares' parameter of accuracy must be a float in the range "
                                           r"\(0.0, 1.0\]. Got 1.5"):
        accuracy(SCORES, AFTER, cell_area_km2=1.0, shares=(0.1, 1.5))
    with pytest.raises(HotspotError, match="The 'cell_area_km2' parameter of accuracy"):
        accuracy(SCORES, AFTER, cell_area_km2=0.0)


def incidents(rows):
    frame = pd.DataFrame(rows, columns=["easting", "northing", "when"])
    when = pd.to_datetime(frame["when"]).dt.tz_localize("Europe/London")
    return pd.DataFrame({"easting": frame["easting"].astype(float), "northing": frame["northing"].astype(float),
                         "occurred_from": when, "occurred_to": when,
                         "time_precision": pd.Series("minute", index=frame.index, dtype="str")})


def counts(inc, grid):
    return grid.counts(inc["easting"], inc["northing"], inc["weight"])


def test_backtest_by_hand():
    grid = Grid(0.0, 0.0, 100.0, 5, 2)  # 10 cells
    jan = [(50, 150, "2024-01-05")] * 3 + [(150, 150, "2024-01-06")] * 2 + [(450, 50, "2024-01-07")]
    feb = [(50, 150, "2024-02-05")] * 2 + [(250, 50, "2024-02-06")] * 2
    mar = [(250, 50, "2024-03-05")] * 4
    inc = incidents(jan + feb + mar)
    snapshot = inc.copy()

    def reversed_counts(frame, g):  # a model that prefers the east
        return counts(frame, g)[:, ::-1].copy()

    out = backtest(inc, grid=grid, score_fn=reversed_counts, shares=(0.1, 0.2))
    table = out.table
    assert table[["period", "next_period", "method"]].drop_duplicates().values.tolist() == [
        ["2024-01", "2024-02", "reversed_counts"], ["2024-01", "2024-02", "naive"],
        ["2024-02", "2024-03", "reversed_counts"], ["2024-02", "2024-03", "naive"]]
    naive = table[(table["method"] == "naive") & (table["period"] == "2024-01")]
    # January's top cell (row 0, col 0: 3 incidents) holds 2 of February's 4: hit rate 0.5, PAI 0.5/0.1 = 5;
    # RRI = (2/3) / (4/6) = 1.
    assert naive["hits"].tolist() == [2, 2] and naive["pai"].to_numpy() == pytest.approx([5.0, 2.5])
    assert naive["rri"].to_numpy() == pytest.approx([1.0, (2 / 5) / (4 / 6)])
    feb_naive = table[(table["method"] == "naive") & (table["period"] == "2024-02")]
    assert feb_naive["hits"].tolist() == [0, 4]  # the tie on 2 goes to (0,0) first, then (1,2)
    summary = out.summary.set_index(["method", "share"])
    assert summary.loc[("naive", 0.1), "pai"] == pytest.approx(2.5) and summary.loc[("naive", 0.1), "periods"] == 2
    assert out.card.data["pairs_evaluated"] == 2 and out.card.parameters["method"] == "reversed_counts"
    pd.testing.assert_frame_equal(inc, snapshot)


def test_backtest_errors():
    grid = Grid(0.0, 0.0, 100.0, 5, 2)
    inc = incidents([(50, 150, "2024-01-05"), (50, 150, "2024-02-05")])
    with pytest.raises(HotspotError, match=r"returned an array of shape \(3,\).*\(2, 5\)"):
        backtest(inc, grid=grid, score_fn=lambda frame, g: np.zeros(3))
    with pytest.raises(HotspotError, match="'naive' is the baseline's name"):
        backtest(inc, grid=grid, score_fn=counts, method_name="naive")
    with pytest.raises(TypeError, match="'score_fn' parameter of backtest must be callable"):
        backtest(inc, grid=grid, score_fn="kde")


def test_summarise_empty_table():
    assert summarise(pd.DataFrame()).columns.tolist() == ["method", "share", "hit_rate", "pai", "rri", "periods"]


def test_demo_backtest_naive_beats_chance():
    ws = Workspace.open("data/demo")
    inc = ws.incidents()
    area = shapely.union_all(ws.read_layer("boroughs").geometry.values)
    grid = Grid.covering(area.bounds, cell_size_m=300)
    out = backtest(inc, grid=grid, score_fn=counts, study_mask=area)
    summary = out.summary.set_index(["method", "share"])
    assert summary.loc[("naive", 0.05), "pai"] > 1  # real crime concentrates
    assert summary.loc[("naive", 0.05), "periods"] == 29  # 30 months, 29 consecutive pairs
    naive5 = out.table[(out.table["method"] == "naive") & (out.table["share"] == 0.05)]
    assert (naive5["pai"].drop(naive5.index[naive5["period"].isin(["2016-02", "2016-03"])]) > 1).all()
    assert any("2016-03" in w for w in out.card.warnings)  # the month without police data
