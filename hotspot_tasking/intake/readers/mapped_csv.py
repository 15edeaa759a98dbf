"""Council ASB case exports and street-drinking complaint logs: any CSV, read through a
small column-mapping file.

A mapping file (TOML) names the columns::

    # council_asb_mapping.toml
    source_name = "council_asb"      # optional; defaults to the --source given
    vocabulary = "council_asb"       # optional; taxonomy vocabulary, defaults to the source
    coordinates = "auto"             # auto | wgs84 | bng
    location_precision_m = 0         # metres; 0 for exact locations

    [columns]
    id = "Reference"                 # optional; without it ids are derived from row content
    date = "Received date"           # a date or date-time column (or date_from)
    time = "Received time"           # optional separate time column (or time_from)
    date_to = "Latest date"          # optional end of a from/to window
    time_to = "Latest time"          # optional
    category = "ASB type"
    x = "Longitude"                  # or easting/longitude: the first coordinate
    y = "Latitude"                   # or northing/latitude: the second
    location_text = "Street"         # optional

With ``coordinates = "auto"`` each row's pair is read as WGS84 degrees or British
National Grid metres by its values, and swapped latitude/longitude are put right;
the import report says how many rows were read which way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...configfile import ConfigTable, Number, Text, read_toml
from .. import dates
from ..errors import IntakeError
from ..textfiles import CsvText
from .base import Reader, blank, no_time

ALIASES = {
    "x": ("x", "longitude", "easting"),
    "y": ("y", "latitude", "northing"),
    "date": ("date", "date_from", "datetime"),
    "time": ("time", "time_from"),
}
OPTIONAL = ("id", "time", "date_to", "time_to", "location_text")
#: The mapping's keys other than [columns].
SETTINGS = {
    "coordinates": Text("auto", choices=("auto", "wgs84", "bng"), ignore_case=True),
    "location_precision_m": Number(0, low=0, unit="metres"),
    "source_name": Text(None),
    "vocabulary": Text(None),
}


def load_mapping(path: str | Path) -> dict:
    """Read and check a mapping file; return it with ``columns`` normalised to canonical keys."""
    path = Path(path)
    return mapping_from(read_toml(path, error=IntakeError, what="mapping file"), where=path.name, path=path)


def mapping_from(data: dict, *, where: str, path: str | Path | None = None) -> dict:
    """Check a mapping given as a dict (the TOML file's content, or columns chosen in the app).

    Parameters
    ----------
    data : dict
        ``{"columns": {...}, "coordinates": ..., "location_precision_m": ..., "source_name": ...,
        "vocabulary": ...}`` as in a mapping file (see the module docstring).
    where : str
        What to name in error messages (the file's name, or "the column choices").
    """
    table = ConfigTable(data, file=where, error=IntakeError)
    settings = table.read(SETTINGS, strict=False)
    chosen = table.table("columns")
    given = {k.lower(): chosen.text(k, "") for k in chosen}
    given = {k: v for k, v in given.items() if v}
    columns = {}
    for key, aliases in ALIASES.items():
        found = [given[a] for a in aliases if a in given]
        if found:
            columns[key] = found[0]
    for key in ("category", *OPTIONAL):
        if key in given:
            columns[key] = given[key]
    missing = [k for k in ("date", "category", "x", "y") if k not in columns]
    if missing:
        raise table.problem(f"[columns] must name {', '.join(missing)}; add the CSV's column for each.")
    return {
        "columns": columns,
        "coordinates": settings["coordinates"],
        "location_precision_m": float(settings["location_precision_m"]),
        "source_name": settings["source_name"],
        "vocabulary": settings["vocabulary"],
        "path": Path(path) if path is not None else Path(where),
    }


def make_reader(source: str, mapping: dict) -> Reader:
    """A reader for ``source`` records laid out as ``mapping`` (from :func:`load_mapping`) says."""
    cols = mapping["columns"]
    name = mapping.get("source_name") or source
    vocabulary = mapping.get("vocabulary") or name.removesuffix("_simulated")

    def parse(csv: CsvText) -> pd.DataFrame:
        f = csv.frame
        naive, precision = dates.combine(f[cols["date"]], f[cols["time"]] if "time" in cols else None)
        end = no_time(f.index)
        if "date_to" in cols:
            end["naive_to"], end["precision_to"] = dates.combine(f[cols["date_to"]],
                                                                 f[cols["time_to"]] if "time_to" in cols else None)
            end["date_to_text"] = (f[cols["date_to"]]
                                   + (" " + f[cols["time_to"]] if "time_to" in cols else "")).str.strip()
        date_text = f[cols["date"]] + (" " + f[cols["time"]] if "time" in cols else "")
        return pd.DataFrame({
            "incident_id": f[cols["id"]].str.strip() if "id" in cols else blank(f.index),
            "source_category": f[cols["category"]].str.strip(),
            "date_text": date_text,
            "naive": naive,
            "precision": precision,
            **end,
            "x": f[cols["x"]],
            "y": f[cols["y"]],
            "crs": mapping["coordinates"],
            "location_precision_m": np.float64(mapping["location_precision_m"]),
            "location_text": f[cols["location_text"]].str.strip() if "location_text" in cols else blank(f.index),
            "lsoa_code_given": blank(f.index),
            "skip_reason": "",
        })

    return Reader(
        source=name,
        vocabulary=vocabulary,
        required=tuple(cols.values()),
        parse=parse,
        label=f"{name} CSV laid out as {Path(mapping['path']).name} says",
    )
