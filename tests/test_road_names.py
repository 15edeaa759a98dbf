"""Places named by the roads layer, on real data: the City of London's police.uk year
(2016-09 to 2017-08), its 2014 wards and the roads made for the tests along its streets
(fixtures/boundaries/city_roads_open_roads_schema.gpkg)."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import FIXTURES
from matplotlib.collections import LineCollection

from hotspot_tasking.boundaries.layers import load_layer
from hotspot_tasking.boundaries.roads import add_roads, load_roads, read_roads, workspace_bounds
from hotspot_tasking.boundaries.store import add_layer, incidents_with_areas, study_area
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.intake.store import ingest_files
from hotspot_tasking.locations import clean_location_text
from hotspot_tasking.pipeline.context import ranking_context, road_index
from hotspot_tasking.pipeline.tasking import tasking_list
from hotspot_tasking.ranking.names import place_names
from hotspot_tasking.ranking.request import RankingContext, TaskingRequest

CITY_YEAR = FIXTURES / "police_uk" / "city-of-london-2016-09-to-2017-08.zip"
ROADS = FIXTURES / "boundaries" / "city_roads_open_roads_schema.gpkg"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    ws = Workspace.create(tmp_path_factory.mktemp("roads") / "city")
    add_layer(ws, load_layer(FIXTURES / "boundaries" / "city_wards_2014.gpkg", kind="ward", vintage="2014"))
    add_roads(ws, load_roads(ROADS, bounds=workspace_bounds(ws)))
    ingest_files(ws, [CITY_YEAR], "police_uk")
    return ws


def test_records_on_the_fixture_streets_get_their_own_street(city):
    incidents = incidents_with_areas(city)
    index = road_index(city, study_area=study_area(city))
    text = clean_location_text(incidents["location_text"])
    road = index.nearest(incidents["easting"], incidents["northing"], texts=text)
    streets = set(read_roads(city)["name"]) - {""}
    on = text.isin(streets).to_numpy()
    assert on.sum() > 1000 and (road[on] == text.to_numpy()[on]).all()
    generic = text.isin(["Pedestrian Subway", "Supermarket", "Nightclub", "Parking Area"]).to_numpy()
    assert set(road[generic]) - {""} <= streets | {"A11"} and (road[generic] != "").sum() > 100


def city_names(ws: Workspace, frame, *, roads: bool) -> list[str]:
    """The July 2017 hotspot places named from their incidents of the whole year up to July (as the
    ranking names them from the baseline and review period), with or without the roads."""
    incidents = incidents_with_areas(ws)
    incidents = incidents[incidents["occurred_from"].dt.strftime("%Y-%m") <= "2017-07"]
    points = shapely.points(incidents["easting"].to_numpy(), incidents["northing"].to_numpy())
    place, row = shapely.STRtree(points).query(np.asarray(frame.geometry.values, dtype=object),
                                               predicate="intersects")
    mine = incidents.iloc[row]
    sensitive = mine["sensitive"].to_numpy(bool)
    text = np.where(sensitive, "", clean_location_text(mine["location_text"]).to_numpy(dtype=object))
    road = road_index(ws, study_area=study_area(ws)).nearest(mine["easting"], mine["northing"], texts=text)
    wards = ranking_context(ws, TaskingRequest("2017-07")).names("ward")
    return place_names(text.astype(object), mine["ward_code"].to_numpy(dtype=object), place, np.ones(len(mine)),
                       len(frame), ward_names=wards,
                       roads=np.where(sensitive, "", road).astype(object) if roads else None)


def test_the_citys_hotspots_are_named_by_the_roads_under_their_incidents(city):
    frame = tasking_list(city, TaskingRequest("2017-07"), previous=None).frame
    before, after = city_names(city, frame, roads=False), city_names(city, frame, roads=True)
    named = dict(zip(before, after))
    streets = set(read_roads(city)["name"]) - {""}
    changed = {b: a for b, a in named.items() if a != b}
    assert len(changed) >= 5
    for new in changed.values():  # every new name is a road of the layer, after any generic word
        head = new.split(" (", 1)[0]
        assert head.split(" near ")[-1] in streets | {"A11"}, new
    assert named["Nightclub near Garlick Hill (Cordwainer)"] == "Nightclub near Queen Victoria Street (Cordwainer)"
    assert named["Nun Court (Coleman Street)"] == "Moorgate (Coleman Street)"
    assert named["Fleet Street (Farringdon Without)"] == "Fleet Street (Farringdon Without)"
    assert named["St Martin's Le Grand (Cheap)"] == "St Martin's Le Grand (Cheap)"  # no such road in the layer
    assert named["High Holborn (Farringdon Without)"] == "High Holborn (Farringdon Without)"  # none within 60 m


@pytest.mark.skipif("roads" not in {f.name for f in dataclasses.fields(RankingContext)},
                    reason="RankingContext does not carry the roads yet (ranking/request.py, rank.py, profile.py)")
def test_the_tasking_list_names_places_by_the_roads(city, tmp_path):
    without = Workspace.create(tmp_path / "without")
    add_layer(without, load_layer(FIXTURES / "boundaries" / "city_wards_2014.gpkg", kind="ward", vintage="2014"))
    ingest_files(without, [CITY_YEAR], "police_uk")
    plain = tasking_list(without, TaskingRequest("2017-07"), previous=None).frame
    roads = tasking_list(city, TaskingRequest("2017-07"), previous=None).frame
    assert plain["tasking_id"].tolist() == roads["tasking_id"].tolist()
    named = dict(zip(plain["place_name"], roads["place_name"]))
    assert named["Nun Court (Coleman Street)"] == "Moorgate (Coleman Street)"
    assert pd.Series(roads["place_name"]).ne(plain["place_name"]).sum() >= 5


def test_the_maps_of_a_workspace_with_roads_draw_them(city):
    from hotspot_tasking.pipeline.exports import background_layers
    from hotspot_tasking.reports.maps import overview_figure
    from hotspot_tasking.reports.placement import ROAD_EDGE

    background = background_layers(city)
    assert background.roads is not None and len(background.roads) > 20
    frame = gpd.GeoDataFrame({"rank": [1], "place_name": ["Bishopsgate"], "arrow": ["►"], "ward_code": ["E05009291"]},
                             geometry=[shapely.Point(533200, 181400).buffer(60)], crs=27700)
    fig = overview_figure(frame, background=background)
    drawn = [c for ax in fig.axes for c in ax.collections if isinstance(c, LineCollection)
             and len(c.get_edgecolor()) and matplotlib.colors.same_color(c.get_edgecolor()[0], ROAD_EDGE)]
    assert drawn, "the roads are drawn under the places"
