"""A place's peak band (ranking.profile): the band holding most of its peak days and hours, so
the band shown beside "Fri, Sat 14:00-16:00" is never the night-time economy."""

from __future__ import annotations

import pandas as pd
import pytest
from test_names import A, B, incidents, profiled

from hotspot_tasking.geo.timebands import TimeBands
from hotspot_tasking.ranking.profile import OUTSIDE_BANDS, _band_cells, _band_hours, _peak_cells

#: Place A, July 2017 (7 Jul is a Friday): 15 incidents on Friday to Sunday afternoons, 6 on
#: Friday and Saturday nights in the night-time economy band.
AFTERNOONS = [f"2017-07-{d:02d} {h}" for d in (7, 8, 9, 14, 15, 16) for h in ("14:00", "15:30")]
AFTERNOONS += [f"2017-07-{d:02d} 14:30" for d in (21, 22, 23)]
NIGHTS = ["2017-07-07 21:30", "2017-07-14 22:30", "2017-07-08 23:30", "2017-07-15 21:45", "2017-07-21 22:15",
          "2017-07-22 02:00"]


def peaks(rows: list[tuple], bands: TimeBands | None = None) -> pd.DataFrame:
    """Profiles for July 2017 of two places, around A and around B."""
    return profiled(incidents(rows), bands=bands)


def test_a_place_busy_in_the_afternoon_never_peaks_in_the_night_time_economy():
    rows = [(A, at, "Electric Lane", False) for at in AFTERNOONS + NIGHTS]
    rows += [(B, at, "Acre Lane", False) for at in ("2017-07-07 23:00", "2017-07-08 00:30", "2017-07-14 22:00")]
    a, b = peaks(rows).itertuples()
    assert (a.peak_days, a.peak_hours) == ("Fri, Sat", "14:00-16:00")
    # per hour a band runs, the night-time economy holds the most of A's incidents (6 of 21 in 14
    # hours, against daytime's 15 in 63): the old rule named it beside the afternoon hours
    assert a.peak_band == "daytime"
    assert (b.peak_band, b.peak_days, b.peak_hours) == ("nte", "Fri", "22:00-00:00")


def test_the_peak_band_agrees_with_the_peak_days_and_hours():
    """Evenings every day of the week: overnight holds them all; the night-time economy only two nights."""
    rows = [(A, f"2017-07-{d:02d} 19:30", "Electric Lane", False) for d in range(3, 17)]
    rows += [(B, f"2017-07-{d:02d} 16:00", "Acre Lane", False) for d in (3, 4, 5, 10, 11, 12)]  # Mon-Wed
    a, b = peaks(rows).itertuples()
    assert (a.peak_band, a.peak_hours) == ("overnight", "19:00-20:00")
    assert (b.peak_band, b.peak_days, b.peak_hours) == ("after_school", "Mon, Tue", "16:00-17:00")


def test_peak_hours_outside_every_band_say_so(tmp_path):
    path = tmp_path / "time_bands.toml"
    path.write_text('[bands.nte]\nlabel = "Night-time economy"\ndays = ["Friday", "Saturday"]\n'
                    'start = "21:00"\nend = "04:00"\n', encoding="utf-8")
    rows = [(A, at, "Electric Lane", False) for at in AFTERNOONS + NIGHTS]
    rows += [(B, at, "Acre Lane", False) for at in ("2017-07-07 23:00", "2017-07-14 23:30")]
    a, b = peaks(rows, TimeBands.load(path)).itertuples()
    assert (a.peak_band, a.peak_hours) == (OUTSIDE_BANDS, "14:00-16:00") and b.peak_band == "nte"


def test_peak_days_and_hours_holding_no_incident_take_the_band_holding_most_of_them():
    # one hour and one day each hold half: 03:00 (Sunday) and Friday (22:41), so "Fri 03:00-04:00"
    rows = [(A, at, "Electric Lane", False) for at in ("2017-07-07 22:41", "2017-07-09 03:24")]
    rows += [(B, "2017-07-12 12:00", "Acre Lane", False)]
    a, b = peaks(rows).itertuples()
    assert (a.peak_days, a.peak_hours, a.peak_share) == ("Fri", "03:00-04:00", 0.0)
    assert a.peak_band == "nte" and b.peak_band == "daytime"


@pytest.mark.parametrize("name", list(TimeBands.load().names()))
def test_a_band_on_the_hour_of_week_grid_runs_its_hours(name):
    band = TimeBands.load().band(name)
    cells = _band_cells(band)
    assert cells.shape == (7, 24) and cells.sum() == pytest.approx(_band_hours(band))
    assert ((cells >= 0) & (cells <= 1)).all()


def test_peak_cells_put_the_hours_after_midnight_on_the_next_day():
    cells = _peak_cells("Fri, Sun", "22:00-02:00")
    assert cells.sum() == 8
    assert cells[4, 22:].all() and cells[5, :2].all() and cells[6, 22:].all() and cells[0, :2].all()
    assert _peak_cells("Mon", "all day")[0].all() and _peak_cells("", "").sum() == 0
