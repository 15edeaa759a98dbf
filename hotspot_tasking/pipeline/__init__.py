"""The tasking pipeline: one frozen request in, a ranked, explained and stored list out, the
same from the CLI, every page and every export. The edge where the workspace and the action
log are read. Never imports Streamlit.
"""
