"""Ids for rows that have none (police.uk's anti-social behaviour rows have no Crime ID):
a hash of the row's text and its place among identical rows of its file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..validation import check_frame
from .textfiles import CsvText


def fill_blank_ids(out: pd.DataFrame, csv: CsvText, counts: dict[int, pd.Series], number: int) -> None:
    """Give a piece's rows without an id their derived one (:func:`derived_ids`), counting
    identical rows over the earlier pieces of file ``number`` (``counts[number]``, updated)."""
    blank = out["incident_id"].eq("").to_numpy()
    if blank.any():
        ids, counts[number] = _derived_ids(csv.frame[blank], counts.get(number, pd.Series(dtype="int64")))
        out.loc[blank, "incident_id"] = ids


def derived_ids(raw: pd.DataFrame) -> np.ndarray:
    """Stable ids for rows that have none: a hash of the row's text plus its position
    among identical rows in the file, e.g. ``"h3f9a0c1d2e4b5a67-0"``.

    The same file imported again gives the same ids; two identical rows (police.uk
    often has several ASB reports at one point in one month) get ``-0`` and ``-1``.
    The hash is pandas' SipHash (:func:`pandas.util.hash_array`, fixed key) of the row's
    cells joined with the unit separator U+001F: stable across runs and machines; a
    test pins one value.
    """
    check_frame(raw, "raw", "derived_ids")
    return _derived_ids(raw, pd.Series(dtype="int64"))[0]


def _derived_ids(raw: pd.DataFrame, before: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """:func:`derived_ids` of a piece of a file, ``before`` counting each row hash in the
    file's earlier pieces; also the counts with this piece's rows added."""
    if len(raw) == 0:
        return np.array([], dtype=object), before
    cells = [pa.array(raw[c].astype("str").array) for c in raw.columns]
    joined = pc.binary_join_element_wise(*cells, pa.scalar("\x1f", cells[0].type)) if len(cells) > 1 else cells[0]
    hashes = pd.util.hash_array(joined.to_numpy(zero_copy_only=False).astype(object))
    hexed = np.frombuffer(hashes.astype(">u8").tobytes().hex().encode("ascii"), dtype="S16").astype(str)
    occurrence = pd.Series(hashes).groupby(hashes).cumcount().to_numpy()
    if len(before):
        occurrence = occurrence + before.reindex(hashes, fill_value=0).to_numpy()
    after = before.add(pd.Series(hashes).value_counts(), fill_value=0).astype("int64")
    ids = ("h" + pd.Series(hexed, dtype="str") + "-" + pd.Series(occurrence).astype("str")).to_numpy()
    return ids, after
