"""Area statistics: periods, counts, rates, share, change and the Poisson z."""

import numpy as np
import pandas as pd
import pytest

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.boundaries.assign import assign_areas
from hotspot_tasking.boundaries.stats import area_stats, assign_periods, percent_change, poisson_z
from hotspot_tasking.boundaries.store import area_layers, population
from hotspot_tasking.geo.workspace import Workspace


def incidents(rows):
    """rows: (local time 'YYYY-MM-DD HH:MM', area, harm, precision)."""
    frame = pd.DataFrame(rows, columns=["when", "area", "harm_weight", "time_precision"])
    frame["occurred_from"] = pd.to_datetime(frame["when"]).dt.tz_localize("Europe/London")
    return frame


def test_poisson_z_and_percent_change_by_hand():
    assert poisson_z(pd.Series([16.0]), pd.Series([9.0])).item() == pytest.approx(2.0)
    assert poisson_z(pd.Series([1.0]), pd.Series([4.0])).item() == pytest.approx(-2.0)
    assert percent_change(pd.Series([3.0]), pd.Series([1.0])).item() == pytest.approx(200.0)
    assert np.isnan(percent_change(pd.Series([3.0]), pd.Series([0.0])).item())


def test_monthly_counts_change_and_flags_by_hand():
    rows = [("2017-01-10 10:00", "A", 2.0, "minute")] * 9 + [("2017-02-10 10:00", "A", 2.0, "minute")] * 16
    rows += [("2017-02-01 00:00", "B", 1.0, "month")]
    inc = incidents(rows)
    table = area_stats(inc, inc["area"], period="month", areas=["A", "B", "C"], population=pd.Series({"A": 2000.0}))
    feb = table[table["period"] == "2017-02"].set_index("area")
    assert feb.loc["A", "count"] == 16 and feb.loc["A", "harm"] == 32
    assert feb.loc["A", "previous"] == 9
    assert feb.loc["A", "change_pct"] == pytest.approx(100 * 7 / 9)
    assert feb.loc["A", "z_previous"] == pytest.approx(2.0) and feb.loc["A", "flag"] == "up"
    assert feb.loc["A", "rate_per_1000"] == pytest.approx(8.0)
    assert np.isnan(feb.loc["B", "rate_per_1000"])
    assert feb.loc["C", "count"] == 0  # areas with nothing are reported as zeros
    assert feb["share"].sum() == pytest.approx(1.0)
    assert feb.loc["A", "share"] == pytest.approx(16 / 17)
    assert np.isnan(feb.loc["A", "last_year"])  # no data a year before


def test_weights_are_summed_and_nan_is_left_out():
    inc = incidents([("2017-03-03 22:00", "A", 1.0, "minute"), ("2017-03-04 02:00", "A", 1.0, "minute"),
                     ("2017-03-05 12:00", "A", 1.0, "day")])
    weights = pd.Series([1.0, 0.25, np.nan])
    table = area_stats(inc, inc["area"], weights=weights)
    assert table["count"].item() == pytest.approx(1.25)


def test_weeks_start_on_monday_and_month_only_records_are_unplaced():
    inc = incidents([("2017-03-05 23:59", "A", 1.0, "minute"),  # Sunday
                     ("2017-03-06 00:00", "A", 1.0, "minute"),  # Monday
                     ("2017-03-01 00:00", "A", 1.0, "month")])
    periods = assign_periods(inc, "week")
    assert periods.label.tolist() == ["2017-02-27", "2017-03-06", ""]
    assert periods.unplaced == 1
    table = area_stats(inc, inc["area"], period="week")
    assert table.attrs["unplaced"] == 1
    assert table.set_index("period")["count"].to_dict() == {"2017-02-27": 1.0, "2017-03-06": 1.0}


def test_custom_range_is_compared_with_the_days_before_and_last_year():
    inc = incidents([("2017-06-15 12:00", "A", 1.0, "minute")] * 4 + [("2017-05-20 12:00", "A", 1.0, "minute")]
                    + [("2016-06-10 12:00", "A", 1.0, "minute")] * 2 + [("2017-09-01 12:00", "A", 1.0, "minute")])
    table = area_stats(inc, inc["area"], period=("2017-06-01", "2017-06-30"))
    row = table.iloc[0]
    assert (row["period"], row["count"], row["previous"], row["last_year"]) == ("custom", 4, 1, 2)
    with pytest.raises(ValueError, match="before its start"):
        assign_periods(inc, ("2017-06-30", "2017-06-01"))


def test_outside_incidents_are_counted_not_lost():
    inc = incidents([("2017-01-01 10:00", "A", 1.0, "minute"), ("2017-01-01 10:00", "", 1.0, "minute")])
    table = area_stats(inc, inc["area"])
    assert table["count"].sum() == 1 and table.attrs["outside"] == 1


def test_demo_lsoa_rates_use_the_real_population():
    ws = Workspace.open(DEMO_WORKSPACE)
    inc = ws.incidents(["occurred_from", "time_precision", "harm_weight", "easting", "northing"])
    codes = assign_areas(inc, {k: v for k, v in area_layers(ws).items() if k == "lsoa_2011"}).codes
    pop = population(ws, "lsoa_2011")
    assert len(pop) == 357 and 300_000 < pop.sum() < 800_000
    table = area_stats(inc, codes["lsoa_code"], period="month", areas=pop.index, population=pop)
    assert table["count"].sum() + table.attrs["outside"] == len(inc)
    assert table["rate_per_1000"].notna().all()
    jul = table[table["period"] == "2017-07"]
    top = jul.sort_values("rate_per_1000").iloc[-1]
    assert top["rate_per_1000"] == pytest.approx(top["count"] / pop[top["area"]] * 1000)
