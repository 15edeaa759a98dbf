"""Tasking lists, action log and exports (issue 5). Never imports Streamlit."""
