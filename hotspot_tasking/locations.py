"""Where a record says it happened, as words: police.uk's "On or near ..." texts, its
generic location words, and the rule that finds other generic texts in the data. Shared by
the names of tasking-list places and of patrol-plan places, so both read the records alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .validation import check_series

#: police.uk's generic location words (after "On or near "), in their usual spelling; compared case-insensitively.
GENERIC_LOCATIONS = frozenset({
    "Airport/Airfield", "Bus/Coach Station", "Conference/Exhibition Centre", "Ferry Terminal",
    "Further/Higher Educational Building", "Hospital", "Nightclub", "Park/Open Space", "Parking Area",
    "Pedestrian Subway", "Petrol Station", "Place Of Worship", "Police Station", "Prison", "Shopping Area",
    "Sports/Recreation Area", "Supermarket", "Theatre/Concert Hall", "Theme/Adventure Park",
})
#: police.uk's word for a record without a place; read as no text.
NO_LOCATION = "No Location"
#: A location text in more than this share of the wards with incidents (and at least 4) is generic.
GENERIC_WARD_SHARE = 0.15
_PREFIX = r"(?i)^\s*on or near\s+"


def clean_location_text(values: pd.Series) -> pd.Series:
    """Location texts as street words: "On or near " removed, stripped, "" where missing, and
    police.uk's capital possessive mended ("Great St Helen'S" reads "Great St Helen's").

    Parameters
    ----------
    values : pandas.Series
        ``location_text`` values (str, or missing). Not modified.

    Returns
    -------
    pandas.Series
        Object strings on the same index; police.uk's "No Location" is "" too.

    Examples
    --------
    >>> clean_location_text(pd.Series(["On or near Electric Lane", " Acre Lane ", None, "No Location"])).tolist()
    ['Electric Lane', 'Acre Lane', '', '']
    >>> clean_location_text(pd.Series(["On or near Great St Helen'S", "O'Sullivan Court"])).tolist()
    ["Great St Helen's", "O'Sullivan Court"]
    """
    check_series(values, "values", "clean_location_text")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)  # each distinct text cleaned once
    text = pd.Series(uniques, dtype=object).astype(str)
    text = text.str.replace(_PREFIX, "", regex=True).str.strip()
    text = text.str.replace(r"(?<=[a-z])'S\b", "'s", regex=True)  # a possessive, not a name such as O'Sullivan
    text = text.where(text.str.casefold() != NO_LOCATION.casefold(), "")
    cleaned = np.append(text.to_numpy(dtype=object), "")  # code -1 (missing) takes the last: ""
    return pd.Series(cleaned[codes], index=values.index, dtype=object)


def generic_texts(texts: pd.Series, ward_codes: pd.Series) -> list[str]:
    """Texts found in more than :data:`GENERIC_WARD_SHARE` of the wards with incidents (and in at least 4).

    A street lies in one ward or two; a text in many wards is a word police.uk puts at many
    places (its "Supermarket", say), whether or not :data:`GENERIC_LOCATIONS` has it.

    Parameters
    ----------
    texts : pandas.Series
        Per incident, its cleaned location text (:func:`clean_location_text`).
    ward_codes : pandas.Series
        Per incident, its ward code ("" or missing where none), on the same index.

    Returns
    -------
    list of str
        The generic texts, alphabetical.
    """
    where = "generic_texts"
    check_series(texts, "texts", where)
    check_series(ward_codes, "ward_codes", where, index=texts.index, index_of="the texts")
    wards = pd.DataFrame({"t": texts.fillna("").astype(str).to_numpy(dtype=object),
                          "w": ward_codes.fillna("").astype(str).to_numpy(dtype=object)})
    wards = wards[(wards["t"] != "") & (wards["w"] != "")]
    spread = wards.groupby("t")["w"].nunique()
    limit = max(4, GENERIC_WARD_SHARE * wards["w"].nunique())
    return sorted(spread.index[spread > limit].tolist())
