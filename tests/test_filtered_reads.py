"""Reads that follow the question: ``Workspace.incidents(start=, end=, bbox=)`` gives the rows
a pandas filter of the whole table gives, and a tasking list built from the days it needs
(the default) is the list built from the whole table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import API_CSV, city_year_workspace, read, read_council

from hotspot_tasking.boundaries.store import incidents_with_areas
from hotspot_tasking.errors import UserError
from hotspot_tasking.geo.errors import GeoError
from hotspot_tasking.geo.reads import months_needed
from hotspot_tasking.geo.report import IngestResult
from hotspot_tasking.geo.schema import LOCAL_TZ
from hotspot_tasking.geo.select import select_incidents
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.run import HotspotRequest, run_hotspots
from hotspot_tasking.pipeline.tasking import needed_window, request_incidents, surface_backtest, tasking_list
from hotspot_tasking.ranking.request import TaskingRequest

# --- Workspace.incidents(start=, end=, bbox=) ------------------------------------------------

#: The council record moved to a window from 28 January to 5 March 2016: filed under 2016-01.
CROSSING_ID_AT = 0
CROSSING = (pd.Timestamp("2016-01-28 22:00", tz=LOCAL_TZ), pd.Timestamp("2016-03-05 06:00", tz=LOCAL_TZ))


@pytest.fixture(scope="module")
def small_ws(tmp_path_factory) -> Workspace:
    """Police.uk API records of January 2016 (month precision) and council records spread from
    December 2015 to April 2016, one of them a window crossing two month ends."""
    ws = Workspace.create(tmp_path_factory.mktemp("reads") / "ws")
    ws.commit(read("police_uk_api", API_CSV))
    council = read_council()
    frame = council.incidents.copy()
    shift = pd.to_timedelta((np.arange(len(frame)) % 5 - 2) * 30, unit="D")  # -60 .. +60 days
    frame["occurred_from"] = frame["occurred_from"] + shift
    frame["occurred_to"] = frame["occurred_to"] + shift
    frame.loc[CROSSING_ID_AT, ["occurred_from", "occurred_to"]] = CROSSING
    ws.commit(IngestResult(frame, council.rejects, council.report))
    return ws


def expected(ws: Workspace, *, start=None, end=None, bbox=None, sources=None, columns=None) -> pd.DataFrame:
    """The whole table filtered in pandas (select_incidents: the window overlaps the days)."""
    full = ws.incidents()
    keep = select_incidents(full, start=start, end=end, sources=sources)
    if bbox is not None:
        keep &= full["easting"].between(bbox[0], bbox[2]) & full["northing"].between(bbox[1], bbox[3])
    out = full[keep].reset_index(drop=True)
    return out if columns is None else out[columns]


@pytest.mark.parametrize("start, end", [
    ("2016-02-10", "2016-02-20"),  # only the crossing record's window and council days
    ("2016-01-31", "2016-01-31"),  # a month's last day: every police.uk month record
    ("2016-02-01", None),
    (None, "2015-12-31"),
    ("2016-03-05", "2016-03-05"),  # the crossing record's last day
    ("2016-03-06", "2016-04-30"),  # the day after: not it
    ("2017-01-01", "2017-12-31"),  # no records
])
def test_date_range_is_the_pandas_filter_of_the_whole_table(small_ws, start, end):
    got = small_ws.incidents(start=start, end=end)
    pd.testing.assert_frame_equal(got, expected(small_ws, start=start, end=end))


def test_a_window_crossing_month_ends_is_found_from_a_later_month(small_ws):
    crossing = small_ws.incidents().loc[CROSSING_ID_AT, "incident_id"]
    filed = [p for p in small_ws.data_files if "month=2016-01" in p.as_posix()]
    assert filed and all("month=2016-02" not in p.as_posix() for p in filed)
    for start, end, found in (("2016-02-10", "2016-02-20", True), ("2016-03-01", "2016-03-31", True),
                              ("2016-03-06", "2016-03-31", False)):
        ids = small_ws.incidents(["incident_id"], start=start, end=end)["incident_id"]
        assert (crossing in set(ids)) is found, (start, end)


def test_month_folders_that_cannot_hold_the_range_are_not_opened(small_ws):
    lo = pd.Timestamp("2016-03-06", tz=LOCAL_TZ)
    hi = pd.Timestamp("2016-04-01", tz=LOCAL_TZ)
    opened = {p.parent.parent.name for p in months_needed(small_ws.data_files, lo, hi)}
    assert opened == {"month=2016-03"}  # January's files end before 6 March; April starts after
    lo = pd.Timestamp("2016-03-01", tz=LOCAL_TZ)
    opened = {p.parent.parent.name for p in months_needed(small_ws.data_files, lo, hi)}
    assert opened == {"month=2016-01", "month=2016-03"}  # January's crossing record ends on 5 March


def test_box_sources_and_columns_are_the_pandas_filter_of_the_whole_table(small_ws):
    full = small_ws.incidents()
    e, n = full["easting"], full["northing"]
    box = (float(e.quantile(0.2)), float(n.quantile(0.3)), float(e.quantile(0.8)), float(n.max()))
    cols = ["incident_id", "occurred_from", "easting", "northing"]
    for sources in (None, ["council_asb"]):
        got = small_ws.incidents(cols, sources, start="2016-01-15", end="2016-03-31", bbox=box)
        want = expected(small_ws, start="2016-01-15", end="2016-03-31", bbox=box, sources=sources, columns=cols)
        pd.testing.assert_frame_equal(got, want)
        assert 0 < len(got) < len(full)
    edge = (float(e.iloc[3]), float(n.iloc[3]), float(e.iloc[3]), float(n.iloc[3]))  # edges included
    assert small_ws.incidents(["incident_id"], bbox=edge)["incident_id"].eq(full.loc[3, "incident_id"]).any()


def test_dates_may_be_dates_or_timestamps(small_ws):
    import datetime as dt

    got = small_ws.incidents(start=dt.date(2016, 2, 10), end=pd.Timestamp("2016-02-20 13:00"))
    pd.testing.assert_frame_equal(got, expected(small_ws, start="2016-02-10", end="2016-02-20"))


@pytest.mark.parametrize("kwargs, error, words", [
    ({"start": 20160101}, TypeError, "The 'start' parameter of Workspace.incidents must be a date"),
    ({"end": "someday"}, GeoError, "The 'end' parameter of Workspace.incidents must be a date such as '2018-06-01'. "
                                   "Got 'someday' instead."),
    ({"start": "2016-03-01", "end": "2016-02-01"}, GeoError,
     "The 'end' parameter of Workspace.incidents must be on or after 'start' (2016-03-01). Got '2016-02-01' "
     "instead; swap them."),
    ({"bbox": "530000,180000,531000,181000"}, TypeError, "The 'bbox' parameter of Workspace.incidents must be a "
                                                         "tuple of 4 numbers"),
    ({"bbox": (1.0, 2.0, 3.0)}, TypeError, "Got 3 values instead."),
    ({"bbox": (1.0, 2.0, "3", 4.0)}, TypeError, "The 'bbox[2] (maxx)' parameter of Workspace.incidents must be a "
                                                "float. Got '3' instead."),
    ({"bbox": (1.0, float("nan"), 3.0, 4.0)}, GeoError, "The 'bbox[1] (miny)' parameter of Workspace.incidents "
                                                        "must be a float in the range (-inf, inf). Got nan instead."),
    ({"bbox": (5.0, 2.0, 3.0, 4.0)}, GeoError, "must have minx <= maxx and miny <= maxy (EPSG:27700 metres). "
                                               "Got (5.0, 2.0, 3.0, 4.0) instead"),
])
def test_bad_options_are_refused_in_the_house_wording(small_ws, kwargs, error, words):
    with pytest.raises(error) as err:
        small_ws.incidents(**kwargs)
    assert words in str(err.value)


# --- tasking lists from the days they need -----------------------------------------------------

def same_list(ws: Workspace, request: TaskingRequest, full: pd.DataFrame) -> int | None:
    """The list from the default (windowed) read equals the one from ``full``, or both fail alike.
    Returns the list's places (None when both failed)."""
    try:
        want = tasking_list(ws, request, incidents=full)
    except UserError as err:
        with pytest.raises(type(err)) as got:
            tasking_list(ws, request)
        assert str(got.value) == str(err)
        return None
    got = tasking_list(ws, request)
    a, b = got.frame, want.frame
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
    assert bool(np.all(shapely.equals(np.asarray(a.geometry.array), np.asarray(b.geometry.array))))
    assert a.crs == b.crs
    assert (got.period, got.band, got.caveats, got.sources) == (want.period, want.band, want.caveats, want.sources)

    def card(c):
        return {k: v for k, v in vars(c).items() if k != "created"}
    assert [card(c) for c in got.cards] == [card(c) for c in want.cards]
    return len(a)


@pytest.fixture(scope="module")
def demo(demo_copy) -> tuple[Workspace, pd.DataFrame]:
    ws = Workspace.open(demo_copy)
    return ws, incidents_with_areas(ws)


DEMO_REQUESTS = [
    TaskingRequest(period="2018-06"),
    TaskingRequest(period="2018-06-04"),  # a week
    TaskingRequest(period="2018-05", band="nte"),
    TaskingRequest(period="2018-04", categories=("Violence and sexual offences", "Robbery")),
    TaskingRequest(period="2018-05", candidates="ward"),
    TaskingRequest(period="2018-05", candidates="lsoa", band="overnight", baseline_periods=3),
    TaskingRequest(period="2018-05", method="dbscan"),
    TaskingRequest(period="2018-03", groups=("asb",), sources=("council_asb_simulated",)),
    # The window starts in March 2016, when the police.uk records have a gap: the ranking must
    # still learn that the data start earlier (in January).
    TaskingRequest(period="2018-02", categories=("Burglary",)),
    TaskingRequest(period="2017-03", candidates="ward", categories=("Burglary",)),
    TaskingRequest(period="2016-05"),  # the data start inside the window: a shorter baseline
]


@pytest.mark.parametrize("request_", DEMO_REQUESTS, ids=lambda r: f"{r.period}-{r.candidates}-{r.method}-{r.band}")
def test_demo_lists_from_the_window_are_the_lists_from_the_whole_table(demo, request_):
    ws, full = demo
    assert same_list(ws, request_, full)  # a list with places: else the comparison proves little


@pytest.mark.parametrize("request_", [
    TaskingRequest(period="2015-06"),  # before the data: "the data start on ..., after the period"
    TaskingRequest(period="2018-06", categories=("No such category",)),
    TaskingRequest(period="2016-03", categories=("Burglary",)),  # the police.uk gap month
])
def test_demo_errors_from_the_window_are_the_errors_from_the_whole_table(demo, request_):
    ws, full = demo
    with pytest.raises(UserError):
        tasking_list(ws, request_, incidents=full)
    same_list(ws, request_, full)


def test_the_plain_incident_table_gives_the_same_list_too(demo):
    ws, _ = demo
    request = TaskingRequest(period="2018-06", candidates="ward")
    same_list(ws, request, ws.incidents())


def test_the_window_reads_less_than_the_whole_table(demo):
    ws, full = demo
    request = TaskingRequest(period="2018-06", candidates="ward")
    start, end = needed_window(ws, request)
    assert (start.isoformat(), end.isoformat()) == ("2017-06-01", "2018-06-30")  # 12 baseline months
    hotspot = needed_window(ws, TaskingRequest(period="2018-06"))
    assert hotspot[0].isoformat() == "2016-07-01"  # 12 backtest pairs + 11 months of the longest window
    window = request_incidents(ws, request)
    assert 0 < len(window) < len(full) / 2
    assert list(window.columns) == list(full.columns)


def test_the_surface_backtest_from_its_window_is_the_same(demo):
    ws, _ = demo
    request = TaskingRequest(period="2018-06")
    got = surface_backtest(ws, request)
    want = surface_backtest(ws, request, incidents=ws.incidents())
    assert got.chosen == want.chosen
    pd.testing.assert_frame_equal(got.table, want.table)
    pd.testing.assert_frame_equal(got.summary, want.summary)


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> tuple[Workspace, pd.DataFrame]:
    ws = Workspace.open(city_year_workspace(tmp_path_factory.mktemp("city")))
    return ws, incidents_with_areas(ws)


@pytest.mark.parametrize("request_", [
    TaskingRequest(period="2017-08"),
    TaskingRequest(period="2017-08", candidates="ward"),
    TaskingRequest(period="2017-07", method="dbscan", eps_m=150.0, min_samples=15),
    TaskingRequest(period="2017-06", categories=("Theft from the person", "Other theft")),
    TaskingRequest(period="2017-08", band="nte"),  # months only: no record in an hour band
    TaskingRequest(period="2017-07-03"),  # months only: nothing fits a week
    TaskingRequest(period="2016-06"),  # before the data
], ids=lambda r: f"{r.period}-{r.candidates}-{r.method}-{r.band}")
def test_city_year_lists_from_the_window_are_the_lists_from_the_whole_table(city, request_):
    ws, full = city
    places = same_list(ws, request_, full)
    assert places is None or places > 0 or request_.band == "nte"


@pytest.mark.parametrize("method", ["kde", "dbscan", "gistar"])
def test_a_hotspot_run_on_the_period_s_days_is_the_run_on_the_whole_table(demo, method):
    """What ``hotspot-tasking hotspots --period`` relies on when the workspace has a study area."""
    ws, _ = demo
    request = HotspotRequest(method=method, band="nte", start="2018-05-01", end="2018-06-30")
    window = run_hotspots(ws, request, incidents=ws.incidents(start=request.start, end=request.end))
    whole = run_hotspots(ws, request, incidents=ws.incidents())
    assert window.layers.keys() == whole.layers.keys() and len(whole.layers["hotspots"]) > 0
    for name, layer in whole.layers.items():
        got = window.layers[name]
        pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry")),
                                      pd.DataFrame(layer.drop(columns="geometry")))
        assert bool(np.all(shapely.equals(np.asarray(got.geometry.array), np.asarray(layer.geometry.array))))
    assert ({k: v for k, v in vars(window.card).items() if k != "created"}
            == {k: v for k, v in vars(whole.card).items() if k != "created"})


def test_a_box_read_skips_only_cells_off_the_box(tmp_path):
    from hotspot_tasking.intake.store import ingest_files
    from tests.conftest import POLICE_RELAID

    moved = pd.read_csv(POLICE_RELAID, dtype=str, keep_default_na=False)
    moved["Latitude"] = (moved["Latitude"].replace("", np.nan).astype(float) + 1.0).map("{:.6f}".format)
    moved["Crime ID"] = moved["Crime ID"].where(moved["Crime ID"] == "", "moved-" + moved["Crime ID"])
    (tmp_path / "moved").mkdir()
    moved.to_csv(tmp_path / "moved" / "2016-01-moved-street.csv", index=False)  # London a degree north
    ws = Workspace.create(tmp_path / "ws")
    ingest_files(ws, [POLICE_RELAID, tmp_path / "moved"], "police_uk")
    cells = {p.parent.name for p in ws.data_files}
    assert len(cells) >= 2  # London's records span several coarse cells
    whole = ws.incidents()
    rng = np.random.default_rng(2)
    for _ in range(12):
        x0, y0 = rng.uniform(whole["easting"].min(), whole["easting"].max()), \
            rng.uniform(whole["northing"].min(), whole["northing"].max())
        box = (x0, y0, x0 + rng.uniform(500, 20_000), y0 + rng.uniform(500, 20_000))
        want = whole[whole["easting"].between(box[0], box[2]) & whole["northing"].between(box[1], box[3])]
        pd.testing.assert_frame_equal(ws.incidents(bbox=box), want.reset_index(drop=True))
