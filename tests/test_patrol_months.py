"""Patrol plans on records with no time of day (police.uk gives months only): the month's places,
not split by shift, with one note saying why; mixed records say how many give the hours.
Hand-made incidents with hand-checked answers."""

import re

import pandas as pd
import pytest
import shapely
from test_patrol import FRI_SAT_NIGHT, NIGHT, A, B, C, incidents

from hotspot_tasking.errors import TaskingError
from hotspot_tasking.geo.schema import LOCAL_TZ
from hotspot_tasking.patrol.plan import NO_HOURS, WHOLE_MONTH, patrol_plan
from hotspot_tasking.patrol.words import no_time_of_day_reason
from hotspot_tasking.pipeline.patrol import PatrolRequest, untimed_months
from hotspot_tasking.reports.patrol_pdf import patrol_plan_pdf, plan_words


def month_only(rows, source="police_uk"):
    """``rows``: (month, spot, ward, text, category): records known only to their month, as police.uk gives them."""
    frame = incidents([(f"{m}-01 00:00", spot, ward, text, category, False, "month")
                       for m, spot, ward, text, category in rows])
    first = frame["occurred_from"].dt.tz_localize(None)
    last = first + pd.offsets.MonthEnd(0) + pd.Timedelta(hours=23, minutes=59)
    return frame.assign(occurred_to=last.dt.tz_localize(LOCAL_TZ), source=source)


MONTHS = month_only([("2018-06", A, "W1", "On or near Brixton Road", "Public order")] * 3
                    + [("2018-06", B, "W1", "On or near Acre Lane", "Burglary")] * 2
                    + [("2018-06", C, "W2", "On or near Other Street", "Public order")]            # other ward
                    + [("2018-05", A, "W1", "On or near Brixton Road", "Drugs")] * 4)              # a month before
JUNE_NOTE = ("The records give no times of day (police.uk gives months only), so these places are for the whole "
             "of June 2018 and are not split by shift.")


def test_month_only_records_give_the_months_places_not_split_by_shift():
    before = MONTHS.copy()
    plan = patrol_plan(MONTHS, **FRI_SAT_NIGHT)
    pd.testing.assert_frame_equal(MONTHS, before)
    assert not plan.by_shift and plan.month == "June 2018"
    assert plan.title == "Patrol plan: W1, June 2018"
    assert (plan.start, plan.end) == (pd.Timestamp("2018-06-01"), pd.Timestamp("2018-06-30"))
    assert plan.summary == "June 2018, 01/06/2018 to 30/06/2018: 5 incidents in the area."
    frame = plan.frame
    assert frame["place_name"].tolist() == ["Brixton Road", "Acre Lane"]
    assert frame["incidents"].tolist() == [3.0, 2.0] and frame["share"].tolist() == pytest.approx([0.6, 0.4])
    assert (frame["best_hours"] == NO_HOURS).all() and (frame["best_days"] == WHOLE_MONTH).all()
    assert plan.time_note == JUNE_NOTE and plan.caveats == [JUNE_NOTE]  # one note, nothing about shifts
    assert plan.lines()[1] == "1. Brixton Road: 3 incidents, 60% of the area's; Public order 100%."
    assert plan.card.data["shift"] == "Not split by shift: no record has a time of day"


def test_a_month_chosen_and_a_month_without_records():
    may = patrol_plan(MONTHS, **FRI_SAT_NIGHT, month="2018-05")
    assert may.title == "Patrol plan: W1, May 2018" and may.frame["incidents"].tolist() == [4.0]
    assert may.frame.loc[0, "categories"] == "Drugs 100%"
    april = patrol_plan(MONTHS, **FRI_SAT_NIGHT, month="2018-04")
    assert april.frame.empty and april.caveats == ["No incidents in W1 in April 2018; choose another month."]


def test_the_note_names_what_the_dates_give_when_not_police_uk():
    plan = patrol_plan(month_only([("2018-06", A, "W1", "High Street", "Public order")], source="council_asb"),
                       **FRI_SAT_NIGHT)
    assert plan.time_note.startswith("The records give no times of day (the records' dates give the month only), ")
    assert no_time_of_day_reason(NIGHT.iloc[[-1]]) == "the records' dates give the day only"


def test_mixed_records_say_how_many_give_the_hours_and_timed_ones_are_unchanged():
    plan = patrol_plan(NIGHT, **FRI_SAT_NIGHT)  # seven of W1's eight records in the window have a time of day
    assert plan.by_shift and plan.summary == ("8 weeks, 06/05/2018 to 30/06/2018: 6 incidents in the area during the "
                                              "shift; times of day from 7 of 8 records (88%).")
    timed = patrol_plan(NIGHT.iloc[:-1], **FRI_SAT_NIGHT)
    assert timed.summary == "8 weeks, 06/05/2018 to 30/06/2018: 6 incidents in the area during the shift."
    assert timed.caveats == [] and timed.time_note == ""


def test_a_timed_month_chosen_is_a_shift_plan_over_that_month():
    plan = patrol_plan(NIGHT, **FRI_SAT_NIGHT, month="2018-06")
    assert plan.by_shift and plan.title == "Patrol plan: W1, Fri, Sat 21:00-04:00"
    assert plan.summary.startswith("June 2018, 01/06/2018 to 30/06/2018: 6 incidents in the area during the shift")


@pytest.mark.parametrize(("month", "error", "message"), [
    ("2018-13", TaskingError, "patrol plan: '2018-13' is not a calendar month; write it as 2017-08."),
    (201806, TypeError, "The 'month' parameter of patrol_plan must be a str such as '2017-08' or None. Got 201806"),
])
def test_a_bad_month_says_how_to_write_it(month, error, message):
    with pytest.raises(error, match=re.escape(message)):
        patrol_plan(MONTHS, **FRI_SAT_NIGHT, month=month)


def test_the_months_on_offer_and_the_request():
    assert untimed_months(MONTHS, "wards", "W1") == ["2018-06", "2018-05"]
    assert untimed_months(NIGHT, "wards", "W1") == []  # some records have a time of day: plan by shift
    assert untimed_months(MONTHS, "wards", "W9") == []
    assert PatrolRequest("wards", "W1", ("Fri",), 21, 4, month="2018-06").month == "2018-06"
    with pytest.raises(TypeError, match="'month' parameter of PatrolRequest must be a str"):
        PatrolRequest("wards", "W1", ("Fri",), 21, 4, month=6)


def test_the_printable_plan_has_no_hours_or_days_columns_and_says_why(tmp_path):
    plan = patrol_plan(MONTHS, **FRI_SAT_NIGHT, area_name="Ward One")
    intro, table, notes = plan_words(plan)
    assert intro.endswith(f"Places in order of incidents in the month. {JUNE_NOTE}")
    assert table[0] == ["#", "Place", "Incidents", "Mostly"]
    assert table[1] == ["1", "Brixton Road", "3 (60%)", "Public order 100%"]
    assert JUNE_NOTE not in notes  # said once, under the title
    data = patrol_plan_pdf(plan, tmp_path / "plan.pdf", outline=shapely.box(529500, 174500, 531500, 175500))
    assert re.findall(rb"/Count \d+", data) == [b"/Count 1"]
    assert plan_words(patrol_plan(NIGHT, **FRI_SAT_NIGHT))[1][0] == ["#", "Place", "Be there", "Days", "Incidents",
                                                                     "Mostly"]
