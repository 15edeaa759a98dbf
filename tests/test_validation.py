"""The shared validators (hotspot_tasking.validation): TypeError for a wrong type, the
caller's error class for a wrong value, in scikit-learn's wording; nothing given is modified."""

import datetime as dt
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspot_tasking.errors import UserError
from hotspot_tasking.validation import (
    check_columns,
    check_coordinates,
    check_date,
    check_datetimes,
    check_layer,
    check_paths,
    check_series,
    check_weights,
)


class MyError(UserError):
    pass


def test_check_columns_takes_the_fix_and_the_error_class():
    with pytest.raises(MyError, match=r"^pool needs the column 'wdd'; the table has 1 column: 'x'\. Fix: pass the "
                                      r"frame evaluate_places returns\.$"):
        check_columns(pd.DataFrame({"x": [1]}), ["wdd"], "pool", name="results", error=MyError,
                      fix="pass the frame evaluate_places returns.")


def test_check_layer_wants_a_polygon_layer_in_epsg_27700():
    layer = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[shapely.box(0, 0, 1, 1), None], crs=27700)
    with pytest.raises(MyError, match=r"f: 1 row of the layer 'w' \(rows \[1\]\) has none geometry, not a polygon"):
        check_layer(layer, "f", name="layer 'w'", error=MyError)
    good = layer.iloc[:1]
    assert check_layer(good, "f") is good
    assert check_layer(good.set_crs(None, allow_override=True), "f") is not None  # no CRS: taken as EPSG:27700
    with pytest.raises(MyError, match=r"f: the layer is in WGS 84 \(EPSG:4326\), not EPSG:27700"):
        check_layer(good.to_crs(4326), "f", error=MyError)
    with pytest.raises(TypeError, match=r"The 'areas' parameter of f must be a geopandas GeoDataFrame\. Got "
                                        r"GeoSeries instead\."):
        check_layer(good.geometry, "f", param="areas")


def test_check_datetimes_refuses_naive_text_and_missing_times():
    aware = pd.Series(pd.to_datetime(["2017-07-01 10:00", None])).dt.tz_localize("Europe/London")
    frame = pd.DataFrame({"occurred_from": aware, "text": ["2017-07-01", "x"]})
    assert check_datetimes(frame, ["occurred_from"], "f") is frame
    with pytest.raises(MyError, match=r"f: column 'occurred_from' is empty in 1 of 2 rows; drop those rows first\."):
        check_datetimes(frame, ["occurred_from"], "f", error=MyError, allow_missing=False)
    with pytest.raises(MyError, match=r"f: column 'text' holds str, not timestamps; read the table from the workspace"):
        check_datetimes(frame, ["text"], "f", error=MyError)
    assert check_datetimes(frame.iloc[:0], ["text"], "f") is not None  # an empty table passes


def test_check_weights_refuses_infinite_and_negative_and_leaves_nan_as_zero():
    frame = pd.DataFrame({"w": [1.0, np.nan, 2.0]})
    before = frame.copy()
    assert check_weights(frame, "w", "f").tolist() == [1.0, 0.0, 2.0]
    pd.testing.assert_frame_equal(frame, before)
    with pytest.raises(MyError, match=r"f: weights must be finite and 0 or more; 2 are negative or infinite\."):
        check_weights(frame.assign(w=[math.inf, -1.0, 1.0]), "w", "f", error=MyError)
    with pytest.raises(MyError, match=r"f: the 'weights' Series has another index than the incidents"):
        check_weights(frame, pd.Series([1.0]), "f", error=MyError)


def test_check_series_date_paths_and_coordinates():
    assert check_series(None, "w", "f", optional=True) is None
    with pytest.raises(TypeError, match=r"The 'w' parameter of f must be a pandas Series\. Got list instead\."):
        check_series([1.0], "w", "f")
    assert check_date(dt.date(2017, 7, 1), "start", "f") == pd.Timestamp("2017-07-01")
    assert check_date(None, "start", "f", optional=True) is None
    with pytest.raises(MyError, match=r"The 'start' parameter of f must be a date such as '2018-06-01'\. Got 'June' "
                                      r"instead\."):
        check_date("June", "start", "f", error=MyError)
    with pytest.raises(TypeError, match=r"The 'start' parameter of f must be a date .* Got 20170701 instead\."):
        check_date(20170701, "start", "f")
    assert check_paths((Path("a.csv"), "b.csv"), "paths", "f") == [Path("a.csv"), "b.csv"]
    with pytest.raises(TypeError, match=r"The 'paths' parameter of f must be a list of paths \(e\.g\. \['a\.csv'\]\)"):
        check_paths(Path("a.csv"), "paths", "f")
    x, y = check_coordinates(pd.Series([1.0, None], dtype="Float64"), np.array([2, 3]), "f")
    assert np.isnan(x[1]) and y.dtype == float
