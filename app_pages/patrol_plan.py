"""Patrol plan: for a supervisor's area and a shift, the places to be, in order, the hours to
be there, a small map and a printable one-page plan. Where no record of the area has a time
of day (police.uk), the plan is a month's places, not split by shift."""

import functools

import streamlit as st

from hotspot_tasking.errors import UserError
from hotspot_tasking.geo.timebands import DAY_NAMES as DAYS
from hotspot_tasking.periods import describe_period
from hotspot_tasking.pipeline.patrol import PatrolRequest
from hotspot_tasking.ui.basemap import map_setting, tile_style
from hotspot_tasking.ui.decks import patrol_deck, patrol_legend
from hotspot_tasking.ui.filters import current_filters, period_slot
from hotspot_tasking.ui.patrol_cache import patrol, patrol_areas, patrol_pdf, shift_choices, untimed_months
from hotspot_tasking.ui.text import error, plain
from hotspot_tasking.ui.workspace_picker import current_workspace

ws = current_workspace()
path, version = str(ws.root), ws.version
filters = current_filters(ws)
st.title("Patrol plan")
areas = patrol_areas(path, version)
if not areas:
    st.info("The workspace has no ward or zone layer; add one with 'hotspot-tasking boundaries add'.")
    st.stop()

c1, c2 = st.columns([1, 2])
area_layer = c1.selectbox("Area layer", list(areas), key="patrol_layer", help="Ward and zone layers of the workspace.")
area = c2.selectbox("Area", list(areas[area_layer]), format_func=areas[area_layer].get, key=f"patrol_area_{area_layer}")
months = untimed_months(path, version, area_layer, area)
if months:  # no record has a time of day: a month's places, not a shift's
    month = period_slot().selectbox("Month", months, format_func=describe_period,
                                    key=f"patrol_month_{area_layer}_{area}",
                                    help="The area's records give months only, so the plan covers a whole month. "
                                         "The dates chosen on other pages are kept for them.")
    shift_args, tag = (tuple(DAYS), 0, 0, 8, month), month
else:
    shifts = shift_choices(path, version)
    options = [*shifts, "custom"]
    c1, c2, c3, c4 = st.columns([2, 3, 1, 1])
    tag = c1.selectbox("Shift", options, index=options.index(filters.band) if filters.band in shifts else 0,
                       format_func=lambda k: shifts[k].label if k in shifts else "Custom hours", key="patrol_shift")
    chosen = shifts.get(tag)
    days = c2.multiselect("Days", DAYS, default=chosen.days if chosen else DAYS, key=f"patrol_days_{tag}",
                          format_func=lambda d: d[:3], help="Hours after midnight count for the day the shift began.")
    start = c3.selectbox("From", range(24), index=chosen.start_hour if chosen else 18, format_func="{:02d}:00".format,
                         key=f"patrol_start_{tag}", disabled=chosen is not None)
    end = c4.selectbox("To", range(25), index=chosen.end_hour if chosen else 2, format_func="{:02d}:00".format,
                       key=f"patrol_end_{tag}", disabled=chosen is not None)
    weeks = period_slot().slider("Weeks of data", 2, 26, 8, key="patrol_weeks",
                                 help="Whole weeks ending on the last day with data. The dates chosen on other "
                                      "pages are kept for them.")
    shift_args = (tuple(days), start, end, weeks, None)

try:
    request = PatrolRequest(area_layer, area, *shift_args)
    plan = patrol(path, version, request)
except UserError as err:
    error(err)
    st.stop()

st.subheader(plain(plan.title))
st.caption(plain(plan.summary) + (" Places are spots about 130 m across, ranked by incidents in the shift; 'be there' "
                                  "is the shortest run of hours holding half of a place's incidents." if plan.by_shift
                                  else " Places are spots about 130 m across, ranked by incidents in the month."))
if plan.time_note:
    st.info(plain(plan.time_note))
if plan.frame.empty:
    st.info(plain(plan.caveats[-1]))
    st.stop()
left, right = st.columns([2, 1])  # every column of the plan in view at 1366 px, the map beside it
timing = ["best_hours", "best_days"] if plan.by_shift else []  # no time of day: no hours or days columns
left.dataframe(plan.frame, hide_index=True, height=35 * (len(plan.frame) + 1) + 3, key="patrol_table",
               column_order=["order", "place_name", *timing, "incidents", "share", "categories"],
               column_config={"order": st.column_config.NumberColumn("#", width=36),
                              "place_name": st.column_config.TextColumn("place", width=160),
                              "best_hours": st.column_config.TextColumn("be there", width=95),
                              "best_days": st.column_config.TextColumn("days", width=118),
                              "incidents": st.column_config.NumberColumn("incidents", width=72,
                                                                         format="%.1f" if plan.by_shift else "%d"),
                              "share": st.column_config.NumberColumn(
                                  "share", format="percent", width=58,
                                  help=f"of the area's incidents in the {'shift' if plan.by_shift else 'month'}"),
                              "categories": st.column_config.TextColumn(
                                  "mostly", width=124, help="The largest categories at the place, with their shares")})
with right:
    st.pydeck_chart(patrol_deck(path, version, request, tile_style(tiles := map_setting(ws))), height=380,
                    key="patrol_map")
    patrol_legend(path, version, tiles)

st.download_button("Printable plan (PDF, one A4 page)", data=functools.partial(patrol_pdf, path, version, request),
                   file_name=f"patrol-plan-{area}-{tag}.pdf", mime="application/pdf", on_click="ignore",
                   icon=":material/print:", key="patrol_pdf")
with st.expander("The plan in words"):
    st.markdown("  \n".join(plain(line) for line in plan.lines()[1:]))
for caveat in plan.caveats:
    if caveat != plan.time_note:
        st.caption(f"Note: {plain(caveat)}")
with st.expander("Method card"):
    st.code("\n".join(plan.card.lines()), language=None)
