"""What every reader hands to the ingest step.

A reader turns one :class:`~hotspot_tasking.intake.textfiles.CsvText` into a *parsed
frame* with these columns, one row per record, in file order:

==========================  ================================================================
column                      meaning
==========================  ================================================================
``incident_id``             the source's own id, or ``""`` (ingest then derives one from the row)
``source_category``         the source's category words, looked up in the taxonomy
``date_text``               the date as written, for error messages
``naive``, ``precision``    parsed local start time and its precision (``NaT``/``""`` if unparsed)
``naive_to``                parsed local end of a from/to window, or ``NaT``
``precision_to``            precision of ``naive_to``
``date_to_text``            the window's end as written (``""`` when there is none)
``x``, ``y``                coordinate text; ``crs`` says how to read it
``crs``                     ``"wgs84"``, ``"bng"`` or ``"auto"``
``location_precision_m``    metres
``location_text``           street or place as given (no personal data)
``lsoa_code_given``         the LSOA code the source wrote, or ``""``
``skip_reason``             ``""``, or why the row is not an incident of this source (e.g. "not a fire")
==========================  ================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import IntakeError
from ..textfiles import CsvText

PARSED_COLUMNS = (
    "incident_id", "source_category", "date_text", "naive", "precision", "naive_to", "precision_to", "date_to_text",
    "x", "y", "crs", "location_precision_m", "location_text", "lsoa_code_given", "skip_reason",
)


@dataclass(frozen=True)
class Reader:
    """A reader for one source format.

    Attributes
    ----------
    source : str
        Source name written to every record (``police_uk``, ``fire``, ...).
    vocabulary : str
        The taxonomy vocabulary its category words belong to.
    required : tuple of str
        Columns a file must have; a file without them is refused whole.
    parse : callable
        ``CsvText -> parsed frame`` (see the module docstring).
    pattern : str
        File-name pattern used inside folders and zips.
    label : str
        What the format is called in messages.
    fix : str
        What a message about missing columns tells the user to do.
    whole_files : bool
        Whether each file must be parsed whole, never cut into pieces
        (:mod:`~hotspot_tasking.intake.pieces`): for a format whose ids are numbered over the
        whole file. Such a file is held in memory at once.
    """

    source: str
    vocabulary: str
    required: tuple[str, ...]
    parse: Callable[[CsvText], pd.DataFrame]
    pattern: str = "*.csv"
    label: str = "CSV"
    fix: str = "check the --source and the delimiter, or map its columns with --mapping"
    whole_files: bool = False

    def read(self, csv: CsvText) -> pd.DataFrame:
        """Check the file's columns, then parse it."""
        require_columns(csv, self.required, self.label, fix=self.fix)
        parsed = self.parse(csv)
        return parsed.loc[:, list(PARSED_COLUMNS)]


def require_columns(csv: CsvText, required: tuple[str, ...] | list[str], label: str, *,
                    fix: str = Reader.fix) -> None:
    """Raise :class:`IntakeError` naming every required column the file lacks, how the file
    was read (its delimiter and columns), and ``fix``."""
    missing = [c for c in required if c not in csv.frame.columns]
    if missing:
        names = ", ".join(f"'{c}'" for c in missing)
        noun = "column" if len(missing) == 1 else "columns"
        raise IntakeError(
            f"{csv.name}: is not a {label} file: it has no {noun} {names} ({csv.read_as}); "
            f"{fix}."
        )


def no_time(index: pd.Index) -> dict[str, pd.Series]:
    """The ``naive_to``, ``precision_to`` and ``date_to_text`` columns for records with no window end."""
    return {"naive_to": pd.Series(np.datetime64("NaT", "us"), index=index, dtype="datetime64[us]"),
            "precision_to": pd.Series("", index=index, dtype="str"),
            "date_to_text": pd.Series("", index=index, dtype="str")}


def blank(index: pd.Index) -> pd.Series:
    """A column of empty strings."""
    return pd.Series("", index=index, dtype="str")


def all_distinct(values: pd.Series) -> bool:
    """Whether no value repeats (arrow's hash count: about three times pandas' ``duplicated``)."""
    if len(values) < 2:
        return True
    return pc.count_distinct(pa.array(values.astype("str").array)).as_py() == len(values)
