"""The shared sidebar filters: period, time band and categories. Drawn once in ``app.py``
with widget keys; pages read them with :func:`current_filters`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from ..geo.workspace import Workspace
from ..labels import ALL_TIMES, ALL_TIMES_LABEL
from ..reports.setting import band_label, band_labels
from .cache import workspace_summary
from .style import UK_DATE


@dataclass(frozen=True)
class Filters:
    """What the sidebar asks for: inclusive local dates, a band id and its label (what people
    read), categories (None: all)."""

    start: str
    end: str
    band: str
    categories: tuple[str, ...] | None
    band_label: str = ALL_TIMES_LABEL

    def caption(self) -> str:
        cats = ", ".join(self.categories) if self.categories else "all categories"
        return (f"{pd.Timestamp(self.start).strftime(UK_DATE)} to {pd.Timestamp(self.end).strftime(UK_DATE)}; "
                f"time band: {self.band_label}; {cats}")


def draw_filters(ws: Workspace) -> None:
    """The filter widgets in the sidebar (call once, from app.py)."""
    summary = workspace_summary(str(ws.root), ws.version)
    if summary.incidents == 0:
        return
    last = summary.last.date()
    first = summary.first.date()
    month_start = dt.date(last.year, last.month, 1)
    st.sidebar.date_input("Period", value=(month_start, last), min_value=first, max_value=last, key="period",
                          format="DD/MM/YYYY", help="The review period: incidents whose dates fall in it.")
    labels = band_labels(ws.time_bands())
    st.sidebar.selectbox("Time band", list(labels), format_func=lambda band: band_label(band, labels), key="band",
                         help="Hour bands from config/time_bands.toml; records with only a date or month "
                              "are left out of them.")
    st.sidebar.multiselect("Categories", list(summary.by_category.index), key="categories",
                           placeholder="All categories")


def current_filters(ws: Workspace) -> Filters:
    """The filters as the sidebar holds them now; stops the page with a message when the
    workspace has no incidents yet."""
    summary = workspace_summary(str(ws.root), ws.version)
    if summary.incidents == 0:
        st.info("No incidents yet. Import files on the Data page or with `hotspot-tasking ingest`.")
        st.stop()
    period = st.session_state.get("period") or ()
    if len(period) == 2:
        start, end = period
    else:  # a half-picked range: use the last month
        end = summary.last.date()
        start = dt.date(end.year, end.month, 1)
    cats = tuple(st.session_state.get("categories") or ()) or None
    band = st.session_state.get("band", ALL_TIMES)
    return Filters(start.isoformat(), end.isoformat(), band, cats, band_label(band, band_labels(ws.time_bands())))
