"""The weekly review's work follows the question: its review periods come from the workspace's
summary, not its rows, and its lists, place details and bands are ranked from one cached
window of the days the request needs; each is what the whole table gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import city_year_workspace

from hotspot_tasking.boundaries.store import incidents_with_areas, with_areas
from hotspot_tasking.errors import TaskingError, UserError
from hotspot_tasking.geo.coords import distinct_points
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.run import HotspotRequest, run_hotspots, workspace_grid
from hotspot_tasking.periods import review_period
from hotspot_tasking.pipeline.explorer import explorer_days, explorer_grid, explorer_table
from hotspot_tasking.pipeline.review import place_detail, review_choices, workspace_review_choices
from hotspot_tasking.pipeline.tasking import (
    PROVENANCE_COLUMNS,
    needed_window,
    ranked_list,
    request_incidents,
    window_incidents,
)
from hotspot_tasking.ranking.request import TaskingRequest
from hotspot_tasking.ranking.selection import select_review_incidents


@pytest.fixture(scope="module")
def demo(demo_copy) -> tuple[Workspace, pd.DataFrame]:
    ws = Workspace.open(demo_copy)
    return ws, incidents_with_areas(ws)


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> tuple[Workspace, pd.DataFrame]:
    ws = Workspace.open(city_year_workspace(tmp_path_factory.mktemp("city")))
    return ws, incidents_with_areas(ws)


# --- review periods from the summary ------------------------------------------------------------

@pytest.mark.parametrize("name", ["demo", "city"])
def test_review_choices_from_the_summary_are_those_from_the_table(name, request):
    ws, full = request.getfixturevalue(name)
    want = review_choices(full)
    assert workspace_review_choices(ws) == want
    assert workspace_review_choices(ws, summary=ws.summary()) == want
    assert len(want.periods["month"]) > 1


def test_the_city_s_months_only_data_offer_months_with_the_same_note(city):
    ws, _ = city
    got = workspace_review_choices(ws)
    assert got.every == ("month",) and "of the records have only a month" in got.note


def test_an_empty_workspace_has_no_period_to_review(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    with pytest.raises(TaskingError) as from_table:
        review_choices(ws.incidents())
    with pytest.raises(TaskingError) as from_summary:
        workspace_review_choices(ws)
    assert str(from_summary.value) == str(from_table.value)


def test_review_choices_check_their_summary(demo):
    ws, _ = demo
    with pytest.raises(TypeError, match="The 'summary' parameter of workspace_review_choices must be a Summary"):
        workspace_review_choices(ws, summary="2018-06")


# --- lists from one shared window ----------------------------------------------------------------

def assert_same_list(got, want) -> None:
    a, b = got.frame, want.frame
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
    assert bool(np.all(shapely.equals(np.asarray(a.geometry.array), np.asarray(b.geometry.array))))
    assert (got.period, got.band, got.caveats, got.sources) == (want.period, want.band, want.caveats, want.sources)

    def card(c):
        return {k: v for k, v in vars(c).items() if k != "created"}
    assert [card(c) for c in got.cards] == [card(c) for c in want.cards]


def windowed(ws: Workspace, request: TaskingRequest, cache: dict) -> pd.DataFrame:
    """What the app does: one window per span of days, shared by every request needing it."""
    days = needed_window(ws, request)
    if days not in cache:
        cache[days] = window_incidents(ws, *days)
    return request_incidents(ws, request, window=cache[days])


DEMO_BANDS = ("all", "nte", "overnight", "daytime")


@pytest.mark.parametrize("period", ["2018-05", "2018-06-04"])
def test_every_band_of_a_period_is_ranked_from_one_window_as_from_the_whole_table(demo, period):
    ws, full = demo
    cache: dict = {}
    for band in DEMO_BANDS:
        request = TaskingRequest(period=period, band=band)
        incidents = windowed(ws, request, cache)
        assert incidents is next(iter(cache.values()))  # the window itself: a band change reads nothing
        want = ranked_list(ws, request, incidents=full)
        assert_same_list(ranked_list(ws, request, incidents=incidents), want)
    assert len(cache) == 1


@pytest.mark.parametrize("request_", [
    TaskingRequest(period="2018-05", candidates="ward", categories=("Burglary",)),
    TaskingRequest(period="2018-05", method="dbscan"),
    TaskingRequest(period="2018-02", categories=("Burglary",)),  # the data's start lies before the window
    TaskingRequest(period="2016-05"),  # the data start inside the window
], ids=lambda r: f"{r.period}-{r.candidates}-{r.method}")
def test_other_questions_from_the_window_are_the_lists_from_the_whole_table(demo, request_):
    ws, full = demo
    assert_same_list(ranked_list(ws, request_, incidents=windowed(ws, request_, {})),
                     ranked_list(ws, request_, incidents=full))


def test_the_window_leaves_out_only_the_provenance_columns_and_h3_cells(demo):
    ws, full = demo
    window = window_incidents(ws, "2018-05-01", "2018-05-31")
    assert list(window.columns) == [c for c in full.columns if c not in PROVENANCE_COLUMNS
                                    and not c.startswith("h3_")]
    assert 0 < len(window) < len(full) / 10


def test_errors_from_the_window_are_the_errors_from_the_whole_table(demo):
    ws, full = demo
    request = TaskingRequest(period="2018-06", categories=("No such category",))
    with pytest.raises(UserError) as want:
        ranked_list(ws, request, incidents=full)
    with pytest.raises(UserError) as got:
        ranked_list(ws, request, incidents=windowed(ws, request, {}))
    assert str(got.value) == str(want.value)


def test_a_place_s_detail_from_the_window_is_its_detail_from_the_whole_table(demo):
    ws, full = demo
    request = TaskingRequest(period="2018-05", band="nte")
    incidents = windowed(ws, request, {})
    listed = ranked_list(ws, request, incidents=incidents)
    assert len(listed.frame) >= 3
    for tasking_id in listed.frame["tasking_id"].astype("str").iloc[:3]:
        got = place_detail(ws, listed, tasking_id, incidents=incidents)
        want = place_detail(ws, listed, tasking_id, incidents=full)
        for a, b in zip(vars(got).values(), vars(want).values(), strict=True):
            if isinstance(a, pd.DataFrame):
                pd.testing.assert_frame_equal(a, b)
            else:
                assert a == b


def test_a_selection_cut_to_its_last_periods_finds_the_distinct_points_again(demo):
    ws, full = demo
    long = select_review_incidents(full, review_period("2018-05"), 23, "all", ws.time_bands(), None, None, None)
    short = long.last(13)
    inverse, ux, uy = distinct_points(short.frame["easting"].to_numpy(float), short.frame["northing"].to_numpy(float))
    np.testing.assert_array_equal(short.inverse, inverse)
    np.testing.assert_array_equal(short.points[0], ux)
    np.testing.assert_array_equal(short.points[1], uy)
    assert 0 < len(short.frame) < len(long.frame)


# --- the explorer: the request's days when the grid covers the study area -------------------------

@pytest.mark.parametrize("method", ["kde", "dbscan", "gistar"])
def test_an_explorer_run_and_table_from_the_request_s_days_are_those_from_the_whole_table(demo, method):
    ws, full = demo
    request = HotspotRequest(method=method, band="nte", start="2018-05-01", end="2018-06-30")
    days = explorer_days(ws, request)
    assert days == ("2018-05-01", "2018-06-30")
    window = window_incidents(ws, *days)
    got, want = run_hotspots(ws, request, incidents=window), run_hotspots(ws, request, incidents=full)
    assert got.incidents == want.incidents and len(want.layers["hotspots"]) > 0
    a, b = explorer_table(ws, got, incidents=window), explorer_table(ws, want, incidents=full)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert (a.columns, a.names, a.sorted_by) == (b.columns, b.names, b.sorted_by)


def test_the_explorer_needs_every_day_without_dates_or_without_a_study_area(demo, tmp_path):
    ws, full = demo
    assert explorer_days(ws, HotspotRequest(method="kde")) is None
    assert explorer_days(ws, HotspotRequest(method="kde", start="2018-05-01")) is None
    bare = Workspace.open(city_year_workspace(tmp_path, wards=False))
    assert explorer_days(bare, HotspotRequest(method="kde", start="2017-08-01", end="2017-08-31")) is None
    assert explorer_grid(bare) == workspace_grid(bare, bare.incidents())
    assert explorer_grid(ws) == workspace_grid(ws, full)


def test_explorer_days_check_their_arguments(demo):
    ws, _ = demo
    with pytest.raises(TypeError, match="The 'request' parameter of explorer_days must be a HotspotRequest"):
        explorer_days(ws, TaskingRequest(period="2018-05"))


def test_areas_without_h3_cells_are_the_same_codes(demo):
    ws, _ = demo
    incidents = ws.incidents(start="2018-05-01", end="2018-05-31")
    whole = with_areas(ws, incidents)
    bare = with_areas(ws, incidents, h3_resolutions=None)
    pd.testing.assert_frame_equal(bare, whole[[c for c in whole.columns if not c.startswith("h3_")]])
    assert bare.attrs["outside"].keys() == whole.attrs["outside"].keys()
