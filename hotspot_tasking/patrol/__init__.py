"""Patrol plans: for an area and a shift, the places to be, in order, and the hours to be there.
Never imports Streamlit.
"""
