"""The area comparison page's bridge to the core: cached comparisons and the charts that draw them.

Every cached function takes the workspace path and its ``version`` first, so an import
clears them. The comparison itself is :func:`hotspot_tasking.boundaries.compare.compare_areas`
(in whole months when every record has only a month), with what to say beside it from
:func:`hotspot_tasking.pipeline.areas.comparison_notes`.

The page reads the whole joined incident table (:func:`.cache.incidents_with_areas`, loaded
once and shared): a comparison's baseline (the previous equal period, or the same dates a
year before) and its whole-month rounding reach outside the sidebar's dates, by rules
:func:`~hotspot_tasking.boundaries.compare.compare_areas` keeps to itself today.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ..boundaries.compare import OTHER, AreaComparison, compare_areas
from ..boundaries.residents import Residents, residents_for_layer
from ..geo.select import select_incidents
from ..geo.timebands import DAY_NAMES
from ..geo.workspace import Workspace
from ..hotspots.bands import select_band
from ..pipeline import areas
from ..pipeline.areas import AreaNotes
from .cache import incidents_with_areas
from .style import CATEGORICAL, UK_DATE, colours

#: Colour-blind-safe RAG colours (Okabe and Ito: bluish green, orange, vermillion), always with a text label.
RAG_COLOURS = {"green": "#009E73", "amber": "#E69F00", "red": "#D55E00", "not judged": "#DDDDDD"}
BASELINE_LABELS = {"previous": "previous equal period", "last_year": "same period last year"}  # dates or months
_COLUMNS = ["occurred_from", "occurred_to", "time_precision", "harm_weight", "category", "source"]


@st.cache_data(show_spinner=False, max_entries=8)
def comparable_layers(path: str, version: str) -> dict[str, str]:
    """``{layer name: label}``: wards first, then zones, then LSOAs."""
    return areas.comparable_layers(Workspace.open(path))


@st.cache_data(show_spinner=False, max_entries=16)
def area_names(path: str, version: str, layer: str) -> dict[str, str]:
    """``{code: name}`` of a layer's areas, in name order."""
    frame = Workspace.open(path).read_layer(layer).sort_values("name")
    return dict(zip(frame["code"].astype(str), frame["name"].astype(str)))


@st.cache_resource(show_spinner=False, max_entries=8)
def layer_residents(path: str, version: str, layer: str) -> Residents | None:
    """Residents per area of a layer (its own population, else apportioned from LSOAs by area share)."""
    return residents_for_layer(Workspace.open(path), layer)


@st.cache_resource(show_spinner=False, max_entries=8)
def band_weights(path: str, version: str, band: str) -> pd.Series:
    """Every incident's weight in a time band (0 without a time of day); shared, read-only."""
    table = incidents_with_areas(path, version)
    return select_band(table, band, time_bands=Workspace.open(path).time_bands()).weights


@st.cache_data(show_spinner=False, max_entries=32)
def busiest_areas(path: str, version: str, layer: str, start: str, end: str, n: int = 2) -> list[str]:
    """The ``n`` areas with the most incidents in the period (a default choice)."""
    return areas.busiest_areas(incidents_with_areas(path, version), layer, start, end, n=n)


@st.cache_data(show_spinner="Comparing areas…", max_entries=64)
def area_comparison(path: str, version: str, layer: str, codes: tuple[str, ...], start: str, end: str, band: str,
                    categories: tuple[str, ...] | None, reduce_by_pct: float,
                    baseline: str) -> tuple[AreaComparison, AreaNotes]:
    """:func:`compare_areas` on the sidebar's selection, with the layer's residents and names (in
    whole months when every record chosen has only a month), and the sentences to show beside it."""
    table = incidents_with_areas(path, version)
    keep = select_incidents(table, categories=categories) if categories else slice(None)
    chosen = table.loc[keep, [c for c in _COLUMNS if c in table.columns] + [layer]]
    weights = band_weights(path, version, band)[keep] if band != "all" else None
    comparison = compare_areas(chosen, layer=layer, codes=codes, start=start, end=end, band_weights=weights,
                               population=layer_residents(path, version, layer), targets=reduce_by_pct,
                               baseline=baseline, names=area_names(path, version, layer),
                               whole_months=areas.months_only(chosen))
    label = Workspace.open(path).time_bands().band(band).label if band != "all" else ""
    return comparison, areas.comparison_notes(comparison, chosen, start=start, end=end, band_label=label)


# --- drawing ------------------------------------------------------------------------------------

def comparison_table(comparison: AreaComparison):
    """The per-area table for ``st.dataframe``: a Styler (RAG colours and formats) and its column config."""
    t = comparison.table
    base = "previous" if comparison.baseline == "previous" else "last_year"

    def change(pct, arrow, z):
        return "" if pd.isna(pct) else f"{arrow} {pct:+.0f}% (z {z:+.1f})"

    counts = "{:,.0f}" if (t["incidents"] % 1 == 0).all() else "{:,.1f}"
    shown = pd.DataFrame({
        "Area": t["area_name"],
        "Target status": t["status"],
        "Incidents": t["incidents"],
        "Rate /1,000": t["rate_per_1000_residents"],
        "vs previous": [change(*r) for r in zip(t["change_vs_previous_pct"], t["arrow_vs_previous"],
                                                t["z_vs_previous"])],
        "vs last year": [change(*r) for r in zip(t["change_vs_last_year_pct"], t["arrow_vs_last_year"],
                                                 t["z_vs_last_year"])],
        "Target": t["target_incidents"],
        "Previous": t["previous_incidents"],
        "Last year": t["last_year_incidents"],
        "Share, %": t["share_of_total_pct"],
        "Residents": t["residents"],
        "Harm": t["harm_weighted_incidents"],
    })
    blank = [c for c in shown.columns[3:] if shown[c].isna().all() or shown[c].astype(str).eq("").all()]
    shown = shown.drop(columns=blank)  # a column with nothing in it (no residents, no last year) is not drawn
    colour = dict(zip(t["status"], t["rag"].map(RAG_COLOURS)))
    formats = {"Incidents": counts, "Rate /1,000": "{:,.1f}", "Residents": "{:,.0f}", "Share, %": "{:.1f}",
               "Harm": "{:,.0f}", "Previous": counts, "Last year": counts, "Target": "{:,.1f}"}
    styler = shown.style.format({k: v for k, v in formats.items() if k in shown.columns}, na_rep="–")
    styler = styler.map(lambda s: f"background-color: {colour.get(s, '#FFFFFF')}; color: #000000",
                        subset=["Target status"])
    config = {
        "Area": st.column_config.TextColumn(width=min(40 + 7 * int(t["area_name"].str.len().max()), 320), pinned=True),
        "Target status": st.column_config.TextColumn(
            width=int(20 + 6.5 * t["status"].str.len().max()),
            help=f"Against the {BASELINE_LABELS[base]}. {comparison.rag_rule}"),
    }
    same = "months" if comparison.every == "month" else "dates"
    helps = {"Incidents": "In the period (band-weighted when a time band is chosen).",
             "Rate /1,000": "Incidents per 1,000 residents in the period.",
             "vs previous": "Change on the previous equal period: arrow, %, and z = 2(√now − √before).",
             "vs last year": f"Change on the same {same} last year: arrow, %, and z = 2(√now − √before).",
             "Target": "Incidents the target allows: the baseline reduced by the target %.",
             "Previous": "Incidents in the previous equal period.",
             "Last year": f"Incidents in the same {same} last year.",
             "Share, %": "Share of every incident chosen in the period (band, categories), in these areas or not, %.",
             "Residents": "Residents of the area (apportioned from LSOAs where the areas are not LSOAs).",
             "Harm": "Incidents weighted by harm."}
    config |= {name: st.column_config.Column(help=text) for name, text in helps.items() if name in shown.columns}
    return styler, config


def hour_grids(comparison: AreaComparison, *, share: bool = False) -> alt.FacetChart:
    """Hour-of-week heat grids side by side, one per area, on one viridis scale."""
    value, title = ("share_pct", "% of the area's incidents") if share else ("incidents", "incidents")
    data = comparison.hour_of_week.assign(day=lambda f: f["day"].astype(str))
    n = data["area_code"].nunique()
    grid = alt.Chart(data).mark_rect().encode(
        x=alt.X("hour:O", title="hour (local time)", axis=alt.Axis(labelAngle=0, values=list(range(0, 24, 3)))),
        y=alt.Y("day:O", sort=list(DAY_NAMES), title=None, axis=alt.Axis(labelExpr="slice(datum.label, 0, 3)")),
        color=alt.Color(f"{value}:Q", scale=alt.Scale(scheme="viridis"), title=title),
        tooltip=[alt.Tooltip("area_name:N", title="area"), "day:N", "hour:O",
                 alt.Tooltip(f"{value}:Q", title=title, format=".1f")],
    ).properties(width=300 if n > 2 else 420, height=150)
    return grid.facet(facet=alt.Facet("area_name:N", title=None, sort=list(comparison.table["area_name"])),
                      columns=min(n, 3))


def category_mix(comparison: AreaComparison) -> alt.Chart:
    """Stacked bars: each area's incidents by category, as % of the area's incidents."""
    data = comparison.category_mix
    order = list(dict.fromkeys(data["category"]))
    palette = [CATEGORICAL[i] if c != OTHER else "#999999" for i, c in enumerate(order)]
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("area_name:N", title=None, sort=list(comparison.table["area_name"]), axis=alt.Axis(labelLimit=260)),
        x=alt.X("share_pct:Q", title="share of the area's incidents, %", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("category:N", scale=alt.Scale(domain=order, range=palette), sort=order,
                        legend=alt.Legend(orient="right", title=None, labelLimit=320)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("area_name:N", title="area"), "category:N",
                 alt.Tooltip("incidents:Q", format=",.1f", title="incidents"),
                 alt.Tooltip("share_pct:Q", format=".1f", title="% of the area")],
    ).transform_calculate(order=f"indexof({order!r}, datum.category)").properties(
        height=max(40 * len(comparison.table) + 60, 18 * len(order) + 70))  # bars and axis, or the legend


def trend_chart(comparison: AreaComparison) -> alt.Chart:
    """Incidents per month, one line per area; month labels like "Jun 2018"; hollow points: partial months."""
    data = comparison.trend
    names = list(comparison.table["area_name"])
    scale = alt.Scale(domain=names, range=colours(len(names)))
    line = alt.Chart(data).mark_line().encode(
        x=alt.X("month:T", title="month", axis=alt.Axis(format="%b %Y", labelAngle=-45, tickCount="month")),
        y=alt.Y("incidents:Q", title="incidents per month"),
        color=alt.Color("area_name:N", scale=scale, legend=alt.Legend(orient="right", title="area", labelLimit=320)))
    points = line.mark_point(size=40, opacity=1).encode(
        fill=alt.condition("datum.partial", alt.value("#FFFFFF"), alt.Fill("area_name:N", scale=scale, legend=None)),
        tooltip=[alt.Tooltip("area_name:N", title="area"), alt.Tooltip("month:T", format="%B %Y", title="month"),
                 alt.Tooltip("incidents:Q", format=",.1f", title="incidents"),
                 alt.Tooltip("partial:N", title="partial month")])
    return (line + points).properties(height=320)


def period_caption(comparison: AreaComparison) -> str:
    """The three windows in UK dates, or in months when whole months are compared."""
    def span(pair):
        if comparison.every == "month":
            first, last = (pd.Timestamp(d).strftime("%B %Y") for d in pair)
            return first if first == last else f"{first} to {last}"
        return " to ".join(pd.Timestamp(d).strftime(UK_DATE) for d in pair)
    same = "same months last year" if comparison.every == "month" else "same dates last year"
    return (f"Period {span(comparison.period)}; previous equal period {span(comparison.previous)}; "
            f"{same} {span(comparison.last_year)}. Counts are incidents (weighted by their share of "
            "the time band when one is chosen); ▲ ▼ mark changes with |z| ≥ 2 (z = 2(√now − √before)), ► smaller ones.")
