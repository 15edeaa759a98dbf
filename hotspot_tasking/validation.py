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
>>> check_number(-1, "eps_m", "dbscan")
Traceback (most recent call last):
...
hotspot_tasking.errors.UserError: The 'eps_m' parameter of dbscan must be a float in the range (0.0, inf). Got -1 instead.
>>> check_columns(pd.DataFrame({"easting": [1.0]}), ("easting", "northing"), "kde")
Traceback (most recent call last):
...
hotspot_tasking.errors.UserError: kde needs the incident column 'northing' (EPSG:27700 metres); the table has 1 column: 'easting'. Fix: pass the incident table from the workspace, or add the column.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .errors import UserError

#: British National Grid: every distance and area is worked out in it.
BNG_EPSG = 27700
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
                  error: type[UserError] = UserError) -> pd.DataFrame:
    """Return ``frame`` if it is a DataFrame holding every one of ``columns``, else raise.

    TypeError when it is not a DataFrame; ``error`` naming the missing columns (with what
    they hold) and the columns it has.
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
        raise error(f"{where} needs the {noun}column{'s' if len(missing) > 1 else ''} {what}; the table has "
                    f"{len(has)} column{'s' if len(has) != 1 else ''}: {shown or 'none'}. Fix: pass the incident "
                    "table from the workspace, or add the column" + ("s." if len(missing) > 1 else "."))
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


def _and(items: list[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _as_tuple(types) -> tuple:
    return types if isinstance(types, tuple) else (types,)
