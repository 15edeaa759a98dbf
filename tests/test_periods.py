"""hotspot_tasking.periods: review periods on pandas.Period, their one wording, date ranges and labels.

Every expected value here was worked out by hand from a calendar (3 July 2017 was a Monday;
in 2017 the clocks went forward on Sunday 26 March and back on Sunday 29 October).
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from hotspot_tasking.boundaries.stats import assign_periods
from hotspot_tasking.errors import PeriodError
from hotspot_tasking.periods import (
    ReviewPeriod,
    date_range,
    describe_period,
    period_for_dates,
    period_labels,
    periods_between,
    review_period,
)

LONDON = "Europe/London"


# --- reading periods ------------------------------------------------------------------------

def test_months_weeks_and_iso_weeks_are_read_by_hand():
    july = review_period("2017-07")
    assert (july.every, july.label, july.start, july.end) == (
        "month", "2017-07", pd.Timestamp("2017-07-01"), pd.Timestamp("2017-07-31"))
    assert july.period == pd.Period("2017-07", freq="M")
    week = review_period("2017-07-03")
    assert (week.every, week.label, week.start, week.end) == (
        "week", "2017-07-03", pd.Timestamp("2017-07-03"), pd.Timestamp("2017-07-09"))
    assert week.period == pd.Period("2017-07-05", freq="W-SUN")
    assert review_period("2017-W27") == week and review_period(" 2017-w27 ") == week
    assert review_period("2019-W01").label == "2018-12-31"  # ISO week 1 of 2019 starts in 2018
    assert review_period("2020-W53").label == "2020-12-28"
    assert review_period("2016-02").end == pd.Timestamp("2016-02-29")
    assert week.start.tzinfo is None and week.start == week.start.normalize()
    assert review_period("2017-07", "month") == july


def test_periods_are_equal_and_hashed_by_value():
    assert len({review_period("2017-W27"), review_period("2017-07-03"), ReviewPeriod.of("2017-07-09", "week")}) == 1
    assert review_period("2018-01") != review_period("2018-01-01")  # a month and a week starting the same Monday
    assert ReviewPeriod.of(pd.Timestamp("2017-07-31 23:59"), "month") == review_period("2017-07")


def test_wrong_periods_keep_their_messages():
    with pytest.raises(PeriodError, match=r"^period '2017-07-05' is a Wednesday; a weekly period starts on a "
                                          r"Monday: use 2017-07-03 \(or the month 2017-07\)\.$"):
        review_period("2017-07-05")
    with pytest.raises(PeriodError, match=r"^period '2017-07' is a month but every='week'; write a Monday such "
                                          r"as 2017-07-03\.$"):
        review_period("2017-07", "week")
    for text in ("July", "2017-13", "2021-W53", "2017-W"):
        with pytest.raises(PeriodError, match=rf"^period '{text}' is not a review period; write a month"):
            review_period(text)
    with pytest.raises(TypeError, match="The 'period' parameter of review_period must be a str"):
        review_period(201707)
    with pytest.raises(TypeError, match="must be a pandas.Period"):
        ReviewPeriod("2017-07")
    with pytest.raises(PeriodError, match="'D' period is not a review period"):
        ReviewPeriod(pd.Period("2017-07-03", freq="D"))
    with pytest.raises(PeriodError, match="The 'every' parameter of ReviewPeriod.of must be one of 'week', 'month'"):
        ReviewPeriod.of("2017-07-03", "fortnight")


def test_shifted_crosses_year_ends():
    assert review_period("2017-12").shifted(1).label == "2018-01"
    assert review_period("2018-01").shifted(-13).label == "2016-12"
    assert review_period("2017-12-25").shifted(1).label == "2018-01-01"
    assert review_period("2018-01-01").shifted(-52).label == "2017-01-02"
    assert review_period("2017-07").shifted(np.int64(2)).label == "2017-09"
    with pytest.raises(TypeError, match="'periods' parameter of ReviewPeriod.shifted must be an int"):
        review_period("2017-07").shifted(1.0)


# --- the one wording --------------------------------------------------------------------------

def test_describe_is_the_one_wording():
    assert review_period("2017-07").describe() == "July 2017"
    assert review_period("2017-07-03").describe() == "the week beginning 3 July 2017"
    assert review_period("2018-W01").describe() == "the week beginning 1 January 2018"
    assert review_period("2017-12-25").describe() == "the week beginning 25 December 2017"


def test_describe_period_for_any_stored_text():
    assert describe_period("2017-07") == "July 2017"
    assert describe_period("2017-07-03") == "the week beginning 3 July 2017"
    assert describe_period(" 2017-W27 ") == "the week beginning 3 July 2017"
    assert describe_period("2017-07-01/2017-07-31") == "1 July 2017 to 31 July 2017"
    assert describe_period("2017-07-01:2017-07-31") == "1 July 2017 to 31 July 2017"
    assert describe_period("2017-12-28 to 2018-01-03") == "28 December 2017 to 3 January 2018"
    # not a period: display text, shown as given
    for text in ("last summer", "2017-13", "2017-07-05", "2017-02-30/2017-03-01", "", "2017-07-01/"):
        assert describe_period(text) == text
    with pytest.raises(TypeError, match="The 'text' parameter of describe_period must be a str"):
        describe_period(None)


# --- date ranges ------------------------------------------------------------------------------

def test_date_range_reads_what_people_type():
    assert date_range("2017") == ("2017-01-01", "2017-12-31")
    assert date_range("2016-02") == ("2016-02-01", "2016-02-29")
    assert date_range("2017-07-05") == ("2017-07-05", "2017-07-05")
    assert date_range("2017-06-01:2017-08-31") == ("2017-06-01", "2017-08-31")
    assert date_range(" 01/06/2017 : 31/08/2017 ") == ("2017-06-01", "2017-08-31")  # UK dates, day first
    with pytest.raises(PeriodError, match=r"^--period 'last summer' is not a period; write 2017, 2017-07, "
                                          r"2017-07-03 or 2017-06-01:2017-08-31\.$"):
        date_range("last summer")
    with pytest.raises(PeriodError, match=r"^--period '2017-08-01:2017-06-01' ends before it starts; "
                                          r"swap the dates\.$"):
        date_range("2017-08-01:2017-06-01")


def test_period_for_dates_and_its_notes():
    assert period_for_dates("2017-07-01", "2017-07-31") == (review_period("2017-07"), "")
    assert period_for_dates("2017-07-03", "2017-07-09") == (review_period("2017-07-03"), "")
    assert period_for_dates("2017-06-26", "2017-07-02") == (review_period("2017-06-26"), "")  # a week over a month end
    assert period_for_dates("2017-12-25", "2017-12-31") == (review_period("2017-12-25"), "")
    assert period_for_dates(dt.date(2016, 2, 1), pd.Timestamp("2016-02-29")) == (review_period("2016-02"), "")
    period, note = period_for_dates("2017-07-02", "2017-07-20")
    assert period == review_period("2017-07")
    assert note == ("The dates 02/07/2017 to 20/07/2017 are not a whole month or a week from a Monday; "
                    "the list is for July 2017, the month they end in.")
    period, note = period_for_dates("2017-07-04", "2017-07-10")  # seven days, but from a Tuesday
    assert period == review_period("2017-07") and note.startswith("The dates 04/07/2017 to 10/07/2017 are not")
    period, note = period_for_dates("2017-12-18", "2018-01-03")
    assert period == review_period("2018-01") and note.endswith("the list is for January 2018, the month they end in.")
    with pytest.raises(PeriodError, match="the end date 01/07/2017 is before the start 31/07/2017; swap them"):
        period_for_dates("2017-07-31", "2017-07-01")
    with pytest.raises(PeriodError, match="The 'start' parameter of period_for_dates must be a date such as"):
        period_for_dates("soon", "2017-07-01")


# --- lists of periods ---------------------------------------------------------------------------

def test_periods_between_across_a_year_end_newest_first():
    weeks = periods_between("2017-12-20", "2018-01-10", "week")
    assert [p.label for p in weeks] == ["2018-01-08", "2018-01-01", "2017-12-25", "2017-12-18"]
    months = periods_between(pd.Timestamp("2017-11-15 08:00"), pd.Timestamp("2018-02-01 00:00"), "month")
    assert [p.label for p in months] == ["2018-02", "2018-01", "2017-12", "2017-11"]
    assert [p.label for p in periods_between("2017-07-05", "2017-07-05", "week")] == ["2017-07-03"]
    assert [p.is_complete("2018-01-10") for p in weeks] == [False, True, True, True]
    with pytest.raises(PeriodError, match="the last day 01/12/2017 is before the first day 20/12/2017; swap them"):
        periods_between("2017-12-20", "2017-12-01", "week")
    with pytest.raises(PeriodError, match="The 'every' parameter of periods_between must be one of 'week', 'month'. "
                                          "Got 'day' instead."):
        periods_between("2017-12-20", "2018-01-10", "day")


def test_periods_between_over_the_british_clock_changes():
    # 23:30 UTC on Sunday 26 March 2017 is 00:30 BST on Monday 27 March: the next week
    spring = periods_between(pd.Timestamp("2017-03-20 00:00", tz=LONDON), pd.Timestamp("2017-03-26 23:30", tz="UTC"),
                             "week")
    assert [p.label for p in spring] == ["2017-03-27", "2017-03-20"]
    assert review_period("2017-03-20").end == pd.Timestamp("2017-03-26")  # still seven days
    # 23:30 UTC on Sunday 29 October 2017 is 23:30 GMT, still Sunday: the same week
    autumn = periods_between(pd.Timestamp("2017-10-23 00:00", tz=LONDON), pd.Timestamp("2017-10-29 23:30", tz="UTC"),
                             "week")
    assert [p.label for p in autumn] == ["2017-10-23"]
    assert autumn[0].is_complete(pd.Timestamp("2017-10-29 23:30", tz="UTC"))
    assert not review_period("2017-03-20").is_complete(pd.Timestamp("2017-03-25 23:30", tz="UTC"))


def test_is_complete_by_hand():
    july = review_period("2017-07")
    assert july.is_complete("2017-07-31") and july.is_complete(dt.date(2017, 8, 2))
    assert not july.is_complete(pd.Timestamp("2017-07-30 23:59"))


# --- many timestamps at once --------------------------------------------------------------------

STAMPS = pd.Series(pd.to_datetime([
    "2017-07-02 23:59", "2017-07-03 00:00", "2017-07-09 23:59", "2017-07-10 00:00", "2016-12-31 12:00",
    "2018-01-01 00:00", "2017-03-26 01:30", "2017-10-29 01:30", "2017-02-28 23:59",
]), index=[10, 11, 12, 13, 14, 15, 16, 17, 18])


def _index_by_loop(review: ReviewPeriod, stamps: pd.Series) -> list[int]:
    out = []
    for stamp in stamps:
        k = 0
        while stamp.normalize() < review.shifted(k).start:
            k -= 1
        while stamp.normalize() > review.shifted(k).end:
            k += 1
        out.append(k)
    return out


@pytest.mark.parametrize("text", ["2017-07", "2017-07-03", "2017-01", "2017-03-27"])
def test_index_agrees_with_a_loop(text):
    review = review_period(text)
    got = review.index(STAMPS)
    assert got.dtype == np.int64 and got.flags.writeable
    assert got.tolist() == _index_by_loop(review, STAMPS)


def test_index_by_hand_and_with_time_zones():
    week = review_period("2017-07-03")
    assert week.index(STAMPS.iloc[:4]).tolist() == [-1, 0, 0, 1]
    assert review_period("2017-07").index(STAMPS.iloc[4:6]).tolist() == [-7, 6]
    aware = pd.Series([pd.Timestamp("2017-03-26 23:30", tz="UTC")])  # 00:30 BST on Monday 27 March
    assert review_period("2017-03-20").index(aware).tolist() == [1]
    with pytest.raises(PeriodError, match=r"ReviewPeriod.index: 1 of 2 timestamps are missing \(NaT\)"):
        week.index(pd.Series(pd.to_datetime(["2017-07-03 10:00", None])))
    with pytest.raises(TypeError, match="'local' parameter of ReviewPeriod.index must be a pandas Series "
                                        "of timestamps"):
        week.index(pd.Series(["2017-07-03"]))


@pytest.mark.parametrize("every", ["week", "month"])
def test_labels_at_once_agree_with_one_at_a_time(every):
    labels = period_labels(STAMPS, every)
    assert labels.index.equals(STAMPS.index) and labels.dtype == "str"
    assert labels.tolist() == [ReviewPeriod.of(t, every).label for t in STAMPS]


def test_labels_by_hand():
    week = period_labels(STAMPS, "week").tolist()
    assert week[:6] == ["2017-06-26", "2017-07-03", "2017-07-03", "2017-07-10", "2016-12-26", "2018-01-01"]
    month = period_labels(STAMPS, "month").tolist()
    assert month[:6] == ["2017-07", "2017-07", "2017-07", "2017-07", "2016-12", "2018-01"]
    with_nat = pd.Series(pd.to_datetime(["2017-07-03 10:00", None]))
    assert period_labels(with_nat, "week").tolist() == ["2017-07-03", ""]
    assert period_labels(with_nat.iloc[:0], "month").tolist() == []
    aware = pd.Series([pd.Timestamp("2017-03-26 23:30", tz="UTC")])
    assert period_labels(aware, "week").tolist() == ["2017-03-27"]


def test_assign_periods_orders_weeks_over_the_clock_changes():
    when = pd.Series(pd.to_datetime(["2017-10-22 23:00", "2017-11-06 09:00"])).dt.tz_localize(LONDON)
    inc = pd.DataFrame({"occurred_from": when, "time_precision": ["minute", "minute"]})
    periods = assign_periods(inc, "week")
    assert periods.order == ["2017-10-16", "2017-10-23", "2017-10-30", "2017-11-06"]  # the empty weeks too
    assert periods.label.tolist() == ["2017-10-16", "2017-11-06"]
    months = assign_periods(inc.assign(time_precision=["month", "minute"]), "month")
    assert months.order == ["2017-10", "2017-11"] and months.unplaced == 0
