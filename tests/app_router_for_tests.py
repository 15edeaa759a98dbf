"""A stand-in for app.py that also registers the weekly review and patrol plan pages, for
the AppTest tests while app.py does not list them yet (tests/test_app_weekly.py uses app.py
itself once it does). Same sidebar as app.py."""

import streamlit as st

from hotspot_tasking.ui.filters import draw_filters
from hotspot_tasking.ui.workspace_picker import pick_workspace

st.set_page_config(page_title="Hotspot tasking", page_icon=":material/location_on:", layout="wide")

pages = [
    st.Page("../app_pages/weekly_review.py", title="Weekly review", icon=":material/event_note:", default=True),
    st.Page("../app_pages/explorer.py", title="Hotspot explorer", icon=":material/local_fire_department:"),
    st.Page("../app_pages/patrol_plan.py", title="Patrol plan", icon=":material/directions_walk:"),
    st.Page("../app_pages/data.py", title="Data", icon=":material/dataset:"),
]
navigation = st.navigation(pages)
workspace = pick_workspace()
draw_filters(workspace)
navigation.run()
