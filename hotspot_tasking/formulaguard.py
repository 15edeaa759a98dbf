"""The spreadsheet formula guard: text that a spreadsheet would run as a formula is made plain.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a line break is read by Excel,
LibreOffice and Google Sheets as a formula or a command (CSV injection, OWASP). Every file
an analyst may open in a spreadsheet is written through this one rule: the exports
(``reports``) and the rejected rows of an import (``intake``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: Text that a spreadsheet may read as a formula or a command when it starts a cell (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: Any) -> Any:
    """Text that starts with = + - @ tab or a line break gets a leading apostrophe, so a
    spreadsheet shows it as text instead of running it as a formula; other values unchanged.

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("Brixton Road"), neutralise(-2)
    ('Brixton Road', -2)
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Neutralise every text cell and column name of a table (see :func:`neutralise`).

    Text columns (pandas ``str``) are guarded a whole column at a time and stay text; other
    non-numeric columns cell by cell, as objects. Columns with nothing to guard are shared
    with ``table``, not copied.

    Parameters
    ----------
    table : pandas.DataFrame
        Left unchanged.

    Returns
    -------
    pandas.DataFrame
        A new frame; numeric columns untouched.

    Examples
    --------
    >>> neutralise_frame(pd.DataFrame({"=x": ["@SUM(A1)", "ok"], "n": [-1, 2]})).to_dict("list")
    {"'=x": ["'@SUM(A1)", 'ok'], 'n': [-1, 2]}
    """
    out = table.copy(deep=False)
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            continue
        if pd.api.types.is_string_dtype(col) and not pd.api.types.is_object_dtype(col):
            risky = col.str.startswith(FORMULA_TRIGGERS).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                out.isetitem(i, col.where(~risky, "'" + col))
        else:
            out.isetitem(i, col.astype(object).map(neutralise))
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out
