"""Patrol plans on hand-made incidents with hand-checked answers."""

import re
import shutil
import subprocess

import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from hotspot_tasking.errors import TaskingError
from hotspot_tasking.geo.schema import LOCAL_TZ
from hotspot_tasking.geo.timebands import DAY_NAMES, TimeBands
from hotspot_tasking.labels import SENSITIVE_LABEL as SENSITIVE
from hotspot_tasking.patrol.plan import PLACE_COLUMNS, patrol_plan
from hotspot_tasking.pipeline.patrol import PatrolRequest, shift_label
from hotspot_tasking.ranking.place import place_profile
from hotspot_tasking.reports.patrol_pdf import patrol_plan_pdf

# Two spots 1 km apart in ward W1 (different H3 cells), and one in ward W2.
A, B, C = (530000.0, 175000.0), (531000.0, 175000.0), (532000.0, 175000.0)
TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)


def incidents(rows):
    """``rows``: (when, spot, ward, text, category[, sensitive[, precision]])."""
    frame = pd.DataFrame([{"when": r[0], "spot": r[1], "ward": r[2], "text": r[3], "category": r[4],
                           "sensitive": r[5] if len(r) > 5 else False, "precision": r[6] if len(r) > 6 else "minute"}
                          for r in rows])
    when = pd.to_datetime(frame["when"]).dt.tz_localize(LOCAL_TZ)
    e, n = frame["spot"].str[0].astype(float), frame["spot"].str[1].astype(float)
    lon, lat = TO_WGS84.transform(e.to_numpy(), n.to_numpy())
    day_only = frame["precision"].eq("day")
    start = when.where(~day_only, when.dt.normalize())
    end = start.where(~day_only, start + pd.Timedelta(hours=23, minutes=59))
    return pd.DataFrame({"occurred_from": start, "occurred_to": end, "time_precision": frame["precision"],
                         "easting": e, "northing": n, "longitude": lon, "latitude": lat,
                         "location_text": frame["text"], "category": frame["category"],
                         "sensitive": frame["sensitive"], "ward_code": frame["ward"], "wards": frame["ward"],
                         "zones": frame["ward"].map({"W1": "Z1;Z2", "W2": "Z2"})})


# 2018-06-29 is a Friday.
NIGHT = incidents([
    ("2018-06-29 22:10", A, "W1", "On or near Brixton Road", "Public order"),
    ("2018-06-29 22:40", A, "W1", "On or near Brixton Road", "Public order"),
    ("2018-06-22 22:50", A, "W1", "On or near Brixton Road", "Violence and sexual offences"),
    ("2018-06-30 01:15", A, "W1", "On or near Brixton Road", "Public order"),          # Friday night
    ("2018-06-26 12:00", A, "W1", "On or near Brixton Road", "Public order"),          # Tuesday noon: out
    ("2018-06-30 23:10", B, "W1", "On or near Acre Lane", "Anti-social behaviour"),
    ("2018-06-23 23:20", B, "W1", "On or near Acre Lane", "Anti-social behaviour"),
    ("2018-06-29 22:00", C, "W2", "On or near Other Street", "Public order"),           # other ward
    ("2018-03-02 22:00", A, "W1", "On or near Brixton Road", "Public order"),           # before the window
    ("2018-06-29 00:00", A, "W1", "On or near Brixton Road", "Public order", False, "day"),  # no time of day
])
FRI_SAT_NIGHT = dict(area_code="W1", area_layer="wards", days=["Fri", "Sat"], start_hour=21, end_hour=4)


def test_places_in_order_with_their_hours_and_days():
    plan = patrol_plan(NIGHT, **FRI_SAT_NIGHT)
    frame = plan.frame
    assert list(frame.columns) == list(PLACE_COLUMNS)
    assert frame["place_name"].tolist() == ["Brixton Road", "Acre Lane"]
    assert frame["order"].tolist() == [1, 2]
    assert frame["incidents"].tolist() == [4.0, 2.0]
    assert plan.incidents == 6.0
    assert frame["share"].tolist() == pytest.approx([4 / 6, 2 / 6])
    # A: 22:xx three times, 01:15 once -> one hour (22:00-23:00) holds half; all four on Friday nights
    assert frame["best_hours"].tolist() == ["22:00-23:00", "23:00-00:00"]
    assert frame["best_days"].tolist() == ["Fri", "Sat"]  # one day holds all of each place's incidents
    assert frame.loc[0, "categories"] == "Public order 75%, Violence and sexual offences 25%"
    assert frame.loc[0, ["easting", "northing"]].tolist() == pytest.approx(list(A))
    assert plan.shift == "Fri, Sat 21:00-04:00"
    assert plan.start == pd.Timestamp("2018-05-06") and plan.end == pd.Timestamp("2018-06-30")
    assert plan.caveats == ["1 incidents in the area have no time of day (day- or month-only dates) and are left "
                            "out of the shift."]
    assert plan.lines()[1] == ("1. Brixton Road: be there 22:00-23:00 (Fri); 4 incidents, 67% of the area's; "
                               "Public order 75%, Violence and sexual offences 25%.")


def test_the_input_is_left_unchanged_and_h3_columns_are_used_when_present():
    before = NIGHT.copy()
    plan = patrol_plan(NIGHT, **FRI_SAT_NIGHT)
    pd.testing.assert_frame_equal(NIGHT, before)
    with_cells = NIGHT.assign(h3_10=["x"] * 5 + ["y"] * 2 + ["z"] * 3)
    assert patrol_plan(with_cells, **FRI_SAT_NIGHT).frame["h3_cell"].tolist() == ["x", "y"]
    assert plan.frame["h3_cell"].str.len().tolist() == [15, 15]


def test_window_until_and_weeks():
    # one week to Saturday 23 June: only the 22 June (Fri) and 23 June (Sat) incidents
    plan = patrol_plan(NIGHT, **FRI_SAT_NIGHT, weeks=1, until="2018-06-23")
    assert plan.frame["incidents"].tolist() == [1.0, 1.0]
    assert plan.frame["place_name"].tolist() == ["Acre Lane", "Brixton Road"] or \
        plan.frame["place_name"].tolist() == ["Brixton Road", "Acre Lane"]  # a tie: broken by cell id


def test_a_zone_column_with_several_codes():
    plan = patrol_plan(NIGHT, area_code="Z2", area_layer="zones", days=range(7), start_hour=21, end_hour=4)
    assert plan.incidents == 7.0  # W1's six (Tuesday noon is out) and W2's one
    assert patrol_plan(NIGHT, area_code="Z1", area_layer="zones", days=[4, 5], start_hour=21,
                       end_hour=4).incidents == 6.0


def test_sensitive_incidents_are_aggregated_and_never_name_a_place():
    rows = incidents([("2018-06-29 22:10", A, "W1", "On or near Secret Place", "Domestic abuse", True),
                      ("2018-06-29 22:20", A, "W1", "On or near Secret Place", "Domestic abuse", True),
                      ("2018-06-29 22:30", A, "W1", "On or near High Street", "Public order")])
    plan = patrol_plan(rows, **FRI_SAT_NIGHT)
    assert plan.frame.loc[0, "place_name"] == "High Street"
    assert plan.frame.loc[0, "categories"] == f"{SENSITIVE} 67%, Public order 33%"


def test_a_generic_text_gets_the_street_beside_it():
    generic = [("2018-06-29 10:00", (520000.0 + 1000 * k, 170000.0), f"X{k}", "On or near Supermarket", "Shoplifting")
               for k in range(6)]
    rows = incidents(generic + [("2018-06-29 22:10", A, "W1", "On or near Supermarket", "Public order"),
                                ("2018-06-29 22:20", A, "W1", "On or near Supermarket", "Public order"),
                                ("2018-06-29 22:30", A, "W1", "On or near High Street", "Public order"),
                                ("2018-06-29 23:30", B, "W1", "On or near Supermarket", "Public order")])
    plan = patrol_plan(rows, **FRI_SAT_NIGHT)
    assert plan.frame["place_name"].tolist() == ["Supermarket near High Street", "Supermarket near High Street"]


def test_police_uk_generic_words_are_known_in_one_ward_too():
    rows = incidents([("2018-06-29 22:10", A, "W1", "On or near Nightclub", "Public order"),
                      ("2018-06-29 22:20", A, "W1", "On or near Nightclub", "Public order"),
                      ("2018-06-29 22:30", A, "W1", "On or near Above Bar Street", "Public order")])
    plan = patrol_plan(rows, **FRI_SAT_NIGHT)
    assert plan.frame.loc[0, "place_name"] == "Nightclub near Above Bar Street"  # the same words as a tasking list


def test_nothing_in_the_shift_is_an_empty_plan_with_the_columns():
    plan = patrol_plan(NIGHT, area_code="W1", area_layer="wards", days=["Monday"], start_hour=6, end_hour=7)
    assert plan.frame.empty and list(plan.frame.columns) == list(PLACE_COLUMNS)
    assert "No incidents in W1 during Mon 06:00-07:00" in plan.caveats[-1]


def test_a_whole_day_shift():
    plan = patrol_plan(NIGHT, area_code="W1", area_layer="wards", days=range(7), start_hour=0, end_hour=24)
    assert plan.shift == "every day, all day"
    assert plan.incidents == 7.0  # Tuesday noon counts now


@pytest.mark.parametrize(("change", "message"), [
    ({"start_hour": 25}, r"'start_hour' parameter of patrol_plan must be an int in the range \[0, 23\]. Got 25"),
    ({"days": ["Fryday"]}, "'Fryday' is not a day"),
    ({"days": []}, "choose at least one day"),
    ({"area_layer": "parishes"}, "no area layer 'parishes'"),
    ({"weeks": 0}, r"'weeks' parameter of patrol_plan must be an int in the range \[1, 104\]. Got 0"),
])
def test_errors_say_what_to_fix(change, message):
    with pytest.raises(TaskingError, match=message):
        patrol_plan(NIGHT, **(FRI_SAT_NIGHT | change))


def test_the_printable_plan_is_one_pdf_page(tmp_path):
    plan = patrol_plan(NIGHT, **FRI_SAT_NIGHT, area_name="Ward One")
    data = patrol_plan_pdf(plan, tmp_path / "plan.pdf", outline=shapely.box(529500, 174500, 531500, 175500))
    assert data.startswith(b"%PDF") and (tmp_path / "plan.pdf").read_bytes() == data
    assert re.findall(rb"/Count \d+", data) == [b"/Count 1"]  # the page tree holds one page


def test_a_shift_that_is_a_time_band_is_named_by_its_label(tmp_path):
    bands = TimeBands.load()
    assert shift_label(bands, PatrolRequest("wards", "W1", ("Friday", "sat"), 21, 4)) == "Night-time economy"
    assert shift_label(bands, PatrolRequest("wards", "W1", tuple(DAY_NAMES), 9, 18)) == "Daytime"
    assert shift_label(bands, PatrolRequest("wards", "W1", ("Fri",), 21, 4)) == ""  # not the band's days
    plan = patrol_plan(NIGHT, **FRI_SAT_NIGHT, area_name="Ward One", shift_label="Night-time economy")
    assert plan.title == "Patrol plan: Ward One, Night-time economy (Fri, Sat 21:00-04:00)"
    patrol_plan_pdf(plan, tmp_path / "plan.pdf", outline=shapely.box(529500, 174500, 531500, 175500))
    if shutil.which("pdftotext"):
        text = " ".join(subprocess.run(["pdftotext", "-layout", str(tmp_path / "plan.pdf"), "-"], capture_output=True,
                                       text=True, check=True).stdout.split())
        assert "Night-time economy (Fri, Sat 21:00-04:00)" in text and not re.search(r"\bnte\b", text)
    with pytest.raises(TypeError, match="'shift_label' parameter of patrol_plan must be a str"):
        patrol_plan(NIGHT, **FRI_SAT_NIGHT, shift_label=None)


def test_place_profile_counts_inside_the_outline_per_period():
    rows = incidents([("2018-06-29 22:10", A, "W1", "", "Public order"),             # review week, Friday 22h
                      ("2018-06-25 09:05", A, "W1", "", "Drugs"),                    # review week, Monday 9h
                      ("2018-06-20 22:00", A, "W1", "", "Public order"),             # one week before
                      ("2018-06-29 22:10", A, "W1", "", "Domestic abuse", True),     # sensitive
                      ("2018-06-29 22:10", B, "W1", "", "Public order")])            # outside the outline
    before = rows.copy()
    profile = place_profile(rows, shapely.box(529900, 174900, 530100, 175100), period="2018-06-25",
                            baseline_periods=2)
    pd.testing.assert_frame_equal(rows, before)
    assert profile.trend["period"].tolist() == ["2018-06-11", "2018-06-18", "2018-06-25"]
    assert profile.trend["incidents"].iloc[1:].tolist() == [1.0, 3.0]
    assert pd.isna(profile.trend["incidents"].iloc[0])  # before the data start: missing, not zero
    assert profile.hour_of_week.loc["Friday", 22] == 2.0 and profile.hour_of_week.loc["Monday", 9] == 1.0
    assert profile.hour_of_week.to_numpy().sum() == 3.0
    assert profile.categories["category"].tolist() == ["Drugs", "Public order", SENSITIVE]
    assert profile.categories["share"].sum() == pytest.approx(1.0)
    nte = place_profile(rows, shapely.box(529900, 174900, 530100, 175100), period="2018-06-25", band="nte",
                        baseline_periods=2)
    assert nte.trend["incidents"].iloc[1:].tolist() == [0.0, 2.0]  # Wednesday is not a night-time economy night


def test_a_place_busy_on_both_nights_names_both_with_their_shares():
    """The demo's Balham on Friday and Saturday nights: ties used to go to Friday alone."""
    from hotspot_tasking import DEMO_WORKSPACE
    from hotspot_tasking.geo.workspace import Workspace
    from hotspot_tasking.pipeline.patrol import PatrolRequest, plan_patrol

    ws = Workspace.open(DEMO_WORKSPACE)
    wards = ws.read_layer("ward_2014")
    balham = wards.loc[wards["name"] == "Balham", "code"].item()
    frame = plan_patrol(ws, PatrolRequest("ward_2014", balham, ("Friday", "Saturday"), 21, 4)).frame
    days = dict(zip(frame["place_name"], frame["best_days"], strict=True))
    assert days["Hazelbourne Road"] == "Fri 50%, Sat 50%"
    assert days["Rinaldo Road"] == "Fri 75%, Sat 25%"
    assert set(frame["best_days"]) != {"Fri"}
