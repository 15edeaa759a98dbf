"""Periods without data are missing, never zero: two covered spans of the City of London's
real police.uk files with four months between them left out of the import."""

import subprocess

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import city_year_workspace, run_cli

from hotspot_tasking.boundaries.stats import poisson_z
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.pipeline.review import place_detail
from hotspot_tasking.pipeline.store import load_tasking_list
from hotspot_tasking.ranking.request import TaskingRequest

GAP = ("2017-01", "2017-02", "2017-03", "2017-04")
COVERED = ("2016-09", "2016-10", "2016-11", "2016-12", "2017-05", "2017-06", "2017-07")


@pytest.fixture(scope="module")
def gapped(tmp_path_factory):
    """The City's files of 2016-09 to 2017-08 without January to April 2017, and the August list."""
    tmp = tmp_path_factory.mktemp("gapped")
    root = city_year_workspace(tmp, leave_out=GAP)
    out = run_cli("tasking", str(root), "--period", "2017-08", "--out", str(tmp / "jag.pdf")).stdout
    return root, out, tmp / "jag.pdf"


def _monthly(ws: Workspace, outline) -> pd.Series:
    table = ws.incidents()
    inside = shapely.contains_xy(outline, table["easting"].to_numpy(float), table["northing"].to_numpy(float))
    months = table.loc[inside, "occurred_from"].dt.strftime("%Y-%m")
    return months.value_counts()


def test_the_baseline_is_the_mean_of_the_months_with_data_only(gapped):
    root, out, _ = gapped
    ws = Workspace.open(root)
    listed = load_tasking_list(ws, TaskingRequest(period="2017-08"))
    for row in listed.frame.head(5).itertuples():
        monthly = _monthly(ws, row.geometry)
        mean = np.mean([monthly.get(m, 0) for m in COVERED])  # the four missing months are not zeros
        assert row.count_before == pytest.approx(mean)
        assert row.z == pytest.approx(float(poisson_z(pd.Series([row.count_now]), pd.Series([mean])).iloc[0]))
        assert row.arrow == ("▲" if row.z >= 2 else "▼" if row.z <= -2 else "►")
    assert "7-month average" in listed.frame["explanation"].iloc[0]
    assert "of the last 8 months" in listed.frame["explanation"].iloc[0]  # persistence over covered months only


def test_the_gap_is_said_in_the_list_and_the_pdf(gapped):
    _, out, pdf = gapped
    sentence = "The baseline has 7 of 11 months with data: no data for 2017-01 to 2017-04"
    assert sentence in out
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "no data for 2017-01 to" in " ".join(text.split())


def test_the_trend_shows_missing_months_as_missing(gapped):
    root, _, _ = gapped
    ws = Workspace.open(root)
    listed = load_tasking_list(ws, TaskingRequest(period="2017-08"))
    place = listed.frame["tasking_id"].iloc[0]
    trend = place_detail(ws, listed, place).trend.set_index("period")["incidents"]
    assert trend.loc[list(GAP)].isna().all()
    assert trend.loc["2016-08"] != trend.loc["2016-08"]  # before the data start: missing too
    assert trend.loc[list(COVERED) + ["2017-08"]].notna().all()
