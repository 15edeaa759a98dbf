"""Disclosure control: what may leave the room, shared by every export.

The rules (``[disclosure]`` in ``tasking.toml``; see :class:`DisclosureRules`):

1. Outlines and aggregates only. A tasking list holding point geometries is refused
   (:func:`check_no_points`): sensitive categories are never shown as points.
2. Small counts. ``count_now`` and ``count_before`` above 0 and below ``min_count`` are
   shown as "fewer than 5" (in CSV, XLSX and PDF text; empty in GeoPackage and GeoJSON,
   which keep numbers as numbers). Values that would give a hidden count back
   (``harm_now``, ``change_pct``, ``z``) are hidden with it ("suppressed"). Small counts
   written in that row's explanation ("3 incidents") become "fewer than 5 incidents".
3. Sensitive categories (``sensitive = true`` in ``taxonomy.toml``) are aggregated: a place
   whose ``sensitive_share`` is at least ``sensitive_share`` (0.5) has its dominant
   categories replaced by "Sensitive categories (aggregated)"; elsewhere the sensitive
   names in the dominant categories are merged into that label with their summed share,
   and named in no explanation.
4. No free text by default: the part of ``status`` after "tasked last period:" is kept
   only when it is an action status of ``tasking.toml``; action-log notes, outcomes and
   action wording are left out unless ``include_free_text`` is True.
5. Rounding for publication: centroids to 10 m, shares to 0.01, counts to 0.1.

Every replacement is recorded (:attr:`Disclosed.suppressed`): row, field, what is shown
instead and the rule, for the "Suppressed" sheet. Spreadsheet text is neutralised
against formula injection by :func:`~hotspot_tasking.formulaguard.neutralise`, the rule
the import's rejected rows are written by too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..configfile import Boolean, Number, Text, default_config_path, read_toml
from ..formulaguard import FORMULA_TRIGGERS, neutralise, neutralise_frame  # noqa: F401  (the exports' guard)
from ..labels import ALL_TIMES_LABEL, FREE_TEXT_COLUMNS
from .errors import ReportError

#: Counts that are suppressed below the threshold, and the values that would reveal them.
COUNT_FIELDS = ("count_now", "count_before")
DERIVED_FIELDS = {"count_now": ("harm_now", "change_pct", "z"), "count_before": ("change_pct", "z")}
#: Columns of :attr:`Disclosed.suppressed`.
SUPPRESSED_COLUMNS = ("rank", "tasking_id", "place_name", "field", "shown_as", "rule")
_ROUNDING = {"area_km2": 3, "sensitive_share": 2, "count_now": 1, "count_before": 1, "change_pct": 1, "z": 2,
             "harm_now": 1, "score": 3}
_COUNT_NOUNS = r"(?:incidents?|offences?|crimes?|reports?|records?|fires?|complaints?|calls?|cases?|victims?)"
_SMALL_COUNT = re.compile(r"\b(\d+(?:\.\d+)?)(\s+(?:[A-Za-z-]+\s+){0,3}?" + _COUNT_NOUNS + r")\b")


@dataclass(frozen=True)
class DisclosureRules:
    """The disclosure settings (``[disclosure]`` of ``tasking.toml``).

    Attributes
    ----------
    min_count : int, default=5
        Counts from above 0 to below this are shown as :attr:`fewer_than`.
    wording : str, default="fewer than {n}"
        ``{n}`` is replaced by ``min_count``.
    sensitive_share : float, default=0.5
        A place with at least this share of sensitive incidents shows no category names.
    sensitive_label : str, default="Sensitive categories (aggregated)"
    include_free_text : bool, default=False
        Keep action-log notes, outcomes and action wording in exports.
    marking : str, default=""
        A protective marking printed on every page of the briefing pack (e.g. "OFFICIAL").
    sensitive_categories : tuple of str
        Category and subcategory names flagged ``sensitive`` in the taxonomy.
    status_labels : tuple of (str, str)
        ``(status, label)`` of ``tasking.toml``'s action statuses: either is kept after
        "tasked last period:", and the briefing pack shows the label.
    """

    min_count: int = 5
    wording: str = "fewer than {n}"
    sensitive_share: float = 0.5
    sensitive_label: str = "Sensitive categories (aggregated)"
    include_free_text: bool = False
    marking: str = ""
    sensitive_categories: tuple[str, ...] = ()
    status_labels: tuple[tuple[str, str], ...] = ()

    @classmethod
    def load(cls, path: str | Path | None = None, *, taxonomy=None) -> DisclosureRules:
        """Read ``[disclosure]`` and the status names from ``tasking.toml``.

        Parameters
        ----------
        path : str or Path, optional
            ``tasking.toml``; None reads the packaged default.
        taxonomy : Taxonomy, optional
            Gives the sensitive category names (None: the packaged default taxonomy).

        Returns
        -------
        DisclosureRules
        """
        from ..geo.taxonomy import Taxonomy

        path = Path(path) if path is not None else default_config_path("tasking.toml")
        file = read_toml(path, error=ReportError)
        table = file.table("disclosure")
        values = table.read({  # the defaults are the class's; checked() below checks what a type cannot say
            "min_count": Number(cls.min_count, low=1, integer=True),
            "wording": Text(cls.wording),
            "sensitive_share": Number(cls.sensitive_share, low=0, high=1, low_open=True),
            "sensitive_label": Text(cls.sensitive_label),
            "include_free_text": Boolean(cls.include_free_text),
            "marking": Text(cls.marking),
        })
        taxonomy = taxonomy if taxonomy is not None else Taxonomy.load()
        sensitive = sorted({name for entries in taxonomy.vocabularies.values() for e in entries.values()
                            if e.get("sensitive") for name in (e.get("category"), e.get("subcategory")) if name})
        labels = tuple((key, status.text("label", key)) for key, status in file.table("statuses").tables().items())
        rules = cls(**values, sensitive_categories=tuple(sensitive), status_labels=labels)
        return rules.checked(table.where)

    def with_options(self, *, min_count: int | None = None, include_free_text: bool | None = None) -> DisclosureRules:
        """A copy with the caller's overrides.

        Parameters
        ----------
        min_count : int, optional
            None keeps the configured value.
        include_free_text : bool, optional
            None keeps the configured value.

        Returns
        -------
        DisclosureRules
        """
        changes = {k: v for k, v in (("min_count", min_count), ("include_free_text", include_free_text))
                   if v is not None}
        return replace(self, **changes).checked("export options")

    def checked(self, where: str) -> DisclosureRules:
        """Return self if every setting is valid, else raise (TypeError / ReportError)."""
        if isinstance(self.min_count, bool) or not isinstance(self.min_count, (int, np.integer)):
            raise TypeError(f"{where}: min_count must be a whole number. Got {self.min_count!r} instead.")
        if self.min_count < 1:
            raise ReportError(f"{where}: min_count must be 1 or more (1 suppresses nothing). Got {self.min_count}.")
        if not isinstance(self.wording, str) or "{n}" not in self.wording:
            raise ReportError(f"{where}: wording must be text holding {{n}}, e.g. \"fewer than {{n}}\". "
                               f"Got {self.wording!r}.")
        if isinstance(self.sensitive_share, bool) or not isinstance(self.sensitive_share, (int, float)) \
                or not 0 < self.sensitive_share <= 1:
            raise ReportError(f"{where}: sensitive_share must be a number in (0, 1]. Got {self.sensitive_share!r}.")
        if not isinstance(self.include_free_text, bool):
            raise TypeError(f"{where}: include_free_text must be true or false. "
                            f"Got {self.include_free_text!r} instead.")
        if not isinstance(self.marking, str) or not isinstance(self.sensitive_label, str):
            raise ReportError(f"{where}: marking and sensitive_label must be text (\"\" for no marking).")
        return self

    @property
    def fewer_than(self) -> str:
        """The text shown instead of a small count, e.g. "fewer than 5"."""
        return self.wording.format(n=self.min_count)

    def describe(self) -> list[str]:
        """The rules in words, for the "Suppressed" sheet, the About sheet and the pack's cover."""
        return [
            "Places are exported as outlines and aggregates only: no incident is shown as a point.",
            (f"Counts above 0 and below {self.min_count} are shown as \"{self.fewer_than}\"; values that would "
             "reveal them (harm, change, z) are shown as \"suppressed\"."),
            (f"Sensitive categories ({', '.join(self.sensitive_categories) or 'none configured'}) are aggregated as "
             f"\"{self.sensitive_label}\"; where they make up {self.sensitive_share:.0%} or more of a place, "
             "no category is named."),
            "Free text (action wording, notes, outcomes) is "
            + ("included on request." if self.include_free_text else "left out."),
            "Centroids are rounded to 10 m, shares to 0.01 and counts to 0.1.",
        ]


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
    log: list[tuple] = []
    small = {c: _small(out[c], rules.min_count) for c in COUNT_FIELDS if c in out}  # before rounding
    for col, digits in _ROUNDING.items():
        if col in out:
            out[col] = out[col].astype("float64").round(digits)
    for col in ("centroid_easting", "centroid_northing"):
        if col in out:
            out[col] = (out[col].astype("float64") / 10).round() * 10
    shown_as: dict[tuple[int, str], str] = {}
    wording = rules.fewer_than
    for col, mask in small.items():
        for i in np.flatnonzero(mask):
            shown_as[(i, col)] = wording
            log.append((i, col, wording, f"count below the threshold of {rules.min_count}"))
    for col, mask in small.items():
        for derived in DERIVED_FIELDS[col]:
            if derived not in out:
                continue
            for i in np.flatnonzero(mask & out[derived].notna().to_numpy()):
                if (i, derived) not in shown_as:
                    shown_as[(i, derived)] = "suppressed"
                    log.append((i, derived, "suppressed", f"would reveal a count below {rules.min_count} ({col})"))
    any_small = np.zeros(len(out), bool)
    for col, mask in small.items():
        any_small |= mask
        out.loc[mask, col] = np.nan
        for derived in DERIVED_FIELDS[col]:
            if derived in out:
                out.loc[mask, derived] = np.nan
    _texts(out, rules, any_small, log)
    suppressed = pd.DataFrame(
        [(out["rank"].iloc[i], out["tasking_id"].iloc[i], out["place_name"].iloc[i], col, text, rule)
         for i, col, text, rule in log], columns=list(SUPPRESSED_COLUMNS))
    per_row: dict[int, list[str]] = {}
    for i, col, text, _ in log:
        per_row.setdefault(i, []).append(f"{col}: {text}")
    out["disclosure"] = pd.Series(["; ".join(per_row.get(i, [])) for i in range(len(out))], index=out.index,
                                  dtype="str")
    return Disclosed(out, _shown(out, shown_as), suppressed.sort_values("rank", kind="stable", ignore_index=True),
                     rules)


def _small(values: pd.Series, min_count: int) -> np.ndarray:
    v = values.astype("float64").to_numpy()
    return (v > 0) & (v < min_count)


def _texts(out: gpd.GeoDataFrame, rules: DisclosureRules, any_small: np.ndarray, log: list) -> None:
    """Sensitive categories, small counts in explanations and free text in ``status``."""
    label = rules.sensitive_label
    names = sorted(rules.sensitive_categories, key=len, reverse=True)
    share = out["sensitive_share"].astype("float64").fillna(0).to_numpy() if "sensitive_share" in out else \
        np.zeros(len(out))
    dominant = out["dominant_categories"].astype(object).tolist()
    explanation = out["explanation"].astype(object).tolist() if "explanation" in out else [None] * len(out)
    status = out["status"].astype(object).tolist() if "status" in out else [None] * len(out)
    for i in range(len(out)):
        text = dominant[i]
        if share[i] >= rules.sensitive_share:
            if text != label:
                dominant[i] = label
                log.append((i, "dominant_categories", label,
                            f"sensitive categories are {share[i]:.0%} of the place "
                            f"(threshold {rules.sensitive_share:.0%})"))
        elif isinstance(text, str) and names:
            merged = _merge_sensitive(text, names, label)
            if merged != text:
                dominant[i] = merged
                log.append((i, "dominant_categories", merged, "sensitive categories aggregated"))
        if isinstance(explanation[i], str):
            old = explanation[i]
            new = _SMALL_COUNT.sub(lambda m: _fewer(m, rules), old) if any_small[i] else old
            if new != old:
                log.append((i, "explanation", f"small counts written as \"{rules.fewer_than}\"",
                            f"count below the threshold of {rules.min_count}"))
            named = new
            for name in names:
                named = re.sub(rf"\b{re.escape(name)}\b", "sensitive categories", named, flags=re.IGNORECASE)
            if named != new:
                log.append((i, "explanation", "sensitive category names written as \"sensitive categories\"",
                            "sensitive categories aggregated"))
            explanation[i] = named
        if isinstance(status[i], str) and not rules.include_free_text and ":" in status[i]:
            head, rest = (s.strip() for s in status[i].split(":", 1))
            if rest.casefold() not in {s.casefold() for pair in rules.status_labels for s in pair}:
                status[i] = head
                log.append((i, "status", head, "free text after the status left out (include_free_text=False)"))
    out["dominant_categories"] = pd.Series(dominant, index=out.index, dtype="str")
    if "explanation" in out:
        out["explanation"] = pd.Series(explanation, index=out.index, dtype="str")
    if "status" in out:
        out["status"] = pd.Series(status, index=out.index, dtype="str")


def _fewer(match: re.Match, rules: DisclosureRules) -> str:
    value = float(match.group(1))
    return f"{rules.fewer_than}{match.group(2)}" if 0 < value < rules.min_count else match.group(0)


def _merge_sensitive(text: str, names: list[str], label: str) -> str:
    """"Hate incident 12%, Anti-social behaviour 60%" -> "Anti-social behaviour 60%, <label> 12%"."""
    kept, share, found = [], 0.0, False
    for part in (p.strip() for p in text.split(",")):
        m = re.fullmatch(r"(.*?)\s*(\d+(?:\.\d+)?)\s*%", part)
        name = (m.group(1) if m else part).strip()
        if any(name.casefold() == n.casefold() for n in names):
            found = True
            share += float(m.group(2)) if m else 0.0
        elif part:
            kept.append(part)
    if not found:
        return text
    return ", ".join(kept + [f"{label} {share:.0f}%" if share else label])


def _shown(out: gpd.GeoDataFrame, shown_as: dict[tuple[int, str], str]) -> pd.DataFrame:
    table = pd.DataFrame(out.drop(columns=out.geometry.name))
    for col in table.columns:
        if pd.api.types.is_float_dtype(table[col]):
            values = table[col].to_numpy()
            whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2**53)
            obj = table[col].astype(object)
            obj[whole] = values[whole].astype(np.int64)
            obj[~np.isfinite(values)] = None
            table[col] = obj
    for (i, col), text in shown_as.items():
        if col in table:
            if table[col].dtype != object:
                table[col] = table[col].astype(object)
            table.iat[i, table.columns.get_loc(col)] = text
    return table


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
