"""hotspot_tasking.geo.timebands: bands, seasons, excluded dates and aoristic weights.

Dates used: 2024-06-07 is a Friday. The clocks went forward on Sunday 31 March 2024
(01:00 GMT -> 02:00 BST) and back on Sunday 27 October 2024 (02:00 BST -> 01:00 GMT).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotspot_tasking.geo.aoristic import band_day, band_weights, excluded_mask, season_mask
from hotspot_tasking.geo.errors import GeoError
from hotspot_tasking.geo.hourofweek import hour_of_week, hour_of_week_by
from hotspot_tasking.geo.schema import INCIDENT_COLUMNS, LOCAL_TZ
from hotspot_tasking.geo.timebands import DAY_NAMES, NO_TIME_OF_DAY, Band, Season, TimeBands

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
DEFAULT = TimeBands.load()


# --- helpers ------------------------------------------------------------------------------

def local(text: str) -> pd.Timestamp:
    """An unambiguous local (Europe/London) time."""
    return pd.Timestamp(text).tz_localize(LOCAL_TZ)


def utc(text: str) -> pd.Timestamp:
    """A UTC instant shown in local time (for the hours the clock changes make ambiguous)."""
    return pd.Timestamp(text, tz="UTC").tz_convert(LOCAL_TZ)


def incidents(*windows, precision: str | list[str] = "minute", index=None) -> pd.DataFrame:
    """A tiny incident table: each window is a time (exact) or a (from, to) pair, both inclusive."""
    pairs = [w if isinstance(w, tuple) else (w, w) for w in windows]
    pairs = [tuple(local(t) if isinstance(t, str) else t for t in p) for p in pairs]
    precisions = precision if isinstance(precision, list) else [precision] * len(pairs)
    frame = pd.DataFrame({
        "occurred_from": pd.Series([p[0] for p in pairs], dtype=INCIDENT_COLUMNS["occurred_from"]),
        "occurred_to": pd.Series([p[1] for p in pairs], dtype=INCIDENT_COLUMNS["occurred_to"]),
        "time_precision": pd.Series(precisions, dtype="str"),
    })
    if index is not None:
        frame.index = pd.Index(index)
    return frame


def weights(frame: pd.DataFrame, band, bands: TimeBands = DEFAULT, **kw) -> list[float]:
    return band_weights(frame, band, bands=bands, **kw).tolist()


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "time_bands.toml"
    path.write_text(text, encoding="utf-8")
    return path


def band(name, days, start, end, dates=()) -> Band:
    return Band(name, name, tuple(days), start, end, tuple(dates))


def reference(start: pd.Timestamp, stop: pd.Timestamp, b: Band, excluded=()) -> float:
    """Brute force: every real minute of [start, stop) judged by its local wall clock."""
    minutes = pd.date_range(start, stop, freq="min", inclusive="left").tz_convert(LOCAL_TZ)
    naive = minutes.tz_localize(None)
    mod = (naive.hour * 60 + naive.minute).to_numpy()
    day = naive.normalize()

    def active(days: pd.DatetimeIndex) -> np.ndarray:
        ok = np.isin(days.day_of_week, b.days) & ~days.isin(pd.DatetimeIndex(list(excluded)))
        if b.dates:
            ok &= np.any([(days >= pd.Timestamp(a)) & (days <= pd.Timestamp(z)) for a, z in b.dates], axis=0)
        return ok

    if b.wraps:
        inside = ((mod >= b.start_minute) & active(day)) | ((mod < b.end_minute) & active(day - pd.Timedelta(days=1)))
    else:
        inside = (mod >= b.start_minute) & (mod < b.end_minute) & active(day)
    return inside.sum() / len(minutes)


# --- configuration ------------------------------------------------------------------------

def test_default_config():
    assert DEFAULT.names() == ("nte", "after_school", "overnight", "daytime")
    assert DEFAULT.season_names() == ("bonfire", "open_space_fires", "festive")
    assert DEFAULT.excluded_dates == ()
    nte = DEFAULT.bands["nte"]
    assert (nte.days, nte.start_minute, nte.end_minute, nte.wraps) == ((4, 5), 21 * 60, 4 * 60, True)
    assert DEFAULT.bands["after_school"].days == (0, 1, 2, 3, 4)
    assert DEFAULT.bands["after_school"].dates == ()
    assert DEFAULT.bands["daytime"].wraps is False
    assert DEFAULT.seasons["festive"].ranges == (((12, 1), (1, 31)),)
    assert DEFAULT.seasons["bonfire"].ranges == (((10, 15), (11, 10)),)
    assert "21:00-04:00" in nte.summary()
    assert all(b.source for b in DEFAULT.bands.values())


def test_config_forms(tmp_path):
    path = config(tmp_path, """
excluded_dates = [2011-08-08, "2012-01-01", { from = 2013-05-30, to = 2013-06-01 }]
[bands.late]
days = ["fri", "SAT", "Friday"]
start = 22:30:00
end = "24:00"
dates = [{ from = "2024-09-04", to = 2024-10-25 }]
[seasons.summer]
ranges = [{ from = "06-01", to = "08-31" }, { from = "02-29", to = "02-29" }]
""")
    tb = TimeBands.load(path)
    late = tb.bands["late"]
    assert ((late.label, late.days, late.start_minute, late.end_minute, late.wraps)
            == ("late", (4, 5), 1350, 1440, False))
    assert late.dates == ((dt.date(2024, 9, 4), dt.date(2024, 10, 25)),)
    assert tb.excluded_dates == (dt.date(2011, 8, 8), dt.date(2012, 1, 1), dt.date(2013, 5, 30),
                                 dt.date(2013, 5, 31), dt.date(2013, 6, 1))
    assert tb.season_names() == ("summer",) and tb.path == path


@pytest.mark.parametrize("text, message", [
    ('[bands.nte]\ndays = ["Friday"]\nstart = "25:00"\nend = "04:00"',
     r"time_bands.toml, \[bands.nte\]: start '25:00' is not a time of day; write \"HH:MM\" from 00:00 to 23:59"),
    ('[bands.nte]\ndays = ["Friday"]\nstart = "21:00"\nend = "4pm"',
     r"\[bands.nte\]: end '4pm' is not a time of day; .* \(or 24:00"),
    ('[bands.nte]\ndays = ["Fryday"]\nstart = "21:00"\nend = "04:00"',
     r"time_bands.toml, \[bands.nte\]: days has 'Fryday', which is not a day of the week; write Monday..Sunday"),
    ('[bands.nte]\ndays = "Friday"\nstart = "21:00"\nend = "04:00"', r"\[bands.nte\]: days must be a list"),
    ('[bands.nte]\ndays = ["Friday"]\nstart = "21:00"', r"\[bands.nte\]: has no 'end'; add one"),
    ('[bands.nte]\ndays = ["Friday"]\nstart = "21:00"\nend = "21:00"',
     r"\[bands.nte\]: start and end are both 21:00; for a whole day"),
    ('[bands.nte]\ndays = ["Friday"]\nstrat = "21:00"\nstart = "21:00"\nend = "04:00"',
     r"\[bands.nte\]: unknown key 'strat'; the keys it takes are label, days, start, end, dates, description, "
     r"source. Fix: correct the spelling, or remove it."),
    ('[bands.school]\ndays = ["Monday"]\nstart = "15:00"\nend = "18:00"\n'
     'dates = [{ from = 2024-10-25, to = 2024-09-04 }]',
     r"\[bands.school\]: dates range 2024-10-25 to 2024-09-04 ends before it starts; swap the dates"),
    ('[bands.school]\ndays = ["Monday"]\nstart = "15:00"\nend = "18:00"\ndates = [2024-09-04]',
     r"\[bands.school\]: each of dates must be \{ from = YYYY-MM-DD"),
    ('[bands.a]\ndays = ["Monday"]\nstart = "15:00"\nend = "18:00"\n'
     '[seasons.bonfire]\nranges = [{ from = "13-01", to = "11-10" }]',
     r"time_bands.toml, \[seasons.bonfire\]: '13-01' is not a month and day; write \"MM-DD\""),
    ('excluded_dates = ["2011-13-01"]\n[bands.a]\ndays = ["Monday"]\nstart = "15:00"\nend = "18:00"',
     r"time_bands.toml: excluded_dates must be a date written YYYY-MM-DD \(or DD/MM/YYYY, day first\); "
     r"got '2011-13-01'. Fix: write it as e.g. 2017-07-04."),
    ('[bands]\n', r"time_bands.toml: defines no bands; add at least one \[bands.NAME\]"),
    ('[bands.nte\n', r"time_bands.toml: not valid TOML"),
    ('[band.nte]\n', r"time_bands.toml: unknown key 'band'; the keys it takes are bands, seasons, excluded_dates"),
])
def test_bad_config_names_file_band_value_and_fix(tmp_path, text, message):
    with pytest.raises(GeoError, match=message):
        TimeBands.load(config(tmp_path, text))


def test_unknown_band_or_season_lists_the_choices():
    frame = incidents("2024-06-07 12:00")
    with pytest.raises(GeoError, match=r"time_bands.toml: no time band 'ntee'; choose one of nte, after_school"):
        band_weights(frame, "ntee")
    with pytest.raises(GeoError, match=r"no season 'xmas'; choose one of bonfire, open_space_fires, festive"):
        season_mask(frame, "xmas")


def test_bad_arguments():
    frame = incidents("2024-06-07 12:00")
    naive = frame.assign(occurred_from=frame["occurred_from"].dt.tz_localize(None))
    with pytest.raises(TypeError, match="time-zone-aware"):
        band_weights(naive, "nte")
    with pytest.raises(GeoError, match=r"incidents has no column\(s\) \['time_precision'\]"):
        band_weights(frame.drop(columns="time_precision"), "nte")
    with pytest.raises(GeoError, match=r"The 'max_window_hours' parameter of band_weights must be a float in the "
                                       r"range \(0.0, inf\). Got -1 instead."):
        band_weights(frame, "nte", max_window_hours=-1)
    with pytest.raises(TypeError, match="The 'band' parameter of band_weights must be a band name"):
        band_weights(frame, 3)
    with pytest.raises(TypeError, match="The 'incidents' parameter of season_mask must be a pandas DataFrame"):
        season_mask(frame["occurred_from"], "festive")
    with pytest.raises(TypeError, match="The 'band' parameter of TimeBands.band must be a band name"):
        TimeBands.load().band(None)
    with pytest.raises(GeoError, match=r"weights: 1 value\(s\) are missing"):
        hour_of_week(frame, weights=pd.Series([np.nan]))
    with pytest.raises(TypeError, match="bands must be a TimeBands"):
        band_weights(frame, "nte", bands="time_bands.toml")
    with pytest.raises(GeoError, match=r"hour_of_week_by: cannot group by \['day'\]"):
        hour_of_week_by(frame.assign(day="x"), "day")
    with pytest.raises(GeoError, match=r"hour_of_week_by: incidents has no column\(s\) \['ward_code'\]"):
        hour_of_week_by(frame, ["ward_code"])


# --- night-time economy and midnight wrap ---------------------------------------------------

@pytest.mark.parametrize("time, inside, night", [
    ("2024-06-07 23:30", 1.0, "2024-06-07"),  # Friday 23:30: Friday's night
    ("2024-06-08 02:00", 1.0, "2024-06-07"),  # Saturday 02:00: Friday's night
    ("2024-06-08 22:00", 1.0, "2024-06-08"),  # Saturday 22:00: Saturday's night
    ("2024-06-09 03:00", 1.0, "2024-06-08"),  # Sunday 03:00: Saturday's night
    ("2024-06-09 02:00", 1.0, "2024-06-08"),  # Sunday 02:00: Saturday's night
    ("2024-06-10 02:00", 0.0, "2024-06-09"),  # Monday 02:00: Sunday's night, not NTE
    ("2024-06-07 03:00", 0.0, "2024-06-06"),  # Friday 03:00: Thursday's night, not NTE
    ("2024-06-07 20:59", 0.0, "2024-06-07"),  # before the start
    ("2024-06-07 21:00", 1.0, "2024-06-07"),  # start inclusive
    ("2024-06-08 03:59", 1.0, "2024-06-07"),
    ("2024-06-08 04:00", 0.0, "2024-06-08"),  # end exclusive
])
def test_nte_examples(time, inside, night):
    frame = incidents(time)
    assert weights(frame, "nte") == [inside]
    assert band_day(frame["occurred_from"], "nte").tolist() == [pd.Timestamp(night)]


def test_band_day_of_a_band_that_does_not_wrap_is_the_date():
    stamps = incidents("2024-06-08 02:00")["occurred_from"]
    assert band_day(stamps, "daytime").tolist() == [pd.Timestamp("2024-06-08")]
    with_nat = pd.Series([pd.NaT], dtype=INCIDENT_COLUMNS["occurred_from"])
    assert band_day(with_nat, "nte").isna().all()


def test_windows_across_midnight():
    frame = incidents(
        ("2024-06-07 23:00", "2024-06-08 00:59"),  # Friday night, wholly NTE
        ("2024-06-08 03:00", "2024-06-08 04:59"),  # the last hour of Friday's night, then out
        ("2024-06-09 23:30", "2024-06-10 00:29"),  # Sunday night: not NTE
    )
    assert weights(frame, "nte") == [1.0, 0.5, 0.0]
    assert weights(frame, "overnight") == [1.0, 1.0, 1.0]


def test_between_1800_and_0800_windows_split_by_minutes():
    frame = incidents(
        ("2024-06-05 15:00", "2024-06-06 04:59"),  # Wednesday 15:00 to Thursday 04:59: 14 hours
        ("2024-06-07 18:00", "2024-06-08 07:59"),  # Friday 18:00 to Saturday 07:59: 14 hours
        ("2024-06-05 08:30", "2024-06-05 09:29"),  # one hour, half daytime
    )
    assert band_weights(frame, "daytime").tolist() == pytest.approx([3 / 14, 0, 0.5], abs=1e-12)
    assert band_weights(frame, "overnight").tolist() == pytest.approx([11 / 14, 1, 0.5], abs=1e-12)
    assert band_weights(frame, "after_school").tolist() == pytest.approx([3 / 14, 0, 0], abs=1e-12)
    assert band_weights(frame, "nte").tolist() == pytest.approx([0, 7 / 14, 0], abs=1e-12)


# --- clock changes ----------------------------------------------------------------------------

SMALL_HOURS = band("small_hours", range(7), 60, 120)  # every day 01:00-02:00 local
FIRST_HOUR = band("first_hour", range(7), 0, 60)  # every day 00:00-01:00 local


def test_clocks_go_forward_31_march_2024():
    frame = incidents(
        (local("2024-03-31 00:30"), local("2024-03-31 02:29")),  # 00:30 GMT to 02:29 BST: 60 real minutes
        local("2024-03-31 02:00"),  # exact, the first minute of BST
        ("2024-03-30 21:00", "2024-03-31 04:59"),  # Saturday's NTE night: 21:00 GMT to 04:00 BST is 6 hours
    )
    assert weights(frame, SMALL_HOURS) == [0.0, 0.0, 0.0]  # 01:00-02:00 did not happen
    assert weights(frame, FIRST_HOUR) == pytest.approx([0.5, 0.0, 1 / 7], abs=1e-12)
    assert weights(frame, "nte") == pytest.approx([1.0, 1.0, 6 / 7], abs=1e-12)
    profile = hour_of_week(frame.iloc[:2]).counts
    assert profile.loc["Sunday", [0, 1, 2]].tolist() == pytest.approx([0.5, 0.0, 1.5], abs=1e-12)


def test_clocks_go_back_27_october_2024():
    frame = incidents(
        utc("2024-10-27 00:30"),  # 01:30 BST, the first 01:30
        utc("2024-10-27 01:30"),  # 01:30 GMT, the repeated 01:30
        (utc("2024-10-26 23:30"), utc("2024-10-27 02:29")),  # 00:30 BST to 02:29 GMT: 180 real minutes
        ("2024-10-26 21:00", "2024-10-27 04:59"),  # Saturday's NTE night: 21:00 BST to 04:00 GMT is 8 hours of 9
    )
    assert weights(frame, SMALL_HOURS) == pytest.approx([1.0, 1.0, 120 / 180, 120 / 540], abs=1e-12)
    assert weights(frame, FIRST_HOUR) == pytest.approx([0.0, 0.0, 30 / 180, 60 / 540], abs=1e-12)
    assert weights(frame, "nte") == pytest.approx([1.0, 1.0, 1.0, 480 / 540], abs=1e-12)
    assert weights(frame, "overnight") == [1.0, 1.0, 1.0, 1.0]
    assert band_day(frame["occurred_from"].iloc[:2], "nte").tolist() == [pd.Timestamp("2024-10-26")] * 2
    profile = hour_of_week(frame.iloc[:3]).counts
    assert profile.loc["Sunday", [0, 1, 2]].tolist() == pytest.approx([30 / 180, 2 + 120 / 180, 30 / 180])
    assert profile.to_numpy().sum() == pytest.approx(3.0)


# --- aoristic weights: a partition sums to 1, and agrees with brute force -------------------------

START_2024 = pd.Timestamp("2024-01-01", tz="UTC")


@settings(max_examples=60, deadline=None)
@given(start=st.integers(0, 366 * 1440), length=st.integers(1, 3 * 1440))
def test_daytime_and_overnight_partition_every_window(start, length):
    begin = START_2024 + pd.Timedelta(minutes=start)
    frame = incidents((begin.tz_convert(LOCAL_TZ), (begin + pd.Timedelta(minutes=length - 1)).tz_convert(LOCAL_TZ)))
    total = band_weights(frame, "daytime") + band_weights(frame, "overnight")
    assert abs(total.iloc[0] - 1.0) <= 1e-9
    profile = hour_of_week(frame)
    assert profile.counts.to_numpy().sum() == pytest.approx(1.0, abs=1e-9) and profile.no_time_of_day == 0


# windows near both 2024 clock changes and elsewhere; bands at any minute, any days
DST_2024 = [pd.Timestamp("2024-03-29", tz="UTC"), pd.Timestamp("2024-10-25", tz="UTC"),
            pd.Timestamp("2024-06-05", tz="UTC")]


@settings(max_examples=60, deadline=None)
@given(base=st.sampled_from(DST_2024), start=st.integers(0, 4 * 1440), length=st.integers(1, 3 * 1440),
       days=st.sets(st.integers(0, 6), min_size=1), start_minute=st.integers(0, 1439),
       end_minute=st.integers(1, 1440), excluded=st.booleans())
def test_weights_match_a_minute_by_minute_count(base, start, length, days, start_minute, end_minute, excluded):
    if start_minute == end_minute:
        end_minute = (end_minute % 1440) + 1
    b = band("b", sorted(days), start_minute, end_minute)
    begin = base + pd.Timedelta(minutes=start)
    stop = begin + pd.Timedelta(minutes=length)
    skip = (pd.Timestamp("2024-03-30"), pd.Timestamp("2024-10-26")) if excluded else ()
    tb = TimeBands(DEFAULT.bands, DEFAULT.seasons, tuple(d.date() for d in skip))
    frame = incidents((begin.tz_convert(LOCAL_TZ), (stop - pd.Timedelta(minutes=1)).tz_convert(LOCAL_TZ)))
    assert band_weights(frame, b, bands=tb).iloc[0] == pytest.approx(reference(begin, stop, b, skip), abs=1e-12)


# --- records without a time of day ------------------------------------------------------------

def test_day_month_and_long_windows_have_no_time_of_day():
    frame = incidents(
        ("2016-03-01 00:00", "2016-03-31 23:59"),  # police.uk March 2016
        ("2024-06-07 00:00", "2024-06-07 23:59"),  # a day
        ("2024-06-01 00:00", "2024-06-08 23:59"),  # minute precision but 8 days
        ("2024-06-03 00:00", "2024-06-09 23:59"),  # exactly 7 days: kept
        "2024-06-07 12:00",
        (pd.NaT, pd.NaT),
        ("2024-06-07 12:00", "2024-06-07 11:00"),  # reversed
        precision=["month", "day", "minute", "minute", "minute", "minute", "minute"],
        index=[70, 60, 50, 40, 30, 20, 10],
    )
    result = band_weights(frame, "daytime")
    assert result.index.tolist() == [70, 60, 50, 40, 30, 20, 10] and result.name == "daytime"
    assert result.isna().tolist() == [True, True, True, False, False, True, True]
    assert result.loc[[40, 30]].tolist() == [9 / 24, 1.0]
    assert band_weights(frame, "daytime", max_window_hours=24 * 8).notna().sum() == 3
    profile = hour_of_week(frame)
    assert profile.counts.shape == (7, 24)
    assert profile.counts.index.tolist() == list(DAY_NAMES) and profile.counts.columns.tolist() == list(range(24))
    assert profile.counts.to_numpy().sum() == pytest.approx(2.0)
    assert profile.no_time_of_day == 5.0 and profile.total == pytest.approx(7.0)
    assert profile.counts.loc["Monday", 0] == pytest.approx(1 / 168)  # the 7-day window, never midnight-heavy
    assert profile.counts.loc["Friday", 12] == pytest.approx(1 + 1 / 168)


def test_hour_of_week_weights_and_groups():
    frame = incidents("2024-06-07 12:10", "2024-06-07 12:50", ("2024-06-08 00:00", "2024-06-08 23:59"),
                      precision=["minute", "minute", "day"])
    frame["harm_weight"] = pd.Series([2.0, 3.0, 5.0], dtype="float32")
    frame["ward_code"] = pd.Series(["E1", "E2", "E1"], dtype="str")
    weighted = hour_of_week(frame, weights="harm_weight")
    assert weighted.counts.loc["Friday", 12] == 5.0 and weighted.no_time_of_day == 5.0
    long = hour_of_week_by(frame, "ward_code", weights="harm_weight")
    assert len(long) == 2 * 169 and long.columns.tolist() == ["ward_code", "day", "hour", "count"]
    assert long.groupby("ward_code")["count"].sum().to_dict() == {"E1": 7.0, "E2": 3.0}
    e1 = long[long["ward_code"].eq("E1")]
    untimed = e1[e1["day"].eq(NO_TIME_OF_DAY)]
    assert untimed["hour"].isna().all() and untimed["count"].tolist() == [5.0]
    assert e1.loc[e1["day"].eq("Friday") & e1["hour"].eq(12), "count"].tolist() == [2.0]
    per_group = hour_of_week(frame[frame["ward_code"].eq("E1")], weights="harm_weight")
    assert np.allclose(e1.loc[~e1["day"].eq(NO_TIME_OF_DAY), "count"].to_numpy(), per_group.counts.to_numpy().ravel())
    assert hour_of_week(frame.iloc[:0]).total == 0.0


# --- date limits, seasons, excluded dates -----------------------------------------------------

TERM = """
[bands.after_school]
days = ["Mon", "Tue", "Wed", "Thu", "Fri"]
start = "15:00"
end = "18:00"
dates = [{ from = 2024-09-04, to = 2024-10-25 }, { from = 2024-11-04, to = 2024-12-20 }]
"""


def test_after_school_term_dates(tmp_path):
    termly = TimeBands.load(config(tmp_path, TERM))
    frame = incidents(
        "2024-09-04 15:30",  # first day of term, Wednesday
        "2024-09-03 15:30",  # the day before term
        "2024-10-28 15:30",  # half term, Monday
        "2024-11-04 17:59",  # back at school
        "2024-09-07 15:30",  # a Saturday in term
        ("2024-10-25 17:00", "2024-10-28 15:59"),  # last hour of term, then half term: 72 real hours (clocks go back)
    )
    assert weights(frame, "after_school", termly) == pytest.approx([1, 0, 0, 1, 0, 60 / (72 * 60)], abs=1e-12)
    assert weights(frame, "after_school") == pytest.approx([1, 1, 1, 1, 0, 120 / (72 * 60)], abs=1e-12)


def test_seasons_by_start_date_and_whole_months():
    frame = incidents(
        "2024-11-30 23:59", "2024-12-01 00:00", "2025-01-31 23:59", "2025-02-01 00:00", "2024-06-01 12:00",
        ("2025-01-01 00:00", "2025-01-31 23:59"),  # January, month only: wholly festive
        ("2024-11-01 00:00", "2024-11-30 23:59"),  # November, month only: not festive
        ("2024-12-31 23:00", "2025-01-01 00:59"),  # New Year's Eve into New Year's Day
        precision=["minute"] * 5 + ["month", "month", "minute"],
    )
    assert season_mask(frame, "festive").tolist() == [False, True, True, False, False, True, False, True]
    bonfire = season_mask(frame, "bonfire").tolist()
    assert bonfire == [False] * 8
    months = incidents(("2024-10-01 00:00", "2024-10-31 23:59"), ("2024-06-01 00:00", "2024-06-30 23:59"),
                       ("2024-11-10 00:00", "2024-11-10 23:59"), precision=["month", "month", "day"])
    assert season_mask(months, "bonfire").tolist() == [False, False, True]  # October is only partly bonfire
    assert season_mask(months, "open_space_fires").tolist() == [False, True, False]
    wrapping = Season("winter", "winter", (((11, 15), (2, 29)),))
    assert season_mask(frame, wrapping).tolist() == [True, True, True, True, False, True, False, True]


def test_band_in_a_season_goes_by_band_day():
    frame = incidents("2024-11-11 02:00", "2024-11-11 20:00", "2024-10-15 03:00", "2024-10-15 20:00")
    # 11 November 02:00 belongs to the night of the 10th, the last day of bonfire
    assert weights(frame, "overnight", season="bonfire") == [1.0, 0.0, 0.0, 1.0]
    assert season_mask(frame, "bonfire").tolist() == [False, False, True, True]


def test_excluded_date_removes_a_whole_nte_night(tmp_path):
    text = DEFAULT.path.read_text(encoding="utf-8").replace("excluded_dates = []", "excluded_dates = [2024-06-07]")
    skip = TimeBands.load(config(tmp_path, text))
    assert skip.excluded_dates == (dt.date(2024, 6, 7),)
    frame = incidents(
        "2024-06-07 23:30",  # Friday's night: excluded
        "2024-06-08 02:00",  # Saturday 02:00, still Friday's night: excluded
        "2024-06-08 23:00",  # Saturday's night: kept
        ("2024-06-07 18:00", "2024-06-08 07:59"),  # the whole of Friday night
        "2024-06-07 12:00",  # Friday daytime
        ("2024-06-06 23:00", "2024-06-07 00:59"),  # Thursday night into Friday
        ("2024-06-07 00:00", "2024-06-07 23:59"),  # Friday, day precision
        ("2024-06-01 00:00", "2024-06-30 23:59"),  # June, month precision
        precision=["minute"] * 6 + ["day", "month"],
    )
    assert weights(frame, "nte", skip)[:6] == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    assert weights(frame, "nte")[:6] == [1.0, 1.0, 1.0, 0.5, 0.0, 0.0]
    assert weights(frame, "overnight", skip)[:6] == [0.0, 0.0, 1.0, 0.0, 0.0, 1.0]  # Thursday's night stays
    assert weights(frame, "daytime", skip)[4] == 0.0
    assert excluded_mask(frame, bands=skip).tolist() == [True, False, False, False, True, False, True, False]
    assert not excluded_mask(frame).any()
    summer = season_mask(frame, "open_space_fires", bands=skip).tolist()
    assert summer == [False, True, True, True, False, True, False, True]


# --- inputs, speed, real data -------------------------------------------------------------------

def test_inputs_unchanged():
    frame = incidents(("2024-06-07 15:00", "2024-06-08 04:59"), ("2024-06-01 00:00", "2024-06-30 23:59"),
                      precision=["minute", "month"], index=[5, 3])
    frame["harm_weight"] = pd.Series([2.0, 1.0], index=[5, 3], dtype="float32")
    before = frame.copy(deep=True)
    config_before = TimeBands.load()
    for name in DEFAULT.names():
        band_weights(frame, name, bands=DEFAULT, season="festive")
    band_day(frame["occurred_from"], "nte")
    season_mask(frame, "festive")
    excluded_mask(frame)
    hour_of_week(frame, weights="harm_weight")
    hour_of_week_by(frame, "time_precision", weights=frame["harm_weight"])
    pd.testing.assert_frame_equal(frame, before)
    assert DEFAULT == config_before


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    from hotspot_tasking.geo.workspace import Workspace
    return Workspace.open(DEMO).incidents()


def test_demo_workspace(demo):
    timed = demo["time_precision"].isin(["minute", "hour"])
    shares = {name: band_weights(demo, name) for name in DEFAULT.names()}
    for name, w in shares.items():
        assert w.isna().equals(~timed), name
        assert w.dropna().between(0, 1).all(), name
    assert ((shares["daytime"] + shares["overnight"]).dropna() - 1).abs().max() <= 1e-9
    violence = demo["category"].eq("Violence and sexual offences") & timed
    nte_share = shares["nte"][violence].mean()
    assert 14 / 168 < nte_share < 0.5  # more than the band's share of the week's hours
    assert (shares["nte"] <= shares["overnight"] + 1e-12)[timed].all()  # NTE lies inside overnight
    profile = hour_of_week(demo)
    assert profile.counts.to_numpy().sum() == pytest.approx(timed.sum())
    assert profile.no_time_of_day == (~timed).sum() == 149
    assert season_mask(demo, "festive").mean() == pytest.approx(
        demo["occurred_from"].dt.month.isin([12, 1]).mean())
