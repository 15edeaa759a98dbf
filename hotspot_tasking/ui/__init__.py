"""The one bridge between Streamlit and the core: cached loaders and shared widgets.

Only this package and the pages import Streamlit.
"""
