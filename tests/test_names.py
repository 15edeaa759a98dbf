"""Place names (ranking.names): real police.uk rows of the City of London, and hand-made pairs
with hand-checked names."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import POLICE_2014_10, POLICE_2015_01, POLICE_2015_08, read
from pyproj import Transformer

from hotspot_tasking.errors import UserError
from hotspot_tasking.geo.schema import INCIDENT_COLUMNS, LOCAL_TZ
from hotspot_tasking.geo.timebands import TimeBands
from hotspot_tasking.locations import GENERIC_LOCATIONS, clean_location_text, generic_texts
from hotspot_tasking.periods import review_period
from hotspot_tasking.ranking.candidates import CandidatePlaces, members_all, members_now
from hotspot_tasking.ranking.config import RankingConfig
from hotspot_tasking.ranking.errors import RankingError
from hotspot_tasking.ranking.names import keep_names, place_names
from hotspot_tasking.ranking.profile import profiles
from hotspot_tasking.ranking.schema import TASKING_COLUMNS, TaskingList
from hotspot_tasking.ranking.selection import select_review_incidents
from hotspot_tasking.ranking.tactics import TacticMenu

_GENERIC = {g.casefold() for g in GENERIC_LOCATIONS}
_TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)


def names(pairs: list[tuple], n: int = 1, **options) -> list[str]:
    """``place_names`` of ``(text, ward, place, weight)`` pairs."""
    text, ward, cand, weight = (list(c) for c in zip(*pairs)) if pairs else ([], [], [], [])
    return place_names(np.array(text, dtype=object), np.array(ward, dtype=object), np.array(cand, dtype=np.int64),
                       np.array(weight, dtype=float), n, ward_names=options.pop("ward_names", {}), **options)


# --- real police.uk rows --------------------------------------------------------------------

@pytest.fixture(scope="module")
def city() -> pd.DataFrame:
    """Three months of City of London street crime (October 2014, January and August 2015)."""
    frames = [read("police_uk", p).incidents for p in (POLICE_2014_10, POLICE_2015_01, POLICE_2015_08)]
    return pd.concat(frames, ignore_index=True)


def by_lsoa(frame: pd.DataFrame, codes: list[str] | None = None) -> tuple[list[str], list[str]]:
    """Each LSOA police.uk gives (or ``codes``) as a place, and its name from ``frame``'s records (no wards)."""
    codes = sorted(frame["lsoa_code_given"].unique()) if codes is None else codes
    cand = pd.Index(codes).get_indexer(frame["lsoa_code_given"])
    text = clean_location_text(frame["location_text"]).to_numpy(dtype=object)
    return codes, place_names(text, np.full(len(frame), "", dtype=object), cand, np.ones(len(frame)), len(codes),
                              ward_names={})


def test_police_uk_generic_words_of_the_city_are_all_known(city):
    texts = set(clean_location_text(city["location_text"]))
    found = {t for t in texts if t.casefold() in _GENERIC}
    assert found == {"Pedestrian Subway", "Conference/Exhibition Centre", "Parking Area", "Park/Open Space",
                     "Police Station", "Shopping Area", "Theatre/Concert Hall", "Supermarket", "Nightclub",
                     "Further/Higher Educational Building"}
    asked = {"Supermarket", "Nightclub", "Shopping Area", "Parking Area", "Petrol Station", "Sports/Recreation Area",
             "Further/Higher Educational Building", "Hospital", "Police Station", "Theatre/Concert Hall",
             "Conference/Exhibition Centre", "Bus/Coach Station", "Pedestrian Subway", "Airport/Airfield",
             "Park/Open Space", "Prison", "Place Of Worship"}
    assert asked <= GENERIC_LOCATIONS


def test_a_generic_word_names_a_real_place_only_near_its_street(city):
    codes, named = by_lsoa(city)
    got = dict(zip(codes, named))
    # E01000005: Pedestrian Subway 14, Mansell Street 12, Minories 9, White Kennett Street 9
    assert got["E01000005"] == "Pedestrian Subway near Mansell Street"
    # E01032740: one record, "On or near Supermarket": no street to put it near
    assert got["E01032740"] == "Supermarket"
    texts = clean_location_text(city["location_text"])
    for code, name in got.items():  # one step per LSOA
        mine = set(texts[city["lsoa_code_given"].eq(code)]) - {""}
        head = name.split(" near ")[0]
        if head.casefold() in _GENERIC:
            specific = {t for t in mine if t.casefold() not in _GENERIC}
            assert (" near " in name) == bool(specific), name
        else:
            assert name in mine and " near " not in name


def test_a_real_place_is_named_from_the_whole_span_passed(city):
    august = city[city["occurred_from"].dt.month.eq(8)]
    codes, span = by_lsoa(city)
    _, month = by_lsoa(august, codes)
    span, month = dict(zip(codes, span)), dict(zip(codes, month))
    # August alone: Pedestrian Subway 8, Little Somerset Street 7; three months: Mansell Street 12 leads the streets
    assert month["E01000005"] == "Pedestrian Subway near Little Somerset Street"
    assert span["E01000005"] == "Pedestrian Subway near Mansell Street"
    # August alone: Conference/Exhibition Centre, then Moorfields; three months: Moor Lane (11) leads all
    assert month["E01000002"] == "Conference/Exhibition Centre near Moorfields"
    assert span["E01000002"] == "Moor Lane"


# --- hand-made pairs ------------------------------------------------------------------------

def test_clean_location_text_leaves_its_input_alone():
    raw = pd.Series(["On or near Electric Lane", "on or near  Acre Lane ", "Brixton Road", None, "No Location",
                     "On or near Nightclub"], index=[5, 6, 7, 8, 9, 10])
    before = raw.copy()
    out = clean_location_text(raw)
    assert out.tolist() == ["Electric Lane", "Acre Lane", "Brixton Road", "", "", "Nightclub"]
    assert out.index.equals(raw.index)
    pd.testing.assert_series_equal(raw, before)


def test_generic_words_are_compared_case_insensitively_and_spelled_one_way():
    pairs = [("Theatre/concert Hall", "", 0, 1.0), ("THEATRE/CONCERT HALL", "", 0, 1.0), ("Acre Lane", "", 0, 1.5)]
    assert names(pairs) == ["Theatre/Concert Hall near Acre Lane"]


def test_the_commonest_street_names_the_place_weighted_ties_alphabetical():
    assert names([("Zed Road", "", 0, 2.0), ("Acre Lane", "", 0, 2.0)]) == ["Acre Lane"]
    # weight, not the number of records
    assert names([("Acre Lane", "", 0, 0.2)] * 3 + [("Brixton Road", "", 0, 1.0)]) == ["Brixton Road"]
    # 0.1 + 0.2 against 0.3: a tie, whatever the float sum says
    assert names([("Zed Road", "", 0, 0.1), ("Zed Road", "", 0, 0.2), ("Acre Lane", "", 0, 0.3)]) == ["Acre Lane"]
    # a generic word and a street with equal weight: alphabetical decides which leads
    assert names([("Supermarket", "", 0, 1.0), ("Acre Lane", "", 0, 1.0)]) == ["Acre Lane"]
    assert names([("Nightclub", "", 0, 1.0), ("Zed Road", "", 0, 1.0)]) == ["Nightclub near Zed Road"]
    # two generic words tied: the first alphabetically, near the street
    assert names([("Supermarket", "", 0, 2.0), ("Nightclub", "", 0, 2.0), ("Above Bar Street", "", 0, 1.0)]) == [
        "Nightclub near Above Bar Street"]


def test_a_street_leading_the_place_is_its_name_even_with_generic_words():
    pairs = [("Nightclub", "", 0, 1.0), ("Electric Lane", "", 0, 3.0), ("Atlantic Road", "", 0, 2.0)]
    assert names(pairs) == ["Electric Lane"]


def test_data_driven_generic_texts_are_used_only_near_a_street():
    pairs = [("Car Wash", "", 0, 3.0), ("Acre Lane", "", 0, 1.0), ("Car Wash", "", 1, 1.0)]
    assert names(pairs, 2) == ["Car Wash", "Car Wash"]
    assert names(pairs, 2, generic=["car wash"]) == ["Car Wash near Acre Lane", "Car Wash"]


def test_generic_texts_finds_texts_spread_over_many_wards():
    # 10 wards with incidents: a text needs more than max(4, 15% of 10) = 4 wards
    wards = [f"W{i}" for i in range(10)]
    texts = ["Car Wash"] * 5 + ["Kiosk"] * 4 + ["Acre Lane"] + [""] * 3
    codes = wards[:5] + wards[:4] + ["W9", "W0", "W1", ""]
    found = generic_texts(pd.Series(texts), pd.Series(codes))
    assert found == ["Car Wash"]
    with pytest.raises(UserError, match="another index than the texts"):
        generic_texts(pd.Series(texts), pd.Series(codes, index=range(1, 14)))


def test_wards_follow_in_brackets_then_alone_then_unnamed():
    wards = {"E05000420": "Coldharbour", "E05000416": "Bishop's", "E05000417": "Brixton Hill"}
    pairs = [("Brixton Road", "E05000420", 0, 6.0), ("Brixton Road", "E05000417", 0, 3.0),
             ("Brixton Road", "E05000416", 0, 1.0),                      # 10%: not named
             ("Waterloo (station)", "E05000416", 1, 1.0),                # ends in brackets of its own
             ("", "E05000420", 2, 1.0), ("", "E05000999", 2, 1.0),       # no text; a ward without a name
             ("", "", 3, 1.0)]                                           # nothing; place 4 has no records
    assert names(pairs, 5, ward_names=wards) == [
        "Brixton Road (Coldharbour, Brixton Hill)", "Waterloo (station) – Bishop's", "Coldharbour, E05000999",
        "Unnamed place", "Unnamed place"]
    # at most two wards, most first (ties: code order)
    three = [("Acre Lane", "E05000420", 0, 1.0), ("Acre Lane", "E05000417", 0, 1.0), ("Acre Lane", "E05000416", 0, 1.0)]
    assert names(three, ward_names=wards) == ["Acre Lane (Bishop's, Brixton Hill)"]


def test_place_names_leaves_its_arrays_alone_and_checks_them():
    text = np.array(["On the list", "Acre Lane"], dtype=object)
    ward, cand, weight = np.array(["W1", "W1"], dtype=object), np.array([0, 0]), np.array([1.0, 2.0])
    copies = [a.copy() for a in (text, ward, cand, weight)]
    place_names(text, ward, cand, weight, 1, ward_names={"W1": "One"})
    for a, b in zip((text, ward, cand, weight), copies):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(RankingError, match=r"the arrays differ in length \('text' 2, 'ward_code' 2, 'cand' 1"):
        place_names(text, ward, cand[:1], weight, 1, ward_names={})
    with pytest.raises(RankingError, match="1 of 2 pairs have a place outside 0..0 .e.g. 1.; pass n ="):
        place_names(text, ward, np.array([0, 1]), weight, 1, ward_names={})
    with pytest.raises(RankingError, match="1 of 2 weights are negative or not finite"):
        place_names(text, ward, cand, np.array([1.0, -1.0]), 1, ward_names={})
    with pytest.raises(RankingError, match=r"The 'n' parameter of place_names must be an int in the range \[0"):
        place_names(text, ward, cand, weight, -1, ward_names={})
    with pytest.raises(TypeError, match="The 'text' parameter of place_names must be a 1-d numpy array. Got str"):
        place_names("Acre Lane", ward, cand, weight, 1, ward_names={})
    with pytest.raises(TypeError, match="The 'ward_names' parameter of place_names must be a mapping"):
        place_names(text, ward, cand, weight, 1, ward_names=["W1"])
    with pytest.raises(TypeError, match="The 'generic' parameter of place_names must be a list of str"):
        place_names(text, ward, cand, weight, 1, ward_names={}, generic="Car Wash")


# --- profiles: sensitive records, and the whole span ----------------------------------------

A, B = (530_000.0, 175_000.0), (531_000.0, 176_000.0)


def incidents(rows: list[tuple]) -> pd.DataFrame:
    """Hand-made incidents from ``(at, local time, text, sensitive)``, in ward W1 at A and W2 at B."""
    n = len(rows)
    e, north = np.array([r[0][0] for r in rows]), np.array([r[0][1] for r in rows])
    lon, lat = _TO_WGS84.transform(e, north)
    start = pd.Series(pd.to_datetime([r[1] for r in rows])).dt.tz_localize(LOCAL_TZ)
    category = ["Domestic abuse" if r[3] else "Robbery" for r in rows]
    frame = pd.DataFrame({
        "incident_id": [f"t{i}" for i in range(n)], "source": "test", "source_category": category,
        "category": category, "subcategory": "", "groups": "", "occurred_from": start, "occurred_to": start,
        "time_precision": "minute", "easting": e, "northing": north, "longitude": lon, "latitude": lat,
        "location_precision_m": 0.0, "location_text": [f"On or near {r[2]}" if r[2] else "" for r in rows],
        "lsoa_code_given": "", "harm_weight": 1.0, "lead_agency": "Police", "sensitive": [r[3] for r in rows],
        "import_id": "test"}).astype(INCIDENT_COLUMNS)
    frame["ward_code"] = np.where(e == A[0], "W1", "W2")
    frame["lsoa_code"] = ""
    return frame


def profiled(frame: pd.DataFrame, *, whole_span: bool = False, bands: TimeBands | None = None) -> pd.DataFrame:
    """Profiles for July 2017 (three baseline months) of two places: around A, around B."""
    bands = TimeBands.load() if bands is None else bands
    sel = select_review_incidents(frame, review_period("2017-07"), 3, "all", bands, None, None, None)
    ux, uy = sel.points
    geoms = np.array([shapely.Point(A).buffer(50), shapely.Point(B).buffer(50)], dtype=object)
    point, cand = shapely.STRtree(geoms).query(shapely.points(ux, uy), predicate="intersects")
    rows = pd.DataFrame({"point": sel.inverse, "row": np.arange(len(sel.inverse))}).merge(
        pd.DataFrame({"point": point, "cand": cand}), on="point").sort_values("row")
    places = CandidatePlaces("hotspot", ["", ""], ["", ""], geoms, rows["row"].to_numpy(), rows["cand"].to_numpy())
    return profiles(members_now(sel, places), 2, bands=bands, band="all", config=RankingConfig.load(),
                    menu=TacticMenu.load(), ward_names={"W1": "Coldharbour", "W2": "Tulse Hill"},
                    named_from=members_all(sel, places) if whole_span else None)


def test_a_place_keeps_its_baseline_wide_name_through_a_month_of_other_streets():
    rows = [(A, f"2017-{m}-0{d} 22:00", "Electric Lane", False) for m in ("04", "05", "06") for d in (1, 2)]
    rows += [(A, f"2017-07-0{d} 22:00", "Atlantic Road", False) for d in (1, 2, 3)]
    rows += [(A, "2017-07-04 22:00", "Electric Lane", False), (B, "2017-07-05 22:00", "Acre Lane", False)]
    frame = incidents(rows)
    before = frame.copy()
    month, span = profiled(frame, whole_span=False), profiled(frame, whole_span=True)
    assert month["place_name"].tolist() == ["Atlantic Road (Coldharbour)", "Acre Lane (Tulse Hill)"]
    assert span["place_name"].tolist() == ["Electric Lane (Coldharbour)", "Acre Lane (Tulse Hill)"]
    # everything else is the review period's, whichever records name the place
    rest = [c for c in span.columns if c != "place_name"]
    pd.testing.assert_frame_equal(month[rest], span[rest])
    assert span["ward_code"].tolist() == ["W1", "W2"]
    pd.testing.assert_frame_equal(frame, before)


def test_sensitive_records_never_name_a_place():
    rows = [(A, "2017-07-01 20:00", "Private Road", True)] * 5 + [(A, "2017-06-01 20:00", "Electric Lane", False)]
    rows += [(A, "2017-07-02 20:00", "Electric Lane", False), (B, "2017-07-03 20:00", "Hidden Close", True)]
    span = profiled(incidents(rows), whole_span=True)
    # place B has only a sensitive record: its ward, never its street
    assert span["place_name"].tolist() == ["Electric Lane (Coldharbour)", "Tulse Hill"]
    month = profiled(incidents(rows), whole_span=False)
    assert month["place_name"].tolist() == ["Electric Lane (Coldharbour)", "Tulse Hill"]


# --- keep_names -----------------------------------------------------------------------------

def previous_list(rows: list[tuple[str, str, str]]) -> TaskingList:
    """A previous list of ``(tasking_id, kind, place_name)`` rows (other columns empty)."""
    defaults = {"int64": 0, "float64": 0.0, "str": ""}
    frame = pd.DataFrame({c: pd.Series([defaults[t]] * len(rows), dtype=t) for c, t in TASKING_COLUMNS.items()})
    frame["rank"] = range(1, len(rows) + 1)
    for k, column in enumerate(("tasking_id", "kind", "place_name")):
        frame[column] = pd.Series([r[k] for r in rows], dtype="str")
    outlines = gpd.GeoSeries([shapely.box(0, 0, 100, 100)] * len(rows), crs=27700)
    return TaskingList(gpd.GeoDataFrame(frame, geometry=outlines), "2017-05", "all")


def test_an_inherited_id_keeps_its_previous_name_and_a_new_one_its_own():
    may = previous_list([("H-89194ad1393ffff", "hotspot", "Acre Lane (Coldharbour)"),
                         ("W-E05000420", "ward", "Coldharbour"), ("H-blank", "hotspot", "")])
    ids = ["H-89194ad1393ffff", "H-89194adad9bffff", "W-E05000420", "H-blank"]
    new = ["Atlantic Road (Coldharbour)", "Shopping Area near Lochinvar Street (Balham)", "Coldharbour ward",
           "Shirley Road"]
    assert keep_names(ids, new, may) == ["Acre Lane (Coldharbour)", "Shopping Area near Lochinvar Street (Balham)",
                                         "Coldharbour ward", "Shirley Road"]
    assert keep_names(ids, new, None) == new
    assert keep_names(ids, new, previous_list([])) == new


def test_keep_names_checks_its_arguments():
    with pytest.raises(RankingError, match="'ids' has 2 values but 'names' has 1; give one name per tasking id"):
        keep_names(["H-a", "H-b"], ["Acre Lane"], None)
    with pytest.raises(TypeError, match="The 'previous' parameter of keep_names must be a TaskingList or None"):
        keep_names(["H-a"], ["Acre Lane"], pd.DataFrame())
    with pytest.raises(TypeError, match="The 'ids' parameter of keep_names must be a list of str"):
        keep_names("H-a", ["Acre Lane"], None)


# --- names from a roads layer ------------------------------------------------------------------

def road_frame(rows: list[tuple]) -> gpd.GeoDataFrame:
    """A roads frame as read_roads gives it, from ``(name, number, (x0, y0, x1, y1))`` rows."""
    return gpd.GeoDataFrame({"name": [r[0] for r in rows], "number": [r[1] for r in rows], "kind": ""},
                            geometry=[shapely.LineString([r[2][:2], r[2][2:]]) for r in rows], crs=27700)


def test_without_roads_names_are_as_before_and_with_them_the_commonest_road_leads():
    pairs = [("Acre Lane", "W1", 0, 1.0), ("Acre Lane", "W1", 0, 1.0), ("Pedestrian Subway", "W1", 0, 1.0)]
    assert names(pairs, ward_names={"W1": "Brixton"}) == names(pairs, ward_names={"W1": "Brixton"}, roads=None) \
        == ["Acre Lane (Brixton)"]
    road = np.array(["Brixton Road", "Brixton Road", "Acre Lane"], dtype=object)
    assert names(pairs, ward_names={"W1": "Brixton"}, roads=road) == ["Brixton Road (Brixton)"]
    tie = np.array(["Coldharbour Lane", "Brixton Road", ""], dtype=object)  # ties: alphabetical
    assert names(pairs, ward_names={"W1": "Brixton"}, roads=tie) == ["Brixton Road (Brixton)"]


def test_a_generic_word_still_leads_and_a_place_without_a_road_keeps_its_texts():
    pairs = [("Nightclub", "", 0, 1.0), ("Nightclub", "", 0, 1.0), ("Bride Lane", "", 0, 1.0),
             ("Bride Lane", "", 1, 1.0)]
    road = np.array(["Fleet Street", "Fleet Street", "", ""], dtype=object)
    assert names(pairs, n=2, roads=road) == ["Nightclub near Fleet Street", "Bride Lane"]


def test_place_names_checks_the_roads_array():
    with pytest.raises(RankingError, match="the arrays differ in length"):
        names([("Acre Lane", "", 0, 1.0)], roads=np.array(["A", "B"], dtype=object))
    with pytest.raises(TypeError, match="must be a 1-d numpy array. Got str"):
        names([("Acre Lane", "", 0, 1.0)], roads="Brixton Road")


def test_road_index_names_points_by_the_nearest_named_road_within_reach():
    from hotspot_tasking.ranking.names import RoadIndex

    frame = road_frame([("Fleet Street", "A4", (0, 0, 200, 0)), ("", "A201", (0, 100, 200, 100)),
                        ("", "", (0, 30, 200, 30)), ("Bride Lane", "", (100, 0, 100, 60))])
    index = RoadIndex.from_frame(frame)
    assert list(index.labels) == ["Fleet Street", "A201", "Bride Lane"]  # the unnamed, unnumbered link never names
    got = index.nearest(np.array([50.0, 50, 50, 500, np.nan]), np.array([10.0, 90, 28, 0, 0]))
    assert got.tolist() == ["Fleet Street", "A201", "Fleet Street", "", ""]
    assert index.nearest(np.array([100.0]), np.array([0.0])).tolist() == ["Bride Lane"]  # a tie: alphabetical
    # a record's own text wins when a road of that name is within reach, spelt as the roads layer spells it
    assert index.nearest(np.array([90.0, 90]), np.array([20.0, 20]), texts=["FLEET street", "Nightclub"]).tolist() \
        == ["Fleet Street", "Bride Lane"]
    assert frame["name"].tolist()[1] == ""  # the frame is left alone
    assert RoadIndex.from_frame(None) is None
    assert RoadIndex.from_frame(road_frame([("", "", (0, 0, 1, 1))])) is None
    with pytest.raises(RankingError, match="RoadIndex.from_frame needs the columns 'number' and 'geometry'"):
        RoadIndex.from_frame(pd.DataFrame({"name": ["x"]}))
    with pytest.raises(RankingError, match="The 'within_m' parameter of RoadIndex.from_frame must be a float"):
        RoadIndex.from_frame(frame, within_m=0)
    with pytest.raises(RankingError, match="must be 1-d arrays of one length"):
        index.nearest(np.array([1.0, 2.0]), np.array([1.0]))
