"""The weekly review's own choices and its list, drawn: week or month, the period and how
places are found (in the sidebar's period place), and the ranked table; the page address
(query parameters ``every``, ``period``, ``method``, ``band``, ``category``, ``place``) keeps
them, so a reload or a shared link opens the same view.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from ..labels import ALL_TIMES
from ..pipeline.review import Headline, ReviewChoices
from .filters import Filters, period_slot

METHODS = {"surface": "Best surface", "dbscan": "DBSCAN"}
#: Peak columns, hidden when no place has a time of day (police.uk months only).
PEAK_COLUMNS = ("peak band", "peak")
NO_TIME_OF_DAY = "no time of day"


@dataclass(frozen=True)
class ReviewView:
    """What the review shows: ``every`` ("week"/"month"), the ``period`` label and its title,
    and the ``method`` that finds places."""

    every: str
    period: str
    title: str
    method: str

    @property
    def in_sentence(self) -> str:
        """The title inside a sentence: "the week beginning 18 June 2018", "August 2017"."""
        return "t" + self.title[1:] if self.title.startswith("The ") else self.title


def review_controls(choices: ReviewChoices) -> ReviewView:
    """Draw Week/Month, the period and the method in the sidebar's period place, each starting
    from the page address when it names a valid choice."""
    linked = st.query_params
    slot = period_slot()
    every = slot.segmented_control("Review by", choices.every, key="weekly_every", format_func=str.capitalize,
                                   default=linked.get("every") if linked.get("every") in choices.every
                                   else choices.every[0]) or choices.every[0]
    periods = dict(choices.periods[every])
    options = list(periods)
    period = slot.selectbox("Period", options, format_func=periods.get, key=f"weekly_period_{every}",
                            index=options.index(linked["period"]) if linked.get("period") in periods
                            else choices.default[every],
                            help="Latest complete period first. This page reviews whole weeks or months; the dates "
                                 "chosen on other pages are kept for them.")
    if choices.note:
        slot.caption(choices.note)
    method = slot.radio("Places from", list(METHODS), horizontal=True, key="weekly_method",
                              index=list(METHODS).index(linked["method"]) if linked.get("method") in METHODS else 0,
                              format_func=METHODS.get,
                              help="The hottest cells of the surface that predicted best, or DBSCAN's clusters, "
                                   "split into places.")
    return ReviewView(every, period, periods[period], method)


def headline_row(figures: Headline, view: ReviewView) -> None:
    """Four figures across the top: incidents and their change, places listed, rising, actions open."""
    c1, c2, c3, c4 = st.columns(4)
    change = None
    if figures.before:
        change = f"{(figures.incidents - figures.before) / figures.before:+.0%} on the {view.every}ly mean"
    c1.metric(f"Incidents, this {view.every}", f"{figures.incidents:,.0f}", change, delta_color="off",
              help="Band-weighted, in the list's categories; the mean is over the baseline's periods with data.")
    c2.metric("Places ranked", f"{figures.places:,}", help="Places with incidents this period, in rank order.")
    c3.metric("Rising ▲", f"{figures.rising:,}", help="Places with Poisson z ≥ 2 against their baseline.")
    c4.metric("Actions open", f"{figures.open_actions:,}", help="On this list's places, from the action log.")


#: The list's columns in order, status before the peak columns and the lead so it is in
#: view beside the map at 1366 px; and their widths, pixels.
LIST_COLUMNS = ("rank", "place", "trend", "now", "before", "status", "peak band", "peak", "lead")
LIST_WIDTHS_PX = {"rank": 36, "place": 190, "trend": 32, "now": 52, "before": 58, "status": 170, "peak band": 112,
                  "peak": 150, "lead": 110}


def list_table(table: pd.DataFrame, key: str) -> str | None:
    """Draw the ranked list with single-row selection (the page address's ``place`` selected
    first); the selected place's tasking id, or None. Peak columns are left out when no place
    has a time of day."""
    linked = st.query_params.get("place")
    rows = np.flatnonzero(table["tasking_id"].to_numpy() == linked).tolist()  # positions, whatever the index
    shown = [c for c in LIST_COLUMNS if not (c in PEAK_COLUMNS and table["peak band"].eq(NO_TIME_OF_DAY).all())]
    event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row", key=key,
                         height=min(35 * (len(table) + 1) + 3, 458), column_order=shown,
                         selection_default={"selection": {"rows": rows[:1]}} if rows else None,
                         column_config=_list_config(LIST_WIDTHS_PX))
    chosen = event.selection.rows
    return str(table["tasking_id"].iloc[chosen[0]]) if chosen else None


def _list_config(w: dict[str, int]) -> dict:
    """The list's column headers, help texts and widths (pixels)."""
    config = st.column_config
    return {"rank": config.NumberColumn("#", width=w["rank"]),
            "place": config.TextColumn("place", width=w["place"]),
            "trend": config.TextColumn("", width=w["trend"]),
            "now": config.NumberColumn("now", width=w["now"], help="incidents this period"),
            "before": config.NumberColumn("before", width=w["before"], help="mean per period, baseline"),
            "status": config.TextColumn("status", width=w["status"]),
            "peak band": config.TextColumn("peak band", width=w["peak band"]),
            "peak": config.TextColumn("peak days and hours", width=w["peak"]),
            "lead": config.TextColumn("lead", width=w["lead"])}


def remember_view(view: ReviewView, filters: Filters, place: str | None) -> None:
    """Put the view in the page address (replacing what was there)."""
    params = {"every": view.every, "period": view.period, "method": view.method}
    if filters.band != ALL_TIMES:
        params["band"] = filters.band
    if filters.categories:
        params["category"] = list(filters.categories)
    if place:
        params["place"] = place
    st.query_params.from_dict(params)
