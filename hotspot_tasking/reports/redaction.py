"""The field-level steps of disclosure control, shared by tasking-list and hotspot exports:
counts rounded to a base, outlines coarsened to a grid, centroids snapped to it, category
lists without their shares, sensitive category names aggregated.

What a rule hides and why is :mod:`.disclosure`'s to say; these functions only do it.
Everything works in EPSG:27700 metres.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..ranking.explain import number, restated, without_figures
from .disclosure_rules import DisclosureRules

_SHARE = re.compile(r"\s*\d+(?:\.\d+)?\s*%")
_COUNT_NOUNS = r"(?:incidents?|offences?|crimes?|reports?|records?|fires?|complaints?|calls?|cases?|victims?)"
_COUNT = re.compile(r"\b(\d+(?:\.\d+)?)(\s+(?:[A-Za-z-]+\s+){0,3}?" + _COUNT_NOUNS + r")\b")


def round_to_base(values: np.ndarray, base: float) -> np.ndarray:
    """Values rounded half up to the nearest multiple of ``base`` (NaN stays NaN).

    >>> round_to_base(np.array([12.0, 12.5, 13.0, np.nan]), 5).tolist()[:3]
    [10.0, 15.0, 15.0]
    """
    v = np.asarray(values, dtype="float64")
    return np.floor(v / base + 0.5) * base


def snap_to_grid(values: np.ndarray, grid_m: float) -> np.ndarray:
    """Coordinates (metres) moved to the centre of their ``grid_m`` square.

    >>> snap_to_grid(np.array([529800.0, 174400.0]), 250).tolist()
    [529875.0, 174375.0]
    """
    v = np.asarray(values, dtype="float64")
    return (np.floor(v / grid_m) + 0.5) * grid_m


def grid_outlines(geometries, grid_m: float) -> np.ndarray:
    """Each outline replaced by the union of the ``grid_m`` squares whose inside it reaches.

    The squares are aligned to multiples of ``grid_m`` (British National Grid metres), so
    every vertex of the result lies on that grid and none on a place's own points; the
    result covers the outline. Empty and missing geometries are kept as they are.

    Parameters
    ----------
    geometries : array of shapely geometries
        EPSG:27700.
    grid_m : float
        The square's side, metres.

    Returns
    -------
    numpy.ndarray of shapely geometries

    Examples
    --------
    >>> out = grid_outlines(np.array([shapely.Point(529800, 174400).buffer(50)]), 250)
    >>> out[0].bounds, out[0].area
    ((529750.0, 174250.0, 530000.0, 174500.0), 62500.0)
    """
    geoms = np.asarray(geometries, dtype=object)
    out = geoms.copy()
    for i, g in enumerate(geoms):  # one step per place, not per incident
        if g is None or g.is_empty:
            continue
        x0, y0, x1, y1 = g.bounds
        xs = np.arange(np.floor(x0 / grid_m), np.floor(x1 / grid_m) + 1) * grid_m
        ys = np.arange(np.floor(y0 / grid_m), np.floor(y1 / grid_m) + 1) * grid_m
        gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
        boxes = shapely.box(gx, gy, gx + grid_m, gy + grid_m)
        inside = shapely.intersects(boxes, g) & ~shapely.touches(boxes, g)
        out[i] = shapely.coverage_union_all(boxes[inside]) if inside.any() else shapely.union_all(boxes)
    return out


def without_shares(text: str) -> str:
    """A category list without its percentages (they give a small count back).

    >>> without_shares("Anti-social behaviour 67%, Public order 33%")
    'Anti-social behaviour, Public order'
    """
    return _SHARE.sub("", text)


def merge_sensitive(text: str, names: list[str], label: str) -> str:
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


def name_no_sensitive(text: str, names: list[str]) -> str:
    """Text with every sensitive category name written as "sensitive categories"."""
    for name in names:
        text = re.sub(rf"\b{re.escape(name)}\b", "sensitive categories", text, flags=re.IGNORECASE)
    return text


# --- the rows of a tasking list ------------------------------------------------------------

class Redaction:
    """What is hidden or changed, cell by cell: NaN in the frame, words in the text exports, a log row."""

    def __init__(self, out: gpd.GeoDataFrame, rules: DisclosureRules):
        self.out, self.rules = out, rules
        self.log: list[tuple[int, str, str, str]] = []
        self.shown_as: dict[tuple[int, str], str] = {}

    def hide(self, col: str, mask: np.ndarray, text: str, rule: str) -> None:
        """Rows of ``mask`` with a value in ``col``: NaN in the frame, ``text`` in text exports."""
        if col not in self.out:
            return
        mask = mask & self.out[col].notna().to_numpy()
        for i in np.flatnonzero(mask):
            if (i, col) not in self.shown_as:
                self.shown_as[(i, col)] = text
                self.log.append((i, col, text, rule))
        if mask.any():
            self.out[col] = self.out[col].astype("float64")
            self.out.loc[mask, col] = np.nan

    def replace(self, col: str, mask: np.ndarray, value, rule: str, *, said: str | None = None,
                always: bool = False) -> None:
        """Rows of ``mask`` get ``value`` in ``col`` (a scalar or an array over all rows), logged where it
        changed (``always``: on every row of ``mask``, for a rule whose result may equal the value)."""
        values = np.broadcast_to(np.asarray(value, dtype=object), (len(self.out),))
        old = self.out[col].to_numpy(dtype=object)
        for i in np.flatnonzero(mask):
            if always or not _same(old[i], values[i]):
                self.log.append((i, col, said if said is not None else str(values[i]), rule))
        new = old.copy()
        new[mask] = values[mask]
        self.out[col] = pd.Series(new, index=self.out.index).astype(self.out[col].dtype)


def _same(a, b) -> bool:
    try:
        return bool(a == b) or (a != a and b != b)
    except (TypeError, ValueError):
        return a is b


def column(out: pd.DataFrame, col: str, fill: float) -> np.ndarray:
    return out[col].astype("float64").fillna(fill).to_numpy() if col in out else np.full(len(out), fill)


def small_counts(values: pd.Series, min_count: int) -> np.ndarray:
    v = values.astype("float64").to_numpy()
    return (v > 0) & (v < min_count)


def round_sensitive(out: gpd.GeoDataFrame, before_too: np.ndarray, rows: np.ndarray, redact: Redaction) -> None:
    """Counts, harm, change, z and score of places holding sensitive incidents, rounded (rule 3)."""
    rules = redact.rules
    why = ("the place holds sensitive incidents: rounded so that lists with and without them cannot be "
           "differenced into a small count")
    base = {"count_now": rules.round_to, "count_before": rules.round_to,
            "harm_now": rules.round_to * max(rules.sensitive_weight, 1.0)}
    for col, step in base.items():
        mask = (before_too if col == "count_before" else rows)
        if col in out and mask.any():
            value = round_to_base(out[col].to_numpy(dtype="float64"), step)
            redact.replace(col, mask & out[col].notna().to_numpy(), value, why,
                           said=f"rounded to the nearest {number(step)}", always=True)
    now, before = column(out, "count_now", np.nan), column(out, "count_before", np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(before > 0, np.round(100 * (now - before) / before, 1), np.nan)
        z = np.round(2 * (np.sqrt(now) - np.sqrt(before)), 2)
    said = "from the rounded counts"
    if "change_pct" in out:
        redact.replace("change_pct", rows, np.where(before_too, change, np.nan), why, said=said)
    if "z" in out:
        z = np.where(before_too, z, np.nan)
        redact.replace("z", rows, z, why, said=said)
        if "arrow" in out:
            arrow = np.where(z >= 2, "▲", np.where(z <= -2, "▼", "►"))
            redact.replace("arrow", rows & np.isfinite(z), arrow, why)
    if "score" in out:
        redact.replace("score", rows, np.round(out["score"].to_numpy(dtype="float64")), why,
                       said="rounded to a whole number")


def coarsen(out: gpd.GeoDataFrame, coarse: np.ndarray, redact: Redaction) -> None:
    """Outlines and centroids of sensitive places on the coarse grid; the rest's centroids to 10 m."""
    grid = redact.rules.grid_m
    why = f"a sensitive place: outline and centroid on the {number(grid)} m grid, never on an address"
    for col in ("centroid_easting", "centroid_northing"):
        if col in out:
            values = out[col].to_numpy(dtype="float64")
            out[col] = np.round(values / 10) * 10
            redact.replace(col, coarse, snap_to_grid(values, grid), why, said=f"snapped to the {number(grid)} m grid")
    if coarse.any():
        geoms = out.geometry.to_numpy().copy()
        geoms[coarse] = grid_outlines(geoms[coarse], grid)
        out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=out.crs)
        redact.log.extend((i, "geometry", f"the {number(grid)} m squares it reaches", why)
                          for i in np.flatnonzero(coarse))
        if "area_km2" in out:
            area = np.round(shapely.area(geoms) / 1e6, 3)
            out["area_km2"] = np.where(coarse, area, out["area_km2"].to_numpy(dtype="float64"))


def redact_texts(out: gpd.GeoDataFrame, rules: DisclosureRules, small: dict[str, np.ndarray], rounded: np.ndarray,
          coarse: np.ndarray, share: np.ndarray, redact: Redaction) -> None:
    """Sensitive categories, figures in explanations, shares of hidden counts, free text in ``status``."""
    label = rules.sensitive_label
    names = sorted(rules.sensitive_categories, key=len, reverse=True)
    small_now = small.get("count_now", np.zeros(len(out), bool))
    small_before = small.get("count_before", np.zeros(len(out), bool))
    dominant = out["dominant_categories"].astype(object).tolist()
    explanation = out["explanation"].astype(object).tolist() if "explanation" in out else [None] * len(out)
    status = out["status"].astype(object).tolist() if "status" in out else [None] * len(out)
    log = redact.log
    for i in range(len(out)):  # one step per place
        text = dominant[i]
        if share[i] >= rules.sensitive_share:
            if text != label:
                dominant[i] = label
                log.append((i, "dominant_categories", label,
                            f"sensitive categories are {share[i]:.0%} of the place "
                            f"(threshold {rules.sensitive_share:.0%})"))
        elif isinstance(text, str) and names:
            merged = merge_sensitive(text, names, label)
            if merged != text:
                dominant[i] = merged
                log.append((i, "dominant_categories", merged, "sensitive categories aggregated"))
        if small_now[i] and isinstance(dominant[i], str) and without_shares(dominant[i]) != dominant[i]:
            dominant[i] = without_shares(dominant[i])
            log.append((i, "dominant_categories", "without shares", f"would reveal a count below {rules.min_count}"))
        if isinstance(explanation[i], str):
            explanation[i] = _explanation(explanation[i], out, i, small_now[i], small_before[i], rounded[i],
                                          coarse[i], names, redact)
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


def _explanation(old: str, out: gpd.GeoDataFrame, i: int, small_now: bool, small_before: bool, rounded: bool,
                 coarse: bool, names: list[str], redact: Redaction) -> str:
    """One row's explanation with no figure that gives back what the row hides."""
    rules = redact.rules
    figures = {c: out[c].iloc[i] for c in ("count_now", "harm_now", "count_before", "z", "arrow") if c in out}
    if small_now:
        new = _COUNT.sub(lambda m: f"{rules.fewer_than}{m[2]}" if 0 < float(m[1]) < rules.min_count else m[0],
                         without_figures(old, count=rules.fewer_than))  # and counts in words it does not know
        said = f"no figures (count \"{rules.fewer_than}\")"
    elif rounded:
        new, said = restated(old, figures, repeats=not coarse), "said from the rounded figures"
    elif small_before or coarse:
        new = restated(old, figures, about=False, repeats=not coarse)
        said = "no trend figures (the average is below the threshold)" if small_before else "no repeat locations"
    else:
        new, said = old, ""
    if new != old:
        redact.log.append((i, "explanation", said, "would reveal a hidden or rounded figure"))
    named = name_no_sensitive(new, names)
    if named != new:
        redact.log.append((i, "explanation", "sensitive category names written as \"sensitive categories\"",
                           "sensitive categories aggregated"))
    return named


def shown_table(out: gpd.GeoDataFrame, shown_as: dict[tuple[int, str], str]) -> pd.DataFrame:
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
