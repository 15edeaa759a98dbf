"""Candidate surfaces and the backtest that chooses among them, on a year of the City of
London's real police.uk records (its 25 wards as the study area)."""


import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import FIXTURES, run_cli

from hotspot_tasking import DEMO_WORKSPACE as DEMO
from hotspot_tasking.boundaries.store import study_area
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.accuracy import accuracy
from hotspot_tasking.hotspots.grid import Grid
from hotspot_tasking.hotspots.kde import kde
from hotspot_tasking.locations import GENERIC_LOCATIONS
from hotspot_tasking.pipeline.store import load_tasking_list
from hotspot_tasking.pipeline.tasking import surface_backtest, tasking_list
from hotspot_tasking.ranking.names import UNNAMED
from hotspot_tasking.ranking.request import TaskingRequest
from hotspot_tasking.surfaces import candidates
from hotspot_tasking.surfaces.candidates import NAIVE, Surface, SurfaceStack, candidate_surfaces, top_cells
from hotspot_tasking.surfaces.choice import choose_surface
from hotspot_tasking.surfaces.errors import SurfaceError

CITY_YEAR = FIXTURES / "police_uk" / "city-of-london-2016-09-to-2017-08.zip"
CITY_WARDS = FIXTURES / "boundaries" / "city_wards_2014.gpkg"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """A year of the City of London, imported with a wide margin round its 25 wards."""
    root = tmp_path_factory.mktemp("city_year") / "ws"
    run_cli("init", str(root), "--area", "529000,178400,535900,184200")
    run_cli("ingest", str(root), "--source", "police_uk", str(CITY_YEAR))
    run_cli("boundaries", "add", str(root), "--kind", "ward", "--code-col", "GSS_CODE", "--name-col", "NAME",
        str(CITY_WARDS))
    return root


@pytest.fixture(scope="module")
def stack(city):
    ws = Workspace.open(city)
    table = ws.incidents()
    area = study_area(ws)
    grid = Grid.covering(area.bounds, cell_size_m=30.0)
    month = table["occurred_from"].dt.strftime("%Y-%m")
    labels = sorted(month.unique())
    position = pd.Index(labels).get_indexer(month)
    return (SurfaceStack(position, table["easting"].to_numpy(float), table["northing"].to_numpy(float),
                         np.ones(len(table)), len(labels), grid, grid.within(area)), labels, table, position)


def test_top_cells_takes_the_cells_a_stable_descending_sort_takes():
    rng = np.random.default_rng(4)
    for _ in range(50):
        scores = rng.integers(0, 6, size=200).astype(float)  # many ties
        k = int(rng.integers(1, 200))
        mask, left = top_cells(scores, k)
        expected = np.zeros(200, bool)
        expected[np.argsort(-scores, kind="stable")[:k]] = True
        assert np.array_equal(mask, expected)
        assert left == int((scores == np.sort(scores)[::-1][k - 1]).sum() - (scores[expected] == np.sort(
            scores)[::-1][k - 1]).sum())


def test_the_sparse_top_takes_the_same_cells_as_the_dense_one():
    rng = np.random.default_rng(7)
    for _ in range(100):
        dense = np.where(rng.random(300) < 0.1, rng.integers(1, 4, 300), 0).astype(float)
        k = int(rng.integers(1, 300))
        idx = np.flatnonzero(dense)
        taken, left = candidates.top_sparse(dense[idx], idx, 300, k)
        mask, expected_left = top_cells(dense, k)
        assert sorted(taken.tolist()) == np.flatnonzero(mask).tolist() and left == expected_left


def test_the_stack_counts_each_period_in_the_study_areas_cells(stack):
    st, labels, table, position = stack
    for t in (0, 5, len(labels) - 1):
        rows = position == t
        counts = st.grid.counts(table["easting"].to_numpy(float)[rows], table["northing"].to_numpy(float)[rows])
        assert np.array_equal(st.counts[t], counts.ravel()[st.cells])
    assert st.counts.sum() + st.outside == pytest.approx(float((position >= 0).sum()))
    assert st.outside > 0  # the import margin is not counted


def test_a_kde_field_is_the_exact_kde_of_each_period(stack):
    st, labels, table, position = stack
    field = st.field(150.0)
    for t in (0, len(labels) - 1):
        exact = kde(table[position == t], grid=st.grid, bandwidth_m=150.0, method="exact").density
        np.testing.assert_allclose(field[t], exact.ravel()[st.cells], rtol=1e-9, atol=1e-9)


def test_windows_sum_the_last_periods_with_or_without_decay(stack):
    st = stack[0]
    c = st.counts
    np.testing.assert_allclose(st.scores(Surface(3))[5], c[3] + c[4] + c[5])
    np.testing.assert_allclose(st.scores(Surface(3))[1], c[0] + c[1])  # cut at the first period
    r = 0.5 ** (1 / 2.0)  # half-life 2 periods for a 6-period window
    expected = sum(r ** a * c[8 - a] for a in range(6))
    np.testing.assert_allclose(st.scores(Surface(6, True))[8], expected)
    assert np.array_equal(st.scores(Surface(1)), c)


def test_the_backtest_figures_are_the_accuracy_of_each_pair(stack):
    st, labels = stack[0], stack[1]
    candidates = candidate_surfaces(30.0, precision_m=150.0, windows=(1, 3))
    choice = choose_surface(st, labels, candidates, pairs=6)
    row = choice.table[(choice.table["surface"] == "counts-3") & (choice.table["share"] == 0.02)].iloc[-1]
    t = labels.index(row["period"])
    ref = accuracy(st.scores(Surface(3))[t], st.counts[t + 1], cell_area_km2=st.grid.cell_area_km2, shares=(0.02,),
                   counts_before=st.counts[t]).iloc[0]
    assert row["pai"] == pytest.approx(ref["pai"]) and row["hits"] == ref["hits"]
    assert row["rri"] == pytest.approx(ref["rri"])
    assert choice.table.groupby("surface").size().eq(12).all()  # 6 pairs x 2 shares each


def test_the_default_predicts_at_least_as_well_as_last_months_counts(stack):
    st, labels = stack[0], stack[1]
    choice = choose_surface(st, labels, candidate_surfaces(30.0, precision_m=150.0))
    mine, naive = choice.mean_pai(choice.chosen.name), choice.mean_pai(NAIVE)
    for share in (0.02, 0.05):
        assert mine[share] >= naive[share]
    assert choice.card.parameters["surface"] == choice.chosen.name
    assert "naive" in choice.card.data["backtest"] or choice.chosen.name == NAIVE


def test_a_pinned_surface_is_used_and_an_unknown_one_is_refused(stack):
    st, labels = stack[0], stack[1]
    candidates = candidate_surfaces(30.0, windows=(1, 3))
    assert choose_surface(st, labels, candidates, pinned="kde-30m-3").chosen.name == "kde-30m-3"
    with pytest.raises(SurfaceError, match="not a candidate here; choose one of naive, counts-3"):
        choose_surface(st, labels, candidates, pinned="counts-9")


def test_the_workspace_backtest_uses_the_study_areas_incidents(city):
    choice = surface_backtest(Workspace.open(city), TaskingRequest(period="2017-08"))
    assert choice.card.parameters["cell_size_m"] == 30.0  # the wards' incidents' extent, not the import box
    assert choice.card.data["incidents_outside_study_area"] > 0
    assert choice.card.data["backtest_pairs"] == 11  # twelve months: eleven pairs


def test_the_backtest_command_prints_the_default_the_baseline_and_how_to_read_rri(city):
    out = run_cli("backtest", str(city), "--period", "2017-08").stdout
    assert "Default: " in out and "default (" in out and "naive" in out
    assert "Cell: 30 m" in out and "location precision 150 m" in out
    assert "RRI (recapture rate index): above 1" in out
    pinned = run_cli("backtest", str(city), "--period", "2017-08", "--surface", "counts-3").stdout
    assert "default (counts-3)" in pinned and "chosen as given" in pinned


# --- the tasking list a group gets on a real city ----------------------------------------------

def _across(geometry) -> float:
    """The widest distance between two vertices of an outline, metres."""
    xy = shapely.get_coordinates(geometry)
    return float(np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)).max())


def test_top_ten_on_real_police_uk_data_are_ten_small_places_named_by_streets(city):
    out = run_cli("tasking", str(city), "--period", "2017-08", "--top", "10", "--out", str(city / "top10.csv")).stdout
    assert "Tasking list for 2017-08 (All times): 10 places." in out
    listed = load_tasking_list(Workspace.open(city), TaskingRequest("2017-08"))
    frame = listed.frame
    assert len(frame) == 10
    assert frame["area_km2"].le(0.25).all()
    assert max(_across(g) for g in frame.geometry) <= 250.0 + 1e-6
    streets = frame["place_name"].str.split(" (", regex=False).str[0]
    generic = {g.casefold() for g in GENERIC_LOCATIONS}
    assert not streets.str.casefold().isin(generic).any()  # a generic word only "near" a street
    assert frame["place_name"].ne(UNNAMED).all()
    surface = next(c for c in listed.cards if c.method == "surface")
    assert surface.parameters["surface"] and "mean PAI" in surface.data["backtest"]
    assert surface.parameters["surface"] in (city / "top10.csv").read_text(encoding="utf-8-sig")


def test_fewer_places_than_asked_are_explained_in_one_sentence(city):
    out = run_cli("tasking", str(city), "--period", "2017-08", "--category", "Bicycle theft", "--top", "500",
              "--no-save").stdout
    assert "Caveat: Only " in out and "qualified for the top 500" in out and "raise hot_coverage" in out


def test_a_place_keeps_its_name_while_it_keeps_its_id(city):
    ws = Workspace.open(city)
    july = tasking_list(ws, TaskingRequest(period="2017-07"), previous=None)
    august = tasking_list(ws, TaskingRequest(period="2017-08"), previous=july)
    before = dict(zip(july.frame["tasking_id"], july.frame["place_name"]))
    kept = august.frame[august.frame["tasking_id"].isin(before)]
    assert len(kept) >= 5
    assert (kept["place_name"] == kept["tasking_id"].map(before)).all()


def test_persistence_agrees_with_steady_counts(city):
    frame = tasking_list(Workspace.open(city), TaskingRequest(period="2017-08"), previous=None).frame
    steady = frame[(frame["count_now"] >= 10) & (frame["count_before"] >= 10)]
    assert len(steady) and steady["persistence"].eq("persistent").all()


def test_on_the_demo_the_default_surface_is_at_least_as_good_as_last_months_counts():
    choice = surface_backtest(Workspace.open(DEMO), TaskingRequest(period="2017-07"))
    mine, naive = choice.mean_pai(choice.chosen.name), choice.mean_pai(NAIVE)
    assert choice.card.data["backtest_pairs"] == 12
    assert mine[0.02] >= naive[0.02] and mine[0.05] >= naive[0.05]
