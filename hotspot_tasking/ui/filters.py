"""The shared sidebar filters: period, time band and categories. Drawn once in ``app.py``
with widget keys; pages read them with :func:`current_filters`.

A page that reviews whole weeks or months (the weekly review, the patrol plan) chooses its
own period: for it, ``app.py`` asks :func:`draw_filters` to leave the sidebar's period
place to the page, which draws its own period there (:func:`period_slot`). The dates
chosen on other pages are kept meanwhile.
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


#: Session keys: the dates last chosen, and the sidebar's period place for a page with its own period.
_KEPT, _SLOT = "period_kept", "period_slot"


def draw_filters(ws: Workspace, *, own_period: bool = False) -> None:
    """The filter widgets in the sidebar (call once, from app.py).

    ``own_period``: the page chooses its own period, drawn in the period's place by the page
    (:func:`period_slot`); the dates chosen elsewhere are kept for the other pages. The band
    and categories start from the page address's ``band`` and ``category`` (a shared link).
    """
    summary = workspace_summary(str(ws.root), ws.data_version)
    if summary.incidents == 0:
        return
    last = summary.last.date()
    first = summary.first.date()
    if own_period:
        st.session_state[_SLOT] = st.sidebar.container()
    else:
        kept = st.session_state.get(_KEPT) or (dt.date(last.year, last.month, 1), last)
        st.sidebar.date_input("Period", value=kept, min_value=first, max_value=last, key="period",
                              format="DD/MM/YYYY", help="The review period: incidents whose dates fall in it.")
        st.session_state[_KEPT] = st.session_state.get("period") or kept
    labels = band_labels(ws.time_bands())
    linked = st.query_params.get("band")
    st.sidebar.selectbox("Time band", list(labels), format_func=lambda band: band_label(band, labels), key="band",
                         index=list(labels).index(linked) if linked in labels else 0,
                         help="Hour bands from config/time_bands.toml; records with only a date or month "
                              "are left out of them.")
    categories = list(summary.by_category.index)
    st.sidebar.multiselect("Categories", categories, key="categories", placeholder="All categories",
                           default=[c for c in st.query_params.get_all("category") if c in categories])


def period_slot():
    """Where a page with its own period draws it: the sidebar's period place (the sidebar
    itself when the page runs alone, as in a test)."""
    return st.session_state.get(_SLOT) or st.sidebar


def current_filters(ws: Workspace) -> Filters:
    """The filters as the sidebar holds them now; stops the page with a message when the
    workspace has no incidents yet."""
    summary = workspace_summary(str(ws.root), ws.data_version)
    if summary.incidents == 0:
        st.info("No incidents yet. Import files on the Data page or with `hotspot-tasking ingest`.")
        st.stop()
    period = st.session_state.get("period") or st.session_state.get(_KEPT) or ()
    if len(period) == 2:
        start, end = period
    else:  # a half-picked range: use the last month
        end = summary.last.date()
        start = dt.date(end.year, end.month, 1)
    cats = tuple(st.session_state.get("categories") or ()) or None
    band = st.session_state.get("band", ALL_TIMES)
    return Filters(start.isoformat(), end.isoformat(), band, cats, band_label(band, band_labels(ws.time_bands())))
