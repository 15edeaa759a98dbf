"""The action log: meetings, the places on their lists, and the actions agreed, in SQLite or
PostgreSQL; status values and funding routes from ``tasking.toml``. Never imports Streamlit.
"""
