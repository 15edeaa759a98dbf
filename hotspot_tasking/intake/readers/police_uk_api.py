"""police.uk API ``crimes-street`` records flattened to CSV.

The same records as the street CSVs under the API's names: ``id, persistent_id, month,
category`` (a slug such as ``violent-crime``) or ``crime_type`` (the CSV's name),
``latitude, longitude, street_name``. Each record's id is the API's own numeric ``id``:
``persistent_id`` (the CSV's Crime ID) is empty for ASB and is shared by the several
offences recorded on one crime reference, so it does not identify a record.

The API gives no LSOA code. A flattened file may carry one computed by whoever
flattened it (``lsoa11_code_derived`` in ../shared's Lambeth and Wandsworth extract,
from a point-in-polygon join on the 2011 LSOAs); it is kept as ``lsoa_code_given``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import dates
from ..errors import IntakeError
from ..textfiles import CsvText
from .base import Reader, blank, no_time
from .police_uk import POLICE_UK_PRECISION_M

#: API category slugs and the street CSV's crime type for each.
SLUG_TO_CRIME_TYPE = {
    "anti-social-behaviour": "Anti-social behaviour",
    "bicycle-theft": "Bicycle theft",
    "burglary": "Burglary",
    "criminal-damage-arson": "Criminal damage and arson",
    "drugs": "Drugs",
    "other-crime": "Other crime",
    "other-theft": "Other theft",
    "possession-of-weapons": "Possession of weapons",
    "public-order": "Public order",
    "robbery": "Robbery",
    "shoplifting": "Shoplifting",
    "theft-from-the-person": "Theft from the person",
    "vehicle-crime": "Vehicle crime",
    "violent-crime": "Violence and sexual offences",
}


def parse(csv: CsvText) -> pd.DataFrame:
    """Parse one flattened police.uk API CSV (see the module docstring)."""
    f = csv.frame
    if "crime_type" in f.columns:
        crime_type = f["crime_type"].str.strip()
    elif "category" in f.columns:
        slug = f["category"].str.strip()
        crime_type = slug.map(SLUG_TO_CRIME_TYPE).fillna(slug).astype("str")
    else:
        raise IntakeError(f"{csv.name}: has neither a 'crime_type' nor a 'category' column ({csv.read_as}); "
                          "check it holds police.uk API records and its delimiter.")
    incident_id = f["id"].str.strip()
    naive, precision = dates.parse_dates(f["month"])
    street = f["street_name"].str.strip() if "street_name" in f.columns else blank(f.index)
    return pd.DataFrame({
        "incident_id": incident_id,
        "source_category": crime_type,
        "date_text": f["month"],
        "naive": naive,
        "precision": precision,
        **no_time(f.index),
        "x": f["longitude"],
        "y": f["latitude"],
        "crs": "wgs84",
        "location_precision_m": np.float64(POLICE_UK_PRECISION_M),
        "location_text": street,
        "lsoa_code_given": (f["lsoa11_code_derived"].str.strip() if "lsoa11_code_derived" in f.columns
                            else blank(f.index)),
        "skip_reason": "",
    })


READER = Reader(
    source="police_uk_api",
    vocabulary="police_uk",
    required=("id", "month", "latitude", "longitude"),
    parse=parse,
    label="flattened police.uk API CSV",
)
