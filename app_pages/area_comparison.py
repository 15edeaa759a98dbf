"""Area comparison: two or more wards or zones side by side on rates, when, what, trend and target."""

import streamlit as st

from hotspot_tasking.errors import UserError
from hotspot_tasking.ui.area_cache import (
    BASELINE_LABELS,
    area_comparison,
    area_names,
    busiest_areas,
    category_mix,
    comparable_layers,
    comparison_table,
    hour_grids,
    period_caption,
    trend_chart,
)
from hotspot_tasking.ui.filters import current_filters
from hotspot_tasking.ui.text import bullets, error, plain
from hotspot_tasking.ui.workspace_picker import current_workspace

ws = current_workspace()
path, version = str(ws.root), ws.version
filters = current_filters(ws)
st.title("Area comparison")
st.caption(plain(filters.caption()))

layers = comparable_layers(path, version)
if not layers:
    st.info("No area layers yet. Add wards, LSOAs or zones with `hotspot-tasking boundaries add`.")
    st.stop()
left, middle, right = st.columns([1.6, 3, 1.3])
layer = left.selectbox("Areas from", list(layers), format_func=layers.get, key="areas_layer",
                       help="Wards, or zones such as night-time economy areas and boroughs (zones may overlap).")
names = area_names(path, version, layer)
codes = middle.multiselect("Areas to compare (two or more)", list(names), format_func=names.get,
                           default=busiest_areas(path, version, layer, filters.start, filters.end),
                           key=f"areas_codes_{layer}", placeholder="Choose areas")
reduce_by = right.number_input("Target: reduce by, %", min_value=0.0, max_value=100.0, value=5.0, step=1.0,
                               key="areas_target", help="As in \"Reduce criminal damage by 5%\".")
baseline = right.radio("Judge the target against", list(BASELINE_LABELS), format_func=BASELINE_LABELS.get,
                       key="areas_baseline")
if len(codes) < 2:
    st.info("Choose two or more areas to compare.")
    st.stop()

try:
    comparison, notes = area_comparison(path, version, layer, tuple(codes), filters.start, filters.end, filters.band,
                                        filters.categories, float(reduce_by), baseline)
except UserError as err:
    error(err)
    st.stop()

if notes.period:  # month-only records: the period in whole months
    st.info(plain(notes.period))
if notes.empty:
    st.info(plain(notes.empty))
    st.stop()
styler, config = comparison_table(comparison)
st.dataframe(styler, column_config=config, hide_index=True, width="stretch")
st.caption(plain(period_caption(comparison)))
for why in notes.not_judged:
    st.caption(plain(why))
with st.expander("How the rates and the target status are worked out", expanded=False):
    st.markdown(f"**Target status** against the {BASELINE_LABELS[baseline]}, target: reduce by {reduce_by:g}%. "
                f"{plain(comparison.rag_rule)}")
    st.markdown(bullets(comparison.notes))
if comparison.residents == "area_share":
    st.caption("Rates per 1,000 residents in the period; residents apportioned from LSOAs by area share "
               "(details above). Night-time economy zones have many visitors and few residents, so read their "
               "rates beside the counts.")

st.subheader("When: hour of week")
if not comparison.timed:  # no record has a time of day: one sentence instead of empty grids
    st.info(plain(notes.hours))
else:
    share = st.toggle("Show as % of each area's incidents (compare profiles rather than volumes)", key="areas_share")
    st.altair_chart(hour_grids(comparison, share=share), width="content")
    st.caption("Local time, aoristic: an incident known only to a time window is spread over its hours. Units: "
               + ("% of the area's incidents with a time of day." if share
                  else "incidents per hour-of-week cell, summed over the period.")
               + (f" {plain(notes.hours)}" if notes.hours else ""))

st.subheader("What: category mix")
st.altair_chart(category_mix(comparison), width="stretch")
st.caption("Share of each area's incidents in the period, %; the seven largest categories overall, the rest as "
           "\"Other categories\".")
st.subheader("Trend")
st.altair_chart(trend_chart(comparison), width="stretch")
st.caption("Incidents per calendar month up to the period's end; a hollow point is a partial month.")
