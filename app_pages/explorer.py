"""Hotspot explorer: one method, its parameters and their rules, on the sidebar's selection."""

import streamlit as st

from hotspot_tasking.errors import UserError
from hotspot_tasking.hotspots.run import METHODS, HotspotRequest
from hotspot_tasking.ui.basemap import map_setting, tile_style
from hotspot_tasking.ui.cache import (
    MAX_EXPLORER_CELLS,
    backtest_summary,
    band_empty_reason,
    explorer_cell_sizes,
    explorer_columns,
    explorer_hotspots,
    explorer_places,
    hotspot_run,
    map_boundaries,
)
from hotspot_tasking.ui.decks import explorer_deck, explorer_legend
from hotspot_tasking.ui.filters import current_filters
from hotspot_tasking.ui.text import error, plain
from hotspot_tasking.ui.workspace_picker import current_workspace

ws = current_workspace()
path, version = str(ws.root), ws.version
filters = current_filters(ws)
st.title("Hotspot explorer")
st.caption(plain(filters.caption()))

names = {"kde": "Kernel density (KDE)", "dbscan": "Clusters (DBSCAN)", "gistar": "Getis-Ord Gi*"}
method = st.radio("Method", METHODS, format_func=names.get, horizontal=True, key="explorer_method")
automatic, sizes = explorer_cell_sizes(path, version)
with st.expander("Parameters (leave at automatic or 0 for the documented rule)"):
    c1, c2, c3 = st.columns(3)
    cell = c1.selectbox("Cell size", [None, *sizes], key="explorer_cell",
                        format_func=lambda m: f"automatic ({automatic:g} m)" if m is None else f"{m:g} m",
                        help=f"Sizes from {min(sizes, default=automatic):g} m: a finer grid of this area would have "
                             f"over {MAX_EXPLORER_CELLS:,} cells, slow to compute and draw.")
    bandwidth = c2.number_input("KDE bandwidth, m", min_value=0, max_value=5000, value=0, step=25, key="explorer_bw")
    eps = c3.number_input("DBSCAN eps, m", min_value=0, max_value=2000, value=0, step=10, key="explorer_eps")
    harm = st.toggle("Weight by harm", key="explorer_harm")

request = HotspotRequest(method=method, band=filters.band, categories=filters.categories, start=filters.start,
                         end=filters.end, weighting="harm" if harm else "count", cell_size_m=cell or None,
                         bandwidth_m=bandwidth or None, eps_m=eps or None)
try:
    empty_band = band_empty_reason(path, version, request)
    run = None if empty_band else hotspot_run(path, version, request)
except UserError as err:
    error(err)
    st.stop()
if empty_band:  # an hour band on month-only records: say why there is nothing to map
    st.info(plain(empty_band[0].upper() + empty_band[1:]))
    st.stop()

hotspots = explorer_hotspots(path, version, request)  # each peak band by its label
_, boundaries_caption = map_boundaries(path, version)
tiles = map_setting(ws)  # the sidebar's basemap switch (None: off)
chart = explorer_deck(path, version, request, tile_style(tiles))
if chart is not None:
    st.pydeck_chart(chart, height=560)
explorer_legend(path, version, request, tiles)  # what this method's map shows, with units

table = explorer_places(path, version, request)  # named places, the method's measures, strongest first
st.dataframe(table.frame, width="stretch", column_config=explorer_columns(table))
with st.expander("Method card: every parameter and the rule that chose it"):
    st.code("\n".join(run.card.lines()), language=None)
for warning in run.card.warnings:
    st.warning(plain(warning))

st.subheader("How well do last period's hotspots predict the next?")
every = st.segmented_control("Backtest periods", ["month", "week"], default="month", key="explorer_every")
if st.button("Run the backtest", key="explorer_backtest"):
    try:
        summary, scored = backtest_summary(path, version, request, every or "month")
    except UserError as err:  # too few periods, or an hour band on month-only records
        st.info(plain(str(err)[0].upper() + str(err)[1:]))
        st.stop()
    st.dataframe(summary, hide_index=True,
                 column_config={"hit_rate": st.column_config.NumberColumn("hit rate", format="percent"),
                                "pai": st.column_config.NumberColumn("PAI", format="%.1f"),
                                "rri": st.column_config.NumberColumn("RRI", format="%.2f")})
    st.caption(plain(scored) + " PAI = share of next period's incidents captured / share of the area flagged; "
               "naive = last period's counts.")
