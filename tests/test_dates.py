"""hotspot_tasking.intake.dates: the date forms partnerships' files use, time columns,
police.uk months, and the Europe/London clock changes. Expected values worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from hotspot_tasking.intake import dates

LONDON = "Europe/London"


def parse_one(text: str):
    naive, precision = dates.parse_dates(pd.Series([text]))
    return naive.iloc[0], precision.iloc[0]


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("2024-02-01T18:30:00", "2024-02-01 18:30:00", "minute"),
        ("2024-02-01T18:30", "2024-02-01 18:30:00", "minute"),
        ("2024-02-01 18:30:15", "2024-02-01 18:30:15", "minute"),
        ("2024-02-01 18:30", "2024-02-01 18:30:00", "minute"),
        ("2024-02-01", "2024-02-01 00:00:00", "day"),
        # UK day-first: 01/02/2024 is the 1st of February, never 2 January
        ("01/02/2024", "2024-02-01 00:00:00", "day"),
        ("01/02/2024 18:30", "2024-02-01 18:30:00", "minute"),
        ("01/02/2024 18:30:15", "2024-02-01 18:30:15", "minute"),
        ("13/02/2016", "2016-02-13 00:00:00", "day"),
        ("1/2/2024", "2024-02-01 00:00:00", "day"),
        # the London Fire Brigade's DateOfCall
        ("01 Jan 2009", "2009-01-01 00:00:00", "day"),
        ("01 January 2009", "2009-01-01 00:00:00", "day"),
        ("01 Jan 2009 18:30", "2009-01-01 18:30:00", "minute"),
        # police.uk's Month
        ("2016-01", "2016-01-01 00:00:00", "month"),
        # surrounding spaces are ignored
        ("  2024-02-01  ", "2024-02-01 00:00:00", "day"),
    ],
)
def test_accepted_forms(text, expected, precision):
    naive, got_precision = parse_one(text)
    assert naive == pd.Timestamp(expected)
    assert naive.tzinfo is None
    assert got_precision == precision


@pytest.mark.parametrize("text", ["", "   ", "31/02/2016", "2024-02-30", "13/13/2024", "last Friday night",
                                  "2016-13", "24/02/2016 25:00"])
def test_not_dates_are_nat_with_blank_precision(text):
    naive, precision = parse_one(text)
    assert pd.isna(naive)
    assert precision == ""


def test_parse_dates_keeps_the_index_and_leaves_the_input_alone():
    text = pd.Series(["01/02/2024", "2016-01", "nonsense", "01/02/2024"], index=[10, 20, 30, 40])
    before = text.copy()
    naive, precision = dates.parse_dates(text)
    pd.testing.assert_series_equal(text, before)
    assert list(naive.index) == [10, 20, 30, 40]
    assert list(precision) == ["day", "month", "", "day"]
    assert naive[40] == pd.Timestamp("2024-02-01")


def test_separate_time_column_gives_minute_precision():
    naive, precision = dates.combine(
        pd.Series(["13/02/2016", "06/02/2016", "13/02/2016", "13/02/2016", "bad"]),
        pd.Series(["23:49", "", "25:61", "23:49:30", "12:00"]),
    )
    assert naive[0] == pd.Timestamp("2016-02-13 23:49")
    assert precision[0] == "minute"
    # a blank time leaves the date at day precision
    assert naive[1] == pd.Timestamp("2016-02-06")
    assert precision[1] == "day"
    # a time that is not a time makes the whole row unparsed (rejected, not guessed)
    assert pd.isna(naive[2])
    assert precision[2] == ""
    assert naive[3] == pd.Timestamp("2016-02-13 23:49:30")
    assert precision[3] == "minute"
    assert pd.isna(naive[4])


def test_combine_leaves_inputs_alone():
    date_text = pd.Series(["13/02/2016", "06/02/2016"])
    time_text = pd.Series(["23:49", "x"])
    before = (date_text.copy(), time_text.copy())
    dates.combine(date_text, time_text)
    pd.testing.assert_series_equal(date_text, before[0])
    pd.testing.assert_series_equal(time_text, before[1])


def test_parse_times():
    got = dates.parse_times(pd.Series(["18:30", "18:30:15", "00:00", "", "24:00", "6pm"]))
    assert got[0] == pd.Timedelta(hours=18, minutes=30)
    assert got[1] == pd.Timedelta(hours=18, minutes=30, seconds=15)
    assert got[2] == pd.Timedelta(0)
    assert got[3:].isna().all()


def test_police_uk_month_runs_to_the_last_minute_of_the_month():
    naive, precision = dates.parse_dates(pd.Series(["2016-01", "2016-02", "2014-10", "2015-12"]))
    start, end = dates.window(naive, precision)
    assert list(start) == [
        pd.Timestamp("2016-01-01 00:00", tz=LONDON),
        pd.Timestamp("2016-02-01 00:00", tz=LONDON),
        pd.Timestamp("2014-10-01 00:00", tz=LONDON),
        pd.Timestamp("2015-12-01 00:00", tz=LONDON),
    ]
    assert list(end) == [
        pd.Timestamp("2016-01-31 23:59", tz=LONDON),
        pd.Timestamp("2016-02-29 23:59", tz=LONDON),  # 2016 is a leap year
        pd.Timestamp("2014-10-31 23:59", tz=LONDON),  # after the clocks went back (GMT)
        pd.Timestamp("2015-12-31 23:59", tz=LONDON),
    ]
    # October 2014 starts in BST and ends in GMT
    assert start[2].utcoffset() == pd.Timedelta(hours=1)
    assert end[2].utcoffset() == pd.Timedelta(0)


def test_day_and_exact_windows():
    naive, precision = dates.parse_dates(pd.Series(["01/02/2024", "2024-02-01T18:30"]))
    start, end = dates.window(naive, precision)
    assert start[0] == pd.Timestamp("2024-02-01 00:00", tz=LONDON)
    assert end[0] == pd.Timestamp("2024-02-01 23:59", tz=LONDON)
    assert start[1] == end[1] == pd.Timestamp("2024-02-01 18:30", tz=LONDON)
    assert str(start.dtype) == "datetime64[us, Europe/London]"


def test_clocks_go_forward_time_moves_to_0200_bst():
    # 2024-03-31: at 01:00 GMT the clocks went to 02:00 BST; 01:30 never happened
    naive, precision = dates.parse_dates(pd.Series(["2024-03-31 01:30", "2024-03-31 00:59", "2024-03-31 02:00"]))
    start, _ = dates.window(naive, precision)
    assert start[0] == pd.Timestamp("2024-03-31 02:00", tz=LONDON)
    assert start[0] == pd.Timestamp("2024-03-31 01:00", tz="UTC")
    assert start[0].utcoffset() == pd.Timedelta(hours=1)
    assert start[1].utcoffset() == pd.Timedelta(0)  # still GMT
    assert start[2] == start[0]


def test_clocks_go_back_repeated_hour_is_read_as_bst():
    # 2024-10-27: 01:00-01:59 happened twice, first in BST (+01:00) then in GMT
    naive, precision = dates.parse_dates(pd.Series(["2024-10-27 01:30", "2024-10-27 02:30"]))
    start, end = dates.window(naive, precision)
    assert start[0].utcoffset() == pd.Timedelta(hours=1)
    assert start[0] == pd.Timestamp("2024-10-27 00:30", tz="UTC")
    assert end[0] == start[0]
    assert start[1].utcoffset() == pd.Timedelta(0)


def test_day_window_across_a_clock_change_is_still_the_whole_local_day():
    naive, precision = dates.parse_dates(pd.Series(["31/03/2024", "27/10/2024"]))
    start, end = dates.window(naive, precision)
    assert end[0] - start[0] == pd.Timedelta(hours=22, minutes=59)  # a 23-hour day
    assert end[1] - start[1] == pd.Timedelta(hours=24, minutes=59)  # a 25-hour day


def test_window_leaves_inputs_alone():
    naive, precision = dates.parse_dates(pd.Series(["2016-01", "01/02/2024"]))
    before = (naive.copy(), precision.copy())
    dates.window(naive, precision)
    pd.testing.assert_series_equal(naive, before[0])
    pd.testing.assert_series_equal(precision, before[1])
