"""Benchmark: the app's server time on the demo, through Streamlit's AppTest.

    python bench/app.py

Times the first load (incidents loaded, joined to areas, the default hotspot map) and then
interactions that hit the caches: a band change, a method change, moving between pages.
Target: every interaction after the first load under a second. Never a test.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def timed(label: str, action) -> float:
    t = time.perf_counter()
    at = action()
    seconds = time.perf_counter() - t
    if at.exception:
        raise SystemExit(f"{label}: the app raised {at.exception[0].value}")
    print(f"{label:<55} {seconds:6.2f} s")
    return seconds


def main() -> None:
    logging.disable(logging.WARNING)
    at = AppTest.from_file(APP, default_timeout=180)
    first = timed("first load (weekly review: the tasking list)", at.run)
    after = [
        timed("page -> Hotspot explorer", lambda: at.switch_page("app_pages/explorer.py").run()),
        timed("band -> night-time economy", lambda: at.sidebar.selectbox(key="band").set_value("nte").run()),
        timed("method -> DBSCAN", lambda: at.radio(key="explorer_method").set_value("dbscan").run()),
        timed("method -> Gi*", lambda: at.radio(key="explorer_method").set_value("gistar").run()),
        timed("band -> all times (cached)", lambda: at.sidebar.selectbox(key="band").set_value("all").run()),
        timed("page -> Data", lambda: at.switch_page("app_pages/data.py").run()),
        timed("page -> Area comparison", lambda: at.switch_page("app_pages/area_comparison.py").run()),
        timed("page -> Patrol plan", lambda: at.switch_page("app_pages/patrol_plan.py").run()),
        timed("page -> Weekly review (cached)", lambda: at.switch_page("app_pages/weekly_review.py").run()),
    ]
    print(f"first load {first:.2f} s; slowest interaction after it {max(after):.2f} s "
          f"(target < 1 s: {'met' if max(after) < 1 else 'NOT met'}); a new band or method is computed once, "
          "then served from the cache")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
