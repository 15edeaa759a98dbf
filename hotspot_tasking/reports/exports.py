"""Writing a tasking list to files, the extension choosing the format.

================  =============================================================================
``.csv``          the list (UTF-8 with BOM so Excel reads it; no geometry; centroids to 10 m)
``.xlsx``         sheets "Tasking list", "Method cards", "Suppressed", "About"
``.gpkg``         layer ``tasking_list`` (outlines, EPSG:27700) and tables ``method_cards``,
                  ``suppressed``, ``about``; opens in QGIS
``.geojson``      the outlines in WGS84 (RFC 7946) and ``<name>.about.json`` beside it
``.pdf``          the briefing pack (:mod:`.briefing`)
``.png``          the overview map alone, 200 dpi (:mod:`.maps`)
================  =============================================================================

Everything written has passed :mod:`.disclosure` (outlines only, small counts as "fewer
than 5", sensitive categories aggregated, no free text by default) and, in CSV and XLSX,
every text cell is neutralised against formula injection. Files are written under a
temporary name and renamed into place, so a file at ``path`` is always whole.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio

from ..ranking.schema import TaskingList
from ..validation import check_frame
from .disclosure import Disclosed, neutralise, neutralise_frame
from .errors import ReportError
from .setting import ReportSetting
from .tables import HEADINGS, about_rows, card_rows, disclose_list, list_table

FORMATS = (".csv", ".xlsx", ".gpkg", ".geojson", ".pdf", ".png")
_WIDE = {"explanation": 70, "tactics": 55, "dominant_categories": 45, "place_name": 40, "disclosure": 40}
_NUMBER_FORMATS = {"sensitive_share": "0%", "area_km2": "0.000", "z": "0.00", "score": "0.000"}


def export_tasking(tasking_list: TaskingList, path: str | Path, *, setting: ReportSetting | None = None,
                   top: int | None = None, min_count: int | None = None, include_free_text: bool = False,
                   actions: pd.DataFrame | None = None) -> list[Path]:
    """Write a tasking list to ``path``, the extension choosing the format; return the files written.

    Parameters
    ----------
    tasking_list : TaskingList
        Left unchanged.
    path : str or Path
        Ends in ``.csv``, ``.xlsx``, ``.gpkg``, ``.geojson``, ``.pdf`` or ``.png``. Replaced if it exists.
    setting : ReportSetting, optional
        The disclosure rules (``tasking.toml`` and the taxonomy's sensitive categories), the
        boundaries drawn under maps, the partnership's name and the band labels (every band
        is written as its label: the list's band, each place's ``peak_band``), as
        :func:`hotspot_tasking.pipeline.exports.report_setting` reads them from a workspace.
        None: packaged defaults and maps without boundaries.
    top : int, optional
        Export ranks 1 to ``top`` only (None: every row). The PDF has one page for each
        of them (at most 10 when None).
    min_count : int, optional
        Counts above 0 and below this are shown as "fewer than N"; None takes
        ``[disclosure] min_count`` of ``tasking.toml`` (5 by default).
    include_free_text : bool, default=False
        Keep free text: the outcome after "tasked last period:" and the action log's
        action wording, notes and outcomes (PDF).
    actions : pandas.DataFrame, optional
        The action log (``ActionLog.to_frame()`` or ``actions_for()``), for "last actions"
        on the PDF's place pages; other formats ignore it.

    Returns
    -------
    list of Path
        ``[path]``, plus ``<name>.about.json`` for GeoJSON.

    Raises
    ------
    ReportError
        Unknown extension, missing columns, a CRS other than EPSG:27700, point geometries.
    TypeError
        An option of the wrong type.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ReportError(f"{path.name}: unknown export format '{suffix}'; use one of {', '.join(FORMATS)}.")
    if actions is not None:
        check_frame(actions, "actions", "export_tasking")
    setting = ReportSetting() if setting is None else setting
    disclosed = disclose_list(tasking_list, setting=setting, top=top, min_count=min_count,
                              include_free_text=include_free_text)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        from .briefing import write_pack  # matplotlib and fpdf2 load only for a PDF
        return [_atomic(path, lambda tmp: write_pack(disclosed, tmp, background=setting.background,
                                                     actions=actions, pages=top))]
    if suffix == ".png":
        from .maps import map_title, overview_figure, save_png  # matplotlib loads only for a map
        fig = overview_figure(disclosed.frame, background=setting.background,
                              title=map_title(disclosed.period, disclosed.band))
        return [_atomic(path, lambda tmp: save_png(fig, tmp, dpi=200))]
    if suffix == ".csv":
        table = neutralise_frame(list_table(disclosed))
        return [_atomic(path, lambda tmp: table.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n"))]
    if suffix == ".xlsx":
        return [_atomic(path, lambda tmp: _write_xlsx(disclosed, tmp))]
    if suffix == ".gpkg":
        return [_atomic(path, lambda tmp: _write_gpkg(disclosed, tmp))]
    about = path.with_name(path.stem + ".about.json")
    frame = disclosed.frame.to_crs(4326)
    _atomic(path, lambda tmp: pyogrio.write_dataframe(frame, tmp, driver="GeoJSON", layer=path.stem,
                                                      layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": 6}))
    sidecar = {"about": about_rows(disclosed), "disclosure_rules": disclosed.rules.describe(),
               "suppressed": _records(disclosed.suppressed), "method_cards": _records(card_rows(disclosed.cards))}
    _atomic(about, lambda tmp: tmp.write_text(json.dumps(sidecar, indent=1, ensure_ascii=False, default=str),
                                              encoding="utf-8"))
    return [path, about]


# --- writers ------------------------------------------------------------------------------
def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    tmp = path.with_name(f".{path.stem}.partial{path.suffix}")
    tmp.unlink(missing_ok=True)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _write_xlsx(disclosed: Disclosed, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    table = list_table(disclosed)
    _sheet(book.active, "Tasking list", [HEADINGS.get(c, c) for c in table.columns], table.itertuples(index=False),
           widths=[_WIDE.get(c) for c in table.columns], formats=[_NUMBER_FORMATS.get(c) for c in table.columns],
           wrap={table.columns.get_loc(c) for c in ("explanation", "tactics")})
    cards = card_rows(disclosed.cards)
    _sheet(book.create_sheet(), "Method cards", ["Card", "Method", "Section", "Name", "Value", "Rule"],
           cards.itertuples(index=False), widths=[6, 12, 11, 24, 50, 70], wrap={4, 5})
    sup = disclosed.suppressed
    rows = list(sup.itertuples(index=False)) or [(None, None, None, None, None, "Nothing was suppressed.")]
    rows += [()] + [("Rule", None, None, None, None, r) for r in disclosed.rules.describe()]
    _sheet(book.create_sheet(), "Suppressed", ["Rank", "Tasking ID", "Place", "Field", "Shown as", "Rule"], rows,
           widths=[7, 16, 35, 20, 40, 90], wrap={5})
    _sheet(book.create_sheet(), "About", ["Item", "Value"], about_rows(disclosed), widths=[22, 110], wrap={1})
    book.save(path)


def _sheet(sheet, title: str, headings: list[str], rows, *, widths: list, formats: list | None = None,
           wrap: set[int] = frozenset()) -> None:
    """Fill one sheet: bold frozen heading row, filter, widths, numbers as numbers, text neutralised."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.title = title
    sheet.append([neutralise(h) for h in headings])
    lengths = [len(h) for h in headings]
    for row in rows:
        values = [_cell(v) for v in row]
        sheet.append(values)
        for i, v in enumerate(values[:len(lengths)]):
            lengths[i] = max(lengths[i], len(str(v)) if v is not None else 0)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for i, length in enumerate(lengths):
        cap = widths[i] if i < len(widths) and widths[i] else 30
        sheet.column_dimensions[get_column_letter(i + 1)].width = max(6, min(cap, length + 2))
    top = Alignment(wrap_text=True, vertical="top")
    for i in wrap:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
            cell.alignment = top
    for i, fmt in enumerate(formats or []):
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
                if isinstance(cell.value, (int, float)):
                    cell.number_format = fmt


def _cell(value):
    """A value openpyxl writes as it should appear: numbers as numbers, text neutralised, blanks empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.strftime("%d/%m/%Y")
    return neutralise(str(value))


def _records(table: pd.DataFrame) -> list[dict]:
    return json.loads(table.to_json(orient="records", force_ascii=False))


def _write_gpkg(disclosed: Disclosed, path: Path) -> None:
    pyogrio.write_dataframe(disclosed.frame, path, layer="tasking_list", driver="GPKG")
    cards = card_rows(disclosed.cards).astype({"value": str})
    tables = {"method_cards": cards, "suppressed": disclosed.suppressed,
              "about": pd.DataFrame(about_rows(disclosed), columns=["item", "value"])}
    for name, table in tables.items():
        pyogrio.write_dataframe(table.astype({c: str for c in table.columns if table[c].dtype == object}),
                                path, layer=name, driver="GPKG")
