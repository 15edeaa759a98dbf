"""Comparing areas on month-only records (police.uk): whole months, baselines in whole months,
missing baselines as missing, and one sentence for every period changed, empty result, area
not judged and hour-of-week panel. Hand-made incidents with hand-checked answers."""

import numpy as np
import pandas as pd
import pytest
from test_compare import JUNE, incidents, toy

from hotspot_tasking.boundaries.compare import compare_areas, has_time_of_day
from hotspot_tasking.pipeline.areas import AreaNotes, comparison_notes, months_only


def months(rows, source="police_uk"):
    """``rows``: (month, area, count): police.uk-style records known only to their month."""
    out = []
    for month, area, n in rows:
        first = pd.Timestamp(f"{month}-01")
        last = first + pd.offsets.MonthEnd(0) + pd.Timedelta(hours=23, minutes=59)
        out += [(str(first), str(last), area, "Burglary", 1.0, "month")] * n
    return incidents(out).assign(source=source)


# September has 30 days: the 30 days before it (2 to 31 August) hold no month-only record
POLICE = months([("2016-09", "A", 10), ("2017-07", "A", 4), ("2017-08", "A", 8), ("2017-09", "A", 6),
                 ("2017-08", "B", 2), ("2017-09", "B", 3)])


def compare(inc, start, end, **kwargs):
    return compare_areas(inc, layer="ward", codes=["A", "B"], start=start, end=end, targets=5.0,
                         whole_months=months_only(inc), **kwargs)


def test_whole_months_compare_a_month_with_the_month_before_and_a_year_before():
    assert months_only(POLICE) and not months_only(toy())
    result = compare(POLICE, "2017-09-01", "2017-09-30")
    assert result.every == "month"
    assert (result.period, result.previous, result.last_year) == (
        ("2017-09-01", "2017-09-30"), ("2017-08-01", "2017-08-31"), ("2016-09-01", "2016-09-30"))
    t = result.table.set_index("area_code")
    assert t["incidents"].tolist() == [6, 3] and t["previous_incidents"].tolist() == [8, 2]
    assert t.loc["A", "last_year_incidents"] == 10 and t.loc["B", "last_year_incidents"] == 0
    assert t.loc["A", "rag"] == "green"  # 6 against 8: -25 %
    by_days = compare_areas(POLICE, layer="ward", codes=["A"], start="2017-09-01", end="2017-09-30").table
    assert np.isnan(by_days["previous_incidents"].item())  # why days do not work on months: August is missed


def test_a_period_is_rounded_out_to_the_months_it_touches():
    short = compare(POLICE, "2017-09-10", "2017-09-20")
    assert short.period == ("2017-09-01", "2017-09-30") and short.table["incidents"].tolist() == [6, 3]
    two = compare(POLICE, "2017-08-15", "2017-09-10")
    assert two.period == ("2017-08-01", "2017-09-30") and two.previous == ("2017-06-01", "2017-07-31")
    assert two.table["incidents"].tolist() == [14, 5] and two.table["previous_incidents"].tolist() == [4, 0]
    leap = compare(months([("2017-02", "A", 1)]), "2017-02-01", "2017-02-28")
    assert leap.last_year == ("2016-02-01", "2016-02-29")


def test_a_window_without_any_record_is_missing_not_zero():
    result = compare(POLICE, "2016-09-01", "2016-09-30", baseline="previous")
    t = result.table.set_index("area_code")
    assert np.isnan(t.loc["A", "previous_incidents"]) and np.isnan(t.loc["A", "change_vs_previous_pct"])
    assert t.loc["A", "status"] == "Not judged: no baseline"
    assert result.first_day == "2016-09-01"


def test_no_incident_in_the_period_is_an_empty_comparison_not_an_error():
    result = compare(POLICE, "2017-10-01", "2017-10-31")
    assert result.table["incidents"].tolist() == [0, 0] and result.records == 0
    assert (result.hour_of_week["share_pct"] == 0).all()


def test_which_records_have_a_time_of_day():
    inc = incidents([("2018-06-04 22:00", None, "A", "V", 1.0, "minute"),
                     ("2018-06-04 00:00", "2018-06-04 23:59", "A", "V", 1.0, "day"),
                     ("2018-06-01 00:00", "2018-06-30 23:59", "A", "V", 1.0, "month"),
                     ("2018-06-01 00:00", "2018-06-20 00:00", "A", "V", 1.0, "minute")])  # over a week
    assert has_time_of_day(inc).tolist() == [True, False, False, False]


# --- what the page says ------------------------------------------------------------------------------

def notes(inc, start, end, **kwargs):
    label = kwargs.pop("band_label", "")
    result = compare(inc, start, end, **kwargs)
    return result, comparison_notes(result, inc, start=start, end=end, band_label=label)


def test_the_period_rounded_to_months_is_said_in_one_sentence():
    assert notes(POLICE, "2017-09-01", "2017-09-30")[1].period == ""
    assert notes(POLICE, "2017-09-10", "2017-09-20")[1].period == (
        "The period 10/09/2017 to 20/09/2017 is shorter than a month and police.uk gives months only, so the month "
        "it touches, September 2017, is compared instead.")
    assert notes(POLICE, "2017-08-25", "2017-09-05")[1].period == (
        "The period 25/08/2017 to 05/09/2017 is shorter than a month and police.uk gives months only, so the months "
        "it touches, August 2017 to September 2017, are compared instead.")
    assert notes(POLICE, "2017-07-15", "2017-09-10")[1].period == (
        "The period 15/07/2017 to 10/09/2017 is compared as whole months, July 2017 to September 2017, because "
        "police.uk gives months only.")


def test_no_hour_grid_without_times_of_day_and_the_share_when_some_have_one():
    said = notes(POLICE, "2017-09-01", "2017-09-30")[1]
    assert said.hours == ("No hour-of-week grid: none of the 9 incidents in A and B in September 2017 has a time of "
                          "day (police.uk gives months only).")
    mixed = compare_areas(toy(), layer="ward", codes=["A", "C"], start=JUNE[0], end=JUNE[1])
    toy_said = comparison_notes(mixed, toy(), start=JUNE[0], end=JUNE[1])
    assert (mixed.records, mixed.timed) == (18, 16)
    assert toy_said.hours == ("Hour of week from the records with a time of day: times of day from 16 of 18 records "
                              "(89%).")
    assert toy_said.period == "" and toy_said.empty == ""


def test_an_hour_band_on_month_only_records_says_why_it_is_empty():
    weights = pd.Series(0.0, index=POLICE.index)
    result, said = notes(POLICE, "2017-09-01", "2017-09-30", band_weights=weights, band_label="Night-time economy")
    assert said.empty == ("None of the 9 incidents in A and B in September 2017 has a time of day (police.uk gives "
                          "months only), so none falls in the 'Night-time economy' band; use all times.")
    assert notes(POLICE, "2017-10-01", "2017-10-31")[1].empty == (
        "No incidents in A and B in October 2017; choose a longer period, other areas or more categories.")


def test_every_area_not_judged_says_why():
    first = notes(POLICE, "2016-09-01", "2016-09-30")[1]
    assert first.not_judged == ("Not judged: the data start on 01/09/2016, after the previous equal period (August "
                                "2016), so there is no baseline; choose a later period.",)
    gap = notes(POLICE, "2017-06-01", "2017-06-30")[1]  # May 2017 holds no record at all; June 2016 is too early
    assert gap.not_judged == ("Not judged: there are no records at all in May 2017 (the previous equal period), "
                              "probably missing data, so there is no baseline; import those months.",)
    gapped = notes(POLICE, "2017-10-01", "2017-10-31", baseline="last_year")[1]  # October 2016 holds no record
    assert gapped.not_judged == ("Not judged: there are no records at all in October 2016 (the same months last "
                                 "year), probably missing data, so there is no baseline; judge against the previous "
                                 "equal period or import those months.",)
    none_before = notes(POLICE, "2017-08-01", "2017-08-31")[1]  # July: A had 4, B none; August 2016 is too early
    assert none_before.not_judged == ("Not judged: B had no incidents in the previous equal period (July 2017), so no "
                                      "change can be worked out; choose a longer period.",)
    no_target = compare_areas(POLICE, layer="ward", codes=["A"], start="2017-09-01", end="2017-09-30",
                              whole_months=True)
    assert comparison_notes(no_target, POLICE, start="2017-09-01", end="2017-09-30").not_judged == (
        "Not judged: A has no target; give a reduction for it.",)
    assert isinstance(first, AreaNotes)


def test_the_notes_check_their_inputs():
    result = compare(POLICE, "2017-09-01", "2017-09-30")
    with pytest.raises(TypeError, match="'comparison' parameter of comparison_notes must be an AreaComparison"):
        comparison_notes(result.table, POLICE, start="2017-09-01", end="2017-09-30")
