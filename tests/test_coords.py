"""hotspot_tasking.geo.coords: WGS84 <-> British National Grid, which system a pair is in,
swapped pairs, and what counts as no location."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import API_CSV, FIRE
from pyproj import Transformer

from hotspot_tasking.geo import coords

#: Real points: police.uk API map points (Belleville Road, Hatfields) and City of London
#: street-CSV points (Charterhouse Street, Foster Lane), as (longitude, latitude).
REAL_POINTS = np.array([
    (-0.165967, 51.456466),
    (-0.106547, 51.505179),
    (-0.106453, 51.518207),
    (-0.096348, 51.515472),
])


def pyproj_to_bng(lon, lat):
    return Transformer.from_crs(4326, 27700, always_xy=True).transform(lon, lat)


def test_to_bng_matches_pyproj_within_a_metre():
    east, north = coords.to_bng(REAL_POINTS[:, 0], REAL_POINTS[:, 1])
    ref_e, ref_n = pyproj_to_bng(REAL_POINTS[:, 0], REAL_POINTS[:, 1])
    np.testing.assert_allclose(east, ref_e, atol=1.0)
    np.testing.assert_allclose(north, ref_n, atol=1.0)
    # and lands in inner London (easting 52x-53x km, northing 17x-18x km)
    assert ((east > 520_000) & (east < 535_000)).all()
    assert ((north > 170_000) & (north < 185_000)).all()


def test_round_trip_wgs84_bng_wgs84_within_1e5_degrees():
    east, north = coords.to_bng(REAL_POINTS[:, 0], REAL_POINTS[:, 1])
    lon, lat = coords.to_wgs84(east, north)
    np.testing.assert_allclose(lon, REAL_POINTS[:, 0], atol=1e-5)
    np.testing.assert_allclose(lat, REAL_POINTS[:, 1], atol=1e-5)
    ref_lon, ref_lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(east, north)
    np.testing.assert_allclose(lon, ref_lon, atol=1e-5)
    np.testing.assert_allclose(lat, ref_lat, atol=1e-5)


def test_bng_round_trip_within_a_metre():
    # London Fire Brigade Easting_m/Northing_m of incidents 2091 (Enfield) and 23091 (Golborne)
    east = np.array([533773.0, 524281.0])
    north = np.array([194492.0, 181426.0])
    lon, lat = coords.to_wgs84(east, north)
    back_e, back_n = coords.to_bng(lon, lat)
    np.testing.assert_allclose(back_e, east, atol=1.0)
    np.testing.assert_allclose(back_n, north, atol=1.0)


def test_agrees_with_the_fire_brigades_own_latitude_longitude():
    """The LFB file gives both a BNG pair and lat/lon for most rows: an independent check.
    Different transformations (OSTN15 vs Helmert) differ by a couple of metres, so 3 m."""
    f = pd.read_csv(FIRE, dtype=str, keep_default_na=False)
    f = f[f["Easting_m"].ne("") & f["Latitude"].ne("")]
    assert len(f) == 14
    east, north = coords.to_bng(f["Longitude"].astype(float), f["Latitude"].astype(float))
    assert np.abs(east - f["Easting_m"].astype(float).to_numpy()).max() < 3.0
    assert np.abs(north - f["Northing_m"].astype(float).to_numpy()).max() < 3.0


def test_locate_wgs84_real_points():
    api = pd.read_csv(API_CSV, dtype=str, keep_default_na=False).head(40)
    got = coords.locate(api["longitude"], api["latitude"], "wgs84")
    assert (got.status == "ok").all()
    assert (got.system == "wgs84").all()
    np.testing.assert_allclose(got.longitude, api["longitude"].astype(float))
    ref_e, ref_n = pyproj_to_bng(api["longitude"].astype(float).to_numpy(), api["latitude"].astype(float).to_numpy())
    np.testing.assert_allclose(got.easting, ref_e, atol=1.0)
    np.testing.assert_allclose(got.northing, ref_n, atol=1.0)


def test_locate_detects_swapped_latitude_longitude():
    x = pd.Series(["-0.165967", "51.456466"])  # second row: latitude in the longitude column
    y = pd.Series(["51.456466", "-0.165967"])
    for system in ("auto", "wgs84"):
        got = coords.locate(x, y, system)
        assert list(got.status) == ["ok", "ok"]
        assert list(got.system) == ["wgs84", "wgs84 swapped"]
        assert got.longitude[1] == pytest.approx(-0.165967)
        assert got.latitude[1] == pytest.approx(51.456466)
        assert got.easting[1] == pytest.approx(got.easting[0])
        assert got.northing[1] == pytest.approx(got.northing[0])


def test_locate_auto_reads_bng_metres():
    got = coords.locate(pd.Series(["528295", "325948"]), pd.Series(["175993", "673584"]), "auto")
    assert list(got.system) == ["bng", "bng"]
    assert list(got.status) == ["ok", "ok"]
    assert got.easting[0] == 528295.0 and got.northing[0] == 175993.0
    ref_lon, ref_lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(528295.0, 175993.0)
    assert got.longitude[0] == pytest.approx(ref_lon, abs=1e-5)
    assert got.latitude[0] == pytest.approx(ref_lat, abs=1e-5)
    # Edinburgh is in Great Britain (the workspace area decides whether it is too far)
    assert 55.9 < got.latitude[1] < 56.0


@pytest.mark.parametrize(
    ("x", "y"),
    [("", ""), ("  ", ""), ("-0.1", ""), ("", "51.5"), ("0", "0"), ("0.0", "0.000"), ("abc", "51.5"), (None, None)],
)
def test_blank_zero_and_non_numeric_are_no_location(x, y):
    got = coords.locate(pd.Series([x], dtype=object), pd.Series([y], dtype=object), "auto")
    assert got.status[0] == "no location"
    assert got.system[0] == ""
    assert np.isnan([got.easting[0], got.northing[0], got.longitude[0], got.latitude[0]]).all()


@pytest.mark.parametrize(
    ("x", "y", "system"),
    [
        ("2.352222", "48.856613", "wgs84"),  # Paris
        ("2.352222", "48.856613", "auto"),
        ("5301234", "178456", "auto"),  # an easting with an extra digit: off the grid
        ("5301234", "178456", "bng"),
        ("528295", "175993", "wgs84"),  # metres read as degrees
        ("-0.1", "51.5", "bng"),  # degrees read as metres
        ("-74.006", "40.7128", "auto"),  # New York
    ],
)
def test_outside_great_britain(x, y, system):
    got = coords.locate(pd.Series([x]), pd.Series([y]), system)
    assert got.status[0] == "outside Great Britain"
    assert np.isnan(got.easting[0])


def test_locate_rejects_an_unknown_system():
    with pytest.raises(ValueError, match="'osgb'"):
        coords.locate(pd.Series(["1"]), pd.Series(["2"]), "osgb")


def test_locate_leaves_inputs_alone():
    x = pd.Series(["-0.165967", "51.456466", "", "528295"], index=[5, 6, 7, 8])
    y = pd.Series(["51.456466", "-0.165967", "", "175993"], index=[5, 6, 7, 8])
    before = (x.copy(), y.copy())
    coords.locate(x, y, "auto")
    pd.testing.assert_series_equal(x, before[0])
    pd.testing.assert_series_equal(y, before[1])


def test_locate_same_pair_many_times_gives_the_same_answer():
    x = pd.Series(["-0.165967"] * 50 + ["-0.106547"] * 50)
    y = pd.Series(["51.456466"] * 50 + ["51.505179"] * 50)
    got = coords.locate(x, y, "wgs84")
    assert len(set(got.easting[:50])) == 1 and len(set(got.easting[50:])) == 1
    assert got.easting[0] != got.easting[50]


def test_transforms_leave_inputs_alone():
    lon = REAL_POINTS[:, 0].copy()
    lat = REAL_POINTS[:, 1].copy()
    coords.to_bng(lon, lat)
    np.testing.assert_array_equal(lon, REAL_POINTS[:, 0])
    np.testing.assert_array_equal(lat, REAL_POINTS[:, 1])
