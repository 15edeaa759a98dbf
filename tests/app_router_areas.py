"""A test router: app.py's sidebar with the area comparison and exports pages, for AppTest
until app.py registers them (then tests can use ../app.py and this file can go)."""

import streamlit as st

from hotspot_tasking.ui.filters import draw_filters
from hotspot_tasking.ui.workspace_picker import pick_workspace

st.set_page_config(page_title="Hotspot tasking", layout="wide")
pages = [
    st.Page("../app_pages/area_comparison.py", title="Area comparison", icon=":material/compare:", default=True),
    st.Page("../app_pages/exports.py", title="Exports", icon=":material/download:"),
]
navigation = st.navigation(pages)
workspace = pick_workspace()
draw_filters(workspace)
navigation.run()
