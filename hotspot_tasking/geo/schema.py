"""The canonical incident table: one row per incident.

Every reader produces the columns of :data:`INCIDENT_COLUMNS`. Distances and areas are
computed on ``easting``/``northing`` (EPSG:27700, metres); ``longitude``/``latitude``
(WGS84) are kept for maps and H3.

Time convention: ``occurred_from`` and ``occurred_to`` are Europe/London timestamps
and both ends are inclusive, at the record's ``time_precision``: an exact time has
``occurred_from == occurred_to``; a police.uk record for March 2016 runs from
2016-03-01 00:00 to 2016-03-31 23:59; a "between 18:00 and 08:00" window runs from
the first to the second time.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import pandas as pd

from ..labels import BNG_EPSG, LOCAL_TZ  # noqa: F401  (the schema's time zone and CRS, defined once)

WGS84_EPSG = 4326

TimePrecision = Literal["minute", "hour", "day", "month"]
TIME_PRECISIONS: tuple[str, ...] = get_args(TimePrecision)

SourceName = Literal["police_uk", "police_uk_api", "fire", "council_asb", "street_drinking"]
SOURCES: tuple[str, ...] = get_args(SourceName)

#: Column name -> pandas dtype of the stored incident table, in order.
INCIDENT_COLUMNS: dict[str, str] = {
    "incident_id": "str",
    "source": "str",
    "source_category": "str",
    "category": "str",
    "subcategory": "str",
    "groups": "str",  # partnership group ids joined with ";" (see taxonomy.toml)
    "occurred_from": f"datetime64[us, {LOCAL_TZ}]",
    "occurred_to": f"datetime64[us, {LOCAL_TZ}]",
    "time_precision": "str",
    "easting": "float64",
    "northing": "float64",
    "longitude": "float64",
    "latitude": "float64",
    "location_precision_m": "float32",
    "location_text": "str",
    "lsoa_code_given": "str",  # LSOA code written by the source itself, if any
    "harm_weight": "float32",
    "lead_agency": "str",
    "sensitive": "bool",
    "import_id": "str",
}

#: Columns of a quarantine file, before the rejected row's own columns.
QUARANTINE_COLUMNS = ("file", "row", "reason", "detail")


def empty_incidents() -> pd.DataFrame:
    """An incident table with no rows and the canonical columns and dtypes."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in INCIDENT_COLUMNS.items()})


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical columns, in order, with their dtypes.

    Raises ``KeyError`` naming the missing columns: a programming error, not a user one.
    """
    missing = [c for c in INCIDENT_COLUMNS if c not in frame.columns]
    if missing:
        raise KeyError(f"incident table is missing columns {missing}")
    out = frame.loc[:, list(INCIDENT_COLUMNS)].astype(INCIDENT_COLUMNS)
    return out.reset_index(drop=True)


def month_key(occurred_from: pd.Series) -> np.ndarray:
    """The partition key ``YYYY-MM`` (Europe/London) for each timestamp, as a numpy str array."""
    number = (occurred_from.dt.year * 100 + occurred_from.dt.month).to_numpy(dtype=np.int64)
    codes, distinct = pd.factorize(number)
    labels = np.array([f"{m // 100:04d}-{m % 100:02d}" for m in distinct], dtype="U7")
    return labels[codes] if len(labels) else np.array([], dtype="U7")
