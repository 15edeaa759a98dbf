"""Importing the core costs only what it needs: scikit-learn, scipy.stats, matplotlib and fpdf2
load in the function that uses them, not when the tasking pipeline, the hotspot run or the
exports are imported (every command and the app import those first).

Each check runs in a fresh Python process and reads ``sys.modules`` there; no clock is read.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

#: Libraries a module import must not load, with the function that does load each.
HEAVY = ("sklearn", "scipy.stats", "matplotlib", "fpdf")

#: Modules every command or the app imports before it does anything.
LIGHT = ["hotspot_tasking.pipeline.tasking", "hotspot_tasking.hotspots.run", "hotspot_tasking.pipeline.exports",
         "hotspot_tasking.hotspots", "hotspot_tasking.pipeline.patrol", "hotspot_tasking.pipeline.evaluation",
         "hotspot_tasking.reports.placement"]


def loaded_after(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; which of :data:`HEAVY` are in its ``sys.modules`` then."""
    script = textwrap.dedent(code) + textwrap.dedent(f"""
        import json, sys
        print(json.dumps({{name: name in sys.modules for name in {HEAVY!r}}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", LIGHT)
def test_importing_the_core_loads_no_heavy_library(module):
    loaded = loaded_after(f"import {module}")
    assert [name for name, present in loaded.items() if present] == []


def test_running_dbscan_loads_scikit_learn():
    """The check above can fail: the same check sees scikit-learn once a DBSCAN runs."""
    loaded = loaded_after("""
        import pandas as pd
        import hotspot_tasking.pipeline.tasking
        from hotspot_tasking.hotspots.dbscan import dbscan

        points = pd.DataFrame({"easting": [530_000.0, 530_010.0, 530_020.0, 531_000.0],
                               "northing": [180_000.0, 180_000.0, 180_010.0, 181_000.0]})
        result = dbscan(points, eps_m=50.0, min_samples=3)
        assert len(result.clusters) == 1, result.clusters
    """)
    assert loaded["sklearn"]
    assert not loaded["matplotlib"] and not loaded["fpdf"]


def test_the_wdd_test_loads_scipy_stats():
    loaded = loaded_after("""
        import hotspot_tasking.pipeline.evaluation
        from hotspot_tasking.evaluation.wdd import wdd_z

        assert round(float(wdd_z([-118.0], [1568.0])["wdd_z"].iloc[0]), 2) == -2.98
    """)
    assert loaded["scipy.stats"]


def test_a_list_without_an_action_log_loads_no_sqlalchemy(demo_copy):
    """SQLAlchemy (a fifth of a second) loads where an action log is read, not for a list of a
    workspace that has none; the same check sees it once the workspace's log is opened."""
    code = f"""
        import json, sys
        from hotspot_tasking.geo.workspace import Workspace
        from hotspot_tasking.pipeline.tasking import workspace_action_log
        import hotspot_tasking.pipeline.exports, hotspot_tasking.hotspots.run, hotspot_tasking.pipeline.review
        ws = Workspace.open({str(demo_copy)!r})
        before = "sqlalchemy" in sys.modules
        assert workspace_action_log(ws) is None
        from hotspot_tasking.actions.log import ActionLog
        ActionLog.open(ws).close()
        print(json.dumps([before, "sqlalchemy" in sys.modules]))
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [False, True]
