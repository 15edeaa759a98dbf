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
import re
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from .disclosure import Disclosed, DisclosureRules, disclose, neutralise, neutralise_frame
from .errors import ReportError
from ..ranking.schema import TASKING_COLUMNS, TaskingList

FORMATS = (".csv", ".xlsx", ".gpkg", ".geojson", ".pdf", ".png")
OGL = "Contains public sector information licensed under the Open Government Licence v3.0."
OS_DATA = "Contains OS data © Crown copyright and database right {year}."
#: Spreadsheet headings of the tasking list's columns.
HEADINGS = {
    "rank": "Rank", "tasking_id": "Tasking ID", "kind": "Kind", "place_name": "Place", "ward_code": "Ward code",
    "ward_name": "Ward", "lsoa_code": "LSOA code", "centroid_easting": "Easting (to 10 m)",
    "centroid_northing": "Northing (to 10 m)", "area_km2": "Area (km²)", "dominant_categories": "Dominant categories",
    "sensitive_share": "Sensitive share", "count_now": "Count now", "count_before": "Count before (mean per period)",
    "change_pct": "Change %", "z": "z (Poisson)", "arrow": "Trend", "harm_now": "Harm now",
    "persistence": "Persistence", "repeat_locations": "Repeat locations", "peak_band": "Peak band",
    "peak_days": "Peak days", "peak_hours": "Peak hours", "score": "Score", "explanation": "Why it ranks here",
    "lead_agency": "Lead agency", "tactics": "Suggested tactics", "status": "Status", "period": "Period",
    "band": "Band", "disclosure": "Disclosure control",
}
_WIDE = {"explanation": 70, "tactics": 55, "dominant_categories": 45, "place_name": 40, "disclosure": 40}
_NUMBER_FORMATS = {"sensitive_share": "0%", "area_km2": "0.000", "z": "0.00", "score": "0.000"}


def export_tasking(tasking_list: TaskingList, path: str | Path, *, workspace=None, top: int | None = None,
                   min_count: int | None = None, include_free_text: bool = False,
                   actions: pd.DataFrame | None = None) -> list[Path]:
    """Write a tasking list to ``path``, the extension choosing the format; return the files written.

    Parameters
    ----------
    tasking_list : TaskingList
        Left unchanged.
    path : str or Path
        Ends in ``.csv``, ``.xlsx``, ``.gpkg``, ``.geojson``, ``.pdf`` or ``.png``. Replaced if it exists.
    workspace : Workspace, optional
        Gives the boundaries drawn under maps (its ward and ``boroughs`` layers), the
        disclosure settings (``tasking.toml``), the sensitive categories (``taxonomy.toml``)
        and the partnership's name. None: packaged defaults and maps without boundaries.
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
    if actions is not None and not isinstance(actions, pd.DataFrame):
        raise TypeError(f"The 'actions' parameter of export_tasking must be a DataFrame (the action log). "
                        f"Got {type(actions).__name__} instead.")
    disclosed = disclose_list(tasking_list, workspace=workspace, top=top, min_count=min_count,
                              include_free_text=include_free_text)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        from .briefing import write_pack
        return [_atomic(path, lambda tmp: write_pack(disclosed, tmp, workspace=workspace, actions=actions,
                                                     pages=top))]
    if suffix == ".png":
        from .maps import background_layers, map_title, overview_figure, save_png
        fig = overview_figure(disclosed.frame, background=background_layers(workspace),
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


def disclose_list(tasking_list: TaskingList, *, workspace=None, top: int | None = None, min_count: int | None = None,
                  include_free_text: bool = False) -> Disclosed:
    """Check a tasking list, keep its first ``top`` ranks and apply the disclosure rules.

    Parameters
    ----------
    tasking_list : TaskingList
        Left unchanged.
    workspace : Workspace, optional
        Its ``tasking.toml`` (``[disclosure]``), taxonomy (sensitive categories) and name;
        None uses the packaged defaults.
    top : int, optional
        Keep ranks 1 to ``top`` (None: every row).
    min_count : int, optional
        Overrides ``[disclosure] min_count``.
    include_free_text : bool, default=False
        Keep free text (status outcomes, action-log notes).

    Returns
    -------
    Disclosed
        With the list's period, band, cards, caveats and sources, and the workspace's name.
    """
    if not isinstance(tasking_list, TaskingList):
        raise TypeError(f"export needs a TaskingList, got {type(tasking_list).__name__}; build one with the ranking "
                        "or TaskingList(frame, period, band).")
    frame = tasking_list.frame
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"TaskingList.frame must be a GeoDataFrame, got {type(frame).__name__}.")
    missing = [c for c in TASKING_COLUMNS if c not in frame.columns]
    if missing:
        raise ReportError(f"tasking list: missing columns {', '.join(missing)}; build it with the ranking, which "
                           "fills every column of TASKING_COLUMNS.")
    if frame.crs is None or frame.crs.to_epsg() != 27700:
        raise ReportError(f"tasking list: outlines must be in EPSG:27700 (British National Grid), got "
                           f"{frame.crs.to_string() if frame.crs else 'no CRS'}; reproject with frame.to_crs(27700).")
    if top is not None and (isinstance(top, bool) or not isinstance(top, (int, np.integer))):
        raise TypeError(f"The 'top' parameter of export_tasking must be an int. Got {top!r} instead.")
    if top is not None and top < 1:
        raise ReportError(f"The 'top' parameter of export_tasking must be 1 or more. Got {top} instead.")
    if not isinstance(include_free_text, bool):
        raise TypeError(f"The 'include_free_text' parameter must be True or False. Got {include_free_text!r} instead.")
    config = workspace.config_path("tasking.toml") if workspace is not None else None
    rules = DisclosureRules.load(config, taxonomy=workspace.taxonomy() if workspace is not None else None)
    rules = rules.with_options(min_count=min_count, include_free_text=include_free_text)
    ranked = frame.sort_values("rank", kind="stable")
    ranked = ranked.head(top) if top is not None else ranked
    result = disclose(ranked.reset_index(drop=True), rules=rules)
    result.period, result.band = str(tasking_list.period), str(tasking_list.band)
    result.cards, result.caveats = list(tasking_list.cards), [str(c) for c in tasking_list.caveats]
    result.sources = [str(s) for s in tasking_list.sources]
    result.partnership = workspace.name if workspace is not None else ""
    result.rows_total = len(frame)
    return result


def list_table(disclosed: Disclosed) -> pd.DataFrame:
    """The list as text exports show it.

    Parameters
    ----------
    disclosed : Disclosed

    Returns
    -------
    pandas.DataFrame
        ``TASKING_COLUMNS`` (no geometry; hidden numbers as their wording), then ``period``
        (in words, UK dates), ``band`` and ``disclosure`` (what was hidden in the row).
    """
    table = disclosed.shown.copy()
    disclosure = table.pop("disclosure")
    return table.assign(period=period_label(disclosed.period), band=disclosed.band, disclosure=disclosure)


def card_rows(cards: list) -> pd.DataFrame:
    """Every method card as rows, for the XLSX sheet, the GeoPackage table and the pack.

    Parameters
    ----------
    cards : list of MethodCard

    Returns
    -------
    pandas.DataFrame
        Columns ``card`` (1, 2, ...), ``method``, ``section`` (method, parameter, data,
        warning), ``name``, ``value`` (numbers stay numbers; lists and mappings as JSON
        text) and ``rule`` (how a parameter was chosen).
    """
    rows = []
    for n, card in enumerate(cards, start=1):
        head = [("method", "method", card.method, ""), ("method", "software", card.software, ""),
                ("method", "created", card.created, "")]
        params = [("parameter", k, v, card.rules.get(k, "given")) for k, v in card.parameters.items()]
        data = [("data", k, v, "") for k, v in card.data.items()]
        warnings = [("warning", str(i + 1), w, "") for i, w in enumerate(card.warnings)]
        rows += [(n, card.method, s, name, _plain(v), rule) for s, name, v, rule in head + params + data + warnings]
    return pd.DataFrame(rows, columns=["card", "method", "section", "name", "value", "rule"])


def about_rows(disclosed: Disclosed) -> list[tuple[str, str]]:
    """What the export is, where it came from and its limits.

    Parameters
    ----------
    disclosed : Disclosed

    Returns
    -------
    list of (str, str)
        (item, value): partnership, period, band, places, date produced (dd/mm/yyyy),
        sources, caveats, the disclosure rules, the marking and the attributions.
    """
    rows = [("Title", "Tasking list"), ("Partnership", disclosed.partnership or "not given"),
            ("Period", period_label(disclosed.period)), ("Time band", disclosed.band),
            ("Places exported", f"{len(disclosed.frame)} of {disclosed.rows_total}"),
            ("Produced", uk_date(disclosed.produced))]
    rows += [("Source", s) for s in disclosed.sources] or [("Source", "not given")]
    rows += [("Data caveat", c) for c in disclosed.caveats]
    rows += [("Disclosure control", r) for r in disclosed.rules.describe()]
    if disclosed.rules.marking:
        rows.append(("Protective marking", disclosed.rules.marking))
    rows += [("Attribution", OGL), ("Attribution", OS_DATA.format(year=disclosed.produced.year))]
    return rows


def period_label(period: str) -> str:
    """A review period in words with UK dates.

    Examples
    --------
    >>> period_label("2017-07")
    'July 2017'
    >>> period_label("2017-07-03")
    'week beginning 03/07/2017'
    >>> period_label("2017-07-01/2017-07-31")
    '01/07/2017 to 31/07/2017'
    """
    text = str(period).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return dt.date.fromisoformat(text + "-01").strftime("%B %Y")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return "week beginning " + uk_date(dt.date.fromisoformat(text))
        parts = re.split(r"\s*(?:/|\.\.|\bto\b)\s*", text)
        if len(parts) == 2 and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", p) for p in parts):
            return f"{uk_date(dt.date.fromisoformat(parts[0]))} to {uk_date(dt.date.fromisoformat(parts[1]))}"
    except ValueError:  # not a real date (2017-13): shown as given
        pass
    return text


def uk_date(day: dt.date | None = None) -> str:
    """A date as ``dd/mm/yyyy``.

    Parameters
    ----------
    day : datetime.date, optional
        None: today.

    Returns
    -------
    str
    """
    return (day or dt.date.today()).strftime("%d/%m/%Y")


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


def _plain(value):
    if isinstance(value, (bool, np.bool_)) or value is None:
        return json.dumps(value if value is None else bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return value.item() if isinstance(value, np.generic) else value
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)


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
