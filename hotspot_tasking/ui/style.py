"""Colours and formats shared by every page: colour-blind-safe, UK dates (defined once in
:mod:`hotspot_tasking.labels`), and the page's compact margins."""

import streamlit as st

from ..labels import CATEGORICAL, UK_DATE

__all__ = ["CATEGORICAL", "UK_DATE", "colours", "compact_page"]

#: Narrower margins than Streamlit's wide layout (5rem each side, 6rem above the title), so
#: a list and its map fit side by side on a 1366x768 meeting-room screen; the header bar
#: (the menu only) is transparent and shorter; headline figures a size smaller.
COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"] {padding-top: 2.25rem; padding-left: 1.75rem; padding-right: 1.75rem;
                                      padding-bottom: 3rem;}
[data-testid="stHeader"] {background: transparent; height: 2.5rem;}
[data-testid="stMetricValue"] {font-size: 1.9rem;}
</style>"""


def colours(n: int) -> list[str]:
    """``n`` categorical colours (cycling past eight)."""
    return [CATEGORICAL[i % len(CATEGORICAL)] for i in range(n)]


def compact_page() -> None:
    """Apply :data:`COMPACT_CSS` to the page (draws nothing)."""
    st.html(COMPACT_CSS)
