"""The import report, added up batch by batch.

An import reads its files a batch of pieces at a time (:mod:`~hotspot_tasking.intake.pieces`),
so each count of :class:`~hotspot_tasking.geo.report.ImportReport` is a sum over batches: rows
by file and by reason, unmapped categories, coordinate systems, out-of-area rows by area.
The rows sharing a Crime ID are counted per file over all its pieces, from 16 bytes a row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..geo import coords
from ..geo.report import MALFORMED_ROW, OUT_OF_AREA_REASONS, REJECT_REASONS, FileCount, ImportReport
from ..geo.taxonomy import UNMAPPED
from .tallies import crime_id_keys, out_of_area_counts, shared_in_file, top_areas
from .textfiles import CsvText

_CP1252 = "cp1252"


@dataclass
class _File:
    """What one input file has given so far."""

    name: str
    encoding: str = ""
    delimiter: str = ","
    read_as: str = ""
    rows_read: int = 0
    rows_rejected: int = 0
    crime_keys: list = field(default_factory=list)  # per piece: (id key, type key, blank, accepted)


class ImportTally:
    """Adds up an import's report over its batches; :meth:`finish` fills the report."""

    def __init__(self, report: ImportReport):
        self.report = report
        self._files: list[_File] = []
        self._reasons: Counter = Counter()
        self._unmapped = pd.Series(dtype="int64")
        self._systems = pd.Series(dtype="int64")
        self._auto = False
        self._areas = pd.Series(dtype="int64")
        self._unnamed = 0
        self._shared = 0

    def file(self, name: str) -> int:
        """Start a new input file; returns its number, for :meth:`add`."""
        self._files.append(_File(name))
        return len(self._files) - 1

    def add(self, numbers: list[int], pieces: list[CsvText], last: list[bool], frame: pd.DataFrame,
            reason: np.ndarray, accepted: pd.DataFrame, located: coords.Located) -> None:
        """Count one batch.

        Parameters
        ----------
        numbers : list of int
            For each piece of the batch, its file's number (from :meth:`file`).
        pieces : list of CsvText
            The batch's pieces, parsed, in the order their rows are in ``frame``.
        last : list of bool
            For each piece, whether it ends its file.
        frame : pandas.DataFrame
            The batch's parsed rows (``crs`` is read).
        reason : numpy.ndarray
            Per row of ``frame``: why it was rejected, ``""`` if accepted.
        accepted : pandas.DataFrame
            The accepted rows as the canonical table (``category``, ``source_category``).
        located : coords.Located
            Per row of ``frame``: where it was found and by which system.
        """
        ok = reason == ""
        start = 0
        for number, csv, ends in zip(numbers, pieces, last):
            stop = start + len(csv.frame)
            one = self._files[number]
            broken = csv.rows_read - len(csv.frame)
            one.rows_read += csv.rows_read
            one.rows_rejected += int((~ok[start:stop]).sum()) + broken
            if not one.encoding or csv.encoding == _CP1252:  # a file is Windows-1252 if any piece is
                one.encoding = csv.encoding
            one.delimiter, one.read_as = csv.delimiter, csv.read_as
            self._reasons[MALFORMED_ROW] += broken
            keys = crime_id_keys(csv.frame)
            if keys is not None:
                one.crime_keys.append((*keys, ok[start:stop]))
            if ends:
                self._count_shared(one)
            start = stop
        self._reasons.update(pd.Series(reason[~ok]).value_counts().to_dict())
        unmapped = accepted.loc[accepted["category"] == UNMAPPED, "source_category"].value_counts()
        self._unmapped = self._unmapped.add(unmapped, fill_value=0)
        self._systems = self._systems.add(pd.Series(located.system[ok]).value_counts(), fill_value=0)
        self._auto = self._auto or bool(frame["crs"].eq("auto").any())
        named, unnamed = out_of_area_counts(pieces, pd.Series(reason).isin(OUT_OF_AREA_REASONS).to_numpy())
        self._areas = self._areas.add(named, fill_value=0)
        self._unnamed += unnamed

    def merge(self, other: ImportTally) -> None:
        """Add the counts of ``other``, a tally of the same import's next files (each file whole
        in one tally: read by a task of its own), after this one's."""
        self._files += other._files
        self._reasons.update(other._reasons)
        self._unmapped = self._unmapped.add(other._unmapped, fill_value=0)
        self._systems = self._systems.add(other._systems, fill_value=0)
        self._auto = self._auto or other._auto
        self._areas = self._areas.add(other._areas, fill_value=0)
        self._unnamed += other._unnamed
        self._shared += other._shared

    def _count_shared(self, one: _File) -> None:
        if one.crime_keys:
            id_key, type_key, blank, ok = (np.concatenate(part) for part in zip(*one.crime_keys))
            self._shared += shared_in_file(id_key, type_key, blank, ok)
        one.crime_keys = []

    def finish(self) -> ImportReport:
        """Fill the report's counts and notes, check they add up, and return it."""
        report = self.report
        for one in self._files:
            report.files.append(FileCount(one.name, one.encoding, one.rows_read, one.rows_read - one.rows_rejected,
                                          one.rows_rejected))
            if one.encoding != "utf-8":
                report.notes.append(f"{one.name}: read as {_encoding_words(one.encoding)}.")
            if one.delimiter != ",":
                report.notes.append(f"{one.name}: {one.read_as.split(';')[0]}.")
        report.rejected_by_reason = {r: int(self._reasons[r]) for r in REJECT_REASONS if self._reasons.get(r, 0)}
        unmapped = self._unmapped.sort_values(ascending=False, kind="stable")
        report.unmapped = {str(k): int(v) for k, v in unmapped.items()}
        systems = self._systems.astype("int64").sort_values(ascending=False, kind="stable")
        if "wgs84 swapped" in systems.index:
            report.notes.append(f"{systems['wgs84 swapped']:,} rows had latitude and longitude swapped; "
                                "they were put right.")
        if len(systems) > 1 or (len(systems) == 1 and self._auto):
            words = {"wgs84": "WGS84 longitude/latitude", "wgs84 swapped": "WGS84 (swapped)",
                     "bng": "British National Grid easting/northing"}
            report.notes.append("Coordinates read as: " + ", ".join(f"{words[k]} {v:,}" for k, v in systems.items())
                                + ".")
        report.out_of_area_areas = top_areas(self._areas.astype("int64"), self._unnamed)
        report.shared_crime_ids = self._shared
        report.check()
        return report


def _encoding_words(encoding: str) -> str:
    return {"utf-8-sig": "UTF-8 with a byte-order mark",
            "cp1252": "Windows-1252 (not valid UTF-8)"}.get(encoding, encoding)
