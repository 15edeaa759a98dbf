"""The one set of validators every public function uses, in scikit-learn's wording.

"The 'eps_m' parameter of dbscan must be a float in the range (0.0, inf). Got -1 instead."

A wrong type raises :class:`TypeError`; a wrong value raises the calling package's own
error class (``error=``, a :class:`~hotspot_tasking.errors.UserError` subclass such as
``HotspotError``), so the CLI and the app show it as one sentence. Every message says
what, where (the function, file or column), how many, and the fix.

Examples
--------
>>> check_number(150.0, "eps_m", "dbscan")
150.0
>>> check_number(-1, "eps_m", "dbscan")  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
hotspot_tasking.errors.UserError: The 'eps_m' parameter of dbscan must be a float in the range (0.0, inf).
Got -1 instead.
>>> check_columns(pd.DataFrame({"easting": [1.0]}), ("easting", "northing"), "kde")  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
hotspot_tasking.errors.UserError: kde needs the incident column 'northing' (EPSG:27700 metres); the table has
1 column: 'easting'. Fix: pass the incident table from the workspace, or add the column.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterable, Sequence
from numbers import Real

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import UserError
from .labels import BNG_EPSG

#: What a column holds, for error messages (units where they matter).
COLUMN_MEANINGS = {"easting": "EPSG:27700 metres", "northing": "EPSG:27700 metres",
                   "longitude": "WGS84 degrees", "latitude": "WGS84 degrees",
                   "occurred_from": "a timestamp", "occurred_to": "a timestamp"}


def check_type(value, name: str, where: str, types: type | tuple[type, ...], *, type_name: str,
               optional: bool = False):
    """Return ``value`` if it is an instance of ``types`` (or None when ``optional``), else raise TypeError.

    >>> check_type("x", "period", "rank", str, type_name="a str")
    'x'
    """
    if (optional and value is None) or (isinstance(value, types) and not isinstance(value, bool)) \
            or (bool in _as_tuple(types) and isinstance(value, bool)):
        return value
    shown = repr(value) if isinstance(value, (str, int, float, bool, type(None))) else type(value).__name__
    extra = " or None" if optional else ""
    raise TypeError(f"The '{name}' parameter of {where} must be {type_name}{extra}. Got {shown} instead.")


def check_number(value, name: str, where: str, *, low: float = 0.0, high: float = math.inf,
                 low_open: bool = True, high_open: bool = True, integer: bool = False,
                 error: type[UserError] = UserError):
    """Return ``value`` if it is a number in the range, else raise (TypeError, or ``error``).

    Parameters
    ----------
    value : object
    name, where : str
        The parameter's name and the function (or file and key) it belongs to.
    low, high : float, default=0.0, inf
        The range's ends.
    low_open, high_open : bool, default=True
        Whether each end is left out of the range.
    integer : bool, default=False
        Demand an int (``numpy`` integers too), not any real number.
    error : type, default=UserError
        The calling package's error class, raised for a value out of range.
    """
    kind = "an int" if integer else "a float"
    ok_type = isinstance(value, (int, np.integer)) if integer else isinstance(value, Real)
    if isinstance(value, bool) or not ok_type:
        raise TypeError(f"The '{name}' parameter of {where} must be {kind}. Got {value!r} instead.")
    lo_ok = value > low if low_open else value >= low
    hi_ok = value < high if high_open else value <= high
    if not (lo_ok and hi_ok) or (isinstance(value, float) and math.isnan(value)):
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise error(f"The '{name}' parameter of {where} must be {kind} in the range "
                    f"{left}{low}, {high}{right}. Got {value!r} instead.")
    return value


def check_choice(value, name: str, where: str, choices: Iterable[str], *, error: type[UserError] = UserError):
    """Return ``value`` if it is one of ``choices``, else raise ``error`` listing them.

    >>> check_choice("week", "every", "review_period", ("week", "month"))
    'week'
    """
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise error(f"The '{name}' parameter of {where} must be one of {', '.join(map(repr, choices))}. "
                    f"Got {value!r} instead.")
    return value


def check_strings(value, name: str, where: str) -> tuple[str, ...] | None:
    """A list of str as a tuple (None stays None); a bare str or other items raise TypeError.

    >>> check_strings(["Robbery", "Burglary"], "categories", "rank")
    ('Robbery', 'Burglary')
    """
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"The '{name}' parameter of {where} must be a list of str (e.g. [{value!r}]). "
                        f"Got {value!r} instead.")
    values = tuple(value)
    bad = [v for v in values if not isinstance(v, str)]
    if bad:
        raise TypeError(f"The '{name}' parameter of {where} must be a list of str; {len(bad)} item(s) are not, "
                        f"e.g. {bad[0]!r}.")
    return values


def check_frame(frame, name: str, where: str) -> pd.DataFrame:
    """Return ``frame`` if it is a pandas DataFrame (a GeoDataFrame too), else raise TypeError."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"The '{name}' parameter of {where} must be a pandas DataFrame. "
                        f"Got {type(frame).__name__} instead.")
    return frame


def check_columns(frame, columns: Sequence[str], where: str, *, name: str = "incidents",
                  error: type[UserError] = UserError, fix: str | None = None) -> pd.DataFrame:
    """Return ``frame`` if it is a DataFrame holding every one of ``columns``, else raise.

    TypeError when it is not a DataFrame; ``error`` naming the missing columns (with what
    they hold) and the columns it has. ``fix``: the sentence after "Fix:" (default: pass
    the incident table from the workspace, or add the column).
    """
    check_frame(frame, name, where)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        meanings = {COLUMN_MEANINGS.get(c) for c in missing}
        what = _and([f"'{c}'" for c in missing])
        if len(meanings) == 1 and None not in meanings:
            what += f" ({meanings.pop()})"
        has = list(map(str, frame.columns))
        shown = ", ".join(f"'{c}'" for c in has[:12]) + (f" and {len(has) - 12} more" if len(has) > 12 else "")
        noun = "incident " if name == "incidents" else ""
        fix = fix or ("pass the incident table from the workspace, or add the column"
                      + ("s." if len(missing) > 1 else "."))
        raise error(f"{where} needs the {noun}column{'s' if len(missing) > 1 else ''} {what}; the table has "
                    f"{len(has)} column{'s' if len(has) != 1 else ''}: {shown or 'none'}. Fix: {fix}")
    return frame


def check_crs(crs, where: str, *, name: str = "layer", error: type[UserError] = UserError,
              allow_none: bool = True) -> None:
    """Raise ``error`` unless ``crs`` (a CRS, or anything with ``.crs``) is EPSG:27700.

    Distances and areas are worked out in British National Grid metres; a layer in
    longitude and latitude would put every point outside it. ``allow_none``: a frame
    without a CRS is taken to be in EPSG:27700 (as the workspace stores it).
    """
    crs = getattr(crs, "crs", crs)
    if crs is None:
        if allow_none:
            return
        raise error(f"{where}: the {name} has no coordinate reference system; set it with .set_crs(27700) if its "
                    "coordinates are British National Grid metres, else give it the one it is in and reproject.")
    epsg = crs.to_epsg() if hasattr(crs, "to_epsg") else None
    if epsg != BNG_EPSG:
        label = getattr(crs, "name", None) or str(crs)
        raise error(f"{where}: the {name} is in {label}" + (f" (EPSG:{epsg})" if epsg else "") + ", not EPSG:27700 "
                    "(British National Grid); reproject it first with .to_crs(27700).")


def check_points(frame, where: str, *, error: type[UserError] = UserError) -> tuple[np.ndarray, np.ndarray]:
    """``(easting, northing)`` of a table with a location for every row, as float arrays.

    Raises ``error`` when the columns are missing or a row has no coordinates (ingest
    never stores such rows; drop them first).
    """
    check_columns(frame, ("easting", "northing"), where, error=error)
    e = frame["easting"].to_numpy(dtype=float)
    n = frame["northing"].to_numpy(dtype=float)
    bad = ~np.isfinite(e) | ~np.isfinite(n)
    if bad.any():
        raise error(f"{where}: {int(bad.sum()):,} of {len(e):,} incidents have no coordinates; drop them first "
                    "(ingest rejects them).")
    return e, n


def check_coordinates(x, y, where: str, *, names: tuple[str, str] = ("easting", "northing"),
                      error: type[UserError] = UserError) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` as 1-d float arrays of one length (NaN stays NaN).

    TypeError when either is not a 1-d array of numbers (a list, a numpy array or a
    pandas Series); ``error`` when their lengths differ.

    >>> check_coordinates([530_000, 531_000], [180_000, 181_000], "assign_layer")[0]
    array([530000., 531000.])
    >>> check_coordinates([530_000], [180_000, 181_000], "assign_layer")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    hotspot_tasking.errors.UserError: assign_layer: 'easting' has 1 value but 'northing' has 2;
    give one of each per point.
    """
    out = []
    for value, name in zip((x, y), names):
        try:
            arr = (value.to_numpy(dtype=float, na_value=np.nan) if isinstance(value, pd.Series)
                   else np.asarray(value, dtype=float))
        except (TypeError, ValueError):
            arr = None
        if arr is None or arr.ndim != 1:
            raise TypeError(f"The '{name}' parameter of {where} must be a 1-d array of numbers (a list, numpy array "
                            f"or pandas Series). Got {_shown(value)} instead.")
        out.append(arr)
    if len(out[0]) != len(out[1]):
        raise error(f"{where}: '{names[0]}' has {_count(len(out[0]), 'value')} but '{names[1]}' has "
                    f"{len(out[1]):,}; give one of each per point.")
    return out[0], out[1]


def check_datetimes(frame, columns: Sequence[str], where: str, *, name: str = "incidents",
                    error: type[UserError] = UserError, allow_missing: bool = True) -> pd.DataFrame:
    """Return ``frame`` if every one of ``columns`` holds time-zone-aware timestamps, else raise.

    The incident table stores ``occurred_from`` and ``occurred_to`` in Europe/London;
    naive timestamps would be read as UTC by some steps and local time by others. An
    empty table passes whatever its columns' types. ``allow_missing=False`` also refuses
    NaT.

    >>> naive = pd.DataFrame({"occurred_from": pd.to_datetime(["2017-07-01 12:00"])})
    >>> check_datetimes(naive, ["occurred_from"], "evaluate_places")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    hotspot_tasking.errors.UserError: evaluate_places: column 'occurred_from' has no time zone; localise it first
    with .dt.tz_localize('Europe/London').
    """
    check_columns(frame, columns, where, name=name, error=error)
    if not len(frame):
        return frame
    for column in columns:
        values = frame[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            pass
        elif pd.api.types.is_datetime64_dtype(values.dtype):
            raise error(f"{where}: column '{column}' has no time zone; localise it first with "
                        ".dt.tz_localize('Europe/London').")
        else:
            raise error(f"{where}: column '{column}' holds {values.dtype}, not timestamps; read the table from the "
                        "workspace, or convert it with pd.to_datetime(...).dt.tz_localize('Europe/London').")
        if not allow_missing:
            empty = int(values.isna().sum())
            if empty:
                raise error(f"{where}: column '{column}' is empty in {empty:,} of {len(values):,} rows; "
                            "drop those rows first.")
    return frame


def check_series(value, name: str, where: str, *, index: pd.Index | None = None, optional: bool = False,
                 index_of: str = "the incidents", error: type[UserError] = UserError) -> pd.Series | None:
    """Return ``value`` if it is a pandas Series (on ``index`` when given), else raise.

    TypeError when it is not a Series (or None with ``optional``); ``error`` when its
    index differs from ``index``, the index of ``index_of`` (a per-incident Series computed
    on another table, say).

    >>> check_series(pd.Series([1.0]), "weights", "area_stats",
    ...              index=pd.RangeIndex(2))  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    hotspot_tasking.errors.UserError: area_stats: the 'weights' Series has another index than the incidents
    (1 against 2 rows); compute it on the same table, or align it first with .reindex().
    """
    if optional and value is None:
        return None
    if not isinstance(value, pd.Series):
        raise TypeError(f"The '{name}' parameter of {where} must be a pandas Series" + (" or None" if optional else "")
                        + f". Got {_shown(value)} instead.")
    if index is not None and not value.index.equals(index):
        raise error(f"{where}: the '{name}' Series has another index than {index_of} ({len(value):,} against "
                    f"{len(index):,} rows); compute it on the same table, or align it first with .reindex().")
    return value


def check_weights(incidents: pd.DataFrame, weights, where: str, *, error: type[UserError] = UserError) -> np.ndarray:
    """Per-incident weights as a float array: ones for None, a column, or a Series on the incidents' index.

    NaN counts as 0 (e.g. no time of day for an hour band); negative or infinite
    weights are refused.

    >>> check_weights(pd.DataFrame({"harm_weight": [1.0, None]}), "harm_weight", "kde")
    array([1., 0.])
    """
    if weights is None:
        return np.ones(len(incidents))
    if isinstance(weights, str):
        if weights not in incidents.columns:
            raise error(f"{where}: weights column '{weights}' is not in the incident table; name one of its columns "
                        "(e.g. 'harm_weight') or pass None.")
        values = incidents[weights].to_numpy(dtype=float, na_value=np.nan)
    elif isinstance(weights, pd.Series):
        check_series(weights, "weights", where, index=incidents.index, error=error)
        values = weights.to_numpy(dtype=float, na_value=np.nan)
    else:
        raise TypeError(f"The 'weights' parameter of {where} must be a column name (str), a pandas Series or None. "
                        f"Got {_shown(weights)} instead.")
    values = np.nan_to_num(values, nan=0.0, posinf=np.inf, neginf=-np.inf)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise error(f"{where}: weights must be finite and 0 or more; {int(bad.sum()):,} are negative or infinite.")
    return values


def check_date(value, name: str, where: str, *, optional: bool = False,
               error: type[UserError] = UserError) -> pd.Timestamp | None:
    """``value`` as a :class:`pandas.Timestamp` (a date or a time), else raise.

    TypeError for anything but a str, ``datetime.date``/``datetime``, pandas Timestamp or
    numpy datetime64 (or None with ``optional``); ``error`` for text that is not a date,
    or one before 1800 (text without a year, such as ``"June"``, reads as year 1).

    >>> check_date("2018-06-01", "start", "compare_areas")
    Timestamp('2018-06-01 00:00:00')
    >>> check_date("someday", "start", "compare_areas")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    hotspot_tasking.errors.UserError: The 'start' parameter of compare_areas must be a date such as '2018-06-01'.
    Got 'someday' instead.
    """
    if optional and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, dt.date, np.datetime64)):
        raise TypeError(f"The '{name}' parameter of {where} must be a date (a str such as '2018-06-01', a "
                        "datetime.date or a pandas Timestamp)" + (" or None" if optional else "")
                        + f". Got {_shown(value)} instead.")
    try:
        stamp = pd.Timestamp(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp) or stamp.year < 1800:
        raise error(f"The '{name}' parameter of {where} must be a date such as '2018-06-01'. Got {value!r} instead.")
    return stamp


def check_paths(value, name: str, where: str) -> list:
    """A list of paths (str or :class:`os.PathLike`); a bare path or other items raise TypeError.

    >>> check_paths(["a.csv"], "paths", "read_incidents")
    ['a.csv']
    """
    if isinstance(value, (str, os.PathLike)) or not isinstance(value, Iterable):
        raise TypeError(f"The '{name}' parameter of {where} must be a list of paths (e.g. [{str(value)!r}]). "
                        f"Got {_shown(value)} instead.")
    values = list(value)
    bad = [v for v in values if not isinstance(v, (str, os.PathLike))]
    if bad:
        raise TypeError(f"The '{name}' parameter of {where} must be a list of paths (str or pathlib.Path); "
                        f"{len(bad)} item(s) are not, e.g. {_shown(bad[0])}.")
    return values


def check_layer(layer, where: str, *, param: str = "layer", name: str = "layer", columns: Sequence[str] = ("code",),
                error: type[UserError] = UserError) -> gpd.GeoDataFrame:
    """Return ``layer`` if it is an area layer: a GeoDataFrame in EPSG:27700 with ``columns``
    and polygon geometry on every row; else raise.

    TypeError (naming the parameter ``param``) when it is not a GeoDataFrame; ``error``
    (naming ``name``, e.g. ``"layer 'ward_2014'"``) for another CRS (:func:`check_crs`; none is taken as EPSG:27700),
    a missing column, or rows without a polygon.
    """
    if not isinstance(layer, gpd.GeoDataFrame):
        raise TypeError(f"The '{param}' parameter of {where} must be a geopandas GeoDataFrame. "
                        f"Got {_shown(layer)} instead.")
    check_crs(layer, where, name=name, error=error)
    check_columns(layer, columns, f"{where} ({name})", name=name, error=error,
                  fix="load it with hotspot_tasking.boundaries.load_layer (which names the code column 'code'), "
                      "or rename its code column.")
    types = shapely.get_type_id(np.asarray(layer.geometry.array, dtype=object))
    bad = np.flatnonzero(~np.isin(types, (3, 6)))  # Polygon, MultiPolygon
    if len(bad):
        kinds = sorted({str(t) for t in layer.geometry.iloc[bad].geom_type.fillna("none")})
        raise error(f"{where}: {_count(len(bad), 'row')} of the {name} (rows {bad[:5].tolist()}) "
                    f"{'has' if len(bad) == 1 else 'have'} {', '.join(kinds)} geometry, not a polygon; an area layer "
                    "must be polygons (drop those rows, or load the right file).")
    return layer


def _shown(value) -> str:
    """A value for a message: its repr when short and simple, else its type's name."""
    if isinstance(value, (str, int, float, bool, type(None))) and len(repr(value)) <= 60:
        return repr(value)
    return type(value).__name__


def _count(n: int, noun: str) -> str:
    """``"1 row"``, ``"2 rows"``, ``"1,000 rows"``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _and(items: list[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _as_tuple(types) -> tuple:
    return types if isinstance(types, tuple) else (types,)
