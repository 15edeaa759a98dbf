"""The patrol plan and the area comparison on police.uk files only (month-only dates): the City of
London's real files for September 2016 to August 2017 and its 25 wards, built with the CLI as a
person would, then read through Streamlit's AppTest. Nothing is empty without a sentence saying
why, and no panel needs a time of day that the records do not give.
"""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pytest
from conftest import city_year_workspace
from shown import shown
from streamlit.testing.v1 import AppTest

from hotspot_tasking.boundaries.store import incidents_with_areas
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.pipeline.patrol import PatrolRequest, patrol_pdf, plan_patrol

ENTRY = "../app.py"
AUGUST_NOTE = ("The records give no times of day (police.uk gives months only), so these places are for the whole "
               "of August 2017 and are not split by shift.")
NO_GRID = re.compile(r"No hour-of-week grid: none of the [\d,]+ incidents in .+ and .+ in August 2017 has a time of "
                     r"day \(police\.uk gives months only\)\.")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """The City's police.uk street files of 2016-09 to 2017-08 with its 2014 wards."""
    tmp = tmp_path_factory.mktemp("city_months")
    root = city_year_workspace(tmp)
    return root


@pytest.fixture
def page(city, monkeypatch):
    monkeypatch.setenv("HOTSPOT_WORKSPACE", str(city))

    def open_page(name: str, period: tuple[str, str] | None = None, band: str | None = None) -> AppTest:
        at = AppTest.from_file(ENTRY, default_timeout=180).run()
        at.switch_page(f"app_pages/{name}.py").run()
        if period:
            at.sidebar.date_input(key="period").set_value(tuple(dt.date.fromisoformat(d) for d in period)).run()
        if band:
            at.sidebar.selectbox(key="band").set_value(band).run()
        assert not at.exception, at.exception
        assert not at.error, [shown(e.value) for e in at.error]
        return at
    return open_page


def chart_rows(at) -> list[int]:
    """Rows of data behind every chart drawn."""
    return [sum(pa.ipc.open_stream(d.data.data).read_all().num_rows for d in c.proto.datasets)
            for c in at.get("vega_lite_chart")]


def texts(at) -> list[str]:
    return [shown(e.value) for kind in ("info", "caption", "markdown") for e in getattr(at, kind)]


def test_the_patrol_plan_offers_the_months_places_with_one_note(page):
    at = page("patrol_plan")
    area = at.selectbox(key="patrol_layer").value
    code = at.selectbox(key=f"patrol_area_{area}").value
    month = at.sidebar.selectbox(key=f"patrol_month_{area}_{code}")
    assert month.options[0] == "August 2017" and len(month.options) == 12 and month.value == "2017-08"
    assert shown(at.subheader[0].value).endswith(", August 2017")
    assert [shown(i.value) for i in at.info] == [AUGUST_NOTE]
    assert not any("choose more weeks" in t for t in texts(at))
    assert "patrol_shift" not in [s.key for s in at.selectbox]  # no shifts to choose
    table = at.dataframe[0]
    assert len(table.value) and list(table.proto.column_order) == ["order", "place_name", "incidents", "share",
                                                                    "categories"]
    assert sum(t == AUGUST_NOTE for t in texts(at)) == 1  # said once
    assert at.get("deck_gl_json_chart") and at.get("download_button")
    at.sidebar.selectbox(key=f"patrol_month_{area}_{code}").set_value("2017-02").run()
    assert not at.exception and shown(at.subheader[0].value).endswith(", February 2017")
    assert shown(at.info[0].value) == AUGUST_NOTE.replace("August", "February")


def test_the_printed_patrol_plan_follows_the_same_rule(city):
    ws = Workspace.open(city)
    table = incidents_with_areas(ws)
    layer = next(iter(ws.layers()))
    code = table[layer].value_counts().index[0]
    request = PatrolRequest(layer, code, ("Friday", "Saturday"), 21, 4)
    plan = plan_patrol(ws, request, incidents=table)
    assert not plan.by_shift and plan.month == "August 2017" and plan.time_note == AUGUST_NOTE
    assert len(plan.frame) == 8 and plan.frame["incidents"].is_monotonic_decreasing
    assert re.findall(rb"/Count \d+", patrol_pdf(ws, request, plan)) == [b"/Count 1"]


def test_the_area_comparison_judges_months(page):
    at = page("area_comparison")
    table = at.dataframe[0].value
    assert len(table) == 2 and not table["Target status"].str.startswith("Not judged").any()
    assert not [c for c in table.columns if table[c].isna().all()]  # no column left empty
    assert "Previous" in table.columns
    # no residents, and no data a year before: those columns are not drawn (the notes say why)
    assert not {"Rate /1,000", "Last year", "vs last year"} & set(table.columns)
    assert any(t.startswith("Period August 2017; previous equal period July 2017; same months last year August "
                            "2016.") for t in texts(at))
    assert [shown(i.value) for i in at.info if NO_GRID.fullmatch(shown(i.value))]  # one sentence, no hour grids
    assert not at.main.toggle  # nor the toggle of the grids (the sidebar has the basemap's)
    rows = chart_rows(at)
    assert len(rows) == 2 and all(rows)  # category mix and trend, both with data


def test_a_period_shorter_than_a_month_uses_the_month_it_touches(page):
    at = page("area_comparison", period=("2017-08-07", "2017-08-20"))
    assert shown(at.info[0].value) == ("The period 07/08/2017 to 20/08/2017 is shorter than a month and police.uk "
                                       "gives months only, so the month it touches, August 2017, is compared instead.")
    table = at.dataframe[0].value
    assert (table["Incidents"] > 0).all() and not table["Target status"].str.startswith("Not judged").any()


def test_an_hour_band_says_why_nothing_is_compared(page):
    at = page("area_comparison", band="nte")
    assert len(at.info) == 1 and re.fullmatch(
        r"None of the [\d,]+ incidents in .+ and .+ in August 2017 has a time of day \(police\.uk gives months "
        r"only\), so none falls in the 'Night-time economy' band; use all times\.", shown(at.info[0].value))
    assert not at.dataframe and not at.get("vega_lite_chart")


def test_the_first_month_says_why_it_is_not_judged(page):
    at = page("area_comparison", period=("2016-09-01", "2016-09-30"))
    assert at.dataframe[0].value["Target status"].eq("Not judged: no baseline").all()
    assert ("Not judged: the data start on 01/09/2016, after the previous equal period (August 2016), so there is no "
            "baseline; choose a later period.") in texts(at)
    assert all(chart_rows(at))
