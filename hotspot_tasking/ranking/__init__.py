"""Ranking: the candidate places of a review period, measured, scored, explained and given stable ids.

Pure: incidents and settings in, a ranked table out. Reading the workspace and the
action log happens in :mod:`hotspot_tasking.pipeline`. Never imports Streamlit.
"""
