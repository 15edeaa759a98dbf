"""Disclosure control: what may leave the room, shared by every export.

The rules (``[disclosure]`` in ``tasking.toml``; see :class:`DisclosureRules`):

1. Outlines and aggregates only. A tasking list holding point geometries is refused
   (:func:`check_no_points`): sensitive categories are never shown as points.
2. Small counts, across fields. ``count_now`` and ``count_before`` above 0 and below
   ``min_count`` are shown as "fewer than 5" (in CSV, XLSX and PDF text; empty in
   GeoPackage and GeoJSON, which keep numbers as numbers). Every value that would give a
   hidden count back is hidden with it ("suppressed"): harm (harm / weight is the count),
   change and z, repeat locations, the sensitive share, the shares in the category list;
   the explanation keeps no figure ("fewer than 5 incidents this month; ... busiest on
   Thursday 15:00-16:00"); a place that is not itself an LSOA loses its LSOA code.
3. Sensitive categories (``sensitive = true`` in ``taxonomy.toml``) are aggregated: a place
   whose ``sensitive_share`` is at least ``sensitive_share`` (0.5) has its dominant
   categories replaced by "Sensitive categories (aggregated)"; elsewhere the sensitive
   names in the dominant categories are merged into that label with their summed share,
   and named in no explanation. Fewer than ``min_count`` sensitive incidents at a place
   hide its sensitive share.
4. No differencing. A place holding sensitive incidents shows counts rounded to the
   nearest ``round_to`` (5) and harm to the nearest ``round_to`` times the heaviest
   sensitive harm weight, with change, z, arrow and explanation worked from the rounded
   figures and the score to a whole number: a list with the sensitive categories and one
   without them cannot be subtracted into a small count, nor harm divided by a weight.
5. No address. Hotspot places that are sensitive (the share above) or hold a small count
   of sensitive incidents are drawn as the ``grid_m`` (250 m) squares they reach, their
   centroids at a square's centre (:mod:`.redaction`); wards, LSOAs and zones keep their
   public outlines.
6. No free text by default: the part of ``status`` after "tasked last period:" is kept
   only when it is an action status of ``tasking.toml``; action-log notes, outcomes and
   action wording are left out unless ``include_free_text`` is True.
7. Rounding for publication: other centroids to 10 m, shares to 0.01, counts to 0.1.

Every replacement is recorded (:attr:`Disclosed.suppressed`): row, field, what is shown
instead and the rule, for the "Suppressed" sheet. Spreadsheet text is neutralised
against formula injection by :func:`~hotspot_tasking.formulaguard.neutralise`, the rule
the import's rejected rows are written by too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..formulaguard import FORMULA_TRIGGERS, neutralise, neutralise_frame  # noqa: F401  (the exports' guard)
from ..labels import ALL_TIMES_LABEL, FREE_TEXT_COLUMNS
from .disclosure_rules import DisclosureRules
from .errors import ReportError
from .redaction import Redaction, coarsen, column, redact_texts, round_sensitive, shown_table, small_counts

#: Counts that are suppressed below the threshold, and the values that would reveal them.
COUNT_FIELDS = ("count_now", "count_before")
DERIVED_FIELDS = {"count_now": ("harm_now", "change_pct", "z", "repeat_locations"), "count_before": ("change_pct", "z")}
#: Columns of :attr:`Disclosed.suppressed`.
SUPPRESSED_COLUMNS = ("rank", "tasking_id", "place_name", "field", "shown_as", "rule")
_ROUNDING = {"area_km2": 3, "sensitive_share": 2, "count_now": 1, "count_before": 1, "change_pct": 1, "z": 2,
             "harm_now": 1, "score": 3}


@dataclass
class Disclosed:
    """A tasking list made fit to leave the room (see the module docstring).

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        A new frame: the input columns with small counts and their derived values as NaN,
        texts replaced, values rounded, plus ``disclosure`` (what was hidden in the row).
    shown : pandas.DataFrame
        As ``frame`` without geometry, for text exports: hidden numbers replaced by the
        wording ("fewer than 5", "suppressed") and whole floats as ints.
    suppressed : pandas.DataFrame
        ``SUPPRESSED_COLUMNS``: one row per replaced cell.
    rules : DisclosureRules
    period, band : str
        The tasking list's period, and its band's label ("Night-time economy", "All times").
    cards : list of MethodCard
    caveats, sources : list of str
    partnership : str
        The workspace's name ("" without a workspace).
    produced : datetime.date
        Today, printed in UK format.
    rows_total : int
        Rows of the tasking list before ``top`` was applied.
    """

    frame: gpd.GeoDataFrame
    shown: pd.DataFrame
    suppressed: pd.DataFrame
    rules: DisclosureRules
    period: str = ""
    band: str = ALL_TIMES_LABEL
    cards: list = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    partnership: str = ""
    produced: dt.date = field(default_factory=dt.date.today)
    rows_total: int = 0


def disclose(frame: gpd.GeoDataFrame, *, rules: DisclosureRules) -> Disclosed:
    """Apply the disclosure rules to a tasking frame; the input is left unchanged.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        ``TASKING_COLUMNS`` plus ``geometry`` (EPSG:27700).
    rules : DisclosureRules

    Returns
    -------
    Disclosed
    """
    check_no_points(frame)
    out = frame.copy()
    n = len(out)
    redact = Redaction(out, rules)
    share = column(out, "sensitive_share", 0.0)
    small = {c: small_counts(out[c], rules.min_count) for c in COUNT_FIELDS if c in out}  # before any rounding
    small_now = small.get("count_now", np.zeros(n, bool))
    held = column(out, "count_now", 0.0) * share  # sensitive incidents at the place
    rounded = (share > 0) & ~small_now & (column(out, "count_now", 0.0) > 0)
    hotspot = (out["kind"].astype(str) == "hotspot").to_numpy() if "kind" in out else np.ones(n, bool)
    coarse = hotspot & ((share >= rules.sensitive_share) | (small_now & (share > 0)))  # areas are public outlines
    for col, digits in _ROUNDING.items():
        if col in out:
            out[col] = out[col].astype("float64").round(digits)
    round_sensitive(out, rounded & ~small.get("count_before", np.zeros(n, bool)), rounded, redact)
    for col, mask in small.items():
        redact.hide(col, mask, rules.fewer_than, f"count below the threshold of {rules.min_count}")
        for derived in DERIVED_FIELDS[col]:
            redact.hide(derived, mask, "suppressed", f"would reveal a count below {rules.min_count} ({col})")
    redact.hide("sensitive_share", small_now & (share > 0) & (share < 1), "suppressed",
                f"would reveal a count below {rules.min_count} (count_now)")
    redact.hide("sensitive_share", ~small_now & (held > 0) & (held < rules.min_count), "suppressed",
                f"would reveal fewer than {rules.min_count} sensitive incidents")
    redact.hide("repeat_locations", coarse, "suppressed", "a repeat location of a sensitive place is an address")
    if "lsoa_code" in out and "kind" in out:
        redact.replace("lsoa_code", small_now & (out["kind"].astype(str) != "lsoa").to_numpy(), "",
                       f"names the small area of a count below {rules.min_count}", said="left out")
    coarsen(out, coarse, redact)
    redact_texts(out, rules, small, rounded, coarse, share, redact)
    log = redact.log
    suppressed = pd.DataFrame(
        [(out["rank"].iloc[i], out["tasking_id"].iloc[i], out["place_name"].iloc[i], col, text, rule)
         for i, col, text, rule in log], columns=list(SUPPRESSED_COLUMNS))
    per_row: dict[int, list[str]] = {}
    for i, col, text, _ in log:
        per_row.setdefault(i, []).append(f"{col}: {text}")
    out["disclosure"] = pd.Series(["; ".join(per_row.get(i, [])) for i in range(n)], index=out.index, dtype="str")
    return Disclosed(out, shown_table(out, redact.shown_as), suppressed.sort_values("rank", kind="stable",
                                                                                ignore_index=True), rules)


def check_no_points(frame: gpd.GeoDataFrame, *, where: str = "tasking list") -> None:
    """Refuse point geometries: exports carry outlines and aggregates only.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
    where : str, default="tasking list"
        Named in the message.

    Raises
    ------
    ReportError
        If any geometry is, or holds, a point; the message says how many.
    """
    geoms = frame.geometry.values
    parts = shapely.get_parts(geoms[~shapely.is_missing(geoms)])
    kinds = shapely.get_type_id(parts)
    n = int(np.isin(kinds, (0,)).sum())  # 0: Point (MultiPoints and collections are split into parts)
    if n:
        raise ReportError(f"{where}: {n} point geometries; exports carry outlines and aggregates only, never "
                           "points. Fix: give each place its outline (hotspot polygon or area boundary).")


def strip_free_text(actions: pd.DataFrame, *, include_free_text: bool) -> pd.DataFrame:
    """An action-log frame without its free-text columns, unless asked for.

    Parameters
    ----------
    actions : pandas.DataFrame
        Left unchanged.
    include_free_text : bool
        Keep ``action``, ``outcome``, ``notes`` and ``summary``.

    Returns
    -------
    pandas.DataFrame
        A copy.
    """
    if include_free_text:
        return actions.copy()
    return actions.drop(columns=[c for c in FREE_TEXT_COLUMNS if c in actions.columns])
