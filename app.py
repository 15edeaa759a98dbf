"""hotspot-tasking: the Streamlit entry point. Routes pages and draws the shared sidebar.

    streamlit run app.py
"""

import streamlit as st

from hotspot_tasking.ui.workspace_picker import pick_workspace

st.set_page_config(page_title="Hotspot tasking", page_icon="📍", layout="wide")

pages = [
    st.Page("app_pages/data.py", title="Data", icon="🗂️", default=True),
]
navigation = st.navigation(pages)
pick_workspace()
navigation.run()
