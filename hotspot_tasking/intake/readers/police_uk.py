"""police.uk street-level crime CSVs (the monthly ``*-street.csv`` files and their zips).

Twelve columns: ``Crime ID, Month, Reported by, Falls within, Longitude, Latitude,
Location, LSOA code, LSOA name, Crime type, Last outcome category, Context``. Times are
month only; locations are snapped to anonymised map points, each covering at least
eight addresses (precision taken as 150 m). ASB rows have no Crime ID: ingest derives
a stable id from the row's content and its position among identical rows.

One Crime ID can carry several offences (a robbery and an assault on one crime
reference): each is its own row, with its own crime type. Such rows keep the Crime ID
on the first offence and get ``<Crime ID>-1``, ``-2`` ... on the others, so none is
lost. Rows that repeat an offence exactly (same Crime ID, month, point and crime type,
differing at most in outcome) get the same id and are rejected as duplicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import dates
from ..textfiles import CsvText
from .base import Reader, all_distinct, no_time

#: Metres: police.uk map points stand for at least eight addresses around them.
POLICE_UK_PRECISION_M = 150.0


def parse(csv: CsvText) -> pd.DataFrame:
    """Parse one police.uk street CSV (see the module docstring)."""
    f = csv.frame
    naive, precision = dates.parse_dates(f["Month"])
    return pd.DataFrame({
        "incident_id": offence_ids(f),
        "source_category": f["Crime type"],
        "date_text": f["Month"],
        "naive": naive,
        "precision": precision,
        **no_time(f.index),
        "x": f["Longitude"],
        "y": f["Latitude"],
        "crs": "wgs84",
        "location_precision_m": POLICE_UK_PRECISION_M,
        "location_text": f["Location"],
        "lsoa_code_given": f["LSOA code"],
        "skip_reason": "",
    })


def offence_ids(f: pd.DataFrame) -> pd.Series:
    """Crime ID, suffixed ``-k`` for the k-th further offence on the same Crime ID (see module notes)."""
    crime_id = f["Crime ID"].str.strip()
    if all_distinct(crime_id[crime_id.ne("")]):  # the usual case, checked at arrow speed
        return crime_id
    shared = (crime_id.duplicated(keep=False) & crime_id.ne("")).to_numpy()
    if not shared.any():
        return crime_id
    g = f[shared]
    offence = g["Month"] + "|" + g["Longitude"] + "|" + g["Latitude"] + "|" + g["Crime type"]
    pairs = pd.DataFrame({"crime_id": crime_id[shared], "offence": offence})
    distinct = pairs.drop_duplicates()
    distinct = distinct.assign(k=distinct.groupby("crime_id").cumcount())
    k = pairs.merge(distinct, on=["crime_id", "offence"], how="left")["k"].to_numpy()
    ids = crime_id.copy()
    ids[shared] = np.where(k == 0, crime_id[shared], crime_id[shared] + "-" + pd.Series(k, index=g.index).astype("str"))
    return ids


READER = Reader(
    source="police_uk",
    vocabulary="police_uk",
    required=("Crime ID", "Month", "Longitude", "Latitude", "Location", "LSOA code", "Crime type"),
    parse=parse,
    pattern="*-street.csv",
    label="police.uk street-level crime CSV",
    whole_files=True,  # offence_ids numbers the offences of a shared Crime ID over the file (one force-month)
)
