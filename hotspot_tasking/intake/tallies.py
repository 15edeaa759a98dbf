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


def out_of_area_counts(files: list[CsvText], out: np.ndarray) -> tuple[pd.Series, int]:
    """The rows marked in ``out`` (one bool per parsed row of ``files``, in order) by area
    (``{area: rows}`` as a Series, names uncut), and those of files that name no area: counts
    that add up over an import's batches (:func:`top_areas` then names the largest).

    An area is the district of the row's LSOA name (``"Camden"`` of ``"Camden 027B"``), else
    its force (``Falls within``), else :data:`NO_AREA`."""
    parts = []
    unnamed = 0  # marked rows of files without an area column
    start = 0
    for csv in files:
        stop = start + len(csv.frame)
        chosen = out[start:stop]
        columns = [c for c in (*LSOA_NAME_COLUMNS, *FORCE_COLUMNS) if c in csv.frame.columns]
        if chosen.any() and columns:  # count each distinct combination once, then name it
            combos = csv.frame.loc[chosen, columns].value_counts(dropna=False).reset_index()
            parts.append(pd.Series(combos["count"].to_numpy(), index=_area_names(combos[columns]).to_numpy()))
        elif chosen.any():
            unnamed += int(chosen.sum())
        start = stop
    if not parts:
        return pd.Series(dtype="int64"), unnamed
    return pd.concat(parts).groupby(level=0).sum().astype("int64"), unnamed


def top_areas(named: pd.Series, unnamed: int, *, top: int = TOP_AREAS) -> dict[str, int]:
    """The ``top`` largest of :func:`out_of_area_counts`' areas, ``{area: rows}`` largest first
    (ties in name order), the unnamed rows counted under :data:`NO_AREA`; names cleaned of
    control characters and cut to :data:`MAX_AREA_CHARS`; empty when no area was named."""
    if named.empty:
        return {}
    table = named.rename_axis("area").rename("rows").reset_index()
    if unnamed:
        table = pd.concat([table, pd.DataFrame({"area": [NO_AREA], "rows": [unnamed]})], ignore_index=True)
    table = table.groupby("area", as_index=False)["rows"].sum()
    table = table.sort_values(["rows", "area"], ascending=[False, True], kind="stable").head(top)
    return {clean_name(a)[:MAX_AREA_CHARS]: int(n) for a, n in zip(table["area"], table["rows"])}


def _area_names(frame: pd.DataFrame) -> pd.Series:
    """Each row's area (see :func:`out_of_area_counts`): the first of its LSOA-name district and
    force that is not blank, else :data:`NO_AREA`."""
    names = pd.Series(NO_AREA, index=frame.index, dtype=object)
    named = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        text = frame[column].fillna("").astype("str").str.strip()
        if column in LSOA_NAME_COLUMNS:
            text = text.str.replace(r"\s+\d{3}[A-Z]$", "", regex=True)
        fill = ~named & text.ne("").to_numpy()
        names[fill] = text[fill]
        named |= fill
    return names


def crime_id_keys(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Per row of a file (or a piece of one): 64-bit keys of its Crime ID and crime type
    (SipHash of the trimmed text) and whether the id is blank; None when the file has no
    pair of :data:`SHARED_ID_COLUMNS`. Pieces' keys joined are the file's."""
    pair = next(((i, t) for i, t in SHARED_ID_COLUMNS if i in frame.columns and t in frame.columns), None)
    if pair is None:
        return None
    ids = frame[pair[0]].astype("str").str.strip()
    types = frame[pair[1]].astype("str").str.strip()
    return (pd.util.hash_array(ids.to_numpy(dtype=object)), pd.util.hash_array(types.to_numpy(dtype=object)),
            ids.eq("").to_numpy())


def shared_in_file(id_key: np.ndarray, type_key: np.ndarray, blank: np.ndarray, accepted: np.ndarray) -> int:
    """Accepted rows of one file whose id (by :func:`crime_id_keys`) another row has with another type."""
    if not accepted.any():
        return 0
    ids = pd.Series(id_key)
    repeated = ~blank & ids.duplicated(keep=False).to_numpy()
    if not repeated.any():  # the usual case
        return 0
    kinds = pd.Series(type_key[repeated]).groupby(id_key[repeated]).transform("nunique").to_numpy()
    shared = np.zeros(len(id_key), dtype=bool)
    shared[repeated] = kinds > 1
    return int((shared & accepted).sum())
