"""Choosing incidents by source, category, group and dates; and the enriched table."""

import pandas as pd
import pytest

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.boundaries.store import incidents_with_areas
from hotspot_tasking.geo.errors import GeoError
from hotspot_tasking.geo.select import select_incidents
from hotspot_tasking.geo.workspace import Workspace


def frame():
    tz = "Europe/London"
    return pd.DataFrame({
        "source": ["police_uk", "fire", "police_uk"],
        "category": ["Burglary", "Deliberate fire", "Robbery"],
        "groups": ["serious_acquisitive;volume_crime", "deliberate_fire;signal_crimes", ""],
        "occurred_from": pd.to_datetime(["2017-01-01 00:00", "2017-01-31 23:00", "2017-02-01 00:00"]).tz_localize(tz),
        "occurred_to": pd.to_datetime(["2017-01-31 23:59", "2017-01-31 23:00", "2017-02-28 23:59"]).tz_localize(tz),
    })


def test_filters_combine():
    inc = frame()
    before = inc.copy()
    assert select_incidents(inc, sources=["police_uk"]).tolist() == [True, False, True]
    assert select_incidents(inc, groups=["signal_crimes", "volume_crime"]).tolist() == [True, True, False]
    assert select_incidents(inc, groups=["volume"]).tolist() == [False, False, False]  # whole ids only
    assert select_incidents(inc, categories=["Robbery"], sources=["fire"]).tolist() == [False, False, False]
    # a month-long window overlaps any date inside it
    assert select_incidents(inc, start="2017-01-15", end="2017-01-31").tolist() == [True, True, False]
    assert select_incidents(inc, start="2017-02-10").tolist() == [False, False, True]
    pd.testing.assert_frame_equal(inc, before)
    with pytest.raises(GeoError, match="before the start"):
        select_incidents(inc, start="2017-02-01", end="2017-01-01")


def test_demo_incidents_with_areas_and_cells():
    ws = Workspace.open(DEMO_WORKSPACE)
    out = incidents_with_areas(ws)
    assert len(out) == ws.summary().incidents
    for col in ("ward_2014", "lsoa_2011", "ward_code", "lsoa_code", "zone_codes", "h3_8", "h3_9", "h3_10"):
        assert col in out.columns
    assert out.attrs["outside"]["ward_2014"] == int(out["ward_code"].eq("").sum())
    brixton = out["zone_codes"].str.contains("NTE-BRX")
    assert brixton.sum() > 1000
