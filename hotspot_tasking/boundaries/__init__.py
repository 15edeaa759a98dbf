"""Area layers: load, repair, assign incidents to wards, LSOAs and zones (issue 3). Never imports Streamlit."""
