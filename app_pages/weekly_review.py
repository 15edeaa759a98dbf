"""Weekly review: the ranked tasking list of a period, its map, what changed, and one place's
detail with the form that records the group's decision."""

import streamlit as st

from hotspot_tasking.errors import UserError
from hotspot_tasking.ranking.request import TaskingRequest
from hotspot_tasking.reports.tables import method_summary
from hotspot_tasking.ui.basemap import map_setting, tile_style
from hotspot_tasking.ui.charts import category_bars, heat_grid, trend_line
from hotspot_tasking.ui.decision_form import decision_form
from hotspot_tasking.ui.decks import review_deck, review_legend
from hotspot_tasking.ui.filters import current_filters
from hotspot_tasking.ui.review_view import headline_row, list_table, remember_view, review_controls
from hotspot_tasking.ui.tasking_cache import (
    changes_text,
    headline,
    list_version,
    log_version,
    place_detail,
    place_history,
    review_choices,
    review_table,
    tasking_list,
)
from hotspot_tasking.ui.text import error, plain
from hotspot_tasking.ui.workspace_picker import current_workspace

ws = current_workspace()
path = str(ws.root)
filters = current_filters(ws)
st.title("Weekly review")

view = review_controls(review_choices(path, ws.data_version))
request = TaskingRequest(period=view.period, band=filters.band, method=view.method, categories=filters.categories)
version = list_version(path, request)  # storing this period's list (recording a decision) leaves it unchanged
try:
    tl = tasking_list(path, version, request, log_version(path))
    table = review_table(path, version, request, log_version(path))
    changed = changes_text(path, version, request)
    figures = headline(path, version, request, log_version(path))
except UserError as err:
    error(err)
    st.stop()

headline_row(figures, view)
st.caption(plain(f"{view.title}; time band: {filters.band_label}; "
                 f"{', '.join(filters.categories) if filters.categories else 'all categories'}.")
           + " Select a row for its detail.")
if changed:
    st.info(plain(changed), icon=":material/compare_arrows:")
else:
    st.caption("No earlier list of this question (band, places, method, filters) is stored to compare with; "
               "recording a decision stores this one.")

if table.empty:
    remember_view(view, filters, None)
    said = [*tl.caveats[:1], *(w for card in tl.cards for w in card.warnings)]
    st.info(plain(" ".join(["No places to list for this period, band and categories.",
                            *(t[:1].upper() + t[1:] for t in said)])))
    st.stop()
left, right = st.columns([5, 3])  # the list beside its map, the status column in view at 1366 px
with left:
    selected = list_table(table, f"weekly_list_{view.period}_{filters.band}_{view.method}")
remember_view(view, filters, selected)
with right:
    st.pydeck_chart(review_deck(path, version, request, selected, tile_style(tiles := map_setting(ws))),
                    height=458, key="weekly_map")
    review_legend(path, version, tiles)
st.caption("Counts are incidents (band-weighted); 'before' is the mean per period over the baseline. ▲ rising, "
           f"▼ falling (Poisson z ≥ 2 or ≤ −2), ► no clear change. Places: {plain(method_summary(tl.cards))}.")
for caveat in tl.caveats:
    st.caption(f"Note: {plain(caveat)}")
if selected is None:
    st.info("Select a row of the list to see the place's detail and record a decision.", icon=":material/touch_app:")
    st.stop()

place = table[table["tasking_id"] == selected].iloc[0]
detail = place_detail(path, version, request, selected)
st.subheader(f"#{place['rank']} {plain(place['place'])}")
left, right = st.columns(2)
with left:
    st.text(place["group"] or "A hotspot of its own.")
    st.text(place["explanation"])
    st.markdown("**What: category mix**")
    st.altair_chart(category_bars(detail.categories), width="stretch")
with right:
    st.markdown("**When: hour of the week**")
    if detail.hour_of_week.to_numpy().sum() > 0:
        st.altair_chart(heat_grid(detail.hour_of_week), width="stretch")
        st.caption(f"Incidents at this place in {view.in_sentence}, all hours, local time; "
                   f"{detail.no_time_of_day:,.0f} without a time of day are not shown.")
    else:
        st.caption(f"None of this place's {detail.no_time_of_day:,.0f} incidents in {view.in_sentence} has a time of "
                   "day (police.uk gives months only), so there is no hour-of-week grid.")
    st.markdown("**Trend over the baseline**")
    st.altair_chart(trend_line(detail.trend, view.every), width="stretch")

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
