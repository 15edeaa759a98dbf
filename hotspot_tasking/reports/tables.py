"""The tasking list as reports show it, whatever the format: the list's rows (hidden
numbers in words), the method cards as rows, the "about" rows (what the file is, its
sources, caveats, rules and attributions), and the first step of every export,
:func:`disclose_list`: check the list, keep its top ranks and apply disclosure control.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd

from ..labels import OGL, OS_DATA
from ..periods import describe_period
from ..ranking.schema import TASKING_COLUMNS, TaskingList
from ..validation import check_crs, check_number, check_type
from .disclosure import Disclosed, disclose
from .errors import ReportError
from .setting import ReportSetting, band_label

#: Spreadsheet headings of the tasking list's columns.
HEADINGS = {
    "rank": "Rank", "tasking_id": "Tasking ID", "kind": "Kind", "place_name": "Place", "ward_code": "Ward code",
    "ward_name": "Ward", "lsoa_code": "LSOA code", "centroid_easting": "Easting (to 10 m)",
    "centroid_northing": "Northing (to 10 m)", "area_km2": "Area (km²)", "hotspot_group": "Part of",
    "dominant_categories": "Dominant categories",
    "sensitive_share": "Sensitive share", "count_now": "Count now", "count_before": "Count before (mean per period)",
    "change_pct": "Change %", "z": "z (Poisson)", "arrow": "Trend", "harm_now": "Harm now",
    "persistence": "Persistence", "repeat_locations": "Repeat locations", "peak_band": "Peak band",
    "peak_days": "Peak days", "peak_hours": "Peak hours", "score": "Score", "explanation": "Why it ranks here",
    "lead_agency": "Lead agency", "tactics": "Suggested tactics", "status": "Status", "period": "Period",
    "band": "Band", "method": "Places found by", "disclosure": "Disclosure control",
}

def disclose_list(tasking_list: TaskingList, *, setting: ReportSetting | None = None, top: int | None = None,
                  min_count: int | None = None, include_free_text: bool = False) -> Disclosed:
    """Check a tasking list, keep its first ``top`` ranks and apply the disclosure rules.

    Parameters
    ----------
    tasking_list : TaskingList
        Left unchanged.
    setting : ReportSetting, optional
        The disclosure rules, the partnership's name and the band labels; None: the packaged
        defaults.
    top : int, optional
        Keep ranks 1 to ``top`` (None: every row).
    min_count : int, optional
        Overrides ``[disclosure] min_count``.
    include_free_text : bool, default=False
        Keep free text (status outcomes, action-log notes).

    Returns
    -------
    Disclosed
        With the list's period, band (its label), cards (a band they name by its label),
        caveats and sources, and the partnership's name; each place's ``peak_band`` is its
        label too (:func:`.setting.band_label`).

    Raises
    ------
    ReportError
        Missing columns, outlines not in EPSG:27700, ``top`` below 1.
    TypeError
        An option of the wrong type.
    """
    where = "export_tasking"
    check_type(tasking_list, "tasking_list", where, TaskingList, type_name="a TaskingList")
    check_type(tasking_list.frame, "tasking_list.frame", where, gpd.GeoDataFrame, type_name="a GeoDataFrame")
    frame = tasking_list.frame
    missing = [c for c in TASKING_COLUMNS if c not in frame.columns]
    if missing:
        raise ReportError(f"tasking list: missing columns {', '.join(missing)}; build it with the ranking, which "
                          "fills every column of TASKING_COLUMNS.")
    check_crs(frame, "tasking list", name="outlines", error=ReportError, allow_none=False)
    if top is not None:
        check_number(top, "top", where, low=1, low_open=False, integer=True, error=ReportError)
    check_type(include_free_text, "include_free_text", where, bool, type_name="True or False")
    setting = ReportSetting() if setting is None else setting
    check_type(setting, "setting", where, ReportSetting, type_name="a ReportSetting")
    rules = setting.rules.with_options(min_count=min_count, include_free_text=include_free_text)
    ranked = frame.sort_values("rank", kind="stable")
    ranked = ranked.head(top) if top is not None else ranked
    labels = setting.band_labels
    ranked = ranked.assign(peak_band=ranked["peak_band"].map(lambda band: band_label(band, labels)))  # per place
    result = disclose(ranked.reset_index(drop=True), rules=rules)
    result.period, result.band = str(tasking_list.period), band_label(tasking_list.band, labels)
    result.cards = [_band_by_label(card, labels) for card in tasking_list.cards]
    result.caveats = [str(c) for c in tasking_list.caveats]
    result.sources = [str(s) for s in tasking_list.sources]
    result.partnership = setting.partnership
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
        (in words, UK dates), ``band`` (its label), ``method`` (:func:`method_summary`) and
        ``disclosure`` (what was hidden in the row).
    """
    table = disclosed.shown.copy()
    disclosure = table.pop("disclosure")
    return table.assign(period=describe_period(disclosed.period), band=disclosed.band,
                        method=method_summary(disclosed.cards), disclosure=disclosure)


def method_summary(cards: list) -> str:
    """How the list's places were found, in one line: the surface and its backtest figures, or the method.

    >>> from hotspot_tasking.hotspots.card import MethodCard
    >>> card = MethodCard("surface", parameters={"surface": "counts-6", "surface_means": "counts per cell over the "
    ...                   "last 6 months"}, rules={"surface": "the highest mean PAI ..."},
    ...                   data={"backtest": "mean PAI 12.5 at 2% and 6.4 at 5% of the study area over 7 periods; "
    ...                   "naive 10.0 and 6.0"})
    >>> method_summary([card])
    'surface counts-6 (counts per cell over the last 6 months), chosen by backtest: mean PAI 12.5 at 2% and 6.4 at \
5% of the study area over 7 periods; naive 10.0 and 6.0'
    """
    parts = []
    for card in cards:
        if card.method == "surface":
            how = "pinned by the user" if card.rules.get("surface") == "given" else "chosen by backtest"
            parts.append(f"surface {card.parameters.get('surface')} ({card.parameters.get('surface_means')}), {how}: "
                         f"{card.data.get('backtest', 'not backtested')}")
        elif card.method == "micro_places":
            parts.append(f"split into places at most {card.parameters.get('max_across_m', 0):g} m across")
        elif card.method in ("kde", "dbscan", "gistar"):
            shown = ", ".join(f"{k} = {v}" for k, v in card.parameters.items()
                              if k in ("bandwidth_m", "cell_size_m", "eps_m", "min_samples"))
            parts.append(f"{card.method} ({shown})" if shown else card.method)
        elif card.method == "tasking-rank" and card.parameters.get("candidates") not in (None, "hotspot"):
            parts.append(f"{card.parameters['candidates']} areas")
    return "; ".join(parts)


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
            ("Period", describe_period(disclosed.period)), ("Time band", disclosed.band),
            ("Places exported", f"{len(disclosed.frame)} of {disclosed.rows_total}"),
            ("Produced", uk_date(disclosed.produced))]
    if method_summary(disclosed.cards):
        rows.append(("Places found by", method_summary(disclosed.cards)))
    rows += [("Source", s) for s in disclosed.sources] or [("Source", "not given")]
    rows += [("Data caveat", c) for c in disclosed.caveats]
    rows += [("Disclosure control", r) for r in disclosed.rules.describe()]
    if disclosed.rules.marking:
        rows.append(("Protective marking", disclosed.rules.marking))
    rows += [("Attribution", OGL), ("Attribution", OS_DATA.format(year=disclosed.produced.year))]
    return rows


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


def _band_by_label(card, labels):
    """A method card with its ``band`` (a parameter or a data item) as the band's label: a copy
    when it names one, the card itself otherwise."""
    if "band" not in card.parameters and "band" not in card.data:
        return card
    return replace(card, **{part: {k: band_label(v, labels) if k == "band" else v for k, v in items.items()}
                            for part, items in (("parameters", card.parameters), ("data", card.data))})


def _plain(value):
    if isinstance(value, (bool, np.bool_)) or value is None:
        return json.dumps(value if value is None else bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return value.item() if isinstance(value, np.generic) else value
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)
