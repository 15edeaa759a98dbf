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


def test_weighted_sums_do_not_depend_on_the_order_of_the_records():
    """Band weights and harm make sums whose last bits follow the order of addition in plain
    floating point; the table is the same, bit for bit, however the records are ordered or cut."""
    rng = np.random.default_rng(3)
    n = 5_000
    inc = incidents([("2017-01-10 10:00", "A", 1.0, "minute")] * n)
    inc["occurred_from"] += pd.to_timedelta(rng.integers(0, 60 * 24 * 50, n), unit="min")
    inc["area"] = rng.choice(["A", "B", ""], n)
    inc["harm_weight"] = rng.choice([0.1, 1.3, 7.77, 365.0], n)
    weights = pd.Series(rng.random(n) / 3, index=inc.index)
    first = area_stats(inc, inc["area"], period="week", weights=weights)
    order = rng.permutation(n)
    shuffled = inc.iloc[order].reset_index(drop=True)
    second = area_stats(shuffled, shuffled["area"], period="week", weights=weights.iloc[order].reset_index(drop=True))
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    assert first.attrs == second.attrs
    plain = (weights * inc["harm_weight"])[inc["area"] == "A"].sum()
    assert first.loc[first["area"] == "A", "harm"].sum() == pytest.approx(plain, rel=1e-12)


def test_the_stats_command_writes_every_area_and_period(tmp_path):
    import shutil

    from tests.conftest import run_cli

    ws = shutil.copytree(DEMO_WORKSPACE, tmp_path / "ws", ignore=shutil.ignore_patterns("cache"))
    out = tmp_path / "wards.csv"
    done = run_cli("boundaries", "stats", str(ws), "--layer", "ward_2014", "--period", "month", "--out", str(out))
    table = pd.read_csv(out, dtype={"area": str, "period": str})
    wards = area_layers(Workspace.open(ws))["ward_2014"][1]
    months = table["period"].unique()
    assert len(table) == len(wards) * len(months) and set(table["area"]) == set(wards["code"])
    assert table["name"].notna().all()
    records = len(Workspace.open(ws).incidents(columns=["easting"]))
    outside = int(done.stdout.split("\n")[1].split()[0].replace(",", ""))
    assert table["count"].sum() + outside == records
    assert f"Wrote {len(wards)} areas x {len(months)} periods of 'ward_2014'" in done.stdout


def test_the_stats_command_says_what_is_wrong_in_one_line(tmp_path):
    import shutil
    import subprocess
    import sys

    ws = shutil.copytree(DEMO_WORKSPACE, tmp_path / "ws", ignore=shutil.ignore_patterns("cache"))
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()

    def run(*args):
        return subprocess.run([sys.executable, "-m", "hotspot_tasking.cli", "boundaries", "stats", str(ws),
                               "--layer", "ward_2014", *args], capture_output=True, text=True, timeout=600)

    for args, said in ((["--period", "2017-06-01:junk", "--out", str(tmp_path / "a.csv")], "--period"),
                       (["--out", str(tmp_path)], "is a folder")):
        done = run(*args)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert done.stderr.startswith("error: ") and said in done.stderr and done.stderr.count("\n") == 1
    assert not list(tmp_path.iterdir())  # nothing half-written is left
    done = run("--out", str(tmp_path / "new" / "wards.csv"))  # a missing folder is made
    assert done.returncode == 0 and (tmp_path / "new" / "wards.csv").is_file()
