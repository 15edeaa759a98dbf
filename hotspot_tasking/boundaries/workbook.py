"""Population tables from spreadsheets: ONS's small-area population workbooks (``.xlsx``)
read directly, their header found below the title rows ONS puts above it.

ONS publishes mid-year estimates as workbooks with several sheets (persons, males,
females), a few lines of title and notes, then the header (``LSOA Code``, ``LSOA Name``,
``All Ages``, ages 0-90+). :func:`read_workbook` finds the first sheet whose first
:data:`HEADER_SEARCH_ROWS` rows hold a row naming every column asked for, and reads the
table under it as text, with each record's spreadsheet row number.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..intake.textfiles import CsvText
from .errors import BoundaryError

#: Rows searched for the header on each sheet (ONS's title and notes take fewer).
HEADER_SEARCH_ROWS = 30
#: Extensions read as workbooks.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def read_workbook(path: str | os.PathLike, *, columns: Sequence[str], sheet: str | None = None) -> CsvText:
    """The table of a workbook's sheet whose header names every one of ``columns``.

    Parameters
    ----------
    path : path
        An ``.xlsx`` workbook (read with openpyxl, read-only and data only: formulas give
        their saved values, never run).
    columns : sequence of str
        Header names the table must have (compared after stripping spaces).
    sheet : str, optional
        The sheet to read; default the first that has them.

    Returns
    -------
    CsvText
        ``name`` is ``"FILE (sheet NAME)"``; every cell as text ("" when empty; whole
        numbers without ".0"); ``row_numbers`` are the workbook's rows.

    Raises
    ------
    BoundaryError
        Not a workbook, no such sheet, or no sheet whose header has every column asked for.
    """
    from openpyxl import load_workbook  # openpyxl loads only for a workbook

    path = Path(path)
    wanted = [str(c).strip() for c in columns]
    try:
        return _read(path, load_workbook(path, read_only=True, data_only=True), wanted, sheet)
    except BoundaryError:
        raise
    except Exception as err:  # an untrusted file: whatever the parser trips on (zip, XML, cell types)
        raise BoundaryError(f"{path.name}: cannot be read as an Excel workbook ({type(err).__name__}); "
                            "save it as .xlsx or as CSV and add it again.") from err


def _read(path: Path, book, wanted: list[str], sheet: str | None) -> CsvText:
    """:func:`read_workbook` on an opened workbook (closed when done)."""
    try:
        names = book.sheetnames
        if sheet is not None and sheet not in names:
            raise BoundaryError(f"{path.name}: has no sheet '{sheet}'; its sheets are {', '.join(names)}.")
        for name in [sheet] if sheet is not None else names:  # one step per sheet
            rows = book[name].iter_rows(values_only=True)
            for index, row in enumerate(rows):  # one step per row of the table
                if index >= HEADER_SEARCH_ROWS:
                    break
                cells = ["" if v is None else str(v).strip() for v in row]
                if all(w in cells for w in wanted):
                    return _table(path.name, name, cells, rows, header_row=index + 1)
    finally:
        book.close()
    where = f"sheet '{sheet}'" if sheet is not None else f"any of its sheets ({', '.join(names)})"
    raise BoundaryError(f"{path.name}: no header row in the first {HEADER_SEARCH_ROWS} rows of {where} names "
                        f"every one of {', '.join(repr(w) for w in wanted)}; check the column names (as the "
                        "sheet spells them) or save the table as CSV.")


def _table(file: str, sheet: str, header: list[str], rows, *, header_row: int) -> CsvText:
    """The records under ``header`` (an iterator of the sheet's rows) as a :class:`CsvText`."""
    records, numbers = [], []
    for offset, row in enumerate(rows, start=1):  # one step per record
        cells = [_text(v) for v in row[:len(header)]]
        if any(cells):
            records.append(cells + [""] * (len(header) - len(cells)))
            numbers.append(header_row + offset)
    names = [h or f"column {i + 1}" for i, h in enumerate(header)]
    frame = pd.DataFrame(records, columns=names, dtype=str) if records else pd.DataFrame(columns=names, dtype=str)
    return CsvText(f"{file} (sheet {sheet})", frame, "xlsx", np.asarray(numbers, dtype=int))


def _text(value) -> str:
    """A cell as text: "" when empty, 1234 not 1234.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
