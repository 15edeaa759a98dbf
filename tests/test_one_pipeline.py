"""One request, one list: the CLI, the weekly review, the exports page and the pipeline give
the same places, ranks, ids and statuses for the same request.

On a copy of the demo: the night-time economy list of July 2017 is stored by the CLI
(so August's hotspots inherit July's ids), a decision is recorded against August's list,
then August's list is built through every entry point and compared row by row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.actions.log import ActionLog
from hotspot_tasking.boundaries.store import incidents_with_areas
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.pipeline.decisions import record_decision
from hotspot_tasking.pipeline.store import load_tasking_list
from hotspot_tasking.pipeline.tasking import tasking_list
from hotspot_tasking.ranking.request import TaskingRequest
from hotspot_tasking.ranking.schema import TASKING_COLUMNS
from hotspot_tasking.ui import export_cache, tasking_cache

AUGUST = TaskingRequest(period="2017-08", band="nte")
COMPARED = ["rank", "tasking_id", "place_name", "count_now", "status"]


def cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "hotspot_tasking.cli", *args], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A demo copy with July's list stored and a decision recorded on August's list."""
    root = tmp_path_factory.mktemp("one") / "ws"
    shutil.copytree(DEMO_WORKSPACE, root)
    cli("tasking", str(root), "--period", "2017-07", "--band", "nte")
    ws = Workspace.open(root)
    august = tasking_list(ws, AUGUST)
    first = august.frame["tasking_id"].iloc[0]
    with ActionLog.open(ws) as log:
        record_decision(ws, log, august, first, group="Lambeth JAG", held_on=dt.date(2017, 8, 20),
                        agency="Police", action="Patrols Fri-Sat 21:00-03:00", request=AUGUST)
    return root


@pytest.fixture(scope="module")
def expected(workspace) -> pd.DataFrame:
    ws = Workspace.open(workspace)
    frame = tasking_list(ws, AUGUST, incidents=incidents_with_areas(ws)).frame
    assert len(frame) >= 3 and frame["tasking_id"].is_unique
    return pd.DataFrame(frame[COMPARED]).reset_index(drop=True)


def test_august_inherits_ids_from_the_stored_july_list(workspace, expected):
    ws = Workspace.open(workspace)
    july = load_tasking_list(ws, TaskingRequest("2017-07", band="nte")).frame
    assert set(expected["tasking_id"]) & set(july["tasking_id"])  # the reason ids can differ at all


def test_the_cli_stores_and_exports_the_same_list(workspace, expected, tmp_path):
    out = tmp_path / "august.csv"
    cli("tasking", str(workspace), "--period", "2017-08", "--band", "nte", "--out", str(out), "--no-save")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["tasking_id"] for r in rows] == expected["tasking_id"].tolist()
    assert [int(r["rank"]) for r in rows] == expected["rank"].tolist()
    assert [r["status"] for r in rows] == expected["status"].tolist()


def test_the_stored_list_is_the_pipelines(workspace, expected):
    ws = Workspace.open(workspace)
    stored = load_tasking_list(ws, AUGUST).frame  # stored when the decision was recorded
    same = [c for c in COMPARED if c != "status"]  # the stored status is as it was before the decision
    pd.testing.assert_frame_equal(pd.DataFrame(stored[same]).reset_index(drop=True),
                                  expected[same].astype({c: TASKING_COLUMNS[c] for c in same}))


def test_the_weekly_review_shows_the_same_list(workspace, expected):
    ws = Workspace.open(workspace)
    path, version = str(ws.root), ws.version
    table = tasking_cache.review_table(path, version, AUGUST, tasking_cache.log_version(path))
    assert table["tasking_id"].tolist() == expected["tasking_id"].tolist()
    assert table["rank"].tolist() == expected["rank"].tolist()
    assert table["place"].tolist() == expected["place_name"].tolist()
    assert table["status"].tolist() == expected["status"].tolist()
    assert expected["status"].iloc[0] != "new"  # the decision recorded shows


def test_the_exports_page_builds_the_same_list(workspace, expected):
    ws = Workspace.open(workspace)
    path, version = str(ws.root), ws.version
    request = export_cache.ExportRequest(TaskingRequest(period="2017-08", band="nte"), top=len(expected))
    (built,) = export_cache.tasking_files(path, version, request, ".csv", tasking_cache.log_version(path))
    rows = list(csv.DictReader(io.StringIO(built.data.decode("utf-8-sig"))))
    assert [r["tasking_id"] for r in rows] == expected["tasking_id"].tolist()
    assert [r["status"] for r in rows] == expected["status"].tolist()


def test_the_pages_run_on_that_workspace(workspace, expected, monkeypatch):
    monkeypatch.setenv("HOTSPOT_WORKSPACE", str(workspace))
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.sidebar.get("date_input")  # the weekly review chooses its own period, in the sidebar's place
    at.sidebar.selectbox(key="band").set_value("nte").run()
    at.sidebar.get("segmented_control")[0].set_value("month").run()
    at.sidebar.selectbox(key="weekly_period_month").set_value("2017-08").run()
    assert not at.exception, at.exception
    shown = at.dataframe[0].value
    assert shown["tasking_id"].tolist() == expected["tasking_id"].tolist()
    at.switch_page("app_pages/exports.py").run()
    at.sidebar.date_input(key="period").set_value((dt.date(2017, 8, 1), dt.date(2017, 8, 31))).run()
    assert not at.exception, at.exception
    assert any(f"{len(expected):,} places ranked" in c.value for c in at.caption)
