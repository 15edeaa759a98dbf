"""Weekly review: the ranked tasking list of a period, its map, what changed, and one place's
detail with the form that records the group's decision."""

import streamlit as st

from hotspot_tasking.errors import UserError
from hotspot_tasking.ranking.request import TaskingRequest
from hotspot_tasking.reports.tables import method_summary
from hotspot_tasking.ui.charts import category_bars, heat_grid, trend_line
from hotspot_tasking.ui.decision_form import decision_form
from hotspot_tasking.ui.decks import review_deck
from hotspot_tasking.ui.filters import current_filters
from hotspot_tasking.ui.tasking_cache import (
    changes_text,
    log_version,
    place_detail,
    place_history,
    review_choices,
    review_table,
    tasking_list,
)
from hotspot_tasking.ui.workspace_picker import current_workspace

ws = current_workspace()
path, version = str(ws.root), ws.version
filters = current_filters(ws)
st.title("Weekly review")

choices = review_choices(path, version)
c1, c2, c3 = st.columns([1, 2, 1])
every = c1.segmented_control("Review by", choices.every, default=choices.every[0], key="weekly_every",
                             format_func=str.capitalize) or choices.every[0]
periods = dict(choices.periods[every])
period = c2.selectbox("Period", list(periods), index=choices.default[every], format_func=periods.get,
                      key=f"weekly_period_{every}",
                      help="Latest complete period first; the sidebar's dates are not used here.")
method = c3.radio("Places from", ("surface", "dbscan"), horizontal=True, key="weekly_method",
                  format_func={"surface": "Best surface", "dbscan": "DBSCAN"}.get,
                  help="The hottest cells of the surface that predicted best, or DBSCAN's clusters, split into places.")
if choices.note:
    st.caption(choices.note)
request = TaskingRequest(period=period, band=filters.band, method=method, categories=filters.categories)
try:
    tl = tasking_list(path, version, request, log_version(path))
    table = review_table(path, version, request, log_version(path))
    changed = changes_text(path, version, request)
except UserError as err:
    st.error(str(err))
    st.stop()

st.caption(f"{periods[period]}; time band: {filters.band_label}; "
           f"{', '.join(filters.categories) if filters.categories else 'all categories'}. "
           "Counts are incidents (band-weighted); 'before' is the mean per period over the baseline. "
           "▲ rising, ▼ falling (Poisson z ≥ 2 or ≤ −2), ► no clear change. Select a row for its detail. "
           f"Places: {method_summary(tl.cards)}.")
if changed:
    st.info(changed, icon=":material/compare_arrows:")
else:
    st.caption("No earlier list of this question (band, places, method, filters) is stored to compare with; "
               "recording a decision stores this one.")

if table.empty:
    st.info(" ".join(["No places to list for this period, band and categories.", *tl.caveats[:1],
                      *(w for card in tl.cards for w in card.warnings)]))
    st.stop()
event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row",
                     height=min(35 * (len(table) + 1) + 3, 458), key=f"weekly_list_{period}_{filters.band}_{method}",
                     column_order=list(table)[:9],
                     column_config={"rank": st.column_config.NumberColumn("#", width=36),
                                    "place": st.column_config.TextColumn("place", width=250),
                                    "trend": st.column_config.TextColumn("", width=32),
                                    "now": st.column_config.NumberColumn("now", help="incidents this period", width=58),
                                    "before": st.column_config.NumberColumn("before", width=62,
                                                                            help="mean per period, baseline"),
                                    "peak band": st.column_config.TextColumn("peak band", width=128),
                                    "peak": st.column_config.TextColumn("peak days and hours", width=165),
                                    "lead": st.column_config.TextColumn("lead", width=115),
                                    "status": st.column_config.TextColumn("status", width=195)})
for caveat in tl.caveats:
    st.caption(f"Note: {caveat}")
rows = event.selection.rows
selected = table["tasking_id"].iloc[rows[0]] if rows else None
left, right = st.columns(2)
with left:
    st.pydeck_chart(review_deck(path, version, request, selected), height=520, key="weekly_map")
    st.caption("Fill: vermillion rising ▲, yellow no clear change ►, blue falling ▼; numbers: the first 20 ranks; "
               "black outline: the selected place. Grey lines: wards. Contains OS data © Crown copyright.")
if selected is None:
    right.info("Select a row of the list to see the place's detail and record a decision.", icon=":material/touch_app:")
    st.stop()

place = table.iloc[rows[0]]
detail = place_detail(path, version, request, selected)
with right:
    st.subheader(f"#{place['rank']} {place['place']}")
    st.text(place["group"] or "A hotspot of its own.")
    st.markdown(place["explanation"])
    st.markdown("**When: hour of the week**")
    st.altair_chart(heat_grid(detail.hour_of_week), width="stretch")
    st.caption(f"Incidents at this place in {periods[period]}, all hours, local time; "
               f"{detail.no_time_of_day:,.0f} without a time of day are not shown.")
g1, g2 = st.columns(2)
with g1:
    st.markdown("**What: category mix**")
    st.altair_chart(category_bars(detail.categories), width="stretch")
with g2:
    st.markdown("**Trend over the baseline**")
    st.altair_chart(trend_line(detail.trend, every), width="stretch")

st.subheader("Previous actions")
history_box = st.container()
decision_form(ws, tl, selected, request)
history = place_history(path, log_version(path), selected)
if history.empty:
    history_box.caption("No actions recorded for this place yet.")
else:
    history_box.dataframe(history, hide_index=True, width="stretch",
                          column_config={"meeting": st.column_config.DateColumn("meeting", format="DD/MM/YYYY"),
                                         "due": st.column_config.DateColumn("due", format="DD/MM/YYYY"),
                                         "bid, £": st.column_config.NumberColumn("bid, £", format="£%.2f")})
