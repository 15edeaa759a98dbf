"""hotspot-tasking: the Streamlit entry point. Routes pages and draws the shared sidebar.

    streamlit run app.py
"""

import streamlit as st

from hotspot_tasking.ui.basemap import draw_basemap_toggle
from hotspot_tasking.ui.filters import draw_filters
from hotspot_tasking.ui.style import compact_page
from hotspot_tasking.ui.workspace_picker import pick_workspace

# an emoji icon is drawn in the browser; a ":material/..." one is fetched from the internet
st.set_page_config(page_title="Hotspot tasking", page_icon="📍", layout="wide")
compact_page()

review = st.Page("app_pages/weekly_review.py", title="Weekly review", icon=":material/event_note:", default=True)
patrol = st.Page("app_pages/patrol_plan.py", title="Patrol plan", icon=":material/directions_walk:")
pages = [
    review,
    st.Page("app_pages/explorer.py", title="Hotspot explorer", icon=":material/local_fire_department:"),
    patrol,
    st.Page("app_pages/area_comparison.py", title="Area comparison", icon=":material/compare_arrows:"),
    st.Page("app_pages/exports.py", title="Exports", icon=":material/download:"),
    st.Page("app_pages/data.py", title="Data", icon=":material/dataset:"),
]
navigation = st.navigation(pages)
workspace = pick_workspace()
draw_filters(workspace, own_period=navigation.url_path in (review.url_path, patrol.url_path))  # weeks or months
draw_basemap_toggle()  # every map follows it; off: no request leaves the machine
navigation.run()
