"""Fire and rescue incident records in the London Fire Brigade layout (39 columns).

Only fires are incidents here: rows whose ``IncidentGroup`` is not ``Fire`` (special
services, false alarms) are skipped with the reason "not a fire" (counted, and kept in
quarantine). The category words are ``"<StopCodeDescription> / <PropertyCategory> /
<motive>"``, e.g. ``"Secondary Fire / Outdoor / Deliberate"``; the LFB layout has no
deliberate/accidental field, so the motive comes from an optional column (``Motive``
by default) and is ``"Not recorded"`` without one: the taxonomy decides what counts
as a deliberate fire.

Location, the most precise pair present per row: ``Easting_m/Northing_m`` (1 m),
else ``Easting_rounded/Northing_rounded`` (dwellings, rounded to 50 m), else
``Latitude/Longitude``. Time: ``DateOfCall`` (``01 Jan 2009``) + ``TimeOfCall``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import dates
from ..errors import IntakeError
from ..textfiles import CsvText
from .base import Reader, blank, no_time

NOT_RECORDED = "Not recorded"
#: (x column, y column, precision in metres), most precise first.
COORDINATE_PAIRS = (
    ("Easting_m", "Northing_m", 1.0),
    ("Easting_rounded", "Northing_rounded", 50.0),
    ("Longitude", "Latitude", 10.0),
)
MOTIVE_COLUMNS = ("Motive", "FireMotive", "Deliberate")


def make_parse(motive_column: str | None = None):
    """A parse function; ``motive_column`` names the deliberate/accidental column, if any."""

    def parse(csv: CsvText) -> pd.DataFrame:
        f = csv.frame
        pairs = [(x, y, m) for x, y, m in COORDINATE_PAIRS if x in f.columns and y in f.columns]
        if not pairs:
            raise IntakeError(
                f"{csv.name}: has no coordinate columns (Easting_m/Northing_m, Easting_rounded/Northing_rounded "
                f"or Latitude/Longitude; {csv.read_as}); export the file with its location columns."
            )
        x, y, precision_m = _most_precise(f, pairs)
        motive = _motive(csv, motive_column)
        group = f["IncidentGroup"].str.strip() if "IncidentGroup" in f.columns else None
        stop = f["StopCodeDescription"].str.strip()
        is_fire = group.eq("Fire") if group is not None else stop.str.contains("Fire", case=False)
        words = stop + " / " + f["PropertyCategory"].str.strip() + " / " + motive
        naive, precision = dates.combine(f["DateOfCall"], f["TimeOfCall"])
        place = [f[c].str.strip() for c in ("Postcode_district", "IncGeo_WardName") if c in f.columns]
        location = place[0] + ", " + place[1] if len(place) == 2 else (place[0] if place else blank(f.index))
        return pd.DataFrame({
            "incident_id": f["IncidentNumber"].str.strip(),
            "source_category": words,
            "date_text": f["DateOfCall"] + " " + f["TimeOfCall"],
            "naive": naive,
            "precision": precision,
            **no_time(f.index),
            "x": x,
            "y": y,
            "crs": "auto",
            "location_precision_m": precision_m,
            "location_text": location.str.strip(", "),
            "lsoa_code_given": blank(f.index),
            "skip_reason": np.where(is_fire, "", "not a fire"),
        })

    return parse


def _most_precise(f: pd.DataFrame, pairs) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Per row, the first coordinate pair that has both values."""
    x = blank(f.index)
    y = blank(f.index)
    precision = np.full(len(f), np.nan)
    todo = np.ones(len(f), dtype=bool)
    for xc, yc, metres in pairs:
        has = (f[xc].str.strip().ne("") & f[yc].str.strip().ne("")).to_numpy() & todo
        x[has] = f.loc[has, xc]
        y[has] = f.loc[has, yc]
        precision[has] = metres
        todo &= ~has
    precision[todo] = pairs[0][2]
    return x, y, precision


def _motive(csv: CsvText, motive_column: str | None) -> pd.Series:
    f = csv.frame
    if motive_column is not None and motive_column not in f.columns:
        raise IntakeError(f"{csv.name}: has no motive column '{motive_column}' ({csv.read_as}); "
                          "check the name given with --motive-column.")
    column = motive_column or next((c for c in MOTIVE_COLUMNS if c in f.columns), None)
    if column is None:
        return pd.Series(NOT_RECORDED, index=f.index, dtype="str")
    values = f[column].str.strip()
    return values.where(values.ne(""), NOT_RECORDED)


def make_reader(motive_column: str | None = None, source: str = "fire") -> Reader:
    """The LFB-layout reader, optionally with a named motive column."""
    return Reader(
        source=source,
        vocabulary="fire",
        required=("IncidentNumber", "DateOfCall", "TimeOfCall", "StopCodeDescription", "PropertyCategory"),
        parse=make_parse(motive_column),
        label="fire and rescue incident records (London Fire Brigade layout)",
    )


READER = make_reader()
