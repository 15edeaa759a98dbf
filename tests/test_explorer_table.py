"""The hotspot explorer's table on real data: the City of London's police.uk year (months only, no
time of day), the same with the roads layer made for the tests, and a copy of the demo workspace
(times of day); then the page itself through AppTest."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import shapely
from conftest import FIXTURES, city_year_workspace
from streamlit.testing.v1 import AppTest

from hotspot_tasking.boundaries.roads import add_roads, load_roads, read_roads, workspace_bounds
from hotspot_tasking.boundaries.store import incidents_with_areas
from hotspot_tasking.boundaries.study import latest_layer
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.errors import HotspotError
from hotspot_tasking.hotspots.run import HotspotRequest, run_hotspots, select_request, workspace_grid
from hotspot_tasking.locations import clean_location_text
from hotspot_tasking.pipeline.explorer import explorer_table, hotspot_table
from hotspot_tasking.ranking.names import UNNAMED
from hotspot_tasking.ranking.request import RankingContext
from hotspot_tasking.reports.setting import band_labels

ROADS = FIXTURES / "boundaries" / "city_roads_open_roads_schema.gpkg"
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
PEAKS = ["peak band", "peak day", "peak hour"]
COLUMNS = {
    "kde": ["place", "incidents", "share", "peak density, incidents per km²", "area, km²", "dominant categories",
            *PEAKS, "hotspot id"],
    "dbscan": ["place", "incidents", "area, km²", *PEAKS, "dominant categories", "share", "cluster id"],
    "gistar": ["place", "z", "p", "FDR p", "incidents", "area, km²", "hot cells"],
}
#: The requests tested: the City's year (DBSCAN at parameters that find its clusters), and a demo month.
REQUESTS = {
    "city": {"kde": HotspotRequest(method="kde"), "gistar": HotspotRequest(method="gistar", cell_size_m=50.0),
             "dbscan": HotspotRequest(method="dbscan", eps_m=150.0, min_samples=150)},
    "demo": {m: HotspotRequest(method=m, start="2017-07-01", end="2017-07-31") for m in ("kde", "gistar", "dbscan")},
}


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory) -> dict[str, Workspace]:
    """The City's year of police.uk files with its wards; the same with its roads; a demo copy."""
    city = city_year_workspace(tmp_path_factory.mktemp("explorer_city"))
    roads = Workspace.open(shutil.copytree(city, city.parent / "with_roads"))
    add_roads(roads, load_roads(ROADS, bounds=workspace_bounds(roads)))
    demo = shutil.copytree(DEMO, tmp_path_factory.mktemp("explorer_demo") / "demo")
    return {"city": Workspace.open(city), "roads": roads, "demo": Workspace.open(demo)}


@pytest.fixture(scope="module")
def analysed(workspaces):
    """``analysed(workspace, method)``: (run, table, incidents) of the workspace's request, made once."""

    loaded = {}

    @cache
    def made(name: str, method: str, request: HotspotRequest | None = None):
        ws = workspaces[name]
        if name not in loaded:
            loaded[name] = incidents_with_areas(ws)
        incidents = loaded[name]
        run = run_hotspots(ws, request or REQUESTS["city" if name == "roads" else name][method], incidents=incidents)
        return run, explorer_table(ws, run, incidents=incidents), incidents

    return made


@pytest.mark.parametrize("name", ["city", "demo"])
@pytest.mark.parametrize("method", ["kde", "dbscan", "gistar"])
def test_each_methods_table_has_its_columns_the_place_first_ranked_1_to_n(analysed, name, method):
    run, table, _ = analysed(name, method)
    timed = name == "demo"  # police.uk gives months only: no peak band, day or hour
    assert list(table.frame.columns) == [c for c in COLUMNS[method] if timed or c not in PEAKS]
    assert [c.header for c in table.columns] == list(table.frame.columns)
    assert all(c.help.endswith(".") for c in table.columns)
    assert table.frame.index.name == "rank" and table.frame.index.tolist() == list(range(1, len(table.frame) + 1))
    assert len(table.frame) >= 3
    assert len(table.names) == len(run.layers["hotspots"])
    assert set(table.names) == set(table.frame["place"])  # a Gi* cell bears its group's name


@pytest.mark.parametrize("method", ["kde", "dbscan", "gistar"])
def read_name(name: str, known: set[str], wards: set[str]) -> str:
    """The street (or generic word "near" a street) a place name starts with, checked: every text in
    it is a location text of ``known``, and the wards after it are ward names; "" for wards alone."""
    readings = [(name, "")]
    if " – " in name:  # "Waterloo (station) – Bishop's"
        readings.append(tuple(name.rsplit(" – ", 1)))
    if name.endswith(")"):  # "Fleet Street (Castle Baynard)"
        readings.append(tuple(name[:-1].rsplit(" (", 1)))
    for street, bracket in readings:
        if set(bracket.split(", ")) - {""} <= wards:
            if set(street.split(" near ")) <= known:
                return street
            if not bracket and set(street.split(", ")) <= wards:
                return ""
    raise AssertionError(f"{name!r} is not a street from the records with its wards")


@pytest.mark.parametrize("name", ["city", "demo"])
@pytest.mark.parametrize("method", ["kde", "dbscan", "gistar"])
def test_every_place_is_named_by_a_street_from_the_records(analysed, workspaces, name, method):
    """Police.uk's "On or near Fleet Street" names a place "Fleet Street (...)": the name's street
    is a location text of the selection, and for KDE and DBSCAN one of the hotspot's own records."""
    ws = workspaces[name]
    run, table, incidents = analysed(name, method)
    chosen, _, _ = select_request(run.request, incidents, ws.time_bands())
    texts = clean_location_text(chosen["location_text"])
    known = set(texts) - {""}
    wards = set(ws.read_layer(latest_layer(ws.layers(), "ward"))["name"])
    spots = run.layers["hotspots"]
    key = {"kde": "hotspot id", "dbscan": "cluster id"}.get(method)
    streets = []
    for _, row in table.frame.iterrows():  # one step per place
        assert isinstance(row["place"], str) and row["place"].strip() and row["place"] != UNNAMED
        streets.append(read_name(row["place"], known, wards))
        if key and streets[-1]:  # the hotspot's own records hold the street (or the generic word it leads with)
            outline = spots.geometry[spots[key.replace(" ", "_")] == row[key]].iloc[0]
            own = set(texts[shapely.intersects_xy(outline, chosen["easting"], chosen["northing"])])
            assert streets[-1].split(" near ")[0] in own, row["place"]
    assert sum(bool(s) for s in streets) >= len(streets) - 1  # a street for all but one place at most


def test_with_a_roads_layer_places_are_named_by_the_roads(analysed, workspaces):
    _, plain, _ = analysed("city", "kde")
    _, named, _ = analysed("roads", "kde")
    roads = set(read_roads(workspaces["roads"])["name"]) - {""}
    streets = [name.partition(" (")[0].split(" near ")[-1] for name in named.frame["place"]]
    assert sum(s in roads for s in streets) >= len(streets) - 1
    assert named.frame["hotspot id"].tolist() == plain.frame["hotspot id"].tolist()
    assert named.frame["place"].tolist() != plain.frame["place"].tolist()


@pytest.mark.parametrize("name", ["city", "demo"])
def test_kde_peak_density_is_the_densest_cell_inside_and_ranks_the_list(analysed, name):
    run, table, _ = analysed(name, "kde")
    spots, cells = run.layers["hotspots"].set_index("hotspot_id"), run.layers["density_cells"]
    centres = shapely.centroid(np.asarray(cells.geometry.values))
    density = table.frame["peak density, incidents per km²"]
    for hotspot_id, peak in zip(table.frame["hotspot id"], density):  # one step per hotspot
        inside = shapely.contains(spots.geometry[hotspot_id], centres)
        assert peak == pytest.approx(cells["density"].to_numpy()[inside].max(), rel=1e-12)
    assert density.is_monotonic_decreasing
    # counted incidents: the run's own, in the same cells
    ours = table.frame.set_index("hotspot id")[["incidents", "share", "area, km²"]]
    assert np.allclose(ours.to_numpy(), spots.loc[ours.index, ["incidents", "share", "area_km2"]].to_numpy())
    assert 0 < table.frame["share"].sum() <= 1


def test_dbscan_carries_its_cluster_table_sorted_by_incidents(analysed, workspaces):
    run, table, _ = analysed("demo", "dbscan")
    clusters = run.layers["hotspots"].set_index("cluster_id")
    ours = table.frame.set_index("cluster id")
    assert table.frame["incidents"].is_monotonic_decreasing
    assert ours["incidents"].tolist() == clusters.loc[ours.index, "incidents"].tolist()
    assert ours["dominant categories"].tolist() == clusters.loc[ours.index, "dominant_categories"].tolist()
    assert np.allclose(ours[["area, km²", "share"]].to_numpy(), clusters.loc[ours.index, ["area_km2", "share"]])
    labels = set(band_labels(workspaces["demo"].time_bands()).values())
    assert set(table.frame["peak band"]) <= labels  # each band by its label, never its id
    assert set(table.frame["peak hour"]) <= {f"{h:02d}:00" for h in range(24)}


@pytest.mark.parametrize("name", ["city", "demo"])
def test_gistar_groups_hot_cells_with_their_strongest_z_p_and_fdr_p(analysed, name):
    run, table, _ = analysed(name, "gistar")
    frame, hot = table.frame, run.layers["hotspots"]
    assert frame["z"].is_monotonic_decreasing
    assert (frame["z"] > 0).all()
    assert frame["p"].between(0, 1).all() and frame["FDR p"].between(0, 1).all()
    assert (frame["FDR p"] >= frame["p"]).all()
    assert frame["hot cells"].sum() == len(hot)
    assert frame["incidents"].sum() == pytest.approx(hot["count"].sum())  # counts: the cells' own incidents
    assert frame["area, km²"].sum() == pytest.approx(hot.geometry.area.sum() / 1e6)
    assert frame["z"].max() == pytest.approx(hot["z"].max()) and frame["p"].min() == pytest.approx(hot["p"].min())
    assert len(frame) < len(hot)  # places, not cells


def test_harm_weighting_gives_harm_per_km2_and_still_counts_incidents(analysed):
    request = HotspotRequest(method="kde", start="2017-07-01", end="2017-07-31", weighting="harm")
    run, table, _ = analysed("demo", "kde", request)
    assert "peak density, harm per km²" in table.frame.columns
    counted = table.frame["incidents"].to_numpy()
    harm = run.layers["hotspots"].set_index("hotspot_id").loc[table.frame["hotspot id"], "incidents"].to_numpy()
    assert np.array_equal(counted, np.round(counted)) and (counted <= harm).all() and (counted < harm).any()


@pytest.mark.parametrize("request_", [HotspotRequest(method="gistar", cell_size_m=2000.0, start="2018-06-01",
                                                     end="2018-06-30"),
                                      HotspotRequest(method="dbscan", eps_m=10.0, min_samples=500, start="2018-06-01",
                                                     end="2018-06-30")], ids=["gistar", "dbscan"])
def test_no_hotspots_make_an_empty_table_not_an_error(analysed, request_):
    """Gi* on 2 km cells finds no hot cell on the demo's June 2018 (the explorer once crashed on it)."""
    run, table, _ = analysed("demo", request_.method, request_)
    assert len(run.layers["hotspots"]) == 0
    assert table.frame.empty and table.names == ()


def test_a_band_counts_each_incident_by_its_share_of_the_band(analysed):
    request = HotspotRequest(method="kde", band="nte", start="2017-07-01", end="2017-07-31")
    _, table, _ = analysed("demo", "kde", request)
    help_text = {c.header: c.help for c in table.columns}
    assert "share of the time band" in help_text["incidents"]
    assert table.frame["peak band"].value_counts().index[0] == "Night-time economy"


def test_gistar_needs_the_grid_it_was_made_on(analysed, workspaces):
    run, _, incidents = analysed("city", "gistar")
    ws = workspaces["city"]
    context = RankingContext(bands=ws.time_bands())
    with pytest.raises(HotspotError, match="needs the grid it was made on"):
        hotspot_table(run, incidents, context)
    with pytest.raises(HotspotError, match="not on the grid given"):
        hotspot_table(run, incidents, context, grid=workspace_grid(ws, incidents, cell_size_m=40.0))
    with pytest.raises(TypeError, match="The 'grid' parameter of hotspot_table must be a Grid or None"):
        hotspot_table(run, incidents, context, grid=(0, 0, 50))
    named = hotspot_table(run, incidents, context, grid=workspace_grid(ws, incidents, cell_size_m=50.0))
    assert len(named.frame) >= 3


def test_the_explorer_shows_each_methods_table_as_plain_text():
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    at.switch_page("app_pages/explorer.py").run()
    for method in ("kde", "dbscan", "gistar"):
        at.radio(key="explorer_method").set_value(method).run()
        assert not at.exception
        shown = at.dataframe[0].value
        assert list(shown.columns) == COLUMNS[method] and len(shown) >= 1
        places = set(shown["place"])
        assert not any(place in block.value for block in at.markdown for place in places)  # never markdown
