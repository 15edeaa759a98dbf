"""Counts an import report gives besides its rows by reason: the areas its out-of-area rows
come from, and the police.uk rows that share a Crime ID across crime types.

Both read the files' own columns by name (police.uk's street CSVs and the flattened API
records), so other sources simply get no count. Each works a file at a time, a column at a
time: no Python step per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..geo.report import TOP_AREAS
from .readers.base import all_distinct
from .shown_names import clean_name
from .textfiles import CsvText

#: Columns holding an LSOA name (``"Camden 027B"``): the district is the name without its code.
LSOA_NAME_COLUMNS = ("LSOA name", "lsoa11_name_derived")
#: Columns naming the police force whose area holds the row, used where no LSOA name is given.
FORCE_COLUMNS = ("Falls within",)
#: (id column, type column) pairs of the layouts whose ids are shared by several offences.
SHARED_ID_COLUMNS = (("Crime ID", "Crime type"), ("persistent_id", "category"), ("persistent_id", "crime_type"))
#: What an out-of-area row whose file names areas, but not for that row, is counted under.
NO_AREA = "(no area given)"
#: Characters: the longest area name a report keeps (the names come from the files).
MAX_AREA_CHARS = 80


def out_of_area_areas(files: list[CsvText], out: np.ndarray, *, top: int = TOP_AREAS) -> dict[str, int]:
    """The ``top`` areas holding most of the rows marked in ``out``, ``{area: rows}``, largest first.

    Parameters
    ----------
    files : list of CsvText
        The files read, in the order their rows are in ``out``.
    out : numpy.ndarray of bool
        One per parsed row of ``files``: True for an out-of-area row.
    top : int
        How many areas to name.

    Returns
    -------
    dict
        An area is the district of the row's LSOA name (``"Camden"`` of ``"Camden 027B"``), else
        its force (``Falls within``), else :data:`NO_AREA`; empty when no marked row's file has
        such a column. Names are cleaned of control characters and cut to
        :data:`MAX_AREA_CHARS` characters; ties are in name order.
    """
    parts = []
    start = 0
    for csv in files:
        stop = start + len(csv.frame)
        chosen = out[start:stop]
        if chosen.any():
            parts.append(_area_names(csv.frame[chosen]))
        start = stop
    names = pd.concat(parts, ignore_index=True) if parts else pd.Series(dtype="str")
    if names.isna().all():
        return {}
    counts = names.fillna(NO_AREA).value_counts()
    table = pd.DataFrame({"area": counts.index.astype("str"), "rows": counts.to_numpy()})
    table = table.sort_values(["rows", "area"], ascending=[False, True], kind="stable").head(top)
    return {clean_name(a)[:MAX_AREA_CHARS]: int(n) for a, n in zip(table["area"], table["rows"])}


def _area_names(frame: pd.DataFrame) -> pd.Series:
    """Each row's area (see :func:`out_of_area_areas`); NaN for every row when the file has no
    area column, :data:`NO_AREA` where it has one but the row's cells are blank."""
    names = pd.Series(np.nan, index=frame.index, dtype=object)
    columns = [c for c in LSOA_NAME_COLUMNS if c in frame.columns]
    columns += [c for c in FORCE_COLUMNS if c in frame.columns]
    if not columns:
        return names
    for column in columns:
        text = frame[column].astype("str").str.strip()
        if column in LSOA_NAME_COLUMNS:
            text = text.str.replace(r"\s+\d{3}[A-Z]$", "", regex=True)
        fill = names.isna() & text.ne("")
        names[fill] = text[fill]
    return names.fillna(NO_AREA)


def shared_crime_ids(files: list[CsvText], accepted: np.ndarray) -> int:
    """Accepted rows whose Crime ID another row of the same file has with a different crime type.

    Parameters
    ----------
    files : list of CsvText
        The files read, in the order their rows are in ``accepted``.
    accepted : numpy.ndarray of bool
        One per parsed row of ``files``.

    Returns
    -------
    int
        Over the files with a pair of :data:`SHARED_ID_COLUMNS`; blank ids are not counted.
    """
    total = 0
    start = 0
    for csv in files:
        stop = start + len(csv.frame)
        total += _shared_in_file(csv.frame, accepted[start:stop])
        start = stop
    return total


def _shared_in_file(frame: pd.DataFrame, accepted: np.ndarray) -> int:
    pair = next(((i, t) for i, t in SHARED_ID_COLUMNS if i in frame.columns and t in frame.columns), None)
    if pair is None or not accepted.any():
        return 0
    ids = frame[pair[0]].astype("str").str.strip()
    given = ids.ne("").to_numpy()
    if all_distinct(ids[given]):  # the usual case, checked at arrow speed
        return 0
    types = frame[pair[1]].astype("str").str.strip()
    kinds = types[given].groupby(ids[given]).transform("nunique").to_numpy()
    shared = np.zeros(len(frame), dtype=bool)
    shared[given] = kinds > 1
    return int((shared & accepted).sum())
