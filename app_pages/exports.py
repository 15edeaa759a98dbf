"""Exports: the tasking list in every format and the hotspot layers, with the disclosure settings in view."""

import streamlit as st

from hotspot_tasking.errors import UserError
from hotspot_tasking.hotspots.run import describe
from hotspot_tasking.periods import describe_period, period_for_dates
from hotspot_tasking.ranking.request import TaskingRequest
from hotspot_tasking.ui.export_cache import (
    FREE_TEXT_WARNING,
    HOTSPOT_FORMATS,
    PLACES,
    TASKING_FORMATS,
    ExportRequest,
    disclosure_rules,
    download_row,
    explorer_default,
    hotspot_files,
    tasking_files,
)
from hotspot_tasking.ui.filters import current_filters
from hotspot_tasking.ui.tasking_cache import log_version, ranked_list, tasking_list
from hotspot_tasking.ui.text import bullets, error, plain
from hotspot_tasking.ui.workspace_picker import current_workspace

ws = current_workspace()
path, version = str(ws.root), ws.version
filters = current_filters(ws)
st.title("Exports")
st.caption(plain(filters.caption()))
try:
    review, note = period_for_dates(filters.start, filters.end)
except UserError as err:
    error(err)
    st.stop()
period = review.label
if note:
    st.info(plain(note))

left, right = st.columns([3, 2])
with left:
    c1, c2 = st.columns(2)
    places = c1.selectbox("Places", list(PLACES), format_func=PLACES.get, key="exports_places",
                          help="Hotspot outlines found in the period, or the areas of a ward, LSOA or zone layer.")
    top = c2.number_input("Places to export (top of the list)", min_value=1, max_value=100, value=10, step=1,
                          key="exports_top", help="The PDF has a page for each of them.")
with right.container(border=True):
    st.markdown("**Disclosure control** (what may leave the room)")
    configured = disclosure_rules(path, version, None, False)
    min_count = st.number_input("Smallest count shown", min_value=1, max_value=50, value=configured.min_count,
                                step=1, key="exports_min_count",
                                help="Counts above 0 and below this are written as \"fewer than N\" "
                                     "(tasking.toml [disclosure] min_count).")
    free_text = st.checkbox("Include free text (action wording, notes, outcomes)", value=False,
                            key="exports_free_text")
    if free_text:
        st.warning(FREE_TEXT_WARNING, icon="⚠️")
    rules = disclosure_rules(path, version, int(min_count), free_text)
    st.markdown(bullets(rules.describe()))
    st.caption(f"Sensitive share threshold: {rules.sensitive_share:.0%}. Protective marking on the pack: "
               f"{plain(rules.marking or 'none')}.")

listed = TaskingRequest(period=period, band=filters.band, categories=filters.categories, candidates=places)
request = ExportRequest(listed, int(top), int(min_count), free_text)
try:
    ranked = tasking_list(path, version, listed, log_version(path))
except UserError as err:
    error(err)
    st.stop()

with left:
    st.subheader(f"Tasking list: {describe_period(period)}")
    st.caption(f"{len(ranked.frame):,} places ranked; the top {min(int(top), len(ranked.frame)):,} are exported. "
               "Build a file, then download it; files are built in memory, nothing is written to the workspace.")
    if ranked.caveats:
        with st.expander(f"Data caveats printed in the exports ({len(ranked.caveats)})"):
            st.markdown(bullets(ranked.caveats))
    if ranked.frame.empty:
        st.info("No place has incidents in this period and band: widen the filters to export a list.")
        st.stop()
    try:
        for suffix, (label, about) in TASKING_FORMATS.items():
            download_row(st.container(border=True), label, about, f"tasking{suffix}",
                         (path, version, request, suffix, log_version(path)),
                         lambda s=suffix: tasking_files(path, version, request, s, log_version(path)),
                         prepare=(lambda: ranked_list(path, version, listed)) if suffix == ".pdf" else None)
    except UserError as err:
        error(err)

    st.subheader("Hotspot layers")
    hotspots = explorer_default(filters)
    st.caption(f"The hotspot explorer's default kernel density (automatic cell size and bandwidth, counts) for "
               f"{plain(describe(hotspots))}. Hotspots holding sensitive incidents are aggregated as the tasking "
               "list's are: grid squares, rounded counts, no density cells or surface of them.")
    exact = st.toggle("Exact outlines, counts and cells (inside the partnership only)", value=False,
                      help="Writes sensitive hotspots as computed: outlines may pass through report addresses.")
    if exact:
        st.warning("Exact output: hotspots of sensitive categories keep outlines and counts that can point to an "
                   "address. The file's method card says so; keep it inside the partnership.")
    try:
        for suffix, (label, about) in HOTSPOT_FORMATS.items():
            download_row(st.container(border=True), label, about, f"hotspots{suffix}",
                         (path, version, hotspots, suffix, exact),
                         lambda s=suffix: hotspot_files(path, version, hotspots, s, exact))
    except UserError as err:
        error(err)
